"""The sorted copy of a large table: chosen column, same answers as the table's own file, replaced
with each new load."""

import copy
from pathlib import Path

import duckdb
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abiertos.catalog import services as catalog_services
from abiertos.core.actors import Actor
from abiertos.datastore.query import Metric, TableQuery, table_aggregate, table_search
from abiertos.datastore.services import datastore_ingest
from abiertos.datastore.sorted_copy import sorted_copy_for
from abiertos.datastore.tests.tables import table_make

pytestmark = pytest.mark.django_db
ROWS = 400


def _csv(rows: int = ROWS, offset: int = 0) -> str:
    # partido: 10 values spread over the file (a category); nombre: 100 values (more than √400 = 20);
    # id: unique; monto with ties and a few empty values.
    lines = ["id,partido,nombre,monto"]
    for i in range(rows):
        monto = "" if i % 37 == 0 else str((i * 7) % 50 + offset)
        lines.append(f"{i},06{(i * 7) % 10:03d},Nombre {i % 100},{monto}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def big(municipality, settings):
    settings.DATASTORE_SORTED_COPY_MIN_ROWS = 100
    return table_make(municipality, content=_csv(), identifier="grande")


def _without_copy(table):
    plain = copy.copy(table)
    plain.settings = {k: v for k, v in table.settings.items() if k != "sorted_copy"}
    return plain


def test_a_large_table_gets_a_copy_sorted_by_its_category_column(big, settings):
    info = big.settings["sorted_copy"]
    assert info["column"] == "partido"
    path = Path(settings.DATASTORE_ROOT) / info["path"]
    con = duckdb.connect()
    values = [r[0] for r in con.execute(f"SELECT partido FROM read_parquet('{path}')").fetchall()]
    assert values == sorted(values)
    ids = con.execute(f"SELECT _id FROM read_parquet('{path}') WHERE partido = '06003' ORDER BY _id").fetchall()
    assert len(ids) == ROWS // 10


def test_a_small_table_gets_no_copy(municipality, settings):
    settings.DATASTORE_SORTED_COPY_MIN_ROWS = 1000
    table = table_make(municipality, content=_csv(), identifier="chica")
    assert "sorted_copy" not in table.settings


QUERIES = [
    TableQuery(filters={"partido": ["06003"]}, sort=[("monto", True)], limit=25),
    TableQuery(filters={"partido": ["06003", "06007"]}, limit=30),
    TableQuery(filters={"partido": ["06003", "06007"]}, limit=30, offset=50),
    TableQuery(filters={"partido": ["06001"]}, q="nombre 1", sort=[("nombre", False)], limit=10),
    TableQuery(filters={"partido": ["06009"], "monto": ["9"]}, limit=100),
    TableQuery(filters={"partido": ["06002"]}, fields=["monto"], distinct=True, sort=[("monto", False)]),
]


@pytest.mark.parametrize("query", QUERIES)
def test_the_copy_answers_exactly_like_the_table_file(big, query):
    assert sorted_copy_for(big, query.filters) is not None
    with_copy = table_search(table=big, query=query)
    plain = table_search(table=_without_copy(big), query=query)
    assert with_copy.records == plain.records
    assert with_copy.total == plain.total
    assert with_copy.next_cursor == plain.next_cursor
    assert with_copy.records


def test_a_cursor_walk_over_the_copy_visits_every_row_once_in_order(big):
    seen, cursor = [], None
    while True:
        query = TableQuery(filters={"partido": ["06004"]}, sort=[("monto", True)], limit=7, cursor=cursor)
        result = table_search(table=big, query=query)
        seen += result.records
        cursor = result.next_cursor
        if cursor is None:
            break
    plain = table_search(
        table=_without_copy(big), query=TableQuery(filters={"partido": ["06004"]}, sort=[("monto", True)], limit=1000)
    )
    assert seen == plain.records


def test_aggregates_over_the_copy_match(big):
    query = TableQuery(filters={"partido": ["06001", "06005"]})
    metrics = [Metric("count"), Metric("sum", "monto")]
    with_copy = table_aggregate(table=big, group_by=["partido"], metrics=metrics, query=query)
    plain = table_aggregate(table=_without_copy(big), group_by=["partido"], metrics=metrics, query=query)
    assert with_copy.records == plain.records == [("06001", 40, pytest.approx(plain.records[0][2])), plain.records[1]]


def test_a_new_load_replaces_the_copy_and_removes_the_old_one(big, settings, django_capture_on_commit_callbacks):
    old = Path(settings.DATASTORE_ROOT) / big.settings["sorted_copy"]["path"]
    upload = SimpleUploadedFile("nuevo.csv", _csv(offset=1000).encode(), content_type="text/csv")
    by = Actor.system("test")
    distribution = catalog_services.distribution_replace_file(distribution=big.distribution, upload=upload, by=by)
    with django_capture_on_commit_callbacks(execute=True):
        datastore_ingest(distribution=distribution, by=by)
    big.refresh_from_db()
    new = Path(settings.DATASTORE_ROOT) / big.settings["sorted_copy"]["path"]
    assert new != old
    assert new.exists()
    assert not old.exists()
    result = table_search(table=big, query=TableQuery(filters={"partido": ["06003"]}, sort=[("monto", True)], limit=1))
    assert result.records[0][-1] >= 1000
