"""Demo requests: every state represented, idempotent."""

from abiertos.accounts.tests.factories import user_make
from abiertos.core.actors import Actor
from abiertos.core.tests.factories import municipality_make
from abiertos.foi.demo import DEMO_REQUESTS, demo_foi_seed, demo_open_datasets
from abiertos.foi.models import AccessOrdinance, FoiRequest
from abiertos.foi.selectors import foi_performance


def test_demo_foi_seed_creates_requests_in_every_state_once(municipality, other_municipality):
    municipality_make("Tandil", code="06791", slug="tandil")
    municipality_make("San Isidro", code="06756", slug="san-isidro")
    vecina = user_make(email="vecina@demo.example", full_name="Vecina Demo")
    created = demo_foi_seed(by=Actor.system("demo"), requester=vecina)
    assert len(created) == len(DEMO_REQUESTS) + 1  # and one to a provincial body
    assert FoiRequest.objects.filter(provincial_body__name="Ministerio de Salud").count() == 1
    outcomes = set(FoiRequest.objects.values_list("outcome", flat=True))
    assert outcomes == {"", "answered_full", "answered_partial", "refused", "not_held", "withdrawn"}
    statuses = set(FoiRequest.objects.values_list("status", flat=True))
    assert {"acknowledged", "awaiting_clarification", "filed", "closed"} <= statuses
    assert foi_performance(municipality)["overdue"] == 1
    assert AccessOrdinance.objects.get(municipality__slug="san-isidro").number == "8042/2004"
    assert demo_foi_seed(by=Actor.system("demo"), requester=vecina) == []
    assert len(demo_open_datasets(by=Actor.system("demo"))) == 3
