"""Benchmark: stream the province /data.json of a large catalog; report seconds, bytes and peak memory.

    python bench/datajson_stream.py --db sqlite --datasets 100000
    python bench/datajson_stream.py --db postgres --datasets 100000

Rows are bulk-inserted into a dedicated database (bench/out/, or PostgreSQL ``bench_datajson``),
each dataset with one uploaded CSV and one linked file, three data-dictionary fields each and a
theme. The measurement runs in a fresh process, so its peak RSS is the cost of serving the catalog
(through the real view and the test client, the response consumed chunk by chunk and discarded),
first cold (the export is built while it streams) then warm (the finished export, from disk).
Targets: < 10 s and < 300 MB for 100,000 datasets.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def _django(db: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["VAR_DIR"] = str(OUT / f"var-datajson-{db}")
    if db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{OUT / 'datajson.sqlite3'}"
    else:
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/bench_datajson"
    import django

    django.setup()


def _reset(db: str) -> None:
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            (OUT / f"datajson.sqlite3{suffix}").unlink(missing_ok=True)
    else:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "bench_datajson"], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "bench_datajson"], check=True)


def populate(count: int) -> None:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from abiertos.catalog.models import Dataset, Distribution, Field, Theme
    from abiertos.core.models import Municipality, Province

    call_command("migrate", verbosity=0)
    province, _ = Province.objects.get_or_create(code="06", defaults={"name": "Buenos Aires", "slug": "buenos-aires"})
    municipalities = [
        Municipality.objects.get_or_create(
            code=f"06{n:03d}", defaults={"province": province, "name": f"Partido {n}", "slug": f"partido-{n}"}
        )[0]
        for n in range(135)
    ]
    themes = list(Theme.objects.all())
    now = timezone.now()
    for first in range(0, count, 5000):
        with transaction.atomic():
            datasets = Dataset.objects.bulk_create(
                Dataset(
                    uuid=uuid.uuid4(),
                    municipality=municipalities[n % 135],
                    identifier=f"ds-{n:07d}",
                    name=f"{municipalities[n % 135].slug}_ds-{n:07d}",
                    title=f"Presupuesto ejecutado {n}",
                    description="Ejecución presupuestaria por finalidad, función y objeto del gasto, mensual.",
                    publisher_name="Secretaría de Hacienda",
                    super_themes=["ECON"],
                    keywords=["presupuesto", "gasto público", "ejecución"],
                    issued=now,
                    modified=now,
                    spatial=municipalities[n % 135].code,
                    status="published",
                    language=["spa"],
                )
                for n in range(first, min(first + 5000, count))
            )
            distributions = Distribution.objects.bulk_create(
                Distribution(
                    uuid=uuid.uuid4(),
                    dataset=d,
                    identifier=f"{d.identifier}-{k}",
                    name=f"{d.name}-{k}",
                    title="Ejecución en CSV" if k == 0 else "Planilla original",
                    kind="upload" if k == 0 else "url",
                    file=f"distributions/{uuid.uuid4()}/v1/ejecucion.csv" if k == 0 else "",
                    external_url="" if k == 0 else f"https://datos.example.gob.ar/{d.name}.xlsx",
                    format="CSV" if k == 0 else "XLSX",
                    media_type="text/csv",
                    byte_size=123456,
                    checksum_sha256="0" * 64,
                    file_name="ejecucion.csv",
                    issued=now,
                    modified=now,
                    position=k,
                )
                for d in datasets
                for k in range(2)
            )
            Field.objects.bulk_create(
                Field(distribution=dist, position=i, title=title, type=kind)
                for dist in distributions
                for i, (title, kind) in enumerate((("año", "integer"), ("monto", "number"), ("partida", "string")))
            )
            Dataset.themes.through.objects.bulk_create(
                Dataset.themes.through(dataset_id=d.pk, theme_id=themes[d.pk % len(themes)].pk) for d in datasets
            )
        print(f"  {min(first + 5000, count):>7} datasets", file=sys.stderr, flush=True)


def measure(url: str) -> dict:
    """The first request after a change (built and streamed) and the next one (from disk)."""
    import shutil

    from django.conf import settings

    shutil.rmtree(settings.CATALOG_CACHE_DIR, ignore_errors=True)
    cold = _get(url)
    warm = _get(url)
    return {**cold, "warm_seconds": warm["seconds"], "warm_cpu_seconds": warm["cpu_seconds"]}


def _get(url: str) -> dict:
    from django.test import Client

    started = time.perf_counter()
    cpu_started = time.process_time()
    response = Client().get(url)
    size = 0
    first_byte = None
    for piece in response.streaming_content:
        first_byte = first_byte or time.perf_counter() - started
        size += len(piece)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "url": url,
        "status": response.status_code,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(time.process_time() - cpu_started, 2),
        "first_byte_seconds": round(first_byte or 0, 3),
        "megabytes": round(size / 1e6, 1),
        "peak_rss_mb": round(peak_mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", default="/data.json")
    args = parser.parse_args()
    if args.measure_only:
        _django(args.db)
        print(json.dumps(measure(args.url)))
        return
    _reset(args.db)
    _django(args.db)
    started = time.perf_counter()
    populate(args.datasets)
    print(f"populated {args.datasets} datasets in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    command = [sys.executable, __file__, "--db", args.db, "--measure-only", "--url", args.url]
    result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    print(json.dumps({"datasets": args.datasets, "db": args.db, **result}))


if __name__ == "__main__":
    main()
