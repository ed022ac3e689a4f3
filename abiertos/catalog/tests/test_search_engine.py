"""The in-memory copy of the search index (search_engine.py): same answers as SQL, never stale.

Run on both databases. The copy is per process; tests use their own ``ColumnarIndex`` where they
follow its refreshes, and the process's copy where they go through the search functions."""

import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from abiertos.accounts.models import Role
from abiertos.accounts.tests.factories import user_with_role
from abiertos.catalog import search as search_module
from abiertos.catalog import search_engine, services, text
from abiertos.catalog.models import DatasetSearchEntry, SearchIndexChange, SearchIndexGeneration
from abiertos.catalog.search import SearchQuery, _checked, _search_in_memory, _search_sql
from abiertos.catalog.search_engine import ColumnarIndex, Visibility
from abiertos.catalog.search_index import search_log_prune
from abiertos.catalog.tests.factories import dataset_make
from abiertos.core.actors import Actor

ANONYMOUS = Actor.anonymous()
SYSTEM = Actor.system("test")


@pytest.fixture
def catalog(municipality, other_municipality):
    made = [
        dataset_make(municipality, publish=True, title="Obras públicas 2024", keywords=["Obras", "viales"]),
        dataset_make(
            municipality,
            publish=True,
            title="Gastos de obras",
            description="Compras de obras públicas y de salud.",
            keywords=["obras", "gasto"],
            themes=["salud"],
            publisher_name="Secretaría de Obras",
        ),
        dataset_make(other_municipality, publish=True, title="Obra vial", keywords=["vial"], license="cc-zero"),
        dataset_make(other_municipality, publish=True, title="Centros de salud", publisher_name="secretaria de obras"),
        dataset_make(
            other_municipality, publish=True, title="Presupuesto de obras de salud", accrual_periodicity="R/P1D"
        ),
        dataset_make(municipality, title="Obras en borrador"),
    ]
    cache.clear()
    return made


def public_count(index: ColumnarIndex, q: str) -> int:
    """How many public entries match ``q``, on this copy (refreshed first)."""
    terms = text.query_terms(q)

    def compute(index, match):
        return index.count(index.select(match=match if terms else None, visibility=Visibility("is_public")))

    return search_engine.search(compute, terms, index=index)


QUERIES = [
    {},
    {"q": "obras"},
    {"q": "obra publica"},
    {"q": "obras de salud publica"},  # three terms: relevance counts title hits
    {"q": "obras", "sort": "relevance", "descending": False},
    {"q": "obras", "sort": "modified"},
    {"q": "obras", "sort": "created", "descending": False},
    {"q": "obras", "sort": "title"},
    {"q": "obras", "sort": "name", "descending": True, "start": 1, "rows": 2},
    {"municipalities": ("la-plata", "bahia-blanca"), "themes": ("salud",)},
    {"keywords": ("OBRAS",)},
    {"publishers": ("Secretaria de obras",)},
    {"formats": ("csv",), "licenses": ("cc-zero", "cc-by-4.0")},
    {"up_to_date": True},
    {"up_to_date": False, "q": "obras"},
    {"q": "obras", "include_drafts": True},
    {"q": "nada parecido"},
    {"q": "obras", "rows": 0},
]


@pytest.mark.parametrize("who", ["anonymous", "editor", "provincial_admin"])
def test_in_memory_search_answers_as_sql(catalog, municipality, who):
    actor = ANONYMOUS
    if who == "editor":
        actor = Actor.for_user(user_with_role(Role.MUNICIPAL_EDITOR, municipality, email="e@example.org"))
    elif who == "provincial_admin":
        actor = Actor.for_user(user_with_role(Role.PROVINCIAL_ADMIN, email="p@example.org"))
    now = timezone.now()
    for params in QUERIES:
        query = _checked(SearchQuery(**params))
        terms = text.query_terms(query.q)
        in_memory = _search_in_memory(actor, query, terms, now)
        assert in_memory == _search_sql(actor, query, terms, now), params
    ids, total, facets = _search_in_memory(actor, _checked(SearchQuery(q="obras")), text.query_terms("obras"), now)
    assert (total, len(ids)) == (5, 5)  # not the draft; one by its publisher, "secretaria de obras"
    assert {f.value: f.count for f in facets["municipality"]} == {"la-plata": 2, "bahia-blanca": 3}
    # Keywords differing in case count together; the label is the greatest as written.
    assert [(f.value, f.label, f.count) for f in facets["keyword"] if f.value == "obras"] == [("obras", "obras", 2)]
    drafts = _search_in_memory(
        actor, _checked(SearchQuery(q="obras", include_drafts=True)), text.query_terms("obras"), now
    )
    assert drafts[1] == (5 if who == "anonymous" else 6)


def test_the_search_functions_take_the_in_memory_path(catalog, monkeypatch):
    def no_sql(*args, **kwargs):
        raise AssertionError("the SQL path ran")

    monkeypatch.setattr(search_module, "_search_sql", no_sql)
    result = search_module.dataset_search(actor=ANONYMOUS, query=SearchQuery(q="obras"))
    assert result.total == 5


def test_a_write_is_applied_as_a_delta(catalog, municipality):
    index = ColumnarIndex()
    assert public_count(index, "obras") == 5
    assert index.stats["full_loads"] == 1
    dataset_make(municipality, publish=True, title="Obras hidráulicas")
    assert public_count(index, "obras") == 6
    assert (index.stats["full_loads"], index.stats["deltas"]) == (1, 1)
    services.dataset_delete(dataset=catalog[0], by=SYSTEM)
    assert public_count(index, "obras") == 5
    assert (index.stats["full_loads"], index.stats["deltas"]) == (1, 2)
    # Every index write logged its entries with the tokens before and after it.
    last = SearchIndexChange.objects.order_by("-seq").first()
    assert (last.token, last.seq) == tuple(SearchIndexGeneration.objects.values_list("token", "seq").get())
    assert last.dataset_id == catalog[0].pk


