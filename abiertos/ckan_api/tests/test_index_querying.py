"""package_search on the search index gives the catalog-table path's answers, and its cache follows writes."""

import pytest
from django.core.cache import cache

from abiertos.catalog import services
from abiertos.catalog.models import DatasetSearchFacet, SearchFacetValue, SearchIndexGeneration, Theme
from abiertos.catalog.tests.factories import dataset_make
from abiertos.ckan_api import fq, index_querying, querying
from abiertos.core.actors import Actor

pytestmark = pytest.mark.django_db

FACETS = ["organization", "groups", "tags", "res_format", "license_id"]


@pytest.fixture
def catalog(municipality, other_municipality):
    made = [
        dataset_make(municipality, publish=True, identifier="obras", title="Obras públicas 2024", keywords=["Obras"]),
        dataset_make(
            municipality,
            publish=True,
            identifier="gastos",
            title="Gastos",
            description="Compras de obras públicas.",
            keywords=["obras", "gasto"],
            themes=["salud"],
        ),
        dataset_make(other_municipality, publish=True, identifier="obra-vial", title="Obra vial", keywords=["vial"]),
        dataset_make(other_municipality, publish=True, identifier="salud", title="Centros de salud", license="cc-zero"),
        dataset_make(municipality, identifier="borrador", title="Obras en borrador"),
    ]
    cache.clear()
    return made


def _both(actor, params: dict) -> tuple[querying.SearchPage, querying.SearchPage]:
    node = fq.And((fq.parse(params.get("q", "*:*")), fq.parse(params.get("fq", ""))))
    kwargs = {
        "actor": actor,
        "query": node,
        "sort": params.get("sort", [("score", True), ("metadata_modified", True)]),
        "start": params.get("start", 0),
        "rows": params.get("rows", 10),
        "facet_fields": FACETS,
        "include_private": params.get("include_private", False),
    }
    assert index_querying.flatten(node) is not None, "the query should take the index path"
    on_index = querying.dataset_search(**kwargs)
    cache.clear()
    original = index_querying.flatten
    index_querying.flatten = lambda node: None
    try:
        on_tables = querying.dataset_search(**kwargs)
    finally:
        index_querying.flatten = original
    return on_index, on_tables


def _shape(page: querying.SearchPage):
    facets = {name: [(i.name, i.display_name, i.count) for i in items] for name, items in page.facets.items()}
    return page.count, [d.name for d in page.datasets], facets


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "obra publica"},
        {"q": "obras", "fq": "organization:la-plata"},
        {"fq": "tags:obras"},
        {"fq": "tags:Obras"},
        {"fq": "res_format:csv groups:salud"},
        {"fq": "license_id:cc-zero"},
        {"q": "obra", "sort": [("name", False)]},
        {"q": "obra", "sort": [("title_string", True)], "start": 1, "rows": 1},
        {"sort": [("id", False)], "fq": "metadata_modified:[2020-01-01T00:00:00Z TO *]"},
        {"fq": "dataset_type:harvest"},
        {"q": "obra", "include_private": True},
        {"q": "obra publica gastos"},
        {"q": "obra", "sort": [("metadata_created", False)]},
        {"q": "obra", "sort": [("score", False), ("metadata_modified", False)], "start": 1},
    ],
)
def test_index_path_answers_as_the_catalog_tables_do(catalog, editor, params):
    actor = Actor.for_user(editor) if params.get("include_private") else Actor.anonymous()
    on_index, on_tables = _both(actor, params)
    assert _shape(on_index) == _shape(on_tables)
    assert on_index.count > 0 or params.get("fq") == "dataset_type:harvest"


def test_index_path_keeps_tags_exactly_as_written(catalog):
    on_index, _ = _both(Actor.anonymous(), {})
    assert {(i.name, i.count) for i in on_index.facets["tags"]} >= {("Obras", 1), ("obras", 1)}
    assert _both(Actor.anonymous(), {"fq": "tags:Obras"})[0].count == 1


def test_or_and_not_take_the_catalog_table_path():
    assert index_querying.flatten(fq.parse("tags:a OR tags:b")) is None
    assert index_querying.flatten(fq.parse("-tags:a")) is None
    assert index_querying.flatten(fq.parse("name:x")) is None
    assert index_querying.flatten(fq.parse("tags:a organization:b obras")) is not None


