from django.utils.translation import gettext as _

from abiertos.accounts.permissions import Action, can
from abiertos.core.actors import Actor
from abiertos.core.errors import NotFound

from .models import Job


def job_get_visible(*, actor: Actor, job_id: int) -> Job:
    """A job its creator, the municipality's staff or a provincial admin may follow."""
    job = Job.objects.select_related("municipality").filter(pk=job_id).first()
    if job is None or not job_visible_to(actor=actor, job=job):
        raise NotFound(_("No existe esa tarea o no tenés acceso a ella."))
    return job


def job_visible_to(*, actor: Actor, job: Job) -> bool:
    if actor.is_system:
        return True
    if actor.user is None:
        return False
    if job.created_by_id == actor.user.pk:
        return True
    return can(actor, Action.VIEW_AUDIT, job.municipality)
