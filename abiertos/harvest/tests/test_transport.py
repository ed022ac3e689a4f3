"""DNS pinning and the request deadline (transport.py), and the fetcher's other defences against
servers that lie: decompression bombs, Content-Length lies, trickling headers, proxies.

Two local servers on the same port stand for a public host (127.0.0.2) and an internal one
(127.0.0.1); a fake resolver decides what a name points to, and only 127.0.0.2 counts as public.
"""

import shutil
import socket
import ssl
import subprocess
import threading
import time

import pytest

from abiertos.harvest import hosts
from abiertos.harvest.fetch import INFLATE_STEP, Fetcher, FetchError, FetchPolicy, _inflate
from abiertos.harvest.transport import PinnedBackend

from .servers import (
    LocalServer,
    endless_headers_route,
    gzip_bomb_route,
    lying_length_route,
    redirect_loop_route,
    trickle_body_route,
    trickle_route,
)

POLICY = FetchPolicy(retries=0, read_timeout=2, connect_timeout=2, total_timeout=10)
PUBLIC = "127.0.0.2"


@pytest.fixture
def internal():
    local = LocalServer("127.0.0.1")
    local.json("/data.json", {"secreto": True})
    yield local
    local.stop()


@pytest.fixture
def public(internal):
    local = LocalServer(PUBLIC, internal.port)
    local.json("/data.json", {"dataset": []})
    yield local
    local.stop()


