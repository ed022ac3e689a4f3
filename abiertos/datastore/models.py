"""A distribution's table in the datastore (a Parquet file), and every attempt to load it."""

from django.conf import settings as conf
from django.db import models
from django.utils.translation import gettext_lazy as _

from abiertos.catalog.models import Distribution
from abiertos.jobs.models import Job


class TableStatus(models.TextChoices):
    PENDING = "pending", _("En espera")
    LOADING = "loading", _("Cargando")
    READY = "ready", _("Lista")
    FAILED = "failed", _("Falló la última carga")


class DatastoreTable(models.Model):
    """The current Parquet table of one distribution; a failed load leaves the previous one in place."""

    distribution = models.OneToOneField(Distribution, on_delete=models.CASCADE, related_name="datastore_table")
    # Relative to DATASTORE_ROOT; empty until a load succeeds.
    parquet_path = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=0)
    row_count = models.BigIntegerField(null=True, blank=True)
    # [{"name", "original", "type", "format", "nullable", "description", "units"}]
    columns = models.JSONField(default=list, blank=True)
    # Settings the current table was read with: encoding, delimiter, header_row, separators, sheet...
    settings = models.JSONField(default=dict, blank=True)
    # Corrections the publisher made; applied again when the file changes.
    overrides = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # The standard schema the publisher declares this table follows (StandardSchema.identifier).
    schema = models.CharField(max_length=300, blank=True, db_index=True)
    source_file_version = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=TableStatus.choices, default=TableStatus.PENDING)
    last_error = models.TextField(blank=True)
    current_job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    loaded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tabla del datastore")
        verbose_name_plural = _("tablas del datastore")

    def __str__(self) -> str:
        return f"{self.distribution_id} v{self.version}"

    @property
    def is_serving(self) -> bool:
        return bool(self.parquet_path)


class StandardSchema(models.Model):
    """A table layout several municipalities publish alike (a Frictionless Table Schema), queried as one table."""

    # What a table declares in DatastoreTable.schema: a slug, or the URL of the schema's descriptor.
    identifier = models.CharField(max_length=300, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # [{"name", "type", "description"}] with types from options.COLUMN_TYPES.
    fields = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("esquema estándar")
        verbose_name_plural = _("esquemas estándar")

    def __str__(self) -> str:
        return self.title


class RunOutcome(models.TextChoices):
    RUNNING = "running", _("En curso")
    SUCCEEDED = "succeeded", _("Cargada")
    FAILED = "failed", _("Falló")


class IngestionRun(models.Model):
    """One attempt to load a distribution's file; written when it starts and once when it ends."""

    table = models.ForeignKey(DatastoreTable, on_delete=models.CASCADE, related_name="runs")
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    file_version = models.PositiveIntegerField(null=True, blank=True)
    settings = models.JSONField(default=dict, blank=True)
    overrides = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=10, choices=RunOutcome.choices, default=RunOutcome.RUNNING)
    reason = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    error_row = models.BigIntegerField(null=True, blank=True)
    error_column = models.CharField(max_length=200, blank=True)
    row_count = models.BigIntegerField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        conf.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("intento de carga")
        verbose_name_plural = _("intentos de carga")

    def __str__(self) -> str:
        return f"{self.table_id} {self.outcome}"
