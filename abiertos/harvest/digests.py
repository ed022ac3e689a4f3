"""The e-mail digest a source's administrators get when a run fails, stops or finds errors."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from .models import HarvestRun, MessageLevel


def harvest_digest_send(*, run: HarvestRun) -> None:
    """E-mail the source's administrators what went wrong in a run (counts and the first errors)."""
    source = run.source
    errors = list(run.messages.filter(level=MessageLevel.ERROR).values_list("remote_id", "message")[:50])
    lines = [
        _("Corrida #%(n)d de la fuente «%(s)s» (%(m)s): %(status)s.")
        % {"n": run.pk, "s": source.title, "m": source.municipality.name, "status": run.get_status_display()},
        "",
        _("Creados: %(c)d · Actualizados: %(u)d · Sin cambios: %(x)d · Retirados: %(w)d · Con errores: %(f)d")
        % {"c": run.created, "u": run.updated, "x": run.unchanged, "w": run.withdrawn, "f": run.failed},
        "",
    ]
    lines += [f"- {rid + ': ' if rid else ''}{message}" for rid, message in errors]
    lines += ["", _("Informe completo: %(url)s") % {"url": settings.SITE_URL + run.get_absolute_url()}]
    subject = _("[%(site)s] Cosecha de «%(s)s»: %(status)s") % {
        "site": settings.SITE_NAME,
        "s": source.title,
        "status": run.get_status_display(),
    }
    send_mail(subject, "\n".join(lines), None, source.notify_list, fail_silently=True)
