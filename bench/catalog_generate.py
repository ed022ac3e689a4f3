"""Generate a large catalog for benchmarks: N datasets (3 distributions each) over the 135 partidos.

Rows are bulk-inserted (the services are exercised by the test suite; here we need volume), then
the search index is rebuilt with the same code the platform uses.

    python bench/catalog_generate.py --db sqlite --datasets 100000
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
import uuid
from datetime import timedelta

from catalog_setup import django_for, pg_database
from catalog_vocabulary import dataset_text

FORMATS = ["CSV", "XLSX", "JSON", "PDF", "ODS", "GEOJSON"]
FORMAT_WEIGHTS = [10, 6, 2, 2, 1, 1]
PERIODS = ["R/P1Y", "R/P6M", "R/P3M", "R/P1M", "eventual", "R/P1D"]
LICENSES = ["cc-by-4.0", "cc-by-4.0", "cc-by-4.0", "odc-odbl", "cc-zero"]


def _prepare_database(db: str, name: str, pg: str | None) -> None:
    if db == "postgres":
        database = pg_database(name, pg)
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)


def generate(count: int, seed: int = 7) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from abiertos.catalog.models import Dataset, Distribution, Theme
    from abiertos.core.models import Municipality

    call_command("migrate", verbosity=0)
    call_command("load_territory", verbosity=0)
    rng = random.Random(seed)
    municipalities = list(Municipality.objects.order_by("code"))
    themes = {theme.identifier: theme for theme in Theme.objects.all()}
    now = timezone.now()
    started = time.perf_counter()
    batch = 5000
    through = Dataset.themes.through
    for first in range(0, count, batch):
        datasets, distributions, links, themes_of = [], [], [], []
        for n in range(first, min(first + batch, count)):
            muni = municipalities[n % len(municipalities)]
            year = 2015 + n % 11
            topic, title, description, keywords = dataset_text(rng, year)
            identifier = f"ds-{n:07d}"
            modified = now - timedelta(days=rng.randrange(0, 900))
            themes_of.append(topic.theme)
            datasets.append(
                Dataset(
                    uuid=uuid.uuid4(),
                    municipality=muni,
                    identifier=identifier,
                    name=f"{muni.slug}_{identifier}",
                    title=title[:100],
                    description=description,
                    publisher_name=topic.publisher,
                    super_themes=[topic.super_theme],
                    keywords=keywords,
                    license=rng.choice(LICENSES),
                    accrual_periodicity=rng.choice(PERIODS),
                    issued=modified - timedelta(days=30),
                    modified=modified,
                    spatial=muni.code,
                    status="published",
                    language=["spa"],
                )
            )
        with transaction.atomic():
            created = Dataset.objects.bulk_create(datasets)
            topics = {dataset.pk: theme for dataset, theme in zip(created, themes_of, strict=True)}
            for dataset in created:
                for k in range(3):
                    fmt = rng.choices(FORMATS, FORMAT_WEIGHTS)[0]
                    distributions.append(
                        Distribution(
                            uuid=uuid.uuid4(),
                            dataset=dataset,
                            identifier=f"{dataset.identifier}-{k}",
                            name=f"{dataset.name}-{k}",
                            title=f"{dataset.title} ({fmt})"[:150],
                            kind="url",
                            external_url=f"https://datos.example.gob.ar/{dataset.name}/{k}.{fmt.lower()}",
                            access_url=f"https://datos.example.gob.ar/{dataset.name}/{k}.{fmt.lower()}",
                            format=fmt,
                            byte_size=rng.randrange(1000, 10_000_000),
                            issued=dataset.issued,
                            modified=dataset.modified,
                            position=k,
                        )
                    )
                links.append(through(dataset_id=dataset.pk, theme_id=themes[topics[dataset.pk]].pk))
            Distribution.objects.bulk_create(distributions)
            through.objects.bulk_create(links)
        print(f"  {min(first + batch, count):>7} datasets", file=sys.stderr, flush=True)
    insert_seconds = time.perf_counter() - started
    started = time.perf_counter()
    call_command("search_reindex", verbosity=0)
    index_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum would do soon after a bulk load
            cursor.execute("VACUUM ANALYZE")
    return {"datasets": count, "insert_seconds": round(insert_seconds, 1), "index_seconds": round(index_seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--name", default="catalog")
    parser.add_argument("--pg-database", default=None, help="PostgreSQL database (default bench_<name>)")
    args = parser.parse_args()
    _prepare_database(args.db, args.name, args.pg_database)
    if args.db == "sqlite":
        from _setup import OUT

        (OUT / f"{args.name}.sqlite3").unlink(missing_ok=True)
    django_for(args.db, args.name, args.pg_database)
    print(generate(args.datasets))


if __name__ == "__main__":
    main()
