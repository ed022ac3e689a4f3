"""Datastore ingestion speed against DuckDB's own read_csv, on a latin-1 CSV with Argentine notation.

    .venv/bin/python bench/datastore_ingest.py --rows 10000000    # about 1 GB

Writes the file once (bench/out/ingest-<rows>.csv: ";" separator, decimal commas with "."
thousands, dd/mm/yyyy dates, accented names), then in separate processes, so each peak RSS is its
own: (1) DuckDB's read_csv with the settings given by hand, copied to Parquet; (2) our detection
on a sample plus load_to_parquet. Prints seconds, rows, peak RSS and the speed ratio as JSON.
Target: ratio ≥ 0.6 and our peak RSS < 1.5 GB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"

GENERATE = """
COPY (
  SELECT i AS id,
         '06' || lpad(CAST(1 + i * 7919 % 999 AS VARCHAR), 3, '0') AS partido,
         (['Peña', 'Muñoz', 'Cañuelas', 'Ituzaingó', 'José C. Paz', 'Tres de Febrero'])[1 + i % 6] || ' ' || (i % 977)
           AS nombre,
         replace(format('{:,}', (i * 7907) % 9999999), ',', '.') || ',' || lpad(CAST(i % 100 AS VARCHAR), 2, '0')
           AS monto,
         strftime(DATE '2010-01-01' + CAST(i % 5000 AS INTEGER), '%d/%m/%Y') AS fecha,
         i % 5000 AS cantidad
  FROM range(?) t(i)
) TO ? (FORMAT csv, DELIMITER ';', HEADER true, QUOTE '')
"""


def generate(rows: int) -> Path:
    target = OUT / f"ingest-{rows}.csv"
    if target.exists():
        return target
    import duckdb

    OUT.mkdir(parents=True, exist_ok=True)
    utf8 = target.with_suffix(".utf8.csv")
    duckdb.execute(GENERATE, [rows, str(utf8)])
    with open(utf8, encoding="utf-8") as source, open(target, "w", encoding="latin-1", newline="") as out:
        while block := source.read(8 * 1024 * 1024):
            out.write(block)
    utf8.unlink()
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


def run_ours(path: Path) -> dict:
    import os

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from abiertos.datastore.detection import detect
    from abiertos.datastore.loading import load_to_parquet

    # A worker has Django loaded already: time from here, detection included.
    started = time.monotonic()
    detection = detect(path=path, name=path.name)
    result = load_to_parquet(
        path=path, detection=detection, target=OUT / "ingest-ours.parquet", progress=lambda *args: None
    )
    return {
        "rows": result.row_count,
        "method": result.method,
        "encoding": result.encoding_used,
        "types": {c["name"]: c["type"] for c in result.columns},
        "seconds": round(time.monotonic() - started, 2),
    }


def child(which: str, path: Path) -> None:
    outcome = run_duckdb(path) if which == "duckdb" else run_ours(path)
    outcome["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(outcome))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", choices=["duckdb", "ours"])
    parser.add_argument("--path")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the fastest counts (shared machines)")
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.path))
        return
    path = generate(args.rows)
    results = {"rows": args.rows, "bytes": path.stat().st_size}
    for which in ("duckdb", "ours"):
        output = subprocess.run(
            [sys.executable, __file__, "--child", which, "--path", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        results[which] = json.loads(output.stdout.strip().splitlines()[-1])
    results["speed_ratio"] = round(results["duckdb"]["seconds"] / results["ours"]["seconds"], 2)
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
