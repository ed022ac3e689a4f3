"""Reading territory files: CSV or GeoJSON rows of municipalities, and GeoJSON boundaries.

Column and property names differ between sources, so each field has a list of usual names and
can be named explicitly. Every problem is reported in Spanish saying where (row or feature) and
why; nothing here touches the database.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import httpx
from django.utils.translation import gettext as _

from .errors import ValidationError
from .territory import DEFAULT_CODE_WIDTH, CodeAlias, ReportEntry, TerritoryRow, code_normalize

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0

# Usual column/property names per field, tried in order when the operator names none.
FIELD_CANDIDATES: dict[str, tuple[str, ...]] = {
    "code": ("code", "codigo", "código", "departamento_id", "id", "in1"),
    "name": ("name", "nombre", "departamento_nombre", "nam"),
    "full_name": ("full_name", "nombre_completo"),
    "centroid_lat": ("centroid_lat", "centroide_lat", "centroide.lat", "lat", "latitud"),
    "centroid_lon": ("centroid_lon", "centroide_lon", "centroide.lon", "lon", "longitud"),
    "province_code": ("province_code", "provincia_id", "provincia.id"),
}
REQUIRED_FIELDS = ("code", "name")
# The widths of Municipality.code, .name and .full_name.
MAX_CODE_LENGTH, MAX_NAME_LENGTH, MAX_FULL_NAME_LENGTH = 10, 120, 200


@dataclass
class BoundaryFeature:
    """One GeoJSON feature: its position in the file, its code and name, and its geometry."""

    index: int
    code: str
    name: str
    geometry: dict


def _lookup(record: dict, path: str):
    """The value at a column name, or at a dotted path into nested properties ("centroide.lat")."""
    if path in record:
        return record[path]
    value = record
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _resolve_fields(sample: dict, explicit: dict[str, str | None]) -> dict[str, str]:
    """Which column holds each field: the one the operator named, or the first usual name present."""
    fields: dict[str, str] = {}
    for name, candidates in FIELD_CANDIDATES.items():
        chosen = explicit.get(name)
        if chosen:
            if _lookup(sample, chosen) is None and chosen not in sample:
                raise ValidationError(
                    _("La columna «%(col)s» no está en el archivo. Columnas disponibles: %(available)s.")
                    % {"col": chosen, "available": ", ".join(sample) or "-"}
                )
            fields[name] = chosen
            continue
        found = next((c for c in candidates if c in sample or _lookup(sample, c) is not None), None)
        if found:
            fields[name] = found
        elif name in REQUIRED_FIELDS:
            raise ValidationError(
                _(
                    "No encontré la columna del %(field)s (probé %(tried)s). Columnas disponibles: %(available)s. "
                    "Indicala con --%(option)s-field."
                )
                % {
                    "field": _("código") if name == "code" else _("nombre"),
                    "tried": ", ".join(candidates),
                    "available": ", ".join(sample) or "-",
                    "option": name,
                }
            )
    return fields


def _decode(data: bytes, warnings: list[ReportEntry]) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        warnings.append(ReportEntry("", "", _("el archivo no está en UTF-8; se leyó como Windows-1252 (latin-1).")))
        return data.decode("cp1252", errors="replace")


def _float(value, field: str, line: int, warnings: list[ReportEntry], limit: float) -> float | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        number = None
    if number is None or not -limit <= number <= limit:
        warnings.append(
            ReportEntry(
                "", "", _("%(field)s «%(value)s» no es válida; se ignora.") % {"field": field, "value": value}, line
            )
        )
        return None
    return number


def _row_from_record(
    record: dict, fields: dict[str, str], line: int, code_width: int, warnings: list[ReportEntry]
) -> TerritoryRow | None:
    def text(name: str) -> str:
        value = _lookup(record, fields[name]) if name in fields else None
        return "" if value is None else str(value).strip()

    code, note = code_normalize(_lookup(record, fields["code"]), width=code_width)
    name = text("name")
    if not code or not name:
        warnings.append(ReportEntry(code, name, _("la fila no tiene código o nombre; se omite."), line))
        return None
    if len(code) > MAX_CODE_LENGTH or len(name) > MAX_NAME_LENGTH:
        message = _("el código (hasta %(code)d caracteres) o el nombre (hasta %(name)d) es demasiado largo; se omite.")
        warnings.append(
            ReportEntry(code[:20], name[:60], message % {"code": MAX_CODE_LENGTH, "name": MAX_NAME_LENGTH}, line)
        )
        return None
    if note:
        warnings.append(ReportEntry(code, name, note, line))
    province = text("province_code")
    return TerritoryRow(
        line=line,
        code=code,
        name=name,
        full_name=text("full_name")[:MAX_FULL_NAME_LENGTH],
        centroid_lat=_float(_lookup(record, fields.get("centroid_lat", "")), _("La latitud"), line, warnings, 90),
        centroid_lon=_float(_lookup(record, fields.get("centroid_lon", "")), _("La longitud"), line, warnings, 180),
        province_code=code_normalize(province, width=2)[0] if province else "",
    )


def _csv_records(text: str) -> list[tuple[int, dict]]:
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if not reader.fieldnames:
        raise ValidationError(_("El archivo CSV está vacío: no tiene fila de encabezados."))
    reader.fieldnames = [(name or "").strip() for name in reader.fieldnames]
    return [(reader.line_num, dict(record)) for record in reader if any((v or "").strip() for v in record.values())]


def _geojson_features(data: bytes, label: str) -> list[dict]:
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("%(source)s no es un GeoJSON válido: error de JSON en la línea %(line)d, columna %(col)d (%(why)s).")
            % {"source": label, "line": exc.lineno, "col": exc.colno, "why": exc.msg}
        ) from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(_("%(source)s no es un GeoJSON válido: no está en UTF-8.") % {"source": label}) from exc
    if isinstance(document, dict) and document.get("type") == "Feature":
        return [document]
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise ValidationError(
            _("%(source)s no es un GeoJSON «FeatureCollection»: falta la lista «features».") % {"source": label}
        )
    features = document.get("features")
    if not isinstance(features, list):
        raise ValidationError(_("%(source)s: «features» tiene que ser una lista.") % {"source": label})
    return features


def is_geojson(path: Path) -> bool:
    return path.suffix.lower() in (".geojson", ".json")


def territory_file_read(
    path: Path, *, fields: dict[str, str | None] | None = None, code_width: int = DEFAULT_CODE_WIDTH
) -> tuple[list[TerritoryRow], list[ReportEntry]]:
    """Read the municipalities of a CSV or GeoJSON file; return the rows and the warnings."""
    warnings: list[ReportEntry] = []
    data = _read_local(path, DEFAULT_MAX_BYTES)
    if is_geojson(path):
        features = _geojson_features(data, str(path))
        records = [(i, f.get("properties") or {}) for i, f in enumerate(features, 1) if isinstance(f, dict)]
        if any(isinstance(f, dict) and f.get("geometry") for f in features):
            message = _("el archivo trae geometrías, que aquí no se cargan; para los límites usá import_boundaries.")
            warnings.append(ReportEntry("", "", message))
    else:
        records = _csv_records(_decode(data, warnings))
    if not records:
        raise ValidationError(_("%(path)s no tiene filas de datos.") % {"path": path})
    resolved = _resolve_fields(records[0][1], fields or {})
    rows = [_row_from_record(record, resolved, line, code_width, warnings) for line, record in records]
    return [row for row in rows if row is not None], warnings


def _read_local(path: Path, max_bytes: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ValidationError(_file_too_large(str(path), max_bytes))
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ValidationError(_("No existe el archivo %(path)s.") % {"path": path}) from exc
    except (IsADirectoryError, PermissionError) as exc:
        raise ValidationError(_("No se puede leer %(path)s: %(why)s") % {"path": path, "why": exc.strerror}) from exc


def _file_too_large(label: str, max_bytes: int) -> str:
    return _("%(source)s pesa más de %(mb)d MB, el máximo permitido.") % {
        "source": label,
        "mb": max_bytes // (1024 * 1024) or 1,
    }


def _fetch(url: str, *, max_bytes: int, timeout: float) -> bytes:
    """Download a URL, stopping at max_bytes; failures become a Spanish ValidationError."""
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            if response.status_code != 200:
                raise ValidationError(
                    _("No se pudo descargar %(url)s: el servidor respondió %(status)d.")
                    % {"url": url, "status": response.status_code}
                )
            if int(response.headers.get("content-length") or 0) > max_bytes:
                raise ValidationError(_file_too_large(url, max_bytes))
            chunks, total = [], 0
            for chunk in response.iter_bytes():
                total += len(chunk)
                if total > max_bytes:
                    raise ValidationError(_file_too_large(url, max_bytes))
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.TimeoutException as exc:
        raise ValidationError(
            _("No se pudo descargar %(url)s: no respondió en %(s)d segundos.") % {"url": url, "s": timeout}
        ) from exc
    except httpx.ConnectError as exc:
        raise ValidationError(
            _("No se pudo descargar %(url)s: no se pudo conectar con el servidor (%(why)s).") % {"url": url, "why": exc}
        ) from exc
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise ValidationError(
            _("No se pudo descargar %(url)s: %(why)s.") % {"url": url, "why": str(exc) or type(exc).__name__}
        ) from exc


def boundaries_source_read(source: str, *, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_TIMEOUT):
    """The GeoJSON features of a file path or an http(s) URL."""
    if source.lower().startswith(("http://", "https://")):
        data = _fetch(source, max_bytes=max_bytes, timeout=timeout)
    elif "://" in source:
        raise ValidationError(_("Solo se pueden importar límites de un archivo local o de una URL http(s)."))
    else:
        data = _read_local(Path(source), max_bytes)
    return _geojson_features(data, source)


def boundary_features_read(
    features: list, *, id_field: str = "id", name_field: str = "nombre", code_width: int = DEFAULT_CODE_WIDTH
) -> tuple[list[BoundaryFeature], list[ReportEntry]]:
    """Pick each feature's code, name and (Multi)Polygon geometry; report the ones that have none."""
    out: list[BoundaryFeature] = []
    warnings: list[ReportEntry] = []
    for index, feature in enumerate(features, 1):
        properties = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        raw = _lookup(properties, id_field)
        name = str(_lookup(properties, name_field) or "").strip()
        code, note = code_normalize(raw, width=code_width)
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        problem = _geometry_problem(geometry)
        if not code:
            problem = _("no tiene la propiedad «%(field)s» con el código; se omite.") % {"field": id_field}
        if problem:
            warnings.append(ReportEntry(code, name, problem, index))
            continue
        if note:
            warnings.append(ReportEntry(code, name, note, index))
        out.append(BoundaryFeature(index=index, code=code, name=name, geometry=geometry))
    return out, warnings


