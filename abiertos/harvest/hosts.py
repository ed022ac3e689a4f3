"""Which hosts a harvest may reach, and how many requests one host gets at once.

A source URL is chosen by people, so it could point the server at itself or at the internal
network (server-side request forgery). Unless ``HARVEST_ALLOW_PRIVATE_HOSTS`` is on (tests and
local benchmarks serve their sources on 127.0.0.1), a host that resolves to a loopback, private,
link-local, multicast, reserved or unspecified address is refused: when the source is registered
and again before every request, redirects included, because DNS answers can change.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


def _address_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is internal (Spanish, for the message), or None if it is public."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        address = mapped
    checks = [
        ("is_loopback", _("de loopback (la propia máquina)")),
        ("is_link_local", _("de enlace local")),
        ("is_multicast", _("de multidifusión")),
        ("is_unspecified", _("no especificada")),
        ("is_reserved", _("reservada")),
        ("is_private", _("privada (red interna)")),
    ]
    for attribute, reason in checks:
        if getattr(address, attribute):
            return reason
    return None


def _resolve(host: str, port: int | None) -> list[str]:
    try:
        return [ipaddress.ip_address(host).compressed]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []  # an unknown host fails later, when connecting, with its own message
    return list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))


def host_refusal(url: str) -> str | None:
    """A Spanish message naming the host and why it may not be harvested, or None if it may."""
    if getattr(settings, "HARVEST_ALLOW_PRIVATE_HOSTS", False):
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host:
        return None
    try:
        port = parts.port
    except ValueError:
        port = None
    for address in _resolve(host, port):
        reason = _address_kind(ipaddress.ip_address(address))
        if reason:
            return _("No se cosechan direcciones internas: «%(host)s» apunta a %(ip)s, una dirección %(reason)s.") % {
                "host": host,
                "ip": address,
                "reason": reason,
            }
    return None
