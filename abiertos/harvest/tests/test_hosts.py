"""Server-side request forgery: sources on internal addresses are refused at registration and at
every request (redirects included), unless HARVEST_ALLOW_PRIVATE_HOSTS is on."""

import multiprocessing
import socket
import threading
import time
import uuid

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from abiertos.core.errors import ValidationError
from abiertos.harvest import hosts
from abiertos.harvest.fetch import Fetcher, FetchError, FetchPolicy
from abiertos.harvest.hosts import HostBusy, LookupTimeout, host_addresses_within, host_refusal, host_slot
from abiertos.harvest.models import RunStatus

from .factories import run_now, source_make

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


@pytest.fixture
def hanging_resolver(monkeypatch):
    """``colgado.test`` never answers (until the test ends); other names resolve to 10.0.0.1."""
    released = threading.Event()

    def fake_getaddrinfo(host, port, *args, **kwargs):
        if host == "colgado.test":
            released.wait(30)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    yield
    released.set()


def test_host_refusal_does_not_wait_on_a_hanging_resolver(private_hosts_refused, hanging_resolver, monkeypatch):
    """Registering is not held up; the fetch checks the name again when it connects."""
    monkeypatch.setattr(hosts, "REGISTRATION_LOOKUP_SECONDS", 0.3)
    started = time.monotonic()
    assert host_refusal("https://colgado.test/data.json") is None
    assert time.monotonic() - started < 1


def test_host_addresses_within_gives_up_when_every_lookup_thread_is_stuck(hanging_resolver, monkeypatch):
    monkeypatch.setattr(hosts, "_lookup_slots", threading.BoundedSemaphore(1))
    with pytest.raises(LookupTimeout):
        host_addresses_within("colgado.test", 443, 0.2)  # holds the only thread
    with pytest.raises(LookupTimeout) as err:
        host_addresses_within("otro.test", 443, 0.2)  # would answer at once, but no thread is free
    assert "«otro.test»" in err.value.message
    assert host_addresses_within("127.0.0.1", 443, 0) == ["127.0.0.1"]  # a literal needs no lookup


def test_host_addresses_within_passes_on_the_resolver_error(monkeypatch):
    def fake_getaddrinfo(host, port, *args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(OSError, match="Name or service not known"):
        host_addresses_within("noexiste.test", 443, 1)


def test_run_of_a_source_whose_dns_hangs_fails_with_the_reason(municipality, hanging_resolver):
    source = source_make(municipality, "http://colgado.test/data.json")
    started = time.monotonic()
    run = run_now(source, policy=FetchPolicy(retries=0, total_timeout=0.5))
    assert time.monotonic() - started < 5
    assert run.status == RunStatus.FAILED
    assert "El servidor de nombres (DNS) no resolvió «colgado.test» a tiempo" in run.error


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


def test_run_of_a_source_whose_host_became_internal_fails_with_the_reason(server, municipality, settings):
    server.json("/data.json", {"dataset": []})
    source = source_make(municipality, server.url + "/data.json")  # allowed while registering
    settings.HARVEST_ALLOW_PRIVATE_HOSTS = False  # as if its DNS now pointed inside
    run = run_now(source)
    assert run.status == RunStatus.FAILED
    assert "No se cosechan direcciones internas" in run.error
    assert server.requests == []


# Per-host concurrency shared by worker processes through the cache.

REDIS_URL = "redis://127.0.0.1:6379/3"


@pytest.fixture
def shared_cache(settings):
    """A Redis cache as in production (skipped where no Redis answers), under a key prefix of its own."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at " + REDIS_URL)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    yield caches["default"]
    caches["default"].clear()


def _hold_slot(url, hold, results):
    with host_slot(url, 2, wait=10, ttl=30):
        started = time.monotonic()
        time.sleep(hold)
        results.put((started, time.monotonic()))


def _most_at_once(spans):
    events = sorted([(start, 1) for start, _end in spans] + [(end, -1) for _start, end in spans])
    active = peak = 0
    for _when, step in events:
        active += step
        peak = max(peak, active)
    return peak


def test_host_slot_limit_holds_across_worker_processes(shared_cache):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [
        context.Process(target=_hold_slot, args=("https://datos.ejemplo.test/data.json", 0.4, results))
        for _ in range(5)
    ]
    for worker in workers:
        worker.start()
    spans = [results.get(timeout=20) for _ in workers]
    for worker in workers:
        worker.join(timeout=5)
    assert _most_at_once(spans) == 2
    # Every lease was given back.
    assert shared_cache.get("harvest-host:datos.ejemplo.test::0") is None
    assert shared_cache.get("harvest-host:datos.ejemplo.test::1") is None


def test_host_slot_left_by_a_dead_worker_expires(shared_cache):
    url = "https://datos.ejemplo.test/data.json"
    for n in range(2):  # a worker killed while holding both slots
        shared_cache.add(f"harvest-host:datos.ejemplo.test::{n}", "muerto", timeout=2)
    with pytest.raises(HostBusy), host_slot(url, 2, wait=0.2, ttl=30):
        pass
    # Once the dead worker's entries expire, a slot is taken (HostBusy would be raised otherwise).
    with host_slot(url, 2, wait=10, ttl=30):
        held = [shared_cache.get(f"harvest-host:datos.ejemplo.test::{n}") for n in range(2)]
    assert "muerto" not in held
    assert any(held)


def test_host_slot_other_hosts_are_not_held_up(shared_cache):
    slot_a = host_slot("https://a.ejemplo.test/", 1, wait=0.1, ttl=30)
    slot_b = host_slot("https://b.ejemplo.test/", 1, wait=0.1, ttl=30)
    with slot_a, slot_b, pytest.raises(HostBusy), host_slot("https://a.ejemplo.test/otra", 1, wait=0.1, ttl=30):
        pass


def test_host_slot_falls_back_to_one_process_with_a_local_cache(settings):
    # The suite also runs with Redis as the cache (REDIS_URL): force a process-local cache here.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert isinstance(caches["default"], LocMemCache)
    with host_slot("https://c.ejemplo.test/", 1, wait=0.1, ttl=30):
        assert caches["default"].get("harvest-host:c.ejemplo.test::0") is None
        with pytest.raises(HostBusy), host_slot("https://c.ejemplo.test/", 1, wait=0.1, ttl=30):
            pass


def test_fetch_reports_a_host_busy_for_too_long(server, monkeypatch):
    server.json("/data.json", {"dataset": []})
    policy = FetchPolicy(retries=0, per_host=1, total_timeout=0.2)
    with host_slot(server.url, 1, wait=1, ttl=30), pytest.raises(FetchError) as err, Fetcher(policy) as fetcher:
        fetcher.get(server.url + "/data.json")
    assert "tuvo todas sus conexiones ocupadas" in err.value.message
    assert server.requests == []
