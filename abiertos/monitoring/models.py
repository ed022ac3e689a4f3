"""Index runs (history), per-municipality results, reviewer overrides and link checks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from abiertos.catalog.models import Distribution
from abiertos.core.models import Municipality


class IndexRun(models.Model):
    """One full computation of the index: a snapshot kept as history.

    The latest run is the live state: an incremental update after a dataset changes rewrites that
    municipality's row in the latest run (and the province totals); earlier runs stay as they were.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    computed_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)
    weights = models.JSONField(default=dict)
    province_score = models.FloatField(default=0)
    province_counts = models.JSONField(default=dict)
    province_indicators = models.JSONField(default=dict)
    # Mean score per category over the province's municipalities.
    province_categories = models.JSONField(default=dict)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("cálculo del índice")
        verbose_name_plural = _("cálculos del índice")

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d %H:%M} ({self.province_score})"


class MunicipalityIndex(models.Model):
    run = models.ForeignKey(IndexRun, on_delete=models.CASCADE, related_name="results")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="index_results")
    score = models.FloatField()
    rank = models.PositiveIntegerField(default=0)
    # {category: score}: what the ranking and the map need, without the answers and evidence.
    category_scores = models.JSONField(default=dict)
    categories = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    indicators = models.JSONField(default=dict)
    quality_mean = models.FloatField(null=True)
    broken_links = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rank", "municipality__name"]
        constraints = [models.UniqueConstraint(fields=["run", "municipality"], name="index_result_per_run")]
        indexes = [models.Index(fields=["municipality", "run"])]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.score}"


class IndexOverride(models.Model):
    """A provincial reviewer's answer to one criterion of one category. Append-only: the latest row
    for (municipality, category, criterion) applies; ``value`` None withdraws the override."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="index_overrides")
    category = models.CharField(max_length=20)
    criterion = models.CharField(max_length=20)
    value = models.BooleanField(null=True)
    reason = models.TextField(_("motivo"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_label = models.CharField(max_length=254)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "category", "criterion", "created_at"])]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.category}.{self.criterion}={self.value}"


class LinkStatus(models.TextChoices):
    PENDING = "pending", _("Sin revisar")
    OK = "ok", _("Funciona")
    BROKEN = "broken", _("Roto")


class LinkCheck(models.Model):
    """The state of the external URL of one distribution, re-checked politely over time."""

    distribution = models.OneToOneField(Distribution, on_delete=models.CASCADE, related_name="link_check")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=1000)
    host = models.CharField(max_length=255, db_index=True)
    status = models.CharField(max_length=10, choices=LinkStatus.choices, default=LinkStatus.PENDING)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return f"{self.url} ({self.status})"
