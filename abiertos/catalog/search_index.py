"""Keeps the search index (DatasetSearchEntry and its facets) in step with the catalog.

The index lives in the same database as the catalog, so it is written inside the same
transaction as the change it reflects: a rolled-back service leaves nothing behind, and an
editor who has just published finds the dataset at once. (STYLE §2 defers side effects to
``on_commit``; that is for effects outside the database, such as e-mails or tasks.)

Writes reach the index through ``dataset_changed`` (signals.py), which services send, and,
until every service does, through ``post_save``/``m2m_changed`` of datasets, distributions
and themes (``connect_signals``, called from ``CatalogConfig.ready``). Labels of renamed
municipalities and themes are updated in place; anything else that changes stored terms
(text.py rules) needs ``manage.py search_reindex``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Prefetch
from django.db.models.signals import m2m_changed, post_delete, post_save

from abiertos.core.inserts import objects_insert, rows_insert
from abiertos.core.models import Municipality

from . import search_backends, text
from .freshness import fresh_until
from .models import (
    Dataset,
    DatasetSearchEntry,
    DatasetSearchFacet,
    DatasetStatus,
    Distribution,
    SearchFacetValue,
    SearchIndexChange,
    SearchIndexGeneration,
    Theme,
)
from .signals import dataset_changed
from .vocabularies import LICENSES

BATCH_SIZE = 500
# The change log keeps the last LOG_KEEP index writes, pruned every PRUNE_EVERY writes (and by
# ``manage.py search_log_prune``); a process further behind reloads its copy of the index.
LOG_KEEP = 5_000
PRUNE_EVERY = 500


def index_generation() -> str | None:
    """The token of the index's current state (None if the row is missing: then nothing is cached)."""
    return SearchIndexGeneration.objects.values_list("token", flat=True).first()


def index_generation_bump(dataset_ids: Iterable[int] | None = None) -> None:
    """Mark the index as changed, in the writer's transaction: answers cached before no longer apply.

    Also appends the change to the index change log (``SearchIndexChange``), under the next
    sequence number, for the processes that hold a copy of the index (search_engine.py): the
    entries of ``dataset_ids`` must be re-read, or, with None, anything may have changed. The first
    statement locks the generation row until the writer commits, so sequence numbers are given
    in commit order and a reader that sees ``seq`` sees every change up to it."""
    token = uuid.uuid4().hex
    if not SearchIndexGeneration.objects.update(seq=F("seq") + 1):
        SearchIndexGeneration.objects.create(token="", seq=1)
    prev_token, seq = SearchIndexGeneration.objects.values_list("token", "seq").get()
    SearchIndexGeneration.objects.update(token=token)
    ids = [None] if dataset_ids is None else list(dict.fromkeys(dataset_ids)) or [0]
    rows_insert(
        SearchIndexChange,
        ["seq", "dataset_id", "prev_token", "token"],
        [(seq, pk, prev_token, token) for pk in ids],
    )
    if seq % PRUNE_EVERY == 0:
        search_log_prune(keep=LOG_KEEP, upto=seq)


def search_log_prune(*, keep: int = 0, upto: int | None = None) -> int:
    """Drop the change log's rows older than the last ``keep`` index writes; returns rows dropped.

    A process whose copy is older than what is left reloads the whole index on its next search."""
    if upto is None:
        upto = SearchIndexGeneration.objects.values_list("seq", flat=True).first() or 0
    deleted, _ = SearchIndexChange.objects.filter(seq__lte=upto - keep).delete()
    return deleted


def _datasets(ids: Iterable[int]):
    return (
        Dataset.objects.filter(pk__in=list(ids))
        .select_related("municipality")
        .prefetch_related(
            "themes",
            Prefetch(
                "distributions",
                queryset=Distribution.objects.filter(deleted_at__isnull=True).prefetch_related("fields"),
                to_attr="indexed_distributions",
            ),
        )
    )


