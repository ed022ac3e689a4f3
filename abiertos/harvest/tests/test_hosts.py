"""Server-side request forgery: sources on internal addresses are refused at registration and at
every request (redirects included), unless HARVEST_ALLOW_PRIVATE_HOSTS is on."""

import socket

import pytest

from abiertos.core.errors import ValidationError
from abiertos.harvest import fetch
from abiertos.harvest.fetch import Fetcher, FetchError, FetchPolicy
from abiertos.harvest.hosts import host_refusal
from abiertos.harvest.models import RunStatus

from .factories import run_now, source_make
from .servers import redirect_loop_route

POLICY = FetchPolicy(retries=0, read_timeout=2)


@pytest.fixture
def private_hosts_refused(settings):
    settings.HARVEST_ALLOW_PRIVATE_HOSTS = False


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000/data.json", "loopback"),
        ("http://localhost/data.json", "loopback"),
        ("http://[::1]/api/3/action/package_search", "loopback"),
        ("http://[::ffff:127.0.0.1]/data.json", "loopback"),
        ("http://10.1.2.3/data.json", "privada"),
        ("https://192.168.0.10/catalog.xlsx", "privada"),
        ("http://169.254.169.254/latest/meta-data/", "enlace local"),
        ("http://224.0.0.1/data.json", "multidifusión"),
        ("http://0.0.0.0/data.json", "no especificada"),
        ("http://240.0.0.1/data.json", "reservada"),
    ],
)
def test_host_refusal_names_the_host_and_the_kind_of_address(private_hosts_refused, url, reason):
    refusal = host_refusal(url)
    assert refusal is not None
    assert "No se cosechan direcciones internas" in refusal
    assert reason in refusal


def test_host_refusal_lets_public_addresses_through(private_hosts_refused):
    assert host_refusal("https://8.8.8.8/data.json") is None


def test_host_refusal_follows_what_the_name_resolves_to(private_hosts_refused, monkeypatch):
    answers = {"datos.ejemplo.test": "10.20.30.40"}

    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    refusal = host_refusal("https://datos.ejemplo.test/data.json")
    assert refusal == (
        "No se cosechan direcciones internas: «datos.ejemplo.test» apunta a 10.20.30.40, "
        "una dirección privada (red interna)."
    )
    answers["datos.ejemplo.test"] = "8.8.4.4"
    assert host_refusal("https://datos.ejemplo.test/data.json") is None


def test_host_refusal_is_off_when_private_hosts_are_allowed(settings):
    settings.HARVEST_ALLOW_PRIVATE_HOSTS = True
    assert host_refusal("http://127.0.0.1/data.json") is None


def test_registering_a_source_on_an_internal_address_is_refused(private_hosts_refused, municipality):
    with pytest.raises(ValidationError) as err:
        source_make(municipality, "http://127.0.0.1:8080/data.json")
    [message] = err.value.fields["url"]
    assert message == (
        "No se cosechan direcciones internas: «127.0.0.1» apunta a 127.0.0.1, "
        "una dirección de loopback (la propia máquina)."
    )


def test_fetch_refuses_an_internal_host_before_sending_anything(private_hosts_refused, server):
    server.json("/data.json", {"dataset": []})
    with pytest.raises(FetchError) as err, Fetcher(POLICY) as fetcher:
        fetcher.get(server.url + "/data.json")
    assert "«127.0.0.1»" in err.value.message
    assert "loopback" in err.value.message
    assert server.requests == []


def test_fetch_checks_every_redirect_target(server, monkeypatch):
    """The first address is allowed; the one it redirects to is refused, and never requested."""
    server.routes["/publico"] = redirect_loop_route(server.url + "/interno")
    server.json("/interno", {"secreto": True})
    monkeypatch.setattr(fetch, "host_refusal", lambda url: "interna" if url.endswith("/interno") else None)
    with pytest.raises(FetchError) as err, Fetcher(POLICY) as fetcher:
        fetcher.get(server.url + "/publico")
    assert err.value.message == "interna"
    assert [path for path, _query in server.requests] == ["/publico"]


def test_run_of_a_source_whose_host_became_internal_fails_with_the_reason(server, municipality, settings):
    server.json("/data.json", {"dataset": []})
    source = source_make(municipality, server.url + "/data.json")  # allowed while registering
    settings.HARVEST_ALLOW_PRIVATE_HOSTS = False  # as if its DNS now pointed inside
    run = run_now(source)
    assert run.status == RunStatus.FAILED
    assert "No se cosechan direcciones internas" in run.error
    assert server.requests == []
