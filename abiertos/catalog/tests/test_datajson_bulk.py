"""The province data.json built in bulk (whole chunks read at once, entries stored in bulk, a worker
filling from the end) is byte for byte the catalog built one dataset at a time."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from abiertos.catalog import datajson_entries, export_fragments, federation, services
from abiertos.catalog.datajson import (
    _ProvinceEntries,
    _themes,
    catalog_header,
    catalog_stream,
    dataset_entries,
    datasets_in_scope,
    province_fragments_fill,
    scope_for_province,
)
from abiertos.catalog.inputs import DistributionMetadata, FieldSpec
from abiertos.catalog.models import Dataset, DatasetExportFragment
from abiertos.catalog.tests.catalog_samples import catalog_populate
from abiertos.catalog.tests.factories import dataset_make, distribution_csv_make
from abiertos.core.actors import Actor
from abiertos.core.tests.factories import municipality_make
from abiertos.monitoring.federation import entry_federable

TZ = ZoneInfo("America/Argentina/Buenos_Aires")
BY = Actor.system("test")
DATASET_KEYS = {
    "identifier",
    "title",
    "description",
    "publisher",
    "contactPoint",
    "superTheme",
    "theme",
    "keyword",
    "accrualPeriodicity",
    "issued",
    "modified",
    "temporal",
    "spatial",
    "landingPage",
    "license",
    "language",
    "distribution",
}
DISTRIBUTION_KEYS = {
    "identifier",
    "title",
    "description",
    "accessURL",
    "downloadURL",
    "format",
    "mediaType",
    "byteSize",
    "fileName",
    "license",
    "issued",
    "modified",
    "field",
}


def _full_dataset(municipality, identifier: str, **overrides):
    """A published dataset with every profile field filled, an uploaded and a linked distribution
    (both with every field and a data dictionary with descriptions and units)."""
    values = {
        "identifier": identifier,
        "title": f"Compras «{identifier}» — año 2025",
        "description": 'Órdenes de compra con "comillas", barras \\ y saltos\nde línea; también emoji 🚧.',
        "publisher_name": "Secretaría de Economía",
        "publisher_mbox": "economia@municipio.example.org",
        "contact_name": "Oficina de Compras",
        "contact_email": "compras@municipio.example.org",
        "super_themes": ["ECON", "GOVE"],
        "themes": ["presupuesto", "gasto-publico"],
        "keywords": ["compras", "licitación", "año 2025"],
        "license": "odc-odbl",
        "accrual_periodicity": "R/P1M",
        "issued": datetime(2024, 3, 1, 8, 15, 30, tzinfo=TZ),
        "modified": datetime(2025, 6, 30, 23, 59, 59, tzinfo=TZ),
        "temporal": "2024-01-01/2025-06-30",
        "spatial": municipality.code,
        "landing_page": f"https://{municipality.slug}.example.org/compras/{identifier}",
        **overrides,
    }
    dataset = dataset_make(municipality, **values)
    dictionary = [
        FieldSpec("fecha", "date", "Fecha de la orden"),
        FieldSpec("monto", "number", "Monto adjudicado", units="ARS"),
        FieldSpec("proveedor", "string", "Razón social"),
    ]
    distribution_csv_make(
        dataset,
        identifier=f"{identifier}-csv",
        title="Órdenes en CSV",
        description="Una fila por orden.",
        license="cc-by-4.0",
        issued=datetime(2024, 3, 2, 10, 0, tzinfo=TZ),
        modified=datetime(2025, 7, 1, 9, 0, tzinfo=TZ),
        fields=dictionary,
    )
    services.distribution_create_from_url(
        dataset=dataset,
        metadata=DistributionMetadata(
            identifier=f"{identifier}-ods",
            title="Planilla original",
            description="La planilla que publica la oficina.",
            format="ODS",
            license="cc-zero",
            issued=datetime(2024, 3, 3, tzinfo=TZ),
            modified=datetime(2025, 7, 2, tzinfo=TZ),
            fields=dictionary[:2],
        ),
        url=f"https://{municipality.slug}.example.org/compras/{identifier}.ods",
        by=BY,
    )
    return services.dataset_publish(dataset=dataset, by=BY)


@pytest.fixture
def rich(municipality, other_municipality):
    """The interoperability sample, full datasets in two municipalities, a harvested one, and
    datasets that must stay out: a draft, a withdrawn (deleted) one, one of an inactive municipality."""
    catalog_populate(municipality, other_municipality)
    for n in range(3):
        _full_dataset(municipality, f"compras-{n}")
    _full_dataset(other_municipality, "compras-0")
    harvested = _full_dataset(other_municipality, "cosechado")
    Dataset.objects.filter(pk=harvested.pk).update(
        is_harvested=True, origin_url="https://datos.example.gob.ar/dataset/cosechado", origin_remote_id="abc-123"
    )
    _full_dataset(municipality, "en-borrador-completo")
    Dataset.objects.filter(identifier="en-borrador-completo").update(status="draft")
    withdrawn = _full_dataset(municipality, "retirado")
    services.dataset_delete(dataset=withdrawn, by=BY)
    closed = municipality_make("Cerrado", code="06999", slug="cerrado", province=municipality.province)
    _full_dataset(closed, "de-un-municipio-inactivo")
    closed.is_active = False
    closed.save()


def _one_at_a_time() -> str:
    """The province catalog's text with every entry built on its own (chunks of one dataset)."""
    scope = scope_for_province()
    header = json.dumps(catalog_header(scope), ensure_ascii=False)
    entries = [json.dumps(entry, ensure_ascii=False) for entry in dataset_entries(scope, chunk_size=1)]
    return header[:-1] + ', "dataset": [' + ",".join(entries) + "]}"


