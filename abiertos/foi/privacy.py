"""Personal data and hidden content in texts and attached files, and their redaction.

``text_redact`` masks DNI/CUIL/CUIT numbers, e-mail addresses, phone numbers and any given
terms (the requester's own name, DNI and e-mail). ``attachment_inspect`` lists what a file
hides or leaks (hidden sheets, rows and columns, pivot caches, document metadata, personal
data in cells or text); ``attachment_redact`` writes the copy the public gets: hidden sheets,
rows and columns removed, pivot caches dropped, flagged text masked, metadata cleared.
A PDF's text is scanned page by page but not rewritten: the officer uploads a redacted PDF.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import NameObject

from .revisions import docx_part_strip, docx_revisions, odf_content_strip, odf_revisions

MASK = "[reservado]"
PATTERNS = {
    "cuit": re.compile(r"\b(?:20|23|24|27|30|33|34)-?\d{8}-?\d\b"),
    # A labelled number (DNI 27111222, D.N.I.: 27.111.222) or a bare dotted 7-8 digit number that is
    # not part of a longer number; bare ones that read as amounts are dropped in ``_matches``.
    "dni": re.compile(
        r"\b(?:DNI|D\.N\.I\.?)\s*(?:N[°º.]?\s*)?:?\s*(?:\d{1,2}\.\d{3}\.\d{3}|\d{7,8})\b"
        r"|(?<![\d.,/])\d{1,2}\.\d{3}\.\d{3}(?![\d]|[.,/-]\d)",
        re.IGNORECASE,
    ),
    "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "phone": re.compile(
        r"(?:\+54\s?9?\s?)?\(?0?(?:11|2\d{2,3})\)?[\s-]?\d{3,4}[\s-]\d{4}\b|\b15[\s-]\d{4}[\s-]\d{4}\b"
    ),
}
KIND_LABELS = {
    "cuit": "CUIL/CUIT",
    "dni": "DNI",
    "email": gettext_lazy("correo electrónico"),
    "phone": gettext_lazy("teléfono"),
    "requester": gettext_lazy("dato de quien pidió"),
    "column": gettext_lazy("columna de datos personales"),
}
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".csv", ".txt", ".docx", ".pdf")
MAX_FINDINGS = 200
# A spreadsheet column whose header says it holds personal data is flagged whole.
PERSONAL_HEADER = re.compile(r"\b(dni|cuil|cuit|documento|tel[eé]fono|celular|correo|e-?mail|domicilio)\b", re.I)


@dataclass
class Finding:
    kind: str  # hidden_sheet, hidden_rows, hidden_columns, pivot_cache, metadata, personal_data, unscanned,
    # comments, tracked_changes
    where: str
    detail: str

    def as_dict(self) -> dict:
        return asdict(self)


def _term_patterns(terms: list[str]) -> list[re.Pattern]:
    clean = [t.strip() for t in terms if t and len(t.strip()) >= 3]
    return [re.compile(re.escape(t), re.IGNORECASE) for t in clean]


def cuit_is_valid(value: str) -> bool:
    """Whether an 11-digit CUIL/CUIT has a correct check digit (so amounts are not taken for one)."""
    digits = [int(c) for c in value if c.isdigit()]
    if len(digits) != 11:
        return False
    total = sum(d * w for d, w in zip(digits[:10], (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True))
    check = 11 - total % 11
    check = {11: 0, 10: 9}.get(check, check)
    return check == digits[10]


# Money around a bare dotted number: «$ 4.100.000», «ARS 1.500.000», «4.100.000 pesos», «1.200.000 millones».
_MONEY_BEFORE = re.compile(r"(?:\$|\bars|\bu\$s|\busd|\bpesos|\bmonto|\bimporte|\btotal)\s*:?\s*$", re.IGNORECASE)
_MONEY_AFTER = re.compile(r"^\s*(?:pesos|millones|mil\b|de pesos|ars\b|usd\b|u\$s)", re.IGNORECASE)


def _reads_as_amount(match: re.Match, text: str) -> bool:
    """A bare dotted number written as an amount of money (not labelled as a DNI)."""
    if match.group()[:1].isalpha():
        return False  # «DNI …»: labelled, always personal data
    before = text[max(0, match.start() - 12) : match.start()]
    after = text[match.end() : match.end() + 12]
    return bool(_MONEY_BEFORE.search(before) or _MONEY_AFTER.search(after))


def _matches(kind: str, pattern: re.Pattern, text: str) -> list[re.Match]:
    found = list(pattern.finditer(text))
    if kind == "cuit":
        return [m for m in found if cuit_is_valid(m.group())]
    if kind == "dni":
        return [m for m in found if not _reads_as_amount(m, text)]
    return found


def text_findings(text: str, terms: list[str] = ()) -> list[str]:
    """Kinds of personal data found in the text (one entry per match)."""
    found = []
    for pattern in _term_patterns(list(terms)):
        found += ["requester"] * len(pattern.findall(text))
    for kind, pattern in PATTERNS.items():
        found += [kind] * len(_matches(kind, pattern, text))
    return found


def text_redact(text: str, terms: list[str] = ()) -> str:
    """The text with personal data and the given terms masked."""
    for pattern in _term_patterns(list(terms)):
        text = pattern.sub(MASK, text)
    for kind, pattern in PATTERNS.items():
        for match in reversed(_matches(kind, pattern, text)):
            start = match.start()
            if kind == "dni" and match.group()[:1].isalpha():
                start += re.search(r"\d", match.group()).start()  # keep the «DNI» label readable
            text = text[:start] + MASK + text[match.end() :]
    return text


def _suffix(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def attachment_kind_supported(name: str) -> bool:
    return _suffix(name) in SPREADSHEET_SUFFIXES


# XLSX ---------------------------------------------------------------------------------------------


def _xlsx_inspect(content: bytes, terms: list[str]) -> list[Finding]:
    from openpyxl import load_workbook

    findings = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if any(n.startswith("xl/pivotCache/") for n in archive.namelist()):
            findings.append(
                Finding("pivot_cache", _("libro"), _("Tiene cachés de tablas dinámicas con datos de origen."))
            )
    workbook = load_workbook(io.BytesIO(content))
    props = workbook.properties
    for label, value in ((_("autor"), props.creator), (_("última modificación por"), props.lastModifiedBy)):
        if value:
            findings.append(Finding("metadata", _("propiedades"), f"{label}: {value}"))
    for sheet in workbook.worksheets:
        if sheet.sheet_state != "visible":
            findings.append(Finding("hidden_sheet", sheet.title, _("Hoja oculta.")))
        rows = [i for i, d in sheet.row_dimensions.items() if d.hidden]
        cols = [k for k, d in sheet.column_dimensions.items() if d.hidden]
        if rows:
            findings.append(Finding("hidden_rows", sheet.title, _("Filas ocultas: %s") % ", ".join(map(str, rows))))
        if cols:
            findings.append(Finding("hidden_columns", sheet.title, _("Columnas ocultas: %s") % ", ".join(cols)))
        for cell, kinds in _flagged_cells(sheet, terms):
            findings.append(Finding("personal_data", f"{sheet.title}!{cell.coordinate}", _kinds(kinds)))
    return findings


def _personal_columns(sheet) -> set[int]:
    first = next(sheet.iter_rows(max_row=1), ())
    return {c.column for c in first if isinstance(c.value, str) and PERSONAL_HEADER.search(c.value)}


def _flagged_cells(sheet, terms: list[str]):
    """(cell, kinds) for every cell that holds personal data."""
    columns = _personal_columns(sheet)
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            if cell.value is None:
                continue
            if cell.row > 1 and cell.column in columns:
                yield cell, ["column"]
            elif isinstance(cell.value, str) and (kinds := text_findings(cell.value, terms)):
                yield cell, kinds


def _xlsx_redact(content: bytes, terms: list[str]) -> bytes:
    from openpyxl import load_workbook
    from openpyxl.packaging.core import DocumentProperties

    workbook = load_workbook(io.BytesIO(content))
    for sheet in list(workbook.worksheets):
        if sheet.sheet_state != "visible":
            workbook.remove(sheet)
    for sheet in workbook.worksheets:
        sheet._pivots = []
        for index in sorted((i for i, d in sheet.row_dimensions.items() if d.hidden), reverse=True):
            sheet.delete_rows(index)
        hidden_cols = [k for k, d in sheet.column_dimensions.items() if d.hidden]
        for letter in sorted(hidden_cols, key=lambda c: sheet[f"{c}1"].column, reverse=True):
            sheet.delete_cols(sheet[f"{letter}1"].column)
        # openpyxl does not shift row and column formats on delete: what is left is all visible.
        for dimension in [*sheet.row_dimensions.values(), *sheet.column_dimensions.values()]:
            dimension.hidden = False
        for cell, kinds in list(_flagged_cells(sheet, terms)):
            cell.value = MASK if kinds == ["column"] else text_redact(cell.value, terms)
    workbook.properties = DocumentProperties(creator="", lastModifiedBy="")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ODS and DOCX (zipped XML) -----------------------------------------------------------------------

_TEXT_NODE = re.compile(r">([^<]+)<")
_ODS_TABLE = re.compile(r'<table:table [^>]*table:name="([^"]*)"[^>]*table:style-name="([^"]*)"', re.S)
_ODS_HIDDEN_STYLE = re.compile(
    r'<style:style style:name="([^"]+)" style:family="table"[^>]*>\s*<style:table-properties[^>]*table:display="false"'
)
_META_FIELDS = {
    "ods": (("meta.xml", r"<(meta:initial-creator|dc:creator)>([^<]+)<"),),
    "docx": (("docProps/core.xml", r"<(dc:creator|cp:lastModifiedBy)>([^<]+)<"),),
}


def _zip_texts(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {n: archive.read(n).decode("utf-8", "replace") for n in archive.namelist() if n.endswith(".xml")}


def _xml_text(xml: str) -> str:
    return " ".join(m.group(1) for m in _TEXT_NODE.finditer(xml))


def _zipped_inspect(content: bytes, kind: str, terms: list[str]) -> list[Finding]:
    files = _zip_texts(content)
    findings = []
    for path, pattern in _META_FIELDS[kind]:
        for tag, value in re.findall(pattern, files.get(path, "")):
            findings.append(Finding("metadata", _("propiedades"), f"{tag}: {value}"))
    body_name = "content.xml" if kind == "ods" else "word/document.xml"
    body = files.get(body_name, "")
    if kind == "ods":
        hidden_styles = set(_ODS_HIDDEN_STYLE.findall(body))
        for name, style in _ODS_TABLE.findall(body):
            if style in hidden_styles:
                findings.append(Finding("hidden_sheet", name, _("Hoja oculta.")))
    revisions = odf_revisions(body) if kind == "ods" else docx_revisions(files)
    for revision, count, authors in revisions:
        where = _("comentarios") if revision == "comments" else _("control de cambios")
        detail = _("%(n)s sin publicar (autores: %(a)s); la copia pública no los incluye.") % {"n": count, "a": authors}
        findings.append(Finding(revision, where, detail))
    if kinds := text_findings(_xml_text(body), terms):
        findings.append(Finding("personal_data", _("texto del documento"), _kinds(kinds)))
    return findings


def _ods_remove_hidden_tables(body: str) -> str:
    hidden_styles = set(_ODS_HIDDEN_STYLE.findall(body))
    for style in hidden_styles:
        body = re.sub(
            rf'<table:table [^>]*table:style-name="{re.escape(style)}"[^>]*>.*?</table:table>', "", body, flags=re.S
        )
    return body


def _zipped_part_redact(name: str, xml: str, kind: str, terms: list[str]) -> str:
    """One XML part of the public copy: metadata cleared, revisions stripped, text masked."""
    meta_name, meta_pattern = _META_FIELDS[kind][0]
    if name == meta_name:
        return re.sub(meta_pattern, r"<\1><", xml)
    if kind == "docx":
        xml = docx_part_strip(name, xml)
        return _mask_text_nodes(xml, terms) if name == "word/document.xml" else xml
    if name != "content.xml":
        return xml
    return _mask_text_nodes(odf_content_strip(_ods_remove_hidden_tables(xml)), terms)


def _mask_text_nodes(xml: str, terms: list[str]) -> str:
    return _TEXT_NODE.sub(lambda m: ">" + text_redact(m.group(1), terms) + "<", xml)


def _zipped_redact(content: bytes, kind: str, terms: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith(".xml"):
                data = _zipped_part_redact(info.filename, data.decode("utf-8"), kind, terms).encode("utf-8")
            compress = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, data, compress_type=compress)
    return out.getvalue()


# PDF and plain text ------------------------------------------------------------------------------


PDF_META_FIELDS = ("/Author", "/Creator", "/Producer")
# Findings that a PDF's redacted copy does not resolve (its text is not rewritten): publishing
# such a PDF needs the officer's confirmation, with a reason (``foi_request_answer``).
PDF_UNRESOLVED_KINDS = ("personal_data", "unscanned")


def _pdf_inspect(content: bytes, terms: list[str]) -> list[Finding]:
    """Metadata and, page by page, personal data in the text layer."""
    reader = _pdf_reader(content)
    findings = []
    for tag in PDF_META_FIELDS:
        if value := str((reader.metadata or {}).get(tag) or "").strip():
            findings.append(Finding("metadata", _("propiedades"), f"{tag[1:]}: {value}"))
    blank = []
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text() or ""
        if not text.strip():
            blank.append(str(number))
        elif kinds := text_findings(text, terms):
            findings.append(Finding("personal_data", _("página %(n)s") % {"n": number}, _kinds(kinds)))
    if blank:
        detail = _("Sin texto legible (¿escaneadas?): revisalas a mano. Páginas: %s") % ", ".join(blank)
        findings.append(Finding("unscanned", _("documento"), detail))
    return findings


def _pdf_reader(content: bytes):
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise ValueError("encrypted PDF")
        len(reader.pages)
    except (PyPdfError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(str(exc)) from exc
    return reader


def _pdf_redact(content: bytes) -> bytes:
    """The same pages without the document information and XMP metadata (the text is kept)."""
    writer = PdfWriter(clone_from=_pdf_reader(content))
    writer.metadata = None
    writer._root_object.pop(NameObject("/Metadata"), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_unresolved(name: str, findings: list[dict]) -> bool:
    """Whether a PDF attachment still carries what its redacted copy cannot remove."""
    return _suffix(name) == ".pdf" and any(f.get("kind") in PDF_UNRESOLVED_KINDS for f in findings)


def _kinds(kinds: list[str]) -> str:
    labels = sorted({str(KIND_LABELS[k]) for k in kinds})
    return _("Posibles datos personales: %s") % ", ".join(labels)


def attachment_inspect(name: str, content: bytes, terms: list[str] = ()) -> list[Finding]:
    """What the file hides or leaks. Raises ValueError when it cannot be read."""
    suffix = _suffix(name)
    terms = list(terms)
    try:
        if suffix in (".xlsx", ".xlsm"):
            findings = _xlsx_inspect(content, terms)
        elif suffix == ".ods":
            findings = _zipped_inspect(content, "ods", terms)
        elif suffix == ".docx":
            findings = _zipped_inspect(content, "docx", terms)
        elif suffix == ".pdf":
            findings = _pdf_inspect(content, terms)
        else:
            kinds = text_findings(content.decode("utf-8", "replace"), terms)
            findings = [Finding("personal_data", _("texto"), _kinds(kinds))] if kinds else []
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise ValueError(str(exc)) from exc
    return findings[:MAX_FINDINGS]


def attachment_redact(name: str, content: bytes, terms: list[str] = ()) -> bytes:
    """The copy of the file the public gets."""
    suffix = _suffix(name)
    terms = list(terms)
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_redact(content, terms)
    if suffix == ".ods":
        return _zipped_redact(content, "ods", terms)
    if suffix == ".docx":
        return _zipped_redact(content, "docx", terms)
    if suffix == ".pdf":
        return _pdf_redact(content)
    return text_redact(content.decode("utf-8", "replace"), terms).encode("utf-8")
