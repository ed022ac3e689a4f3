"""Turn an HTTP request into an Actor: one place for pages, the REST API and the CKAN API."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from abiertos.core.actors import Actor

from .permissions import Unauthenticated
from .services import api_token_authenticate


def client_ip(request: HttpRequest) -> str:
    """The client's address: the TCP peer, or the one our own proxies wrote in X-Forwarded-For.

    Each trusted proxy appends the address it received the request from, so the client is the
    entry TRUSTED_PROXY_COUNT places from the end; anything before it may be forged.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops][:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


def token_from_request(request: HttpRequest) -> str:
    """The secret from ``Authorization: Token …`` / ``Bearer …``, a raw ``Authorization`` value
    (as CKAN clients send it) or ``X-CKAN-API-Key``."""
    header = request.headers.get("Authorization", "").strip()
    for prefix in ("Token ", "Bearer "):
        if header.startswith(prefix):
            return header[len(prefix) :].strip()
    return header or request.headers.get("X-CKAN-API-Key", "").strip()


def actor_from_token(request: HttpRequest, secret: str) -> Actor:
    token = api_token_authenticate(secret)
    if token is None:
        raise Unauthenticated(_("El token de API no es válido, venció o fue revocado."))
    return Actor.for_user(token.user, via="api", scopes=frozenset(token.scopes), ip=client_ip(request))


def actor_for_web(request: HttpRequest) -> Actor:
    """The actor behind a page request (the session)."""
    return Actor.for_user(getattr(request, "user", None), via="web", ip=client_ip(request))


def actor_from_request(request: HttpRequest) -> Actor:
    """A token when one is sent (an invalid one is refused), else the session, else anonymous."""
    secret = token_from_request(request)
    if secret:
        return actor_from_token(request, secret)
    return actor_for_web(request)
