"""Attachment checks of access-to-information answers (issue 7): PDF text scan and DOCX revisions.

Measures, in one run, on generated files (no database):
- inspecting a PDF of N pages (metadata, personal data page by page) and writing its public copy,
  against the reference of pypdf alone extracting the same pages' text;
- inspecting a DOCX with N paragraphs, each with a tracked insertion, a deletion and a comment, and
  writing its public copy (changes accepted, comments dropped, text masked), against the reference
  of reading the same zip's XML parts.

    python bench/foi_attachments_bench.py --pages 200
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
import zipfile

from _setup import ROOT


def timed(func, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def docx_with_revisions(paragraphs: int) -> bytes:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body, comments = [], []
    for i in range(paragraphs):
        body.append(
            f'<w:p><w:commentRangeStart w:id="{i}"/><w:r><w:t>Expediente {i}: se otorgó el subsidio.</w:t></w:r>'
            f'<w:ins w:id="{i}1" w:author="Laura Ríos" w:date="2026-03-02T10:00:00Z"><w:r><w:t> Monto $ {i}00.'
            f'</w:t></w:r></w:ins><w:del w:id="{i}2" w:author="Laura Ríos" w:date="2026-03-02T10:00:00Z"><w:r>'
            f"<w:delText>Titular DNI 30.{i % 1000:03d}.111.</w:delText></w:r></w:del>"
            f'<w:commentRangeEnd w:id="{i}"/><w:r><w:commentReference w:id="{i}"/></w:r></w:p>'
        )
        comments.append(f'<w:comment w:id="{i}" w:author="Mario Sosa"><w:p><w:r><w:t>ver</w:t></w:r></w:p></w:comment>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document {w}><w:body>{''.join(body)}</w:body></w:document>")
        archive.writestr("word/comments.xml", f"<w:comments {w}>{''.join(comments)}</w:comments>")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from pypdf import PdfReader

    from abiertos.foi.privacy import attachment_inspect, attachment_redact
    from abiertos.foi.tests.factories import pdf_with_text

    pages = [
        f"Página {i}: beneficiario con DNI 2{i % 10}.{i % 1000:03d}.456, tel. (0221) 4{i % 100:02d}-1234"
        if i % 4 == 0
        else f"Página {i}: informe de gastos del programa, sin datos personales."
        for i in range(args.pages)
    ]
    pdf = pdf_with_text(pages, author="jperez")
    docx = docx_with_revisions(args.pages * 10)
    findings = attachment_inspect("b.pdf", pdf)
    result = {
        "pages": args.pages,
        "pdf_kb": round(len(pdf) / 1024),
        "pdf_findings": len(findings),
        "pdf_inspect_s": round(timed(lambda: attachment_inspect("b.pdf", pdf)), 3),
        "pdf_redact_s": round(timed(lambda: attachment_redact("b.pdf", pdf)), 3),
        "ref_pypdf_extract_s": round(timed(lambda: [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]), 3),
        "docx_paragraphs": args.pages * 10,
        "docx_kb": round(len(docx) / 1024),
        "docx_inspect_s": round(timed(lambda: attachment_inspect("r.docx", docx)), 3),
        "docx_redact_s": round(timed(lambda: attachment_redact("r.docx", docx)), 3),
        "ref_docx_read_xml_s": round(
            timed(
                lambda: [
                    zipfile.ZipFile(io.BytesIO(docx)).read(n) for n in zipfile.ZipFile(io.BytesIO(docx)).namelist()
                ]
            ),
            3,
        ),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