def test_facets_and_filters_follow_a_delta(catalog, municipality, other_municipality):
    index = search_engine.columnar_index()
    index.refresh()
    query = SearchQuery(q="obras", keywords=("viales",))
    assert search_module.dataset_search(actor=ANONYMOUS, query=query).total == 1
    dataset_make(other_municipality, publish=True, title="Obras viales", keywords=["Viales"])
    result = search_module.dataset_search(actor=ANONYMOUS, query=query)
    assert result.total == 2
    assert {f.value: f.count for f in result.facets["municipality"]} == {"la-plata": 1, "bahia-blanca": 1}
    municipality.is_active = False
    municipality.save()
    result = search_module.dataset_search(actor=ANONYMOUS, query=query)
    assert [d.title for d in result.datasets] == ["Obras viales"]


def test_a_pruned_log_reloads_everything(catalog, municipality):
    index = ColumnarIndex()
    assert public_count(index, "obras") == 5
    dataset_make(municipality, publish=True, title="Obras hidráulicas")
    assert search_log_prune(keep=0) > 0
    assert not SearchIndexChange.objects.exists()
    assert public_count(index, "obras") == 6
    assert (index.stats["full_loads"], index.stats["deltas"]) == (2, 0)


def test_a_rolled_back_write_it_had_read_is_forgotten(catalog, municipality):
    index = ColumnarIndex()
    assert public_count(index, "obras") == 5
    seen = []

    def write_then_fail():
        with transaction.atomic():
            dataset_make(municipality, publish=True, title="Obras que no serán")
            seen.append(public_count(index, "obras"))  # the copy reads the uncommitted write
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert seen == [6]
    dataset_make(municipality, publish=True, title="Obras de verdad")
    dataset_make(municipality, publish=True, title="Más obras de verdad")
    # Same or greater sequence number, different tokens: the log does not continue the copy's state.
    assert public_count(index, "obras") == 7
    assert index.stats["full_loads"] == 2


def test_a_write_during_the_text_query_makes_the_search_start_over(catalog, municipality, monkeypatch):
    index = ColumnarIndex()
    index.refresh()
    real = search_engine.text_match
    calls = []

    def racing(terms, title_terms=()):
        if not calls:  # a write lands between the refresh and the text query
            dataset_make(municipality, publish=True, title="Obras nuevas")
        calls.append(terms)
        return real(terms, title_terms)

    monkeypatch.setattr(search_engine, "text_match", racing)
    assert public_count(index, "obras") == 6
    assert len(calls) == 2


def test_memory_is_reported(catalog):
    index = ColumnarIndex()
    index.refresh()
    assert index.memory_bytes() > 0
    assert index.size > max(d.pk for d in catalog)


# serialized_rollback, as every transactional test here: the flush would also remove migration data.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_processes_see_each_others_writes(municipality):
    """Two copies, each used from its own thread and database connection, as two web processes:
    a write committed through one connection is in the next search of the other copy."""
    first, second = ColumnarIndex(), ColumnarIndex()
    dataset_make(municipality, publish=True, title="Obras viales")
    assert public_count(first, "obras") == 1
    results, errors = [], []

    def elsewhere(work):
        def run():
            try:
                results.append(work())
            except Exception as error:  # noqa: BLE001 (reported by the assertion below)
                errors.append(error)
            finally:
                connection.close()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        assert not errors, errors
        return results.pop()

    assert elsewhere(lambda: public_count(second, "obras")) == 1
    elsewhere(lambda: dataset_make(municipality, publish=True, title="Obras hidráulicas").pk)
    assert public_count(first, "obras") == 2
    assert first.stats["deltas"] == 1
    doomed = dataset_make(municipality, publish=True, title="Obras por borrar")
    assert elsewhere(lambda: public_count(second, "obras")) == 3
    services.dataset_delete(dataset=doomed, by=SYSTEM)
    assert elsewhere(lambda: public_count(second, "obras")) == 2
    assert (second.stats["full_loads"], second.stats["deltas"]) == (1, 2)


def test_ranges_and_freshness(catalog):
    """Range filters on the in-memory times, as ``modified`` comparisons in SQL (NULL never matches)."""
    now = timezone.now()
    for params in [
        {"modified_since": now - timedelta(days=1)},
        {"modified_before": now + timedelta(days=1)},
        {"modified_since": now + timedelta(days=1)},
    ]:
        query = _checked(SearchQuery(**params))
        assert _search_in_memory(ANONYMOUS, query, [], now) == _search_sql(ANONYMOUS, query, [], now)


@pytest.mark.parametrize("fraction", [0, 1, 499_999, 999_499, 999_500, 999_999])
def test_times_are_read_to_the_microsecond(municipality, fraction):
    """The copy holds each time exactly as stored: SQLite's strftime('%s') rounds to the millisecond
    (".999999" became the next second), which put a dataset created just before a second's end after
    one created just after it."""
    dataset = dataset_make(municipality, publish=True, title="Obras")
    moment = timezone.now().replace(microsecond=fraction)
    DatasetSearchEntry.objects.filter(pk=dataset.pk).update(created=moment, updated=moment + timedelta(microseconds=2))
    (row,) = ColumnarIndex._entries("WHERE dataset_id = %s", [dataset.pk])
    created, updated = row[4 + search_engine.TIMES.index("created")], row[4 + search_engine.TIMES.index("updated")]
    assert created == search_engine.micros(moment)
    assert updated - created == 2
