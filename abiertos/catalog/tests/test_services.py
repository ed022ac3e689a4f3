import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abiertos.catalog import services
from abiertos.catalog.inputs import DatasetMetadata, DistributionMetadata
from abiertos.catalog.models import DatasetStatus
from abiertos.catalog.tests.factories import CSV_BYTES, dataset_make, distribution_csv_make, metadata_make
from abiertos.core.audit import AuditEvent
from abiertos.core.errors import PermissionDenied, ValidationError


def test_dataset_create_applies_municipal_defaults_and_records_revision(municipality, editor, actor):
    dataset = services.dataset_create(
        municipality=municipality, metadata=metadata_make(identifier="presupuesto-2025"), by=actor(editor)
    )
    assert dataset.name == "la-plata_presupuesto-2025"
    assert dataset.status == DatasetStatus.DRAFT
    assert dataset.spatial == "06441"
    assert dataset.publisher_name == "Partido de La Plata"
    assert dataset.revisions.get().action == "create"
    assert AuditEvent.objects.filter(action="dataset.create", actor=editor, municipality=municipality).exists()


def test_dataset_create_rejects_editor_of_other_municipality(other_municipality, editor, actor):
    with pytest.raises(PermissionDenied):
        services.dataset_create(municipality=other_municipality, metadata=metadata_make(), by=actor(editor))


def test_dataset_create_reports_each_invalid_field_in_spanish(municipality, editor, actor):
    metadata = DatasetMetadata(
        identifier="con espacios",
        title="x" * 101,
        description="",
        super_themes=[],
        keywords=["ok", "mal/barra"],
        license="propietaria",
        accrual_periodicity="cada tanto",
        temporal="2024-12-31/2024-01-01",
        landing_page="no es url",
    )
    with pytest.raises(ValidationError) as exc:
        services.dataset_create(municipality=municipality, metadata=metadata, by=actor(editor))
    fields = exc.value.fields
    assert set(fields) == {
        "identifier",
        "title",
        "description",
        "super_themes",
        "keywords",
        "license",
        "accrual_periodicity",
        "temporal",
        "landing_page",
    }
    assert "100 caracteres (tiene 101)" in fields["title"][0]
    assert "'mal/barra'" in fields["keywords"][0]
    assert "inicio es posterior" in fields["temporal"][0]


def test_dataset_create_rejects_duplicate_identifier(municipality, editor, actor):
    dataset_make(municipality, identifier="obras")
    with pytest.raises(ValidationError) as exc:
        services.dataset_create(municipality=municipality, metadata=metadata_make(identifier="obras"), by=actor(editor))
    assert "ya está en uso" in exc.value.fields["identifier"][0]


def test_dataset_publish_requires_a_distribution(municipality, editor, actor):
    dataset = dataset_make(municipality)
    with pytest.raises(ValidationError, match="al menos un archivo"):
        services.dataset_publish(dataset=dataset, by=actor(editor))
    distribution_csv_make(dataset)
    published = services.dataset_publish(dataset=dataset, by=actor(editor))
    assert published.status == DatasetStatus.PUBLISHED
    assert published.issued is not None
    assert [r.action for r in published.revisions.all()] == ["publish", "distribution_create", "create"]


def test_distribution_upload_stores_checksum_size_format(municipality):
    dataset = dataset_make(municipality)
    distribution = distribution_csv_make(dataset)
    assert distribution.format == "CSV"
    assert distribution.media_type == "text/csv"
    assert distribution.byte_size == len(CSV_BYTES)
    assert distribution.checksum_sha256 == hashlib.sha256(CSV_BYTES).hexdigest()
    assert [f.title for f in distribution.fields.all()] == ["año", "monto", "partida"]


def test_distribution_replace_file_keeps_previous_version_downloadable(municipality, editor, actor):
    dataset = dataset_make(municipality)
    distribution = distribution_csv_make(dataset)
    new = SimpleUploadedFile("datos-v2.csv", b"a,b\n1,2\n")
    services.distribution_replace_file(distribution=distribution, upload=new, by=actor(editor))
    versions = list(distribution.file_versions.all())
    assert [v.number for v in versions] == [2, 1]
    assert versions[1].file.read() == CSV_BYTES
    distribution.refresh_from_db()
    assert distribution.file_name == "datos-v2.csv"
    assert distribution.file_version == 2


def test_distribution_url_rejects_address_with_spaces(municipality, editor, actor):
    dataset = dataset_make(municipality)
    metadata = DistributionMetadata(identifier="enlace", title="Enlace")
    with pytest.raises(ValidationError) as exc:
        services.distribution_create_from_url(
            dataset=dataset, metadata=metadata, url="https://datos.example.org/un archivo.csv", by=actor(editor)
        )
    assert "no tener espacios" in exc.value.fields["url"][0]


def test_distribution_upload_rejects_empty_file(municipality, editor, actor):
    dataset = dataset_make(municipality)
    metadata = DistributionMetadata(identifier="vacio", title="Vacío")
    with pytest.raises(ValidationError, match="vacío"):
        services.distribution_create_from_upload(
            dataset=dataset, metadata=metadata, upload=SimpleUploadedFile("v.csv", b""), by=actor(editor)
        )
    assert not dataset.distributions.exists()


def test_dataset_create_reports_text_longer_than_its_column(municipality, editor, actor):
    metadata = metadata_make(
        publisher_name="S" * 301, contact_name="C" * 301, landing_page="https://x.org/" + "a" * 500
    )
    with pytest.raises(ValidationError) as exc:
        services.dataset_create(municipality=municipality, metadata=metadata, by=actor(editor))
    fields = exc.value.fields
    assert fields["publisher_name"] == ["Puede tener hasta 300 caracteres (tiene 301)."]
    assert fields["contact_name"] == ["Puede tener hasta 300 caracteres (tiene 301)."]
    assert "500 caracteres" in fields["landing_page"][0]


def test_distribution_url_longer_than_its_column_is_a_field_error(municipality, editor, actor):
    dataset = dataset_make(municipality)
    metadata = DistributionMetadata(identifier="largo", title="Largo", format="X" * 21)
    with pytest.raises(ValidationError) as exc:
        services.distribution_create_from_url(
            dataset=dataset, metadata=metadata, url="https://x.org/" + "a" * 1000, by=actor(editor)
        )
    assert "1000 caracteres" in exc.value.fields["url"][0]
    assert "20 caracteres" in exc.value.fields["format"][0]
