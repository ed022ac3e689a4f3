"""Logo uploads: only real PNG, JPEG or WebP images of modest size (no SVG: it can carry scripts)."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from abiertos.core.errors import ValidationError

SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
}


def logo_validate(upload: UploadedFile) -> str:
    """Return the file extension for a valid logo, or raise ValidationError saying why not."""
    if upload.size > settings.MAX_LOGO_BYTES:
        raise ValidationError(
            _("El logo pesa %(size)d KB; el máximo es %(max)d KB.")
            % {"size": upload.size // 1024, "max": settings.MAX_LOGO_BYTES // 1024},
            fields={"logo": [_("Archivo demasiado grande.")]},
        )
    head = upload.read(16)
    upload.seek(0)
    for signature, extension in SIGNATURES.items():
        if head.startswith(signature):
            return extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    raise ValidationError(
        _("El logo tiene que ser una imagen PNG, JPEG o WebP."),
        fields={"logo": [_("Formato no admitido.")]},
    )
