"""Field-level validation of dataset and distribution metadata against the national profile.

Each rule returns Spanish messages keyed by field name, naming the rule that failed, so a form,
the REST API and the CKAN API can all show them where they belong.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _

from .models import Dataset, Distribution, identifier_validator
from .vocabularies import LICENSES, Periodicity, SuperTheme

KEYWORD_RE = re.compile(r"^[\w .\-]+$", re.UNICODE)
TEMPORAL_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(T[\d:.]+Z?)?/(\d{4}-\d{2}-\d{2})(T[\d:.]+Z?)?$")
TITLE_MAX = 100
# Words used by the portal's own addresses under /m/<slug>/datos/.
RESERVED_IDENTIFIERS = {"nuevo", "validar", "buscar", "feed", "importar", "exportar", "papelera"}
FIELD_TITLE_MAX = 60
# The codes alone: ``.values`` builds the choices (with their labels) on every call.
SUPER_THEMES = frozenset(member.value for member in SuperTheme)
PERIODICITIES = frozenset(member.value for member in Periodicity)


def _is_url(value: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(value)
    except DjangoValidationError:
        return False
    return " " not in value


def _is_email(value: str) -> bool:
    try:
        EmailValidator()(value)
    except DjangoValidationError:
        return False
    return True


def _identifier_errors(identifier: str) -> list[str]:
    if not identifier:
        return [_("El identificador es obligatorio.")]
    try:
        identifier_validator(identifier)
    except DjangoValidationError as exc:
        return [str(m) for m in exc.messages]
    if len(identifier) > 100:
        return [_("El identificador puede tener hasta 100 caracteres.")]
    if identifier.lower() in RESERVED_IDENTIFIERS:
        return [_("«%(v)s» es una palabra reservada del portal; elegí otro identificador.") % {"v": identifier}]
    return []


def _temporal_errors(temporal: str) -> list[str]:
    match = TEMPORAL_RE.match(temporal)
    if not match:
        return [
            _("Escribí la cobertura temporal como inicio/fin en formato AAAA-MM-DD, por ejemplo 2023-01-01/2023-12-31.")
        ]
    try:
        start, end = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(3))
    except ValueError:
        return [_("La cobertura temporal tiene una fecha que no existe.")]
    if start > end:
        return [_("En la cobertura temporal, la fecha de inicio es posterior a la de fin.")]
    return []


def _text_errors(errors: dict[str, list[str]], *, title: str, description: str, publisher_name: str) -> None:
    if not title.strip():
        errors["title"] = [_("El título es obligatorio.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [
            _("El título puede tener hasta %(max)d caracteres (tiene %(n)d).") % {"max": TITLE_MAX, "n": len(title)}
        ]
    if not description.strip():
        errors["description"] = [_("La descripción es obligatoria: contá qué datos contiene y para qué sirven.")]
    if not publisher_name.strip():
        errors["publisher_name"] = [_("Indicá el organismo que publica los datos.")]


def _vocabulary_errors(
    errors: dict[str, list[str]],
    *,
    super_themes: list[str],
    keywords: list[str],
    license: str,
    accrual_periodicity: str,
) -> None:
    if not super_themes:
        errors["super_themes"] = [_("Elegí al menos un tema global (por ejemplo «Gobierno y sector público»).")]
    elif unknown := sorted(set(super_themes) - SUPER_THEMES):
        errors["super_themes"] = [_("Temas globales desconocidos: %(v)s.") % {"v": ", ".join(unknown)}]
    bad = [k for k in keywords if not k.strip() or not KEYWORD_RE.match(k)]
    if bad:
        errors["keywords"] = [
            _("Las palabras clave solo pueden tener letras, números, espacios y los signos . _ - (revisá: %(v)s).")
            % {"v": ", ".join(repr(k) for k in bad)}
        ]
    if license not in LICENSES:
        errors["license"] = [_("Elegí una licencia abierta de la lista.")]
    if accrual_periodicity not in PERIODICITIES:
        errors["accrual_periodicity"] = [_("Elegí una frecuencia de actualización de la lista.")]


def dataset_metadata_errors(
    *,
    identifier: str,
    title: str,
    description: str,
    publisher_name: str,
    publisher_mbox: str,
    contact_email: str,
    super_themes: list[str],
    keywords: list[str],
    license: str,
    accrual_periodicity: str,
    issued: datetime | None,
    modified: datetime | None,
    temporal: str,
    landing_page: str,
) -> dict[str, list[str]]:
    """All metadata errors of a dataset, by field, in Spanish."""
    errors: dict[str, list[str]] = {}
    if msgs := _identifier_errors(identifier):
        errors["identifier"] = msgs
    _text_errors(errors, title=title, description=description, publisher_name=publisher_name)
    _vocabulary_errors(
        errors, super_themes=super_themes, keywords=keywords, license=license, accrual_periodicity=accrual_periodicity
    )
    for name, value in (("publisher_mbox", publisher_mbox), ("contact_email", contact_email)):
        if value and not _is_email(value):
            errors[name] = [_("«%(v)s» no es un correo electrónico válido.") % {"v": value}]
    if issued and modified and modified < issued:
        errors["modified"] = [_("La fecha de última actualización no puede ser anterior a la de publicación.")]
    if temporal and (msgs := _temporal_errors(temporal)):
        errors["temporal"] = msgs
    if landing_page and not _is_url(landing_page):
        errors["landing_page"] = [_("La página de referencia tiene que ser una dirección web completa (https://…).")]
    return errors


def distribution_metadata_errors(*, identifier: str, title: str, url: str | None, license: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if msgs := _identifier_errors(identifier):
        errors["identifier"] = msgs
    if not title.strip():
        errors["title"] = [_("El título del recurso es obligatorio.")]
    elif len(title) > 150:
        errors["title"] = [_("El título del recurso puede tener hasta 150 caracteres.")]
    if url is not None and not _is_url(url):
        errors["url"] = [_("La dirección tiene que ser completa, empezar con http:// o https:// y no tener espacios.")]
    if license and license not in LICENSES:
        errors["license"] = [_("Elegí una licencia abierta de la lista.")]
    return errors


def field_errors(fields: list[dict]) -> dict[str, list[str]]:
    """Errors in a data dictionary: each field needs a title (≤ 60 characters), unique."""
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, field in enumerate(fields, start=1):
        title = (field.get("title") or "").strip()
        key = f"fields.{index}"
        if not title:
            errors[key] = [_("La columna %(n)d no tiene nombre.") % {"n": index}]
        elif len(title) > FIELD_TITLE_MAX:
            errors[key] = [_("El nombre de la columna %(n)d supera los 60 caracteres.") % {"n": index}]
        elif title.lower() in seen:
            errors[key] = [_("La columna «%(t)s» está repetida.") % {"t": title}]
        seen.add(title.lower())
    return errors


RULE_FIELDS = (
    "identifier",
    "title",
    "description",
    "publisher_name",
    "publisher_mbox",
    "contact_email",
    "super_themes",
    "keywords",
    "license",
    "accrual_periodicity",
    "issued",
    "modified",
    "temporal",
    "landing_page",
)


def length_errors(model, values: dict) -> dict[str, list[str]]:
    """Text longer than its database column (PostgreSQL refuses it; SQLite would keep it)."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit and len(value) > limit:
            errors[name] = [_("Puede tener hasta %(max)d caracteres (tiene %(n)d).") % {"max": limit, "n": len(value)}]
    return errors


def metadata_errors(metadata) -> dict[str, list[str]]:
    """The profile rules and column lengths applied to a DatasetMetadata (theme ids are checked
    by the service, which knows the taxonomy)."""
    values = metadata.model_values()
    errors = length_errors(Dataset, values)
    errors.update(dataset_metadata_errors(**{name: values[name] for name in RULE_FIELDS}))
    return errors


def distribution_length_errors(metadata, url: str | None) -> dict[str, list[str]]:
    """The column lengths of a DistributionMetadata (and its URL, for linked files)."""
    values = {"title": metadata.title, "format": metadata.format or ""}
    if url is not None:
        values["external_url"] = url
    errors = length_errors(Distribution, values)
    if "external_url" in errors:
        errors["url"] = errors.pop("external_url")
    return errors


def distribution_errors(metadata, url: str | None) -> dict[str, list[str]]:
    """The rules and column lengths for a DistributionMetadata (and its URL, for linked files)."""
    errors = distribution_length_errors(metadata, url)
    errors.update(
        distribution_metadata_errors(
            identifier=metadata.identifier, title=metadata.title, url=url, license=metadata.license
        )
    )
    if metadata.fields is not None:
        errors.update(field_errors([f.__dict__ for f in metadata.fields]))
    return errors
