"""Personal data and hidden content in texts and files, on real published files and built ones."""

import io
import zipfile

import pytest
from django.conf import settings
from pypdf import PdfReader

from abiertos.foi.privacy import attachment_inspect, attachment_redact, cuit_is_valid, text_findings, text_redact

from .factories import pdf_with_text, xlsx_with_hidden_sheet

SHARED = settings.BASE_DIR.parent / "shared" / "data"


def test_text_redact_masks_ids_emails_phones_and_given_terms():
    text = "Soy Ana Gómez, DNI 27.111.222, CUIL 20-27111222-0, ana@correo.com.ar, tel. 0221 423-4567."
    redacted = text_redact(text, ["Ana Gómez"])
    for leak in ("Ana Gómez", "27.111.222", "20-27111222-0", "ana@correo.com.ar", "423-4567"):
        assert leak not in redacted
    assert redacted.startswith("Soy [reservado], DNI")


def test_text_findings_ignores_amounts_that_are_not_valid_cuits():
    assert text_findings("Total General 20088528457 pesos") == []
    assert cuit_is_valid("20-27111222-0")
    assert not cuit_is_valid("20-27111222-1")


def test_real_budget_spreadsheet_leaks_its_authors_name_and_the_copy_does_not():
    # A debt spreadsheet published by a provincial ministry: the author's user name is in it.
    content = (SHARED / "tabular" / "stock_deuda_planilla_C_2024-12-31.xlsx").read_bytes()
    findings = attachment_inspect("deuda.xlsx", content)
    assert ("metadata", "autor: ASosa") in [(f.kind, f.detail) for f in findings]
    assert attachment_inspect("deuda.xlsx", attachment_redact("deuda.xlsx", content)) == []


def test_real_ods_budget_has_no_false_alarms():
    content = (SHARED / "tabular" / "presupuesto_2017_por_finalidad_funcion.ods").read_bytes()
    assert attachment_inspect("presupuesto.ods", content) == []


def test_xlsx_hidden_sheet_rows_columns_and_pivot_caches_are_flagged():
    findings = attachment_inspect("planilla.xlsx", xlsx_with_hidden_sheet(), ["Juana Ríos"])
    pairs = {(f.kind, f.where) for f in findings}
    assert ("hidden_sheet", "Beneficiarios") in pairs
    assert ("hidden_columns", "Resumen") in pairs
    assert ("personal_data", "Beneficiarios!B2") in pairs  # a DNI column, by its header


def _ods_with_hidden_table() -> bytes:
    from odf.dc import Creator
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    doc.meta.addElement(Creator(text="jperez"))
    hidden = Style(name="oculta", family="table")
    hidden.addElement(TableProperties(display="false"))
    doc.automaticstyles.addElement(hidden)
    for name, style, value in (("Resumen", None, "Total 1000"), ("Personas", hidden, "ana@example.org")):
        table = Table(name=name, stylename=style) if style else Table(name=name)
        row = TableRow()
        cell = TableCell()
        cell.addElement(P(text=value))
        row.addElement(cell)
        table.addElement(row)
        doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_ods_hidden_sheet_and_metadata_are_flagged_and_removed():
    content = _ods_with_hidden_table()
    kinds = {(f.kind, f.where) for f in attachment_inspect("planilla.ods", content)}
    assert ("hidden_sheet", "Personas") in kinds
    assert any(kind == "metadata" for kind, _ in kinds)
    redacted = attachment_redact("planilla.ods", content)
    assert attachment_inspect("planilla.ods", redacted) == []
    with zipfile.ZipFile(io.BytesIO(redacted)) as archive:
        body = archive.read("content.xml").decode()
    assert "Total 1000" in body
    assert "ana@example.org" not in body


def _docx(text: str, author: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="w"><w:body><w:p><w:r>'
            f'<w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:body></w:document>',
        )
        archive.writestr(
            "docProps/core.xml",
            f'<cp:coreProperties xmlns:cp="cp" xmlns:dc="dc"><dc:creator>{author}</dc:creator></cp:coreProperties>',
        )
    return out.getvalue()


