"""CKAN's datastore actions on a standard schema's combined table, a virtual resource with a stable id."""

import csv
import io
import json
from uuid import NAMESPACE_URL, uuid5

import pytest
from ckanapi import RemoteCKAN
from ckanapi.errors import NotFound as CkanNotFound
from ckanapi.errors import ValidationError as CkanValidationError

from abiertos.datastore.combined import RESOURCE_NAMESPACE, combined_resource_id
from abiertos.datastore.models import DatastoreTable
from abiertos.datastore.standards import datastore_table_schema_set, standard_schema_save
from abiertos.datastore.tests.tables import table_make

pytestmark = pytest.mark.django_db

FIELDS = [
    {"name": "fecha", "type": "date"},
    {"name": "monto", "type": "number", "description": "Pesos"},
    {"name": "obra", "type": "string"},
]
BAHIA = "fecha,monto,obra,barrio\n2024-05-02,700,Puerto,Ingeniero White\n2024-06-01,80,Costanera,Centro\n"


@pytest.fixture
def schema(provincial_admin, actor):
    return standard_schema_save(
        identifier="obras-publicas", title="Obras públicas", fields=FIELDS, by=actor(provincial_admin)
    )


@pytest.fixture
def combined(schema, municipality, other_municipality, provincial_admin, actor, settings, tmp_path):
    """La Plata's 5 rows and Bahía Blanca's 2, both declared: the combined table's resource id."""
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    for table in (
        table_make(municipality, identifier="gastos"),
        table_make(other_municipality, content=BAHIA, identifier="obras"),
    ):
        datastore_table_schema_set(table=table, schema=schema, by=actor(provincial_admin))
    return combined_resource_id(schema)


def test_combined_resource_id_is_a_uuid5_of_the_schema_identifier(schema):
    assert uuid5(NAMESPACE_URL, "https://municipios-abiertos/esquemas") == RESOURCE_NAMESPACE
    assert combined_resource_id(schema) == str(uuid5(RESOURCE_NAMESPACE, "obras-publicas"))
    schema.slug, schema.title = "otro-slug", "Otro título"
    assert combined_resource_id(schema) == str(uuid5(RESOURCE_NAMESPACE, "obras-publicas"))


def test_resource_show_and_the_rest_api_give_the_combined_resource_id(ckan, client, combined):
    resource = ckan("resource_show", {"id": combined}).result
    assert resource["id"] == combined
    assert resource["resource_name"] == "esquema_obras-publicas"
    assert resource["datastore_active"] is True
    assert resource["url"].endswith(f"/datastore/dump/{combined}")
    assert resource["municipalities"] == ["Bahía Blanca", "La Plata"]
    assert [f["id"] for f in json.loads(resource["attributesDescription"])] == [
        "municipio",
        "municipio_codigo",
        "fecha",
        "monto",
        "obra",
    ]
    assert client.get("/api/v1/schemas").json()[0]["ckan_resource_id"] == combined
    assert combined in client.get("/datos/esquemas/obras-publicas/").content.decode()


def test_datastore_search_on_the_combined_table(ckan, combined):
    result = ckan("datastore_search", {"resource_id": combined, "limit": 3}).result
    assert result["fields"] == [
        {"id": "_id", "type": "int"},
        {"id": "municipio", "type": "text"},
        {"id": "municipio_codigo", "type": "text"},
        {"id": "fecha", "type": "date"},
        {"id": "monto", "type": "numeric", "info": {"notes": "Pesos", "unit": ""}},
        {"id": "obra", "type": "text"},
    ]
    assert result["records"][0] == {
        "_id": 1,
        "municipio": "Bahía Blanca",
        "municipio_codigo": "06056",
        "fecha": "2024-05-02",
        "monto": 700.0,
        "obra": "Puerto",
    }
    assert result["total"] == 7
    assert result["resource_id"] == combined
    assert "offset=3" in result["_links"]["next"]
    assert f"resource_id={combined}" in result["_links"]["next"]


def test_datastore_search_combined_filters_q_fields_sort_distinct_and_pages(ckan, combined):
    def search(**params):
        return ckan("datastore_search", {"resource_id": "esquema_obras-publicas", **params}).result

    found = search(filters={"municipio_codigo": "06441"}, q="plaza", fields=["municipio", "obra"], sort="monto desc")
    # _id always comes along, as in CKAN (La Plata's rows are 3–7).
    assert found["records"] == [{"_id": 3, "municipio": "La Plata", "obra": "Plaza Moreno"}]
    assert found["total"] == 1
    page = search(sort="monto desc", limit=2, offset=1, fields="obra,monto")
    assert [(r["obra"], r["monto"]) for r in page["records"]] == [("Plaza Moreno", 1500.5), ("Puerto", 700.0)]
    assert search(fields="municipio", distinct=True, sort="municipio")["records"] == [
        {"municipio": "Bahía Blanca"},
        {"municipio": "La Plata"},
    ]
    assert "total" not in search(include_total=False, limit=1)
    lists = search(records_format="lists", fields="municipio_codigo,obra", limit=1)["records"]
    assert lists == [[1, "06056", "Puerto"]]
    text = search(records_format="csv", fields="municipio,monto", filters={"obra": "Costanera"})["records"]
    assert list(csv.reader(io.StringIO(text))) == [["2", "Bahía Blanca", "80.0"]]


