"""The access-to-information module feeds the openness index's institutional dimension."""

from datetime import date

import pytest
from django.urls import reverse

from abiertos.accounts.tests.factories import actor_of
from abiertos.core.actors import Actor
from abiertos.foi import services
from abiertos.foi.models import AccessOrdinance, OrdinanceStatus
from abiertos.foi.selectors import MIN_COUNT_FOR_RATES
from abiertos.foi.tests.factories import days_ago, request_file
from abiertos.monitoring.institutional import PROVIDERS, institutional_values
from abiertos.monitoring.services import index_compute_full

pytestmark = pytest.mark.django_db


def _values(municipality) -> dict:
    return {row["indicator"].code: row["value"] for row in institutional_values(municipality)}


def test_the_foi_indicators_are_registered():
    assert {"foi_ordinance", "foi_on_time_pct", "foi_median_days"} <= set(PROVIDERS)


def test_nothing_recorded_is_no_data_not_zero(municipality):
    values = _values(municipality)
    assert values["foi_ordinance"] is None
    assert values["foi_on_time_pct"] is None
    assert values["foi_median_days"] is None


def test_an_ordinance_in_force_is_shown_with_number_date_and_link(municipality):
    AccessOrdinance.objects.create(
        municipality=municipality,
        status=OrdinanceStatus.IN_FORCE,
        number="11.345",
        enacted_on=date(2019, 5, 16),
        url="https://concejo.example.org/ordenanzas/11345",
    )
    value = _values(municipality)["foi_ordinance"]
    assert value.text.startswith("Vigente: ordenanza 11.345")
    assert "16/05/2019" in value.text
    assert value.number == 1.0
    assert value.date == "2019-05-16"
    assert value.url == "https://concejo.example.org/ordenanzas/11345"


def test_rates_wait_for_the_minimum_count_and_then_follow_the_statistics(municipality, citizen, foi_officer):
    officer = actor_of(foi_officer)
    first = request_file(municipality, citizen, filed_at=days_ago(10))
    services.foi_request_answer(request=first, text="Respuesta.", partial=False, by=officer)
    too_few = _values(municipality)["foi_on_time_pct"]
    assert too_few.number is None
    assert f"hacen falta {MIN_COUNT_FOR_RATES}" in too_few.text

    for n in range(1, MIN_COUNT_FOR_RATES):
        request = request_file(municipality, citizen, filed_at=days_ago(10 * (n + 1)))
        services.foi_request_answer(request=request, text="Respuesta.", partial=False, by=officer)
    values = _values(municipality)
    # Filed 10…50 days ago and answered today: the median is 30 calendar days.
    assert values["foi_median_days"].number == 30
    assert values["foi_median_days"].text == "30 días corridos (mediana)"
    assert 0 < values["foi_on_time_pct"].number < 100
    assert values["foi_on_time_pct"].url == reverse("foi:municipality_statistics", args=[municipality.slug])


def test_the_scorecard_shows_the_ordinance(client, municipality):
    AccessOrdinance.objects.create(municipality=municipality, status=OrdinanceStatus.IN_FORCE, number="11.345")
    index_compute_full(by=Actor.system("test"))
    body = client.get(reverse("monitoring:scorecard", args=[municipality.slug])).content.decode()
    assert "Vigente: ordenanza 11.345" in body


def test_the_requests_dataset_the_platform_publishes_earns_its_category(municipality, citizen):
    from abiertos.foi.services.opendata import foi_open_dataset_refresh

    system = Actor.system("test")
    before = index_compute_full(by=system).results.get(municipality=municipality)
    assert before.category_scores["pedidos"] == 0

    request_file(municipality, citizen)
    dataset = foi_open_dataset_refresh(municipality=municipality, by=system)
    after = index_compute_full(by=system).results.get(municipality=municipality)

    assert after.category_scores["pedidos"] > 0
    evidence = str(after.categories["pedidos"])
    assert dataset.identifier in evidence
