"""The browser pages in a real headless Chromium (Debian's), against a live server, with no outside network.

Swagger UI's "Try it out" and the explorer (pick a theme, autocomplete an entity, open a claim: its quote
highlighted in the article, its context notes, its citation) must work with nothing but this server.
Screenshots go to test-artifacts/. `python3 dev.py test` installs Chromium when it is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Route, expect, sync_playwright

from app.schemas.annotations import ClaimIn
from app.services.annotations import read_annotations
from seed.loader import DEFAULT_ANNOTATIONS
from tests.system.support import SECTORFACTS, free_port

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # No name but the loopback address resolves: the outside network is unreachable for the browser.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
# ReDoc always renders Redocly's logo from its CDN; the content security policy blocks it (an <img>
# whose onError hides it), so it never leaves the machine.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
TIMEOUT_MS = 15_000


@dataclass
class LiveServer:
    """`sectorfacts serve` on a loopback port, and the file its logs go to."""

    url: str
    log: Path


@pytest.fixture(scope="module")
def live_server(seeded_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real server process on the shared seeded database."""
    port = free_port()
    log = tmp_path_factory.mktemp("live") / "server.log"
    environment = {**os.environ, "SECTORFACTS_DATABASE_URL": seeded_url}
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(SECTORFACTS), "serve", "--no-setup", "--port", str(port)],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"server not ready:\n{log.read_text()}"
                try:
                    if httpx2.get(f"{url}/readyz", timeout=1.0).status_code == 200:
                        break
                except httpx2.TransportError:
                    time.sleep(0.05)
            yield LiveServer(url, log)
        finally:
            process.terminate()
            process.wait(timeout=10)


