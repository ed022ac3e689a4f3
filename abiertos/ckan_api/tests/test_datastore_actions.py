"""CKAN's datastore_search and datastore_search_sql: the shape CKAN clients expect, and who may read."""

import csv
import io

import pytest
from ckanapi import RemoteCKAN
from ckanapi.errors import NotFound as CkanNotFound
from ckanapi.errors import ValidationError as CkanValidationError

from abiertos.datastore.tests.tables import table_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def table(municipality):
    return table_make(municipality, identifier="gastos")


@pytest.fixture
def draft_table(municipality):
    return table_make(municipality, publish=False, identifier="borrador-obras")


def test_datastore_search_answers_fields_records_total_and_links(ckan, table):
    result = ckan("datastore_search", {"resource_id": str(table.distribution.uuid), "limit": 2}).result
    assert result["fields"][:3] == [
        {"id": "_id", "type": "int"},
        {"id": "partido", "type": "text"},
        {"id": "fecha", "type": "date"},
    ]
    assert result["records"][0] == {
        "_id": 1,
        "partido": "06441",
        "fecha": "2024-01-15",
        "monto": 1500.5,
        "obra": "Plaza Moreno",
        "terminada": True,
    }
    assert result["total"] == 5
    assert result["_links"]["start"].startswith("/api/3/action/datastore_search?")
    assert "offset=2" in result["_links"]["next"]


def test_datastore_search_by_name_with_filters_q_fields_sort(ckan, table):
    result = ckan(
        "datastore_search",
        {
            "resource_id": table.distribution.name,
            "filters": {"partido": ["06441", "06056"], "terminada": True},
            "q": "PARQUE",
            "fields": ["obra", "monto"],
            "sort": "monto desc",
        },
    ).result
    assert [r["obra"] for r in result["records"]] == ["Iluminación Parque San Martín"]
    assert result["total"] == 1


def test_datastore_search_get_with_json_encoded_filters_and_distinct(ckan, table):
    result = ckan(
        "datastore_search",
        {
            "resource_id": str(table.distribution.uuid),
            "filters": '{"partido": "06056"}',
            "fields": "partido",
            "distinct": "true",
        },
        method="GET",
    ).result
    assert result["records"] == [{"partido": "06056"}]


@pytest.mark.parametrize("records_format", ["lists", "csv", "tsv"])
def test_datastore_search_records_formats(ckan, table, records_format):
    result = ckan(
        "datastore_search",
        {
            "resource_id": str(table.distribution.uuid),
            "records_format": records_format,
            "fields": ["obra"],
            "sort": "_id",
        },
    ).result
    if records_format == "lists":
        assert result["records"][0] == [1, "Plaza Moreno"]
    else:
        rows = list(csv.reader(io.StringIO(result["records"]), delimiter="," if records_format == "csv" else "\t"))
        assert rows[1] == ["2", "Bacheo calle 7"]


def test_datastore_search_errors_are_ckan_errors(ckan, table):
    answer = ckan("datastore_search", {"resource_id": str(table.distribution.uuid), "filters": {"nope": 1}})
    assert (answer.status, answer.error["__type"]) == (409, "Validation Error")
    answer = ckan("datastore_search", {"resource_id": "no-existe"})
    assert (answer.status, answer.error["__type"]) == (404, "Not Found Error")
    answer = ckan("datastore_search", {"resource_id": str(table.distribution.uuid), "records_format": "xml"})
    assert answer.status == 409


def test_datastore_search_hides_drafts_from_visitors_and_shows_them_to_editors(ckan, draft_table, editor_token):
    answer = ckan("datastore_search", {"resource_id": str(draft_table.distribution.uuid)})
    assert answer.status == 404
    result = ckan("datastore_search", {"resource_id": str(draft_table.distribution.uuid)}, token=editor_token).result
    assert result["total"] == 5
    sql = f'SELECT count(*) AS n FROM "{draft_table.distribution.uuid}"'
    assert ckan("datastore_search_sql", {"sql": sql}).status == 404
    assert ckan("datastore_search_sql", {"sql": sql}, token=editor_token).result["records"] == [{"n": 5}]


def test_datastore_actions_have_help(ckan):
    assert "SELECT" in ckan("help_show", {"name": "datastore_search_sql"}).result


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ckanapi_client_reads_the_datastore(live_server, settings, municipality):
    settings.SITE_URL = live_server.url
    table = table_make(municipality, identifier="gastos-ckanapi")
    ckan = RemoteCKAN(live_server.url)
    found = ckan.action.datastore_search(resource_id=str(table.distribution.uuid), filters={"partido": "06056"})
    assert found["total"] == 2
    rows = ckan.action.datastore_search_sql(sql=f'SELECT max(monto) AS m FROM "{table.distribution.uuid}"')
    assert rows["records"] == [{"m": 3000.0}]
    with pytest.raises(CkanValidationError):
        ckan.action.datastore_search_sql(sql="SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(CkanNotFound):
        ckan.action.datastore_search(resource_id="no-existe")


def test_datastore_search_sql_answers_fields_and_records(ckan, table):
    sql = f'SELECT partido, sum(monto) AS total FROM "{table.distribution.uuid}" GROUP BY partido ORDER BY partido'
    result = ckan("datastore_search_sql", {"sql": sql}, method="GET").result
    assert result["fields"] == [{"id": "partido", "type": "text"}, {"id": "total", "type": "numeric"}]
    assert result["records"] == [{"partido": "06056", "total": 3000.0}, {"partido": "06441", "total": 1750.75}]
    assert "records_truncated" not in result
