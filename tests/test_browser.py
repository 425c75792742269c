"""The demo clients and GraphiQL in a real headless Chromium against a real `lac serve`, with
every request to another host refused by the browser (the machine is offline for them).

Skipped, saying what is missing, without the `playwright` package or a Chromium binary
(Debian's `chromium`; `.ci/run` installs it). Screenshots go to a temporary folder, or to
LAC_SCREENSHOTS_DIR (`make screenshots` refreshes docs/screenshots/, which the README shows).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.databases import fresh_database
from tests.server import LiveServer, graphql, lac_serve, make_lac_db

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="the Python package `playwright` is missing: .venv/bin/pip install -e '.[dev]'",
)

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM = next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on PATH: apt-get install -y chromium (as .ci/run does)"
)
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})
CONFIRMATION = 'Actions taken while in "Login as Customer" will affect actual customer data.'
JANE_BANNER = "You are connected as Jane Doe on Main Website"
TIMEOUT_MS = 20_000
PAGE_SIZE = 20  # the demo admin's grids


class Offline:
    """A browser context that aborts every request to a host other than this machine and
    records the console errors (a CSP violation is one) and uncaught page errors."""

    def __init__(self, browser: Any, screenshots: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1440, "height": 860})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.route("**/*", self._route)
        self.context.on("page", self._watch)
        self.refused: list[str] = []
        self.errors: list[str] = []
        self.screenshots = screenshots

    def _route(self, route: Any) -> None:
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort("internetdisconnected")

    def _watch(self, page: Any) -> None:
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else 0)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def new_page(self) -> Any:
        return self.context.new_page()

    def shot(self, page: Any, name: str) -> None:
        page.screenshot(path=str(self.screenshots / f"{name}.png"))

    def assert_clean(self) -> None:
        assert self.refused == [], self.refused
        assert self.errors == [], self.errors


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real `lac serve` on a fresh seeded database (PostgreSQL when configured)."""
    with fresh_database(tmp_path) as url:
        db = make_lac_db(tmp_path, url)
        with lac_serve(db.env, db.workdir) as server:
            yield server


