"""The REST API at /api/v1/: one NinjaAPI, routers contributed by each app, one error mapping."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader
from ninja.utils import check_csrf

from abiertos.accounts.api import roles_router as accounts_roles_router
from abiertos.accounts.api import router as accounts_router
from abiertos.accounts.request_actor import actor_for_web, actor_from_token, token_from_request
from abiertos.core.errors import DomainError, PermissionDenied
from abiertos.jobs.api import router as jobs_router
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


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload"))
        fields.setdefault(loc or "_", []).append(err.get("msg", ""))
    return error_response(request, 400, "validation_error", _("La solicitud tiene datos inválidos."), fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(request, 401, "unauthenticated", _("Tenés que autenticarte con un token de API."))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return error_response(request, exc.status_code, "http_error", str(exc))


api.add_router("/", portal_router)
api.add_router("/", accounts_router)
api.add_router("/", accounts_roles_router)
api.add_router("/", jobs_router)
