"""Deferred indexing: inside search_index_deferred() the index is written once, in bulk, at the end."""

import pytest
from django.db import transaction

from abiertos.catalog import search_index
from abiertos.catalog.models import DatasetSearchEntry
from abiertos.catalog.search_index import search_index_deferred
from abiertos.catalog.tests.factories import dataset_make, distribution_csv_make


@pytest.fixture
def index_calls(monkeypatch):
    calls = []
    original = search_index.datasets_index

    def spy(*, dataset_ids):
        ids = list(dataset_ids)
        calls.append(ids)
        return original(dataset_ids=ids)

    monkeypatch.setattr(search_index, "datasets_index", spy)
    return calls


def test_search_index_deferred_writes_each_dataset_once_at_the_end(municipality, index_calls):
    with search_index_deferred():
        first = dataset_make(municipality, title="Presupuesto municipal", publish=True)
        distribution_csv_make(first)
        second = dataset_make(municipality, title="Arbolado urbano", publish=True)
        assert not DatasetSearchEntry.objects.filter(pk__in=[first.pk, second.pk]).exists()
        assert index_calls == []
    assert index_calls == [sorted([first.pk, second.pk])]
    titles = set(DatasetSearchEntry.objects.filter(pk__in=[first.pk, second.pk]).values_list("name", flat=True))
    assert titles == {first.name, second.name}


def test_search_index_deferred_nested_blocks_flush_once_with_the_outermost(municipality, index_calls):
    with search_index_deferred():
        with search_index_deferred():
            dataset = dataset_make(municipality, title="Licencias comerciales", publish=True)
        assert index_calls == []
    assert index_calls == [[dataset.pk]]


def test_search_index_deferred_indexes_again_at_once_after_the_block(municipality, index_calls):
    with search_index_deferred():
        pass
    assert index_calls == []
    dataset = dataset_make(municipality, title="Padrón de comercios", publish=True)
    assert index_calls[-1:] == [[dataset.pk]]
    assert DatasetSearchEntry.objects.filter(pk=dataset.pk, is_published=True).exists()


def test_search_index_deferred_leaves_nothing_when_its_transaction_rolls_back(municipality, index_calls):
    def failing_import():
        with transaction.atomic(), search_index_deferred():
            dataset_make(municipality, title="Obras públicas", publish=True)
            raise RuntimeError("falla a mitad de la importación")

    with pytest.raises(RuntimeError):
        failing_import()
    assert index_calls == []
    assert not DatasetSearchEntry.objects.filter(name__icontains="obras").exists()