def test_datastore_search_combined_errors_are_ckan_errors(ckan, combined):
    unknown = ckan("datastore_search", {"resource_id": str(uuid5(RESOURCE_NAMESPACE, "no-existe"))})
    assert unknown.status == 404
    assert unknown.error["__type"] == "Not Found Error"
    bad_column = ckan("datastore_search", {"resource_id": combined, "filters": {"barrio": "Centro"}})
    assert bad_column.status == 409
    assert bad_column.error["filters"] == ["La tabla no tiene una columna «barrio»."]
    bad_value = ckan("datastore_search", {"resource_id": combined, "filters": {"monto": "mucho"}})
    assert bad_value.status == 409
    assert "monto" in bad_value.error["filters"][0]
    bad_sort = ckan("datastore_search", {"resource_id": combined, "sort": "barrio desc"})
    assert bad_sort.error["sort"] == ["La tabla no tiene una columna «barrio»."]


def test_datastore_search_sql_over_the_combined_table_and_a_join(ckan, combined):
    sql = f'SELECT municipio, sum(monto) AS total FROM "{combined}" GROUP BY municipio ORDER BY municipio'
    result = ckan("datastore_search_sql", {"sql": sql}).result
    assert result["records"] == [
        {"municipio": "Bahía Blanca", "total": 780.0},
        {"municipio": "La Plata", "total": 4750.75},
    ]
    by_name = ckan("datastore_search_sql", {"sql": 'SELECT count(*) AS n FROM "esquema_obras-publicas"'}).result
    assert by_name["records"] == [{"n": 7}]
    la_plata = DatastoreTable.objects.get(distribution__dataset__identifier="gastos").distribution.uuid
    join = (
        f'SELECT c.municipio, g.partido FROM "{combined}" c JOIN "{la_plata}" g ON c.obra = g.obra '
        "WHERE c.monto > 1000 ORDER BY c.monto"
    )
    assert ckan("datastore_search_sql", {"sql": join}).result["records"] == [
        {"municipio": "La Plata", "partido": "06441"},
        {"municipio": "La Plata", "partido": "06056"},
    ]
    # The parts' own views cannot be named.
    hidden = ckan("datastore_search_sql", {"sql": 'SELECT * FROM "~0~0"'})
    assert hidden.error["__type"] == "Not Found Error"


def test_combined_table_without_conforming_tables_is_empty_not_an_error(ckan, schema):
    resource_id = combined_resource_id(schema)
    result = ckan("datastore_search", {"resource_id": resource_id}).result
    assert (result["total"], result["records"]) == (0, [])
    rows = ckan("datastore_search_sql", {"sql": f'SELECT count(*) AS n FROM "{resource_id}"'}).result
    assert rows["records"] == [{"n": 0}]


def test_dump_of_the_combined_table(client, combined):
    response = client.get(f"/datastore/dump/{combined}", {"municipio": "Bahía Blanca"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows == [
        ["_id", "municipio", "municipio_codigo", "fecha", "monto", "obra"],
        ["1", "Bahía Blanca", "06056", "2024-05-02", "700.0", "Puerto"],
        ["2", "Bahía Blanca", "06056", "2024-06-01", "80.0", "Costanera"],
    ]
    dumped = json.loads(b"".join(client.get(f"/datastore/dump/{combined}?format=json").streaming_content))
    assert len(dumped["records"]) == 7
    assert client.get(f"/datastore/dump/{combined}?format=parquet").status_code == 400


def test_draft_parts_join_the_combined_resource_only_for_editors(
    ckan, combined, schema, municipality, provincial_admin, actor, editor_token
):
    draft = table_make(municipality, publish=False, identifier="borrador")
    datastore_table_schema_set(table=draft, schema=schema, by=actor(provincial_admin))
    assert ckan("datastore_search", {"resource_id": combined}).result["total"] == 7
    assert ckan("datastore_search", {"resource_id": combined}, token=editor_token).result["total"] == 12


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ckanapi_client_reads_the_combined_table(live_server, settings, combined):
    settings.SITE_URL = live_server.url
    ckan = RemoteCKAN(live_server.url)
    resource = ckan.action.resource_show(id=combined)
    assert resource["datastore_active"] is True
    found = ckan.action.datastore_search(
        resource_id=combined, filters={"municipio": "La Plata"}, sort="monto desc", limit=2
    )
    assert found["total"] == 5
    assert [r["obra"] for r in found["records"]] == ["Hospital Municipal", "Plaza Moreno"]
    assert {r["municipio_codigo"] for r in found["records"]} == {"06441"}
    rows = ckan.action.datastore_search_sql(sql=f'SELECT count(DISTINCT municipio) AS n FROM "{combined}"')
    assert rows["records"] == [{"n": 2}]
    with pytest.raises(CkanValidationError):
        ckan.action.datastore_search(resource_id=combined, filters={"barrio": "Centro"})
    with pytest.raises(CkanNotFound):
        ckan.action.datastore_search(resource_id="esquema_no-existe")
