"""The link checker against a real local HTTP server: HEAD, ranged GET, backoff, politeness."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from abiertos.catalog import services as catalog_services
from abiertos.catalog.inputs import DistributionMetadata
from abiertos.catalog.tests.factories import dataset_make
from abiertos.core.actors import Actor
from abiertos.monitoring.linkcheck import PER_HOST_PER_RUN, linkcheck_run, linkcheck_sync
from abiertos.monitoring.models import LinkCheck, LinkStatus, MunicipalityIndex
from abiertos.monitoring.services import index_compute_full

SYSTEM = Actor.system("test")


class Handler(BaseHTTPRequestHandler):
    seen: list = []

    def _answer(self, with_body: bool) -> None:
        Handler.seen.append((self.command, self.path, self.headers.get("Range"), self.headers.get("User-Agent")))
        if self.path.startswith("/gone"):
            self.send_response(404)
        elif self.path.startswith("/nohead") and self.command == "HEAD":
            self.send_response(405)
        elif self.headers.get("Range"):
            self.send_response(206)
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):  # noqa: N802 - the standard library's name
        self._answer(False)

    def do_GET(self):  # noqa: N802
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Handler.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def _linked(municipality, base, paths):
    dataset = dataset_make(municipality, identifier="obras", title="Obras públicas 2025")
    for n, path in enumerate(paths):
        catalog_services.distribution_create_from_url(
            dataset=dataset,
            metadata=DistributionMetadata(identifier=f"obras-{n}", title=f"Enlace {n}", format="PDF"),
            url=f"{base}{path}",
            by=SYSTEM,
        )
    return catalog_services.dataset_publish(dataset=dataset, by=SYSTEM)


def _due_now():
    LinkCheck.objects.update(next_check_at=timezone.now() - timedelta(seconds=1))


def test_linkcheck_head_then_ranged_get_and_broken_after_two_failures(municipality, server):
    _linked(municipality, server, ["/ok.pdf", "/gone.pdf", "/nohead.pdf"])

    assert linkcheck_sync() == 3
    linkcheck_run(delay=0)

    checks = {c.url.rsplit("/", 1)[1]: c for c in LinkCheck.objects.all()}
    assert checks["ok.pdf"].status == LinkStatus.OK
    assert checks["nohead.pdf"].status == LinkStatus.OK
    assert ("GET", "/nohead.pdf", "bytes=0-0") in [s[:3] for s in Handler.seen]
    assert ("GET", "/ok.pdf", "bytes=0-0") not in [s[:3] for s in Handler.seen]
    assert all(s[3].startswith("MunicipiosAbiertos-linkcheck") for s in Handler.seen)
    gone = checks["gone.pdf"]
    assert gone.status == LinkStatus.PENDING  # one failure is not enough to blame the publisher
    assert gone.failures == 1
    assert timedelta(minutes=59) < gone.next_check_at - timezone.now() <= timedelta(hours=1)

    _due_now()
    result = linkcheck_run(delay=0)

    gone.refresh_from_db()
    assert gone.status == LinkStatus.BROKEN
    assert gone.http_status == 404
    assert result["changed"] == [municipality.pk]
    assert timedelta(hours=1, minutes=59) < gone.next_check_at - timezone.now() <= timedelta(hours=2)


def test_linkcheck_broken_links_reach_the_index_and_the_scorecard(municipality, server, client, editor):
    _linked(municipality, server, ["/gone.pdf"])
    linkcheck_sync()
    for _ in range(2):
        _due_now()
        linkcheck_run(delay=0)

    run = index_compute_full(by=SYSTEM)

    result = MunicipalityIndex.objects.get(run=run, municipality=municipality)
    assert result.broken_links == 1
    assert result.categories["obras"]["answers"]["online"] is False
    client.force_login(editor)
    body = client.get(f"/m/{municipality.slug}/apertura/").content.decode()
    assert "Enlaces rotos" in body
    assert f"{server}/gone.pdf" in body


def test_linkcheck_is_polite_per_host(municipality, server):
    _linked(municipality, server, [f"/ok-{n}.pdf" for n in range(PER_HOST_PER_RUN + 2)])
    linkcheck_sync()
    waits = []

    result = linkcheck_run(delay=0.05, sleep=lambda s: waits.append(s))

    assert result["checked"] == PER_HOST_PER_RUN
    assert len(waits) == PER_HOST_PER_RUN - 1
    assert all(0 < w <= 0.05 for w in waits)
    assert LinkCheck.objects.filter(checked_at__isnull=True).count() == 2


def test_linkcheck_sync_follows_changed_and_removed_links(municipality, server):
    dataset = _linked(municipality, server, ["/ok.pdf"])
    linkcheck_sync()
    linkcheck_run(delay=0)

    catalog_services.dataset_delete(dataset=dataset, by=SYSTEM)

    assert linkcheck_sync() == 0
    assert not LinkCheck.objects.exists()
