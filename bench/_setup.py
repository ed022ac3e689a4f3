"""Shared set-up for benchmarks: pick the database from the command line, then start Django."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"


def django_for(db: str, name: str) -> None:
    """Point Django at a dedicated benchmark database (sqlite file or PostgreSQL database)."""
    OUT.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["VAR_DIR"] = str(OUT / f"var-{name}-{db}")
    if db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{OUT / f'{name}.sqlite3'}"
    elif db == "postgres":
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/bench_{name}"
    else:
        raise SystemExit(f"unknown database {db!r}: use sqlite or postgres")
    import django

    django.setup()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lower = int(k)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (k - lower)