@pytest.fixture
def offline(browser: Any, tmp_path: Path) -> Iterator[Offline]:
    folder = Path(os.environ.get("LAC_SCREENSHOTS_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    offline = Offline(browser, folder)
    yield offline
    offline.context.close()


def expect(locator: Any) -> Any:
    return sync_api.expect(locator)


QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
HEADERS_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
RESULT = ".result-window .CodeMirror"
GRAPHIQL_DEBOUNCE_MS = 300
RESULT_SHOWN = """() => {
  const editor = document.querySelector('.result-window .CodeMirror');
  return editor !== null && editor.CodeMirror.getValue().includes('"data"');
}"""


def editor_text(page: Any, selector: str) -> str:
    text: str = page.locator(selector).first.evaluate("element => element.CodeMirror.getValue()")
    return text


def type_into(page: Any, selector: str, text: str) -> None:
    page.locator(selector).first.evaluate(
        "(element, text) => element.CodeMirror.setValue(text)", text
    )


def test_graphiql_renders_and_runs_the_walkthrough_offline(
    server: LiveServer, offline: Offline
) -> None:
    """Each tab is a walk-through step: run them all in order, pasting the tokens and the
    secret into the Headers and query editors as a person would."""
    page = offline.new_page()
    page.goto(f"{server.base_url}/graphql")
    tabs = page.locator(".graphiql-tab")
    expect(tabs).to_have_count(12)
    expect(tabs.first).to_contain_text("Step1")
    expect(page.locator(".graphiql-query-editor")).to_contain_text(
        "# Step 1: Sign in as the demo support agent"
    )
    assert json.loads(editor_text(page, HEADERS_EDITOR)) == {"Authorization": "Bearer <token>"}
    tokens: dict[str, str] = {}
    pasted = {"PASTE-THE-SECRET": "", "PASTE-THE-INCREMENT-ID": ""}
    history: dict[str, Any] = {}
    for index in range(12):
        tabs.nth(index).locator(".graphiql-tab-button").click()
        expect(tabs.nth(index)).to_have_class(re.compile("graphiql-tab-active"))
        # GraphiQL re-reads the operation name 100 ms after an edit (debounced); a tab switch
        # is one, so let it settle before running, as a person's click would.
        page.wait_for_timeout(GRAPHIQL_DEBOUNCE_MS)
        caller = editor_text(page, QUERY_EDITOR).split("# as: ", 1)[1].split("\n", 1)[0]
        token = tokens.get(caller)
        type_into(
            page, HEADERS_EDITOR, json.dumps({"Authorization": f"Bearer {token}"} if token else {})
        )
        query = editor_text(page, QUERY_EDITOR)
        for placeholder, value in pasted.items():
            query = query.replace(placeholder, value)
        if query != editor_text(page, QUERY_EDITOR):
            type_into(page, QUERY_EDITOR, query)
        page.locator(".graphiql-execute-button").click()
        page.wait_for_function(RESULT_SHOWN)
        answer = json.loads(editor_text(page, RESULT))
        assert "errors" not in answer, (index + 1, answer)
        data = answer["data"]
        if "adminLogin" in data:
            tokens["support"] = data["adminLogin"]["token"]
        if "loginAsCustomer" in data:
            pasted["PASTE-THE-SECRET"] = data["loginAsCustomer"]["secret"]
        if "exchangeLoginAsCustomerSecret" in data:
            tokens["jane (impersonation)"] = data["exchangeLoginAsCustomerSecret"]["token"]
        if "placeOrder" in data:
            pasted["PASTE-THE-INCREMENT-ID"] = data["placeOrder"]["incrementId"]
        if "orders" in data:
            [order] = [edge["node"] for edge in data["orders"]["edges"]]
            assert order["placedByAdmin"] == {"username": "support"}
        if "customerLogin" in data:
            tokens["jane"] = data["customerLogin"]["token"]
        if "myAssistanceSessions" in data:
            history = data["myAssistanceSessions"]["edges"][0]["node"]
    assert history["staffName"] == "Sam S."
    assert [action["action"] for action in history["actions"]] == ["cart.add", "order.place"]
    assert data == {"endMyAssistanceSessions": 0}
    page.get_by_label("Show Documentation Explorer").click()
    docs = page.locator(".graphiql-doc-explorer")
    docs.get_by_text("Mutation", exact=True).click()
    expect(docs).to_contain_text("Permission: @requiresImpersonation")
    docs.get_by_role("link", name="loginAsCustomer", exact=True).click()
    expect(docs).to_contain_text(
        'Permission: @requiresPermission(resources: ["Magento_LoginAsCustomer::login"])'
    )
    offline.shot(page, "graphiql")
    offline.assert_clean()


def admin_signs_in(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/demo/admin/")
    page.get_by_label("User Name").fill("admin")
    page.get_by_label("Password").fill("Admin123!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who")).to_contain_text("(admin, Administrators)")


def row(page: Any, text: str) -> Any:
    return page.locator("tbody tr", has_text=text)


def test_the_seed_story_through_both_demo_clients(server: LiveServer, offline: Offline) -> None:
    admin = offline.new_page()
    admin_signs_in(admin, server.base_url)
    john = row(admin, "john.smith@example.com").get_by_role("button", name="Login as Customer")
    expect(john).to_be_disabled()
    expect(john).to_have_attribute(
        "title", "Login as Customer assistance is disabled for this Customer."
    )
    admin.locator("#customer-search").fill("Jane")
    admin.get_by_role("button", name="Search").click()
    expect(admin.locator("tbody tr")).to_have_count(1)
    offline.shot(admin, "admin-customers")

    row(admin, "jane.doe@example.com").get_by_role("button", name="Login as Customer").click()
    dialog = admin.locator("dialog#login-as-customer")
    expect(dialog.locator(".confirmation")).to_have_text(CONFIRMATION)
    dialog.get_by_label("Reason").fill("Ticket 1234: cart will not check out")
    offline.shot(admin, "admin-confirmation")
    with offline.context.expect_page() as opened:
        dialog.get_by_role("button", name="Login as Customer").click()
    storefront = opened.value
    expect(storefront.locator("#lac-banner")).to_contain_text(JANE_BANNER)
    assert "secret" not in storefront.url
    offline.shot(storefront, "storefront-banner")

    storefront.locator(".product", has_text="MH01").get_by_role("button").click()
    expect(storefront.locator(".message.notice")).to_contain_text("Chaz Kangeroo Hoodie")
    storefront.get_by_role("link", name="Cart").click()
    expect(storefront.locator("#cart")).to_contain_text("MH01")
    expect(storefront.locator("#lac-banner")).to_contain_text(JANE_BANNER)
    storefront.get_by_role("link", name="Proceed to Checkout").click()
    expect(storefront.locator("#lac-banner")).to_contain_text(JANE_BANNER)
    storefront.get_by_role("button", name="Place Order").click()
    expect(storefront.locator("#order-number")).to_have_text("Your order number is: 000000005.")

    admin.goto(f"{server.base_url}/demo/admin/#/sessions")
    expect(row(admin, "jane.doe@example.com")).to_contain_text("ACTIVE")
    storefront.get_by_role("button", name="End session").click()
    expect(storefront.locator(".message.info")).to_have_text(
        "You ended the Login as Customer session."
    )
    expect(storefront.locator("#lac-banner")).to_have_count(0)
    admin.reload()
    expect(admin.locator("tbody")).to_contain_text("No records found.")

    admin.goto(f"{server.base_url}/demo/admin/#/log")
    admin.get_by_label("Action Group").select_option(label="Login As Customer")
    entries = admin.locator("tbody tr")
    expect(entries.first).to_contain_text("login_as_customer.end")
    for action in ("login_as_customer.start", "login_as_customer.exchange", "cart.add"):
        expect(admin.locator("tbody")).to_contain_text(action)
    expect(admin.locator("tbody")).to_contain_text("order.place")
    offline.shot(admin, "admin-action-log")
    with admin.expect_download() as download:
        admin.get_by_role("button", name="Export CSV (this page)").click()
    with Path(download.value.path()).open(newline="") as exported:
        lines = list(csv.reader(exported))
    assert lines[0][:3] == ["Time", "Action Group", "Action"]
    assert len(lines) == 1 + entries.count()
    assert {line[1] for line in lines[1:]} == {"LOGIN_AS_CUSTOMER"}
    offline.assert_clean()


def test_sales_documents_carry_the_button_and_its_reason(
    server: LiveServer, offline: Offline
) -> None:
    admin = offline.new_page()
    admin_signs_in(admin, server.base_url)
    for kind, number in (
        ("invoices", "000000001"),
        ("shipments", "000000001"),
        ("creditMemos", "000000001"),
    ):
        admin.goto(f"{server.base_url}/demo/admin/#/sales/{kind}")
        row(admin, number).get_by_role("link", name="View").click()
        button = admin.locator(".document").get_by_role("button", name="Login as Customer")
        expect(button).to_be_enabled()
    admin.goto(f"{server.base_url}/demo/admin/#/sales/orders")
    row(admin, "000000003").get_by_role("link", name="View").click()
    guest = admin.locator(".document").get_by_role("button", name="Login as Customer")
    expect(guest).to_be_disabled()
    expect(guest).to_have_attribute("title", re.compile("belongs to a guest"))
    offline.assert_clean()


def test_the_action_log_pages(server: LiveServer, offline: Offline) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        for _ in range(PAGE_SIZE):  # with the page's own sign-in: PAGE_SIZE + 1 entries
            graphql(
                client,
                'mutation { adminLogin(username: "auditor", password: "Auditor123!") { token } }',
            )
    admin = offline.new_page()
    admin_signs_in(admin, server.base_url)
    admin.goto(f"{server.base_url}/demo/admin/#/log")
    status = admin.locator(".page-status")
    expect(status).to_have_text(f"Page 1 of 2 · {PAGE_SIZE + 1} records")
    expect(admin.locator("tbody tr")).to_have_count(PAGE_SIZE)
    admin.get_by_role("button", name="Next").click()
    expect(status).to_have_text(f"Page 2 of 2 · {PAGE_SIZE + 1} records")
    expect(admin.locator("tbody tr")).to_have_count(1)
    expect(admin.locator("tbody tr")).to_contain_text("auditor")  # newest first: the oldest
    expect(admin.get_by_role("button", name="Next")).to_be_disabled()
    admin.get_by_role("button", name="Previous").click()
    expect(status).to_have_text(f"Page 1 of 2 · {PAGE_SIZE + 1} records")
    expect(admin.locator("tbody tr").first).to_contain_text("admin.login")
    offline.assert_clean()


def test_a_customer_sets_consent_with_the_configured_checkbox(
    server: LiveServer, offline: Offline
) -> None:
    shop = offline.new_page()
    shop.goto(f"{server.base_url}/demo/storefront/#/account")
    shop.get_by_label("Email").fill("jane.doe@example.com")
    shop.get_by_label("Password").fill("Customer123!")
    shop.get_by_role("button", name="Sign In").click()
    consent = shop.get_by_label("Allow remote shopping assistance")
    expect(consent).to_be_checked()
    tooltip = 'This allows merchants to "see what you see" and take actions on your behalf'
    expect(shop.locator("#assistance-consent-tooltip")).to_contain_text(tooltip)
    consent.uncheck()
    expect(shop.locator(".message.notice")).to_have_text("You saved the account information.")
    shop.reload()
    expect(shop.get_by_label("Allow remote shopping assistance")).not_to_be_checked()
    expect(shop.locator("#lac-banner")).to_have_count(0)
    shop.get_by_role("button", name="Sign out").click()
    expect(shop.locator(".message.info")).to_have_text("You are signed out.")
    offline.assert_clean()


def test_manual_store_view_required_reason_and_terminate(
    server: LiveServer, offline: Offline
) -> None:
    admin = offline.new_page()
    admin_signs_in(admin, server.base_url)
    admin.get_by_role("link", name="Configuration").click()
    admin.get_by_label("Store View To Login In").select_option("MANUAL_SELECTION")
    admin.get_by_label("Require a Reason").check()
    admin.get_by_role("button", name="Save Config").click()
    expect(admin.locator(".message.notice")).to_have_text("You saved the configuration.")

    admin.get_by_role("link", name="Customers").click()
    row(admin, "jane.doe@example.com").get_by_role("button", name="Login as Customer").click()
    dialog = admin.locator("dialog#login-as-customer")
    picker = dialog.get_by_label("Store View")
    expect(picker.locator("option")).to_have_text(
        ["Please select a Store View", "Default Store View", "French Store View"]
    )
    expect(picker).to_have_attribute("required", "")
    expect(dialog.get_by_label("Reason (required)")).to_have_attribute("required", "")
    picker.select_option(label="French Store View")
    dialog.get_by_label("Reason (required)").fill("Ticket 99")
    with offline.context.expect_page() as opened:
        dialog.get_by_role("button", name="Login as Customer").click()
    storefront = opened.value
    expect(storefront.locator("#lac-banner")).to_contain_text(JANE_BANNER)
    storefront.get_by_role("link", name="Cart").click()
    expect(storefront.locator("h2")).to_have_text("Shopping Cart (French Store View)")

    admin.goto(f"{server.base_url}/demo/admin/#/sessions")
    jane = row(admin, "jane.doe@example.com")
    expect(jane).to_contain_text("Ticket 99")
    jane.get_by_role("button", name="Terminate").click()
    expect(admin.locator(".message.notice")).to_have_text("Session 1 terminated.")
    storefront.reload()
    expect(storefront.locator(".message.info").first).to_have_text(
        "Your session has ended. Please sign in again."
    )
    expect(storefront.locator("#lac-banner")).to_have_count(0)
    offline.assert_clean()
