"""Cross-municipality tables: two municipalities publish the same standard schema and are read as one table."""

import csv
import io

import pytest

from abiertos.accounts.models import Role
from abiertos.accounts.tests.factories import user_with_role
from abiertos.core.audit import AuditEvent
from abiertos.core.errors import PermissionDenied, ValidationError
from abiertos.datastore.combined import combined_table
from abiertos.datastore.query import Metric, TableQuery, table_aggregate, table_search
from abiertos.datastore.standards import (
    datastore_table_schema_set,
    fields_from_frictionless,
    standard_schema_save,
)
from abiertos.datastore.tests.tables import table_make

pytestmark = pytest.mark.django_db

FIELDS = [
    {"name": "fecha", "type": "date"},
    {"name": "monto", "type": "number"},
    {"name": "obra", "type": "string"},
]
BAHIA = "fecha,monto,obra,barrio\n2024-05-02,700,Puerto,Ingeniero White\n2024-06-01,80,Costanera,Centro\n"


@pytest.fixture
def admin_actor(provincial_admin, actor):
    return actor(provincial_admin)


@pytest.fixture
def schema(admin_actor):
    return standard_schema_save(identifier="obras-publicas", title="Obras públicas", fields=FIELDS, by=admin_actor)


@pytest.fixture
def tables(schema, municipality, other_municipality, admin_actor, settings, tmp_path):
    """La Plata's GASTOS (5 rows, monto is a number) and Bahía Blanca's (2 rows, monto an integer), both declared."""
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    la_plata = table_make(municipality, identifier="gastos")
    bahia = table_make(other_municipality, content=BAHIA, identifier="obras")
    for table in (la_plata, bahia):
        datastore_table_schema_set(table=table, schema=schema, by=admin_actor)
    return la_plata, bahia


def test_standard_schema_save_needs_the_province(schema, editor, actor):
    with pytest.raises(PermissionDenied):
        standard_schema_save(identifier="otro", title="Otro", fields=FIELDS, by=actor(editor))
    assert AuditEvent.objects.filter(action="datastore.schema_save").count() == 1


def test_standard_schema_save_rejects_reserved_and_unknown_fields(admin_actor):
    with pytest.raises(ValidationError) as caught:
        standard_schema_save(
            identifier="malo",
            title="Malo",
            fields=[{"name": "municipio", "type": "string"}, {"name": "x", "type": "money"}],
            by=admin_actor,
        )
    problems = " ".join(caught.value.fields["fields"])
    assert "reservado («municipio»)" in problems
    assert "el tipo «money» no existe" in problems


def test_fields_from_a_frictionless_descriptor():
    descriptor = {"fields": [{"name": "anio", "type": "year"}, {"name": "lugar", "type": "geojson"}, {"name": "n"}]}
    assert fields_from_frictionless(descriptor) == [
        {"name": "anio", "type": "integer", "description": ""},
        {"name": "lugar", "type": "geometry", "description": ""},
        {"name": "n", "type": "string", "description": ""},
    ]


def test_table_schema_set_is_checked_and_audited(tables, schema, editor, actor, other_municipality):
    la_plata, bahia = tables
    declared = datastore_table_schema_set(table=la_plata, schema=None, by=actor(editor))
    assert declared.table.schema == ""
    with pytest.raises(PermissionDenied):
        datastore_table_schema_set(table=bahia, schema=None, by=actor(editor))
    event = AuditEvent.objects.filter(action="datastore.schema_set").latest("id")
    assert event.changes == {"schema": ["obras-publicas", ""]}


def test_combined_table_is_the_union_with_a_municipio_column(tables, schema, citizen, actor):
    table = combined_table(schema=schema, actor=actor(citizen))
    assert [t.distribution.dataset.municipality.name for t in table.parts] == ["Bahía Blanca", "La Plata"]
    result = table_search(table=table, query=TableQuery(sort=[("monto", True)], limit=3))
    assert result.total == 7
    assert [f["id"] for f in result.fields] == ["_id", "municipio", "municipio_codigo", "fecha", "monto", "obra"]
    assert [(r[1], r[4], r[5]) for r in result.records] == [
        ("La Plata", 3000.0, "Hospital Municipal"),
        ("La Plata", 1500.5, "Plaza Moreno"),
        ("Bahía Blanca", 700.0, "Puerto"),
    ]
    # _id runs on across the parts: Bahía Blanca's rows are 1–2, La Plata's 3–7.
    assert sorted(r[0] for r in table_search(table=table, query=TableQuery(limit=10)).records) == list(range(1, 8))


