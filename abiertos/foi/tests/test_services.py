"""The request lifecycle, deadlines, rate limits, attachments, moderation and open data."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from abiertos.accounts.tests.factories import actor_of, user_make
from abiertos.catalog.models import Dataset, DatasetStatus
from abiertos.core.errors import Conflict, PermissionDenied, RateLimited, ValidationError
from abiertos.core.models import AuditEvent
from abiertos.foi import services
from abiertos.foi.models import EventKind, FoiRequest, Outcome, Status
from abiertos.foi.rules import WorkCalendar

from .factories import REQUESTER_DNI, days_ago, request_file, request_input, xlsx_upload


def test_foi_request_file_computes_the_deadline_from_the_province_rule(
    municipality, citizen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = request_file(municipality, citizen)
    filed = timezone.localdate(request.filed_at)
    assert request.number == f"{filed.year}-00001"
    assert request.due_date == WorkCalendar(municipality).add_days(filed, 30, "business")
    assert request.rule_source.startswith("Ley 12.475")
    assert request.pseudonym == "M. L. G."
    assert [e.kind for e in request.events.all()] == [EventKind.FILED]
    assert AuditEvent.objects.filter(action="foi.request_file", target_id=str(request.pk)).exists()
    assert mail.outbox[-1].to == ["vecina@example.org"]
    assert request.number in mail.outbox[-1].subject


def test_foi_request_file_masks_the_requesters_own_data_in_public_texts(municipality, citizen):
    body = f"Soy María Laura Gómez, DNI {REQUESTER_DNI}; pido el listado de obras de cloacas de 2025."
    request = request_file(municipality, citizen, body=body)
    assert "Gómez" not in request.public_body
    assert REQUESTER_DNI not in request.public_body
    assert "listado de obras de cloacas" in request.public_body
    assert request.body == body


def test_foi_request_file_rejects_bad_input_field_by_field(municipality, citizen):
    with pytest.raises(ValidationError) as exc:
        services.foi_request_file(
            municipality=municipality,
            data=request_input(subject="x", requester_name="Ana", requester_id_number="12", contact_email="no"),
            by=actor_of(citizen),
        )
    assert set(exc.value.fields) == {"subject", "requester_name", "requester_id_number", "contact_email"}


def test_foi_request_file_requires_a_confirmed_account(municipality):
    with pytest.raises(PermissionDenied):
        services.foi_request_file(
            municipality=municipality, data=request_input(), by=actor_of(user_make(confirmed=False))
        )


def test_foi_request_file_is_rate_limited_per_person_and_per_address(municipality, citizen, monkeypatch):
    from abiertos.foi.services import requests as module

    monkeypatch.setattr(module, "MAX_PER_PERSON_PER_DAY", 2)
    monkeypatch.setattr(module, "MAX_PER_IP_PER_DAY", 3)
    for _ in range(2):
        services.foi_request_file(municipality=municipality, data=request_input(), by=actor_of(citizen, ip="10.0.0.1"))
    with pytest.raises(RateLimited):
        services.foi_request_file(municipality=municipality, data=request_input(), by=actor_of(citizen, ip="10.0.0.9"))
    other = user_make()
    services.foi_request_file(municipality=municipality, data=request_input(), by=actor_of(other, ip="10.0.0.1"))
    with pytest.raises(RateLimited, match="conexión"):
        services.foi_request_file(
            municipality=municipality, data=request_input(), by=actor_of(user_make(), ip="10.0.0.1")
        )


def test_lifecycle_acknowledge_extend_answer(municipality, citizen, foi_officer):
    officer = actor_of(foi_officer)
    request = request_file(municipality, citizen)
    first_due = request.due_date
    request = services.foi_request_acknowledge(request=request, file_number="EX-2026-123", by=officer)
    assert request.status == Status.ACKNOWLEDGED
    request = services.foi_request_extend(request=request, reason="Hay que pedir datos a tres secretarías.", by=officer)
    assert request.due_date == WorkCalendar(municipality).add_days(first_due, 15, "business")
    with pytest.raises(Conflict, match="una vez"):
        services.foi_request_extend(request=request, reason="Otra vez, por favor.", by=officer)
    request = services.foi_request_answer(request=request, text="Adjuntamos la planilla.", partial=False, by=officer)
    assert (request.status, request.outcome) == (Status.CLOSED, Outcome.ANSWERED_FULL)
    kinds = [e.kind for e in request.events.all()]
    assert kinds == [EventKind.FILED, EventKind.ACKNOWLEDGED, EventKind.EXTENDED, EventKind.ANSWERED]
    assert request.events.last().data["on_time"] is True


def test_transitions_need_the_officer_of_that_municipality(municipality, other_municipality, citizen):
    from abiertos.accounts.models import Role
    from abiertos.accounts.tests.factories import user_with_role

    request = request_file(municipality, citizen)
    elsewhere = user_with_role(Role.FOI_OFFICER, other_municipality)
    for who in (citizen, elsewhere):
        with pytest.raises(PermissionDenied):
            services.foi_request_acknowledge(request=request, file_number="1", by=actor_of(who))


def test_clarification_stops_the_clock_and_clarifying_resumes_it(municipality, citizen, foi_officer):
    request = request_file(municipality, citizen, filed_at=days_ago(10))
    due = request.due_date
    request = services.foi_request_ask_clarification(
        request=request, question="¿De qué barrios?", by=actor_of(foi_officer)
    )
    assert request.due_date is None
    assert request.status == Status.AWAITING_CLARIFICATION
    # Three days later the requester answers: the days in between do not count.
    request.clock_stopped_on = timezone.localdate() - timedelta(days=3)
    request.save()
    request = services.foi_request_clarify(request=request, text="De todos los barrios.", by=actor_of(citizen))
    assert request.status == Status.FILED
    assert request.due_date > due
    with pytest.raises(PermissionDenied):
        services.foi_request_clarify(request=request, text="Intento ajeno", by=actor_of(foi_officer))


def test_non_working_day_add_recomputes_open_deadlines_with_a_trail(municipality, citizen, foi_officer):
    open_request = request_file(municipality, citizen)
    closed = request_file(municipality, citizen)
    services.foi_request_declare_not_held(request=closed, text="No existe ese registro.", by=actor_of(foi_officer))
    day = WorkCalendar(municipality).add_days(timezone.localdate(open_request.filed_at), 2, "business")
    entry, moved = services.non_working_day_add(
        municipality=municipality, day=day, reason="Fiesta patronal", by=actor_of(foi_officer)
    )
    assert moved == 1
    open_request.refresh_from_db()
    assert open_request.due_date == WorkCalendar(municipality).add_days(
        timezone.localdate(open_request.filed_at), 30, "business"
    )
    event = open_request.events.get(kind=EventKind.DEADLINE_RECOMPUTED)
    assert "Fiesta patronal" in event.text
    assert event.data["to"] == str(open_request.due_date)
    audit = AuditEvent.objects.get(action="foi.non_working_day_add")
    assert audit.changes["deadlines_moved"] == {open_request.number: [event.data["from"], event.data["to"]]}
    assert not closed.events.filter(kind=EventKind.DEADLINE_RECOMPUTED).exists()
    services.non_working_day_remove(entry=entry, by=actor_of(foi_officer))
    open_request.refresh_from_db()
    assert open_request.events.filter(kind=EventKind.DEADLINE_RECOMPUTED).count() == 2
    assert AuditEvent.objects.get(action="foi.non_working_day_remove").changes["date"] == str(day)


def test_extend_is_refused_after_the_deadline(municipality, citizen, foi_officer):
    request = request_file(municipality, citizen, filed_at=days_ago(80))
    assert request.due_date < timezone.localdate()
    with pytest.raises(Conflict, match="venció"):
        services.foi_request_extend(request=request, reason="Tarde pero seguro.", by=actor_of(foi_officer))


def test_complaint_reaches_the_office_and_its_inbox(
    client, municipality, citizen, foi_officer, django_capture_on_commit_callbacks
):
    municipality.contact_email = "acceso@laplata.example"
    municipality.save()
    late = request_file(municipality, citizen, filed_at=days_ago(80))
    with django_capture_on_commit_callbacks(execute=True):
        services.foi_request_complain(request=late, text="Pasó el plazo y nada.", by=actor_of(citizen))
    assert mail.outbox[-1].to == ["acceso@laplata.example"]
    assert late.number in mail.outbox[-1].subject
    client.force_login(foi_officer)
    body = client.get(f"/m/{municipality.slug}/pedidos/bandeja/").content.decode()
    assert "Reclamos recibidos" in body
    assert body.count(f">{late.number} · ") == 2  # in the open list and among the complaints


def test_complaint_only_when_late_or_refused(municipality, citizen, foi_officer):
    fresh = request_file(municipality, citizen)
    with pytest.raises(Conflict):
        services.foi_request_complain(request=fresh, text="Quiero reclamar ya.", by=actor_of(citizen))
    late = request_file(municipality, citizen, filed_at=days_ago(80))
    late = services.foi_request_complain(request=late, text="Pasó el plazo y nada.", by=actor_of(citizen))
    assert late.complained_at is not None
    refused = request_file(municipality, citizen)
    services.foi_request_refuse(
        request=refused, ground="personal_data", text="Contiene datos de terceros.", by=actor_of(foi_officer)
    )
    services.foi_request_complain(request=refused, text="No corresponde la denegación.", by=actor_of(citizen))


def test_withdraw_by_the_requester_only(municipality, citizen, foi_officer):
    request = request_file(municipality, citizen)
    with pytest.raises(PermissionDenied):
        services.foi_request_withdraw(request=request, by=actor_of(foi_officer))
    request = services.foi_request_withdraw(request=request, by=actor_of(citizen))
    assert request.outcome == Outcome.WITHDRAWN


def test_attachment_add_flags_hidden_content_and_publishes_a_redacted_copy(municipality, citizen, foi_officer):
    from openpyxl import load_workbook

    request = request_file(municipality, citizen)
    attachment = services.foi_attachment_add(request=request, upload=xlsx_upload(), by=actor_of(foi_officer))
    kinds = {f["kind"] for f in attachment.findings}
    assert {"hidden_sheet", "hidden_columns", "metadata", "personal_data"} <= kinds
    with attachment.redacted.open("rb") as handle:
        workbook = load_workbook(handle)
    assert workbook.sheetnames == ["Resumen"]
    assert workbook.properties.creator in ("", None)
    values = [c.value for row in workbook["Resumen"].iter_rows() for c in row]
    assert "Carlos Pérez" not in values
    assert "Enero" in values
    assert not attachment.is_published
    services.foi_request_answer(request=request, text="Ahí va.", partial=True, by=actor_of(foi_officer))
    attachment.refresh_from_db()
    assert attachment.is_published


def test_attachment_add_rejects_unreadable_or_unsupported_files(municipality, citizen, foi_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    request = request_file(municipality, citizen)
    with pytest.raises(ValidationError, match="dañado"):
        services.foi_attachment_add(
            request=request, upload=SimpleUploadedFile("roto.xlsx", b"no es un zip"), by=actor_of(foi_officer)
        )
    with pytest.raises(ValidationError, match="Formato"):
        services.foi_attachment_add(
            request=request, upload=SimpleUploadedFile("virus.exe", b"MZ"), by=actor_of(foi_officer)
        )


def test_hide_takes_a_request_out_of_the_archive_and_resolves_reports(municipality, citizen, foi_officer):
    from abiertos.foi.selectors import foi_request_list_public

    request = request_file(municipality, citizen)
    services.foi_request_report(request=request, reason="Insulta a un empleado.", by=actor_of(user_make()))
    services.foi_request_hide(request=request, reason="Lenguaje ofensivo.", by=actor_of(foi_officer))
    assert not foi_request_list_public().filter(pk=request.pk).exists()
    assert request.reports.get().resolved_at is not None


def test_answer_refreshes_the_open_dataset_of_requests(
    municipality, citizen, foi_officer, django_capture_on_commit_callbacks
):
    request = request_file(municipality, citizen)
    with django_capture_on_commit_callbacks(execute=True):
        services.foi_request_answer(request=request, text="Respondido.", partial=False, by=actor_of(foi_officer))
    dataset = Dataset.objects.get(municipality=municipality, identifier=services.OPEN_DATASET_IDENTIFIER)
    assert dataset.status == DatasetStatus.PUBLISHED
    distribution = dataset.distributions.get()
    with distribution.file.open("rb") as handle:
        content = handle.read().decode()
    assert request.number in content
    assert "answered_full" in content
    assert "Gómez" not in content
    assert "vecina@example.org" not in content


def test_answer_to_dataset_creates_a_linked_draft(municipality, citizen, foi_officer):
    request = request_file(municipality, citizen)
    services.foi_attachment_add(request=request, upload=xlsx_upload(), by=actor_of(foi_officer))
    services.foi_request_answer(request=request, text="Planilla adjunta.", partial=False, by=actor_of(foi_officer))
    dataset = services.foi_answer_to_dataset(request=request, by=actor_of(foi_officer))
    assert dataset.status == DatasetStatus.DRAFT
    assert request.get_absolute_url() in dataset.landing_page
    assert FoiRequest.objects.get(pk=request.pk).dataset == dataset
    assert dataset.distributions.count() == 1
    with pytest.raises(Conflict):
        services.foi_answer_to_dataset(request=request, by=actor_of(foi_officer))


def test_every_transition_e_mails_the_requester(municipality, citizen, foi_officer, django_capture_on_commit_callbacks):
    officer = actor_of(foi_officer)
    request = request_file(municipality, citizen)
    with django_capture_on_commit_callbacks(execute=True):
        request = services.foi_request_acknowledge(request=request, file_number="EX-7", by=officer)
        request = services.foi_request_ask_clarification(request=request, question="¿Qué período?", by=officer)
    subjects = [m.subject for m in mail.outbox]
    assert any("Tu pedido está en trámite" in s for s in subjects)
    assert any("Te piden una aclaración" in s for s in subjects)
    assert "¿Qué período?" in mail.outbox[-1].body
    assert request.get_absolute_url() in mail.outbox[-1].body


def test_forward_records_whether_it_was_within_the_forwarding_term(municipality, citizen, foi_officer):
    fresh = request_file(municipality, citizen)
    fresh = services.foi_request_forward(
        request=fresh, to="Ministerio de Salud (PBA)", reason="Lo tiene la provincia.", by=actor_of(foi_officer)
    )
    assert fresh.status == Status.FORWARDED
    assert fresh.events.last().data["on_time"] is True
    old = request_file(municipality, citizen, filed_at=days_ago(30))
    old = services.foi_request_forward(
        request=old, to="ARBA (Agencia de Recaudación)", reason="", by=actor_of(foi_officer)
    )
    assert old.events.last().data["on_time"] is False


def test_attachment_remove_before_publication_only(municipality, citizen, foi_officer):
    request = request_file(municipality, citizen)
    attachment = services.foi_attachment_add(request=request, upload=xlsx_upload(), by=actor_of(foi_officer))
    services.foi_attachment_remove(attachment=attachment, by=actor_of(foi_officer))
    assert not request.attachments.exists()
    assert request.events.filter(kind=EventKind.ATTACHMENT_REMOVED).exists()
    published = services.foi_attachment_add(request=request, upload=xlsx_upload(), by=actor_of(foi_officer))
    services.foi_request_answer(request=request, text="Listo.", partial=False, by=actor_of(foi_officer))
    published.refresh_from_db()
    with pytest.raises(ValidationError):
        services.foi_attachment_remove(attachment=published, by=actor_of(foi_officer))


def test_foi_performance_shows_rates_from_the_minimum_count(municipality, citizen, foi_officer):
    from abiertos.foi.selectors import MIN_COUNT_FOR_RATES, foi_performance

    officer = actor_of(foi_officer)
    for n in range(MIN_COUNT_FOR_RATES):
        request = request_file(municipality, citizen, filed_at=days_ago(10 * (n + 1)))
        if n == 0:
            services.foi_request_refuse(request=request, ground="security", text="Seguridad pública.", by=officer)
        else:
            services.foi_request_answer(request=request, text="Respuesta.", partial=False, by=officer)
        assert (foi_performance(municipality)["on_time_rate"] is None) == (n < MIN_COUNT_FOR_RATES - 1)
    stats = foi_performance(municipality)
    # Filed 10, 20, 30, 40 and 50 days ago, all answered today.
    assert stats["median_days"] == 30
    assert stats["p90_days"] == 50
    on_time = FoiRequest.objects.filter(due_date__gte=timezone.localdate()).count()
    assert 0 < on_time < MIN_COUNT_FOR_RATES  # the 50-day-old one is late, the 10-day-old one is not
    assert stats["answered_on_time"] == on_time
    assert stats["on_time_rate"] == round(on_time / MIN_COUNT_FOR_RATES, 3)
    assert stats["refusals_by_ground"]["security"] == 1


def test_open_dataset_job_refreshes_every_municipality_with_requests(municipality, other_municipality, citizen):
    from abiertos.core.actors import Actor
    from abiertos.jobs.models import Job, JobStatus
    from abiertos.jobs.runner import job_execute
    from abiertos.jobs.services import job_enqueue

    request_file(municipality, citizen)
    request_file(other_municipality, citizen)
    job = job_enqueue(kind=services.OPEN_DATASET_JOB_KIND, by=Actor.system("test"), params={})
    job_execute(job.pk)
    job = Job.objects.get(pk=job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert sorted(job.result["datasets"]) == [
        "bahia-blanca_pedidos-de-acceso-a-la-informacion",
        "la-plata_pedidos-de-acceso-a-la-informacion",
    ]
    first = Dataset.objects.get(name="la-plata_pedidos-de-acceso-a-la-informacion").distributions.get()
    version = first.file_version
    job_execute(job_enqueue(kind=services.OPEN_DATASET_JOB_KIND, by=Actor.system("test"), params={}).pk)
    first.refresh_from_db()
    assert first.file_version == version  # unchanged content: no new file version
