"""Catalog benchmark (issue "Open-data catalog"), on a catalog made by catalog_generate.py.

Measures, in one run: package_search p50/p95 for a text query with 3 facets (through the CKAN
API view, in process) both cold (the answer cache emptied before every request, so every search
counts and ranks its match set) and warm (repeated queries answered from the cache), the raw FTS
query alone as the floor, dataset page p95, and the province /data.json full download (time and
the serving process's peak RSS, in a subprocess): first export, rebuild after a change, from disk.

    python bench/catalog_bench.py --db sqlite [--runs 200]
    python bench/catalog_bench.py --db postgres --pg-database h_catalog_bench
    python bench/catalog_bench.py --db sqlite --only datajson [--worker-redis redis://127.0.0.1:6379/12]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from _setup import OUT, percentile
from catalog_setup import django_for

QUERIES = ["presupuesto", "obras públicas", "salud hospitales", "transporte", "agua calidad", "licitación"]


def _timed(fn, runs: int, before=None) -> list[float]:
    samples = []
    for i in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _summary(samples: list[float]) -> dict:
    return {"p50_ms": round(percentile(samples, 50), 2), "p95_ms": round(percentile(samples, 95), 2)}


def bench_search(client, runs: int, *, cold: bool) -> dict:
    from django.core.cache import cache

    facets = json.dumps(["organization", "tags", "res_format"])
    counts = {}

    def one(i):
        q = QUERIES[i % len(QUERIES)]
        response = client.get("/api/3/action/package_search", {"q": q, "facet.field": facets, "rows": 10})
        assert response.status_code == 200, response.content[:300]
        counts[q] = response.json()["result"]["count"]

    for i in range(len(QUERIES)):
        one(i)  # warm the database's pages once, as a running server would be
    summary = _summary(_timed(one, runs, before=cache.clear if cold else None))
    summary["matches_per_query"] = counts
    return summary


def bench_raw_fts(runs: int) -> dict:
    from django.db import connection

    from abiertos.catalog import text
    from abiertos.catalog.search_backends import match_sql

    def one(i):
        sql, params = match_sql(text.query_terms(QUERIES[i % len(QUERIES)]))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS m", params)
            cursor.fetchone()

    one(0)
    return _summary(_timed(one, runs))


def bench_dataset_page(client, runs: int) -> dict:
    from abiertos.catalog.models import Dataset

    rng = random.Random(3)
    count = Dataset.objects.count()
    picks = [Dataset.objects.order_by("pk").values_list("name", flat=True)[rng.randrange(count)] for _ in range(50)]
    urls = []
    for name in picks:
        slug, identifier = name.split("_", 1)
        urls.append(f"/m/{slug}/datos/{identifier}/")

    def one(i):
        response = client.get(urls[i % len(urls)])
        assert response.status_code == 200

    one(0)
    return _summary(_timed(one, runs))


def bench_datajson(db: str, name: str, pg: str | None, *flags: str, env: dict | None = None) -> dict:
    script = str(Path(__file__).with_name("datajson_download.py"))
    out = subprocess.run(
        [sys.executable, script, "--db", db, "--name", name, *(["--pg-database", pg] if pg else []), *flags],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_datajson_all(db: str, name: str, pg: str | None, worker_env: dict | None) -> dict:
    """The very first export (every entry built and stored) by the web process alone, then with a
    worker building from the end, then a rebuild after a change (stored entries reused), then the
    finished export served from disk."""
    result = {"province_data_json_first": bench_datajson(db, name, pg, "--drop-fragments")}
    if worker_env is not None:
        result["province_data_json_first_with_worker"] = bench_datajson(
            db, name, pg, "--drop-fragments", "--with-worker", env=worker_env
        )
    result["province_data_json_rebuild"] = bench_datajson(db, name, pg, "--drop-export-cache")
    result["province_data_json_from_disk"] = bench_datajson(db, name, pg)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--name", default="catalog")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--pg-database", default=None, help="PostgreSQL database (default bench_<name>)")
    parser.add_argument("--only", choices=["datajson"], default=None, help="measure only the province data.json")
    parser.add_argument(
        "--worker-redis",
        default=None,
        help="Redis URL for a Huey queue: also measure the first export helped by a worker (--with-worker)",
    )
    args = parser.parse_args()
    django_for(args.db, args.name, args.pg_database)
    from django.test import Client

    from abiertos.catalog.models import Dataset, Distribution

    worker_env = {**os.environ, "REDIS_URL": args.worker_redis} if args.worker_redis else None
    result = {"db": args.db, "datasets": Dataset.objects.count(), "distributions": Distribution.objects.count()}
    if args.only is None:
        client = Client()
        result["package_search_3_facets_cold"] = bench_search(client, args.runs, cold=True)
        result["package_search_3_facets_warm"] = bench_search(client, args.runs, cold=False)
        result["raw_fts_query"] = bench_raw_fts(args.runs)
        result["dataset_page"] = bench_dataset_page(client, args.runs)
        for variant in ("cold", "warm"):
            result[f"search_{variant}_vs_fts_p95_ratio"] = round(
                result[f"package_search_3_facets_{variant}"]["p95_ms"] / max(result["raw_fts_query"]["p95_ms"], 0.01),
                2,
            )
    result.update(bench_datajson_all(args.db, args.name, args.pg_database, worker_env))
    suffix = f"-{args.only}" if args.only else ""
    (OUT / f"catalog-{args.db}{suffix}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