@dataclass
class Browser:
    """A Chromium profile of its own, and every request it tried to send off the machine."""

    context: BrowserContext
    outside: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Headless Chromium with a fresh user-data-dir; any request off the live server is refused."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `python3 dev.py test` installs Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1440, "height": 900},
            base_url=live_server.url,
        )
        watched = Browser(context)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

        def only_this_server(route: Route) -> None:
            url = route.request.url
            if url.startswith((f"{live_server.url}/", "blob:", "data:")):
                route.continue_()
            else:
                watched.outside.append(url)
                route.abort("internetdisconnected")

        context.route("**/*", only_this_server)
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield watched
        finally:
            context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A new tab; console errors are collected, outside requests counted from zero."""
    browser.outside.clear()
    browser.console_errors.clear()
    tab = browser.context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            browser.console_errors.append(message.text)

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: browser.console_errors.append(str(error)))
    yield tab
    tab.close()


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_swagger_ui_try_it_out_lists_claims_offline(browser: Browser, page: Page) -> None:
    page.goto("/docs")
    operation = page.locator("#operations-claims-list_claims")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200")
    body = operation.locator(".live-responses-table .response-col_description pre").first
    expect(body).to_contain_text('"next_cursor"')
    payload = json.loads(body.inner_text())
    assert payload["data"], "Try it out answered 200 with claims"
    operation.locator(".live-responses-table").scroll_into_view_if_needed()
    _shot(page, "docs-try-it-out")
    assert browser.outside == []
    assert browser.console_errors == []


def test_redoc_renders_offline(browser: Browser, page: Page) -> None:
    page.goto("/redoc")
    # ReDoc renders the whole (large) OpenAPI document in the page: give a busy machine time.
    expect(page.locator("h1").first).to_contain_text("Sector Facts API", timeout=60_000)
    expect(page.locator("h2").filter(has_text="List claims").first).to_be_visible(timeout=60_000)
    _shot(page, "redoc")
    assert set(browser.outside) <= {REDOC_LOGO}


def _claim_to_open() -> tuple[ClaimIn, str]:
    """A claim about Careem on the startups theme with a context note, and its article text."""
    seed = read_annotations(DEFAULT_ANNOTATIONS)
    claim = next(
        claim
        for claim in seed.annotations.claims
        if "careem" in claim.entities
        and "startups-entrepreneurship" in claim.themes
        and claim.context
        and claim.quote is not None
    )
    return claim, seed.texts[claim.document]


def test_explorer_theme_autocomplete_claim_quote_and_context(browser: Browser, page: Page) -> None:
    claim, text = _claim_to_open()
    page.goto("/")
    theme = page.locator('#facet-theme input[data-value="startups-entrepreneurship"]')
    theme.check()
    expect(page.locator("#active-filters .chip")).to_have_count(1)
    expect(theme).to_be_checked()
    _shot(page, "explorer-theme")

    page.locator("#search").press_sequentially("care", delay=20)
    suggestion = page.locator('#suggestions [role="option"][data-value="careem"]')
    expect(suggestion).to_be_visible()
    _shot(page, "explorer-autocomplete")
    suggestion.click()
    expect(page.locator("#active-filters .chip")).to_have_count(2)
    expect(page.locator('#facet-entity input[data-value="careem"]')).to_be_checked()

    page.locator(f'.claim[data-id="{claim.id}"]').click()
    quote = page.locator("#d-text mark")
    quoted = claim.quoted
    expect(quote).to_have_text(quoted.quote)
    # The highlight sits at the span (code points) inside the whole article.
    assert page.locator("#d-text").text_content() == text
    assert text[quoted.start : quoted.end] == quoted.quote
    expect(page.locator("#d-context")).to_contain_text(claim.context[0].note[:60])
    page.locator("#d-copy").click()
    expect(page.locator("#d-copy-status")).to_have_text("Copied")
    assert quoted.quote in page.locator("#d-citation").input_value()
    _shot(page, "explorer-claim")
    page.evaluate("window.scrollTo(0, 0); document.getElementById('detail').scrollTop = 0")
    _shot(page, "explorer")  # the one docs/explorer.png (README) is copied from
    assert browser.outside == []
    assert browser.console_errors == []


def test_explorer_full_text_search_shows_highlighted_snippets(browser: Browser, page: Page) -> None:
    page.goto("/")
    page.locator("#search").fill("brain gain")
    page.locator("#search").press("Enter")
    expect(page.locator("#active-filters .chip")).to_have_count(1)
    first = page.locator(".claim .snippet mark").first
    expect(first).to_be_visible()
    expect(first).to_have_text("brain", ignore_case=True)
    _shot(page, "explorer-search")
    assert browser.outside == []
    assert browser.console_errors == []


def test_live_server_logs_json_with_the_request_id(live_server: LiveServer) -> None:
    answer = httpx2.get(f"{live_server.url}/v1/claims/pkit-001", headers={"X-Request-ID": "browser-suite-1"})
    assert answer.headers["x-request-id"] == "browser-suite-1"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        lines = [
            json.loads(line) for line in live_server.log.read_text().splitlines() if line.startswith("{")
        ]
        found = [line for line in lines if line.get("request_id") == "browser-suite-1"]
        if found:
            break
        time.sleep(0.05)
    assert found, live_server.log.read_text()[-2000:]
    access = found[-1]
    assert access["logger"] == "sectorfacts.access"
    assert access["route"] == "/v1/claims/{claim_id}"
    assert access["status"] == 200
    assert access["duration_ms"] >= access["db_ms"] > 0


def test_explorer_shows_a_contested_claim_with_its_contradicting_sources(
    browser: Browser, page: Page, live_server: LiveServer
) -> None:
    # The article's Careem "homegrown" claim and what the API says contradicts it, each with its source.
    seed = read_annotations(DEFAULT_ANNOTATIONS)
    # The article calls Careem homegrown in a combined claim and in its split-out part (pkit-038); the
    # part is the one other reporting contradicts.
    homegrown = next(
        claim
        for claim in seed.annotations.claims
        if claim.quote is not None and claim.statement.startswith("Careem") and "homegrown" in claim.statement
    )
    claim = httpx2.get(f"{live_server.url}/v1/claims/{homegrown.id}").json()
    contradicting = [r for r in claim["relations"] if r["relation"] == "contradicted_by"]
    assert contradicting, "the seed records claims that contradict the homegrown claim"
    other = next(
        r
        for r in contradicting
        if r["claim"]["source"]["publisher"] and r["claim"]["source"]["published_date"]
    )

    page.goto("/")
    whole = httpx2.get(f"{live_server.url}/v1/claims", params={"limit": 1}).json()["meta"]["total"]
    expect(page.locator("#summary")).to_contain_text(f"{whole} claims")
    # The article's claims and the cited sources' claims carry different, worded badges.
    expect(page.locator(".claim .basis.quote").first).to_contain_text("Article")
    page.locator("#search").fill("homegrown")
    page.locator("#search").press("Enter")
    page.locator(f'.claim[data-id="{homegrown.id}"]').click()
    expect(page.locator("#d-statement")).to_have_text(claim["statement"])
    expect(page.locator("#d-basis")).to_contain_text("quote")
    group = page.locator('#d-relations section[data-relation="contradicted_by"]')
    expect(group.locator("li.related")).to_have_count(len(contradicting))
    item = group.locator(f'li.related[data-id="{other["claim"]["id"]}"]')
    expect(item).to_contain_text(other["claim"]["statement"])
    expect(item.locator(".basis.paraphrase")).to_contain_text("paraphrase")
    expect(item.locator(".source-line")).to_contain_text(other["claim"]["source"]["publisher"])
    expect(item.locator(".source-line")).to_contain_text(other["claim"]["source"]["published_date"])
    expect(item.locator(".relation-note")).to_contain_text(other["note"])
    counts = claim["corroboration"]["contradicting_sources"]
    expect(page.locator("#d-corroboration")).to_contain_text(f"contradicted by {counts} independent sources")
    _shot(page, "explorer-relations")

    # The contested filter: only contradicted claims, fewer than the whole list.
    page.locator("#active-filters .chip").click()  # drop the search
    expect(page.locator("#summary")).to_contain_text(f"{whole} claims")
    page.locator("#filter-contested").check()
    contested = httpx2.get(
        f"{live_server.url}/v1/claims", params={"contradicted": "true", "limit": 100}
    ).json()
    expect(page.locator("#summary")).to_contain_text(f"{contested['meta']['total']} ")
    expect(page.locator(".claim")).to_have_count(len(contested["data"]))
    assert 0 < len(contested["data"]) < whole
    expect(page.locator(f'.claim[data-id="{homegrown.id}"]')).to_be_visible()
    assert "contradicted=true" in page.url

    # A related claim opens in place: a cited source's claim shows its citation, no article quote.
    item.locator(".related-open").click()
    expect(page.locator("#d-statement")).to_have_text(other["claim"]["statement"])
    expect(page.locator("#d-cited")).to_contain_text(other["claim"]["source"]["publisher"])
    expect(page.locator("#d-text")).to_be_hidden()
    _shot(page, "explorer-cited-claim")
    assert browser.outside == []
    assert browser.console_errors == []


def _orphaning(claim_id: str) -> object:
    """A route handler that answers the API's real JSON with `claim_id` shown orphaned in version 1."""

    def orphan(claim: dict[str, object]) -> None:
        if claim.get("id") == claim_id and isinstance(claim.get("anchor"), dict):
            claim["anchor"] = {**claim["anchor"], "status": "orphaned", "document_version": 1}  # type: ignore[dict-item]

    def handle(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        for claim in body.get("data", [body]) if isinstance(body, dict) else []:
            orphan(claim)
        route.fulfill(response=response, json=body)

    return handle


def test_explorer_marks_an_orphaned_claim(browser: Browser, page: Page, live_server: LiveServer) -> None:
    # The seed has no orphan (its text has one version): the API's answers are rewritten to show one.
    claim = httpx2.get(f"{live_server.url}/v1/claims/pkit-001").json()
    handler = _orphaning("pkit-001")
    page.route("**/v1/claims?*", handler)  # type: ignore[arg-type]
    page.route("**/v1/claims/pkit-001", handler)  # type: ignore[arg-type]
    page.goto("/")
    item = page.locator('.claim[data-id="pkit-001"]')
    expect(item.locator(".orphaned")).to_contain_text("Orphaned")
    expect(page.locator('.claim[data-id="pkit-002"] .orphaned')).to_have_count(0)
    item.click()
    expect(page.locator("#d-orphaned")).to_be_visible()
    expect(page.locator("#d-orphaned")).to_contain_text("version 1")
    expect(page.locator("#quote")).to_have_text(claim["quote"])
    _shot(page, "explorer-orphaned")
    assert not browser.console_errors, browser.console_errors
    assert not browser.outside


def test_explorer_filters_by_date_and_shows_figures_with_their_units(
    browser: Browser, page: Page, live_server: LiveServer
) -> None:
    # The Uber-Careem agreement (2019-03-26) states US$3.1 billion; its completion (2020-01) starts later.
    agreement = httpx2.get(f"{live_server.url}/v1/claims/uber-to-acquire-careem-associated-press-2019").json()
    figure = next(q for q in agreement["quantities"] if q["unit"] == "USD" and q["amount"] == 3.1e9)
    as_of = httpx2.get(f"{live_server.url}/v1/claims", params={"as_of": "2019-06-01", "limit": 100}).json()
    held = {claim["id"] for claim in as_of["data"]}
    assert agreement["id"] in held
    assert "uber-completed-careem-acquisition-wikipedia" not in held

    page.goto("/")
    page.locator("#as-of").fill("2019-06-01")
    expect(page.locator("#summary")).to_contain_text(
        f"{as_of['meta']['total']} claims known to hold as of 2019-06-01"
    )
    expect(page.locator("#summary")).to_contain_text(f"{as_of['meta']['undated_left_out']} undated left out")
    expect(page.locator(".claim")).to_have_count(len(as_of["data"]))
    expect(page.locator('.claim[data-id="uber-completed-careem-acquisition-wikipedia"]')).to_have_count(0)
    assert "as_of=2019-06-01" in page.url
    item = page.locator(f'.claim[data-id="{agreement["id"]}"]')
    expect(item.locator(".measures-line")).to_contain_text("Since 2019-03-26")
    expect(item.locator(".measures-line")).to_contain_text("USD 3.1B")
    # Facet counts follow the date too: the kinds add up to the list.
    counts = page.locator("#facet-kind .count").all_inner_texts()
    assert sum(int(count) for count in counts if count) == as_of["meta"]["total"]

    item.click()
    expect(page.locator("#d-validity")).to_have_text("Since 2019-03-26")
    expect(page.locator("#d-figures")).to_contain_text(f"stated as “{figure['text']}”")
    _shot(page, "explorer-as-of-figures")

    # Undated claims come back when asked for; dropping the chip shows every claim again.
    page.locator("#include-undated").check()
    with_undated = httpx2.get(
        f"{live_server.url}/v1/claims", params={"as_of": "2019-06-01", "include_undated": "true", "limit": 1}
    ).json()["meta"]["total"]
    expect(page.locator("#summary")).to_contain_text(f"{with_undated} claims")
    page.locator('#active-filters .chip[data-facet="as_of"]').click()
    whole = httpx2.get(f"{live_server.url}/v1/claims", params={"limit": 1}).json()["meta"]["total"]
    expect(page.locator("#summary")).to_contain_text(f"{whole} claims, in document order")
    assert browser.console_errors == []
    assert browser.outside == []
