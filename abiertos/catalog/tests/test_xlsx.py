"""catalog.xlsx: the national template, written from the catalog and read back."""

import io
import json

import pytest
from openpyxl import load_workbook

from abiertos.catalog.tests.catalog_samples import PYDATAJSON_SAMPLES, catalog_populate
from abiertos.catalog.xlsx_export import XLSX_MEDIA_TYPE
from abiertos.catalog.xlsx_import import xlsx_catalog_read


@pytest.fixture
def sample(municipality, other_municipality):
    return catalog_populate(municipality, other_municipality)


def _xlsx(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content), response


def test_catalog_xlsx_has_the_template_sheets_and_headers(client, sample):
    body, response = _xlsx(client, "/m/la-plata/catalog.xlsx")
    ours = load_workbook(io.BytesIO(body), read_only=True)
    template = load_workbook(PYDATAJSON_SAMPLES / "catalogo-justicia.valid.xlsx", read_only=True)

    assert response["Content-Type"] == XLSX_MEDIA_TYPE
    assert response["Access-Control-Allow-Origin"] == "*"
    assert ours.sheetnames == [s for s in template.sheetnames if s != "Notas y referencias"]
    for sheet in ("Catalog", "Theme", "Dataset", "Distribution", "Field"):
        our_headers = next(ours[sheet].iter_rows(values_only=True))
        template_headers = [h for h in next(template[sheet].iter_rows(values_only=True)) if h]
        # Every column of the template is there, plus the identifiers pydatajson now requires.
        assert set(template_headers) <= set(our_headers), sheet


def test_catalog_xlsx_rows_hold_the_published_catalog(client, sample):
    body, _ = _xlsx(client, "/m/la-plata/catalog.xlsx")
    wb = load_workbook(io.BytesIO(body), read_only=True)
    datasets = list(wb["Dataset"].iter_rows(values_only=True))
    header = datasets[0]
    rows = [dict(zip(header, row, strict=True)) for row in datasets[1:]]

    assert sorted(r["dataset_identifier"] for r in rows) == ["obras-publicas", "presupuesto-2025"]
    budget = next(r for r in rows if r["dataset_identifier"] == "presupuesto-2025")
    assert budget["dataset_keyword"] == "presupuesto,gasto público,educación,año 2025"
    assert budget["dataset_theme"] == "gasto-publico,presupuesto"
    assert budget["dataset_contactPoint_hasEmail"] == "datos@laplata.example.org"
    fields = list(wb["Field"].iter_rows(values_only=True))
    assert [r[4] for r in fields[1:] if r[2] == "presupuesto-2025-csv"] == ["año", "monto", "partida"]


def test_catalog_xlsx_reads_back_as_the_datajson(client, sample):
    body, _ = _xlsx(client, "/catalog.xlsx")
    as_json = json.loads(b"".join(client.get("/data.json").streaming_content))

    read = xlsx_catalog_read(io.BytesIO(body))

    assert read.problems == []
    assert read.catalog["identifier"] == as_json["identifier"]
    assert read.catalog["publisher"] == as_json["publisher"]
    assert [t["id"] for t in read.catalog["themeTaxonomy"]] == [t["id"] for t in as_json["themeTaxonomy"]]
    for ours, expected in zip(read.catalog["dataset"], as_json["dataset"], strict=True):
        for key in ("identifier", "title", "superTheme", "keyword", "issued", "modified", "accrualPeriodicity"):
            assert ours.get(key) == expected.get(key), key
        assert [d["identifier"] for d in ours["distribution"]] == [d["identifier"] for d in expected["distribution"]]
        for dist, expected_dist in zip(ours["distribution"], expected["distribution"], strict=True):
            assert dist["downloadURL"] == expected_dist["downloadURL"]
            assert dist.get("byteSize") == expected_dist.get("byteSize")
            assert [f["title"] for f in dist.get("field", [])] == [f["title"] for f in expected_dist.get("field", [])]


def test_xlsx_read_real_template_places_every_row():
    with (PYDATAJSON_SAMPLES / "catalogo-justicia.valid.xlsx").open("rb") as stream:
        read = xlsx_catalog_read(stream)

    assert read.problems == []
    assert len(read.catalog["dataset"]) == 18
    assert sum(len(d["distribution"]) for d in read.catalog["dataset"]) == 71
    infoleg = read.catalog["dataset"][0]
    assert infoleg["identifier"] == "d9a963ea-8b1d-4ca3-9dd9-07a4773e8c23"
    assert infoleg["keyword"][0] == "acordadas"
    assert infoleg["publisher"]["mbox"] == "datosabiertos@saij.gob.ar"
    assert [f["title"] for f in infoleg["distribution"][0]["field"]][:2] == ["id_norma", "tipo_norma"]
    assert read.rows["dataset[0]"] == ("Dataset", 2, "dataset_")


def test_xlsx_read_rejects_a_file_that_is_not_a_workbook():
    with pytest.raises(ValueError, match="xlsx"):
        xlsx_catalog_read(io.BytesIO(b"no soy una planilla"))
