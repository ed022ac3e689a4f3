"""Downloading from another portal without trusting it: every request has a timeout and a total
deadline, a size cap (on the decompressed body), a redirect limit and a few retries with backoff,
goes only to addresses checked as public (``transport.py``), ignores the proxy environment, and no
more than a few requests go to the same host at once. Every failure becomes a ``FetchError`` with
a Spanish message that says what the remote server did, so a run reports it instead of hanging or
crashing.
"""

from __future__ import annotations

import functools
import json
import ssl
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
from django.utils.translation import gettext as _

from .hosts import HostBusy, HostRefused, LookupTimeout, host_slot
from .transport import PinnedTransport, request_deadline

USER_AGENT = "MunicipiosAbiertos-cosecha/1.0 (+https://github.com/municipios-abiertos)"
# Decompressed output is produced at most this much at a time, so a small compressed body that
# inflates to gigabytes (a "gzip bomb") is cut at the size cap without ever being held whole.
INFLATE_STEP = 64 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    # Wall-clock limit for one whole response: a server that drips a byte a second is cut off too.
    total_timeout: float = 120.0
    max_bytes: int = 50 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 2
    backoff: float = 0.5
    per_host: int = 2


DEFAULT_POLICY = FetchPolicy()
RETRY_STATUSES = {429, 500, 502, 503, 504}


class FetchError(Exception):
    """A download that failed; ``message`` is for people (Spanish), ``retryable`` for the fetcher."""

    def __init__(self, message: str, *, url: str = "", retryable: bool = False):
        super().__init__(message)
        self.message = message
        self.url = url
        self.retryable = retryable


@dataclass
class FetchResult:
    url: str
    status: int
    content_type: str
    content: bytes


def _is_tls_error(exc: BaseException) -> bool:
    seen = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen) or "SSL" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _decompressor(encoding: str, url: str):
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS)
    raise FetchError(
        _("El servidor comprimió la respuesta con «%(enc)s», que no pedimos ni sabemos leer.") % {"enc": encoding},
        url=url,
    )


def _inflate(chunks: Iterator[bytes], encoding: str, url: str) -> Iterator[bytes]:
    """Decompress a stream INFLATE_STEP bytes at a time, however much one compressed chunk expands."""
    decompressor, first = _decompressor(encoding, url), True
    for chunk in chunks:
        data = chunk
        while data:
            try:
                out = decompressor.decompress(data, INFLATE_STEP)
            except zlib.error as exc:
                if first and encoding == "deflate":  # some servers send raw deflate, without the zlib header
                    decompressor, first = zlib.decompressobj(-zlib.MAX_WBITS), False
                    continue
                raise FetchError(
                    _("La respuesta comprimida (%(enc)s) está dañada: %(e)s") % {"enc": encoding, "e": exc}, url=url
                ) from exc
            first = False
            if out:
                yield out
            data = decompressor.unconsumed_tail
    if rest := decompressor.flush():
        yield rest


def _decoded(response: httpx.Response, url: str) -> Iterator[bytes]:
    chunks: Iterator[bytes] = response.iter_raw()
    header = response.headers.get("content-encoding", "")
    for encoding in reversed([e.strip().lower() for e in header.split(",") if e.strip()]):
        if encoding != "identity":
            chunks = _inflate(chunks, encoding, url)
    return chunks


def _read_capped(response: httpx.Response, url: str, policy: FetchPolicy, started: float) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(
            _("La respuesta declara %(n)s bytes, más que el máximo de %(max)s.")
            % {"n": declared, "max": policy.max_bytes},
            url=url,
        )
    chunks, size = [], 0
    for chunk in _decoded(response, url):
        size += len(chunk)
        if size > policy.max_bytes:
            raise FetchError(
                _("La respuesta supera el máximo de %(max)s bytes: se cortó la descarga.") % {"max": policy.max_bytes},
                url=url,
            )
        if time.monotonic() - started > policy.total_timeout:
            raise _too_slow(url, policy)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_slow(url: str, policy: FetchPolicy) -> FetchError:
    return FetchError(
        _("La descarga tardó más de %(s)d segundos: se cortó.") % {"s": policy.total_timeout},
        url=url,
        retryable=True,
    )


def _translate(exc: Exception, url: str, policy: FetchPolicy) -> FetchError:
    if isinstance(exc, FetchError):
        return exc
    if isinstance(exc, HostRefused | LookupTimeout):  # a slow resolver may answer on the next try
        return FetchError(exc.message, url=url, retryable=isinstance(exc, LookupTimeout))
    if isinstance(exc, HostBusy):
        return FetchError(
            _("El servidor %(host)s tuvo todas sus conexiones ocupadas por otras cosechas durante %(s)d segundos.")
            % {"host": exc.args[0], "s": policy.total_timeout},
            url=url,
            retryable=True,
        )
    if isinstance(exc, httpx.TooManyRedirects):
        return FetchError(
            _("Demasiadas redirecciones (más de %(n)d): la dirección redirige en círculo o a otra sin fin.")
            % {"n": policy.max_redirects},
            url=url,
        )
    if isinstance(exc, httpx.TimeoutException):
        return FetchError(
            _("El servidor no respondió a tiempo (%(kind)s).") % {"kind": type(exc).__name__}, url=url, retryable=True
        )
    if isinstance(exc, httpx.ConnectError) and _is_tls_error(exc):
        return FetchError(_("Error de certificado o de TLS al conectar: %(e)s") % {"e": exc}, url=url)
    if isinstance(exc, httpx.ConnectError):
        return FetchError(_("No se pudo conectar con el servidor: %(e)s") % {"e": exc}, url=url, retryable=True)
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return FetchError(
            _("La respuesta llegó incompleta o mal formada (%(e)s).") % {"e": exc}, url=url, retryable=True
        )
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return FetchError(_("La dirección no es válida: %(e)s") % {"e": exc}, url=url)
    return FetchError(_("Error al descargar: %(e)s") % {"e": exc}, url=url, retryable=True)