@dataclass(frozen=True)
class Loaded:
    """A dataset as the index reads it: its municipality, themes and live distributions with the
    titles of their fields, already at hand (from the database, or as a bulk writer holds them)."""

    dataset: Dataset
    municipality: Municipality
    themes: list[Theme]  # ordered by label, as Theme's default ordering
    distributions: list[tuple[Distribution, list[str]]]  # live ones, by position; field titles


def _loaded(dataset: Dataset) -> Loaded:
    return Loaded(
        dataset,
        dataset.municipality,
        list(dataset.themes.all()),
        [(d, [f.title for f in d.fields.all()]) for d in dataset.indexed_distributions],
    )


def _entry(loaded: Loaded) -> DatasetSearchEntry:
    dataset, municipality = loaded.dataset, loaded.municipality
    body = [dataset.description, dataset.publisher_name, municipality.name]
    for distribution, field_titles in loaded.distributions:
        body += [distribution.title, distribution.description, *field_titles]
    return DatasetSearchEntry(
        dataset_id=dataset.pk,
        municipality_id=dataset.municipality_id,
        is_published=dataset.status == DatasetStatus.PUBLISHED,
        is_public=dataset.status == DatasetStatus.PUBLISHED and municipality.is_active,
        name=dataset.name,
        title_sort=text.sort_key(dataset.title),
        modified=dataset.modified,
        created=dataset.created_at,
        updated=dataset.updated_at,
        fresh_until=fresh_until(accrual_periodicity=dataset.accrual_periodicity, modified=dataset.modified),
        title_terms=text.terms_text(dataset.title),
        keyword_terms=text.terms_text(*dataset.keywords, *(t.label for t in loaded.themes)),
        body_terms=text.terms_text(*body),
    )


def _facet_values(loaded: Loaded) -> Iterator[tuple[str, str, str]]:
    dataset, municipality = loaded.dataset, loaded.municipality
    yield "municipality", municipality.slug, municipality.name
    for theme in loaded.themes:
        yield "theme", theme.identifier, theme.label
    for distribution, _titles in loaded.distributions:
        if fmt := distribution.format.strip().upper():
            yield "format", fmt, fmt
    if dataset.license:
        yield "license", dataset.license, LICENSES[dataset.license].title if dataset.license in LICENSES else ""
    for keyword in dataset.keywords:
        yield "keyword", text.facet_value(keyword), keyword
        yield "tag", keyword, keyword
    yield "publisher", text.facet_value(dataset.publisher_name), dataset.publisher_name


def _facets(loaded: Loaded) -> list[tuple[int, str, str, str]]:
    """(entry id, facet, value, label) of one dataset's facet rows, each (facet, value) once."""
    seen: dict[tuple[str, str], tuple[int, str, str, str]] = {}
    pk = loaded.dataset.pk
    for facet, value, label in _facet_values(loaded):
        value = value[:200]
        if value and (facet, value) not in seen:
            seen[facet, value] = (pk, facet, value, (label or value)[:200])
    return list(seen.values())