def _geometry_problem(geometry) -> str:
    if not isinstance(geometry, dict):
        return _("no tiene geometría; se omite.")
    kind = geometry.get("type")
    if kind not in ("Polygon", "MultiPolygon"):
        return _("su geometría es «%(kind)s», no un polígono; se omite.") % {"kind": kind}
    if not isinstance(geometry.get("coordinates"), list) or not geometry["coordinates"]:
        return _("su geometría no tiene coordenadas; se omite.")
    return ""


def aliases_file_read(path: Path, *, code_width: int = DEFAULT_CODE_WIDTH) -> list[CodeAlias]:
    """The code aliases of a CSV with columns code, municipality_code, note."""
    text = _decode(_read_local(path, DEFAULT_MAX_BYTES), [])
    aliases = []
    for line, record in _csv_records(text):
        code = code_normalize(record.get("code"), width=code_width)[0]
        target = code_normalize(record.get("municipality_code"), width=code_width)[0]
        if not code or not target:
            raise ValidationError(
                _("%(path)s, fila %(line)d: faltan «code» o «municipality_code».") % {"path": path, "line": line}
            )
        aliases.append(CodeAlias(code, target, (record.get("note") or "").strip()))
    return aliases


def alias_option_parse(value: str, *, code_width: int = DEFAULT_CODE_WIDTH) -> CodeAlias:
    """Parse «VIEJO=NUEVO» from the command line into an alias."""
    old, sep, new = (value or "").partition("=")
    old_code = code_normalize(old, width=code_width)[0]
    new_code = code_normalize(new, width=code_width)[0]
    if not sep or not old_code or not new_code:
        raise ValidationError(
            _("El alias «%(value)s» tiene que tener la forma CÓDIGO_VIEJO=CÓDIGO_GUARDADO, por ejemplo 06217=06218.")
            % {"value": value}
        )
    return CodeAlias(old_code, new_code, _("registrado desde la línea de comandos"))
