"""Job kinds that ship with the platform itself.

``jobs.diagnostic`` ticks through a number of steps, reporting progress and a heartbeat at each
one, and returns where it ran. Operators enqueue it to check that workers are alive and that a
job crosses from a web process to a worker and back through the database; the multi-process test
uses it to kill a worker in the middle of a job.
"""

from __future__ import annotations

import os
import socket
import time

from django.core.cache import cache
from django.db import connection, transaction
from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, require
from abiertos.core.actors import Actor
from abiertos.core.audit import audit_record
from abiertos.core.errors import ValidationError

from .models import Job
from .registry import job_kind_register
from .runner import Progress
from .services import job_enqueue

DIAGNOSTIC_KIND = "jobs.diagnostic"
MAX_STEPS = 3600
MAX_STEP_SECONDS = 60.0


def diagnostic_params_clean(*, steps: object, step_seconds: object) -> dict:
    """Return valid diagnostic parameters, or raise ValidationError saying what is wrong."""
    errors: dict[str, list[str]] = {}
    try:
        steps = int(steps)
    except (TypeError, ValueError):
        steps = -1
    if not 1 <= steps <= MAX_STEPS:
        errors["steps"] = [
            _("La cantidad de pasos tiene que ser un número entero entre 1 y %(max)d.") % {"max": MAX_STEPS}
        ]
    try:
        step_seconds = float(step_seconds)
    except (TypeError, ValueError):
        step_seconds = -1.0
    if not 0 <= step_seconds <= MAX_STEP_SECONDS:
        errors["step_seconds"] = [
            _("La duración de cada paso tiene que estar entre 0 y %(max)d segundos.") % {"max": MAX_STEP_SECONDS}
        ]
    if errors:
        raise ValidationError(_("Revisá los parámetros de la tarea de diagnóstico."), fields=errors)
    return {"steps": steps, "step_seconds": step_seconds}


def _cache_round_trip(job_id: int) -> bool:
    key = f"jobs.diagnostic.{job_id}"
    cache.set(key, "ok", 30)
    ok = cache.get(key) == "ok"
    cache.delete(key)
    return ok


def diagnostic_run(*, job: Job, progress: Progress) -> dict:
    """Tick through the steps, then report the worker, the database and the cache it saw."""
    params = diagnostic_params_clean(steps=job.params.get("steps", 5), step_seconds=job.params.get("step_seconds", 1.0))
    started = time.monotonic()
    total = params["steps"]
    for step in range(1, total + 1):
        time.sleep(params["step_seconds"])
        progress(step, total, _("Paso %(step)d de %(total)d") % {"step": step, "total": total}, force=True)
    return {
        "steps": total,
        "seconds": round(time.monotonic() - started, 3),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "database": connection.vendor,
        "cache_ok": _cache_round_trip(job.pk),
    }


@transaction.atomic
def diagnostic_job_enqueue(*, by: Actor, steps: int = 5, step_seconds: float = 1.0) -> Job:
    """Queue a diagnostic job; only the system or a provincial administrator may."""
    require(by, Action.MANAGE_TERRITORY)
    params = diagnostic_params_clean(steps=steps, step_seconds=step_seconds)
    title = _("Diagnóstico de los procesos de tareas (%(steps)d pasos)") % {"steps": params["steps"]}
    job = job_enqueue(kind=DIAGNOSTIC_KIND, by=by, params=params, title=title)
    audit_record(actor=by, action="job.diagnostic", target=job, changes=params)
    return job


def register() -> None:
    """Add the built-in kinds to the registry (called from ``JobsConfig.ready``)."""
    job_kind_register(DIAGNOSTIC_KIND, diagnostic_run)
