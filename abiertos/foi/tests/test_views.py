"""The pages, used as a person would: through the test client."""

import time

import pytest
from django.core import signing
from django.urls import reverse

from abiertos.accounts.tests.factories import actor_of
from abiertos.foi import forms, services
from abiertos.foi.models import FoiRequest, Outcome

from .factories import REQUESTER_DNI, REQUESTER_NAME, days_ago, request_file, xlsx_upload


def _old_stamp(seconds: int = 60) -> str:
    return signing.dumps(time.time() - seconds, salt=forms._SALT)


def _form_data(**overrides) -> dict:
    data = {
        "subject": "Sueldos del gabinete 2025",
        "body": "Pido la escala salarial del intendente y los secretarios durante 2025.",
        "preferred_format": "spreadsheet",
        "topic": "sueldos-y-personal",
        "requester_name": REQUESTER_NAME,
        "requester_id_number": REQUESTER_DNI,
        "contact_email": "vecina@example.org",
        "website": "",
        "stamp": _old_stamp(),
    }
    data.update(overrides)
    return data


def test_request_new_files_the_request_and_redirects_to_it(client, municipality, citizen):
    client.force_login(citizen)
    response = client.post(reverse("foi:request_new", args=[municipality.slug]), _form_data())
    request = FoiRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == request.get_absolute_url()
    assert request.topic.identifier == "sueldos-y-personal"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"website": "http://spam.example"}, "campos ocultos"),
        ({"stamp": "NOW"}, "demasiado rápido"),
        ({"stamp": "alterado"}, "venció o fue alterado"),
        ({"requester_id_number": "12"}, "El DNI tiene 7 u 8 números"),
    ],
)
def test_request_new_rejects_bots_and_bad_input_with_a_clear_message(client, municipality, citizen, overrides, message):
    client.force_login(citizen)
    if overrides.get("stamp") == "NOW":
        overrides = {"stamp": _old_stamp(0)}
    response = client.post(reverse("foi:request_new", args=[municipality.slug]), _form_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FoiRequest.objects.exists()


def test_request_new_shows_similar_requests_and_datasets(client, municipality, citizen, foi_officer):
    old = request_file(municipality, citizen, subject="Gasto en alumbrado público 2024")
    services.foi_request_answer(request=old, text="Se gastaron 10 millones.", partial=False, by=actor_of(foi_officer))
    client.force_login(citizen)
    response = client.get(reverse("foi:request_new", args=[municipality.slug]), {"asunto": "alumbrado público"})
    body = response.content.decode()
    assert "Gasto en alumbrado público 2024" in body
    assert "Pedidos parecidos" in body


def test_request_new_asks_anonymous_visitors_to_sign_in(client, municipality):
    response = client.get(reverse("foi:request_new", args=[municipality.slug]))
    assert response.status_code == 302
    assert "/cuentas/ingresar/" in response["Location"]


def test_archive_shows_requests_without_personal_data(client, municipality, citizen):
    request_file(municipality, citizen, body=f"Soy {REQUESTER_NAME}, DNI {REQUESTER_DNI}. Quiero las obras de 2025.")
    body = client.get(reverse("foi:archive")).content.decode()
    assert "Gastos en alumbrado público 2025" in body
    assert "M. L. G." in body
    assert "Gómez" not in body
    detail = client.get(FoiRequest.objects.get().get_absolute_url()).content.decode()
    assert "Quiero las obras de 2025" in detail
    assert REQUESTER_DNI not in detail
    assert "Gómez" not in detail
    assert "vecina@example.org" not in detail


def test_archive_filters_by_status_topic_and_date(client, municipality, citizen, foi_officer):
    answered = request_file(municipality, citizen, subject="Pedido respondido de salud", topic="salud")
    services.foi_request_declare_not_held(request=answered, text="No existe ese registro.", by=actor_of(foi_officer))
    request_file(municipality, citizen, subject="Pedido abierto de obras", topic="obras-publicas")
    url = reverse("foi:municipality_requests", args=[municipality.slug])
    body = client.get(url, {"estado": Outcome.NOT_HELD}).content.decode()
    assert "Pedido respondido de salud" in body
    assert "Pedido abierto de obras" not in body
    body = client.get(url, {"tema": "obras-publicas"}).content.decode()
    assert "Pedido abierto de obras" in body
    assert "Pedido respondido de salud" not in body
    assert "Pedido abierto" not in client.get(url, {"hasta": "2000-01-01"}).content.decode()


def test_archive_text_search_ignores_accents_and_plurals_and_reads_the_answer(
    client, municipality, citizen, foi_officer
):
    tender = request_file(municipality, citizen, subject="Licitación de luminarias LED")
    services.foi_request_answer(
        request=tender, text="Adjuntamos los presupuestos de cada oferente.", partial=False, by=actor_of(foi_officer)
    )
    request_file(municipality, citizen, subject="Horario del centro de salud")
    url = reverse("foi:archive")
    for query in ("licitacion", "LICITACIONES luminaria", "presupuesto", "oferentes"):
        body = client.get(url, {"q": query}).content.decode()
        assert "Licitación de luminarias LED" in body, query
        assert "Horario del centro de salud" not in body, query
    body = client.get(url, {"q": "licitación hospital"}).content.decode()
    assert "Licitación de luminarias LED" not in body  # every term must match


def test_search_terms_follow_the_public_texts_and_never_the_private_ones(municipality, citizen):
    request = request_file(municipality, citizen, body=f"Soy {REQUESTER_NAME}. Quiero las obras de 2025.")
    request.refresh_from_db()
    assert " obra " in request.search_terms
    assert "gomez" not in request.search_terms  # the requester's name is masked in the public text
    request.public_subject = "Cloacas"
    request.save(update_fields=["public_subject"])
    request.refresh_from_db()
    assert " cloac " in request.search_terms


def test_inbox_lists_overdue_first(client, municipality, citizen, foi_officer):
    fresh = request_file(municipality, citizen, subject="Pedido reciente de prueba")
    late = request_file(municipality, citizen, subject="Pedido vencido de prueba", filed_at=days_ago(90))
    client.force_login(foi_officer)
    body = client.get(reverse("foi:inbox", args=[municipality.slug])).content.decode()
    assert body.index(late.number) < body.index(fresh.number)
    assert "Vencido" in body


def test_inbox_is_denied_to_citizens(client, municipality, citizen):
    client.force_login(citizen)
    assert client.get(reverse("foi:inbox", args=[municipality.slug])).status_code == 403


def test_officer_actions_through_the_page(client, municipality, citizen, foi_officer):
    request = request_file(municipality, citizen)
    client.force_login(foi_officer)

    def act(action, **data):
        url = reverse("foi:request_action", args=[municipality.slug, request.number, action])
        return client.post(url, data, follow=True).content.decode()

    assert "Pedido recibido" in act("recibir", file_number="EX-1")
    assert "Explicá por qué se prorroga" in act("prorrogar", reason="")
    assert "Plazo prorrogado" in act("prorrogar", reason="Hay que consultar a tres áreas.")
    page = act("adjuntar", file=xlsx_upload())
    assert "Hoja oculta" in page
    assert "Beneficiarios" in page
    page = act("responder", text="Va la planilla.")
    assert "Respuesta publicada" in page
    request.refresh_from_db()
    assert request.outcome == Outcome.ANSWERED_FULL
    attachment = request.attachments.get()
    client.logout()
    public = client.get(
        reverse("foi:attachment_download", args=[municipality.slug, request.number, attachment.pk, "publico"])
    )
    assert public.status_code == 200
    original = reverse("foi:attachment_download", args=[municipality.slug, request.number, attachment.pk, "original"])
    assert client.get(original).status_code == 302  # to the sign-in page


def test_rules_page_adds_an_asueto_and_shows_how_many_deadlines_moved(client, municipality, citizen, foi_officer):
    request = request_file(municipality, citizen)
    client.force_login(foi_officer)
    url = reverse("foi:rules", args=[municipality.slug])
    due = request.due_date
    page = client.post(url, {"day": due.isoformat(), "reason": "Día del empleado municipal"}, follow=True)
    assert "Se recalcularon 1 vencimientos" in page.content.decode()
    request.refresh_from_db()
    assert request.due_date > due


def test_rules_page_shows_the_default_note_without_an_ordinance(client, municipality):
    body = client.get(reverse("foi:rules", args=[municipality.slug])).content.decode()
    assert "no tiene registrada una ordenanza" in body
    assert "Ley 12.475" in body


def test_statistics_hide_rates_below_the_minimum(client, municipality, citizen, foi_officer):
    request = request_file(municipality, citizen)
    services.foi_request_answer(request=request, text="Respuesta breve.", partial=False, by=actor_of(foi_officer))
    body = client.get(reverse("foi:municipality_statistics", args=[municipality.slug])).content.decode()
    assert "desde 5 pedidos respondidos" in body
    assert "A tiempo: 1 de 1" in body


def test_moderation_queue_lists_reports_to_officers(client, municipality, citizen, foi_officer):
    request = request_file(municipality, citizen)
    client.force_login(citizen)
    client.post(
        reverse("foi:request_action", args=[municipality.slug, request.number, "denunciar"]),
        {"reason": "Publica datos de un vecino."},
    )
    client.force_login(foi_officer)
    body = client.get(reverse("foi:moderation")).content.decode()
    assert "Publica datos de un vecino." in body


def test_my_requests_lists_the_citizens_own_requests(client, municipality, citizen):
    request_file(municipality, citizen)
    client.force_login(citizen)
    assert "Gastos en alumbrado público 2025" in client.get(reverse("foi:my_requests")).content.decode()


def test_province_statistics_page(client, municipality, citizen):
    request_file(municipality, citizen)
    body = client.get(reverse("foi:statistics")).content.decode()
    assert "La Plata" in body


def test_archive_and_inbox_queries_do_not_grow_with_the_number_of_requests(
    client, municipality, citizen, foi_officer, django_assert_max_num_queries, monkeypatch
):
    from abiertos.foi.services import requests as module

    monkeypatch.setattr(module, "MAX_PER_PERSON_PER_DAY", 100)
    for n in range(12):
        request_file(municipality, citizen, subject=f"Pedido número {n} sobre obras")
    with django_assert_max_num_queries(8):
        body = client.get(reverse("foi:archive")).content.decode()
    assert body.count("sobre obras") == 12
    client.force_login(foi_officer)
    with django_assert_max_num_queries(16):
        body = client.get(reverse("foi:inbox", args=[municipality.slug])).content.decode()
    assert body.count("sobre obras") == 12


def test_rules_page_records_an_ordinance_that_governs_new_requests(client, municipality, citizen, foi_officer):
    client.force_login(foi_officer)
    url = reverse("foi:rules", args=[municipality.slug])
    data = {
        "status": "in_force",
        "number": "1234/2019",
        "enacted_on": "2019-05-02",
        "url": "https://concejo.example.gob.ar/ordenanzas/1234",
        "response_days": "10",
        "extension_days": "10",
        "day_kind": "business",
        "forward_days": "",
        "requires_id_number": "on",
        "notes": "",
    }
    page = client.post(url, data, follow=True).content.decode()
    assert "Guardamos la ordenanza" in page
    assert "Ordenanza 1234/2019 de La Plata (02/05/2019)" in page
    assert "no tiene registrada una ordenanza" not in page
    request = request_file(municipality, citizen)
    assert request.response_days == 10
    assert request.rule_source.startswith("Ordenanza 1234/2019")


def test_rules_page_refuses_an_ordinance_in_force_without_number(client, municipality, foi_officer):
    client.force_login(foi_officer)
    response = client.post(reverse("foi:rules", args=[municipality.slug]), {"status": "in_force", "number": ""})
    assert response.status_code == 200
    assert "Una ordenanza vigente necesita su número." in response.content.decode()


def test_rules_page_is_read_only_for_citizens(client, municipality, citizen):
    client.force_login(citizen)
    response = client.post(reverse("foi:rules", args=[municipality.slug]), {"day": "2026-12-01", "reason": "x"})
    assert response.status_code == 403


def test_pages_render_in_english(client, settings, municipality, citizen):
    request = request_file(municipality, citizen)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    archive = client.get(reverse("foi:archive")).content.decode()
    assert "Access-to-information requests" in archive
    detail = client.get(request.get_absolute_url()).content.decode()
    assert "Tracking number:" in detail
    assert "What was requested" in detail


def test_request_new_shows_the_rate_limit_on_the_form(client, municipality, citizen, monkeypatch):
    from abiertos.foi.services import requests as module

    monkeypatch.setattr(module, "MAX_PER_PERSON_PER_DAY", 1)
    client.force_login(citizen)
    url = reverse("foi:request_new", args=[municipality.slug])
    assert client.post(url, _form_data()).status_code == 302
    response = client.post(url, _form_data())
    assert response.status_code == 200
    assert "Ya hiciste muchos pedidos en las últimas 24 horas" in response.content.decode()
    assert FoiRequest.objects.count() == 1


def test_a_conflict_is_shown_on_the_request_page(client, municipality, citizen, foi_officer):
    request = request_file(municipality, citizen)
    client.force_login(foi_officer)
    url = reverse("foi:request_action", args=[municipality.slug, request.number, "recibir"])
    client.post(url, {"file_number": "EX-1"})
    page = client.post(url, {"file_number": "EX-2"}, follow=True)
    assert page.status_code == 200
    assert "El pedido ya fue recibido antes." in page.content.decode()


def test_timeline_dates_are_shown_day_first(client, municipality, citizen):
    request = request_file(municipality, citizen)
    body = client.get(request.get_absolute_url()).content.decode()
    assert f"vence el {request.due_date.day}/{request.due_date.month}/{request.due_date.year}" in body
    assert f"vence el {request.due_date.isoformat()}" not in body
