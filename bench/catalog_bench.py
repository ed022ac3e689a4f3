"""Catalog benchmark (issue "Open-data catalog"), on a catalog made by catalog_generate.py.

Measures, in one run: package_search p50/p95 for a text query with 3 facets (through the CKAN
API view, in process) both cold (the answer cache emptied before every request, so every search
counts and ranks its match set) and warm (repeated queries answered from the cache), the raw FTS
query alone as two floors (a ``COUNT(*)`` of the text match; and what a search engine answers for a
text query: the first ten matches by relevance plus the count, no facets), the search engine part
alone (``index_querying.answer``: text query, facet counts and page ids from the per-process
in-memory copy, no HTTP) and the first search after a single dataset write (the copy's incremental
refresh), the copy's load time and memory, dataset page p95,
and the province /data.json full download (time and the serving process's peak RSS, in a
subprocess): first export, rebuild after a change, from disk.

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


def ranked_floor_statements(terms: list[str], rows: int = 10) -> list[tuple[str, list]]:
    """The raw text query a search engine answers: the first ``rows`` matches by relevance, and the
    count of all matches; no facets, no visibility, no HTTP. On the same text index our search uses:
    FTS5 ``MATCH … ORDER BY rank`` (bm25) on SQLite; on PostgreSQL the entries' ``document`` (GIN)
    ``@@`` the same tsquery, ``ORDER BY ts_rank``. The terms are text.py's (unaccented, stemmed in
    Python, as the index's lexemes are): ``to_tsquery('spanish', unaccent(…))`` would stem differently
    and miss the index's lexemes."""
    from django.db import connection

    from abiertos.catalog.search_backends import match_sql

    sql, params = match_sql(terms)
    count = (f"SELECT COUNT(*) FROM ({sql}) AS m", params)
    if connection.vendor == "postgresql":
        page = (
            "SELECT dataset_id FROM catalog_datasetsearchentry, CAST(%s AS tsquery) AS q "
            "WHERE document @@ q ORDER BY ts_rank(document, q) DESC LIMIT %s",
            [*params, rows],
        )
    else:
        page = (
            "SELECT rowid FROM catalog_datasetsearch_fts WHERE catalog_datasetsearch_fts MATCH %s "
            "ORDER BY rank LIMIT %s",
            [*params, rows],
        )
    return [page, count]


def run_statements(statements: list[tuple[str, list]]) -> list[list[tuple]]:
    from django.db import connection

    with connection.cursor() as cursor:
        out = []
        for sql, params in statements:
            cursor.execute(sql, params)
            out.append(cursor.fetchall())
    return out


def bench_raw_fts_ranked(runs: int) -> dict:
    """The ranked floor (``ranked_floor_statements``), text normalisation included as in ``bench_raw_fts``."""
    from abiertos.catalog import text

    def one(i):
        run_statements(ranked_floor_statements(text.query_terms(QUERIES[i % len(QUERIES)])))

    one(0)
    return _summary(_timed(one, runs))


def _engine_args(q: str) -> tuple:
    from abiertos.catalog import text
    from abiertos.ckan_api import fq, index_querying
    from abiertos.ckan_api.querying import DEFAULT_SORT
    from abiertos.core.actors import Actor

    # What the CKAN view asks for the benchmark request (organization, tags, res_format; 10 rows).
    flat = index_querying.flatten(fq.parse(q))
    return (Actor.anonymous(), flat, False, ["municipality", "tag", "format"], DEFAULT_SORT, text.query_terms(q), 0, 10)