def _once(client: httpx.Client, url: str, params: dict | None, policy: FetchPolicy) -> FetchResult:
    started = time.monotonic()
    with request_deadline(policy.total_timeout) as deadline:
        try:
            return _response(client, url, params, policy, started)
        except httpx.TimeoutException as exc:
            if deadline.passed:
                raise _too_slow(url, policy) from exc
            raise


def _response(client: httpx.Client, url: str, params: dict | None, policy: FetchPolicy, started: float) -> FetchResult:
    with client.stream("GET", url, params=params) as response:
        if response.status_code in RETRY_STATUSES:
            raise FetchError(
                _("El servidor respondió %(code)d (%(reason)s).")
                % {"code": response.status_code, "reason": response.reason_phrase},
                url=str(response.url),
                retryable=True,
            )
        if response.status_code >= 400:
            raise FetchError(
                _("El servidor respondió %(code)d (%(reason)s).")
                % {"code": response.status_code, "reason": response.reason_phrase},
                url=str(response.url),
            )
        content = _read_capped(response, url, policy, started)
        return FetchResult(
            url=str(response.url),
            status=response.status_code,
            content_type=response.headers.get("content-type", "").split(";")[0].strip().lower(),
            content=content,
        )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: building one reads the CA bundle (about 30 ms of CPU per run)."""
    return httpx.create_ssl_context()


class Fetcher:
    """One client per run; ``get`` returns the body or raises FetchError after its retries.

    ``verify`` is for tests that serve TLS with their own certificate authority."""

    def __init__(self, policy: FetchPolicy = DEFAULT_POLICY, *, sleep=time.sleep, verify: ssl.SSLContext | bool = True):
        self.policy = policy
        self.sleep = sleep
        self.client = httpx.Client(
            timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout),
            follow_redirects=True,
            max_redirects=policy.max_redirects,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            transport=PinnedTransport(verify=_tls_context() if verify is True else verify),
            # HTTP(S)_PROXY / ALL_PROXY would send the request to a proxy that resolves the name
            # itself, past the address check: the environment is not read.
            trust_env=False,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _slot(self, url: str):
        policy = self.policy
        # A lease outlives the longest request it can cover, so only a dead worker's expires.
        return host_slot(url, policy.per_host, wait=policy.total_timeout, ttl=policy.total_timeout + 30)

    def get(self, url: str, params: dict | None = None) -> FetchResult:
        attempt = 0
        while True:
            try:
                with self._slot(url):
                    return _once(self.client, url, params, self.policy)
            except Exception as exc:  # noqa: BLE001 (every failure becomes a FetchError)
                error = _translate(exc, url, self.policy)
                if not error.retryable or attempt >= self.policy.retries:
                    if attempt:
                        error.message += " " + _("(tras %(n)d intentos)") % {"n": attempt + 1}
                    raise error from exc
            self.sleep(self.policy.backoff * (2**attempt))
            attempt += 1

    def get_json(self, url: str, params: dict | None = None) -> tuple[FetchResult, object]:
        result = self.get(url, params)
        return result, json_parse(result.content, url=result.url, content_type=result.content_type)


def _json_reason(msg: str) -> str:
    reasons = {
        "Expecting value": _("se esperaba un valor"),
        "Expecting property name enclosed in double quotes": _("se esperaba un nombre entre comillas dobles"),
        "Unterminated string starting at": _("hay un texto sin cerrar"),
        "Extra data": _("sobra contenido después del JSON"),
        "Expecting ',' delimiter": _("falta una coma"),
        "Expecting ':' delimiter": _("faltan los dos puntos"),
        "Invalid control character at": _("hay un carácter de control no permitido"),
    }
    return reasons.get(msg, msg)


def json_parse(content: bytes, *, url: str = "", content_type: str = ""):
    """Parse JSON or raise FetchError saying where (line and column) it breaks, and what came instead."""
    try:
        return json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FetchError(_("La respuesta no está en UTF-8 (byte %(pos)d).") % {"pos": exc.start}, url=url) from exc
    except json.JSONDecodeError as exc:
        hint = ""
        if content_type and "json" not in content_type:
            hint = " " + _("El servidor dice que envía «%(ct)s», no JSON.") % {"ct": content_type}
        raise FetchError(
            _("JSON inválido en la línea %(line)d, columna %(col)d: %(msg)s.")
            % {"line": exc.lineno, "col": exc.colno, "msg": _json_reason(exc.msg)}
            + hint,
            url=url,
        ) from exc
