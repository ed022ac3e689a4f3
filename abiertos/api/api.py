"""The REST API at /api/v1/: one NinjaAPI, routers contributed by each app, one error mapping."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader
from ninja.utils import check_csrf

from abiertos.accounts.api import roles_router as accounts_roles_router
from abiertos.accounts.api import router as accounts_router
from abiertos.accounts.request_actor import actor_for_web, actor_from_token, token_from_request
from abiertos.catalog.api import router as catalog_router
from abiertos.catalog.api import uploads_router as catalog_uploads_router
from abiertos.core.errors import DomainError, PermissionDenied
from abiertos.datastore.api import router as datastore_router
from abiertos.foi.api import router as foi_router
from abiertos.harvest.api import router as harvest_router
from abiertos.jobs.api import router as jobs_router
from abiertos.monitoring.api import router as monitoring_router
from abiertos.portal.api import router as portal_router

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ActorAuth(APIKeyHeader):
    """Token in ``Authorization`` (``Token <secret>``), or the browser session. Anonymous
    callers pass too, as an anonymous Actor: each endpoint's permission check decides."""

    param_name = "Authorization"

    def authenticate(self, request: HttpRequest, key: str | None):
        if token_from_request(request):
            return actor_from_token(request, token_from_request(request))
        actor = actor_for_web(request)
        if actor.user is not None and request.method not in SAFE_METHODS and check_csrf(request):
            raise PermissionDenied(_("Falta el token CSRF de la sesión; recargá la página o usá un token de API."))
        return actor


api = NinjaAPI(
    title="Municipios Abiertos API",
    version="1.0.0",
    description=(
        "API REST de Municipios Abiertos. Autenticación: `Authorization: Token <secreto>` con un "
        "token personal (se crea en «Mi cuenta › Tokens de API»). Los errores tienen siempre la forma "
        '`{"error": {"code", "message", "fields"?}}`.'
    ),
    urls_namespace="api-v1",
    auth=ActorAuth(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request: HttpRequest, status: int, code: str, message: str, fields: dict | None = None):
    body: dict = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return api.create_response(request, {"error": body}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    # Unauthenticated (no session, bad or revoked token) carries 401; a token lacking a scope, 403.
    return error_response(request, exc.http_status, exc.code, exc.message, exc.fields)


# Pydantic's messages are English; people read these, so each error type gets a Spanish message.
_VALIDATION_MESSAGES = {
    "missing": gettext_lazy("Este dato es obligatorio."),
    "string_type": gettext_lazy("Tiene que ser un texto."),
    "string_too_long": gettext_lazy("Puede tener hasta %(max_length)s caracteres."),
    "string_too_short": gettext_lazy("Tiene que tener al menos %(min_length)s caracteres."),
    "int_type": gettext_lazy("Tiene que ser un número entero."),
    "int_parsing": gettext_lazy("Tiene que ser un número entero."),
    "int_from_float": gettext_lazy("Tiene que ser un número entero."),
    "float_type": gettext_lazy("Tiene que ser un número."),
    "float_parsing": gettext_lazy("Tiene que ser un número."),
    "bool_type": gettext_lazy("Tiene que ser verdadero o falso."),
    "bool_parsing": gettext_lazy("Tiene que ser verdadero o falso."),
    "list_type": gettext_lazy("Tiene que ser una lista."),
    "dict_type": gettext_lazy("Tiene que ser un objeto."),
    "model_type": gettext_lazy("Tiene que ser un objeto."),
    "model_attributes_type": gettext_lazy("Tiene que ser un objeto."),
    "enum": gettext_lazy("Tiene que ser uno de estos valores: %(expected)s."),
    "literal_error": gettext_lazy("Tiene que ser uno de estos valores: %(expected)s."),
    "uuid_type": gettext_lazy("Tiene que ser un identificador UUID."),
    "uuid_parsing": gettext_lazy("Tiene que ser un identificador UUID."),
    "json_invalid": gettext_lazy("No es JSON válido."),
    "greater_than_equal": gettext_lazy("Tiene que ser mayor o igual a %(ge)s."),
    "greater_than": gettext_lazy("Tiene que ser mayor que %(gt)s."),
    "less_than_equal": gettext_lazy("Tiene que ser menor o igual a %(le)s."),
    "less_than": gettext_lazy("Tiene que ser menor que %(lt)s."),
    # Our own validators raise ValueError with a Spanish message.
    "value_error": "%(error)s",
}
_DATE_MESSAGE = gettext_lazy("Tiene que ser una fecha AAAA-MM-DD o fecha y hora AAAA-MM-DDTHH:MM:SS.")


def _validation_message(err: dict) -> str:
    kind = err.get("type", "")
    if kind.startswith(("datetime_", "date_")):
        return str(_DATE_MESSAGE)
    template = _VALIDATION_MESSAGES.get(kind)
    if template is None:
        return _("Valor inválido.")
    try:
        return str(template) % {k: v for k, v in (err.get("ctx") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return str(template).split(":")[0]


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload"))
        fields.setdefault(loc or "_", []).append(_validation_message(err))
    return error_response(request, 400, "validation_error", _("La solicitud tiene datos inválidos."), fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(request, 401, "unauthenticated", _("Tenés que autenticarte con un token de API."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    message = str(exc)
    if message == "Cannot parse request body":
        message = _("El cuerpo de la solicitud no se pudo leer: tiene que ser JSON válido.")
    return error_response(request, exc.status_code, "http_error", message)


api.add_router("/", portal_router)
api.add_router("/", accounts_router)
api.add_router("/", accounts_roles_router)
api.add_router("/", jobs_router)
api.add_router("/", catalog_router)
api.add_router("/", catalog_uploads_router)
api.add_router("/", datastore_router)
api.add_router("/", harvest_router)
api.add_router("/", monitoring_router)
api.add_router("/", foi_router)
