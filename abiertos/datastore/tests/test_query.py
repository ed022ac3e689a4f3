"""The query engine over a loaded table: filters, search, sort, pages, cursors, aggregates, limits."""

from datetime import date

import pytest

from abiertos.core.errors import ValidationError
from abiertos.datastore.query import Metric, TableQuery, table_aggregate, table_search, table_stream
from abiertos.datastore.tests.tables import table_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(municipality):
    return table_make(municipality)


def _column(result, name):
    index = [f["id"] for f in result.fields].index(name)
    return [r[index] for r in result.records]


def test_table_search_returns_typed_fields_records_and_total(table):
    result = table_search(table=table, query=TableQuery())
    assert [(f["id"], f["type"]) for f in result.fields][:3] == [
        ("_id", "integer"),
        ("partido", "string"),
        ("fecha", "date"),
    ]
    assert result.total == 5
    assert result.records[0][:3] == (1, "06441", date(2024, 1, 15))


def test_table_search_filters_by_value_and_list_with_typed_values(table):
    result = table_search(table=table, query=TableQuery(filters={"partido": "06056"}))
    assert _column(result, "obra") == ["Hospital Municipal", "Señalización Avenida Alem"]
    result = table_search(table=table, query=TableQuery(filters={"terminada": ["true"], "monto": ["1500.5", "50.25"]}))
    assert result.total == 2


def test_table_search_filter_rejects_unknown_column_and_bad_value(table):
    with pytest.raises(ValidationError, match="columna"):
        table_search(table=table, query=TableQuery(filters={'x" OR 1=1 --': "1"}))
    with pytest.raises(ValidationError, match="fecha"):
        table_search(table=table, query=TableQuery(filters={"fecha": "ayer"}))


def test_table_search_q_ignores_accents_and_case(table):
    result = table_search(table=table, query=TableQuery(q="SENALIZACION alem"))
    assert _column(result, "obra") == ["Señalización Avenida Alem"]
    assert table_search(table=table, query=TableQuery(q="iluminacion plaza")).total == 0


def test_table_search_fields_sort_distinct(table):
    result = table_search(table=table, query=TableQuery(fields=["obra"], sort=[("monto", True)]))
    assert [f["id"] for f in result.fields] == ["_id", "obra"]
    assert _column(result, "obra")[0] == "Hospital Municipal"
    assert _column(result, "obra")[-1] == "Señalización Avenida Alem"  # NULL last
    result = table_search(table=table, query=TableQuery(fields=["partido"], distinct=True, sort=[("partido", False)]))
    assert result.records == [("06056",), ("06441",)]
    assert result.total == 2


def test_table_search_cursor_walks_every_row_once_in_sort_order(table):
    seen, cursor = [], None
    for _page in range(10):
        result = table_search(
            table=table, query=TableQuery(sort=[("monto", False)], limit=2, cursor=cursor, include_total=False)
        )
        seen += _column(result, "monto")
        cursor = result.next_cursor
        if cursor is None:
            break
    assert seen == [50.25, 200.0, 1500.5, 3000.0, None]


def test_table_search_rejects_a_forged_cursor(table):
    with pytest.raises(ValidationError, match="cursor"):
        table_search(table=table, query=TableQuery(cursor="bm9wZQ"))


def test_table_search_caps_the_limit_and_says_so(table, settings):
    settings.DATASTORE_QUERY_MAX_ROWS = 3
    result = table_search(table=table, query=TableQuery(limit=1000))
    assert len(result.records) == 3
    assert result.truncated


def test_table_stream_yields_fields_then_all_rows(table):
    parts = list(table_stream(table=table, query=TableQuery(filters={"partido": "06441"}), batch=2))
    assert parts[0][0]["id"] == "_id"
    assert sum(len(p) for p in parts[1:]) == 3


def test_table_aggregate_groups_with_metrics(table):
    result = table_aggregate(
        table=table, group_by=["partido"], metrics=[Metric("count"), Metric("sum", "monto"), Metric("max", "fecha")]
    )
    assert [f["id"] for f in result.fields] == ["partido", "count", "sum_monto", "max_fecha"]
    assert result.records == [("06056", 2, 3000.0, date(2024, 3, 11)), ("06441", 3, 1750.75, date(2024, 4, 20))]


def test_table_aggregate_refuses_sum_of_text_and_unknown_function(table):
    with pytest.raises(ValidationError):
        table_aggregate(table=table, group_by=[], metrics=[Metric("sum", "obra")])
    with pytest.raises(ValidationError):
        table_aggregate(table=table, group_by=[], metrics=[Metric("median; DROP", "monto")])


def test_unsorted_deep_pages_follow_file_order_without_sorting(municipality, settings):
    # Tight memory: an ORDER BY _id with a deep OFFSET would have to hold every skipped row.
    content = "n,texto\n" + "".join(f"{i},fila número {i} con algo de texto para ocupar\n" for i in range(1, 60001))
    table = table_make(municipality, content=content, identifier="larga")
    settings.DATASTORE_QUERY_MEMORY_MB = 8
    page = table_search(table=table, query=TableQuery(limit=3, offset=55000, include_total=False))
    assert [r[0] for r in page.records] == [55001, 55002, 55003]
    assert [r[1] for r in page.records] == [55001, 55002, 55003]
    after = table_search(table=table, query=TableQuery(limit=3, cursor=page.next_cursor, include_total=False))
    assert [r[1] for r in after.records] == [55004, 55005, 55006]
