"""Provincial bodies that receive requests, recorded by provincial admins."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import Conflict, ValidationError
from abiertos.core.models import Province

from ..models import ProvincialBody

DEFAULT_PROVINCE_CODE = "06"


@dataclass
class ProvincialBodyInput:
    name: str
    contact_email: str = ""


@transaction.atomic
def provincial_body_create(*, data: ProvincialBodyInput, by: Actor, province: Province | None = None) -> ProvincialBody:
    """Record a provincial body (a ministry, an agency) that receives requests."""
    require(by, Action.MANAGE_FOI)  # province-wide: provincial admins
    province = province or Province.objects.filter(code=DEFAULT_PROVINCE_CODE).first()
    name = data.name.strip()
    if province is None or len(name) < 3:
        message = _("Escribí el nombre del organismo.") if province else _("No hay una provincia cargada.")
        raise ValidationError(message, fields={"name": [message]})
    slug = slugify(name)[:120]
    if ProvincialBody.objects.filter(slug=slug).exists():
        raise Conflict(_("Ya existe el organismo «%(n)s».") % {"n": name})
    body = ProvincialBody.objects.create(
        province=province, name=name[:200], slug=slug, contact_email=data.contact_email
    )
    audit_record(actor=by, action="foi.provincial_body_create", target=body, changes={"name": body.name})
    return body
