"""The index computed from real catalog rows: categories, criteria, evidence, overrides, history."""

import pytest

from abiertos.catalog import services as catalog_services
from abiertos.catalog.tests.factories import dataset_make
from abiertos.core.actors import Actor
from abiertos.core.errors import PermissionDenied, ValidationError
from abiertos.core.models import AuditEvent
from abiertos.monitoring.categories import CATEGORIES, categories_of
from abiertos.monitoring.demo import SEED_NAME, seed_index
from abiertos.monitoring.index import next_steps
from abiertos.monitoring.models import IndexOverride, MunicipalityIndex
from abiertos.monitoring.services import index_compute_full, index_override_set, index_update_municipality
from abiertos.portal.management.commands import seed_demo

SYSTEM = Actor.system("test")


@pytest.fixture
def budget(municipality):
    return dataset_make(municipality, publish=True, identifier="presupuesto-2025", themes=["presupuesto"])


def _result(run, municipality):
    return MunicipalityIndex.objects.get(run=run, municipality=municipality)


def test_categories_match_by_theme_or_title_and_keyword_words():
    assert categories_of(title="Listado de Licitaciones 2024", keywords=[], themes=[]) == ["compras"]
    assert categories_of(title="Jurado de concursos", keywords=[], themes=[]) == []
    assert categories_of(title="Datos varios", keywords=["declaraciones juradas"], themes=[]) == ["ddjj"]
    assert "obras" in categories_of(title="Mapa", keywords=[], themes=["obras-publicas"])
    # whole words only: "presupuestaria" is a term of its own, "presupuestal" is not
    assert categories_of(title="Información presupuestal", keywords=[], themes=[]) == []


def test_index_compute_full_scores_the_budget_with_its_evidence(budget, municipality, other_municipality):
    run = index_compute_full(by=SYSTEM)

    mine = _result(run, municipality)
    category = mine.categories["presupuesto"]
    assert category["answers"]["exists"] is True
    assert category["answers"]["license"] is True
    assert category["answers"]["machine"] is True
    assert category["answers"]["bulk"] is True
    assert category["evidence"]["machine"] == [["presupuesto-2025", budget.title]]
    expected = sum(w for c, w in run.weights.items() if category["answers"][c])
    assert category["score"] == expected
    assert mine.score == round(sum(c["score"] for c in mine.categories.values()) / len(CATEGORIES), 2)
    assert mine.rank == 1
    other = _result(run, other_municipality)
    assert other.score == 0
    assert other.rank == 2
    assert run.province_indicators["datasets_cant"] == 1
    assert mine.indicators["datasets_cant"] == 1
    assert mine.indicators["distribuciones_formatos_cant"] == {"CSV": 1}
    assert AuditEvent.objects.filter(action="monitoring.index_compute").count() == 1


def test_index_next_steps_are_ordered_by_gain(budget, municipality):
    run = index_compute_full(by=SYSTEM)

    steps = next_steps(_result(run, municipality).categories)

    assert steps[0]["kind"] == "publish"
    assert steps[0]["gain"] == round(100 / len(CATEGORIES), 1)
    assert [s["gain"] for s in steps] == sorted((s["gain"] for s in steps), reverse=True)
    assert not any(s["category"] == "presupuesto" and s["kind"] == "publish" for s in steps)


def test_index_update_municipality_follows_a_catalog_change(budget, municipality, django_capture_on_commit_callbacks):
    run = index_compute_full(by=SYSTEM)
    before = _result(run, municipality).score

    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.dataset_delete(dataset=budget, by=SYSTEM)

    after = _result(run, municipality)
    assert before > 0
    assert after.score == 0
    assert after.indicators["datasets_cant"] == 0


def test_index_override_needs_a_reviewer_and_a_reason(budget, municipality, editor, provincial_admin, actor):
    index_compute_full(by=SYSTEM)

    with pytest.raises(PermissionDenied):
        index_override_set(
            municipality=municipality, category="ddjj", criterion="exists", value=True, reason="x", by=actor(editor)
        )
    with pytest.raises(ValidationError) as error:
        index_override_set(
            municipality=municipality,
            category="ddjj",
            criterion="exists",
            value=True,
            reason=" ",
            by=actor(provincial_admin),
        )
    assert "reason" in error.value.fields


def test_index_override_changes_the_answer_and_keeps_history(budget, municipality, provincial_admin, actor):
    run = index_compute_full(by=SYSTEM)
    reviewer = actor(provincial_admin)

    index_override_set(
        municipality=municipality,
        category="presupuesto",
        criterion="license",
        value=False,
        reason="La licencia declarada no coincide con la del sitio oficial.",
        by=reviewer,
    )
    result = _result(run, municipality)
    assert result.categories["presupuesto"]["answers"]["license"] is False
    assert result.categories["presupuesto"]["overrides"]["license"]["reason"].startswith("La licencia")

    index_override_set(
        municipality=municipality,
        category="presupuesto",
        criterion="license",
        value=None,
        reason="Corregido.",
        by=reviewer,
    )
    result = _result(run, municipality)
    assert result.categories["presupuesto"]["answers"]["license"] is True
    assert IndexOverride.objects.count() == 2
    assert AuditEvent.objects.filter(action="monitoring.index_override").count() == 2


def test_index_runs_are_kept_as_history(budget, municipality):
    first = index_compute_full(by=SYSTEM)
    second = index_compute_full(by=SYSTEM)

    assert MunicipalityIndex.objects.filter(municipality=municipality).count() == 2
    assert index_update_municipality(municipality=municipality, by=SYSTEM).run_id == second.pk
    assert first.pk != second.pk


def test_seed_step_computes_the_index_once_a_day(budget):
    ctx = seed_demo.DemoContext(by=SYSTEM, password="x")
    first = seed_index(ctx)
    again = seed_index(ctx)

    assert SEED_NAME in [s.name for s in seed_demo.SEED_STEPS]
    assert first[0].startswith("  Calculado")
    assert again[0].startswith("  Ya estaba calculado hoy")
    assert "1. La Plata" in first[1]
