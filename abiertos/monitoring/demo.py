"""Demo content of monitoring: the index computed over the demo catalog (a seed_demo step)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from abiertos.portal.management.commands import seed_demo

from .models import IndexRun
from .services import index_compute_full

SEED_NAME = "Índice de apertura"


def seed_index(ctx) -> list[str]:
    """Compute the index once a day at most (running the seed again the same day keeps that run)."""
    today = timezone.localdate()
    run = IndexRun.objects.filter(computed_at__date=today).order_by("-computed_at").first()
    fresh = run is None
    if fresh:
        run = index_compute_full(by=ctx.by)
    url = f"{settings.SITE_URL}{reverse('monitoring:dashboard')}"
    lines = [
        f"  {'Calculado' if fresh else 'Ya estaba calculado hoy'}: promedio provincial {run.province_score} · {url}"
    ]
    for result in run.results.select_related("municipality").order_by("rank")[:4]:
        path = reverse("monitoring:scorecard", kwargs={"municipality_slug": result.municipality.slug})
        lines.append(f"  {result.rank}. {result.municipality.name}: {result.score} · {settings.SITE_URL}{path}")
    return lines


def register_seed_step() -> None:
    """Append the step to seed_demo's list (once), after the catalog's demo content."""
    if not any(step.name == SEED_NAME for step in seed_demo.SEED_STEPS):
        seed_demo.SEED_STEPS.append(seed_demo.SeedStep(SEED_NAME, seed_index))
