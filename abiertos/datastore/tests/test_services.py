"""The datastore services against the database: loads, atomic swaps, jobs, the data dictionary."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abiertos.catalog import services as catalog_services
from abiertos.catalog.models import Field
from abiertos.catalog.tests.factories import dataset_make, distribution_csv_make
from abiertos.core.actors import Actor
from abiertos.core.errors import PermissionDenied
from abiertos.datastore import services
from abiertos.datastore.models import DatastoreTable, IngestionRun, RunOutcome, TableStatus
from abiertos.datastore.options import IngestionSettings
from abiertos.datastore.problems import IngestionProblem
from abiertos.datastore.selectors import datastore_table_read
from abiertos.jobs.models import Job, JobStatus

SYSTEM = Actor.system("test")
GOOD = "partido;monto;fecha\n06441;1.234,5;31/12/2024\n06056;10;01/01/2025\n".encode("cp1252")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.fixture
def distribution(municipality):
    return distribution_csv_make(dataset_make(municipality), content=GOOD)


def _replace(distribution, content: bytes, name: str = "nuevo.csv"):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return catalog_services.distribution_replace_file(distribution=distribution, upload=upload, by=SYSTEM)


def test_datastore_ingest_loads_a_typed_table_and_fills_the_data_dictionary(distribution):
    run = services.datastore_ingest(distribution=distribution, by=SYSTEM)
    table = DatastoreTable.objects.get(distribution=distribution)
    assert (run.outcome, run.row_count, table.status, table.version) == (RunOutcome.SUCCEEDED, 2, TableStatus.READY, 1)
    columns, rows = datastore_table_read(table=table, limit=10, offset=0)
    assert [(c["name"], c["type"]) for c in columns] == [("partido", "string"), ("monto", "number"), ("fecha", "date")]
    assert [row[:2] for row in rows] == [("06441", 1234.5), ("06056", 10.0)]
    fields = list(Field.objects.filter(distribution=distribution).values_list("title", "type"))
    assert fields == [("partido", "string"), ("monto", "number"), ("fecha", "date")]


def test_failed_reload_keeps_the_previous_table_and_the_original_file(distribution):
    services.datastore_ingest(distribution=distribution, by=SYSTEM)
    first = DatastoreTable.objects.get(distribution=distribution)
    distribution = _replace(distribution, PDF)
    with pytest.raises(IngestionProblem, match="es un PDF"):
        services.datastore_ingest(distribution=distribution, by=SYSTEM)
    table = DatastoreTable.objects.get(distribution=distribution)
    assert (table.status, table.parquet_path, table.version) == (TableStatus.FAILED, first.parquet_path, 1)
    assert "es un PDF" in table.last_error
    assert datastore_table_read(table=table, limit=1, offset=0)[1][0][0] == "06441"
    failed = IngestionRun.objects.filter(table=table).first()
    assert (failed.outcome, failed.reason) == (RunOutcome.FAILED, "pdf")
    distribution.file.open("rb")
    assert distribution.file.read() == PDF


def test_successful_reload_swaps_the_table_and_removes_the_old_file(
    distribution, settings, django_capture_on_commit_callbacks
):
    services.datastore_ingest(distribution=distribution, by=SYSTEM)
    old_path = settings.DATASTORE_ROOT / DatastoreTable.objects.get(distribution=distribution).parquet_path
    distribution = _replace(distribution, b"a,b\n1,x\n2,y\n3,z\n")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.datastore_ingest(distribution=distribution, by=SYSTEM)
    table = DatastoreTable.objects.get(distribution=distribution)
    assert (run.row_count, table.version, table.source_file_version) == (3, 2, 2)
    assert not old_path.exists()
    assert (settings.DATASTORE_ROOT / table.parquet_path).exists()
    assert list(Field.objects.filter(distribution=distribution).values_list("title", flat=True)) == ["a", "b"]


def test_ingest_job_reports_progress_and_the_row_count(distribution, editor, actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.datastore_ingest_enqueue(distribution=distribution, by=actor(editor))
    job.refresh_from_db()
    assert (job.kind, job.status, job.progress_done, job.progress_total) == (
        "datastore.ingest",
        JobStatus.SUCCEEDED,
        100,
        100,
    )
    assert job.result["rows"] == 2
    assert job.result["columns"] == ["partido", "monto", "fecha"]
    assert IngestionRun.objects.get().job == job


def test_ingest_job_failure_is_explained_in_spanish_with_row_and_column(
    distribution, editor, actor, django_capture_on_commit_callbacks
):
    distribution = _replace(distribution, b"id,valor\n1,10\n2,diez\n")
    overrides = IngestionSettings(column_types={"valor": "integer"})
    with django_capture_on_commit_callbacks(execute=True):
        job = services.datastore_ingest_enqueue(distribution=distribution, by=actor(editor), overrides=overrides)
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("Fila 3, columna «valor»: el valor «diez» no es un número entero")
    run = IngestionRun.objects.get()
    assert (run.error_row, run.error_column, run.reason) == (3, "valor", "type")
    assert DatastoreTable.objects.get().overrides == {"column_types": {"valor": "integer"}}


def test_datastore_ingest_enqueue_denies_a_citizen(distribution, citizen, actor):
    with pytest.raises(PermissionDenied):
        services.datastore_ingest_enqueue(distribution=distribution, by=actor(citizen))


def test_preview_detection_shows_settings_types_and_rows_without_loading(distribution):
    preview = services.datastore_preview_detection(distribution=distribution)
    assert (preview.settings["encoding"], preview.settings["delimiter"], preview.settings["header_row"]) == (
        "utf-8",
        ";",
        1,
    )
    assert [c["type"] for c in preview.columns] == ["string", "number", "date"]
    assert preview.preview_rows[0] == ["06441", "1.234,5", "31/12/2024"]
    assert not DatastoreTable.objects.filter(distribution=distribution, version__gt=0).exists()


def test_fields_update_edits_descriptions_and_units_and_feeds_the_catalog(distribution, editor, actor):
    services.datastore_ingest(distribution=distribution, by=SYSTEM)
    table = DatastoreTable.objects.get(distribution=distribution)
    edits = [
        services.FieldEdit("monto", "number", description="Monto devengado", units="pesos"),
        services.FieldEdit("partido", "string", description="Código INDEC del partido"),
    ]
    services.datastore_fields_update(table=table, fields=edits, by=actor(editor))
    monto = Field.objects.get(distribution=distribution, title="monto")
    assert (monto.description, monto.units, monto.type) == ("Monto devengado", "pesos", "number")
    services.datastore_ingest(distribution=distribution, by=SYSTEM)
    kept = DatastoreTable.objects.get(pk=table.pk).columns
    assert kept[1]["description"] == "Monto devengado"
    assert kept[1]["units"] == "pesos"


def test_fields_update_with_a_new_type_reloads_the_table(
    distribution, editor, actor, django_capture_on_commit_callbacks
):
    services.datastore_ingest(distribution=distribution, by=SYSTEM)
    table = DatastoreTable.objects.get(distribution=distribution)
    with django_capture_on_commit_callbacks(execute=True):
        services.datastore_fields_update(
            table=table, fields=[services.FieldEdit("partido", "integer")], by=actor(editor)
        )
    table.refresh_from_db()
    assert table.version == 2
    assert table.columns[0]["type"] == "integer"
    assert datastore_table_read(table=table, limit=1, offset=0)[1][0][0] == 6441


def test_url_distribution_is_downloaded_and_loaded(municipality, monkeypatch):
    import io

    from abiertos.catalog.inputs import DistributionMetadata

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *args):
            self.close()

    requested = []

    def urlopen(request, timeout):
        requested.append(request.full_url)
        return Response(b"anio;monto\n2024;1.234,5\n")

    monkeypatch.setattr("abiertos.datastore.sources.urllib.request.urlopen", urlopen)
    dataset = dataset_make(municipality)
    distribution = catalog_services.distribution_create_from_url(
        dataset=dataset,
        metadata=DistributionMetadata(identifier="remoto", title="Remoto", format="CSV"),
        url="https://datos.example.org/gastos.csv",
        by=SYSTEM,
    )
    run = services.datastore_ingest(distribution=distribution, by=SYSTEM)
    assert requested == ["https://datos.example.org/gastos.csv"]
    assert run.row_count == 1
    table = DatastoreTable.objects.get(distribution=distribution)
    assert datastore_table_read(table=table, limit=1, offset=0)[1] == [(2024, 1234.5)]


def test_a_run_whose_worker_died_is_marked_failed_not_left_running(distribution):
    services.datastore_ingest(distribution=distribution, by=SYSTEM)
    table = DatastoreTable.objects.get(distribution=distribution)
    job = Job.objects.create(kind="datastore.ingest", status=JobStatus.FAILED, error="El proceso dejó de responder")
    run = IngestionRun.objects.create(table=table, job=job)
    DatastoreTable.objects.filter(pk=table.pk).update(status=TableStatus.LOADING)
    assert services.ingestion_runs_reconcile() == 1
    run.refresh_from_db()
    table.refresh_from_db()
    assert (run.outcome, run.reason) == (RunOutcome.FAILED, "interrupted")
    assert run.error == "La carga no terminó: El proceso dejó de responder. La tabla anterior sigue publicada."
    assert (table.status, table.version) == (TableStatus.FAILED, 1)
