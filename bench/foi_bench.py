"""Access-to-information benchmark (issue 7), on generated requests.

Measures, in one run:
- adding a municipal non-working day, which recomputes every open deadline of the municipality
  (with one event and one audit row per moved deadline), against the floor of computing the
  same deadlines alone, in memory;
- the statistics (`foi_performance`) of one municipality and of the whole province;
- the public archive page (p50/p95) and the municipality's open-dataset CSV.

    python bench/foi_bench.py --db sqlite --requests 50000 --open 2000
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import time
from datetime import timedelta

from _setup import OUT, django_for, percentile

WORDS = ["alumbrado", "presupuesto", "obras", "cloacas", "residuos", "salud", "tránsito", "sueldos", "subsidios"]


def _prepare(db: str) -> None:
    if db == "postgres":
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "bench_foi"], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "bench_foi"], check=True)
    else:
        (OUT / "foi.sqlite3").unlink(missing_ok=True)


def generate(total: int, open_count: int, seed: int = 11) -> dict:
    """Requests spread over the province; ``open_count`` of them open in La Plata."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from abiertos.accounts.models import User
    from abiertos.core.models import Municipality
    from abiertos.foi.models import FoiRequest, Outcome, Status
    from abiertos.foi.rules import WorkCalendar

    call_command("migrate", verbosity=0)
    call_command("load_territory", verbosity=0)
    rng = random.Random(seed)
    user = User.objects.create_user(email="bench@example.org", password=None)
    municipalities = list(Municipality.objects.select_related("province"))
    la_plata = next(m for m in municipalities if m.code == "06441")
    calendars = {m.pk: WorkCalendar(m) for m in municipalities}
    now = timezone.now()
    rows = []
    for i in range(total):
        is_open = i < open_count
        municipality = la_plata if is_open else rng.choice(municipalities)
        filed = now - timedelta(days=rng.randint(0, 30) if is_open else rng.randint(31, 700))
        due = calendars[municipality.pk].add_days(timezone.localdate(filed), 30, "business")
        subject = f"Pedido {i} sobre {rng.choice(WORDS)} y {rng.choice(WORDS)}"
        closed = None if is_open else filed + timedelta(days=rng.randint(3, 60))
        rows.append(
            FoiRequest(
                municipality=municipality,
                number=f"B-{i:07d}",
                requester=user,
                requester_name="Persona Bench",
                contact_email="bench@example.org",
                pseudonym="P. B.",
                subject=subject,
                body=subject,
                public_subject=subject,
                public_body=subject,
                status=Status.ACKNOWLEDGED if is_open else Status.CLOSED,
                outcome="" if is_open else rng.choice([Outcome.ANSWERED_FULL, Outcome.REFUSED, Outcome.NOT_HELD]),
                rule_source="bench",
                response_days=30,
                extension_days=15,
                day_kind="business",
                filed_at=filed,
                due_date=due,
                responded_at=closed,
            )
        )
    for row in rows:
        row.search_terms = row.search_terms_compute()  # bulk_create does not call save()
    FoiRequest.objects.bulk_create(rows, batch_size=2000)
    # Planner statistics, as autovacuum would have them on a database filled over months.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"requests": total, "open_in_la_plata": open_count}


def bench_asueto(open_count: int) -> dict:
    from django.utils import timezone

    from abiertos.core.actors import Actor
    from abiertos.core.models import Municipality
    from abiertos.foi import services
    from abiertos.foi.models import OPEN_STATUSES, FoiRequest
    from abiertos.foi.rules import WorkCalendar
    from abiertos.foi.services.base import due_date_compute

    la_plata = Municipality.objects.select_related("province").get(code="06441")
    day = timezone.localdate() + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    requests = list(FoiRequest.objects.filter(municipality=la_plata, status__in=OPEN_STATUSES))
    started = time.perf_counter()
    calendar = WorkCalendar(la_plata, extra_days={day})
    for request in requests:
        due_date_compute(request, calendar)
    floor = time.perf_counter() - started
    started = time.perf_counter()
    _entry, moved = services.non_working_day_add(
        municipality=la_plata, day=day, reason="Asueto de benchmark", by=Actor.system("bench")
    )
    elapsed = time.perf_counter() - started
    return {"open": len(requests), "moved": moved, "seconds": round(elapsed, 2), "floor_seconds": round(floor, 2)}


def bench_statistics() -> dict:
    from django.db import connection

    from abiertos.core.models import Municipality
    from abiertos.foi.selectors import foi_performance

    la_plata = Municipality.objects.get(code="06441")
    out = {}
    for label, target in (("municipality", la_plata), ("province", None)):
        started = time.perf_counter()
        result = foi_performance(target)
        out[f"{label}_seconds"] = round(time.perf_counter() - started, 3)
        out[f"{label}_received"] = result["received"]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT outcome, COUNT(*) FROM foi_foirequest GROUP BY outcome")
        cursor.fetchall()
    out["floor_group_by_seconds"] = round(time.perf_counter() - started, 3)
    return out


def bench_pages(runs: int) -> dict:
    from django.test import Client

    from abiertos.core.models import Municipality
    from abiertos.foi.services.opendata import requests_csv

    client = Client()
    samples = []
    for i in range(runs):
        started = time.perf_counter()
        response = client.get("/pedidos/", {"q": WORDS[i % len(WORDS)]} if i % 2 else {})
        assert response.status_code == 200
        samples.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    size = len(requests_csv(Municipality.objects.get(code="06441")))
    csv_seconds = time.perf_counter() - started
    return {
        "archive_p50_ms": round(percentile(samples, 50), 1),
        "archive_p95_ms": round(percentile(samples, 95), 1),
        "csv_la_plata_seconds": round(csv_seconds, 2),
        "csv_bytes": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    _prepare(args.db)
    django_for(args.db, "foi")
    result = {"db": args.db, **generate(args.requests, args.open)}
    result["asueto"] = bench_asueto(args.open)
    result["statistics"] = bench_statistics()
    result["pages"] = bench_pages(args.runs)
    (OUT / f"foi-{args.db}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
