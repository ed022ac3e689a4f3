"""REST endpoints of this app, mounted under /api/v1/ by abiertos/api/api.py.

The requester's name, DNI and e-mail are accepted when filing and never returned by any
endpoint: the API shows what the public archive shows (the pseudonym and the redacted texts).
"""

import datetime as dt
from typing import Literal

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from abiertos.catalog.schemas import ERRORS
from abiertos.core.errors import ValidationError
from abiertos.core.models import Municipality

from . import selectors, services
from .models import FoiRequest, RefusalGround

router = Router(tags=["acceso a la información"])


class RequestOut(Schema):
    municipality: str | None = Field(None, alias="municipality.slug")
    provincial_body: str | None = Field(None, alias="provincial_body.slug")
    number: str
    subject: str = Field(..., alias="public_subject")
    body: str = Field(..., alias="public_body")
    requester: str = Field(..., alias="pseudonym", description="Iniciales: nunca el nombre ni el DNI.")
    topic: str | None = Field(None, alias="topic.identifier")
    status: str
    outcome: str
    file_number: str
    rule_source: str
    response_days: int
    extension_days: int
    day_kind: str
    filed_at: dt.datetime
    due_date: dt.date | None
    extended: bool
    forwarded_to: str
    responded_at: dt.datetime | None
    answer: str = Field(..., alias="public_answer")
    refusal_ground: str
    complaint_days: int = Field(..., description="Plazo para reclamar, en los días de la norma.")
    url: str

    @staticmethod
    def resolve_extended(obj: FoiRequest) -> bool:
        return obj.extended_at is not None

    @staticmethod
    def resolve_url(obj: FoiRequest) -> str:
        return f"{settings.SITE_URL}{obj.get_absolute_url()}"


class EventOut(Schema):
    kind: str
    created_at: dt.datetime
    actor_role: str
    text: str
    data: dict


class AttachmentOut(Schema):
    name: str
    url: str


class RequestDetailOut(RequestOut):
    events: list[EventOut]
    attachments: list[AttachmentOut]
    review_body: str = Field(..., description="Quién recibe un reclamo por este pedido, según su norma.")
    complaint_until: dt.date | None = Field(
        ..., description="Último día para reclamar; nulo si no hay reclamo posible o ya se presentó."
    )

    @staticmethod
    def resolve_review_body(obj: FoiRequest) -> str:
        return services.complaint_review_body(obj)

    @staticmethod
    def resolve_complaint_until(obj: FoiRequest) -> dt.date | None:
        return services.complaint_deadline(obj) if obj.complained_at is None else None

    @staticmethod
    def resolve_events(obj: FoiRequest) -> list:
        return list(obj.events.all())

    @staticmethod
    def resolve_attachments(obj: FoiRequest) -> list[dict]:
        base = f"{settings.SITE_URL}{obj.get_absolute_url()}adjuntos"
        return [{"name": a.name, "url": f"{base}/{a.pk}/publico/"} for a in obj.attachments.filter(is_published=True)]


class RequestIn(Schema):
    municipality: str = Field("", max_length=120, description="Slug del municipio (o usar provincial_body).")
    provincial_body: str = Field("", max_length=120, description="Slug del organismo provincial.")
    subject: str = Field(..., max_length=200)
    body: str = Field(..., max_length=5000)
    requester_name: str = Field(..., max_length=150, description="Privado: no se devuelve nunca.")
    requester_id_number: str = Field("", max_length=12, description="DNI. Privado: no se devuelve nunca.")
    contact_email: str = Field(..., max_length=254, description="Privado: no se devuelve nunca.")
    preferred_format: Literal["any", "spreadsheet", "document", "paper"] = "any"
    topic: str = Field("", max_length=100)


class TextIn(Schema):
    text: str = Field(..., max_length=5000)


class AcknowledgeIn(Schema):
    file_number: str = Field(..., max_length=60)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=2000)


class ForwardIn(Schema):
    to: str = Field(..., max_length=200)
    reason: str = Field("", max_length=2000)


