"""A visitor explores a published table: opens it from the dataset page, filters it, downloads the filtered CSV."""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from abiertos.datastore.tests.tables import table_make

from .conftest import axe_check

pytestmark = pytest.mark.browser


def test_visitor_filters_a_table_and_downloads_the_filtered_csv(page, municipality, settings, tmp_path):
    settings.DATASTORE_ROOT = tmp_path / "datastore"
    table = table_make(municipality, identifier="gastos")
    page.goto(table.distribution.dataset.get_absolute_url())
    page.get_by_role("link", name="Ver y filtrar la tabla").click()
    expect(page.locator("h1")).to_contain_text("Explorar")
    expect(page.get_by_role("status")).to_have_text("Filas 1 a 5 de 5.")
    axe_check(page)

    page.get_by_text("Filtrar por columna (valor exacto)").click()
    page.get_by_label("partido", exact=True).fill("06056")
    page.get_by_label("partido", exact=True).press("Enter")
    expect(page.get_by_role("status")).to_have_text("Filas 1 a 2 de 2.")
    page.get_by_role("link", name="monto — ordenar").click()
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("monto")
    axe_check(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV filtrado").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert [r[4] for r in rows] == ["obra", "Hospital Municipal", "Señalización Avenida Alem"]
