"""Comments and tracked changes in DOCX and ODS/ODT files: found, and stripped from the public copy.

Stripping accepts every tracked change (inserted text stays, deleted text goes) and drops every
comment, so the public copy shows the document as it reads now, without who wrote what. Parts are
handled as XML text, like the rest of ``privacy.py``: no element outside these is touched.
"""

from __future__ import annotations

import re

# DOCX (WordprocessingML) ---------------------------------------------------------------------------

DOCX_COMMENT_PARTS = re.compile(r"^word/(comments\w*|people)\.xml$")
DOCX_TEXT_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_W_COMMENT = re.compile(r'<w:comment\b[^>]*?w:author="([^"]*)"')
_W_CHANGE = re.compile(r'<w:(ins|del|moveFrom|moveTo)\b[^>]*?w:author="([^"]*)"[^>]*?(?<!/)>')
_W_FORMAT_CHANGE = re.compile(
    r'<w:(rPrChange|pPrChange|sectPrChange|tblPrChange|trPrChange|tcPrChange)\b[^>]*?w:author="([^"]*)"'
)
_W_DROP = (
    re.compile(r"<w:(del|moveFrom)\b[^>]*?(?<!/)>.*?</w:\1>", re.S),
    re.compile(
        r"<w:(rPrChange|pPrChange|sectPrChange|tblPrChange|trPrChange|tcPrChange)\b[^>]*?(?<!/)>.*?</w:\1>", re.S
    ),
    re.compile(
        r"<w:(commentRangeStart|commentRangeEnd|moveFromRangeStart|moveFromRangeEnd|"
        r"moveToRangeStart|moveToRangeEnd|rPrChange|pPrChange|del|ins)\b[^>]*/>"
    ),
    re.compile(r"<w:r\b[^>]*>(?:(?!</w:r>).)*?<w:commentReference\b[^>]*/>(?:(?!</w:r>).)*?</w:r>", re.S),
)
_W_UNWRAP = re.compile(r"</?w:(ins|moveTo)\b[^>]*>")

# ODF (ODS spreadsheets, ODT texts) -----------------------------------------------------------------

_ODF_ANNOTATION = re.compile(r"<office:annotation\b[^>]*?(?<!/)>.*?</office:annotation>", re.S)
_ODF_ANNOTATION_END = re.compile(r"<office:annotation-end\b[^>]*/>")
_ODF_TRACKED = re.compile(r"<(table|text):tracked-changes\b[^>]*?(?<!/)>.*?</\1:tracked-changes>", re.S)
_ODF_MARKERS = re.compile(r"<text:(change|change-start|change-end)\b[^>]*/>")
_DC_CREATOR = re.compile(r"<dc:creator>([^<]*)</dc:creator>")
_ODF_CHANGE_REGION = re.compile(r"<(?:table:(?:cell-content-change|insertion|deletion|movement)|text:changed-region)\b")


def _authors(names: list[str]) -> str:
    return ", ".join(sorted({n for n in names if n.strip()})) or "—"


def docx_revisions(parts: dict[str, str]) -> list[tuple[str, int, str]]:
    """(kind, count, authors) for the comments and the unaccepted tracked changes of a DOCX."""
    found = []
    comments = [a for name, xml in parts.items() if DOCX_COMMENT_PARTS.match(name) for a in _W_COMMENT.findall(xml)]
    if comments:
        found.append(("comments", len(comments), _authors(comments)))
    texts = [xml for name, xml in parts.items() if DOCX_TEXT_PARTS.match(name)]
    changes = [m for xml in texts for pattern in (_W_CHANGE, _W_FORMAT_CHANGE) for m in pattern.findall(xml)]
    if changes:
        found.append(("tracked_changes", len(changes), _authors([author for _kind, author in changes])))
    return found


def odf_revisions(content_xml: str) -> list[tuple[str, int, str]]:
    """(kind, count, authors) for the annotations and the tracked changes of an ODS or ODT body."""
    found = []
    if annotations := _ODF_ANNOTATION.findall(content_xml):
        authors = [a for note in annotations for a in _DC_CREATOR.findall(note)]
        found.append(("comments", len(annotations), _authors(authors)))
    for block in _ODF_TRACKED.finditer(content_xml):
        count = len(_ODF_CHANGE_REGION.findall(block.group(0)))
        found.append(("tracked_changes", count, _authors(_DC_CREATOR.findall(block.group(0)))))
    return found


def _empty_root(xml: str) -> str:
    """The part with its root element left empty (kept so relationships stay valid)."""
    match = re.search(r"<(?!\?)([\w:]+)\b([^>]*?)/?>", xml)
    if match is None:
        return xml
    return xml[: match.start()] + f"<{match.group(1)}{match.group(2)}/>"


def docx_part_strip(name: str, xml: str) -> str:
    """The part with comments removed and tracked changes accepted."""
    if DOCX_COMMENT_PARTS.match(name):
        return _empty_root(xml)
    if DOCX_TEXT_PARTS.match(name):
        for pattern in _W_DROP:
            xml = pattern.sub("", xml)
        xml = _W_UNWRAP.sub("", xml)
    return xml


def odf_content_strip(xml: str) -> str:
    """The body with annotations removed and tracked changes accepted."""
    for pattern in (_ODF_ANNOTATION, _ODF_ANNOTATION_END, _ODF_TRACKED, _ODF_MARKERS):
        xml = pattern.sub("", xml)
    return xml
