"""Requests and files for the FOI tests."""

import io
from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from abiertos.accounts.tests.factories import actor_of
from abiertos.foi import services
from abiertos.foi.models import FoiRequest

REQUESTER_NAME = "María Laura Gómez"
REQUESTER_DNI = "27111222"


def request_input(**overrides) -> services.RequestInput:
    values = {
        "subject": "Gastos en alumbrado público 2025",
        "body": "Quiero saber cuánto gastó el municipio en alumbrado público durante 2025, por mes y por barrio.",
        "requester_name": REQUESTER_NAME,
        "requester_id_number": REQUESTER_DNI,
        "contact_email": "vecina@example.org",
        "topic": "gasto-publico",
    }
    values.update(overrides)
    return services.RequestInput(**values)


def request_file(municipality, user, *, filed_at: datetime | None = None, **overrides) -> FoiRequest:
    request = services.foi_request_file(municipality=municipality, data=request_input(**overrides), by=actor_of(user))
    if filed_at is not None:
        # Move the filing into the past, as if it had been filed then (the clock is the only fake).
        request.filed_at = filed_at
        request.due_date = services.base.due_date_compute(request)
        request.save()
    return request


def xlsx_with_hidden_sheet() -> bytes:
    """A spreadsheet like the ones that leak: a visible summary, a hidden sheet with the people
    behind it, a hidden column, and the author in the document properties."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = "Resumen"
    summary.append(["Mes", "Gasto", "Responsable interno"])
    summary.append(["Enero", 1200000, "Carlos Pérez"])
    summary.append(["Febrero", 980000, "Carlos Pérez"])
    summary.column_dimensions["C"].hidden = True
    detail = workbook.create_sheet("Beneficiarios")
    detail.append(["Nombre", "DNI", "Teléfono"])
    detail.append(["Juana Ríos", "30.111.222", "0221 423-4567"])
    detail.sheet_state = "hidden"
    workbook.properties.creator = "jperez.hacienda"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_upload(name: str = "gastos-alumbrado.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_with_hidden_sheet())


def days_ago(n: int) -> datetime:
    return timezone.now() - timedelta(days=n)
