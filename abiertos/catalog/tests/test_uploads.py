"""Resumable chunked uploads: the services, the attach step and the cleanup task."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from abiertos.catalog import services, uploads
from abiertos.catalog.inputs import DistributionMetadata
from abiertos.catalog.models import UploadSession
from abiertos.catalog.tasks import upload_session_cleanup_task
from abiertos.catalog.tests.factories import dataset_make, distribution_csv_make
from abiertos.catalog.uploads import ContentRange, UploadOffsetMismatch, UploadTooLarge
from abiertos.core.errors import Conflict, NotFound, PermissionDenied, ValidationError

CONTENT = b"".join(f"{i},fila número {i}\n".encode() for i in range(400))


def _session(municipality, by, content=CONTENT, name="grande.csv"):
    return uploads.upload_session_create(municipality=municipality, file_name=name, total_size=len(content), by=by)


def _send(session, by, start, end, content=CONTENT):
    chunk = ContentRange(start, end, len(content))
    return uploads.upload_session_append(session=session, chunk=chunk, data=content[start : end + 1], by=by)


def _send_all(session, by, content=CONTENT, size=1000):
    for start in range(0, len(content), size):
        session = _send(session, by, start, min(start + size, len(content)) - 1, content)
    return session


def test_upload_chunks_in_order_complete_with_correct_checksum(municipality, editor, actor):
    session = _session(municipality, actor(editor))
    assert session.temp_path.startswith("uploads-tmp/")
    session = _send_all(session, actor(editor))
    assert session.is_complete
    assert session.received_bytes == len(CONTENT)
    assert session.checksum_sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert (Path(settings.MEDIA_ROOT) / session.temp_path).read_bytes() == CONTENT


def test_upload_resumes_after_interruption_from_received_bytes(municipality, editor, actor):
    by = actor(editor)
    session = _session(municipality, by)
    _send(session, by, 0, 999)
    # The connection drops; the client asks how far it got and continues from there.
    resumed = uploads.upload_session_get(actor=by, session_id=session.id)
    assert resumed.received_bytes == 1000
    done = _send(resumed, by, 1000, len(CONTENT) - 1)
    assert done.checksum_sha256 == hashlib.sha256(CONTENT).hexdigest()


def test_upload_discards_bytes_written_by_a_failed_request(municipality, editor, actor):
    by = actor(editor)
    session = _session(municipality, by)
    _send(session, by, 0, 999)
    path = Path(settings.MEDIA_ROOT) / session.temp_path
    with path.open("ab") as handle:  # a request that wrote, then died before saving its count
        handle.write(b"basura")
    done = _send(session, by, 1000, len(CONTENT) - 1)
    assert path.read_bytes() == CONTENT
    assert done.checksum_sha256 == hashlib.sha256(CONTENT).hexdigest()


@pytest.mark.parametrize(("start", "end"), [(1000, 1999), (500, 1499), (0, 999)])
def test_upload_rejects_out_of_order_or_overlapping_chunk_with_expected_offset(start, end, municipality, editor, actor):
    by = actor(editor)
    session = _session(municipality, by)
    if start != 1000:
        _send(session, by, 0, 999)
    expected = 0 if start == 1000 else 1000
    with pytest.raises(UploadOffsetMismatch) as exc:
        _send(session, by, start, end)
    assert exc.value.expected_offset == expected
    assert f"se esperaba el byte {expected}" in exc.value.message
    assert exc.value.http_status == 409


def test_upload_rejects_declared_size_over_limit(settings, municipality, editor, actor):
    settings.MAX_UPLOAD_BYTES = 1000
    with pytest.raises(UploadTooLarge) as exc:
        uploads.upload_session_create(
            municipality=municipality, file_name="x.csv", total_size=2_000_000, by=actor(editor)
        )
    assert exc.value.http_status == 413
    assert "el máximo permitido es 0.0 MB" in exc.value.message or "máximo permitido" in exc.value.message
    assert not UploadSession.objects.exists()


def test_upload_rejects_empty_or_nameless_file(municipality, editor, actor):
    with pytest.raises(ValidationError) as exc:
        uploads.upload_session_create(municipality=municipality, file_name="  ", total_size=0, by=actor(editor))
    assert set(exc.value.fields) == {"file_name", "size"}


def test_upload_rejects_range_total_or_length_mismatch(municipality, editor, actor):
    by = actor(editor)
    session = _session(municipality, by)
    with pytest.raises(Conflict, match="no coincide con el tamaño declarado"):
        uploads.upload_session_append(session=session, chunk=ContentRange(0, 9, 99), data=b"0123456789", by=by)
    with pytest.raises(ValidationError, match="trae 3 bytes"):
        uploads.upload_session_append(session=session, chunk=ContentRange(0, 9, len(CONTENT)), data=b"abc", by=by)


@pytest.mark.parametrize("header", ["", "bytes=0-9/10", "bytes 9-0/10", "bytes 0-10/10", "items 0-1/2"])
def test_content_range_parse_rejects_malformed_headers(header):
    with pytest.raises(ValidationError) as exc:
        uploads.content_range_parse(header)
    assert "content_range" in exc.value.fields


def test_upload_session_is_private_to_its_owner(municipality, editor, provincial_admin, actor):
    session = _session(municipality, actor(editor))
    with pytest.raises(NotFound):
        uploads.upload_session_get(actor=actor(provincial_admin), session_id=session.id)
    with pytest.raises(NotFound):
        _send(session, actor(provincial_admin), 0, 9)


def test_upload_create_denied_to_citizen_and_other_editor(municipality, other_municipality, editor, citizen, actor):
    with pytest.raises(PermissionDenied):
        _session(municipality, actor(citizen))
    with pytest.raises(PermissionDenied):
        _session(other_municipality, actor(editor))


def test_upload_rejects_chunks_after_expiry(municipality, editor, actor):
    by = actor(editor)
    session = _session(municipality, by)
    UploadSession.objects.filter(pk=session.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(Conflict, match="venció"):
        _send(session, by, 0, 9)


def test_distribution_create_from_session_attaches_file_once(
    municipality, editor, actor, django_capture_on_commit_callbacks
):
    by = actor(editor)
    dataset = dataset_make(municipality)
    session = _send_all(_session(municipality, by), by)
    metadata = DistributionMetadata(identifier="grande", title="Archivo grande")
    with django_capture_on_commit_callbacks(execute=True):
        distribution = services.distribution_create_from_session(
            dataset=dataset, metadata=metadata, session=session, by=by
        )
    assert distribution.file.read() == CONTENT
    assert distribution.file_name == "grande.csv"
    assert distribution.checksum_sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert distribution.format == "CSV"
    session.refresh_from_db()
    assert session.attached_at is not None
    assert not (Path(settings.MEDIA_ROOT) / session.temp_path).exists()
    with pytest.raises(Conflict, match="ya se usó"):
        services.distribution_create_from_session(
            dataset=dataset, metadata=DistributionMetadata("otra", "Otra"), session=session, by=by
        )


def test_distribution_create_from_unfinished_session_is_a_conflict(municipality, editor, actor):
    by = actor(editor)
    dataset = dataset_make(municipality)
    session = _session(municipality, by)
    _send(session, by, 0, 99)
    with pytest.raises(Conflict, match="llegaron 100 de"):
        services.distribution_create_from_session(
            dataset=dataset, metadata=DistributionMetadata("x", "X"), session=session, by=by
        )
    assert not dataset.distributions.exists()


def test_distribution_create_from_session_of_other_municipality_is_a_conflict(
    municipality, other_municipality, provincial_admin, actor
):
    by = actor(provincial_admin)
    dataset = dataset_make(municipality)
    session = _send_all(_session(other_municipality, by), by)
    with pytest.raises(Conflict, match="otro municipio"):
        services.distribution_create_from_session(
            dataset=dataset, metadata=DistributionMetadata("x", "X"), session=session, by=by
        )


def test_distribution_replace_file_from_session_adds_a_version(municipality, editor, actor):
    by = actor(editor)
    dataset = dataset_make(municipality)
    distribution = distribution_csv_make(dataset)
    session = _send_all(_session(municipality, by, name="v2.csv"), by)
    services.distribution_replace_file_from_session(distribution=distribution, session=session, by=by)
    distribution.refresh_from_db()
    assert distribution.file_version == 2
    assert distribution.file.read() == CONTENT
    assert dataset.revisions.first().action == "distribution_file"


def test_upload_cleanup_task_deletes_expired_sessions_and_files(municipality, editor, actor):
    by = actor(editor)
    old, fresh = _session(municipality, by), _session(municipality, by)
    _send(old, by, 0, 99)
    UploadSession.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    old_path = Path(settings.MEDIA_ROOT) / old.temp_path
    assert old_path.exists()
    upload_session_cleanup_task.call_local()
    assert list(UploadSession.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not old_path.exists()
    assert (Path(settings.MEDIA_ROOT) / fresh.temp_path).exists()


def test_upload_refuses_chunks_after_completion(municipality, editor, actor):
    by = actor(editor)
    session = _send_all(_session(municipality, by), by)
    with pytest.raises(Conflict, match="ya terminó"):
        _send(session, by, 0, 9)


def test_upload_cleanup_also_removes_used_sessions_past_expiry(
    municipality, editor, actor, django_capture_on_commit_callbacks
):
    by = actor(editor)
    dataset = dataset_make(municipality)
    session = _send_all(_session(municipality, by), by)
    with django_capture_on_commit_callbacks(execute=True):
        distribution = services.distribution_create_from_session(
            dataset=dataset, metadata=DistributionMetadata("usada", "Usada"), session=session, by=by
        )
    later = timezone.now() + timedelta(hours=settings.UPLOAD_SESSION_TTL_HOURS + 1)
    assert uploads.upload_session_cleanup(now=later) == 1
    assert not UploadSession.objects.exists()
    assert distribution.file_versions.get().file.read() == CONTENT  # the distribution's copy stays
