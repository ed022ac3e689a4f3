import csv
import io

from openpyxl import load_workbook

from abiertos.catalog.demo import demo_catalog_seed
from abiertos.catalog.models import Dataset, DatasetStatus
from abiertos.core.actors import Actor
from abiertos.core.tests.factories import municipality_make


def test_demo_catalog_seed_publishes_marked_csv_and_xlsx_datasets_once(db):
    municipality_make("La Plata", code="06441", slug="la-plata", centroid_lat=-34.92, centroid_lon=-57.95)
    municipality_make("Bahía Blanca", code="06056", slug="bahia-blanca")
    created = demo_catalog_seed(by=Actor.system("demo"))
    assert len(created) == 7  # La Plata gets two budgets
    assert demo_catalog_seed(by=Actor.system("demo")) == []
    works = Dataset.objects.get(municipality__slug="la-plata", identifier="obras-publicas")
    assert works.is_demo
    assert works.status == DatasetStatus.PUBLISHED
    assert "demostración" in works.description
    assert "demo" in works.keywords
    formats = sorted(d.format for d in works.distributions.all())
    assert formats == ["CSV", "XLSX"]
    rows = list(csv.DictReader(io.StringIO(works.distributions.get(format="CSV").file.read().decode())))
    assert len(rows) == 40
    assert -35.0 < float(rows[0]["latitud"]) < -34.8
    sheet = load_workbook(works.distributions.get(format="XLSX").file.open("rb")).active
    assert sheet.max_row == 41
    assert sheet["J1"].value == "latitud"