class AnswerIn(Schema):
    text: str = Field(..., max_length=10000)
    partial: bool = False
    pdf_confirmation: str = Field(
        "",
        max_length=500,
        description="Motivo para publicar PDF con hallazgos en su texto (el texto de un PDF no se anonimiza).",
    )


class RefuseIn(Schema):
    ground: Literal[tuple(RefusalGround.values)]  # type: ignore[valid-type]
    text: str = Field(..., max_length=5000)


class FindingOut(Schema):
    kind: str
    where: str
    detail: str


class CheckedAttachmentOut(Schema):
    id: int
    name: str
    published: bool = Field(..., alias="is_published")
    findings: list[FindingOut]


class DatasetRefOut(Schema):
    name: str
    identifier: str
    status: str


class InboxItemOut(Schema):
    number: str
    subject: str = Field(..., alias="public_subject")
    status: str
    due_date: dt.date | None
    days_left: int | None


class PerformanceOut(Schema):
    received: int
    open: int
    overdue: int
    answered: int
    answered_full: int
    answered_partial: int
    answered_on_time: int
    on_time_rate: float | None = Field(None, description="Nulo con menos de min_count pedidos respondidos.")
    median_days: float | None
    p90_days: int | None
    extensions: int
    refused: int
    refusals_by_ground: dict[str, int]
    not_held: int
    withdrawn: int
    forwarded: int
    min_count: int


class RuleOut(Schema):
    status: str
    number: str
    enacted_on: dt.date | None
    url: str
    rule_source: str
    response_days: int
    extension_days: int
    day_kind: str
    is_default: bool
    complaint_days: int
    review_body: str


class NonWorkingDayIn(Schema):
    date: dt.date
    reason: str = Field(..., max_length=200)


class NonWorkingDayOut(Schema):
    date: dt.date
    reason: str
    deadlines_moved: int


def _municipality(slug: str) -> Municipality:
    municipality = Municipality.objects.filter(slug=slug, is_active=True).first() if "\x00" not in slug else None
    if municipality is None:
        message = _("No existe el municipio «%(s)s».") % {"s": slug}
        raise ValidationError(message, fields={"municipality": [message]})
    return municipality


def _get(request, municipality: str, number: str) -> FoiRequest:
    return selectors.foi_request_get_visible(actor=request.auth, municipality_slug=municipality, number=number)


def _detail(foi: FoiRequest) -> FoiRequest:
    return (
        FoiRequest.objects.select_related("municipality", "provincial_body", "topic")
        .prefetch_related("events")
        .get(pk=foi.pk)
    )


@router.get("/foi/requests", response={200: list[RequestOut], **ERRORS}, summary="Listar pedidos (archivo público)")
@paginate(LimitOffsetPagination, max_limit=500)
def request_list(
    request,
    q: str = "",
    municipality: str = "",
    status: str = "",
    topic: str = "",
    filed_from: dt.date | None = None,
    filed_to: dt.date | None = None,
):
    """Requests everybody may read, newest first; ``status`` takes a status or an outcome."""
    filters = selectors.ArchiveFilters(
        q=q, municipality=municipality, status=status, topic=topic, date_from=filed_from, date_to=filed_to
    )
    return selectors.foi_request_list_public(filters)


@router.post("/foi/requests", response={201: RequestOut, **ERRORS}, summary="Presentar un pedido")
def request_file(request, payload: RequestIn):
    data = payload.dict()
    municipality_slug, body_slug = data.pop("municipality"), data.pop("provincial_body")
    foi = services.foi_request_file(
        municipality=_municipality(municipality_slug) if municipality_slug else None,
        body=selectors.provincial_body_get(slug=body_slug) if body_slug else None,
        data=services.RequestInput(**data),
        by=request.auth,
    )
    return Status(201, _detail(foi))


@router.get(
    "/foi/requests/{municipality}/{number}", response={200: RequestDetailOut, **ERRORS}, summary="Ver un pedido"
)
def request_detail(request, municipality: str, number: str):
    return _detail(_get(request, municipality, number))


