"""Typed reads of CKAN action parameters, which arrive as JSON values or as query-string text."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _

from abiertos.core.errors import ValidationError

# Larger numbers mean nothing here and would overflow a database integer.
INT_MAX = 10**9
TRUE_WORDS = {"true", "1", "yes", "on", "t", "y"}
FALSE_WORDS = {"false", "0", "no", "off", "f", "n", ""}


def invalid(key: str, message: str) -> ValidationError:
    return ValidationError(message, fields={key: [message]})


def param_str(params: dict, key: str, default: str = "") -> str:
    value = params.get(key, default)
    if value is None:
        return default
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise invalid(key, _("Tiene que ser un texto."))
    return str(value)


def param_required(params: dict, key: str) -> str:
    value = param_str(params, key).strip()
    if not value:
        raise invalid(key, _("Falta el valor."))
    return value


def param_int(params: dict, key: str, default: int | None, *, minimum: int = 0) -> int | None:
    value = params.get(key)
    if value in (None, ""):
        return default
    try:
        number = int(value) if not isinstance(value, bool | float) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not minimum <= number <= INT_MAX:
        raise invalid(
            key, _("Tiene que ser un número entero entre %(min)d y %(max)d.") % {"min": minimum, "max": INT_MAX}
        )
    return number


def param_bool(params: dict, key: str, default: bool) -> bool:
    value = params.get(key)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise invalid(key, _("Tiene que ser true o false."))


def param_list(params: dict, key: str) -> list[str]:
    """A list given as a JSON list, as a JSON-encoded string (CKAN's ``facet.field``) or as one text."""
    value = params.get(key)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                raise invalid(key, _("No es una lista JSON válida.")) from None
        else:
            value = [text]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(key, _("Tiene que ser una lista de textos."))
    return value
