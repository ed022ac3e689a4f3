"""Writes for the public portal: each municipality's page and settings."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record, diff_fields
from abiertos.core.errors import ValidationError
from abiertos.core.models import Module, Municipality

from .colors import HEX_COLOR
from .logos import logo_validate


def _profile_errors(*, intro: str, primary_color: str, enabled_modules: list[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not HEX_COLOR.match(primary_color or ""):
        errors["primary_color"] = [_("El color tiene que tener la forma #RRGGBB, por ejemplo #1f5f8b.")]
    if len(intro or "") > 4000:
        errors["intro"] = [
            _("El texto de presentación puede tener hasta 4000 caracteres (tiene %(n)d).") % {"n": len(intro)}
        ]
    unknown = sorted(set(enabled_modules) - set(Module.values))
    if unknown:
        errors["enabled_modules"] = [_("Módulos desconocidos: %(m)s.") % {"m": ", ".join(unknown)}]
    return errors


@transaction.atomic
def municipality_profile_update(
    *,
    municipality: Municipality,
    by: Actor,
    intro: str,
    primary_color: str,
    website: str,
    contact_email: str,
    enabled_modules: list[str],
) -> Municipality:
    """Change a municipality's public page and enabled modules."""
    require(by, Action.EDIT_MUNICIPALITY, municipality)
    errors = _profile_errors(intro=intro, primary_color=primary_color, enabled_modules=enabled_modules)
    if errors:
        raise ValidationError(_("Revisá los datos marcados."), fields=errors)
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    values = {
        "intro": intro.strip(),
        "primary_color": primary_color.lower(),
        "website": website.strip(),
        "contact_email": contact_email.strip(),
        "enabled_modules": [m for m in Module.values if m in enabled_modules],
    }
    changes = diff_fields(municipality, values)
    if changes:
        for name, value in values.items():
            setattr(municipality, name, value)
        municipality.save()
        audit_record(
            actor=by, action="municipality.update", target=municipality, municipality=municipality, changes=changes
        )
    return municipality


@transaction.atomic
def municipality_logo_set(*, municipality: Municipality, by: Actor, upload: UploadedFile | None) -> Municipality:
    """Replace (or, with None, remove) a municipality's logo."""
    require(by, Action.EDIT_MUNICIPALITY, municipality)
    municipality = Municipality.objects.select_for_update().get(pk=municipality.pk)
    old_name = municipality.logo.name
    if upload is None:
        municipality.logo = ""
    else:
        extension = logo_validate(upload)
        municipality.logo.save(f"{municipality.slug}{extension}", upload, save=False)
    municipality.save()
    audit_record(
        actor=by,
        action="municipality.logo",
        target=municipality,
        municipality=municipality,
        changes={"logo": [old_name, municipality.logo.name]},
    )
    return municipality
