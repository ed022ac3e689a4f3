"""Complaints: the rule's term is enforced and each complaint says where it goes."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from abiertos.accounts.services import api_token_create
from abiertos.accounts.tests.factories import actor_of
from abiertos.core.errors import Conflict, ValidationError
from abiertos.core.models import AuditEvent
from abiertos.foi import services
from abiertos.foi.rules import WorkCalendar

from .factories import days_ago, request_file

DEFENSORIA = "Defensoría del Pueblo de La Plata"


def _ordinance(municipality, foi_officer, **terms):
    values = {"status": "in_force", "number": "1234/2026", **terms}
    services.access_ordinance_set(
        municipality=municipality, data=services.OrdinanceInput(**values), by=actor_of(foi_officer)
    )


def test_late_request_complaint_term_runs_from_the_deadline(municipality, citizen):
    late = request_file(municipality, citizen, filed_at=days_ago(80))
    expected = WorkCalendar(municipality).add_days(late.due_date, 40, "business")
    assert services.complaint_deadline(late) == expected
    assert services.complaint_allowed(late)


def test_complaint_after_the_term_is_refused_with_the_date(municipality, citizen):
    stale = request_file(municipality, citizen, filed_at=days_ago(150))
    deadline = services.complaint_deadline(stale)
    assert deadline < timezone.localdate()
    assert not services.complaint_allowed(stale)
    with pytest.raises(Conflict, match=f"venció el {deadline:%d/%m/%Y}"):
        services.foi_request_complain(request=stale, text="Nunca respondieron.", by=actor_of(citizen))


def test_refusal_complaint_term_runs_from_the_refusal(municipality, citizen, foi_officer):
    refused = request_file(municipality, citizen)
    refused = services.foi_request_refuse(
        request=refused, ground="personal_data", text="Datos de terceros.", by=actor_of(foi_officer)
    )
    refused.responded_at = timezone.now() - timedelta(days=70)  # about 48 business days ago
    refused.save()
    assert services.complaint_deadline(refused) < timezone.localdate()
    with pytest.raises(Conflict, match="El plazo para reclamar venció"):
        services.foi_request_complain(request=refused, text="No corresponde.", by=actor_of(citizen))


def test_province_default_routes_complaints_to_the_receiving_authority_as_unverified(municipality, citizen):
    late = request_file(municipality, citizen, filed_at=days_ago(80))
    late = services.foi_request_complain(request=late, text="Pasó el plazo.", by=actor_of(citizen))
    event = late.events.get(kind="complaint")
    assert event.data["review_body"].startswith("La autoridad que recibió el pedido")
    assert "no verificado" in event.data["review_body"]
    assert AuditEvent.objects.get(action="foi.request_complain").changes["review_body"] == event.data["review_body"]


def test_ordinance_sets_the_term_and_the_review_body(municipality, citizen, foi_officer):
    _ordinance(municipality, foi_officer, complaint_days=10, review_body=DEFENSORIA)
    late = request_file(municipality, citizen, filed_at=days_ago(60))
    assert (late.complaint_days, late.review_body) == (10, DEFENSORIA)
    assert services.complaint_deadline(late) == WorkCalendar(municipality).add_days(late.due_date, 10, "business")
    late = services.foi_request_complain(request=late, text="Pasó el plazo.", by=actor_of(citizen))
    assert late.events.get(kind="complaint").data["review_body"] == DEFENSORIA


def test_ordinance_complaint_days_are_validated(municipality, foi_officer):
    with pytest.raises(ValidationError) as error:
        _ordinance(municipality, foi_officer, complaint_days=500)
    assert "complaint_days" in error.value.fields


def test_pages_show_where_the_complaint_goes(client, municipality, citizen, foi_officer):
    _ordinance(municipality, foi_officer, complaint_days=10, review_body=DEFENSORIA)
    late = request_file(municipality, citizen, filed_at=days_ago(60))
    client.force_login(citizen)
    html = client.get(late.get_absolute_url()).content.decode()
    deadline = services.complaint_deadline(late)
    assert f"Tu reclamo va a: <strong>{DEFENSORIA}</strong>" in html
    assert f"hasta el {deadline.day}/{deadline.month}/{deadline.year}" in html
    client.post(f"{late.get_absolute_url()}reclamar/", {"text": "Pasó el plazo."})
    html = client.get(late.get_absolute_url()).content.decode()
    assert f"dirigido a: {DEFENSORIA}" in html
    assert "Tu reclamo va a:" not in html  # once only
    rules = client.get(f"/m/{municipality.slug}/pedidos/reglas/").content.decode()
    assert f"Reclamos: dentro de 10 días hábiles desde el vencimiento o la denegación, ante {DEFENSORIA}." in rules


def test_api_detail_gives_review_body_and_complaint_deadline(client, municipality, citizen):
    late = request_file(municipality, citizen, filed_at=days_ago(80))
    detail = client.get(f"/api/v1/foi/requests/la-plata/{late.number}").json()
    assert detail["complaint_until"] == services.complaint_deadline(late).isoformat()
    assert detail["review_body"].startswith("La autoridad que recibió el pedido")
    _t, secret = api_token_create(user=citizen, name="t", scopes=["write"], expires_at=None, by=actor_of(citizen))
    response = client.post(
        f"/api/v1/foi/requests/la-plata/{late.number}/complaint",
        json.dumps({"text": "Pasó el plazo."}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {secret}",
    )
    assert response.status_code == 200, response.content
    assert response.json()["complaint_until"] is None
    assert response.json()["events"][-1]["data"]["review_body"] == detail["review_body"]
    rule = client.get("/api/v1/foi/rules/la-plata").json()
    assert rule["complaint_days"] == 40
