"""Search behaves the same on SQLite (FTS5) and PostgreSQL: run this file on both databases."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

import abiertos.catalog.search as search_module
from abiertos.accounts.models import Role
from abiertos.accounts.tests.factories import user_with_role
from abiertos.catalog import services, text
from abiertos.catalog.inputs import DatasetMetadata
from abiertos.catalog.models import Dataset, DatasetSearchEntry, Theme
from abiertos.catalog.search import (
    SearchQuery,
    ckan_sort_parse,
    dataset_search,
    dataset_search_ckan,
    dataset_text_filter,
    dataset_title_tier,
)
from abiertos.catalog.search_engine import columnar_index
from abiertos.catalog.search_index import search_reindex
from abiertos.catalog.tests.factories import dataset_make, distribution_csv_make
from abiertos.core.actors import Actor
from abiertos.core.errors import ValidationError

ANONYMOUS = Actor.anonymous()
SYSTEM = Actor.system("test")


def search(actor=ANONYMOUS, **kwargs):
    return dataset_search(actor=actor, query=SearchQuery(**kwargs))


def titles(result):
    return [d.title for d in result.datasets]


def make(municipality, title, description="Datos del municipio.", keywords=("datos",), **kwargs):
    kwargs.setdefault("publish", True)
    return dataset_make(municipality, title=title, description=description, keywords=list(keywords), **kwargs)


def set_metadata(dataset, **changes):
    metadata = DatasetMetadata.from_dataset(dataset)
    if changes.get("modified"):
        changes.setdefault("issued", changes["modified"] - timedelta(days=400))
    for name, value in changes.items():
        setattr(metadata, name, value)
    return services.dataset_update(dataset=dataset, metadata=metadata, by=SYSTEM)


@pytest.fixture
def themes(db):
    for identifier, label in [("finanzas", "Finanzas públicas"), ("salud", "Salud"), ("obras", "Obras")]:
        Theme.objects.get_or_create(identifier=identifier, defaults={"label": label})


# Text matching


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("presupuestos", "Presupuesto 2024"),
        ("PRESUPUESTO", "Presupuesto 2024"),
        ("educacion", "Educación inicial"),
        ("Educación", "Educación inicial"),
        ("obra publica", "Obras Públicas"),
        ("obras públicas", "Obras Públicas"),
        ("arbolado urbano", "Arbolado urbano"),
        ("arboles", "Árboles de la ciudad"),
    ],
)
def test_dataset_search_is_accent_and_case_insensitive_and_stemmed(municipality, query, title):
    make(municipality, title)
    make(municipality, "Registro de mascotas", description="Perros y gatos vacunados.")
    assert titles(search(q=query)) == [title]


def test_dataset_search_requires_every_term(municipality):
    make(municipality, "Presupuesto de salud")
    make(municipality, "Presupuesto de educación")
    assert titles(search(q="presupuesto salud")) == ["Presupuesto de salud"]


def test_dataset_search_finds_keywords_themes_descriptions_and_distributions(municipality, themes):
    make(municipality, "Uno", description="Relevamiento de luminarias LED.")
    make(municipality, "Dos", keywords=["semáforos"])
    make(municipality, "Tres", themes=["salud"])
    four = make(municipality, "Cuatro", publish=False)
    distribution_csv_make(four, title="Padrón de comercios habilitados")
    services.dataset_publish(dataset=four, by=SYSTEM)
    assert titles(search(q="luminaria")) == ["Uno"]
    assert titles(search(q="semaforo")) == ["Dos"]
    assert titles(search(q="salud")) == ["Tres"]
    assert titles(search(q="comercio habilitado")) == ["Cuatro"]
    assert titles(search(q="la plata")) != []  # the municipality's name


def test_dataset_search_ranks_title_matches_above_other_matches(municipality):
    make(municipality, "Relevamiento anual", description="Incluye el presupuesto ejecutado.")
    make(municipality, "Presupuesto participativo", description="Proyectos votados.")
    make(municipality, "Compras", keywords=["presupuesto"])
    make(municipality, "Presupuesto de obras", description="Presupuesto y obras del año.")
    result = search(q="presupuestos obras")
    assert titles(result) == ["Presupuesto de obras"]
    result = search(q="presupuesto")
    assert titles(result)[:2] == ["Presupuesto de obras", "Presupuesto participativo"]
    assert set(titles(result)[2:]) == {"Relevamiento anual", "Compras"}


def test_dataset_search_ranks_all_title_terms_above_some(municipality):
    make(municipality, "Salud", description="Presupuesto del hospital.")
    make(municipality, "Presupuesto de salud")
    make(municipality, "Presupuesto", description="Incluye salud.")
    result = search(q="salud presupuesto")
    assert titles(result)[0] == "Presupuesto de salud"
    assert set(titles(result)[1:]) == {"Salud", "Presupuesto"}


@pytest.mark.parametrize(
    "query",
    [
        '"presupuesto',
        "presupuesto)",
        "(presupuesto OR",
        "presupuesto AND NOT",
        "NEAR(presupuesto salud, 2)",
        "presu*",
        "*",
        "-presupuesto",
        "title:presupuesto",
        "{title}: presupuesto",
        "presupuesto^2 ~ ' \\ ; -- DROP TABLE catalog_dataset",
        "presupuesto \x00 \u202e ñandú 😀 中文 Ωμέγα",
        "a" * 10_000,
        "presupuesto " * 1000,
        "() [] {} : ^ \" ' -- /* */",
    ],
)
def test_dataset_search_never_fails_on_odd_queries(municipality, query):
    make(municipality, "Presupuesto 2024")
    result = search(q=query)
    assert result.total in (0, 1)
    if text.query_terms(query) == ["presupuest"]:
        assert titles(result) == ["Presupuesto 2024"]


def test_dataset_search_treats_operators_as_words_to_ignore(municipality):
    make(municipality, "Presupuesto 2024")
    make(municipality, "Salud")
    assert titles(search(q="presupuesto AND 2024")) == ["Presupuesto 2024"]
    assert titles(search(q="NOT salud")) == ["Salud"]


def test_dataset_search_without_searchable_words_lists_everything(municipality):
    make(municipality, "Uno")
    make(municipality, "Dos")
    assert search(q="de la ***").total == 2


# Visibility


def test_dataset_search_hides_drafts_from_the_public_and_shows_them_to_their_editors(
    municipality, other_municipality, editor, actor
):
    make(municipality, "Presupuesto publicado")
    make(municipality, "Presupuesto borrador", publish=False)
    make(other_municipality, "Presupuesto ajeno borrador", publish=False)
    assert titles(search(q="presupuesto")) == ["Presupuesto publicado"]
    assert titles(search(q="presupuesto", include_drafts=True)) == ["Presupuesto publicado"]
    assert titles(search(actor(editor), q="presupuesto")) == ["Presupuesto publicado"]
    mine = search(actor(editor), q="presupuesto", include_drafts=True)
    assert set(titles(mine)) == {"Presupuesto publicado", "Presupuesto borrador"}
    admin = user_with_role(Role.PROVINCIAL_ADMIN)
    assert search(actor(admin), q="presupuesto", include_drafts=True).total == 3


def test_dataset_search_never_finds_deleted_datasets(municipality, editor, actor):
    dataset = make(municipality, "Presupuesto")
    dataset.deleted_at = timezone.now()
    dataset.save()
    assert search(q="presupuesto").total == 0
    assert search(actor(editor), q="presupuesto", include_drafts=True).total == 0
    assert not DatasetSearchEntry.objects.filter(pk=dataset.pk).exists()


def test_dataset_search_follows_unpublish_and_inactive_municipalities(municipality):
    dataset = make(municipality, "Presupuesto")
    services.dataset_unpublish(dataset=dataset, by=SYSTEM)
    assert search(q="presupuesto").total == 0
    services.dataset_publish(dataset=dataset, by=SYSTEM)
    assert search(q="presupuesto").total == 1
    municipality.is_active = False
    municipality.save()
    assert search(q="presupuesto").total == 0
    municipality.is_active = True
    municipality.save()
    assert search(q="presupuesto").total == 1


def test_dataset_search_follows_metadata_changes(municipality):
    dataset = make(municipality, "Presupuesto")
    set_metadata(dataset, title="Nómina de personal", keywords=["sueldos"])
    assert search(q="presupuesto").total == 0
    assert titles(search(q="sueldo")) == ["Nómina de personal"]


# Facets


@pytest.fixture
def catalog(municipality, other_municipality, themes):
    make(municipality, "Presupuesto 2024", themes=["finanzas"], keywords=["presupuesto", "Gasto"], license="cc-by-4.0")
    make(municipality, "Presupuesto 2023", themes=["finanzas", "obras"], keywords=["presupuesto"], license="odc-by")
    make(municipality, "Hospitales", themes=["salud"], keywords=["salud"], license="cc-by-4.0")
    make(other_municipality, "Presupuesto Bahía", themes=["finanzas"], keywords=["presupuesto", "gasto"])
    make(other_municipality, "Centros de salud", themes=["salud"], keywords=["Salud"], publish=False)


def counts(result, facet):
    return {f.value: f.count for f in result.facets[facet]}


def test_dataset_search_counts_every_facet(catalog):
    result = search()
    assert result.total == 4
    assert counts(result, "municipality") == {"la-plata": 3, "bahia-blanca": 1}
    assert counts(result, "theme") == {"finanzas": 3, "obras": 1, "salud": 1}
    assert counts(result, "format") == {"CSV": 4}
    assert counts(result, "license") == {"cc-by-4.0": 3, "odc-by": 1}
    assert counts(result, "keyword") == {"presupuesto": 3, "gasto": 2, "salud": 1}
    assert counts(result, "publisher") == {"partido de la plata": 3, "partido de bahia blanca": 1}
    assert counts(result, "up_to_date") == {"true": 4}
    assert result.facets["municipality"][0] == ("la-plata", "La Plata", 3)
    assert dict((f.value, f.label) for f in result.facets["theme"])["finanzas"] == "Finanzas públicas"


def test_dataset_search_counts_facets_within_other_filters(catalog):
    result = search(municipalities=("la-plata",))
    assert result.total == 3
    assert counts(result, "theme") == {"finanzas": 2, "obras": 1, "salud": 1}
    assert counts(result, "municipality") == {"la-plata": 3}
    result = search(themes=("finanzas",))
    assert counts(result, "municipality") == {"la-plata": 2, "bahia-blanca": 1}
    assert counts(result, "license") == {"cc-by-4.0": 2, "odc-by": 1}
    result = search(q="presupuesto", licenses=("cc-by-4.0",))
    assert set(titles(result)) == {"Presupuesto 2024", "Presupuesto Bahía"}
    assert counts(result, "municipality") == {"la-plata": 1, "bahia-blanca": 1}
    assert counts(result, "keyword") == {"presupuesto": 2, "gasto": 2}


def test_dataset_search_filter_semantics(catalog):
    assert search(municipalities=("la-plata", "bahia-blanca")).total == 4
    assert titles(search(themes=("finanzas", "obras"))) == ["Presupuesto 2023"]
    assert search(keywords=("GASTO",)).total == 2
    assert search(formats=("csv",)).total == 4
    assert search(formats=("pdf",)).total == 0
    assert search(publishers=("Partido de Bahía Blanca",)).total == 1
    assert search(municipalities=("no-existe",)).total == 0


def test_dataset_search_counts_match_the_filtered_totals(catalog):
    everything = search()
    for facet, field in [("municipality", "municipalities"), ("theme", "themes"), ("keyword", "keywords")]:
        for value in everything.facets[facet]:
            assert search(**{field: (value.value,)}).total == value.count


def test_dataset_search_facets_up_to_date(municipality):
    fresh = make(municipality, "Mensual reciente")
    stale = make(municipality, "Mensual viejo")
    set_metadata(fresh, accrual_periodicity="R/P1M", modified=timezone.now() - timedelta(days=35))
    set_metadata(stale, accrual_periodicity="R/P1M", modified=timezone.now() - timedelta(days=37))
    make(municipality, "Eventual", accrual_periodicity="eventual")
    assert counts(search(), "up_to_date") == {"true": 2, "false": 1}
    assert set(titles(search(up_to_date=True))) == {"Mensual reciente", "Eventual"}
    assert titles(search(up_to_date=False)) == ["Mensual viejo"]


def test_dataset_search_facet_counts_agree_on_both_plans(catalog, monkeypatch):
    seeking = search(q="presupuesto", municipalities=("la-plata", "bahia-blanca")).facets
    monkeypatch.setattr(search_module, "FACET_SCAN_FROM", 0)
    assert search(q="presupuesto", municipalities=("la-plata", "bahia-blanca")).facets == seeking
    assert counts(search(), "keyword") == {"presupuesto": 3, "gasto": 2, "salud": 1}


def test_dataset_search_facet_limit_keeps_the_most_frequent(catalog):
    result = search(facets=("keyword",), facet_limit=2)
    assert list(result.facets) == ["keyword"]
    assert [f.value for f in result.facets["keyword"]] == ["presupuesto", "gasto"]


# Sorting and pages


@pytest.fixture
def dated(municipality):
    now = timezone.now()
    names = ["Camino rural", "árboles", "Zoonosis", "Becas", "Alumbrado"]
    for days, title in enumerate(names):
        set_metadata(make(municipality, title), modified=now - timedelta(days=days))
    return names


def test_dataset_search_lists_everything_newest_first_without_query(dated):
    assert titles(search()) == dated


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("title", None, ["Alumbrado", "árboles", "Becas", "Camino rural", "Zoonosis"]),
        ("title", True, ["Zoonosis", "Camino rural", "Becas", "árboles", "Alumbrado"]),
        ("modified", None, ["Camino rural", "árboles", "Zoonosis", "Becas", "Alumbrado"]),
        ("modified", False, ["Alumbrado", "Becas", "Zoonosis", "árboles", "Camino rural"]),
        ("created", False, ["Camino rural", "árboles", "Zoonosis", "Becas", "Alumbrado"]),
        ("created", None, ["Alumbrado", "Becas", "Zoonosis", "árboles", "Camino rural"]),
    ],
)
def test_dataset_search_sorts(dated, sort, descending, expected):
    assert titles(search(sort=sort, descending=descending)) == expected


def test_dataset_search_pages_are_stable_and_complete(municipality):
    for n in range(7):
        make(municipality, f"Conjunto {n}")  # same "modified" second: ties broken by id
    for sort in ["relevance", "title", "modified", "created", "name"]:
        pages = [search(sort=sort, start=start, rows=3) for start in (0, 3, 6)]
        seen = [d.pk for page in pages for d in page.datasets]
        assert sorted(seen) == sorted(d.pk for d in search(rows=10).datasets)
        assert [len(p.datasets) for p in pages] == [3, 3, 1]
        assert seen == [d.pk for d in search(sort=sort, rows=7).datasets]
    page = dataset_search(actor=ANONYMOUS, query=SearchQuery.for_page(page=3, per_page=3))
    assert (page.total, page.page, page.pages, page.has_next, len(page.datasets)) == (7, 3, 3, False, 1)
    assert search(start=100).datasets == []


def test_dataset_search_rejects_unknown_sort_and_facets(db):
    with pytest.raises(ValidationError):
        search(sort="popularity")
    with pytest.raises(ValidationError):
        search(facets=("color",))


# Cost


def test_dataset_search_runs_a_fixed_number_of_queries(
    catalog, municipality, editor, actor, django_assert_max_num_queries
):
    for n in range(10):
        make(municipality, f"Presupuesto extra {n}", themes=["finanzas"])
    editor_actor = actor(editor)
    # This process's copy of the index catches up with the writes above first (search_engine.py:
    # the change log, then the changed entries and their facet rows); measured apart below.
    with django_assert_max_num_queries(4):
        columnar_index().refresh()
    # Public searches read the index's generation token first (search_cache.py): one more query.
    with django_assert_max_num_queries(9):
        result = search(q="presupuesto", themes=("finanzas",), licenses=("cc-by-4.0",), rows=20)
    assert result.datasets
    with django_assert_max_num_queries(9):
        result = search(editor_actor, q="presupuesto", include_drafts=True, rows=50)
    assert counts(result, "municipality") == {"la-plata": 12, "bahia-blanca": 1}
    with django_assert_max_num_queries(3):
        search(q="nada que coincida")


# CKAN


def test_dataset_search_ckan_maps_names_rows_and_sort(catalog):
    result = dataset_search_ckan(
        actor=ANONYMOUS,
        q="presupuesto",
        filters={"organization": ["la-plata"]},
        sort="title_string asc",
        facet_fields=["tags", "res_format"],
    )
    assert titles(result) == ["Presupuesto 2023", "Presupuesto 2024"]
    assert set(result.facets) == {"tags", "res_format"}
    assert result.query.rows == 10
    assert dataset_search_ckan(actor=ANONYMOUS, rows=5000).query.rows == 1000
    assert ckan_sort_parse("metadata_modified desc, name asc") == ("modified", True)
    assert ckan_sort_parse("id asc") == ("name", False)
    assert ckan_sort_parse("") == ("relevance", None)
    with pytest.raises(ValidationError):
        ckan_sort_parse("popularity desc")
    with pytest.raises(ValidationError):
        dataset_search_ckan(actor=ANONYMOUS, filters={"color": ["red"]})


def test_dataset_text_filter_and_title_tier_work_on_dataset_querysets(municipality):
    make(municipality, "Relevamiento", description="Presupuesto ejecutado.")
    make(municipality, "Presupuestos")
    make(municipality, "Salud")
    found = (
        Dataset.objects.filter(dataset_text_filter("presupuesto"))
        .annotate(tier=dataset_title_tier("presupuesto"))
        .order_by("-tier", "pk")
    )
    assert [d.title for d in found] == ["Presupuestos", "Relevamiento"]
    assert Dataset.objects.filter(dataset_text_filter("  ")).count() == 3


# Maintenance


def test_search_reindex_rebuilds_a_lost_index(catalog):
    DatasetSearchEntry.objects.all().delete()
    assert search().total == 0
    assert search_reindex() == 5
    assert search(q="presupuestos").total == 3
    call_command("search_reindex", "--municipality", "la-plata", verbosity=0)
    assert search().total == 4


def test_search_answer_is_cached_until_the_index_changes(municipality, django_assert_max_num_queries):
    from django.core.cache import cache

    from abiertos.catalog.search import SearchQuery, dataset_search
    from abiertos.catalog.tests.factories import dataset_make
    from abiertos.core.actors import Actor

    cache.clear()
    dataset_make(municipality, publish=True, identifier="agua-1", title="Calidad del agua")
    query = SearchQuery(q="agua")
    first = dataset_search(actor=Actor.anonymous(), query=query)
    assert first.total == 1
    with django_assert_max_num_queries(6):  # the generation, then the page's datasets only
        again = dataset_search(actor=Actor.anonymous(), query=query)
    assert (again.total, again.facets) == (first.total, first.facets)
    dataset_make(municipality, publish=True, identifier="agua-2", title="Agua potable")
    after = dataset_search(actor=Actor.anonymous(), query=query)
    assert after.total == 2
    assert [f.count for f in after.facets["municipality"]] == [2]
