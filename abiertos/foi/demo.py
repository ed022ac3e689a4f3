"""Demo requests in every state, for the demo municipalities (``seed_demo``). Marked ``is_demo``."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from abiertos.accounts.models import User
from abiertos.core.actors import Actor
from abiertos.core.models import Municipality, Province

from . import services
from .models import FoiRequest, OrdinanceStatus, ProvincialBody
from .services.base import due_date_compute

DEMO_NOTE = "Contenido de demostración."


@dataclass(frozen=True)
class DemoRequest:
    municipality_code: str
    subject: str
    body: str
    topic: str
    days_ago: int
    steps: tuple[str, ...]  # acknowledge, extend, attach, answer, partial, refuse, not_held, clarify, withdraw


DEMO_REQUESTS = [
    DemoRequest(
        "06441",
        "Gasto en alumbrado público 2025",
        "Pido el gasto mensual en alumbrado público durante 2025, por barrio, en planilla.",
        "gasto-publico",
        35,
        ("acknowledge", "extend", "attach", "answer"),
    ),
    DemoRequest(
        "06441",
        "Contratos de recolección de residuos vigentes",
        "Pido copia de los contratos de recolección de residuos vigentes y sus adendas.",
        "compras-y-contrataciones",
        20,
        ("acknowledge", "extend"),
    ),
    DemoRequest(
        "06441",
        "Arbolado urbano: podas autorizadas",
        "Quiero el listado de podas autorizadas en 2025 con su ubicación.",
        "medio-ambiente",
        12,
        ("acknowledge", "clarify"),
    ),
    DemoRequest(
        "06441",
        "Sumarios administrativos al personal de tránsito",
        "Pido la cantidad de sumarios iniciados al personal de tránsito y sus resultados.",
        "sueldos-y-personal",
        40,
        ("acknowledge", "refuse"),
    ),
    DemoRequest(
        "06441",
        "Obras de cloacas en barrios del sur",
        "Pido el estado de avance de las obras de cloacas en los barrios del sur de la ciudad.",
        "obras-publicas",
        70,
        (),
    ),
    DemoRequest(
        "06056",
        "Frecuencias de colectivos municipales",
        "Pido las frecuencias programadas de cada línea de colectivo municipal.",
        "transporte-publico",
        25,
        ("acknowledge", "not_held"),
    ),
    DemoRequest(
        "06056",
        "Pauta publicitaria oficial 2025",
        "Pido el detalle de la pauta publicitaria oficial de 2025 por medio.",
        "pauta-publicitaria",
        8,
        ("withdraw",),
    ),
    DemoRequest(
        "06791",
        "Ejecución presupuestaria del primer semestre",
        "Pido la ejecución presupuestaria del primer semestre por programa.",
        "presupuesto",
        30,
        ("acknowledge", "partial"),
    ),
]


def demo_answer_xlsx() -> bytes:
    """An answer spreadsheet with the usual leak: a hidden sheet with names, and an author."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Gasto mensual"
    sheet.append(["Mes", "Barrio", "Gasto (pesos)"])
    for month, amount in (("Enero", 1250000), ("Febrero", 1180000), ("Marzo", 1320000)):
        sheet.append([month, "Centro", amount])
    hidden = workbook.create_sheet("Contactos")
    hidden.append(["Proveedor", "Teléfono"])
    hidden.append(["Luminarias del Sur SRL", "0221 455-1234"])
    hidden.sheet_state = "hidden"
    workbook.properties.creator = "usuario.hacienda"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _backdate(request: FoiRequest, days: int) -> None:
    """Move a demo request's filing into the past so deadlines and statistics look lived-in."""
    offset = timedelta(days=days)
    request.filed_at -= offset
    request.due_date = due_date_compute(request)
    request.save(update_fields=["filed_at", "due_date"])
    request.events.update(created_at=request.filed_at)


