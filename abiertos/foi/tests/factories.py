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


def pdf_with_text(pages: list[str], *, author: str = "") -> bytes:
    """A small valid PDF whose pages carry the given lines of text (Helvetica, WinAnsi)."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", ""]
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for text in pages:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        stream = f"BT /F1 11 Tf 40 760 Td ({escaped}) Tj ET".encode("cp1252")
        objects.append(f"<< /Length {len(stream)} >>\nstream\n".encode("cp1252") + stream + b"\nendstream")
        kids.append(len(objects) + 1)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {len(objects)} 0 R "
            "/Resources << /Font << /F1 3 0 R >> >> >>"
        )
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    objects.append(f"<< /Author ({author}) /Producer (Prueba) >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        data = body if isinstance(body, bytes) else body.encode("cp1252")
        out += f"{number} 0 obj\n".encode() + data + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>"
    out += f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