@router.get(
    "/foi/provincial-bodies/{body}/requests/{number}",
    response={200: RequestDetailOut, **ERRORS},
    summary="Ver un pedido a un organismo provincial",
)
def body_request_detail(request, body: str, number: str):
    return _detail(selectors.foi_request_get_visible(actor=request.auth, body_slug=body, number=number))


class BodyOut(Schema):
    slug: str
    name: str
    province: str = Field(..., alias="province.code")


@router.get("/foi/provincial-bodies", response={200: list[BodyOut], **ERRORS}, summary="Organismos provinciales")
def body_list(request):
    return selectors.provincial_body_list()


@router.post(
    "/foi/requests/{municipality}/{number}/acknowledge",
    response={200: RequestDetailOut, **ERRORS},
    summary="Recibir un pedido (número de expediente)",
)
def request_acknowledge(request, municipality: str, number: str, payload: AcknowledgeIn):
    foi = services.foi_request_acknowledge(
        request=_get(request, municipality, number), file_number=payload.file_number, by=request.auth
    )
    return _detail(foi)


@router.post(
    "/foi/requests/{municipality}/{number}/clarification-request",
    response={200: RequestDetailOut, **ERRORS},
    summary="Pedir una aclaración (detiene el plazo)",
)
def request_ask_clarification(request, municipality: str, number: str, payload: TextIn):
    foi = services.foi_request_ask_clarification(
        request=_get(request, municipality, number), question=payload.text, by=request.auth
    )
    return _detail(foi)


@router.post(
    "/foi/requests/{municipality}/{number}/clarification",
    response={200: RequestDetailOut, **ERRORS},
    summary="Aclarar un pedido (quien lo hizo)",
)
def request_clarify(request, municipality: str, number: str, payload: TextIn):
    foi = services.foi_request_clarify(request=_get(request, municipality, number), text=payload.text, by=request.auth)
    return _detail(foi)


@router.post(
    "/foi/requests/{municipality}/{number}/extend",
    response={200: RequestDetailOut, **ERRORS},
    summary="Prorrogar el plazo (una vez)",
)
def request_extend(request, municipality: str, number: str, payload: ReasonIn):
    foi = services.foi_request_extend(
        request=_get(request, municipality, number), reason=payload.reason, by=request.auth
    )
    return _detail(foi)


@router.post(
    "/foi/requests/{municipality}/{number}/forward",
    response={200: RequestDetailOut, **ERRORS},
    summary="Derivar a otro organismo",
)
def request_forward(request, municipality: str, number: str, payload: ForwardIn):
    foi = services.foi_request_forward(
        request=_get(request, municipality, number), to=payload.to, reason=payload.reason, by=request.auth
    )
    return _detail(foi)


@router.post(
    "/foi/requests/{municipality}/{number}/answer",
    response={200: RequestDetailOut, **ERRORS},
    summary="Responder (publica los adjuntos revisados)",
)
def request_answer(request, municipality: str, number: str, payload: AnswerIn):
    foi = services.foi_request_answer(
        request=_get(request, municipality, number),
        text=payload.text,
        partial=payload.partial,
        pdf_confirmation=payload.pdf_confirmation,
        by=request.auth,
    )
    return _detail(foi)


@router.post(
    "/foi/requests/{municipality}/{number}/refuse",
    response={200: RequestDetailOut, **ERRORS},
    summary="Denegar con fundamento legal",
)
def request_refuse(request, municipality: str, number: str, payload: RefuseIn):
    foi = services.foi_request_refuse(
        request=_get(request, municipality, number), ground=payload.ground, text=payload.text, by=request.auth
    )
    return _detail(foi)


@router.post(
    "/foi/requests/{municipality}/{number}/not-held",
    response={200: RequestDetailOut, **ERRORS},
    summary="Declarar la información inexistente",
)
def request_not_held(request, municipality: str, number: str, payload: TextIn):
    foi = services.foi_request_declare_not_held(
        request=_get(request, municipality, number), text=payload.text, by=request.auth
    )
    return _detail(foi)