def test_cached_answer_is_reused_until_the_index_changes(ckan, catalog, municipality, django_assert_max_num_queries):
    params = {"q": "obra", "facet.field": '["organization", "tags"]'}
    first = ckan("package_search", params).result
    assert first["count"] == 3
    with django_assert_max_num_queries(6):  # generation, then the page's datasets only
        assert ckan("package_search", params).result == first
    token = SearchIndexGeneration.objects.get().token
    dataset_make(municipality, publish=True, identifier="obra-nueva", title="Obra nueva")
    assert SearchIndexGeneration.objects.get().token != token
    after = ckan("package_search", params).result
    assert after["count"] == 4
    assert after["facets"]["organization"]["la-plata"] == first["facets"]["organization"]["la-plata"] + 1


def test_cache_forgets_a_deleted_dataset(ckan, catalog):
    assert ckan("package_search", {"q": "vial"}).result["count"] == 1
    services.dataset_delete(dataset=catalog[2], by=Actor.system("test"))
    assert ckan("package_search", {"q": "vial"}).result["count"] == 0


def test_cache_follows_a_municipality_going_inactive(ckan, catalog, other_municipality):
    assert ckan("package_search", {"fq": "organization:bahia-blanca"}).result["count"] == 2
    other_municipality.is_active = False
    other_municipality.save()
    assert ckan("package_search", {"fq": "organization:bahia-blanca"}).result["count"] == 0


def _facet_rows_match_their_value_ids():
    rows = DatasetSearchFacet.objects.values_list("facet", "value", "value_ref__facet", "value_ref__value")
    assert rows
    assert all((facet, value) == (ref_facet, ref_value) for facet, value, ref_facet, ref_value in rows)


def test_facets_are_counted_by_value_id_and_follow_renames(catalog, municipality):
    """Facet rows carry the id of their (facet, value); counts are grouped on it, so a renamed
    municipality or theme must move its rows to the new value's id and show the new label."""
    _facet_rows_match_their_value_ids()
    municipality.slug, municipality.name = "la-plata-capital", "La Plata Capital"
    municipality.save()
    theme = Theme.objects.get(identifier="salud")
    theme.label = "Salud pública"
    theme.save()
    _facet_rows_match_their_value_ids()
    on_index, on_tables = _both(Actor.anonymous(), {"q": "obra"})
    assert _shape(on_index) == _shape(on_tables)
    organizations = {(i.name, i.display_name, i.count) for i in on_index.facets["organization"]}
    assert organizations == {("la-plata-capital", "La Plata Capital", 2), ("bahia-blanca", "Bahía Blanca", 1)}
    assert [(i.name, i.display_name) for i in on_index.facets["groups"]] == [("salud", "Salud pública")]
    # The old slug keeps its id (ids are only ever added) but no dataset counts under it any more.
    assert SearchFacetValue.objects.filter(facet="municipality", value="la-plata").exists()
    assert _both(Actor.anonymous(), {"fq": "organization:la-plata"})[0].count == 0


def test_the_index_path_answers_from_memory_as_sql_does(catalog, editor, monkeypatch):
    """``answer`` (the in-memory copy, search_engine.py) gives ``answer_sql``'s answers, and the
    CKAN view's index path does not fall back to SQL."""
    kinds = ["municipality", "theme", "tag", "format", "license"]
    cases = [
        ("obra publica", "", False, [("score", True), ("metadata_modified", True)]),
        ("obras", "organization:la-plata", False, [("metadata_modified", False)]),
        ("", "res_format:csv groups:salud", False, [("metadata_created", True)]),
        ("obra", "", True, [("score", True), ("metadata_modified", True)]),
        ("", "metadata_modified:[2020-01-01T00:00:00Z TO *]", False, [("name", False)]),
    ]
    for actor in (Actor.anonymous(), Actor.for_user(editor)):
        for q, fq_text, include_private, sort in cases:
            flat = index_querying.flatten(fq.And((fq.parse(q or "*:*"), fq.parse(fq_text))))
            args = (actor, flat, include_private, kinds, sort, index_querying.text.query_terms(q), 0, 10)
            in_memory, in_sql = index_querying.answer(*args), index_querying.answer_sql(*args)
            assert (in_memory.count, in_memory.ids) == (in_sql.count, in_sql.ids), (q, fq_text)
            assert {k: sorted(v) for k, v in in_memory.facets.items()} == {
                k: sorted(v) for k, v in in_sql.facets.items()
            }
    monkeypatch.setattr(index_querying, "answer_sql", None)  # calling it would fail
    on_index, on_tables = _both(Actor.anonymous(), {"q": "obra"})
    assert _shape(on_index) == _shape(on_tables)
