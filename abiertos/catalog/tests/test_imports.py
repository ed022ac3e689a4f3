"""Bulk import of a whole catalog (data.json or catalog.xlsx) into a municipality."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from abiertos.catalog.import_jobs import IMPORT_JOB_KIND, catalog_import_enqueue
from abiertos.catalog.imports import catalog_import
from abiertos.catalog.models import Dataset, DatasetRevision, DatasetStatus, Distribution
from abiertos.catalog.tests.catalog_samples import PYDATAJSON_SAMPLES, SHARED_DATA, catalog_populate
from abiertos.core.actors import Actor
from abiertos.core.errors import PermissionDenied
from abiertos.core.models import AuditEvent
from abiertos.core.tests.factories import municipality_make
from abiertos.jobs.models import Job, JobStatus

SYSTEM = Actor.system("test")
JUSTICIA_JSON = PYDATAJSON_SAMPLES / "catalogo_justicia.json"
JUSTICIA_XLSX = PYDATAJSON_SAMPLES / "catalogo-justicia.valid.xlsx"
JUSTICIA_INVALID_XLSX = PYDATAJSON_SAMPLES / "catalogo-justicia-con-error-datasets.invalid.xlsx"
DCAT_EXAMPLES = SHARED_DATA / "ckan" / "dcat_examples"
COMPARED_DATASET_KEYS = (
    "identifier",
    "title",
    "description",
    "superTheme",
    "theme",
    "keyword",
    "accrualPeriodicity",
    "issued",
    "modified",
    "temporal",
    "spatial",
    "license",
    "contactPoint",
    "landingPage",
)
COMPARED_DISTRIBUTION_KEYS = ("identifier", "title", "description", "downloadURL", "format", "mediaType", "field")


@pytest.fixture
def empty_municipality(db):
    return municipality_make("Tandil", code="06791", slug="tandil")


def _import(municipality, path, **options):
    options.setdefault("by", SYSTEM)
    return catalog_import(municipality=municipality, data=path.read_bytes(), filename=path.name, **options)


def _datajson(client, url):
    return json.loads(b"".join(client.get(url).streaming_content))


def _comparable(catalog, *, with_fields=True):
    keys = [k for k in COMPARED_DISTRIBUTION_KEYS if with_fields or k != "field"]
    return {
        d["identifier"]: {
            **{k: d.get(k) for k in COMPARED_DATASET_KEYS},
            "keyword": sorted(d.get("keyword", [])),
            "distribution": sorted(
                ({k: x.get(k) for k in keys} for x in d["distribution"]), key=lambda x: x["identifier"]
            ),
        }
        for d in catalog["dataset"]
    }


def test_import_justicia_json_dry_run_plans_creates_and_writes_nothing(municipality):
    report = _import(municipality, JUSTICIA_JSON)

    # One real title is longer than the profile's 100 characters (publisher names of 211 and 272
    # characters fit: the model keeps 300).
    assert report.counts == {"create": 15, "update": 0, "unchanged": 0, "invalid": 1}
    assert [str(e) for e in report.errors] == [
        "dataset[7].title: El título puede tener hasta 100 caracteres (tiene 129).",
    ]
    assert not report.applied
    assert not Dataset.objects.filter(municipality=municipality).exists()


def test_import_with_errors_writes_nothing_unless_told_to_skip_them(municipality):
    refused = _import(municipality, JUSTICIA_JSON, dry_run=False)

    assert not refused.applied
    assert not Dataset.objects.filter(municipality=municipality).exists()


def test_import_justicia_json_applies_through_the_services(municipality):
    report = _import(municipality, JUSTICIA_JSON, dry_run=False, skip_invalid=True)

    assert report.applied
    datasets = Dataset.objects.filter(municipality=municipality)
    assert datasets.count() == 15
    assert set(datasets.values_list("status", flat=True)) == {DatasetStatus.PUBLISHED}
    infoleg = datasets.get(identifier="d9a963ea-8b1d-4ca3-9dd9-07a4773e8c23")
    assert infoleg.title == "Base de datos legislativos Infoleg"
    assert infoleg.license == "odc-odbl"
    assert infoleg.accrual_periodicity == "R/P1M"
    assert timezone.localtime(infoleg.modified).isoformat().startswith("2016-12-19T18:19:32")
    assert "boletín oficial" in infoleg.keywords
    assert list(infoleg.distributions.values_list("identifier", flat=True)) == ["1", "2", "3"]
    assert infoleg.distributions.get(identifier="1").fields.count() == 17
    assert Distribution.objects.filter(dataset__municipality=municipality).count() == 55
    assert DatasetRevision.objects.filter(dataset=infoleg).exists()
    assert AuditEvent.objects.filter(action="dataset.create", municipality=municipality).count() == 15


def test_import_again_is_unchanged_and_a_changed_title_is_an_update(municipality):
    _import(municipality, JUSTICIA_JSON, dry_run=False, skip_invalid=True)
    catalog = json.loads(JUSTICIA_JSON.read_text())
    catalog["dataset"][0]["title"] = "Infoleg: normativa nacional"
    catalog["dataset"][0]["distribution"][0]["title"] = "Normativa nacional"

    again = _import(municipality, JUSTICIA_JSON)
    changed = catalog_import(
        municipality=municipality,
        data=json.dumps(catalog).encode(),
        filename="data.json",
        by=SYSTEM,
        dry_run=False,
        skip_invalid=True,
    )

    assert again.counts["unchanged"] == 15
    assert changed.datasets[0].action == "update"
    assert changed.datasets[0].changes == ["title", "1.title"]
    infoleg = Dataset.objects.get(municipality=municipality, identifier="d9a963ea-8b1d-4ca3-9dd9-07a4773e8c23")
    assert infoleg.title == "Infoleg: normativa nacional"
    assert infoleg.distributions.get(identifier="1").title == "Normativa nacional"


def test_import_justicia_xlsx_dry_run_then_apply(municipality):
    plan = _import(municipality, JUSTICIA_XLSX)

    assert plan.counts == {"create": 17, "update": 0, "unchanged": 0, "invalid": 1}
    assert [str(e) for e in plan.errors][:1] == [
        "Hoja «Dataset», fila 9, columna «dataset_title»: El título puede tener hasta 100 caracteres (tiene 129).",
    ]
    applied = _import(municipality, JUSTICIA_XLSX, dry_run=False, skip_invalid=True)
    assert applied.applied
    assert Dataset.objects.filter(municipality=municipality).count() == 17
    caj = Dataset.objects.get(municipality=municipality, identifier="9775fcdf-99b9-47f6-87ae-6d46cfd15b40")
    assert caj.title == "Centros de Acceso a la Justicia -CAJ-"


def test_import_invalid_xlsx_reports_sheet_row_and_column_and_writes_nothing(municipality):
    report = _import(municipality, JUSTICIA_INVALID_XLSX, dry_run=False)

    assert not report.applied
    assert report.counts["invalid"] == 16
    first = report.errors[0]
    assert (first.sheet, first.row, first.column) == ("Dataset", 2, "dataset_title")
    assert str(first) == "Hoja «Dataset», fila 2, columna «dataset_title»: El título es obligatorio."
    assert {e.row for e in report.errors} == set(range(2, 18))
    assert not Dataset.objects.filter(municipality=municipality).exists()


def test_import_row_errors_for_distributions_and_fields(municipality):
    catalog = json.loads(JUSTICIA_JSON.read_text())
    catalog["dataset"] = catalog["dataset"][:1]
    catalog["dataset"][0]["distribution"][0]["downloadURL"] = "ftp://con espacios/archivo.csv"
    catalog["dataset"][0]["distribution"][0]["field"][1]["title"] = "id_norma"
    catalog["dataset"][0]["issued"] = "ayer"

    report = catalog_import(municipality=municipality, data=json.dumps(catalog).encode(), filename="d.json", by=SYSTEM)

    messages = {e.path: e.message for e in report.errors}
    assert "dataset[0].issued" in messages
    assert "dataset[0].distribution[0].downloadURL" in messages
    assert messages["dataset[0].distribution[0].field[1].title"] == "La columna «id_norma» está repetida."


def test_import_rejects_repeated_identifiers(municipality):
    catalog = json.loads(JUSTICIA_JSON.read_text())
    catalog["dataset"][1]["identifier"] = catalog["dataset"][0]["identifier"]

    report = catalog_import(municipality=municipality, data=json.dumps(catalog).encode(), filename="d.json", by=SYSTEM)

    assert any(e.path == "dataset[1].identifier" and "se repite" in e.message for e in report.errors)


def test_import_accepts_dcat_us_fields(municipality):
    pod = {
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "dataset": [
            {
                "identifier": "arbolado",
                "title": "Arbolado urbano",
                "description": "Censo de árboles de veredas.",
                "keyword": ["arbolado", "espacio público"],
                "modified": "2024-03-01",
                "issued": "2024-01-01",
                "publisher": {"@type": "org:Organization", "name": "Dirección de Ambiente"},
                "contactPoint": {"@type": "vcard:Contact", "fn": "Ambiente", "hasEmail": "mailto:ambiente@example.org"},
                "superTheme": ["ENVI"],
                "accrualPeriodicity": "R/P1Y",
                "license": "https://creativecommons.org/licenses/by/4.0/",
                "distribution": [{"downloadURL": "https://example.org/arbolado.csv", "mediaType": "text/csv"}],
            }
        ],
    }

    report = catalog_import(
        municipality=municipality, data=json.dumps(pod).encode(), filename="pod.json", by=SYSTEM, dry_run=False
    )

    assert report.applied, [str(i) for i in report.errors]
    dataset = Dataset.objects.get(municipality=municipality, identifier="arbolado")
    assert dataset.contact_email == "ambiente@example.org"
    assert dataset.license == "cc-by-4.0"
    distribution = dataset.distributions.get()
    assert distribution.identifier == "arbolado-1"
    assert distribution.format == "CSV"


@pytest.mark.parametrize("export", ["data.json", "catalog.xlsx", "catalog.ttl", "catalog.rdf", "catalog.jsonld"])
def test_import_round_trip_export_then_import_into_an_empty_municipality(
    client, municipality, other_municipality, empty_municipality, export
):
    catalog_populate(municipality, other_municipality)
    response = client.get(f"/m/la-plata/{export}")
    body = b"".join(response.streaming_content) if response.streaming else response.content

    report = catalog_import(municipality=empty_municipality, data=body, filename=export, by=SYSTEM, dry_run=False)

    assert report.applied, [str(i) for i in report.errors]
    assert report.counts["create"] == 2
    # DCAT has no data dictionary (fields) in DCAT-AP; everything else survives every format.
    with_fields = not export.startswith("catalog.") or export == "catalog.xlsx"
    original = _comparable(_datajson(client, "/m/la-plata/data.json"), with_fields=with_fields)
    copy = _comparable(_datajson(client, "/m/tandil/data.json"), with_fields=with_fields)
    assert copy == original


def test_import_needs_permission_in_that_municipality(municipality, other_municipality, editor, actor):
    with pytest.raises(PermissionDenied):
        _import(other_municipality, JUSTICIA_JSON, by=actor(editor))
    assert _import(municipality, JUSTICIA_JSON, by=actor(editor)).counts["create"] == 15


def test_import_unreadable_file_is_one_clear_error(municipality):
    report = catalog_import(municipality=municipality, data=b"{no es json", filename="data.json", by=SYSTEM)

    assert len(report.errors) == 1
    assert "JSON" in report.errors[0].message


def test_import_job_runs_in_the_background_and_reports(municipality, editor, actor, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("catalogo.json", JUSTICIA_JSON.read_bytes(), content_type="application/json")

    with django_capture_on_commit_callbacks(execute=True):
        job = catalog_import_enqueue(municipality=municipality, upload=upload, by=actor(editor), skip_invalid=True)

    job = Job.objects.get(pk=job.pk)
    assert job.kind == IMPORT_JOB_KIND
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["counts"]["create"] == 15
    assert job.result["dry_run"] is True
    assert (job.progress_done, job.progress_total) == (16, 16)
    assert job.message == "Revisando: conjunto 16 de 16"
    assert not Dataset.objects.filter(municipality=municipality).exists()


def test_import_job_fails_clearly_when_the_catalog_has_errors(
    municipality, editor, actor, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("errores.xlsx", JUSTICIA_INVALID_XLSX.read_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        job = catalog_import_enqueue(municipality=municipality, upload=upload, by=actor(editor), dry_run=False)

    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED
    assert job.error == "No se importó nada: el catálogo tiene 16 errores."


def test_catalog_import_command_dry_run_prints_the_plan(municipality):
    out = io.StringIO()
    call_command("catalog_import", "la-plata", str(JUSTICIA_XLSX), "--dry-run", stdout=out)

    text = out.getvalue()
    assert text.startswith("Simulación: 17 nuevos, 0 a actualizar, 0 sin cambios, 1 con errores.")
    assert "Hoja «Dataset», fila 9, columna «dataset_title»" in text
    assert not Dataset.objects.filter(municipality=municipality).exists()


def test_catalog_import_command_refuses_a_catalog_with_errors(municipality):
    with pytest.raises(CommandError, match="No se importó nada"):
        call_command("catalog_import", "la-plata", str(JUSTICIA_INVALID_XLSX), stdout=io.StringIO())


def test_export_catalog_command_writes_datajson_and_xlsx(municipality, other_municipality, tmp_path):
    catalog_populate(municipality, other_municipality)
    call_command("export_catalog", "--municipality", "la-plata", "--output", str(tmp_path / "data.json"))
    call_command("export_catalog", "--format", "xlsx", "--output", str(tmp_path / "catalog.xlsx"))

    exported = json.loads((tmp_path / "data.json").read_text())
    assert sorted(d["identifier"] for d in exported["dataset"]) == ["obras-publicas", "presupuesto-2025"]
    assert (tmp_path / "catalog.xlsx").read_bytes()[:2] == b"PK"


def test_import_reads_dcat_examples_and_reports_what_the_profile_misses(municipality):
    report = _import(municipality, DCAT_EXAMPLES / "dcat_catalog.rdf")

    assert report.counts == {"create": 0, "update": 0, "unchanged": 0, "invalid": 2}
    assert [p.identifier for p in report.datasets] == ["catalog-datasets-1", "catalog-datasets-2"]
    errors = {(e.path, e.message) for e in report.errors}
    assert (
        "dataset[0].superTheme",
        "Elegí al menos un tema global (por ejemplo «Gobierno y sector público»).",
    ) in errors
    assert any(e.path == "dataset[0].license" and "no está entre" in e.message for e in report.errors)
    assert any(w.path == "dataset[0].identifier" and "es una dirección" in w.message for w in report.issues)


@pytest.mark.parametrize("name", ["dcat_dataset.rdf", "dcat_dataset_gob_es.ttl", "dcat_catalog_pod.jsonld"])
def test_import_reads_every_dcat_example_without_crashing(municipality, name):
    report = _import(municipality, DCAT_EXAMPLES / name)

    assert len(report.datasets) == 1
    assert report.datasets[0].title
    assert not Dataset.objects.filter(municipality=municipality).exists()


def test_import_reports_values_longer_than_the_database_keeps(municipality):
    catalog = json.loads(JUSTICIA_JSON.read_text())
    catalog["dataset"] = catalog["dataset"][:1]
    catalog["dataset"][0]["distribution"][0]["field"][0]["units"] = "u" * 61

    report = catalog_import(municipality=municipality, data=json.dumps(catalog).encode(), filename="d.json", by=SYSTEM)

    assert [str(e) for e in report.errors] == [
        "dataset[0].distribution[0].field[0].units: Tiene 61 caracteres; el máximo es 60."
    ]


def test_import_takes_issued_from_modified_when_the_catalog_gives_only_modified(municipality):
    """Publication stamps issued with now, then the catalog's dates are put back: issued must not end empty."""
    catalog = json.loads(JUSTICIA_JSON.read_text())
    catalog["dataset"] = catalog["dataset"][:1]
    del catalog["dataset"][0]["issued"]

    report = catalog_import(
        municipality=municipality, data=json.dumps(catalog).encode(), filename="d.json", by=SYSTEM, dry_run=False
    )

    infoleg = Dataset.objects.get(municipality=municipality, identifier="d9a963ea-8b1d-4ca3-9dd9-07a4773e8c23")
    assert infoleg.status == DatasetStatus.PUBLISHED
    assert timezone.localtime(infoleg.issued).isoformat().startswith("2016-12-19T18:19:32")
    assert infoleg.issued == infoleg.modified
    assert [(i.level, str(i)) for i in report.issues if "issued" in i.message] == [
        ("warning", "dataset[0].issued: Sin fecha de publicación (issued): se usa la de modificación (modified).")
    ]


def test_export_columns_and_import_rules_come_from_one_declaration():
    from abiertos.catalog import datajson, imports_mapping, profile
    from abiertos.catalog.models import Dataset, Distribution

    attributes = [f.attribute for f in profile.DATASET_FIELDS if f.column]
    assert set(attributes) <= set(datajson.DATASET_COLUMNS)
    assert set(imports_mapping.COMPARED) <= set(attributes)
    assert imports_mapping.DATASET_ERROR_KEYS["publisher_name"] == "publisher.name"
    # Every declared column exists on the model, and every limited one has a length to check.
    for fields, model in ((profile.DATASET_FIELDS, Dataset), (profile.DISTRIBUTION_FIELDS, Distribution)):
        for f in fields:
            if f.column:
                column = model._meta.get_field(f.attribute)
                assert not f.limited or column.max_length, f.attribute
