"""Harvest sources (another portal's catalog), their runs, and what each remote dataset became here."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from abiertos.catalog.models import Dataset
from abiertos.core.models import Municipality
from abiertos.jobs.models import Job


class SourceKind(models.TextChoices):
    CKAN = "ckan", _("API de CKAN o Andino")
    DATAJSON = "datajson", _("data.json (perfil nacional o DCAT-US)")
    DCAT = "dcat", _("DCAT en RDF (Turtle, RDF/XML o JSON-LD)")
    XLSX = "xlsx", _("catalog.xlsx")


class Schedule(models.TextChoices):
    MANUAL = "manual", _("Solo a mano")
    HOURLY = "hourly", _("Cada hora")
    DAILY = "daily", _("Todos los días")
    WEEKLY = "weekly", _("Todas las semanas")
    MONTHLY = "monthly", _("Todos los meses")


SCHEDULE_INTERVALS = {
    Schedule.HOURLY: timedelta(hours=1),
    Schedule.DAILY: timedelta(days=1),
    Schedule.WEEKLY: timedelta(days=7),
    Schedule.MONTHLY: timedelta(days=30),
}


class HarvestSource(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="harvest_sources")
    title = models.CharField(_("nombre"), max_length=150)
    kind = models.CharField(_("tipo de fuente"), max_length=10, choices=SourceKind.choices)
    url = models.URLField(
        _("dirección"),
        max_length=1000,
        help_text=_("La raíz del portal CKAN (https://datos.ejemplo.gob.ar) o la dirección del catálogo."),
    )
    ckan_filter = models.CharField(
        _("filtro de CKAN (fq)"),
        max_length=300,
        blank=True,
        help_text=_("Solo para CKAN: limita la cosecha, por ejemplo organization:municipio-de-tandil."),
    )
    schedule = models.CharField(_("frecuencia"), max_length=10, choices=Schedule.choices, default=Schedule.MANUAL)
    enabled = models.BooleanField(
        _("habilitada"), default=False, help_text=_("Solo las fuentes habilitadas se cosechan según la frecuencia.")
    )
    send_to_datastore = models.BooleanField(
        _("cargar las tablas en el almacén de datos"),
        default=False,
        help_text=_("Los recursos tabulares (CSV, XLSX…) cosechados se cargan como tablas consultables."),
    )
    withdraw_threshold_pct = models.PositiveSmallIntegerField(
        _("umbral de retiro (%)"),
        default=20,
        help_text=_(
            "Si una corrida retiraría más que este porcentaje de los conjuntos, se detiene y pide confirmación."
        ),
    )
    withdraw_grace_days = models.PositiveSmallIntegerField(
        _("días de gracia antes de ocultar un conjunto retirado"), default=7
    )
    notify_emails = models.TextField(
        _("correos a notificar"),
        blank=True,
        help_text=_("Separados por comas: reciben un resumen cuando una corrida falla o encuentra errores."),
    )
    # Set after a run that finished without errors: CKAN sources then ask only for what changed since.
    last_clean_started_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["municipality__name", "title"]
        verbose_name = _("fuente de cosecha")
        verbose_name_plural = _("fuentes de cosecha")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "url"],
                condition=models.Q(deleted_at__isnull=True),
                name="harvest_source_url_per_municipality",
            ),
            models.CheckConstraint(
                condition=models.Q(withdraw_threshold_pct__lte=100), name="harvest_source_threshold_pct"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("harvest:source_detail", kwargs={"municipality_slug": self.municipality.slug, "pk": self.pk})

    @property
    def notify_list(self) -> list[str]:
        return [e.strip() for e in self.notify_emails.replace(";", ",").split(",") if e.strip()]


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("En cola")
    RUNNING = "running", _("En curso")
    SUCCEEDED = "succeeded", _("Terminada")
    PARTIAL = "partial", _("Terminada con errores")
    NEEDS_CONFIRMATION = "needs_confirmation", _("Detenida: pide confirmación")
    FAILED = "failed", _("Falló")


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class Stage(models.TextChoices):
    GATHER = "gather", _("Recolección")
    FETCH = "fetch", _("Descarga")
    IMPORT = "import", _("Importación")
    VALIDATE = "validate", _("Validación")
    WITHDRAW = "withdraw", _("Retiro")


class HarvestRun(models.Model):
    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="runs")
    job = models.OneToOneField(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="harvest_run")
    dry_run = models.BooleanField(default=False)
    confirm_withdrawals = models.BooleanField(default=False)
    incremental_since = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED, db_index=True)
    stage = models.CharField(max_length=10, choices=Stage.choices, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    restored = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    remote_total = models.PositiveIntegerField(default=0)
    # A dry run's preview: [{"remote_id", "identifier", "title", "action", "changes"}], cut at 2,000.
    plan = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-queued_at", "-id"]
        verbose_name = _("corrida de cosecha")
        verbose_name_plural = _("corridas de cosecha")

    def __str__(self) -> str:
        return f"{self.source} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("harvest:run_detail", kwargs={"municipality_slug": self.source.municipality.slug, "pk": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


class MessageLevel(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Advertencia")
    INFO = "info", _("Información")


class HarvestMessage(models.Model):
    """One finding of a run, in Spanish, with the stage and remote dataset it concerns."""

    run = models.ForeignKey(HarvestRun, on_delete=models.CASCADE, related_name="messages")
    level = models.CharField(max_length=10, choices=MessageLevel.choices)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    remote_id = models.CharField(max_length=300, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"[{self.level}] {self.message[:80]}"


class HarvestRecord(models.Model):
    """A remote dataset of a source, and the dataset it is here."""

    source = models.ForeignKey(HarvestSource, on_delete=models.CASCADE, related_name="records")
    remote_id = models.CharField(max_length=300)
    identifier = models.CharField(max_length=100)
    dataset = models.ForeignKey(Dataset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    content_hash = models.CharField(max_length=64, blank=True)
    remote_modified = models.CharField(max_length=40, blank=True)
    origin_url = models.URLField(max_length=1000, blank=True)
    last_seen_run = models.ForeignKey(HarvestRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_seen_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True, db_index=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    # The last validation of the dataset as we publish it: no error → federable; None = not validated.
    federable = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["identifier"]
        constraints = [
            models.UniqueConstraint(fields=["source", "remote_id"], name="harvest_record_remote_id_per_source"),
        ]

    def __str__(self) -> str:
        return self.identifier


class HarvestCheck(models.Model):
    """What the national profile validator said about one dataset of a run (see checks.py)."""

    run = models.ForeignKey(HarvestRun, on_delete=models.CASCADE, related_name="checks")
    remote_id = models.CharField(max_length=300)
    identifier = models.CharField(max_length=100)
    title = models.CharField(max_length=300, blank=True)
    dataset = models.ForeignKey(Dataset, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    federable = models.BooleanField()
    errors = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    # [{"level", "path", "message", "fix", "profile"}], in Spanish.
    findings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["federable", "-errors", "-warnings", "identifier"]
        constraints = [
            models.UniqueConstraint(fields=["run", "remote_id"], name="harvest_check_remote_id_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier}: {self.errors} / {self.warnings}"
