"""The fetcher against local servers that misbehave on purpose."""

import time

import pytest

from abiertos.harvest.fetch import Fetcher, FetchError, FetchPolicy

from .servers import flaky_route, huge_route, redirect_loop_route, slow_route, truncated_route

FAST = FetchPolicy(connect_timeout=2, read_timeout=0.5, total_timeout=5, retries=2, backoff=0.01, max_bytes=1_000_000)


def _get(url, policy=FAST):
    with Fetcher(policy) as fetcher:
        return fetcher.get_json(url)


def test_fetch_reads_json(server):
    server.json("/data.json", {"dataset": []})
    _result, body = _get(server.url + "/data.json")
    assert body == {"dataset": []}


def test_fetch_slow_server_times_out_after_retries(server):
    server.routes["/lento"] = slow_route(2)
    started = time.monotonic()
    with pytest.raises(FetchError) as err:
        _get(server.url + "/lento")
    assert "no respondió a tiempo" in err.value.message
    assert "3 intentos" in err.value.message
    assert time.monotonic() - started < 5
    assert len(server.requests) == 3


def test_fetch_retries_500_then_succeeds(server):
    server.json("/ok", {"dataset": [1]})
    server.routes["/inestable"] = flaky_route(2, server.routes["/ok"])
    _result, body = _get(server.url + "/inestable")
    assert body == {"dataset": [1]}
    assert len(server.requests) == 3


def test_fetch_persistent_500_is_reported_with_code(server):
    server.raw("/roto", b"<h1>error</h1>", "text/html", status=503)
    with pytest.raises(FetchError) as err:
        _get(server.url + "/roto")
    assert "503" in err.value.message


def test_fetch_404_is_not_retried(server):
    with pytest.raises(FetchError) as err:
        _get(server.url + "/no-existe")
    assert "404" in err.value.message
    assert len(server.requests) == 1


def test_fetch_truncated_body_is_reported(server):
    server.routes["/cortado"] = truncated_route
    with pytest.raises(FetchError) as err:
        _get(server.url + "/cortado")
    assert "incompleta" in err.value.message


def test_fetch_huge_body_is_aborted_at_the_limit(server):
    server.routes["/enorme"] = huge_route(20_000_000)
    with pytest.raises(FetchError) as err:
        _get(server.url + "/enorme")
    assert "supera el máximo de 1000000 bytes" in err.value.message


def test_fetch_declared_huge_body_is_refused_before_reading(server):
    server.routes["/declara"] = lambda h, q: (200, {"Content-Length": "999999999"}, b"")
    with pytest.raises(FetchError) as err:
        _get(server.url + "/declara")
    assert "declara 999999999 bytes" in err.value.message


def test_fetch_redirect_loop_is_cut(server):
    server.routes["/a"] = redirect_loop_route("/b")
    server.routes["/b"] = redirect_loop_route("/a")
    with pytest.raises(FetchError) as err:
        _get(server.url + "/a")
    assert "Demasiadas redirecciones" in err.value.message


def test_fetch_invalid_json_says_line_and_column(server):
    server.raw("/malo.json", b'{\n  "dataset": [\n    {"title": "x",}\n  ]\n}')
    with pytest.raises(FetchError) as err:
        _get(server.url + "/malo.json")
    assert "línea 3, columna 19: se esperaba un nombre entre comillas dobles" in err.value.message


def test_fetch_html_instead_of_json_names_the_content_type(server):
    server.raw("/portal", b"<!doctype html><html><body>Mantenimiento</body></html>", "text/html")
    with pytest.raises(FetchError) as err:
        _get(server.url + "/portal")
    assert "línea 1, columna 1" in err.value.message
    assert "text/html" in err.value.message


def test_fetch_tls_error_is_reported(server):
    # A plain-HTTP server spoken to over HTTPS fails the TLS handshake.
    with pytest.raises(FetchError) as err:
        _get(server.url.replace("http://", "https://") + "/data.json")
    assert "TLS" in err.value.message


def test_fetch_connection_refused_is_reported():
    with pytest.raises(FetchError) as err:
        _get("http://127.0.0.1:9/data.json", FetchPolicy(retries=0))
    assert "No se pudo conectar" in err.value.message


def test_fetch_limits_concurrent_requests_per_host(server):
    import threading

    active, peak = [0], [0]
    lock = threading.Lock()

    def counting(handler, query):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.2)
        with lock:
            active[0] -= 1
        return 200, {"Content-Type": "application/json"}, b"{}"

    server.routes["/contado"] = counting
    policy = FetchPolicy(per_host=2, read_timeout=5, retries=0)
    threads = [threading.Thread(target=lambda: Fetcher(policy).get(server.url + "/contado")) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.requests) == 6
    assert peak[0] == 2
