"""Finished catalog exports kept on disk, one file per catalog version (its ETag).

Building the province data.json of 100,000 datasets takes tens of seconds of CPU; the catalog
changes far less often than harvesters fetch it. The first request after a change streams the
export while writing it to a temporary file, renamed into place only when complete; later requests
for the same version are served from that file. A new version replaces the older files. A worker
prebuilds the province data.json every few minutes, so even the first request after a change
rarely has to wait for it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db.models import Max

from .datajson import CatalogScope, catalog_stream, catalog_version, scope_for_province
from .federation import judge_stamp
from .models import Field, Theme

DATAJSON = "data.json"
# Bump when the shape of an export changes, so files written by older code are not served.
EXPORT_FORMAT_VERSION = "1"


def catalog_etag(scope: CatalogScope, variant: str) -> tuple[str, float | None]:
    """(ETag, Last-Modified timestamp) of one export of the scope's catalog as it is now."""
    count, latest = catalog_version(scope)
    # Data dictionaries rewritten without the catalog services (the datastore replaces a
    # distribution's field rows after loading its file) touch no timestamp: their new rows do
    # raise the highest field id. One index lookup; it may change the ETag of unrelated scopes.
    fields_top = Field.objects.aggregate(top=Max("id"))["top"]
    themes = "|".join(
        f"{i}:{label}" for i, label in Theme.objects.order_by("identifier").values_list("identifier", "label")
    )
    stamp = latest.timestamp() if latest else 0
    config = (
        f"{EXPORT_FORMAT_VERSION}|{settings.SITE_URL}|{settings.CATALOG_IDENTIFIER}|{settings.CATALOG_PUBLISHER_NAME}|"
        f"{settings.CATALOG_PUBLISHER_EMAIL}|{settings.DCAT_PAGE_SIZE}|{settings.TIME_ZONE}|{judge_stamp()}"
    )
    digest = hashlib.sha256(
        f"{scope.key}|{variant}|{count}|{stamp}|{fields_top}|{themes}|{config}".encode()
    ).hexdigest()[:32]
    return f'"{digest}"', stamp or None


def cache_dir() -> Path:
    return Path(settings.CATALOG_CACHE_DIR)


def _path(scope_key: str, variant: str, etag: str) -> Path:
    digest = hashlib.sha256(etag.encode()).hexdigest()[:24]
    return cache_dir() / f"{scope_key}--{variant}--{digest}"


def cached(scope_key: str, variant: str, etag: str) -> Path | None:
    """The finished export of this version, if one is on disk."""
    path = _path(scope_key, variant, etag)
    return path if path.is_file() else None


def _publish(tmp: str, scope_key: str, variant: str, etag: str) -> Path:
    final = _path(scope_key, variant, etag)
    os.replace(tmp, final)
    for old in cache_dir().glob(f"{scope_key}--{variant}--*"):
        if old != final and not old.name.endswith(".tmp"):
            old.unlink(missing_ok=True)
    return final


def _temporary(scope_key: str, variant: str) -> tuple[int, str]:
    cache_dir().mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(dir=cache_dir(), prefix=f"{scope_key}--{variant}--", suffix=".tmp")


def stream_and_keep(pieces: Iterator[str], scope_key: str, variant: str, etag: str) -> Iterator[bytes]:
    """Yield the export as bytes while keeping a copy; the copy counts only if the export ends."""
    fd, tmp = _temporary(scope_key, variant)
    completed = False
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in pieces:
                data = piece.encode()
                out.write(data)
                yield data
        _publish(tmp, scope_key, variant, etag)
        completed = True
    finally:
        if not completed:
            Path(tmp).unlink(missing_ok=True)


def build_and_keep(write: Callable[[BinaryIO], None], scope_key: str, variant: str, etag: str) -> Path:
    """Write a whole export (e.g. a workbook) into the cache and return its path."""
    fd, tmp = _temporary(scope_key, variant)
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        return _publish(tmp, scope_key, variant, etag)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def province_datajson_prebuild() -> bool:
    """Build the province data.json of the current catalog version unless it is on disk already.

    Run periodically by a worker, so harvesters almost always get the finished file at once
    instead of waiting while 100,000 datasets are serialized. True if it built one."""
    scope = scope_for_province()
    etag, _stamp = catalog_etag(scope, f"{DATAJSON}|")
    if cached(scope.key, DATAJSON, etag):
        return False
    for _piece in stream_and_keep(catalog_stream(scope), scope.key, DATAJSON, etag):
        pass
    return True
