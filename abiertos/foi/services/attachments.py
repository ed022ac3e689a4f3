"""Attachments of an answer: checked for personal data and hidden content, then redacted."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor
from abiertos.core.errors import ValidationError

from ..models import EventKind, FoiAttachment, FoiRequest
from ..privacy import SPREADSHEET_SUFFIXES, attachment_inspect, attachment_kind_supported, attachment_redact
from .base import audit, event_add, lock, requester_terms, require_officer, require_open

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _check_upload(upload: UploadedFile) -> None:
    if not attachment_kind_supported(upload.name):
        message = _("Formato no admitido. Subí uno de estos: %(f)s.") % {"f": ", ".join(SPREADSHEET_SUFFIXES)}
        raise ValidationError(message, fields={"file": [message]})
    if upload.size > MAX_ATTACHMENT_BYTES:
        message = _("El archivo pesa más de 20 MB.")
        raise ValidationError(message, fields={"file": [message]})


@transaction.atomic
def foi_attachment_add(*, request: FoiRequest, upload: UploadedFile, by: Actor) -> FoiAttachment:
    """Check a file for the answer and keep its redacted copy, the one the public will get."""
    request = lock(request)
    require_officer(by, request.municipality)
    require_open(request, _("El pedido ya está cerrado: no se pueden agregar adjuntos."))
    _check_upload(upload)
    content = upload.read()
    terms = requester_terms(request)
    try:
        findings = attachment_inspect(upload.name, content, terms)
        redacted = attachment_redact(upload.name, content, terms)
    except (ValueError, Exception) as exc:  # noqa: BLE001 - any unreadable file is the same user error
        message = _("No pudimos leer «%(n)s»: ¿está dañado o protegido con contraseña?") % {"n": upload.name}
        raise ValidationError(message, fields={"file": [message]}) from exc
    name = upload.name.rsplit("/", 1)[-1][:200]
    attachment = FoiAttachment(
        request=request, name=name, findings=[f.as_dict() for f in findings], uploaded_by=by.user
    )
    attachment.original.save(name, ContentFile(content), save=False)
    attachment.redacted.save(name, ContentFile(redacted), save=False)
    attachment.save()
    summary = sorted({f.kind for f in findings})
    event_add(request, EventKind.ATTACHMENT_ADDED, by, role="officer", data={"name": name, "findings": summary})
    audit(request, "attachment_add", by, {"name": name, "findings": summary})
    return attachment


@transaction.atomic
def foi_attachment_remove(*, attachment: FoiAttachment, by: Actor) -> None:
    """Remove an attachment that was not published yet."""
    request = lock(attachment.request)
    require_officer(by, request.municipality)
    if attachment.is_published:
        raise ValidationError(_("Un adjunto ya publicado no se puede quitar."))
    event_add(request, EventKind.ATTACHMENT_REMOVED, by, role="officer", data={"name": attachment.name})
    audit(request, "attachment_remove", by, {"name": attachment.name})
    files = [attachment.original, attachment.redacted]
    attachment.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])
