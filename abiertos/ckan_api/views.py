"""The one view of the CKAN Action API: parameters in, CKAN's envelope and error types out.

Reads answer GET and POST; writes answer POST only and run in one transaction. Parameters come
from the query string, a JSON body, or a form (multipart for uploads). Authentication is an API
token (``Authorization`` raw or ``X-CKAN-API-Key``); the browser session counts only for GET, so
a page on another site cannot make a signed-in person's browser write through this API.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from abiertos.accounts.request_actor import actor_for_web, actor_from_token, client_ip, token_from_request
from abiertos.core.actors import Actor
from abiertos.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError

from .actions import ACTIONS, WRITE_ACTIONS
from .fq import SearchQueryError

logger = logging.getLogger(__name__)


class BadRequest(Exception):
    """The request itself is malformed (unknown action, wrong method, unreadable body)."""


def _flatten(querydict) -> dict:
    return {key: values[0] if len(values) == 1 else values for key, values in querydict.lists()}


def _json_body(request: HttpRequest) -> dict:
    if not request.body.strip():
        return {}
    try:
        data = json.loads(request.body)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(_("JSON Error: %(e)s") % {"e": exc}) from None
    if not isinstance(data, dict):
        raise BadRequest(_("JSON Error: el cuerpo tiene que ser un objeto JSON."))
    return data


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return isinstance(value, list) and any(_has_nul(v) for v in value)


def request_params(request: HttpRequest) -> dict:
    """The action's parameters: the query string, overridden by a JSON or form body."""
    params = _flatten(request.GET)
    if request.method == "POST":
        try:
            if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
                params.update(_flatten(request.POST))
                params.update({key: files[0] for key, files in request.FILES.lists()})
            else:
                params.update(_json_body(request))
        except (MultiPartParserError, SuspiciousOperation) as exc:
            raise BadRequest(_("el cuerpo del pedido no se puede leer: %(e)s") % {"e": exc}) from None
    # PostgreSQL cannot store or compare text with NUL characters; no CKAN value has them.
    if _has_nul(params):
        raise BadRequest(_("los parámetros no pueden contener el carácter NUL."))
    return params


def request_actor(request: HttpRequest) -> Actor:
    if secret := token_from_request(request):
        return actor_from_token(request, secret)
    if request.method == "GET":
        return actor_for_web(request)
    return Actor.anonymous(ip=client_ip(request))


def error_body(exc: Exception) -> tuple[int, dict]:
    """CKAN's error type and HTTP status for one of our errors."""
    if isinstance(exc, BadRequest):
        return 400, {"__type": "Bad Request", "message": f"Bad request - {exc}"}
    if isinstance(exc, SearchQueryError):
        return 400, {"__type": "Search Query Error", "message": _("Consulta de búsqueda inválida: %(e)s") % {"e": exc}}
    if isinstance(exc, NotFound):
        return 404, {"__type": "Not Found Error", "message": exc.message}
    if isinstance(exc, PermissionDenied):
        return 403, {"__type": "Authorization Error", "message": _("Acceso denegado: %(m)s") % {"m": exc.message}}
    if isinstance(exc, ValidationError) and exc.fields:
        return 409, {"__type": "Validation Error", **exc.fields}
    if isinstance(exc, ValidationError | Conflict):
        return 409, {"__type": "Validation Error", "message": exc.message}
    return exc.http_status, {"__type": "Bad Request", "message": exc.message}


def _run(name: str, request: HttpRequest):
    action = ACTIONS.get(name)
    if action is None:
        raise BadRequest(f"Action name not known: {name}")  # CKAN's words: clients match on them
    if request.method not in ("GET", "POST"):
        raise BadRequest(_("Método %(m)s no admitido: usá GET o POST.") % {"m": request.method})
    if name in WRITE_ACTIONS and request.method != "POST":
        raise BadRequest("Invalid request. Please use POST method for your request")
    params = request_params(request)
    actor = request_actor(request)
    if name in WRITE_ACTIONS:
        with transaction.atomic():
            return action(actor=actor, params=params)
    return action(actor=actor, params=params)


@csrf_exempt
def action_view(request: HttpRequest, name: str) -> JsonResponse:
    """Run one CKAN action and answer with CKAN's envelope."""
    body: dict = {"help": f"{settings.SITE_URL}/api/3/action/help_show?name={quote(name)}"}
    try:
        result = _run(name, request)
    except (BadRequest, SearchQueryError, DomainError) as exc:
        status, error = error_body(exc)
        logger.info("CKAN %s → %s %s", name, status, error.get("__type"))
        return JsonResponse({**body, "success": False, "error": error}, status=status)
    return JsonResponse({**body, "success": True, "result": result})