@router.post(
    "/foi/requests/{municipality}/{number}/withdraw",
    response={200: RequestDetailOut, **ERRORS},
    summary="Retirar un pedido (quien lo hizo)",
)
def request_withdraw(request, municipality: str, number: str):
    return _detail(services.foi_request_withdraw(request=_get(request, municipality, number), by=request.auth))


@router.post(
    "/foi/requests/{municipality}/{number}/complaint",
    response={200: RequestDetailOut, **ERRORS},
    summary="Reclamar por un pedido vencido o denegado",
)
def request_complain(request, municipality: str, number: str, payload: TextIn):
    foi = services.foi_request_complain(request=_get(request, municipality, number), text=payload.text, by=request.auth)
    return _detail(foi)


@router.post(
    "/foi/requests/{municipality}/{number}/attachments",
    response={201: CheckedAttachmentOut, **ERRORS},
    summary="Adjuntar un archivo a la respuesta (se revisa y se anonimiza)",
)
def attachment_add(request, municipality: str, number: str, file: File[UploadedFile]):
    """The file is checked for personal data and hidden content; the findings come back, and the
    public will only get the redacted copy, once the request is answered."""
    attachment = services.foi_attachment_add(request=_get(request, municipality, number), upload=file, by=request.auth)
    return Status(201, attachment)


@router.post(
    "/foi/requests/{municipality}/{number}/open-data",
    response={201: DatasetRefOut, **ERRORS},
    summary="Convertir la respuesta en un borrador de conjunto de datos",
)
def answer_to_dataset(request, municipality: str, number: str):
    dataset = services.foi_answer_to_dataset(request=_get(request, municipality, number), by=request.auth)
    return Status(201, dataset)


@router.post(
    "/foi/requests/{municipality}/{number}/report",
    response={201: dict, **ERRORS},
    summary="Denunciar un pedido ante la moderación",
)
def request_report(request, municipality: str, number: str, payload: ReasonIn):
    services.foi_request_report(request=_get(request, municipality, number), reason=payload.reason, by=request.auth)
    return Status(201, {"reported": True})


@router.post(
    "/foi/requests/{municipality}/{number}/hide",
    response={200: RequestDetailOut, **ERRORS},
    summary="Ocultar un pedido del archivo, con motivo (moderación)",
)
def request_hide(request, municipality: str, number: str, payload: ReasonIn):
    foi = services.foi_request_hide(request=_get(request, municipality, number), reason=payload.reason, by=request.auth)
    return _detail(foi)


@router.get(
    "/foi/inbox/{municipality}", response={200: list[InboxItemOut], **ERRORS}, summary="Bandeja de pedidos abiertos"
)
def inbox(request, municipality: str):
    """Open requests, overdue first (officers of the municipality)."""
    return selectors.foi_inbox(actor=request.auth, municipality=_municipality(municipality))


@router.get("/foi/statistics", response={200: PerformanceOut, **ERRORS}, summary="Estadísticas de pedidos")
def statistics(request, municipality: str = ""):
    """Per municipality, or the whole province without ``municipality``."""
    return selectors.foi_performance(_municipality(municipality) if municipality else None)


@router.get("/foi/rules/{municipality}", response={200: RuleOut, **ERRORS}, summary="Norma y plazos que rigen")
def rules(request, municipality: str):
    return selectors.ordinance_status(_municipality(municipality))


@router.post(
    "/foi/rules/{municipality}/non-working-days",
    response={201: NonWorkingDayOut, **ERRORS},
    summary="Agregar un día no laborable (recalcula vencimientos)",
)
def non_working_day_add(request, municipality: str, payload: NonWorkingDayIn):
    entry, moved = services.non_working_day_add(
        municipality=_municipality(municipality), day=payload.date, reason=payload.reason, by=request.auth
    )
    return Status(201, {"date": entry.date, "reason": entry.reason, "deadlines_moved": moved})


# The transitions of requests to provincial bodies register on this router too.
from . import api_bodies  # noqa: E402, F401
