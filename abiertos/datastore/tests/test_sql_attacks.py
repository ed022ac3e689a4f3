"""datastore_search_sql against every attack we know: each is refused with a CKAN error body or cut
short by the time limit or the row cap — never a 500, never data from outside the readable tables."""

import json

import duckdb
import pytest

from abiertos.datastore.sandbox import parquet_file, sandbox
from abiertos.datastore.tests.tables import table_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def public(municipality):
    return table_make(municipality, identifier="gastos")


@pytest.fixture
def foreign_draft(other_municipality):
    content = "secreto,monto\nclave-del-intendente,1\n"
    return table_make(other_municipality, content=content, publish=False, identifier="borrador")


def sql(client, text: str):
    response = client.post(
        "/api/3/action/datastore_search_sql", json.dumps({"sql": text}), content_type="application/json"
    )
    return response.status_code, response.json()


def _refused(client, text: str) -> dict:
    status, body = sql(client, text)
    assert status in (400, 403, 404, 409), (text, status, body)
    assert body["success"] is False
    assert body["error"]["__type"] in ("Validation Error", "Not Found Error", "Bad Request")
    return body


def test_sql_reads_a_public_table(client, public):
    status, body = sql(client, f'SELECT obra, monto FROM "{public.distribution.uuid}" WHERE monto > 1000 ORDER BY 2')
    assert status == 200, body
    assert [r["obra"] for r in body["result"]["records"]] == ["Plaza Moreno", "Hospital Municipal"]
    assert body["result"]["fields"] == [{"id": "obra", "type": "text"}, {"id": "monto", "type": "numeric"}]


def test_sql_reads_a_table_by_distribution_name_in_a_cte(client, public):
    name = public.distribution.name
    status, body = sql(client, f'WITH x AS (SELECT * FROM "{name}") SELECT count(*) AS n FROM x')
    assert status == 200, body
    assert body["result"]["records"] == [{"n": 5}]


ATTACKS = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM glob('/*')",
    "COPY (SELECT 1) TO '/tmp/abiertos-pwned.csv'",
    "ATTACH '/tmp/abiertos-pwned.duckdb' AS x",
    "INSTALL httpfs",
    "LOAD httpfs",
    "PRAGMA database_list",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "SELECT 1; SELECT * FROM read_csv('/etc/passwd')",
    "SELECT 1 /* ; */ ; COPY (SELECT 1) TO '/tmp/abiertos-pwned.csv'",
    "SELECT 1 -- comment\n; ATTACH '/tmp/abiertos-pwned.duckdb'",
    "/* SELECT */ DROP TABLE x",
    "SELECT * FROM duckdb_settings()",
    "SELECT * FROM duckdb_views()",
    "SELECT * FROM sqlite_master",
    "SELECT * FROM information_schema.tables",
    "SELECT current_setting('memory_limit')",
    "SELECT pg_get_viewdef(22531)",
    "SELECT * FROM pg_catalog.pg_class",
    "SELECT * FROM pg_class",
    "FROM read_csv('/etc/passwd')",
    "SELECT * FROM (VALUES (1)) v(x), LATERAL read_csv('/etc/passwd')",
    "SELECT (SELECT count(*) FROM read_csv('/etc/passwd'))",
    "SELECT * FROM main.sqlite_master",
    "SELECT * FROM memory.main.sqlite_master",
    "SELECT * FROM query_table('sqlite_master')",
    "CREATE TABLE x AS SELECT 1",
    "DESCRIBE SELECT 1",
    "SELECT * FROM read_csv('https://example.org/x.csv')",
    "SELECT",
    "",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_sql_attack_is_refused(client, public, attack):
    body = _refused(client, attack)
    assert "root:" not in json.dumps(body)


def test_sql_refuses_read_parquet_of_another_tables_file(client, public, foreign_draft):
    body = _refused(client, f"SELECT * FROM read_parquet('{parquet_file(foreign_draft)}')")
    assert "clave-del-intendente" not in json.dumps(body)
    body = _refused(client, f"SELECT * FROM '{parquet_file(foreign_draft)}'")
    assert "clave-del-intendente" not in json.dumps(body)


def test_sql_refuses_read_parquet_even_of_a_readable_tables_file(client, public):
    _refused(client, f"SELECT * FROM read_parquet('{parquet_file(public)}')")


def test_sql_does_not_find_a_draft_of_another_municipality(client, public, foreign_draft):
    body = _refused(client, f'SELECT * FROM "{foreign_draft.distribution.uuid}"')
    assert body["error"]["__type"] == "Not Found Error"
    body = _refused(
        client,
        f'SELECT * FROM "{public.distribution.uuid}" UNION ALL SELECT * FROM "{foreign_draft.distribution.name}"',
    )
    assert "clave-del-intendente" not in json.dumps(body)


def test_sql_cte_cannot_smuggle_a_catalog_table(client, public):
    # "sqlite_master" is a CTE only after its definition; before it, it would be DuckDB's catalog.
    _refused(client, "WITH a AS (SELECT * FROM sqlite_master), sqlite_master AS (SELECT 1) SELECT * FROM a")
    _refused(client, "SELECT * FROM (WITH sqlite_master AS (SELECT 1) SELECT * FROM sqlite_master), sqlite_master")


def test_sql_recursive_bomb_hits_the_time_limit(client, public, settings):
    settings.DATASTORE_QUERY_TIMEOUT_MS = 300
    body = _refused(client, "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r")
    assert "segundos" in json.dumps(body, ensure_ascii=False)


def test_sql_cartesian_bomb_is_time_boxed(client, public, settings):
    settings.DATASTORE_QUERY_TIMEOUT_MS = 300
    t = f'"{public.distribution.uuid}"'
    joins = ", ".join(f"{t} AS t{i}" for i in range(14))
    status, body = sql(client, f"SELECT count(*) FROM {joins}")
    assert status in (409, 400), body
    assert body["success"] is False


def test_sql_huge_result_is_truncated(client, public, settings):
    settings.DATASTORE_QUERY_MAX_ROWS = 50
    t = f'"{public.distribution.uuid}"'
    status, body = sql(client, f"SELECT a._id, b._id, c._id FROM {t} a, {t} b, {t} c")
    assert status == 200, body
    assert len(body["result"]["records"]) == 50
    assert body["result"]["records_truncated"] is True


def test_sql_can_be_switched_off(client, public, settings):
    settings.DATASTORE_SQL_ENABLED = False
    _refused(client, f'SELECT 1 FROM "{public.distribution.uuid}"')


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "COPY (SELECT 1) TO '/tmp/abiertos-pwned.csv'",
        "ATTACH '/tmp/abiertos-pwned.duckdb' AS x",
        "INSTALL httpfs",
        "LOAD httpfs",
        "SET enable_external_access = true",
        "SET allowed_paths = ['/etc/passwd']",
        "SET memory_limit = '64GB'",
    ],
)
def test_sandbox_refuses_by_itself_what_the_parser_check_also_refuses(public, statement):
    # The second layer alone: even a statement that slipped past the parser check cannot act.
    with sandbox({"t": public}) as con, pytest.raises(duckdb.Error):
        con.execute(statement).fetchall()
    # The connection goes back to the pool (a refused statement changes nothing) and still reads
    # the table, locked as before.
    with sandbox({"t": public}) as again:
        assert again is con
        assert again.execute("SELECT count(*) FROM t").fetchone() == (5,)
        assert again.execute("SELECT current_setting('enable_external_access')").fetchone() == (False,)