def bench_engine(runs: int) -> dict:
    """The search engine part alone: ``index_querying.answer`` (text query, facet counts and the page's
    ids from the in-memory copy), without HTTP, JSON, the answer cache or loading the page's datasets.

    Interleaved, query by query, with the floor (the same raw FTS ``COUNT(*)`` as ``bench_raw_fts``),
    with the ranked floor (``ranked_floor_statements``: first page by relevance plus the count) and
    with the same answer computed in SQL (``answer_sql``, the path before the in-memory copy), so
    that all are compared under the same load; wall time and this process's CPU time (on SQLite
    the database works in this process; on PostgreSQL the CPU time leaves out the server's work)."""
    from django.db import connection

    from abiertos.catalog import text
    from abiertos.catalog.search_backends import match_sql
    from abiertos.ckan_api import index_querying

    args = [_engine_args(q) for q in QUERIES]
    floors = [match_sql(text.query_terms(q)) for q in QUERIES]
    ranked = [ranked_floor_statements(text.query_terms(q)) for q in QUERIES]

    def floor(i):
        sql, params = floors[i]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS m", params)
            cursor.fetchone()

    variants = {
        "floor": floor,
        "floor_ranked": lambda i: run_statements(ranked[i]),
        "engine": lambda i: index_querying.answer(*args[i]),
        "sql": lambda i: index_querying.answer_sql(*args[i]),
    }
    wall = {name: [] for name in variants}
    cpu = {name: [] for name in variants}
    for i in range(runs + len(QUERIES)):
        for name, run in variants.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            run(i % len(QUERIES))
            if i >= len(QUERIES):  # the first round only warms pages and the copy
                wall[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.process_time() - started_cpu) * 1000)
    out = {}
    for name in variants:
        out[name] = _summary(wall[name]) | {f"cpu_{k}": v for k, v in _summary(cpu[name]).items()}
    out["engine_vs_floor_p95_ratio"] = round(out["engine"]["p95_ms"] / max(out["floor"]["p95_ms"], 0.01), 2)
    out["engine_vs_floor_cpu_p95_ratio"] = round(out["engine"]["cpu_p95_ms"] / max(out["floor"]["cpu_p95_ms"], 0.01), 2)
    out["engine_vs_ranked_floor_p95_ratio"] = round(
        out["engine"]["p95_ms"] / max(out["floor_ranked"]["p95_ms"], 0.01), 2
    )
    out["engine_vs_ranked_floor_cpu_p95_ratio"] = round(
        out["engine"]["cpu_p95_ms"] / max(out["floor_ranked"]["cpu_p95_ms"], 0.01), 2
    )
    return out


def bench_after_write(runs: int) -> dict:
    """The first search after a single dataset's index write (``datasets_index``, what every catalog
    write ends in): the copy reads the change log and re-reads that entry before answering."""
    from abiertos.catalog.models import Dataset
    from abiertos.catalog.search_index import datasets_index
    from abiertos.ckan_api import index_querying

    rng = random.Random(5)
    ids = list(Dataset.objects.order_by("pk").values_list("pk", flat=True))
    args = [_engine_args(q) for q in QUERIES]
    samples, cpu = [], []
    for i in range(runs):
        datasets_index(dataset_ids=[ids[rng.randrange(len(ids))]])
        started, started_cpu = time.perf_counter(), time.process_time()
        index_querying.answer(*args[i % len(args)])
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return _summary(samples) | {f"cpu_{k}": v for k, v in _summary(cpu).items()}


def engine_memory() -> dict:
    """Loading this process's copy from scratch: time, the arrays' size, Python's allocations
    (tracemalloc) and the process's peak RSS growth."""
    import resource
    import tracemalloc

    from abiertos.catalog.search_engine import ColumnarIndex

    index = ColumnarIndex()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    index.refresh()
    seconds = time.perf_counter() - started
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "full_load_s": round(seconds, 2),
        "arrays_mb": round(index.memory_bytes() / 1e6, 1),
        "held_after_load_mb": round(current / 1e6, 1),
        "peak_during_load_mb": round(peak / 1e6, 1),
        "peak_rss_growth_mb": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024, 1),
        "distinct_facet_slots": len(index.slots),
    }


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
    parser.add_argument("--skip-datajson", action="store_true", help="search and dataset page only")
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
        result["raw_fts_ranked_query"] = bench_raw_fts_ranked(args.runs)
        result["search_engine_answer"] = bench_engine(args.runs)
        result["first_search_after_one_write"] = bench_after_write(max(args.runs // 4, 20))
        result["search_engine_memory"] = engine_memory()
        result["dataset_page"] = bench_dataset_page(client, args.runs)
        for variant in ("cold", "warm"):
            result[f"search_{variant}_vs_fts_p95_ratio"] = round(
                result[f"package_search_3_facets_{variant}"]["p95_ms"] / max(result["raw_fts_query"]["p95_ms"], 0.01),
                2,
            )
            result[f"search_{variant}_vs_ranked_fts_p95_ratio"] = round(
                result[f"package_search_3_facets_{variant}"]["p95_ms"]
                / max(result["raw_fts_ranked_query"]["p95_ms"], 0.01),
                2,
            )
    if not args.skip_datajson:
        result.update(bench_datajson_all(args.db, args.name, args.pg_database, worker_env))
    suffix = f"-{args.only}" if args.only else ""
    (OUT / f"catalog-{args.db}{suffix}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