def _streamed(chunk_size: int) -> str:
    return "".join(catalog_stream(scope_for_province(), chunk_size=chunk_size))


def test_rich_catalog_fills_every_profile_key_and_leaves_out_what_is_not_public(rich):
    catalog = json.loads(_one_at_a_time())
    names = [d["identifier"] for d in catalog["dataset"]]

    assert "bahia-blanca_cosechado" in names
    assert not {"la-plata_en-borrador-completo", "la-plata_retirado", "cerrado_de-un-municipio-inactivo"} & set(names)
    full = next(d for d in catalog["dataset"] if d["identifier"] == "la-plata_compras-1")
    assert set(full) == DATASET_KEYS
    uploaded, linked = full["distribution"]
    assert set(uploaded) == DISTRIBUTION_KEYS
    assert set(linked) == DISTRIBUTION_KEYS - {"byteSize"}  # not known for a link
    assert full["distribution"][0]["field"][1] == {
        "title": "monto",
        "type": "number",
        "description": "Monto adjudicado",
        "units": "ARS",
    }


@pytest.mark.parametrize("chunk_size", [1, 3, 1000])
def test_first_bulk_export_is_byte_for_byte_the_one_at_a_time_catalog(rich, chunk_size):
    expected = _one_at_a_time()
    assert DatasetExportFragment.objects.count() == 0

    first = _streamed(chunk_size)

    assert first == expected
    assert DatasetExportFragment.objects.count() == len(json.loads(expected)["dataset"]) == 8
    assert _streamed(chunk_size) == expected  # now every entry comes from the store


def test_entries_filled_from_the_end_by_a_worker_are_the_same_bytes(rich):
    expected = _one_at_a_time()

    built = province_fragments_fill(scope_for_province(), chunk_size=2)

    assert built == 8
    # The stored entries are served: a tampered one shows (proof that the stream built nothing).
    fragment = DatasetExportFragment.objects.get(dataset__name="la-plata_compras-2")
    DatasetExportFragment.objects.filter(pk=fragment.pk).update(entry=fragment.entry.replace("Compras", "Guardado"))
    assert "Guardado «compras-2»" in _streamed(2)
    DatasetExportFragment.objects.filter(pk=fragment.pk).update(entry=fragment.entry)
    assert _streamed(2) == expected


