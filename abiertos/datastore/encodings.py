"""Which text encoding a file uses, and a streaming conversion to UTF-8 when DuckDB cannot read it as is.

Files exported from Windows spreadsheets are usually cp1252; files stitched together from several
exports change encoding halfway. So a file is checked chunk by chunk, and a chunk that is not valid
UTF-8 is decoded line by line: UTF-8 where it is, cp1252 (latin-1 for the five bytes cp1252 leaves
undefined) where it is not.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 8 * 1024 * 1024
UTF8, CP1252, LATIN1, UTF16, MIXED = "utf-8", "cp1252", "latin-1", "utf-16", "mixed"
_NOT_C1 = bytes(b for b in range(256) if not 0x80 <= b <= 0x9F)


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("datastore_latin1", _latin1_fallback)


def _decode_cp1252(data: bytes) -> str:
    return data.decode("cp1252", errors="datastore_latin1")


def decode_line(line: bytes) -> str:
    """Decode one line: UTF-8 if it is valid UTF-8, else cp1252."""
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_cp1252(line)


def decode_mixed(data: bytes) -> str:
    """Decode bytes that may mix UTF-8 and cp1252, deciding line by line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(decode_line(line) for line in data.splitlines(keepends=True))


def bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return UTF8
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return UTF16
    return None


@dataclass
class EncodingScan:
    """What a pass over the whole file found."""

    has_utf8: bool = False
    has_other: bool = False
    has_c1: bool = False

    @property
    def encoding(self) -> str:
        if self.has_other and self.has_utf8:
            return MIXED
        if self.has_other:
            return CP1252 if self.has_c1 else LATIN1
        return UTF8


def _scan_chunk(chunk: bytes, scan: EncodingScan) -> None:
    if chunk.isascii():
        return
    try:
        chunk.decode("utf-8")
        scan.has_utf8 = True
        return
    except UnicodeDecodeError:
        pass
    # Not UTF-8 as a whole. Going line by line in Python would take minutes on a big file, so ask
    # C-speed questions instead: does anything survive as non-ASCII when invalid bytes are dropped
    # (real UTF-8 sequences, so the file is mixed), and are there bytes where cp1252 and latin-1 differ?
    scan.has_other = True
    if not scan.has_utf8 and not chunk.decode("utf-8", "ignore").isascii():
        scan.has_utf8 = True
    if not scan.has_c1 and chunk.translate(None, _NOT_C1):
        scan.has_c1 = True


def _line_chunks(path: Path, limit: int | None = None):
    """Yield chunks of the file that end at a line break (the last one may not)."""
    read = 0
    with open(path, "rb") as handle:
        rest = b""
        while True:
            block = handle.read(CHUNK_BYTES)
            if not block:
                break
            read += len(block)
            data = rest + block
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                rest = data
                continue
            rest = data[cut:]
            yield data[:cut]
            if limit is not None and read >= limit:
                return
        if rest:
            yield rest


def encoding_scan(path: Path, *, limit: int | None = None) -> EncodingScan:
    """Classify the file's bytes (up to ``limit``): UTF-8, cp1252/latin-1, or a mix of both."""
    scan = EncodingScan()
    for chunk in _line_chunks(path, limit):
        _scan_chunk(chunk, scan)
    return scan


def encoding_detect(head: bytes) -> str:
    """The encoding of a sample: a BOM wins; else UTF-8, cp1252 or "mixed"."""
    found = bom_encoding(head)
    if found:
        return found
    cut = head.rfind(b"\n") + 1 or len(head)
    scan = EncodingScan()
    _scan_chunk(head[:cut], scan)
    if scan.encoding == LATIN1:
        return CP1252
    return scan.encoding


def sample_decode(head: bytes, encoding: str, *, complete: bool = False) -> str:
    """Decode a sample (which, unless ``complete``, may end in the middle of a character)."""
    if encoding == UTF16:
        return head.decode("utf-16", errors="ignore")
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    if encoding in (UTF8, MIXED):
        cut = len(head) if complete else (head.rfind(b"\n") + 1 or len(head))
        return decode_mixed(head[:cut])
    if encoding == CP1252:
        return _decode_cp1252(head)
    return head.decode(encoding, errors="replace")


def transcode_to_utf8(source: Path, target: Path, *, encoding: str, progress=None) -> None:
    """Write ``source`` as UTF-8 into ``target``, streaming; ``progress(bytes_done)`` after each chunk."""
    done = 0
    with open(target, "wb") as out:
        if encoding == UTF16:
            with open(source, encoding="utf-16", newline="") as handle:
                while text := handle.read(CHUNK_BYTES // 2):
                    out.write(text.encode("utf-8"))
            return
        for chunk in _line_chunks(source):
            if encoding in (UTF8, MIXED, CP1252):
                text = decode_mixed(chunk) if encoding != CP1252 else _decode_cp1252(chunk)
            else:
                text = chunk.decode(encoding, errors="replace")
            out.write(text.encode("utf-8"))
            done += len(chunk)
            if progress is not None:
                progress(done)