def test_combined_table_filters_by_municipality_and_pages_with_a_cursor(tables, schema, citizen, actor):
    table = combined_table(schema=schema, actor=actor(citizen))
    bahia = table_search(table=table, query=TableQuery(filters={"municipio_codigo": ["06056"]}))
    assert [r[5] for r in bahia.records] == ["Puerto", "Costanera"]
    first = table_search(table=table, query=TableQuery(sort=[("obra", False)], limit=4))
    rest = table_search(table=table, query=TableQuery(sort=[("obra", False)], limit=4, cursor=first.next_cursor))
    names = [r[5] for r in first.records + rest.records]
    assert len(names) == 7
    assert names[:2] == ["Bacheo calle 7", "Costanera"]


def test_combined_table_aggregates_by_municipality(tables, schema, citizen, actor):
    table = combined_table(schema=schema, actor=actor(citizen))
    result = table_aggregate(table=table, group_by=["municipio"], metrics=[Metric("sum", "monto"), Metric("count")])
    assert result.records == [("Bahía Blanca", 780.0, 2), ("La Plata", 4750.75, 5)]


def test_non_conforming_tables_are_left_out_with_the_reason(tables, schema, municipality, admin_actor, citizen, actor):
    missing = table_make(municipality, content="fecha,monto\n2024-01-01,5\n", identifier="incompleta")
    wrong = table_make(municipality, content="fecha,monto,obra\n2024-01-01,mucho,Plaza\n", identifier="texto")
    for table in (missing, wrong):
        datastore_table_schema_set(table=table, schema=schema, by=admin_actor)
    combined = combined_table(schema=schema, actor=actor(citizen))
    reasons = {e.table.distribution.dataset.identifier: e.reasons for e in combined.excluded}
    assert reasons == {
        "incompleta": ["Falta la columna «obra»."],
        "texto": ["La columna «monto» es de tipo Texto y el esquema pide Número con decimales."],
    }
    assert table_search(table=combined, query=TableQuery()).total == 7


def test_draft_tables_join_only_for_who_may_see_them(tables, schema, municipality, admin_actor, citizen, editor, actor):
    draft = table_make(municipality, publish=False, identifier="borrador")
    datastore_table_schema_set(table=draft, schema=schema, by=admin_actor)
    assert table_search(table=combined_table(schema=schema, actor=actor(citizen)), query=TableQuery()).total == 7
    assert table_search(table=combined_table(schema=schema, actor=actor(editor)), query=TableQuery()).total == 12


def test_schema_pages_list_and_preview(client, tables, schema):
    listing = client.get("/datos/esquemas/").content.decode()
    assert 'href="/datos/esquemas/obras-publicas/"' in listing
    assert "2 tablas lo declaran: Bahía Blanca, La Plata." in listing
    detail = client.get("/datos/esquemas/obras-publicas/", {"filter.municipio": "Bahía Blanca"}).content.decode()
    assert "Filas 1 a 2 de 2." in detail
    assert "<td>Ingeniero White</td>" not in detail  # barrio is not in the schema
    assert "<td>Puerto</td>" in detail
    assert client.get("/datos/esquemas/no-existe/").status_code == 404


