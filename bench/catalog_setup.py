"""Database choice for the catalog benchmarks, with the PostgreSQL database named.

Like ``_setup.django_for``, but ``--pg-database`` (or ``BENCH_CATALOG_PG``) names the PostgreSQL
database, so that several people can benchmark on one server without dropping each other's
catalogs; the default stays ``bench_<name>``.
"""

from __future__ import annotations

import os
import sys

from _setup import OUT, ROOT


def pg_database(name: str, explicit: str | None = None) -> str:
    return explicit or os.environ.get("BENCH_CATALOG_PG") or f"bench_{name}"


def django_for(db: str, name: str, pg: str | None = None) -> None:
    """Start Django on the benchmark database: a SQLite file, or the named PostgreSQL database."""
    OUT.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["VAR_DIR"] = str(OUT / f"var-{name}-{db}")
    if db == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{OUT / f'{name}.sqlite3'}"
    elif db == "postgres":
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_database(name, pg)}"
    else:
        raise SystemExit(f"unknown database {db!r}: use sqlite or postgres")
    import django

    django.setup()
