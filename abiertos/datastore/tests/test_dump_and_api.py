"""The dump (CSV/JSON) and the REST endpoints /api/v1/tables/{distribution}/schema|rows|aggregate."""

import csv
import io
import json

import pytest

from abiertos.datastore.tests.tables import table_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(municipality):
    return table_make(municipality, identifier="gastos")


def _body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_dump_streams_the_whole_table_as_csv(client, table):
    response = client.get(f"/datastore/dump/{table.distribution.uuid}")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(_body(response))))
    assert rows[0] == ["_id", "partido", "fecha", "monto", "obra", "terminada"]
    assert rows[1] == ["1", "06441", "2024-01-15", "1500.5", "Plaza Moreno", "true"]
    assert rows[4][3] == ""
    assert len(rows) == 6


def test_dump_as_json_with_filters(client, table):
    response = client.get(f"/datastore/dump/{table.distribution.name}", {"format": "json", "partido": "06056"})
    body = json.loads(_body(response))
    assert body["fields"][1] == {"id": "partido", "type": "string"}
    assert [r[4] for r in body["records"]] == ["Hospital Municipal", "Señalización Avenida Alem"]


def test_dump_of_a_draft_is_not_found_for_visitors(client, municipality):
    draft = table_make(municipality, publish=False, identifier="borrador")
    assert client.get(f"/datastore/dump/{draft.distribution.uuid}").status_code == 404


def test_api_schema(client, table):
    body = client.get(f"/api/v1/tables/{table.distribution.uuid}/schema").json()
    assert body["row_count"] == 5
    assert [(f["id"], f["type"]) for f in body["fields"]][:2] == [("_id", "integer"), ("partido", "string")]


def test_api_rows_filters_sorts_and_pages_with_cursor(client, table):
    url = f"/api/v1/tables/{table.distribution.uuid}/rows"
    body = client.get(url, {"partido": "06441", "sort": "-monto", "limit": 2}).json()
    assert [r["monto"] for r in body["records"]] == [1500.5, 200.0]
    assert body["total"] == 3
    rest = client.get(url, {"partido": "06441", "sort": "-monto", "limit": 2, "cursor": body["next_cursor"]}).json()
    assert [r["monto"] for r in rest["records"]] == [50.25]
    assert rest["next_cursor"] is None


def test_api_rows_errors(client, table):
    url = f"/api/v1/tables/{table.distribution.uuid}/rows"
    response = client.get(url, {"no_such_column": "1"})
    assert response.status_code == 400
    assert "no_such_column" in response.json()["error"]["fields"]
    assert client.get(url, {"limit": 999999}).status_code == 400
    assert client.get("/api/v1/tables/no-existe/rows").status_code == 404


def test_api_aggregate(client, table):
    body = client.get(
        f"/api/v1/tables/{table.distribution.uuid}/aggregate",
        {"group_by": "partido", "metrics": "count,sum:monto,avg:monto", "terminada": "true"},
    ).json()
    assert body["records"] == [
        {"partido": "06056", "count": 1, "sum_monto": 3000.0, "avg_monto": 3000.0},
        {"partido": "06441", "count": 2, "sum_monto": 1550.75, "avg_monto": 775.375},
    ]
    response = client.get(f"/api/v1/tables/{table.distribution.uuid}/aggregate", {"metrics": "sum:obra"})
    assert response.status_code == 400


def test_api_tables_endpoints_are_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for tail in ("schema", "rows", "aggregate"):
        assert f"/api/v1/tables/{{distribution}}/{tail}" in paths


def test_dump_as_xlsx_with_a_filter(client, table):
    from openpyxl import load_workbook

    response = client.get(f"/datastore/dump/{table.distribution.uuid}", {"format": "xlsx", "partido": "06056"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("_id", "partido", "fecha", "monto", "obra", "terminada")
    assert [r[4] for r in rows[1:]] == ["Hospital Municipal", "Señalización Avenida Alem"]


def test_dump_as_parquet_is_the_stored_file(client, table):
    import pyarrow.parquet as pq

    response = client.get(f"/datastore/dump/{table.distribution.uuid}", {"format": "parquet"})
    parquet = pq.read_table(io.BytesIO(b"".join(response.streaming_content)))
    assert parquet.num_rows == 5
    assert parquet.column_names == ["partido", "fecha", "monto", "obra", "terminada"]


def test_dump_refuses_an_unknown_format(client, table):
    assert client.get(f"/datastore/dump/{table.distribution.uuid}", {"format": "exe"}).status_code == 400


def test_dump_with_a_bad_filter_answers_400_before_streaming(client, table):
    response = client.get(f"/datastore/dump/{table.distribution.uuid}", {"fecha": "ayer"})
    assert response.status_code == 400
    assert not response.streaming