def test_schema_download_of_the_filtered_combined_table(client, tables, schema):
    response = client.get("/datos/esquemas/obras-publicas/descargar.csv", {"q": "plaza"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows == [
        ["_id", "municipio", "municipio_codigo", "fecha", "monto", "obra"],
        ["3", "La Plata", "06441", "2024-01-15", "1500.5", "Plaza Moreno"],
    ]


def test_schema_api_lists_and_queries(client, tables, schema):
    listed = client.get("/api/v1/schemas").json()
    assert listed[0]["slug"] == "obras-publicas"
    assert listed[0]["municipalities"] == ["Bahía Blanca", "La Plata"]
    rows = client.get("/api/v1/schemas/obras-publicas/rows?municipio_codigo=06441&sort=-monto&limit=2").json()
    assert rows["total"] == 5
    assert [r["obra"] for r in rows["records"]] == ["Hospital Municipal", "Plaza Moreno"]
    assert rows["excluded"] == []
    totals = client.get("/api/v1/schemas/obras-publicas/aggregate?group_by=municipio&metrics=count").json()
    assert totals["records"] == [{"municipio": "Bahía Blanca", "count": 2}, {"municipio": "La Plata", "count": 5}]
    assert client.get("/api/v1/schemas/obras-publicas/rows?barrio=Centro").status_code == 400


def test_publisher_declares_the_schema_on_the_table_page(client, tables, schema, municipality):
    la_plata, _bahia = tables
    user = user_with_role(Role.MUNICIPAL_EDITOR, municipality, email="otra-editora@example.org")
    client.force_login(user)
    d = la_plata.distribution
    url = f"/m/{municipality.slug}/datos/{d.dataset.identifier}/recursos/{d.identifier}/tabla/esquema/"
    response = client.post(url, {"schema": ""}, follow=True)
    assert "Esquema guardado." in response.content.decode()
    la_plata.refresh_from_db()
    assert la_plata.schema == ""
    page = client.get(f"/m/{municipality.slug}/datos/{d.dataset.identifier}/recursos/{d.identifier}/tabla/")
    assert '<option value="obras-publicas">Obras públicas</option>' in page.content.decode()


def test_schema_chart_compares_municipalities(client, tables, schema):
    body = client.get("/datos/esquemas/obras-publicas/grafico/", {"funcion": "sum", "valor": "monto"}).content.decode()
    assert '<title id="chart-title">Suma de monto por municipio</title>' in body
    assert '<th scope="row">La Plata</th><td>4.750,75</td><td>85,9 %</td>' in body
    assert '<th scope="row">Bahía Blanca</th><td>780</td><td>14,1 %</td>' in body
    embed = client.get("/datos/esquemas/obras-publicas/grafico/embed/", {"categoria": "municipio"})
    assert "X-Frame-Options" not in embed.headers
    assert "<h1>Cantidad de filas por municipio</h1>" in embed.content.decode()
    detail = client.get("/datos/esquemas/obras-publicas/", {"filter.obra": "Puerto"}).content.decode()
    assert 'href="/datos/esquemas/obras-publicas/grafico/?filter.obra=Puerto"' in detail


def test_schema_chart_draws_one_line_per_municipality(client, tables, schema):
    query = {"tipo": "lineas", "categoria": "fecha", "funcion": "sum", "valor": "monto", "serie": "municipio"}
    body = client.get("/datos/esquemas/obras-publicas/grafico/", query).content.decode()
    assert '<title id="chart-title">Suma de monto por fecha y municipio</title>' in body
    assert body.count('<g class="chart-series">') == 2
    table = body[body.index('<table class="chart-table">') :]
    assert '<th scope="col">fecha</th><th scope="col">La Plata</th><th scope="col">Bahía Blanca</th>' in table
    assert '<th scope="row">2024-05-02</th><td>—</td><td>700</td>' in table
    embed = client.get("/datos/esquemas/obras-publicas/grafico/embed/", query).content.decode()
    assert 'class="chart-legend"' in embed


def test_combined_table_pages_in_id_order_without_a_sort(tables, schema, citizen, actor):
    table = combined_table(schema=schema, actor=actor(citizen))
    first = table_search(table=table, query=TableQuery(limit=3))
    rest = table_search(table=table, query=TableQuery(limit=10, cursor=first.next_cursor))
    assert [r[0] for r in first.records + rest.records] == list(range(1, 8))
    assert [r[1] for r in first.records[:2]] == ["Bahía Blanca", "Bahía Blanca"]
