"""Soft delete and restore, distribution edits, and going back to an earlier revision."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from abiertos.catalog import selectors, services
from abiertos.catalog.inputs import DatasetMetadata, DistributionMetadata, FieldSpec
from abiertos.catalog.models import Dataset, DatasetStatus, DistributionKind
from abiertos.catalog.tests.factories import CSV_BYTES, dataset_make, distribution_csv_make
from abiertos.core.actors import Actor
from abiertos.core.audit import AuditEvent
from abiertos.core.errors import Conflict, PermissionDenied, ValidationError


def _url_distribution(dataset, by, identifier="enlace", url="https://datos.example.org/a.csv"):
    metadata = DistributionMetadata(identifier=identifier, title="Enlace", fields=[FieldSpec("a")])
    return services.distribution_create_from_url(dataset=dataset, metadata=metadata, url=url, by=by)


def _harvested(dataset):
    Dataset.objects.filter(pk=dataset.pk).update(is_harvested=True, origin_url="https://otro.example.org/ds")
    dataset.refresh_from_db()
    return dataset


# Soft delete and restore -------------------------------------------------------------------------


def test_dataset_delete_hides_it_everywhere_but_keeps_the_row(municipality, editor, actor):
    dataset = dataset_make(municipality, publish=True)
    services.dataset_delete(dataset=dataset, by=actor(editor))
    dataset.refresh_from_db()
    assert dataset.deleted_at is not None
    assert dataset.deleted_by == editor
    assert not selectors.dataset_list_public().filter(pk=dataset.pk).exists()
    assert not selectors.dataset_list_visible_to(actor=actor(editor)).filter(pk=dataset.pk).exists()
    assert list(selectors.dataset_list_deleted_for(actor=actor(editor))) == [dataset]
    assert dataset.revisions.first().action == "delete"
    assert AuditEvent.objects.filter(action="dataset.delete", actor=editor, target_id=str(dataset.pk)).exists()


def test_dataset_restore_by_its_editor_brings_it_back_published(municipality, editor, actor):
    dataset = dataset_make(municipality, publish=True)
    services.dataset_delete(dataset=dataset, by=actor(editor))
    services.dataset_restore(dataset=dataset, by=actor(editor))
    dataset.refresh_from_db()
    assert dataset.deleted_at is None
    assert dataset.deleted_by is None
    assert dataset.status == DatasetStatus.PUBLISHED
    assert selectors.dataset_list_public().filter(pk=dataset.pk).exists()
    assert [r.action for r in dataset.revisions.all()[:2]] == ["restore", "delete"]
    assert AuditEvent.objects.filter(action="dataset.restore", actor=editor).exists()


def test_dataset_restore_by_provincial_admin(municipality, editor, provincial_admin, actor):
    dataset = dataset_make(municipality)
    services.dataset_delete(dataset=dataset, by=actor(editor))
    restored = services.dataset_restore(dataset=dataset, by=actor(provincial_admin))
    assert restored.deleted_at is None


@pytest.mark.parametrize("role", ["citizen", "foi_officer", "other_editor"])
def test_dataset_delete_and_restore_denied_to_others(role, municipality, other_municipality, editor, actor, request):
    from abiertos.accounts.models import Role
    from abiertos.accounts.tests.factories import user_with_role

    if role == "other_editor":
        user = user_with_role(Role.MUNICIPAL_EDITOR, other_municipality)
    else:
        user = request.getfixturevalue(role)
    dataset = dataset_make(municipality)
    with pytest.raises(PermissionDenied):
        services.dataset_delete(dataset=dataset, by=actor(user))
    services.dataset_delete(dataset=dataset, by=actor(editor))
    with pytest.raises(PermissionDenied):
        services.dataset_restore(dataset=dataset, by=actor(user))
    dataset.refresh_from_db()
    assert dataset.deleted_at is not None


def test_dataset_delete_of_harvested_dataset_is_a_conflict(municipality, editor, actor):
    dataset = _harvested(dataset_make(municipality))
    with pytest.raises(Conflict, match="se cosecha"):
        services.dataset_delete(dataset=dataset, by=actor(editor))
    assert services.dataset_delete(dataset=dataset, by=Actor.system("harvest")).deleted_at is not None


def test_deleted_dataset_cannot_be_edited_until_restored(municipality, editor, actor):
    dataset = dataset_make(municipality)
    services.dataset_delete(dataset=dataset, by=actor(editor))
    metadata = DatasetMetadata.from_dataset(dataset)
    metadata.title = "Otro título"
    with pytest.raises(Conflict, match="restauralo"):
        services.dataset_update(dataset=dataset, metadata=metadata, by=actor(editor))


def test_distribution_delete_and_restore(municipality, editor, actor):
    dataset = dataset_make(municipality, publish=True)
    extra = distribution_csv_make(dataset)
    services.distribution_delete(distribution=extra, by=actor(editor))
    public = selectors.dataset_list_public().get(pk=dataset.pk)
    assert extra.pk not in [d.pk for d in public.live_distributions]
    services.distribution_restore(distribution=extra, by=actor(editor))
    public = selectors.dataset_list_public().get(pk=dataset.pk)
    assert extra.pk in [d.pk for d in public.live_distributions]
    actions = [r.action for r in dataset.revisions.all()[:2]]
    assert actions == ["distribution_restore", "distribution_delete"]
    assert AuditEvent.objects.filter(action="dataset.distribution_delete").exists()


def test_distribution_delete_refuses_last_resource_of_published_dataset(municipality, editor, actor):
    dataset = dataset_make(municipality, publish=True)
    only = dataset.distributions.get()
    with pytest.raises(Conflict, match="único recurso"):
        services.distribution_delete(distribution=only, by=actor(editor))


def test_distribution_delete_denied_to_editor_of_other_municipality(municipality, other_municipality, actor):
    from abiertos.accounts.models import Role
    from abiertos.accounts.tests.factories import user_with_role

    dataset = dataset_make(municipality)
    distribution = distribution_csv_make(dataset)
    other = user_with_role(Role.MUNICIPAL_EDITOR, other_municipality)
    with pytest.raises(PermissionDenied):
        services.distribution_delete(distribution=distribution, by=actor(other))


# Distribution edits ------------------------------------------------------------------------------


def test_distribution_update_changes_metadata_and_dictionary(municipality, editor, actor):
    dataset = dataset_make(municipality)
    distribution = distribution_csv_make(dataset)
    metadata = DistributionMetadata(
        identifier="ignorado",
        title="Presupuesto por partida",
        description="Una fila por partida.",
        license="cc-zero",
        fields=[FieldSpec("año", "integer", "Ejercicio"), FieldSpec("total", "number", units="pesos")],
    )
    updated = services.distribution_update(distribution=distribution, metadata=metadata, by=actor(editor))
    assert updated.identifier == distribution.identifier
    assert updated.title == "Presupuesto por partida"
    assert updated.license == "cc-zero"
    assert [(f.title, f.type, f.units) for f in updated.fields.all()] == [
        ("año", "integer", ""),
        ("total", "number", "pesos"),
    ]
    revision = dataset.revisions.first()
    assert revision.action == "distribution_update"
    event = AuditEvent.objects.filter(action="dataset.distribution_update").get()
    assert event.changes["title"] == ["Datos en CSV", "Presupuesto por partida"]


def test_distribution_update_changes_url_of_a_link(municipality, editor, actor):
    dataset = dataset_make(municipality)
    link = _url_distribution(dataset, actor(editor))
    metadata = DistributionMetadata(identifier=link.identifier, title="Enlace", fields=None)
    services.distribution_update(
        distribution=link, metadata=metadata, url="https://datos.example.org/b.json", by=actor(editor)
    )
    link.refresh_from_db()
    assert link.external_url == "https://datos.example.org/b.json"
    assert link.file_name == "b.json"
    assert [f.title for f in link.fields.all()] == ["a"]


def test_distribution_update_rejects_url_for_uploaded_file_and_bad_url(municipality, editor, actor):
    dataset = dataset_make(municipality)
    uploaded = distribution_csv_make(dataset)
    metadata = DistributionMetadata(identifier="x", title="T")
    with pytest.raises(Conflict, match="archivo subido"):
        services.distribution_update(distribution=uploaded, metadata=metadata, url="https://a.org/x", by=actor(editor))
    link = _url_distribution(dataset, actor(editor))
    with pytest.raises(ValidationError) as exc:
        services.distribution_update(distribution=link, metadata=metadata, url="ftp://mal", by=actor(editor))
    assert "http://" in exc.value.fields["url"][0]


def test_distribution_update_without_changes_records_nothing(municipality, editor, actor):
    dataset = dataset_make(municipality)
    distribution = distribution_csv_make(dataset)
    count = dataset.revisions.count()
    metadata = DistributionMetadata(identifier=distribution.identifier, title=distribution.title, format="CSV")
    services.distribution_update(distribution=distribution, metadata=metadata, by=actor(editor))
    assert dataset.revisions.count() == count


def test_distribution_update_of_harvested_dataset_is_a_conflict(municipality, editor, actor):
    dataset = dataset_make(municipality)
    distribution = distribution_csv_make(dataset)
    _harvested(dataset)
    with pytest.raises(Conflict):
        services.distribution_update(
            distribution=distribution, metadata=DistributionMetadata("x", "Nuevo"), by=actor(editor)
        )


# Going back to a revision ------------------------------------------------------------------------


def test_dataset_revision_restore_brings_back_metadata_as_new_revision(municipality, editor, actor):
    dataset = dataset_make(municipality, title="Título original")
    first = dataset.revisions.get()
    metadata = DatasetMetadata.from_dataset(dataset)
    metadata.title, metadata.keywords = "Título cambiado", ["otra"]
    services.dataset_update(dataset=dataset, metadata=metadata, by=actor(editor))
    restored = services.dataset_revision_restore(dataset=dataset, revision=first, by=actor(editor))
    assert restored.title == "Título original"
    assert restored.keywords == ["presupuesto", "gasto público"]
    assert [r.action for r in dataset.revisions.all()] == ["revision_restore", "update", "create"]
    event = AuditEvent.objects.get(action="dataset.revision_restore")
    assert event.changes == {"revision": 1}


def test_dataset_revision_restore_undeletes_distributions_and_restores_their_metadata(municipality, editor, actor):
    dataset = dataset_make(municipality)
    keep = distribution_csv_make(dataset, title="Original")
    gone = distribution_csv_make(dataset)
    revision = dataset.revisions.first()
    services.distribution_delete(distribution=gone, by=actor(editor))
    later = _url_distribution(dataset, actor(editor))
    services.distribution_update(
        distribution=keep, metadata=DistributionMetadata("x", "Cambiado", fields=[]), by=actor(editor)
    )
    services.dataset_revision_restore(dataset=dataset, revision=revision, by=actor(editor))
    for distribution in (gone, keep, later):
        distribution.refresh_from_db()
    assert gone.deleted_at is None
    assert later.deleted_at is not None  # did not exist in that revision: hidden, not erased
    assert keep.title == "Original"
    assert [f.title for f in keep.fields.all()] == ["año", "monto", "partida"]


def test_dataset_revision_restore_makes_earlier_file_version_current_again(municipality, editor, actor):
    dataset = dataset_make(municipality)
    distribution = distribution_csv_make(dataset)
    revision = dataset.revisions.first()
    services.distribution_replace_file(
        distribution=distribution, upload=SimpleUploadedFile("v2.csv", b"x,y\n1,2\n"), by=actor(editor)
    )
    services.dataset_revision_restore(dataset=dataset, revision=revision, by=actor(editor))
    distribution.refresh_from_db()
    versions = list(distribution.file_versions.all())
    assert [v.number for v in versions] == [3, 2, 1]
    assert distribution.file_version == 3
    assert versions[0].file.name == versions[2].file.name  # a pointer, not a copy
    assert distribution.file.read() == CSV_BYTES
    assert versions[1].file.read() == b"x,y\n1,2\n"  # the replaced file stays downloadable


def test_dataset_revision_restore_keeps_status_and_refuses_empty_published(municipality, editor, actor):
    dataset = dataset_make(municipality, publish=True)
    created = dataset.revisions.order_by("number").first()
    with pytest.raises(Conflict, match="despublicalo"):
        services.dataset_revision_restore(dataset=dataset, revision=created, by=actor(editor))
    assert dataset.distributions.filter(deleted_at__isnull=True).count() == 1


def test_dataset_revision_restore_rejects_revision_of_other_dataset(municipality, editor, actor):
    from abiertos.core.errors import NotFound

    one, two = dataset_make(municipality), dataset_make(municipality)
    with pytest.raises(NotFound):
        services.dataset_revision_restore(dataset=one, revision=two.revisions.get(), by=actor(editor))


def test_dataset_revision_restore_denied_to_citizen_and_harvested(municipality, citizen, editor, actor):
    dataset = dataset_make(municipality)
    with pytest.raises(PermissionDenied):
        services.dataset_revision_restore(dataset=dataset, revision=dataset.revisions.get(), by=actor(citizen))
    _harvested(dataset)
    with pytest.raises(Conflict):
        services.dataset_revision_restore(dataset=dataset, revision=dataset.revisions.get(), by=actor(editor))


def test_url_distribution_kind_is_kept(municipality, editor, actor):
    dataset = dataset_make(municipality)
    link = _url_distribution(dataset, actor(editor))
    assert link.kind == DistributionKind.URL


def test_dataset_update_after_publishing_a_draft_with_data_passes_date_rule(municipality, editor, actor):
    dataset = dataset_make(municipality, publish=True)
    assert dataset.modified >= dataset.issued
    metadata = DatasetMetadata.from_dataset(dataset)
    metadata.title = "Nuevo título"
    assert services.dataset_update(dataset=dataset, metadata=metadata, by=actor(editor)).title == "Nuevo título"


def test_changes_send_dataset_changed_and_new_files_send_file_changed_after_commit(
    municipality, editor, actor, django_capture_on_commit_callbacks
):
    from abiertos.catalog.signals import dataset_changed, distribution_file_changed

    dataset = dataset_make(municipality)
    distribution = distribution_csv_make(dataset)
    revision = dataset.revisions.first()
    changed, files = [], []

    def on_changed(sender, *, dataset_id, **kwargs):
        changed.append(dataset_id)

    def on_file(sender, *, distribution, **kwargs):
        files.append((distribution.pk, distribution.file_version))

    dataset_changed.connect(on_changed, dispatch_uid="test-changed")
    distribution_file_changed.connect(on_file, dispatch_uid="test-file")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.distribution_replace_file(
                distribution=distribution, upload=SimpleUploadedFile("v2.csv", b"a\n1\n"), by=actor(editor)
            )
        assert files == [(distribution.pk, 2)]
        with django_capture_on_commit_callbacks(execute=True):
            services.dataset_revision_restore(dataset=dataset, revision=revision, by=actor(editor))
        assert files[-1] == (distribution.pk, 3)
        services.dataset_delete(dataset=dataset, by=actor(editor))
        assert changed == [dataset.pk] * 3
    finally:
        dataset_changed.disconnect(dispatch_uid="test-changed")
        distribution_file_changed.disconnect(dispatch_uid="test-file")
