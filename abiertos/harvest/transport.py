"""The fetcher's connections: each one goes to an address that was checked, and no request outlives
its deadline.

DNS pinning: checking a name and then letting the HTTP client resolve it again to connect leaves a
window in which a DNS server can answer a public address to the check and an internal one to the
connection (rebinding). ``PinnedBackend`` resolves the name once, refuses it if any of its
addresses is internal (``hosts.addresses_refusal``) and connects to the checked addresses
themselves. The URL keeps the name, so the Host header, TLS SNI and certificate verification are
for the name, as before. Every connection of the client goes through it, redirects included.

Deadline: read and connect timeouts bound each step, not the whole; a server that drips one byte
of its headers every few seconds would never trip them. ``request_deadline`` sets a wall-clock
limit that every socket operation of the request respects, and the name lookup too: it runs in a
thread of its own and is given up when the connect timeout or the time left runs out
(``hosts.host_addresses_within``, ``LookupTimeout``).
"""

from __future__ import annotations

import contextvars
import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpcore
import httpx
from django.utils.translation import gettext as _

from .hosts import HostRefused, addresses_refusal, host_addresses_within


@dataclass
class Deadline:
    at: float
    passed: bool = False

    def cap(self, timeout: float | None, error: type[Exception]) -> float:
        """The timeout for the next socket operation: never past the deadline."""
        left = self.at - time.monotonic()
        if left <= 0:
            self.passed = True
            raise error(_("se pasó el plazo total de la descarga"))
        return left if timeout is None else min(timeout, left)

    def check(self) -> None:
        if time.monotonic() >= self.at:
            self.passed = True


_deadline: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("harvest_deadline", default=None)


@contextmanager
def request_deadline(seconds: float) -> Iterator[Deadline]:
    """Every connection, TLS handshake, read and write inside ends by ``seconds`` from now."""
    deadline = Deadline(at=time.monotonic() + seconds)
    token = _deadline.set(deadline)
    try:
        yield deadline
    finally:
        _deadline.reset(token)


def _capped(timeout: float | None, error: type[Exception]) -> float | None:
    deadline = _deadline.get()
    return timeout if deadline is None else deadline.cap(timeout, error)


def _timed_out(exc: Exception) -> None:
    deadline = _deadline.get()
    if deadline is not None and isinstance(exc, httpcore.TimeoutException):
        deadline.check()


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose every operation respects the deadline of the request using it."""

    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        try:
            return self._stream.read(max_bytes, _capped(timeout, httpcore.ReadTimeout))
        except httpcore.TimeoutException as exc:
            _timed_out(exc)
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        try:
            self._stream.write(buffer, _capped(timeout, httpcore.WriteTimeout))
        except httpcore.TimeoutException as exc:
            _timed_out(exc)
            raise

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        try:
            capped = _capped(timeout, httpcore.ConnectTimeout)
            return DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, capped))
        except httpcore.TimeoutException as exc:
            _timed_out(exc)
            raise

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class PinnedBackend(httpcore.SyncBackend):
    """Resolve once, refuse internal addresses, connect only to the addresses checked."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = host_addresses_within(host, port, _capped(timeout, httpcore.ConnectTimeout))
        except OSError as exc:
            message = _("no se encontró el servidor «%(host)s» (%(e)s)") % {"host": host, "e": exc}
            raise httpcore.ConnectError(message) from exc
        if refusal := addresses_refusal(host, addresses):
            raise HostRefused(refusal)
        error: Exception = httpcore.ConnectError(_("«%(host)s» no tiene direcciones") % {"host": host})
        for address in addresses:
            try:
                stream = super().connect_tcp(
                    address,
                    port,
                    timeout=_capped(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                _timed_out(exc)
                error = exc
                continue
            return DeadlineStream(stream)
        raise error


DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport, its connection pool built on ``PinnedBackend``."""

    def __init__(self, *, verify: ssl.SSLContext | bool = True, limits: httpx.Limits = DEFAULT_LIMITS):
        ssl_context = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(),
        )