def test_worker_fill_stops_at_the_first_current_chunk_from_the_end(rich):
    _streamed(2)
    first = Dataset.objects.filter(status="published", deleted_at__isnull=True).order_by("id").first()
    Dataset.objects.filter(pk=first.pk).update(title="Cambiado sin servicio", version=first.version + 1)

    # The last chunks are current: the worker stops there and leaves the stale first entry to the stream.
    assert province_fragments_fill(scope_for_province(), chunk_size=2) == 0
    text = _streamed(2)
    assert "Cambiado sin servicio" in text
    assert text == _one_at_a_time()


def test_half_filled_store_meets_the_stream_in_the_middle(rich):
    """A worker that got halfway from the end, a stream from the start: the same bytes."""
    expected = _one_at_a_time()
    _streamed(2)
    ids = list(DatasetExportFragment.objects.order_by("dataset_id").values_list("dataset_id", flat=True))
    DatasetExportFragment.objects.filter(dataset_id__in=ids[: len(ids) // 2]).delete()

    assert _streamed(2) == expected
    assert DatasetExportFragment.objects.count() == len(ids)


@pytest.fixture
def odd(municipality, settings):
    """Published datasets with the values an entry writer gets wrong first: empty optional keys (a
    publisher with only the portal's e-mail, a contact with only an e-mail), empty and missing JSON
    lists, unknown and empty licenses, a zero size, a link with no address, control characters and
    line separators, a date to the microsecond, before the epoch, in a past time-zone offset."""
    municipality.contact_email = ""
    municipality.save()
    bare = _full_dataset(municipality, "casi-vacio")
    Dataset.objects.filter(pk=bare.pk).update(
        publisher_name="",
        publisher_mbox="",
        contact_name="",
        contact_email="solo-correo@example.org",
        super_themes=[],
        keywords=[],
        language=[],
        license="licencia-desconocida",
        accrual_periodicity="",
        issued=datetime(1920, 5, 1, 12, 0, 0, 999999, tzinfo=TZ),
        modified=None,
        temporal="",
        spatial="",
        landing_page="",
        description='control \x01\x1f, separadores \u2028\u2029, nulo \\u0000 y «comillas» "dobles"',
    )
    uploaded, linked = bare.distributions.order_by("position", "id")
    type(uploaded).objects.filter(pk=uploaded.pk).update(
        byte_size=0, license="", title="", description="", format="", media_type="", file_name="", issued=None
    )
    type(linked).objects.filter(pk=linked.pk).update(external_url="", access_url="", license="otra-licencia")
    languages = _full_dataset(municipality, "idiomas")
    Dataset.objects.filter(pk=languages.pk).update(
        keywords=["ñandú", "tab\tbed", "emoji 🚧"],
        language=["spa", "eng"],
        contact_name="Solo nombre",
        contact_email="",
    )


def test_entries_written_as_text_are_the_dict_entries_bytes_for_odd_values(odd, settings, monkeypatch):
    # Odd values fail the national profile: without a judge every entry is federated, so the province
    # stream shows each one (test_datajson.py checks what the judge leaves out).
    monkeypatch.setattr(federation, "_judge", None)
    expected = _one_at_a_time()
    catalog = json.loads(expected)
    bare = next(d for d in catalog["dataset"] if d["identifier"] == "la-plata_casi-vacio")
    # The odd values really reach the entry (else the comparison below proves little).
    assert bare["publisher"] == {"mbox": settings.CATALOG_PUBLISHER_EMAIL}
    assert bare["contactPoint"] == {"hasEmail": "solo-correo@example.org"}
    assert "superTheme" not in bare
    assert "keyword" not in bare
    assert bare["language"] == ["spa"]
    assert bare["license"] == "licencia-desconocida"
    assert bare["issued"] == "1920-05-01T12:00:00-04:00"
    assert bare["distribution"][0]["byteSize"] == 0
    assert "license" not in bare["distribution"][0]
    assert "downloadURL" not in bare["distribution"][1]

    for chunk_size in (1, 1000):
        DatasetExportFragment.objects.all().delete()
        assert _streamed(chunk_size) == expected
    assert _streamed(1000) == expected  # from the stored entries
    other = next(d for d in catalog["dataset"] if d["identifier"] == "la-plata_idiomas")
    assert other["keyword"] == ["ñandú", "tab\tbed", "emoji 🚧"]
    assert other["language"] == ["spa", "eng"]
    assert other["contactPoint"] == {"fn": "Solo nombre"}


# serialized_rollback, as every transactional test: the flush would also remove migration data.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_first_export_outside_a_transaction_stores_every_entry_while_streaming(rich):
    """Outside a transaction PostgreSQL stores each chunk from a thread with its own connection
    (export_fragments.BackgroundStore): every entry is stored by the time the stream ends."""
    expected = _one_at_a_time()

    assert _streamed(2) == expected

    assert DatasetExportFragment.objects.count() == 8
    fragment = DatasetExportFragment.objects.get(dataset__name="la-plata_compras-0")
    DatasetExportFragment.objects.filter(pk=fragment.pk).update(entry=fragment.entry.replace("Compras", "Guardado"))
    assert "Guardado «compras-0»" in _streamed(2)  # served from the store, not rebuilt


def test_background_store_inside_a_transaction_stores_at_once(rich):
    dataset = Dataset.objects.filter(status="published").order_by("id").first()
    store = export_fragments.BackgroundStore()

    store([(dataset.pk, "k" * 64, '{"identifier": "x"}', False)])

    kept = DatasetExportFragment.objects.get(dataset=dataset)
    assert (kept.entry, kept.federable) == ('{"identifier": "x"}', False)
    store.close()


def test_entry_dicts_the_writer_judges_are_what_its_texts_read_back(rich, odd):
    """The federation judge reads the dicts the writer fills as it writes: each must be exactly
    ``json.loads`` of the entry's text (rich and odd values alike), and the verdicts stored with the
    entries the validator's on the text read back."""
    scope = scope_for_province()
    entries = _ProvinceEntries(scope, lambda rows: None)
    chunk = datajson_entries.row_tuples(datasets_in_scope(scope).order_by("id"), datajson_entries.DATASET_COLUMNS)
    results = entries.read(chunk)
    themes = _themes(results[0], entries.theme_ids)
    dicts: list[dict] = []
    written = entries.writer.judged_texts(chunk, themes, results[4:], lambda value: dicts.append(value) or True)

    assert [(pk, text) for pk, text, _ok in written] == entries.writer.texts(chunk, themes, results[4:])
    assert len(written) >= 10
    for (_pk, text, _ok), value in zip(written, dicts, strict=True):
        assert value == json.loads(text)
    full = next(value for value in dicts if value["identifier"] == "la-plata_compras-1")
    assert set(full) == DATASET_KEYS
    assert full["distribution"][0]["field"][1]["units"] == "ARS"

    DatasetExportFragment.objects.all().delete()
    _streamed(1000)
    stored = list(DatasetExportFragment.objects.values_list("entry", "federable"))
    assert len(stored) == len(written)
    assert {ok for _entry, ok in stored} == {True, False}
    for entry, ok in stored:
        assert ok is entry_federable(json.loads(entry), entries.taxonomy)


@pytest.mark.parametrize("vanish", ["one", "every"])
def test_a_dataset_gone_between_a_chunks_read_and_its_writing_is_left_out(rich, vanish):
    """On PostgreSQL the next chunk is read ahead while the stream waits on its client: a stale
    dataset of a narrow chunk is read again when written, and may have left the catalog by then."""
    from abiertos.catalog import datajson

    scope = scope_for_province()
    entries = datajson._ProvinceEntries(scope, export_fragments.store)
    chunk = datajson_entries.row_tuples(datajson.datasets_in_scope(scope).order_by("id"), datajson_entries.KEY_COLUMNS)
    results = entries.read(chunk)  # nothing stored yet: every dataset of the chunk is stale
    gone = [row[0] for row in chunk] if vanish == "every" else [chunk[0][0]]
    Dataset.objects.filter(pk__in=gone).update(status="draft")

    pieces, rebuilt = entries.texts(chunk, results)

    assert rebuilt == len(pieces) == len(chunk) - len(gone)
    kept = {json.loads(text)["identifier"] for text, _federable in pieces}
    gone_identifiers = {f"{d.municipality.slug}_{d.identifier}" for d in Dataset.objects.filter(pk__in=gone)}
    assert not kept & gone_identifiers