def _run_step(request: FoiRequest, step: str, by: Actor, citizen: Actor) -> FoiRequest:
    officer_steps = {
        "acknowledge": lambda r: services.foi_request_acknowledge(request=r, file_number=f"EX-{r.number}", by=by),
        "extend": lambda r: services.foi_request_extend(
            request=r, reason="La información la tiene otra secretaría.", by=by
        ),
        "attach": lambda r: services.foi_attachment_add(
            request=r, upload=SimpleUploadedFile("respuesta.xlsx", demo_answer_xlsx()), by=by
        ),
        "answer": lambda r: services.foi_request_answer(
            request=r, text="Adjuntamos la planilla.", partial=False, by=by
        ),
        "partial": lambda r: services.foi_request_answer(
            request=r, text="Entregamos lo disponible; el resto no está digitalizado.", partial=True, by=by
        ),
        "refuse": lambda r: services.foi_request_refuse(
            request=r, ground="personal_data", text="Los sumarios contienen datos personales de agentes.", by=by
        ),
        "not_held": lambda r: services.foi_request_declare_not_held(
            request=r, text="El municipio no registra frecuencias programadas.", by=by
        ),
        "clarify": lambda r: services.foi_request_ask_clarification(
            request=r, question="¿De qué barrios necesitás el listado?", by=by
        ),
        "withdraw": lambda r: services.foi_request_withdraw(request=r, by=citizen),
    }
    result = officer_steps[step](request)
    return result if isinstance(result, FoiRequest) else request  # attaching returns the attachment


@transaction.atomic
def demo_foi_seed(*, by: Actor, requester: User) -> list[FoiRequest]:
    """File the demo requests that do not exist yet and walk each to its state; return the new ones."""
    citizen = Actor.for_user(requester, via="demo")
    created = []
    for spec in DEMO_REQUESTS:
        municipality = Municipality.objects.filter(code=spec.municipality_code).first()
        if municipality is None or FoiRequest.objects.filter(municipality=municipality, subject=spec.subject).exists():
            continue
        data = services.RequestInput(
            subject=spec.subject,
            body=f"{spec.body}\n\n{DEMO_NOTE}",
            requester_name=requester.full_name or "Vecina Demo",
            requester_id_number="20111222",
            contact_email=requester.email,
            topic=spec.topic,
        )
        request = services.foi_request_file(municipality=municipality, data=data, by=citizen, is_demo=True)
        _backdate(request, spec.days_ago)
        for step in spec.steps:
            request = _run_step(request, step, by, citizen)
        created.append(request)
    _demo_ordinance(by)
    created += _demo_bodies(by=by, citizen=citizen, requester=requester)
    return created


DEMO_BODIES = ["Ministerio de Salud", "Dirección General de Cultura y Educación"]


def _demo_bodies(*, by: Actor, citizen: Actor, requester: User) -> list[FoiRequest]:
    """Two provincial bodies and one request to the first, when they do not exist yet."""
    if not Province.objects.filter(code="06").exists():
        return []
    for name in DEMO_BODIES:
        if not ProvincialBody.objects.filter(name=name).exists():
            services.provincial_body_create(data=services.ProvincialBodyInput(name=name), by=by)
    body = ProvincialBody.objects.get(name=DEMO_BODIES[0])
    subject = "Turnos otorgados en hospitales provinciales"
    if FoiRequest.objects.filter(provincial_body=body, subject=subject).exists():
        return []
    data = services.RequestInput(
        subject=subject,
        body=f"Pido la cantidad de turnos otorgados por mes en 2025 en cada hospital provincial.\n\n{DEMO_NOTE}",
        requester_name=requester.full_name or "Vecina Demo",
        requester_id_number="20111222",
        contact_email=requester.email,
        topic="salud",
    )
    request = services.foi_request_file(body=body, data=data, by=citizen, is_demo=True)
    _backdate(request, 15)
    return [services.foi_request_acknowledge(request=request, file_number="EX-PBA-2026-88", by=by)]


def _demo_ordinance(by: Actor) -> None:
    """San Isidro's ordinance (DOMAIN.md §5); its terms were not verified, so the default terms stay."""
    municipality = Municipality.objects.filter(code="06756").first()
    if municipality is None:
        return
    services.access_ordinance_set(
        municipality=municipality,
        data=services.OrdinanceInput(
            status=OrdinanceStatus.IN_FORCE,
            number="8042/2004",
            notes="Plazos no verificados: se aplican los de la norma provincial.",
        ),
        by=by,
    )


def demo_open_datasets(*, by: Actor) -> list[str]:
    names = []
    for municipality in Municipality.objects.filter(foi_requests__is_demo=True).distinct():
        names.append(services.foi_open_dataset_refresh(municipality=municipality, by=by).name)
    return names
