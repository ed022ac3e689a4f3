"""The e-mail digest a source's administrators get when a run fails, stops or finds errors,
validation errors included (like the national network's validation reports)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from .models import HarvestCheck, HarvestRun, MessageLevel

MAX_LINES = 50


def _validation_lines(run: HarvestRun) -> list[str]:
    checks = list(HarvestCheck.objects.filter(run=run).order_by("federable", "-errors", "identifier"))
    if not checks:
        return []
    federable = sum(1 for c in checks if c.federable)
    lines = [
        "",
        _("Validación con el perfil nacional: %(n)d conjuntos validados, %(f)d federables, %(e)d con errores.")
        % {"n": len(checks), "f": federable, "e": sum(1 for c in checks if c.errors)},
    ]
    for check in checks:
        for finding in check.findings:
            if finding.get("level") == "error" and len(lines) < MAX_LINES + 2:
                lines.append(f"- {check.identifier}: {finding.get('message')} {finding.get('fix')}".rstrip())
    return lines


def harvest_digest_send(*, run: HarvestRun) -> None:
    """E-mail the source's administrators what went wrong in a run (counts, the first errors and
    the validator's errors per dataset)."""
    source = run.source
    errors = list(run.messages.filter(level=MessageLevel.ERROR).values_list("remote_id", "message")[:MAX_LINES])
    lines = [
        _("Corrida #%(n)d de la fuente «%(s)s» (%(m)s): %(status)s.")
        % {"n": run.pk, "s": source.title, "m": source.municipality.name, "status": run.get_status_display()},
        "",
        _("Creados: %(c)d · Actualizados: %(u)d · Sin cambios: %(x)d · Retirados: %(w)d · Con errores: %(f)d")
        % {"c": run.created, "u": run.updated, "x": run.unchanged, "w": run.withdrawn, "f": run.failed},
        "",
    ]
    lines += [f"- {rid + ': ' if rid else ''}{message}" for rid, message in errors]
    lines += _validation_lines(run)
    lines += ["", _("Informe completo: %(url)s") % {"url": settings.SITE_URL + run.get_absolute_url()}]
    subject = _("[%(site)s] Cosecha de «%(s)s»: %(status)s") % {
        "site": settings.SITE_NAME,
        "s": source.title,
        "status": run.get_status_display(),
    }
    send_mail(subject, "\n".join(lines), None, source.notify_list, fail_silently=True)
