"""A distribution's current file as a local path: from storage, or downloaded from its URL."""

from __future__ import annotations

import shutil
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from abiertos.catalog.models import Distribution

from .limits import size_check
from .problems import IngestionProblem

DOWNLOAD_TIMEOUT_SECONDS = 60


def _download(url: str, target: Path) -> None:
    limit = settings.DATASTORE_MAX_BYTES
    request = urllib.request.Request(url, headers={"User-Agent": "MunicipiosAbiertos-datastore/1"})
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response, open(target, "wb") as out:
            copied = 0
            while block := response.read(1024 * 1024):
                copied += len(block)
                if copied > limit:
                    break
                out.write(block)
    except OSError as exc:
        raise IngestionProblem(
            _("No se pudo descargar el archivo desde %(url)s: %(detail)s") % {"url": url, "detail": exc},
            reason="download",
        ) from exc
    if copied > limit:
        size_check(target)  # raises with the size and the limit
        raise IngestionProblem(_("El archivo supera el tamaño máximo."), reason="too_big")


def _storage_path(name: str, workdir: Path) -> Path:
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        target = workdir / Path(name).name
        with default_storage.open(name, "rb") as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
        return target


@contextmanager
def distribution_local_file(distribution: Distribution) -> Iterator[tuple[Path, str]]:
    """Yield the current file's local path and the name its publisher gave it; never modifies it."""
    with tempfile.TemporaryDirectory(prefix="datastore-src-") as tmp:
        workdir = Path(tmp)
        if distribution.file:
            name = distribution.file_name or Path(distribution.file.name).name
            path = _storage_path(distribution.file.name, workdir)
        elif distribution.external_url or distribution.access_url:
            url = distribution.external_url or distribution.access_url
            name = distribution.file_name or url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "datos"
            path = workdir / "descarga"
            _download(url, path)
        else:
            raise IngestionProblem(_("El recurso no tiene ningún archivo para cargar."), reason="no_file")
        if not path.exists():
            raise IngestionProblem(_("No se encontró el archivo del recurso en el almacenamiento."), reason="missing")
        size_check(path)
        yield path, name
