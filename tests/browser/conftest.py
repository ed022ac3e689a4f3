"""Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Every page a test opens may only talk to the live server: a request to any other host is
aborted and fails the test. `axe_check(page)` runs axe-core (WCAG 2.1 A/AA) on the page.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from abiertos.accounts.models import Role
from abiertos.accounts.tests.factories import user_with_role
from abiertos.core.tests.factories import municipality_make

CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_FAILING_IMPACTS = {"serious", "critical"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


# One Playwright and one Chromium per process: a second sync_playwright() in the same thread fails,
# and test modules outside tests/browser import the `browser` fixture (a second definition of it).
_shared: dict = {}


def _browser_shared() -> Browser:
    if "browser" not in _shared:
        if not CHROMIUM.exists():
            pytest.fail(f"{CHROMIUM} is missing: install Debian's package (apt-get install -y chromium).")
        # Playwright's sync API keeps an event loop in this thread; Django must still allow ORM calls here.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        _shared["playwright"] = sync_playwright().start()
        _shared["browser"] = _shared["playwright"].chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    return _shared["browser"]


def _browser_stop() -> None:
    if "browser" in _shared:
        _shared.pop("browser").close()
        _shared.pop("playwright").stop()


@pytest.fixture(scope="session")
def browser() -> Browser:
    yield _browser_shared()
    _browser_stop()


@pytest.fixture
def outside_requests() -> list[str]:
    """Addresses of outside hosts the page tried to reach (each one was aborted)."""
    return []


@pytest.fixture
def page(browser, live_server, outside_requests) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="es-AR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)

    def guard(route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
            outside_requests.append(url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    yield page
    context.close()
    if outside_requests:
        pytest.fail("The page tried to reach outside hosts:\n  " + "\n  ".join(outside_requests))


def _describe_violation(violation: dict) -> str:
    targets = [" ".join(map(str, node.get("target", []))) for node in violation["nodes"]]
    summaries = {node.get("failureSummary", "").replace("\n", " ") for node in violation["nodes"][:3]}
    return (
        f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
        f"  where: {'; '.join(targets[:5])}{' …' if len(targets) > 5 else ''}\n"
        f"  why: {' | '.join(sorted(summaries))}\n"
        f"  see: {violation['helpUrl']}"
    )


def axe_check(page: Page) -> list[dict]:
    """Run axe-core on the page; fail on any serious or critical WCAG 2.1 A/AA violation."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (or `make install`).")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    failing = [v for v in results["violations"] if v.get("impact") in AXE_FAILING_IMPACTS]
    if failing:
        report = "\n".join(_describe_violation(v) for v in failing)
        pytest.fail(f"axe found {len(failing)} serious or critical violation(s) on {page.url}:\n{report}")
    return results["violations"]


@pytest.fixture
def municipality(transactional_db):
    return municipality_make("La Plata", code="06441", slug="la-plata")


@pytest.fixture
def editor(municipality):
    return user_with_role(Role.MUNICIPAL_EDITOR, municipality, email="editor@example.org")


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def results_dir() -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    return RESULTS_DIR
