"""Browser tests: the pages in a real headless Chromium (Debian's /usr/bin/chromium, never a
browser downloaded by `playwright install`), driven by Playwright through pytest-playwright's
fixtures, against pytest-django's live server started by the suite itself.

The live server runs in a thread of this process and shares the test database, so these tests use
transactional databases (data committed for the server to see); serialized_rollback puts back the
rows the migrations seed (groups, warehouses, policies) after the flush, as other tests expect them.

Playwright's sync API marks an asyncio event loop as running in the test thread from its start to
its stop. While it runs: Django refuses database calls from that thread unless
DJANGO_ALLOW_ASYNC_UNSAFE is set, and hands that thread other connection objects than the ones the
test database was set up (and serialized) with. So Playwright lives only while this folder's tests
run (package-scoped fixtures instead of pytest-playwright's session-scoped ones, launched with the
same options), the variable is set for that time only (a child process, such as
`aftersales check --deploy` in another test, must not inherit it), and the test thread keeps
using the test database's own connections.
"""

import os
import struct
import zlib
from pathlib import Path

import pytest
from django.db import connections
from django.utils import translation
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright

from aftersales.returns.services.actions import apply_action
from aftersales.returns.services.cases import case_create
from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = {
    "executable_path": str(CHROMIUM),
    "headless": True,
    "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--no-first-run"],
}
TIMEOUT_MS = 10_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

# Every browser test: the live server, a transactional database, the seeded rows restored.
browser_test = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="session", autouse=True)
def _chromium_installed():
    """Without Debian's Chromium the browser tests skip, saying why; on CI they fail instead."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = (f"{CHROMIUM} is missing: install Debian's chromium package "
                  "(scripts/ensure-system-packages.sh, run by `make test`, does it)")
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return dict(LAUNCH_ARGS)


@pytest.fixture(scope="package")
def playwright(django_db_setup):
    """pytest-playwright's `playwright`, for this folder's tests only (see the module's doc)."""
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ.setdefault(ASYNC_UNSAFE, "true")
    own = {alias: connections[alias] for alias in connections}  # the test database's connections
    pw = sync_playwright().start()
    for alias, connection in own.items():  # the same ones while the loop runs
        connections[alias] = connection
    try:
        yield pw
    finally:
        for alias in own:
            del connections[alias]
        pw.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    return lambda **kwargs: browser_type.launch(**{**browser_type_launch_args, **kwargs})


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Every page talks to the live server (page.goto("/cases/"))."""
    return live_server.url


@pytest.fixture(scope="package")
def browser_context_args(playwright, device, base_url):
    """A browser set up as the users' are: Chinese, in China's time; pages on the live server."""
    return {**(playwright.devices[device] if device else {}), "base_url": base_url, "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded files go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def screenshots(pytestconfig) -> Path:
    folder = Path(pytestconfig.rootpath) / "test-artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def shoot(screenshots):
    """shoot(page, "inbox-service"): a full-page screenshot in test-artifacts/screenshots/."""

    def take(page: Page, name: str) -> Path:
        path = screenshots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page: Page, base_url: str, username: str, *, go: bool = True) -> Page:
    """Log in through the login form (username, password); the page ends on the inbox."""
    if go:
        page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")
    return page


@pytest.fixture
def browser_for(new_context):
    """browser_for() -> a new browser context (its own cookies), quick to fail."""

    def make() -> BrowserContext:
        context = new_context()
        context.set_default_timeout(TIMEOUT_MS)
        return context

    return make


@pytest.fixture
def signed_in(browser_for, base_url, users):
    """signed_in("warehouse") -> a page in its own browser context, logged in as that persona."""
    return lambda username: log_in(browser_for().new_page(), base_url, username)


def zh(text) -> str:
    """A page text as the Chinese page shows it (the catalogue's translation, or the text itself);
    text is a msgid or a lazy translation."""
    with translation.override("zh-hans"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def en(text) -> str:
    with translation.override("en"):
        return translation.gettext(text) if isinstance(text, str) else str(text)


def png(width: int = 8, height: int = 8) -> bytes:
    """A small valid PNG (a red square) made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xd0\x20\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def note_line(product_models, serials, lot="260910-1", **fields) -> dict:
    return {"product_model": product_models["HT-2000"], "item_name": "电热水器 2000W", "serials": serials,
            "production_lot": lot, "defect_description": "不加热", "requested_outcome": "repair", **fields}


@pytest.fixture
def case_at(users, customers, product_models, registry):  # noqa: F811
    """case_at("received", serials=[...]) -> Alice's case taken there through the services (as the API does)."""

    def make(state: str, *, serials=("HT26090001",), lot="260910-1"):
        case = case_create(actor=users["service"], customer=customers["alice"],
                           lines=[note_line(product_models, list(serials), lot)], customer_reference="TH-20261120-03")
        if state == "draft":
            return case
        case = apply_action(actor=users["service"], case_id=case.pk, action="submit")
        if state == "submitted":
            return case
        for approver in ("service", "manager"):
            if case.state == "submitted":
                case = apply_action(actor=users[approver], case_id=case.pk, action="approve")
        assert case.state == "approved"
        if state == "approved":
            return case
        apply_action(actor=users["warehouse"], case_id=case.pk, action="start_receiving")
        apply_action(actor=users["warehouse"], case_id=case.pk, action="receive",
                     params={"items": [{"serial": serial} for serial in serials]})
        case = apply_action(actor=users["warehouse"], case_id=case.pk, action="close_receipt")
        assert state == "received", state
        return case

    return make


AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def context_for(new_context, base_url):
    """context_for(phone=False) -> a browser context in Chinese, quick to fail, its console errors collected."""

    def make(*, phone: bool = False):
        context = new_context(**(PHONE if phone else DESKTOP))
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base_url}])
        return context

    return make


def watched(page) -> list[str]:
    """The page's console errors and uncaught exceptions, as they happen."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ["violations"]});
        return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
    }""")