def test_docx_text_and_author_are_flagged_and_cleared():
    content = _docx("Responsable: Juan Pérez, juan.perez@municipio.gob.ar, rsidR=00A12345", "Juan Pérez")
    findings = attachment_inspect("nota.docx", content)
    assert {f.kind for f in findings} == {"metadata", "personal_data"}
    redacted = attachment_redact("nota.docx", content)
    with zipfile.ZipFile(io.BytesIO(redacted)) as archive:
        assert "Juan Pérez" not in archive.read("docProps/core.xml").decode()
        assert "juan.perez@" not in archive.read("word/document.xml").decode()


def test_pdf_author_is_flagged_and_blanked():
    content = pdf_with_text(["Informe de obras 2026"], author="Maria Lopez")
    findings = attachment_inspect("nota.pdf", content)
    assert ("metadata", "Author: Maria Lopez") in [(f.kind, f.detail) for f in findings]
    assert not [f for f in findings if f.kind == "personal_data"]
    redacted = attachment_redact("nota.pdf", content)
    assert b"Maria Lopez" not in redacted
    assert "Informe de obras" in PdfReader(io.BytesIO(redacted)).pages[0].extract_text()


def test_pdf_text_personal_data_is_reported_with_page_numbers():
    content = pdf_with_text(
        [
            "Resumen de gastos del programa.",
            "Beneficiaria: DNI 28.456.789, correo ana.perez@example.org",
            "Contacto: (0221) 483-1234 y CUIT 20-12345678-6",
        ]
    )
    findings = [f for f in attachment_inspect("gastos.pdf", content) if f.kind == "personal_data"]
    assert [f.where for f in findings] == ["página 2", "página 3"]
    assert "DNI" in findings[0].detail
    assert "correo electrónico" in findings[0].detail
    assert "CUIL/CUIT" in findings[1].detail
    assert "teléfono" in findings[1].detail


def test_pdf_requester_name_is_found_in_the_text():
    content = pdf_with_text(["Respuesta a Juana Quiroga sobre el expediente."])
    findings = attachment_inspect("r.pdf", content, ["Juana Quiroga"])
    assert [(f.kind, f.where) for f in findings if f.kind != "metadata"] == [("personal_data", "página 1")]


def test_pdf_page_without_text_is_flagged_as_unscanned():
    content = pdf_with_text(["Texto", ""])
    findings = attachment_inspect("escaneo.pdf", content)
    assert [f.kind for f in findings if f.kind == "unscanned"] == ["unscanned"]
    assert "Páginas: 2" in findings[-1].detail


def test_broken_pdf_raises_value_error():
    with pytest.raises(ValueError, match="Stream has ended"):
        attachment_inspect("roto.pdf", b"%PDF-1.4 esto no es un pdf")


@pytest.mark.parametrize("name", ["roto.xlsx", "roto.ods", "roto.docx"])
def test_broken_zip_files_raise_value_error(name):
    with pytest.raises(ValueError, match="zip"):
        attachment_inspect(name, b"esto no es un zip")


@pytest.mark.parametrize(
    "text",
    [
        "La obra costó $ 4.100.000 y se pagó en marzo.",
        "Monto adjudicado: 12.345.678 pesos.",
        "Importe total: 4.100.000,50",
        "Presupuesto de ARS 1.500.000 para 2026.",
        "Se ejecutaron 1.234.567.890 pesos en total.",
        "Expediente 4.100.000/2026-1 archivado.",
    ],
)
def test_amounts_and_longer_numbers_are_not_taken_for_a_dni(text):
    assert "dni" not in text_findings(text)
    assert text_redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Beneficiario con DNI 4.100.000, vecino de Tandil.", "Beneficiario con DNI [reservado], vecino de Tandil."),
        ("D.N.I. N° 27111222 presentó la nota.", "D.N.I. N° [reservado] presentó la nota."),
        ("Firmante: 27.111.222 (Ana)", "Firmante: [reservado] (Ana)"),
    ],
)
def test_labelled_and_bare_dnis_are_still_masked(text, expected):
    assert text_redact(text) == expected
