"""What the validation stage of a harvest run costs (issue 5, run reports): N local data.json
sources of M datasets each, served by a separate process on 127.0.0.1, harvested one after another
(first harvest, then a dry run after every dataset changed); the time inside the validation stage
is measured around ``runs._validate`` and compared with the whole run, in the same process.

    .venv/bin/python bench/harvest_validation_bench.py --db sqlite --sources 4 --datasets 300
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import sys
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import OUT, django_for  # noqa: E402

SERVED = OUT / "harvest-validation-sources"


def _entry(i: int, j: int, version: int) -> dict:
    return {
        "identifier": f"v{i}-ds{j}",
        "title": f"Conjunto {j} del municipio {i}" + (f" (revisión {version})" if version else ""),
        "description": f"Datos de prueba número {j} publicados por el municipio {i}.",
        "publisher": {"name": f"Municipio {i}", "mbox": f"datos{i}@example.org"},
        "superTheme": ["ECON"],
        "keyword": ["presupuesto", f"año {2000 + j % 25}"],
        "accrualPeriodicity": "R/P1M",
        "issued": "2024-01-10T09:30:00-03:00",
        "modified": f"2024-0{1 + version}-10T09:30:00-03:00",
        "license": "cc-by-4.0",
        "distribution": [
            {
                "identifier": f"v{i}-ds{j}-csv",
                "title": f"Datos {j} en CSV",
                "downloadURL": f"https://datos{i}.example.org/{j}.csv",
                "accessURL": f"https://datos{i}.example.org/{j}",
                "format": "CSV",
            }
        ],
    }


def _write(sources: int, datasets: int, version: int) -> None:
    SERVED.mkdir(parents=True, exist_ok=True)
    for i in range(sources):
        body = {
            "title": f"Municipio {i}",
            "description": "Catálogo",
            "publisher": {"name": f"Municipio {i}"},
            "superThemeTaxonomy": "http://datos.gob.ar/superThemeTaxonomy.json",
            "dataset": [_entry(i, j, version) for j in range(datasets)],
        }
        (SERVED / f"v{i}.json").write_text(json.dumps(body, ensure_ascii=False))


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def _serve(port_queue) -> None:
    handler = partial(_Quiet, directory=str(SERVED))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def _sources(base: str, count: int) -> list:
    from abiertos.core.actors import Actor
    from abiertos.core.models import Municipality, Province
    from abiertos.harvest.services import SourceInput, harvest_source_create

    province, _created = Province.objects.get_or_create(code="06", defaults={"name": "Buenos Aires"})
    sources = []
    for i in range(count):
        municipality, _created = Municipality.objects.get_or_create(
            code=f"8{i:04d}", defaults={"province": province, "name": f"Municipio V{i}", "slug": f"municipio-v{i}"}
        )
        data = SourceInput(title=f"Fuente {i}", kind="datajson", url=f"{base}/v{i}.json")
        sources.append(harvest_source_create(municipality=municipality, data=data, by=Actor.system("bench")))
    return sources


def _phase(sources, label: str, spent: list[float], *, dry_run: bool = False) -> dict:
    from abiertos.harvest.models import HarvestRun
    from abiertos.harvest.runs import harvest_run_execute

    spent.clear()
    started, checked, datasets = time.perf_counter(), 0, 0
    for source in sources:
        run = harvest_run_execute(run=HarvestRun.objects.create(source=source, dry_run=dry_run))
        checked += run.checks.count()
        datasets += run.created + run.updated + run.unchanged
    wall = time.perf_counter() - started
    figures = {
        "phase": label,
        "run_wall_s": round(wall, 2),
        "validation_s": round(sum(spent), 2),
        "validation_share_pct": round(100 * sum(spent) / wall, 1),
        "validation_ms_per_dataset": round(1000 * sum(spent) / max(checked, 1), 2),
        "datasets": datasets,
        "checked": checked,
    }
    print(json.dumps(figures, ensure_ascii=False), flush=True)
    return figures


def _timed_validation(spent: list[float]) -> None:
    from abiertos.harvest import runs

    inner = runs._validate

    def timed(ctx, changed):
        started = time.perf_counter()
        inner(ctx, changed)
        spent.append(time.perf_counter() - started)

    runs._validate = timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--sources", type=int, default=4)
    parser.add_argument("--datasets", type=int, default=300)
    args = parser.parse_args()
    name = f"harvest_validation_{args.sources}x{args.datasets}"
    db_file = OUT / f"{name}.sqlite3"
    if args.db == "sqlite" and db_file.exists():
        db_file.unlink()
    shutil.rmtree(SERVED, ignore_errors=True)
    os.environ.setdefault("HARVEST_ALLOW_PRIVATE_HOSTS", "true")  # the sources are on 127.0.0.1
    django_for(args.db, name)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if args.db == "postgres":
        call_command("flush", interactive=False, verbosity=0)
    _write(args.sources, args.datasets, version=0)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    server = context.Process(target=_serve, args=(queue,), daemon=True)
    server.start()
    spent: list[float] = []
    _timed_validation(spent)
    try:
        sources = _sources(f"http://127.0.0.1:{queue.get(timeout=10)}", args.sources)
        results = [_phase(sources, "first harvest (validated as published)", spent)]
        _write(args.sources, args.datasets, version=1)
        results.append(_phase(sources, "dry run, every dataset changed (remote entries)", spent, dry_run=True))
    finally:
        server.terminate()
    (OUT / f"{name}-{args.db}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
