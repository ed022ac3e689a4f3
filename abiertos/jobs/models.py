from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from abiertos.core.models import Municipality


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("En cola")
    RUNNING = "running", _("En curso")
    SUCCEEDED = "succeeded", _("Terminada")
    FAILED = "failed", _("Falló")
    CANCELLED = "cancelled", _("Cancelada")


FINISHED_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class Job(models.Model):
    """A long piece of work run by a worker, with progress a page or a client can follow."""

    kind = models.CharField(_("tipo"), max_length=80, db_index=True)
    title = models.CharField(_("descripción"), max_length=200, blank=True)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(null=True, blank=True)
    message = models.CharField(_("mensaje"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    result = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    municipality = models.ForeignKey(Municipality, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tarea")
        verbose_name_plural = _("tareas")
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class JobEvent(models.Model):
    """Append-only history of a job's transitions."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=12, choices=JobStatus.choices)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.job_id} {self.status}"
