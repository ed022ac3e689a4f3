"""Comments and tracked changes in DOCX and ODS attachments: flagged, and gone from the public copy."""

import io
import zipfile

from abiertos.foi.privacy import attachment_inspect, attachment_redact

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
DOCUMENT = (
    f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?><w:document {W}><w:body>"
    '<w:p><w:commentRangeStart w:id="0"/><w:r><w:t>Se otorgaron 41 becas.</w:t></w:r>'
    '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r></w:p>'
    '<w:p><w:ins w:id="1" w:author="Laura Ríos" w:date="2026-03-02T10:00:00Z"><w:r><w:t>Monto total: $ 410.000.'
    "</w:t></w:r></w:ins>"
    '<w:del w:id="2" w:author="Laura Ríos" w:date="2026-03-02T10:01:00Z"><w:r><w:delText>Incluye a Pedro Gil, '
    "DNI 29.111.222.</w:delText></w:r></w:del></w:p>"
    '<w:p><w:r><w:rPr><w:b/><w:rPrChange w:id="3" w:author="Mario Sosa" w:date="2026-03-02T10:02:00Z">'
    "<w:rPr/></w:rPrChange></w:rPr><w:t>Fin.</w:t></w:r></w:p>"
    "</w:body></w:document>"
)
COMMENTS = (
    f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?><w:comments {W}>"
    '<w:comment w:id="0" w:author="Mario Sosa" w:initials="MS"><w:p><w:r><w:t>¿Sacamos a los que no cobraron?'
    "</w:t></w:r></w:p></w:comment></w:comments>"
)


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", DOCUMENT)
        archive.writestr("word/comments.xml", COMMENTS)
        archive.writestr("word/people.xml", f'<w15:people {W}><w15:person w15:author="Mario Sosa"/></w15:people>')
    return out.getvalue()


def _ods() -> bytes:
    from odf.dc import Creator, Date
    from odf.office import Annotation, ChangeInfo
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import (
        CellAddress,
        CellContentChange,
        ChangeTrackTableCell,
        Previous,
        Table,
        TableCell,
        TableRow,
        TrackedChanges,
    )
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    changes = TrackedChanges()
    change = CellContentChange(id="ct1")
    change.addElement(CellAddress(column=0, row=0, table=0))
    info = ChangeInfo()
    info.addElement(Creator(text="Laura Ríos"))
    info.addElement(Date(text="2026-03-02T10:00:00"))
    change.addElement(info)
    previous = Previous()
    old = ChangeTrackTableCell()
    old.addElement(P(text="Beneficiaria: ana.gil@example.org"))
    previous.addElement(old)
    change.addElement(previous)
    changes.addElement(change)
    doc.spreadsheet.addElement(changes)
    table = Table(name="Becas")
    row = TableRow()
    cell = TableCell()
    cell.addElement(P(text="Total 41 becas"))
    note = Annotation()
    note.addElement(Creator(text="Mario Sosa"))
    note.addElement(P(text="Falta la lista de nombres"))
    cell.addElement(note)
    row.addElement(cell)
    table.addElement(row)
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _findings(name: str, content: bytes) -> dict[str, str]:
    return {f.kind: f.detail for f in attachment_inspect(name, content)}


def test_docx_comments_and_tracked_changes_are_flagged_with_their_authors():
    found = _findings("informe.docx", _docx())
    assert "1 sin publicar" in found["comments"]
    assert "Mario Sosa" in found["comments"]
    assert "3 sin publicar" in found["tracked_changes"]
    assert "Laura Ríos, Mario Sosa" in found["tracked_changes"]


def test_docx_public_copy_accepts_changes_and_drops_comments():
    redacted = attachment_redact("informe.docx", _docx())
    with zipfile.ZipFile(io.BytesIO(redacted)) as archive:
        body = archive.read("word/document.xml").decode()
        comments = archive.read("word/comments.xml").decode()
        people = archive.read("word/people.xml").decode()
    assert "Monto total: $ 410.000." in body  # the insertion is accepted
    assert "Pedro Gil" not in body  # the deletion is gone, not only masked
    assert "Laura Ríos" not in body
    assert "Mario Sosa" not in body
    assert "commentReference" not in body
    assert "rPrChange" not in body
    assert body.endswith("</w:document>")
    assert comments.endswith("/>")
    assert "Sacamos" not in comments
    assert "Mario Sosa" not in people
    assert {"comments", "tracked_changes"}.isdisjoint(_findings("informe.docx", redacted))


def test_ods_annotations_and_tracked_changes_are_flagged_and_stripped():
    content = _ods()
    found = _findings("becas.ods", content)
    assert "Mario Sosa" in found["comments"]
    assert "Laura Ríos" in found["tracked_changes"]
    redacted = attachment_redact("becas.ods", content)
    with zipfile.ZipFile(io.BytesIO(redacted)) as archive:
        body = archive.read("content.xml").decode()
    assert "Total 41 becas" in body
    assert "Falta la lista" not in body
    assert "ana.gil" not in body
    assert "Laura Ríos" not in body
    assert "tracked-changes" not in body
    assert attachment_inspect("becas.ods", redacted) == []
