"""Resumable chunked uploads: a session per file, chunks appended strictly in order.

A slow or dropped connection costs at most one chunk: the client asks how many bytes arrived
and carries on from there. Chunks must arrive in order (no gaps, no overlaps), so the received
part is always one contiguous prefix of the file and a single counter describes it. When the
last byte arrives the file is hashed once; a catalog service then attaches the finished file
to a distribution.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.errors import Conflict, NotFound, ValidationError
from abiertos.core.models import Municipality

from .models import UploadSession

TEMP_DIR = "uploads-tmp"
CONTENT_RANGE_RE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


class UploadOffsetMismatch(Conflict):
    """A chunk that does not start where the received part ends; carries the expected offset."""

    code = "upload_offset_mismatch"

    def __init__(self, message: str, *, expected_offset: int):
        super().__init__(message, fields={"content_range": [message]})
        self.expected_offset = expected_offset


class UploadTooLarge(ValidationError):
    code = "upload_too_large"
    http_status = 413


@dataclass(frozen=True)
class ContentRange:
    start: int
    end: int  # inclusive, as in HTTP
    total: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def content_range_parse(header: str) -> ContentRange:
    """Parse ``bytes start-end/total``; anything else is a validation error."""
    match = CONTENT_RANGE_RE.match((header or "").strip())
    if not match:
        message = _("Falta el encabezado Content-Range o no tiene la forma «bytes inicio-fin/total».")
        raise ValidationError(message, fields={"content_range": [message]})
    start, end, total = (int(g) for g in match.groups())
    if end < start or end >= total:
        message = _("El rango %(r)s no es válido: el fin tiene que ser mayor o igual al inicio y menor que el total.")
        message %= {"r": header.strip()}
        raise ValidationError(message, fields={"content_range": [message]})
    return ContentRange(start, end, total)


def _too_large_message(size: int) -> str:
    return _("El archivo pesa %(size).1f MB y el máximo permitido es %(max).1f MB.") % {
        "size": size / 1e6,
        "max": settings.MAX_UPLOAD_BYTES / 1e6,
    }


def _absolute(session: UploadSession) -> Path:
    return Path(settings.MEDIA_ROOT) / session.temp_path


def _clean_name(file_name: str) -> str:
    # Browsers on Windows may send a full path; keep only the last part.
    return os.path.basename((file_name or "").replace("\\", "/")).strip()[:255]


def _check_new(file_name: str, total_size: int) -> None:
    errors: dict[str, list[str]] = {}
    if not file_name:
        errors["file_name"] = [_("Indicá el nombre del archivo.")]
    if total_size <= 0:
        errors["size"] = [_("El archivo está vacío.")]
    if errors:
        raise ValidationError(_("Revisá los datos del archivo a subir."), fields=errors)
    if total_size > settings.MAX_UPLOAD_BYTES:
        raise UploadTooLarge(_too_large_message(total_size), fields={"size": [_too_large_message(total_size)]})


@transaction.atomic
def upload_session_create(*, municipality: Municipality, file_name: str, total_size: int, by: Actor) -> UploadSession:
    """Open an upload for a file of a declared size, for the catalog of a municipality."""
    require(by, Action.MANAGE_CATALOG, municipality)
    file_name = _clean_name(file_name)
    _check_new(file_name, total_size)
    session = UploadSession(
        owner=by.user,
        municipality=municipality,
        file_name=file_name,
        total_size=total_size,
        expires_at=timezone.now() + timedelta(hours=settings.UPLOAD_SESSION_TTL_HOURS),
    )
    session.temp_path = f"{TEMP_DIR}/{session.id.hex}.part"
    path = _absolute(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    session.save()
    return session


def _check_chunk(session: UploadSession, chunk: ContentRange, data_length: int) -> None:
    if session.attached_at is not None or session.is_complete:
        raise Conflict(_("Esta subida ya terminó; no acepta más partes."))
    if session.expires_at <= timezone.now():
        raise Conflict(_("Esta subida venció; empezá una nueva."))
    if chunk.total != session.total_size:
        raise Conflict(
            _("El total del rango (%(t)d bytes) no coincide con el tamaño declarado (%(d)d bytes).")
            % {"t": chunk.total, "d": session.total_size}
        )
    if chunk.start != session.received_bytes:
        raise UploadOffsetMismatch(
            _("Esta parte empieza en el byte %(got)d, pero se esperaba el byte %(exp)d.")
            % {"got": chunk.start, "exp": session.received_bytes},
            expected_offset=session.received_bytes,
        )
    if data_length != chunk.length:
        message = _("La parte trae %(n)d bytes pero el rango indica %(r)d.") % {"n": data_length, "r": chunk.length}
        raise ValidationError(message, fields={"content_range": [message]})


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


@transaction.atomic
def upload_session_append(*, session: UploadSession, chunk: ContentRange, data: bytes, by: Actor) -> UploadSession:
    """Append one chunk at the end of the received part; hash the file when it is complete."""
    session = UploadSession.objects.select_for_update().get(pk=session.pk)
    _check_owner(session, by)
    _check_chunk(session, chunk, len(data))
    path = _absolute(session)
    with path.open("r+b") as handle:
        # Truncating first discards any bytes a previous, interrupted request wrote but never counted.
        handle.truncate(chunk.start)
        handle.seek(chunk.start)
        handle.write(data)
    session.received_bytes = chunk.end + 1
    if session.received_bytes == session.total_size:
        session.checksum_sha256 = _sha256_of(path)
        session.completed_at = timezone.now()
    session.save()
    return session


def _check_owner(session: UploadSession, by: Actor) -> None:
    if by.user is None or session.owner_id != by.user.pk:
        raise NotFound(_("No existe esa subida."))


def upload_session_get(*, actor: Actor, session_id) -> UploadSession:
    """One of the actor's own upload sessions (anyone else's is reported as missing)."""
    session = UploadSession.objects.filter(pk=session_id).select_related("municipality").first()
    if session is None or actor.user is None or session.owner_id != actor.user.pk:
        raise NotFound(_("No existe esa subida."))
    return session


def upload_session_open_for_attach(
    *, session: UploadSession, municipality: Municipality, by: Actor
) -> tuple[UploadSession, File]:
    """The session (re-read and locked) and its finished file, checked for attaching to a
    distribution of the municipality. Call inside the attaching service's transaction."""
    session = UploadSession.objects.select_for_update().get(pk=session.pk)
    _check_owner(session, by)
    if session.attached_at is not None:
        raise Conflict(_("Ese archivo ya se usó en un recurso; subilo de nuevo si lo necesitás otra vez."))
    if not session.is_complete:
        raise Conflict(
            _("La subida no terminó: llegaron %(r)d de %(t)d bytes.")
            % {"r": session.received_bytes, "t": session.total_size}
        )
    if session.municipality_id != municipality.pk:
        raise Conflict(_("Ese archivo se subió para otro municipio."))
    path = _absolute(session)
    if not path.exists():
        raise Conflict(_("El archivo de esa subida ya no está disponible; subilo de nuevo."))
    return session, File(path.open("rb"), name=session.file_name)


def upload_session_mark_attached(*, session: UploadSession) -> None:
    """Record that a session's file became a distribution file; the temporary copy goes after commit."""
    UploadSession.objects.filter(pk=session.pk).update(attached_at=timezone.now())
    path = _absolute(session)
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


def upload_session_cleanup(*, now: datetime | None = None) -> int:
    """Delete expired sessions (and used ones past expiry) with their temporary files."""
    now = now or timezone.now()
    expired = list(UploadSession.objects.filter(expires_at__lte=now))
    for session in expired:
        _absolute(session).unlink(missing_ok=True)
    UploadSession.objects.filter(pk__in=[s.pk for s in expired]).delete()
    return len(expired)
