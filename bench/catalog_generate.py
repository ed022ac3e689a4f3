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

from _setup import django_for

WORDS = [
    "presupuesto",
    "gasto",
    "obras",
    "públicas",
    "licitación",
    "compras",
    "contrataciones",
    "sueldos",
    "funcionarios",
    "salud",
    "educación",
    "escuelas",
    "hospitales",
    "transporte",
    "colectivos",
    "paradas",
    "recorridos",
    "ambiente",
    "agua",
    "calidad",
    "aire",
    "residuos",
    "reciclaje",
    "ordenanzas",
    "concejo",
    "deliberante",
    "elecciones",
    "mesas",
    "padrón",
    "turismo",
    "cultura",
    "deportes",
    "seguridad",
    "alumbrado",
    "pavimento",
    "desagües",
    "barrios",
    "plazas",
    "arbolado",
    "tránsito",
    "multas",
    "tasas",
    "recaudación",
    "deuda",
    "proveedores",
    "subsidios",
]
FORMATS = ["CSV", "XLSX", "JSON", "PDF", "ODS", "GEOJSON"]
PERIODS = ["R/P1Y", "R/P6M", "R/P3M", "R/P1M", "eventual", "R/P1D"]
LICENSES = ["cc-by-4.0", "cc-by-4.0", "cc-by-4.0", "odc-odbl", "cc-zero"]
SUPER = ["ECON", "GOVE", "EDUC", "HEAL", "TRAN", "ENVI", "REGI", "SOCI"]


def _prepare_database(db: str, name: str) -> None:
    if db == "postgres":
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", f"bench_{name}"], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", f"bench_{name}"], check=True)


def generate(count: int, seed: int = 7) -> dict:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from abiertos.catalog.models import Dataset, Distribution, Theme
    from abiertos.core.models import Municipality

    call_command("migrate", verbosity=0)
    call_command("load_territory", verbosity=0)
    rng = random.Random(seed)
    municipalities = list(Municipality.objects.order_by("code"))
    themes = list(Theme.objects.all())
    now = timezone.now()
    started = time.perf_counter()
    batch = 5000
    through = Dataset.themes.through
    for first in range(0, count, batch):
        datasets, distributions, links = [], [], []
        for n in range(first, min(first + batch, count)):
            muni = municipalities[n % len(municipalities)]
            words = rng.sample(WORDS, 6)
            identifier = f"ds-{n:07d}"
            modified = now - timedelta(days=rng.randrange(0, 900))
            datasets.append(
                Dataset(
                    uuid=uuid.uuid4(),
                    municipality=muni,
                    identifier=identifier,
                    name=f"{muni.slug}_{identifier}",
                    title=f"{words[0].capitalize()} {words[1]} {2015 + n % 11} {muni.name}"[:100],
                    description=" ".join(rng.choice(WORDS) for _ in range(40)),
                    publisher_name=f"Secretaría de {words[2].capitalize()}",
                    super_themes=[rng.choice(SUPER)],
                    keywords=words[3:6],
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
            for dataset in created:
                for k in range(3):
                    fmt = rng.choice(FORMATS)
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
                links.append(through(dataset_id=dataset.pk, theme_id=rng.choice(themes).pk))
            Distribution.objects.bulk_create(distributions)
            through.objects.bulk_create(links)
        print(f"  {min(first + batch, count):>7} datasets", file=sys.stderr, flush=True)
    insert_seconds = time.perf_counter() - started
    started = time.perf_counter()
    call_command("search_reindex", verbosity=0)
    index_seconds = time.perf_counter() - started
    return {"datasets": count, "insert_seconds": round(insert_seconds, 1), "index_seconds": round(index_seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--name", default="catalog")
    args = parser.parse_args()
    _prepare_database(args.db, args.name)
    if args.db == "sqlite":
        from _setup import OUT

        (OUT / f"{args.name}.sqlite3").unlink(missing_ok=True)
    django_for(args.db, args.name)
    print(generate(args.datasets))


if __name__ == "__main__":
    main()
