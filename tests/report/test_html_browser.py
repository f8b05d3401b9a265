"""The HTML report in a real headless Chromium: no console errors, no request leaves the page,
filters and sorting change what is shown, and the layout fits a desktop and a 390 px phone.

Debian's ``chromium`` is driven by Playwright's Python package (``executable_path``; Playwright's
own browser download does not work offline). Screenshots go to ``$FAASGUARD_SCREENSHOTS`` when set,
else to the test's tmp dir. Without chromium the module is skipped and says why, except under CI
(``CI=true``), where .ci/run installs chromium and a skip would hide a broken report.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from faasguard.findings import Severity
from faasguard.report import REPORTERS

from .test_html import scan_example

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser test: .ci/run installs Debian's chromium", pytrace=False)
    pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra: pip install -e '.[test]'")

# As root in a sandbox with no network: no setuid sandbox, no GPU, and none of Chromium's own
# background connections (they are refused here and would show up as noise).
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
]


def affects(f) -> tuple[str, ...]:
    return f.functions or ((f.function,) if f.function else ())


@pytest.fixture(scope="module")
def example():
    return scan_example()


@pytest.fixture(scope="module")
def report(example, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(REPORTERS["html"](generated="2026-12-01 08:00 UTC").format(example), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    where = os.environ.get("FAASGUARD_SCREENSHOTS")
    path = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Page:
    """A page with everything it logged and every request it tried."""

    def __init__(self, browser, url: str, width: int, height: int) -> None:
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.on("console", lambda m: self.problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(url)

    def visible(self) -> list[dict[str, str]]:
        return self.page.eval_on_selector_all(
            "article.finding:not([hidden])",
            "cards => cards.map(c => ({rule: c.dataset.rule, category: c.dataset.category, severity: c.dataset.severity,"
            " function: c.dataset.function, path: c.dataset.path, line: c.dataset.line,"
            " functions: c.dataset.functions ? JSON.parse(c.dataset.functions) : [c.dataset.function]}))",
        )

    def shown(self) -> str:
        return self.page.inner_text("#shown")


@pytest.fixture()
def desktop(browser, report):
    page = Page(browser, report.as_uri(), 1280, 900)
    yield page
    page.page.close()


def test_loads_without_console_errors_or_network(desktop, report, shots):
    desktop.page.screenshot(path=str(shots / "report-desktop.png"))
    assert desktop.problems == []
    assert desktop.requests == [report.as_uri()], "the report must not load anything"
    assert desktop.page.is_visible("#filters"), "the script shows the filter bar"


def test_filters_change_the_visible_findings(desktop, example):
    total = len(example.findings)
    assert desktop.shown() == f"{total} of {total} findings shown"

    desktop.page.select_option("#filter-category", "iam")
    rows = desktop.visible()
    assert {r["category"] for r in rows} == {"iam"}
    assert len(rows) == sum(f.category == "iam" for f in example.findings) < total
    assert desktop.shown() == f"{len(rows)} of {total} findings shown"

    desktop.page.select_option("#filter-category", "")
    desktop.page.select_option("#filter-severity", str(int(Severity.HIGH)))
    rows = desktop.visible()
    assert len(rows) == sum(f.severity >= Severity.HIGH for f in example.findings)
    assert all(int(r["severity"]) >= Severity.HIGH for r in rows)

    # a finding merged for several functions (root_cause) is shown for each of them
    desktop.page.select_option("#filter-function", "ReceiptFunction")
    rows = desktop.visible()
    assert rows and all("ReceiptFunction" in r["functions"] for r in rows)
    assert any(len(r["functions"]) > 1 for r in rows)
    assert len(rows) == sum(f.severity >= Severity.HIGH and "ReceiptFunction" in affects(f) for f in example.findings)

    desktop.page.click("#filter-reset")
    # searching for a rule finds it and the attack path it is a link of
    desktop.page.fill("#filter-text", "fg-inj-010")
    rows = desktop.visible()
    assert [r["rule"] for r in rows] == ["FG-ATK-001", "FG-INJ-010"]
    desktop.page.fill("#filter-text", "fg-sec-004")
    assert [r["rule"] for r in desktop.visible()] == ["FG-SEC-004"]
    assert desktop.page.is_hidden("#attack-paths .empty") is False, "an emptied section says nothing matches"

    desktop.page.fill("#filter-text", "no such finding anywhere")
    assert desktop.visible() == [] and desktop.shown() == f"0 of {total} findings shown"
    desktop.page.click("#filter-reset")  # the form's reset event applies the filters once the values are reset
    sync_api.expect(desktop.page.locator("#shown")).to_have_text(f"{total} of {total} findings shown")
    assert len(desktop.visible()) == total
    assert desktop.problems == []


def test_sorting_and_the_contents_function_links(desktop, example):
    first = desktop.visible()
    assert first[0]["category"] == "attack-path"
    assert [int(r["severity"]) for r in first[2:]] == sorted((int(r["severity"]) for r in first[2:]), reverse=True)

    desktop.page.select_option("#sort", "file")
    rest = [r for r in desktop.visible() if r["category"] != "attack-path"]
    keys = [(r["path"], int(r["line"])) for r in rest]
    assert keys == sorted(keys) and keys != [(r["path"], int(r["line"])) for r in first[2:]]

    desktop.page.click('nav.toc a[data-filter-function="AdminFunction"]')
    rows = desktop.visible()
    assert all("AdminFunction" in r["functions"] for r in rows)
    assert len(rows) == sum("AdminFunction" in affects(f) for f in example.findings)
    assert desktop.page.input_value("#filter-function") == "AdminFunction"


def test_attack_path_links_and_merged_functions(desktop, example):
    """An attack path lists the findings it is made of, each a link to its own card (which links
    back); a finding merged for several functions says which, with where each is defined."""
    path = desktop.page.locator("#attack-paths article.finding").first
    links = path.locator(".parts a")
    assert links.count() >= 2
    target = links.first.get_attribute("href")
    links.first.click()
    assert desktop.page.evaluate("location.hash") == target
    card = desktop.page.locator(f"article{target}")
    assert card.is_visible() and card.locator(".part-of a").get_attribute("href") == "#" + path.get_attribute("id")

    merged = next(f for f in example.findings if len(f.functions) > 1)
    card = desktop.page.locator(f"#f-{merged.fingerprint}")
    text = " ".join((card.locator(".affects").text_content() or "").split())  # off-screen cards are not rendered
    assert f"Affects {len(merged.functions)} functions" in text
    for name in merged.functions:
        assert name in text
    related = card.locator(".related")
    shown = related.text_content() if related.count() else ""
    assert all(f"{r.path}:{r.line} {r.note}" not in (shown or "") for r in merged.related if r.note.startswith("function "))
    assert desktop.problems == []


def test_fits_a_390px_phone(browser, report, shots):
    phone = Page(browser, report.as_uri(), 390, 844)
    try:
        width = phone.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
        phone.page.screenshot(path=str(shots / "report-mobile.png"))
        phone.page.locator("#findings article.finding").first.scroll_into_view_if_needed()
        phone.page.screenshot(path=str(shots / "report-mobile-finding.png"))
        wide = phone.page.eval_on_selector_all(
            "article.finding, .table-wrap, .filters", "els => els.filter(e => e.getBoundingClientRect().right > 391).length"
        )
        assert wide == 0
        assert phone.problems == []
    finally:
        phone.page.close()


def test_hostile_text_is_shown_not_run(browser, example, tmp_path):
    hostile = replace(example.findings[0], message='<img src=x onerror="alert(1)"><script>alert(2)</script>')
    path = tmp_path / "hostile.html"
    path.write_text(REPORTERS["html"]().format(replace(example, findings=[hostile])), encoding="utf-8")
    page = Page(browser, path.as_uri(), 1024, 768)
    try:
        assert '<img src=x onerror="alert(1)">' in page.page.inner_text("article.finding .message")
        assert page.problems == [] and page.requests == [path.as_uri()]
    finally:
        page.page.close()
