"""The pool of locked DuckDB connections: reused only when clean, never across a replaced file.

Each attack below runs directly on a pooled connection (as if it had slipped past the SQL parser
check); the next use of the pool must see the real table and nothing the attack left."""

import contextlib
import os
import subprocess
import sys
import threading

import duckdb
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abiertos.catalog import services as catalog_services
from abiertos.core.actors import Actor
from abiertos.core.errors import ValidationError
from abiertos.datastore import sandbox as sandbox_module
from abiertos.datastore.query import TableQuery, table_search
from abiertos.datastore.sandbox import parquet_file, sandbox, time_limit
from abiertos.datastore.services import datastore_ingest
from abiertos.datastore.tests.tables import table_make

pytestmark = pytest.mark.django_db

CLEAN_VIEWS = "SELECT list(view_name ORDER BY view_name) FROM duckdb_views() WHERE NOT internal"


@pytest.fixture
def public(municipality):
    return table_make(municipality, identifier="gastos")


@pytest.fixture(autouse=True)
def _empty_pool():
    sandbox_module.pool.clear()
    yield
    sandbox_module.pool.clear()


def _opened() -> int:
    return sandbox_module.pool.opened


def _assert_pristine(public) -> None:
    with sandbox({"t": public}) as con:
        assert con.execute("SELECT count(*), sum(monto) FROM t").fetchone() == (5, 4750.75)
        assert con.execute(CLEAN_VIEWS).fetchone() == (["t"],)
        assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (0,)
        assert con.execute(sandbox_module.SESSION_STATE_SQL).fetchone() == sandbox_module.CLEAN_SESSION
        assert con.execute("SELECT list(database_name ORDER BY 1) FROM duckdb_databases()").fetchone() == (
            ["memory", "system", "temp"],
        )
        assert con.execute("SELECT current_setting('lock_configuration')").fetchone() == (True,)


def test_a_connection_is_reused_for_the_same_table(public):
    with sandbox({"t": public}) as first:
        assert first.execute("SELECT count(*) FROM t").fetchone() == (5,)
    with sandbox({"t": public}) as second:
        assert second is first
        assert second.execute("SELECT count(*) FROM t").fetchone() == (5,)
    assert _opened() == 1


def test_the_query_layer_reuses_one_connection(public):
    for _ in range(3):
        assert table_search(table=public, query=TableQuery(sort=[("monto", True)], limit=1)).total == 5
    assert _opened() == 1


def test_two_threads_at_once_get_two_connections(public):
    barrier, seen, errors = threading.Barrier(2), [], []

    def use():
        try:
            with sandbox({"t": public}) as con:
                barrier.wait(timeout=10)
                seen.append(id(con))
                assert con.execute("SELECT count(*) FROM t").fetchone() == (5,)
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(seen)) == 2
    assert sandbox_module.pool.idle_count() == 2


STATE_CHANGES = [
    "CREATE OR REPLACE TEMP VIEW t AS SELECT 'malo' AS x",
    "CREATE TEMP TABLE robado AS SELECT * FROM t",
    "CREATE TEMP MACRO sum(x) AS 0",
    "SET VARIABLE secreto = 'x'",
    "PREPARE p AS SELECT 1",
    "ATTACH ':memory:' AS otra",
    "SET search_path = 'temp'",
    "SET schema = 'main'",
    "USE system.main",
    "COMMIT",
    "ROLLBACK",
]


@pytest.mark.parametrize("statement", STATE_CHANGES)
def test_nothing_a_use_changes_reaches_the_next_use(public, statement):
    with sandbox({"t": public}) as con, contextlib.suppress(duckdb.Error):
        con.execute(statement)
    _assert_pristine(public)


def test_a_view_replaced_outside_the_transaction_is_thrown_away(public):
    # Ending the pool's transaction lets a statement write to the catalog for good: the pool
    # notices the transaction is gone and closes the connection.
    with sandbox({"t": public}) as con:
        con.execute("ROLLBACK")
        con.execute("CREATE OR REPLACE VIEW t AS SELECT 'malo' AS obra")
    with sandbox({"t": public}) as again:
        assert again is not con
        assert again.execute("SELECT count(*) FROM t").fetchone() == (5,)
    assert sandbox_module.pool.discarded == 1


def test_an_interrupted_connection_is_not_reused(public, settings):
    with pytest.raises(ValidationError), sandbox({"t": public}) as con, time_limit(con, 50):
        con.execute("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r").fetchall()
    assert sandbox_module.pool.idle_count() == 0
    _assert_pristine(public)
    assert _opened() == 2


def test_the_pool_keeps_at_most_its_size(municipality, settings):
    settings.DATASTORE_SANDBOX_POOL = 2
    tables = [table_make(municipality, identifier=f"t{i}") for i in range(4)]
    for table in tables:
        with sandbox({"t": table}) as con:
            con.execute("SELECT 1").fetchall()
    assert sandbox_module.pool.idle_count() == 2
    settings.DATASTORE_SANDBOX_POOL = 0
    with sandbox({"t": tables[0]}) as con:
        con.execute("SELECT 1").fetchall()
    assert sandbox_module.pool.idle_count() == 0


def test_a_new_load_is_read_at_once(public):
    # The atomic swap gives the table a new file: a pooled connection of the old one is never used.
    assert table_search(table=public, query=TableQuery()).total == 5
    content = b"partido,fecha,monto,obra,terminada\n06441,2024-01-15,1,Una,true\n"
    upload = SimpleUploadedFile("nuevo.csv", content, content_type="text/csv")
    distribution = catalog_services.distribution_replace_file(
        distribution=public.distribution, upload=upload, by=Actor.system("test")
    )
    datastore_ingest(distribution=distribution, by=Actor.system("test"))
    public.refresh_from_db()
    result = table_search(table=public, query=TableQuery())
    assert result.total == 1
    assert [r[4] for r in result.records] == ["Una"]


def test_a_file_replaced_in_place_by_another_process_is_not_read_through_the_pool(public, tmp_path):
    # Even a file rewritten under the same name (by another process) gets a fresh connection.
    assert table_search(table=public, query=TableQuery()).total == 5
    path = parquet_file(public)
    script = (
        "import duckdb, os, sys; path = sys.argv[1]; "
        "duckdb.execute(f\"COPY (SELECT * FROM read_parquet('{path}') LIMIT 2) TO '{path}.new' (FORMAT parquet)\"); "
        "os.replace(path + '.new', path)"
    )
    subprocess.run([sys.executable, "-c", script, str(path)], check=True, env={**os.environ})
    assert table_search(table=public, query=TableQuery()).total == 2
