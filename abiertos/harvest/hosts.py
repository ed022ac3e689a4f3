"""Which hosts a harvest may reach, and how many requests one host gets at once (see below).

A source URL is chosen by people, so it could point the server at itself or at the internal
network (server-side request forgery). Unless ``HARVEST_ALLOW_PRIVATE_HOSTS`` is on (tests and
local benchmarks serve their sources on 127.0.0.1), a host that resolves to a loopback, private,
link-local, multicast, reserved, unspecified or otherwise non-public address is refused: when the
source is registered, and when the fetcher connects (``transport.py``), which resolves the name
once, checks every address and connects to the checked one, redirects included.

A lookup never outlasts its time (``host_addresses_within``): ``getaddrinfo`` takes no timeout and
a slow or hanging resolver would block the worker past the request's deadline.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.utils.translation import gettext as _


class LookupTimeout(Exception):
    """A name the resolver did not answer in time; ``message`` says which, in Spanish."""

    def __init__(self, host: str):
        self.message = _("El servidor de nombres (DNS) no resolvió «%(host)s» a tiempo: se cortó la descarga.") % {
            "host": host
        }
        super().__init__(self.message)


class HostRefused(Exception):
    """A host that may not be harvested; ``message`` says which and why, in Spanish."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(address: ipaddress.IPv4Address | ipaddress.IPv6Address):
    """The IPv4 address an IPv6 one carries (IPv4-mapped, NAT64, 6to4, Teredo), else the address itself."""
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    for embedded in (address.ipv4_mapped, address.sixtofour, address.teredo and address.teredo[1]):
        if embedded is not None:
            return embedded
    return address


def _address_kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address is internal (Spanish, for the message), or None if it is public."""
    address = _embedded_ipv4(address)
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
    if not address.is_global:  # shared (carrier-grade NAT) space and the like
        return _("no pública")
    return None


def host_addresses(host: str, port: int | None) -> list[str]:
    """Every address the host resolves to (an IP literal in any form the system accepts — decimal,
    octal, hexadecimal, short — comes back as the address it means). OSError if it does not resolve."""
    try:
        return [ipaddress.ip_address(host.strip("[]")).compressed]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except UnicodeError as exc:
        raise OSError(str(exc)) from exc
    return list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))


# Lookups run in threads of their own, at most LOOKUP_THREADS at once. Not a ThreadPoolExecutor: its
# workers are joined when the interpreter exits, so a lookup stuck in the resolver would hold up the
# shutdown of the worker process; a daemon thread is left behind and ends when the resolver answers.
LOOKUP_THREADS = 16
_lookup_slots = threading.BoundedSemaphore(LOOKUP_THREADS)
# The registration check (``host_refusal``) waits this long; a fetch waits its own time left.
REGISTRATION_LOOKUP_SECONDS = 10.0


def host_addresses_within(host: str, port: int | None, timeout: float | None) -> list[str]:
    """``host_addresses``, given up after ``timeout`` seconds (LookupTimeout; None waits as long as
    it takes); waiting for a free lookup thread counts."""
    try:
        return [ipaddress.ip_address(host.strip("[]")).compressed]
    except ValueError:
        pass
    give_up_at = None if timeout is None else time.monotonic() + timeout

    def left() -> float | None:
        return None if give_up_at is None else max(give_up_at - time.monotonic(), 0)

    slots = _lookup_slots
    if not slots.acquire(timeout=left()):
        raise LookupTimeout(host)
    done = threading.Event()
    outcome: dict[str, object] = {}

    def lookup() -> None:
        try:
            outcome["addresses"] = host_addresses(host, port)
        except BaseException as exc:  # noqa: BLE001 (handed to the waiting thread)
            outcome["error"] = exc
        finally:
            slots.release()
            done.set()

    try:
        threading.Thread(target=lookup, name=f"dns:{host}", daemon=True).start()
    except BaseException:  # e.g. no thread can be started: the slot is not lost
        slots.release()
        raise
    if not done.wait(left()):
        raise LookupTimeout(host)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["addresses"]


def addresses_refusal(host: str, addresses: list[str]) -> str | None:
    """A Spanish message naming the host and its first internal address, or None if all are public."""
    if getattr(settings, "HARVEST_ALLOW_PRIVATE_HOSTS", False):
        return None
    for address in addresses:
        reason = _address_kind(ipaddress.ip_address(address))
        if reason:
            return _("No se cosechan direcciones internas: «%(host)s» apunta a %(ip)s, una dirección %(reason)s.") % {
                "host": host,
                "ip": address,
                "reason": reason,
            }
    return None


def host_refusal(url: str) -> str | None:
    """A Spanish message naming the host and why it may not be harvested, or None if it may
    (a host that does not resolve, or not in time, is not refused here: connecting checks it again)."""
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
    try:
        addresses = host_addresses_within(host, port, REGISTRATION_LOOKUP_SECONDS)
    except (OSError, LookupTimeout):
        return None
    return addresses_refusal(host, addresses)


# Per-host concurrency. Workers in several processes share the limit through the cache (Redis in
# production): the limit is a set of lease keys ``harvest-host:<host>:<n>``, taken with an atomic
# ``add`` and expiring on their own, so a worker that dies holding one frees it after ``ttl``.
# With a local-memory cache (one process: development, tests) a semaphore per host does it.

_local_slots: dict[str, threading.BoundedSemaphore] = {}
_local_slots_guard = threading.Lock()
POLL_SECONDS = 0.05


class HostBusy(Exception):
    """Every slot of a host stayed taken for the whole wait."""


def _host_key(url: str) -> str:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{(parts.hostname or '').lower()}:{port or ''}"


def _shared_cache():
    """The default cache if other processes see it too, else None."""
    cache = caches["default"]
    return None if isinstance(cache, LocMemCache | DummyCache) else cache


@contextmanager
def _local_slot(host: str, limit: int, wait: float) -> Iterator[None]:
    with _local_slots_guard:
        semaphore = _local_slots.setdefault(f"{host}:{limit}", threading.BoundedSemaphore(limit))
    if not semaphore.acquire(timeout=wait):
        raise HostBusy(host)
    try:
        yield
    finally:
        semaphore.release()


@contextmanager
def _shared_slot(cache, host: str, limit: int, wait: float, ttl: float) -> Iterator[None]:
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    while True:
        for n in range(limit):
            key = f"harvest-host:{host}:{n}"
            if cache.add(key, token, timeout=ttl):
                try:
                    yield
                finally:
                    if cache.get(key) == token:  # not if it expired and another worker took it
                        cache.delete(key)
                return
        if time.monotonic() >= deadline:
            raise HostBusy(host)
        time.sleep(POLL_SECONDS)


def host_slot(url: str, limit: int, *, wait: float, ttl: float):
    """Hold one of the ``limit`` request slots of the URL's host, across every worker process that
    shares the cache; wait up to ``wait`` seconds for one (HostBusy after that). A slot left by a
    dead worker expires after ``ttl`` seconds."""
    host = _host_key(url)
    cache = _shared_cache()
    if cache is None:
        return _local_slot(host, limit, wait)
    return _shared_slot(cache, host, limit, wait, ttl)
