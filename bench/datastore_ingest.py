"""Datastore ingestion against DuckDB's own read_csv and the peers, and query latency on the result.

    .venv/bin/python bench/datastore_ingest.py --rows 10000000    # about 1 GB

Writes the file once (bench/out/ingest-ar-<rows>.csv, latin-1: ";" separator, decimal commas with
"." thousands, dd/mm/yyyy dates, accented names and descriptions, about 100 bytes a row), then in
separate processes, so each peak RSS is its own:

1. DuckDB's read_csv with the settings given by hand, copied to Parquet (the floor);
2. our detection on a sample plus load_to_parquet (what the ingestion job runs);
3. sqlite-utils ``insert --csv`` with its type detection (the Datasette way), from ``.venv-bench``
   (``requirements-bench.txt``; skipped with a note when it is not installed);
4. PostgreSQL ``COPY`` into text columns (the CKAN xloader way), into the database named by
   ``BENCH_PG_URL`` (default postgres://postgres@127.0.0.1:5432/h_datastore_bench, created if missing);
5. ``sorted``: the sorted copy the ingestion job writes after publishing a table of 1M+ rows
   (``abiertos/datastore/sorted_copy.py``: column chosen as the job chooses it, then the sort);
6. queries through our query layer (the same sandbox and SQL as the API) on the table from (2):
   filter+sort+first page and filter+first page in file order (p95 of 20, total count included),
   a group-by aggregate, a deep page at offset rows/2 and the cursor equivalent. The first pages
   are measured three ways: a fresh sandbox per query and the table's file only (the behaviour
   before the pool), pooled sandboxes and the file only, pooled with the sorted copy (what a user
   gets once the job has finished). The first query of a fresh process is given apart (cold).

Prints one JSON document (also saved as bench/out/datastore-<rows>.json). Targets: ours ≥ 0.6×
DuckDB's speed, ≥ 10× sqlite-utils, faster than COPY, peak RSS < 1.5 GB; first page p95 < 100 ms,
group-by < 1 s, deep page < 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
BENCH_VENV = ROOT / ".venv-bench"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/h_datastore_bench")
# sqlite-utils last: it takes about half an hour on the 10M-row file.
STEPS = ("duckdb", "ours", "sorted", "pg_copy", "queries", "sqlite_utils")

GENERATE = """
COPY (
  SELECT i AS id,
         '06' || lpad(CAST(1 + i * 7919 % 999 AS VARCHAR), 3, '0') AS partido,
         (['Peña', 'Muñoz', 'Cañuelas', 'Ituzaingó', 'José C. Paz', 'Tres de Febrero'])[1 + i % 6] || ' ' || (i % 977)
           AS nombre,
         replace(format('{:,}', (i * 7907) % 9999999), ',', '.') || ',' || lpad(CAST(i % 100 AS VARCHAR), 2, '0')
           AS monto,
         strftime(DATE '2010-01-01' + CAST(i % 5000 AS INTEGER), '%d/%m/%Y') AS fecha,
         i % 5000 AS cantidad,
         (['Compra de insumos de oficina', 'Reparación de luminarias en la vía pública',
           'Mantenimiento de espacios verdes', 'Servicio de recolección de residuos',
           'Obra de bacheo y pavimentación', 'Adquisición de medicamentos para el hospital',
           'Alquiler de maquinaria vial', 'Capacitación del personal administrativo'])[1 + (i * 31) % 8]
           AS descripcion,
         replace(CAST(round(-34.0 - (i * 13 % 4000) / 1000.0, 4) AS VARCHAR), '.', ',') AS latitud
  FROM range(?) t(i)
) TO ? (FORMAT csv, DELIMITER ';', HEADER true, QUOTE '')
"""
COLUMNS = ("id", "partido", "nombre", "monto", "fecha", "cantidad", "descripcion", "latitud")


def generate(rows: int) -> Path:
    target = OUT / f"ingest-ar-{rows}.csv"
    if target.exists():
        return target
    import duckdb

    OUT.mkdir(parents=True, exist_ok=True)
    utf8 = target.with_suffix(".utf8.csv")
    duckdb.execute(GENERATE, [rows, str(utf8)])
    partial = target.with_suffix(".partial")
    with open(utf8, encoding="utf-8") as source, open(partial, "w", encoding="latin-1", newline="") as out:
        while block := source.read(8 * 1024 * 1024):
            out.write(block)
    utf8.unlink()
    partial.rename(target)
    return target


def run_duckdb(path: Path) -> dict:
    import duckdb

    started = time.monotonic()
    con = duckdb.connect(config={"memory_limit": "1GB"})
    con.execute(
        f"COPY (SELECT * FROM read_csv('{path}', delim=';', decimal_separator=',', thousands='.', "
        f"dateformat='%d/%m/%Y', encoding='latin-1', types={{'partido': 'VARCHAR', 'monto': 'DOUBLE'}})) "
        f"TO '{OUT / 'ingest-duckdb.parquet'}' (FORMAT parquet, COMPRESSION zstd)"
    )
    rows = con.execute(f"SELECT count(*) FROM '{OUT / 'ingest-duckdb.parquet'}'").fetchone()[0]
    return {"rows": rows, "seconds": round(time.monotonic() - started, 2)}


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def run_ours(path: Path) -> dict:
    _django()
    from abiertos.datastore.detection import detect
    from abiertos.datastore.loading import load_to_parquet

    # A worker has Django loaded already: time from here, detection included.
    started = time.monotonic()
    detection = detect(path=path, name=path.name)
    target = OUT / "ingest-ours.parquet"
    result = load_to_parquet(path=path, detection=detection, target=target, progress=lambda *args: None)
    seconds = time.monotonic() - started
    target.with_suffix(".columns.json").write_text(json.dumps(result.columns))
    return {
        "rows": result.row_count,
        "method": result.method,
        "encoding": result.encoding_used,
        "types": {c["name"]: c["type"] for c in result.columns},
        "seconds": round(seconds, 2),
    }


def run_sqlite_utils(path: Path) -> dict:
    cli = BENCH_VENV / "bin" / "sqlite-utils"
    if not cli.exists():
        return {"skipped": "sqlite-utils is not installed in .venv-bench (see bench/run)"}
    database = OUT / "ingest-sqlite-utils.db"
    database.unlink(missing_ok=True)
    started = time.monotonic()
    command = [str(cli), "insert", str(database), "filas", str(path), "--csv", "--delimiter", ";"]
    subprocess.run([*command, "--encoding", "latin-1"], check=True, capture_output=True)
    seconds = time.monotonic() - started
    import sqlite3

    with sqlite3.connect(database) as con:
        rows = con.execute("SELECT count(*) FROM filas").fetchone()[0]
        types = {r[1]: r[2] for r in con.execute("PRAGMA table_info(filas)")}
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    database.unlink()
    return {"rows": rows, "types": types, "seconds": round(seconds, 2), "cli_peak_rss_mb": peak}


def _pg_database() -> None:
    import psycopg

    base, name = PG_URL.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            con.execute(f'CREATE DATABASE "{name}"')


def run_pg_copy(path: Path) -> dict:
    import psycopg

    _pg_database()
    with psycopg.connect(PG_URL, autocommit=True) as con:
        con.execute("DROP TABLE IF EXISTS filas")
        con.execute("CREATE TABLE filas (" + ", ".join(f'"{c}" text' for c in COLUMNS) + ")")
        started = time.monotonic()
        with con.cursor() as cur, open(path, "rb") as source:
            options = "FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'LATIN1'"
            with cur.copy(f"COPY filas FROM STDIN WITH ({options})") as copy:
                while block := source.read(1024 * 1024):
                    copy.write(block)
        seconds = time.monotonic() - started
        rows = con.execute("SELECT count(*) FROM filas").fetchone()[0]
        con.execute("DROP TABLE filas")
    return {"rows": rows, "seconds": round(seconds, 2)}


def run_sorted(path: Path) -> dict:
    _django()
    from abiertos.datastore.sorted_copy import cluster_column, sorted_copy_write

    parquet = OUT / "ingest-ours.parquet"
    columns = json.loads(parquet.with_suffix(".columns.json").read_text())
    target = OUT / "ingest-ours.sorted.parquet"
    target.unlink(missing_ok=True)
    target.with_suffix(".column").unlink(missing_ok=True)
    started = time.monotonic()
    import duckdb

    rows = duckdb.execute(f"SELECT count(*) FROM read_parquet('{parquet}')").fetchone()[0]
    column = cluster_column(parquet=parquet, columns=columns, rows=rows)
    chosen = time.monotonic()
    if column is None:
        return {"skipped": "no category column"}
    sorted_copy_write(parquet=parquet, column=column, target=target)
    target.with_suffix(".column").write_text(column)
    return {
        "column": column,
        "choose_seconds": round(chosen - started, 2),
        "seconds": round(time.monotonic() - started, 2),
        "bytes": target.stat().st_size,
        "table_bytes": parquet.stat().st_size,
    }


def _timed(function, times: int) -> list[float]:
    laps = []
    for index in range(times):
        started = time.perf_counter()
        function(index)
        laps.append((time.perf_counter() - started) * 1000)
    return laps


def _summary(laps: list[float]) -> dict:
    ordered = sorted(laps)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"runs": len(laps), "p50_ms": round(statistics.median(laps), 1), "p95_ms": round(p95, 1)}


PARTIDOS = [f"06{n:03d}" for n in range(1, 999, 50)]


def _measure(function, times: int) -> dict:
    from abiertos.core.errors import ValidationError

    try:
        return _summary(_timed(function, times))
    except ValidationError as exc:  # refused by the sandbox's time or memory limit: say so
        return {"error": exc.message}


def _first_page(target, *, sort: bool):
    from abiertos.datastore.query import TableQuery, table_search

    def run(index: int) -> None:
        filters = {"partido": [PARTIDOS[index % len(PARTIDOS)]]}
        query = TableQuery(filters=filters, sort=[("monto", True)] if sort else [], limit=25)
        assert table_search(table=target, query=query).records

    return run


def _first_pages(target) -> dict:
    return {
        "first_page_filter_sort": _measure(_first_page(target, sort=True), 20),
        "first_page_filter_file_order": _measure(_first_page(target, sort=False), 20),
    }


def _bench_tables():
    from abiertos.datastore.models import DatastoreTable

    parquet = OUT / "ingest-ours.parquet"
    columns = json.loads(parquet.with_suffix(".columns.json").read_text())
    table = DatastoreTable(parquet_path=str(parquet), columns=columns)
    copy_path = OUT / "ingest-ours.sorted.parquet"
    copied = DatastoreTable(parquet_path=str(parquet), columns=columns)
    if copy_path.exists():
        column = copy_path.with_suffix(".column").read_text()
        copied.settings = {"sorted_copy": {"path": str(copy_path), "column": column}}
    return table, copied


def run_queries(path: Path) -> dict:
    _django()
    from django.conf import settings

    from abiertos.datastore.query import Metric, TableQuery, cursor_encode, table_aggregate, table_search
    from abiertos.datastore.sandbox import pool

    # Measure instead of cancelling: the API's 5 s limit would hide a slow query.
    settings.DATASTORE_QUERY_TIMEOUT_MS = 120_000
    table, copied = _bench_tables()
    cold = {}
    for name, target in (("file", table), ("sorted_copy", copied)):
        pool.clear()
        started = time.perf_counter()
        _first_page(target, sort=True)(0)
        cold[name] = round((time.perf_counter() - started) * 1000, 1)
    rows = table_search(table=table, query=TableQuery(limit=0)).total

    def group_by(_index: int) -> None:
        metrics = [Metric("count"), Metric("sum", "monto")]
        assert table_aggregate(table=table, group_by=["partido"], metrics=metrics).records

    def deep_offset(_index: int) -> None:
        query = TableQuery(limit=25, offset=rows // 2, include_total=False)
        assert table_search(table=table, query=query).records[0][0] == rows // 2 + 1

    def deep_cursor(_index: int) -> None:
        query = TableQuery(limit=25, cursor=cursor_encode([rows // 2]), include_total=False)
        assert table_search(table=table, query=query).records[0][0] == rows // 2 + 1

    pool_size = settings.DATASTORE_SANDBOX_POOL
    settings.DATASTORE_SANDBOX_POOL = 0  # a fresh sandbox per query: the behaviour before the pool
    fresh = _first_pages(table)
    settings.DATASTORE_SANDBOX_POOL = pool_size
    return {
        "rows": rows,
        "memory_limit_mb": settings.DATASTORE_QUERY_MEMORY_MB,
        "cold_first_query_ms": cold,
        "fresh_sandbox_file_only": fresh,
        "pooled_file_only": _first_pages(table),
        "pooled_sorted_copy": _first_pages(copied) if copied.settings else {},
        "group_by_partido_sum": _measure(group_by, 5),
        "deep_page_offset": _measure(deep_offset, 5),
        "deep_page_cursor": _measure(deep_cursor, 5),
    }


RUNNERS = {
    "duckdb": run_duckdb,
    "ours": run_ours,
    "sorted": run_sorted,
    "sqlite_utils": run_sqlite_utils,
    "pg_copy": run_pg_copy,
    "queries": run_queries,
}


def child(which: str, path: Path) -> None:
    outcome = RUNNERS[which](path)
    outcome["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(outcome))


def _ratios(results: dict) -> dict:
    ours = results["ours"]["seconds"]
    ratios = {"ours_vs_duckdb_speed": round(results["duckdb"]["seconds"] / ours, 2)}
    for peer in ("sqlite_utils", "pg_copy"):
        if "seconds" in results.get(peer, {}):
            ratios[f"ours_vs_{peer}_speed"] = round(results[peer]["seconds"] / ours, 2)
    megabytes = results["bytes"] / 1_000_000
    ratios["ours_mb_per_s"] = round(megabytes / ours, 1)
    ratios["duckdb_mb_per_s"] = round(megabytes / results["duckdb"]["seconds"], 1)
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", choices=STEPS)
    parser.add_argument("--path")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated subset of " + ", ".join(STEPS))
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.path))
        return
    path = generate(args.rows)
    results = {"rows": args.rows, "bytes": path.stat().st_size, "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    for which in args.steps.split(","):
        output = subprocess.run(
            [sys.executable, __file__, "--child", which, "--path", str(path)],
            capture_output=True,
            text=True,
        )
        if output.returncode:
            results[which] = {"error": output.stderr.strip().splitlines()[-1:]}
        else:
            results[which] = json.loads(output.stdout.strip().splitlines()[-1])
        print(which, json.dumps(results[which], ensure_ascii=False), file=sys.stderr, flush=True)
    if "seconds" in results.get("ours", {}) and "seconds" in results.get("duckdb", {}):
        results["ratios"] = _ratios(results)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    (OUT / f"datastore-{args.rows}.json").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