def facet_value_ids(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The integer id of each (facet, value) pair, adding the pairs not seen before."""
    wanted = set(pairs)
    if not wanted:
        return {}

    def known() -> dict[tuple[str, str], int]:
        found: dict[tuple[str, str], int] = {}
        by_facet: dict[str, list[str]] = {}
        for facet, value in wanted:
            by_facet.setdefault(facet, []).append(value)
        for facet, values in by_facet.items():
            for start in range(0, len(values), 500):
                rows = SearchFacetValue.objects.filter(facet=facet, value__in=values[start : start + 500])
                found.update({(facet, value): pk for pk, value in rows.values_list("pk", "value")})
        return found

    ids = known()
    missing = wanted - ids.keys()
    if missing:
        # Another writer may add the same pair meanwhile: ignore the conflict and read the ids back.
        SearchFacetValue.objects.bulk_create(
            [SearchFacetValue(facet=f, value=v) for f, v in sorted(missing)], batch_size=500, ignore_conflicts=True
        )
        ids = known()
    return ids


FACET_COLUMNS = ("entry_id", "facet", "value", "label", "value_ref_id")


def _write(datasets: list[Loaded], *, fresh: bool = False) -> None:
    """Write the entries and facets of these datasets; ``fresh``: none of them is indexed yet."""
    ids = [d.dataset.pk for d in datasets]
    if not fresh:
        DatasetSearchFacet.objects.filter(entry_id__in=ids).delete()
    if len(datasets) == 1 and not fresh:
        _entry(datasets[0]).save()
    else:
        if not fresh:
            DatasetSearchEntry.objects.filter(pk__in=ids).delete()
        objects_insert([_entry(d) for d in datasets])
    facets = [f for d in datasets for f in _facets(d)]
    value_ids = facet_value_ids((facet, value) for _pk, facet, value, _label in facets)
    rows_insert(DatasetSearchFacet, FACET_COLUMNS, [(*f, value_ids[f[1], f[2]]) for f in facets])


@transaction.atomic
def datasets_index(*, dataset_ids: Iterable[int]) -> int:
    """Bring the search entries of these datasets in line with them; deleted ones leave the index.

    Returns how many datasets are now indexed among those given."""
    ids = list(dict.fromkeys(dataset_ids))
    if not ids:
        return 0
    index_generation_bump(ids)
    live = [d for d in _datasets(ids) if d.deleted_at is None]
    gone = set(ids) - {d.pk for d in live}
    if gone:
        DatasetSearchEntry.objects.filter(pk__in=gone).delete()
    if live:
        _write([_loaded(d) for d in live])
    return len(live)


@transaction.atomic
def datasets_index_loaded(datasets: list[Loaded], *, created: Iterable[int] = ()) -> int:
    """What ``datasets_index`` does for live datasets, from objects a writer already holds (a bulk
    import): no reading back. ``created`` are the ids just inserted (no entry to remove first)."""
    if not datasets:
        return 0
    index_generation_bump([d.dataset.pk for d in datasets])
    new = set(created)
    fresh = [d for d in datasets if d.dataset.pk in new]
    known = [d for d in datasets if d.dataset.pk not in new]
    if fresh:
        _write(fresh, fresh=True)
    if known:
        _write(known)
    return len(datasets)


def dataset_index(*, dataset_id: int) -> None:
    """Bring one dataset's search entry in line with it (or drop it when deleted)."""
    if _deferred_add(dataset_id):
        return
    datasets_index(dataset_ids=[dataset_id])


def search_reindex(*, municipality: Municipality | None = None, progress=None) -> int:
    """Rebuild the whole index (or a municipality's part of it), in batches; returns datasets indexed."""
    datasets = Dataset.objects.filter(deleted_at__isnull=True)
    stale = DatasetSearchEntry.objects.exclude(dataset__deleted_at__isnull=True)
    if municipality is not None:
        datasets = datasets.filter(municipality=municipality)
        stale = stale.filter(municipality=municipality)
    index_generation_bump(None if municipality is None else stale.values_list("pk", flat=True))
    stale.delete()
    ids = list(datasets.order_by("pk").values_list("pk", flat=True))
    done = 0
    for start in range(0, len(ids), BATCH_SIZE):
        done += datasets_index(dataset_ids=ids[start : start + BATCH_SIZE])
        if progress is not None:
            progress(done, len(ids))
    if municipality is None:
        search_backends.rebuild_text_index()
    return done


# Deferred indexing: a bulk writer (an import, a harvest) saves each dataset several times
# (create, distributions, publish, modified, origin), and every save would rewrite its entry.
# Inside ``search_index_deferred()`` the receivers only note the dataset; one bulk
# ``datasets_index`` runs when the block ends.

_deferred = threading.local()


def _deferred_add(dataset_id: int) -> bool:
    pending = getattr(_deferred, "ids", None)
    if pending is None:
        return False
    pending.add(dataset_id)
    return True


@contextmanager
def search_index_deferred() -> Iterator[None]:
    """Index the datasets changed inside the block once, in bulk, when it ends (nested blocks join
    the outermost). Enter it inside the transaction whose writes it covers, so the index is
    written before that transaction commits."""
    if getattr(_deferred, "ids", None) is not None:
        yield
        return
    _deferred.ids = pending = set()
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        _deferred.ids = None
        # An exception inside a transaction rolls it back, index writes included: nothing to do.
        if pending and not (failed and connection.in_atomic_block):
            for start in range(0, len(pending), BATCH_SIZE):
                datasets_index(dataset_ids=sorted(pending)[start : start + BATCH_SIZE])


# Signal receivers: a raw save (loaddata) may precede its relations; search_reindex covers it.


def _on_dataset_changed(sender, *, dataset_id: int, **kwargs) -> None:
    dataset_index(dataset_id=dataset_id)


def _on_dataset_saved(sender, instance: Dataset, raw: bool = False, **kwargs) -> None:
    if not raw:
        dataset_index(dataset_id=instance.pk)


def _on_distribution_saved(sender, instance: Distribution, raw: bool = False, **kwargs) -> None:
    if not raw:
        dataset_index(dataset_id=instance.dataset_id)


def _on_distribution_deleted(sender, instance: Distribution, **kwargs) -> None:
    # Hard deletes come with their dataset's deletion (services soft-delete): reindexing now
    # would re-create the entry of a dataset about to disappear, so wait for the outcome.
    dataset_id = instance.dataset_id
    transaction.on_commit(lambda: dataset_index(dataset_id=dataset_id))


def _on_dataset_deleted(sender, instance: Dataset, **kwargs) -> None:
    # A hard delete removes the entry by cascade, without datasets_index: log it for the copies.
    index_generation_bump([instance.pk])


def _on_themes_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        dataset_index(dataset_id=instance.pk)
    elif pk_set:
        datasets_index(dataset_ids=pk_set)


def _on_municipality_saved(sender, instance: Municipality, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    index_generation_bump(DatasetSearchEntry.objects.filter(municipality_id=instance.pk).values_list("pk", flat=True))
    slug = instance.slug[:200]
    stale = DatasetSearchFacet.objects.filter(facet="municipality", entry__municipality_id=instance.pk).exclude(
        value=slug, label=instance.name[:200]
    )
    if stale.exists():
        value_ref = facet_value_ids([("municipality", slug)])["municipality", slug]
        stale.update(value=slug, label=instance.name[:200], value_ref_id=value_ref)
    entries = DatasetSearchEntry.objects.filter(municipality_id=instance.pk)
    if instance.is_active:
        entries.filter(is_published=True, is_public=False).update(is_public=True)
    else:
        entries.filter(is_public=True).update(is_public=False)


def _on_theme_saved(sender, instance: Theme, raw: bool = False, created: bool = False, **kwargs) -> None:
    if not raw and not created:
        datasets_index(dataset_ids=instance.datasets.values_list("pk", flat=True))


def connect_signals() -> None:
    """Keep the index in step with catalog writes (called once, from CatalogConfig.ready)."""
    dataset_changed.connect(_on_dataset_changed, dispatch_uid="search_index_dataset_changed")
    post_save.connect(_on_dataset_saved, sender=Dataset, dispatch_uid="search_index_dataset_saved")
    post_save.connect(_on_distribution_saved, sender=Distribution, dispatch_uid="search_index_distribution_saved")
    post_delete.connect(_on_distribution_deleted, sender=Distribution, dispatch_uid="search_index_distribution_deleted")
    post_delete.connect(_on_dataset_deleted, sender=Dataset, dispatch_uid="search_index_dataset_deleted")
    m2m_changed.connect(_on_themes_changed, sender=Dataset.themes.through, dispatch_uid="search_index_themes")
    post_save.connect(_on_municipality_saved, sender=Municipality, dispatch_uid="search_index_municipality")
    post_save.connect(_on_theme_saved, sender=Theme, dispatch_uid="search_index_theme")
