"""REST transitions of requests to provincial bodies, beside the municipal ones in ``api.py``.

The same services and permission checks as for municipalities: only provincial admins hold
``Action.MANAGE_FOI`` with no municipality, so only they act as the body's officers.
«This answer should be open data» is not offered: bodies have no catalog of their own.
"""

from ninja import File, Status, UploadedFile

from abiertos.catalog.schemas import ERRORS

from . import selectors, services
from .api import (
    AcknowledgeIn,
    AnswerIn,
    CheckedAttachmentOut,
    ForwardIn,
    ReasonIn,
    RefuseIn,
    RequestDetailOut,
    TextIn,
    _detail,
    router,
)
from .models import FoiRequest

BASE = "/foi/provincial-bodies/{body}/requests/{number}"
DETAIL = {200: RequestDetailOut, **ERRORS}


def _get(request, body: str, number: str) -> FoiRequest:
    return selectors.foi_request_get_visible(actor=request.auth, body_slug=body, number=number)


@router.post(f"{BASE}/acknowledge", response=DETAIL, summary="Organismo provincial: recibir un pedido")
def body_request_acknowledge(request, body: str, number: str, payload: AcknowledgeIn):
    foi = services.foi_request_acknowledge(
        request=_get(request, body, number), file_number=payload.file_number, by=request.auth
    )
    return _detail(foi)


@router.post(f"{BASE}/clarification-request", response=DETAIL, summary="Organismo provincial: pedir una aclaración")
def body_request_ask_clarification(request, body: str, number: str, payload: TextIn):
    foi = services.foi_request_ask_clarification(
        request=_get(request, body, number), question=payload.text, by=request.auth
    )
    return _detail(foi)


@router.post(f"{BASE}/clarification", response=DETAIL, summary="Organismo provincial: aclarar un pedido")
def body_request_clarify(request, body: str, number: str, payload: TextIn):
    foi = services.foi_request_clarify(request=_get(request, body, number), text=payload.text, by=request.auth)
    return _detail(foi)


@router.post(f"{BASE}/extend", response=DETAIL, summary="Organismo provincial: prorrogar el plazo")
def body_request_extend(request, body: str, number: str, payload: ReasonIn):
    foi = services.foi_request_extend(request=_get(request, body, number), reason=payload.reason, by=request.auth)
    return _detail(foi)


@router.post(f"{BASE}/forward", response=DETAIL, summary="Organismo provincial: derivar a otro organismo")
def body_request_forward(request, body: str, number: str, payload: ForwardIn):
    foi = services.foi_request_forward(
        request=_get(request, body, number), to=payload.to, reason=payload.reason, by=request.auth
    )
    return _detail(foi)


@router.post(
    f"{BASE}/attachments",
    response={201: CheckedAttachmentOut, **ERRORS},
    summary="Organismo provincial: adjuntar un archivo a la respuesta",
)
def body_attachment_add(request, body: str, number: str, file: File[UploadedFile]):
    """Checked and redacted as for municipalities; the findings come back."""
    attachment = services.foi_attachment_add(request=_get(request, body, number), upload=file, by=request.auth)
    return Status(201, attachment)


@router.post(f"{BASE}/answer", response=DETAIL, summary="Organismo provincial: responder")
def body_request_answer(request, body: str, number: str, payload: AnswerIn):
    foi = services.foi_request_answer(
        request=_get(request, body, number),
        text=payload.text,
        partial=payload.partial,
        pdf_confirmation=payload.pdf_confirmation,
        by=request.auth,
    )
    return _detail(foi)


@router.post(f"{BASE}/refuse", response=DETAIL, summary="Organismo provincial: denegar con fundamento legal")
def body_request_refuse(request, body: str, number: str, payload: RefuseIn):
    foi = services.foi_request_refuse(
        request=_get(request, body, number), ground=payload.ground, text=payload.text, by=request.auth
    )
    return _detail(foi)


@router.post(f"{BASE}/not-held", response=DETAIL, summary="Organismo provincial: declarar la información inexistente")
def body_request_not_held(request, body: str, number: str, payload: TextIn):
    foi = services.foi_request_declare_not_held(request=_get(request, body, number), text=payload.text, by=request.auth)
    return _detail(foi)


@router.post(f"{BASE}/withdraw", response=DETAIL, summary="Organismo provincial: retirar un pedido")
def body_request_withdraw(request, body: str, number: str):
    return _detail(services.foi_request_withdraw(request=_get(request, body, number), by=request.auth))


@router.post(f"{BASE}/complaint", response=DETAIL, summary="Organismo provincial: reclamar por un pedido")
def body_request_complain(request, body: str, number: str, payload: TextIn):
    foi = services.foi_request_complain(request=_get(request, body, number), text=payload.text, by=request.auth)
    return _detail(foi)


@router.post(f"{BASE}/report", response={201: dict, **ERRORS}, summary="Organismo provincial: denunciar un pedido")
def body_request_report(request, body: str, number: str, payload: ReasonIn):
    services.foi_request_report(request=_get(request, body, number), reason=payload.reason, by=request.auth)
    return Status(201, {"reported": True})


@router.post(f"{BASE}/hide", response=DETAIL, summary="Organismo provincial: ocultar un pedido con motivo")
def body_request_hide(request, body: str, number: str, payload: ReasonIn):
    foi = services.foi_request_hide(request=_get(request, body, number), reason=payload.reason, by=request.auth)
    return _detail(foi)