@pytest.fixture
def resolver(monkeypatch, settings):
    """Names answer what the test says (a list per call, the last one repeating); 127.0.0.2 is public."""
    settings.HARVEST_ALLOW_PRIVATE_HOSTS = False
    answers: dict[str, list[list[str]]] = {}
    calls: list[str] = []
    real = socket.getaddrinfo
    kind = hosts._address_kind

    def fake(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        calls.append(host)
        rounds = answers[host]
        addresses = rounds.pop(0) if len(rounds) > 1 else rounds[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    monkeypatch.setattr(hosts, "_address_kind", lambda address: None if str(address) == PUBLIC else kind(address))
    return answers, calls


def _get(url, policy=POLICY, **kwargs):
    with Fetcher(policy, **kwargs) as fetcher:
        return fetcher.get_json(url)


def test_fetch_connects_to_the_address_it_checked_when_dns_rebinds(resolver, public, internal):
    """Public to the check, 127.0.0.1 right after: the request goes to the checked address only."""
    answers, calls = resolver
    answers["datos.rebind.test"] = [[PUBLIC], ["127.0.0.1"]]
    _result, body = _get(f"http://datos.rebind.test:{public.port}/data.json")
    assert body == {"dataset": []}
    assert internal.requests == []
    assert public.headers[0]["Host"] == f"datos.rebind.test:{public.port}"
    assert calls == ["datos.rebind.test"]  # resolved once, for the check and the connection


def test_fetch_refuses_a_name_with_any_internal_address(resolver, public, internal):
    answers, _calls = resolver
    answers["mixto.test"] = [[PUBLIC, "127.0.0.1"]]
    with pytest.raises(FetchError) as err:
        _get(f"http://mixto.test:{public.port}/data.json")
    assert err.value.message == (
        "No se cosechan direcciones internas: «mixto.test» apunta a 127.0.0.1, "
        "una dirección de loopback (la propia máquina)."
    )
    assert public.requests == []
    assert internal.requests == []


def test_fetch_refuses_a_redirect_to_a_name_that_points_inside(resolver, public, internal):
    answers, _calls = resolver
    answers["publico.test"] = [[PUBLIC]]
    answers["interno.test"] = [["127.0.0.1"]]
    public.routes["/salto"] = redirect_loop_route(f"http://interno.test:{public.port}/data.json")
    with pytest.raises(FetchError) as err:
        _get(f"http://publico.test:{public.port}/salto")
    assert "«interno.test» apunta a 127.0.0.1" in err.value.message
    assert [path for path, _query in public.requests] == ["/salto"]
    assert internal.requests == []


@pytest.mark.parametrize(
    ("host", "address", "reason"),
    [
        ("2130706433", "127.0.0.1", "loopback"),  # decimal
        ("0x7f000001", "127.0.0.1", "loopback"),  # hexadecimal
        ("0177.0.0.1", "127.0.0.1", "loopback"),  # octal
        ("127.1", "127.0.0.1", "loopback"),  # short form
        ("012.0.0.1", "10.0.0.1", "privada"),
        ("0", "0.0.0.0", "no especificada"),  # noqa: S104 (the address under test)
        ("[::ffff:7f00:1]", "::ffff:7f00:1", "loopback"),
        ("[::ffff:a9fe:a9fe]", "::ffff:a9fe:a9fe", "enlace local"),  # 169.254.169.254, mapped
        ("[64:ff9b::a00:1]", "64:ff9b::a00:1", "privada"),  # NAT64 of 10.0.0.1
        ("[2002:c0a8:1::]", "2002:c0a8:1::", "privada"),  # 6to4 of 192.168.0.1
        ("100.64.0.1", "100.64.0.1", "no pública"),  # carrier-grade NAT
        ("[::]", "::", "no especificada"),
    ],
)
def test_host_refusal_reads_every_form_of_an_ip_literal(settings, host, address, reason):
    settings.HARVEST_ALLOW_PRIVATE_HOSTS = False
    refusal = hosts.host_refusal(f"http://{host}/data.json")
    assert refusal is not None
    assert f"apunta a {address}, una dirección " in refusal
    assert reason in refusal


def test_fetch_refuses_a_decimal_literal_of_loopback_before_connecting(settings, internal):
    settings.HARVEST_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(FetchError) as err:
        _get(f"http://2130706433:{internal.port}/data.json")
    assert "«2130706433» apunta a 127.0.0.1" in err.value.message
    assert internal.requests == []


def test_fetch_ignores_proxy_environment_variables(server, monkeypatch):
    """A proxy would resolve the name itself, after our check: the environment is not read."""
    proxy = LocalServer()
    proxy.json("/data.json", {"desde": "el proxy"})
    server.json("/data.json", {"desde": "el servidor"})
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        _result, body = _get(server.url + "/data.json")
    finally:
        proxy.stop()
    assert body == {"desde": "el servidor"}
    assert proxy.requests == []


def test_fetcher_connections_go_through_the_pinned_backend():
    with Fetcher(POLICY) as fetcher:
        transport = fetcher.client._transport
        assert isinstance(transport._pool._network_backend, PinnedBackend)
        assert fetcher.client.trust_env is False


# TLS: the connection goes to the pinned address, the certificate is checked for the name.


def _certificate(tmp_path, name):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


@pytest.fixture
def tls_public(resolver, tmp_path):
    cert, key = _certificate(tmp_path, "datos.tls.test")
    local = LocalServer(PUBLIC)
    local.json("/data.json", {"dataset": ["seguro"]})
    local.serve_tls(cert, key)
    yield local, ssl.create_default_context(cafile=cert)
    local.stop()


def test_fetch_over_tls_checks_the_certificate_for_the_name_not_the_address(resolver, tls_public):
    answers, _calls = resolver
    server, trusted = tls_public
    answers["datos.tls.test"] = [[PUBLIC], ["127.0.0.1"]]
    _result, body = _get(f"https://datos.tls.test:{server.port}/data.json", verify=trusted)
    assert body == {"dataset": ["seguro"]}
    assert server.headers[0]["Host"] == f"datos.tls.test:{server.port}"


def test_fetch_over_tls_refuses_a_certificate_for_another_name(resolver, tls_public):
    answers, _calls = resolver
    server, trusted = tls_public
    answers["otro.tls.test"] = [[PUBLIC]]
    with pytest.raises(FetchError) as err:
        _get(f"https://otro.tls.test:{server.port}/data.json", verify=trusted)
    assert "certificado o de TLS" in err.value.message
    assert server.requests == []


# Servers that lie or drip.

FAST = FetchPolicy(retries=0, read_timeout=0.5, connect_timeout=2, total_timeout=2, max_bytes=1_000_000)


@pytest.fixture
def slow_resolver(monkeypatch):
    """Names in the dict answer 127.0.0.1 after their delay in seconds (None: when the test ends, or 30 s)."""
    delays: dict[str, float | None] = {}
    released = threading.Event()
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host not in delays:
            return real(host, port, *args, **kwargs)
        released.wait(30 if delays[host] is None else delays[host])
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    yield delays
    released.set()  # the lookup threads left behind end


@pytest.mark.parametrize(
    "policy",
    [
        FetchPolicy(retries=0, connect_timeout=5, total_timeout=1),  # the deadline runs out first
        FetchPolicy(retries=0, connect_timeout=0.5, total_timeout=10),  # the connect timeout does
    ],
)
def test_fetch_dns_lookup_that_hangs_fails_in_time(server, slow_resolver, policy):
    slow_resolver["colgado.test"] = None
    started = time.monotonic()
    with pytest.raises(FetchError) as err:
        _get(f"http://colgado.test:{server.port}/data.json", policy)
    elapsed = time.monotonic() - started
    assert err.value.message == (
        "El servidor de nombres (DNS) no resolvió «colgado.test» a tiempo: se cortó la descarga."
    )
    assert err.value.retryable
    assert elapsed < min(policy.connect_timeout, policy.total_timeout) + 0.5
    assert server.requests == []


def test_fetch_dns_lookup_that_hangs_is_retried_and_says_so(server, slow_resolver):
    slow_resolver["colgado.test"] = None
    policy = FetchPolicy(retries=1, backoff=0, total_timeout=0.3)
    with pytest.raises(FetchError) as err:
        _get(f"http://colgado.test:{server.port}/data.json", policy)
    assert err.value.message.endswith("a tiempo: se cortó la descarga. (tras 2 intentos)")


def test_fetch_dns_lookup_slow_but_within_the_deadline_is_used(server, slow_resolver):
    slow_resolver["lento.test"] = 0.3
    server.json("/data.json", {"dataset": []})
    _result, body = _get(f"http://lento.test:{server.port}/data.json", FetchPolicy(retries=0, total_timeout=5))
    assert body == {"dataset": []}
    assert server.headers[0]["Host"] == f"lento.test:{server.port}"


def test_fetch_gzip_bomb_is_cut_at_the_decompressed_size(server):
    server.routes["/bomba.json"] = gzip_bomb_route(50_000_000)
    with pytest.raises(FetchError) as err:
        _get(server.url + "/bomba.json", FAST)
    assert "supera el máximo de 1000000 bytes" in err.value.message


def test_inflate_never_produces_more_than_a_step_at_once():
    """One compressed chunk of 50 kB that inflates to 50 MB comes out in steps of 64 kB."""
    import gzip

    bomb = gzip.compress(b"\0" * 50_000_000)
    assert len(bomb) < 100_000
    sizes = [len(piece) for piece, _n in zip(_inflate(iter([bomb]), "gzip", ""), range(20), strict=False)]
    assert sizes
    assert max(sizes) <= INFLATE_STEP


def test_fetch_gzip_body_within_the_limit_is_read(server):
    import gzip

    body = gzip.compress(b'{"dataset": [{"identifier": "comprimido"}]}')
    server.routes["/ok.json"] = lambda h, q: (
        200,
        {"Content-Type": "application/json", "Content-Encoding": "gzip"},
        body,
    )
    _result, parsed = _get(server.url + "/ok.json", FAST)
    assert parsed == {"dataset": [{"identifier": "comprimido"}]}


def test_fetch_corrupt_gzip_is_reported(server):
    server.routes["/roto.json"] = lambda h, q: (200, {"Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00basura" * 10)
    with pytest.raises(FetchError) as err:
        _get(server.url + "/roto.json", FAST)
    assert "La respuesta comprimida (gzip) está dañada" in err.value.message


def test_fetch_unknown_content_encoding_is_reported(server):
    server.routes["/br.json"] = lambda h, q: (200, {"Content-Encoding": "br"}, b"\x0b\x02\x80{}\x03")
    with pytest.raises(FetchError) as err:
        _get(server.url + "/br.json", FAST)
    assert "comprimió la respuesta con «br»" in err.value.message


def test_fetch_headers_trickled_forever_hit_the_total_deadline(server):
    """A byte every 0.1 s never trips the 0.5 s read timeout; the 2 s deadline cuts it."""
    server.routes["/goteo"] = trickle_route(0.1)
    with pytest.raises(FetchError) as err:
        _get(server.url + "/goteo", FAST)
    assert err.value.message == "La descarga tardó más de 2 segundos: se cortó."


def test_fetch_body_trickled_forever_hits_the_total_deadline(server):
    server.routes["/goteo-cuerpo"] = trickle_body_route(0.1)
    with pytest.raises(FetchError) as err:
        _get(server.url + "/goteo-cuerpo", FAST)
    assert err.value.message == "La descarga tardó más de 2 segundos: se cortó."


def test_fetch_endless_header_is_cut(server):
    server.routes["/cabecera"] = endless_headers_route
    with pytest.raises(FetchError) as err:
        _get(server.url + "/cabecera", FAST)
    assert "incompleta o mal formada" in err.value.message


def test_fetch_content_length_shorter_than_the_body_reads_only_what_was_declared(server):
    server.routes["/corto"] = lying_length_route(10, b'{"dataset": [], "oculto": true}')
    with pytest.raises(FetchError) as err:
        _get(server.url + "/corto", FAST)
    assert "JSON inválido en la línea 1, columna 11" in err.value.message


def test_fetch_content_length_longer_than_the_body_times_out_if_the_server_waits(server):
    server.routes["/espera"] = lying_length_route(1000, b'{"dataset": []}', hold=5)
    with pytest.raises(FetchError) as err:
        _get(server.url + "/espera", FAST)
    assert "no respondió a tiempo (ReadTimeout)" in err.value.message


def test_fetch_invalid_content_length_is_reported(server):
    server.routes["/raro"] = lambda h, q: (200, {"Content-Length": "-5"}, b"{}")
    with pytest.raises(FetchError) as err:
        _get(server.url + "/raro", FAST)
    assert "incompleta o mal formada" in err.value.message


def test_fetch_redirect_to_another_scheme_is_refused(server):
    server.routes["/archivo"] = redirect_loop_route("file:///etc/passwd")
    with pytest.raises(FetchError) as err:
        _get(server.url + "/archivo", FAST)
    assert "La dirección no es válida" in err.value.message
