"""The HTML report as a file: self-contained, escaped, complete without its script.

How it behaves in a browser (filters, sorting, layout at phone width) is tested in
``test_html_browser.py``.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from faasguard import __version__
from faasguard.findings import Finding, Severity
from faasguard.interfaces import ScanOptions, ScanResult
from faasguard.report import REPORTERS
from faasguard.report.html import redact
from faasguard.scan import scan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "vulnerable-orders-app"


def scan_example() -> ScanResult:
    before = os.environ.get("FAASGUARD_ADVISORY_DB")
    os.environ["FAASGUARD_ADVISORY_DB"] = str(ROOT / "examples" / "advisories")
    try:
        return scan(EXAMPLE, ScanOptions(jobs=1))
    finally:
        if before is None:
            del os.environ["FAASGUARD_ADVISORY_DB"]
        else:
            os.environ["FAASGUARD_ADVISORY_DB"] = before


@pytest.fixture(scope="module")
def example() -> ScanResult:
    return scan_example()


@pytest.fixture(scope="module")
def page(example) -> str:
    return REPORTERS["html"](generated="2026-12-01 08:00 UTC").format(example)


def test_head_has_viewport_and_a_policy_that_forbids_the_network(page):
    assert page.startswith("<!doctype html>")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    csp = html.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1))
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", csp)
    # Nothing is loaded: no src=, no stylesheet link, no @import or url() in the style.
    assert not re.search(r"\ssrc=|<link\b|@import|url\(", page)


def test_scan_path_date_version_and_counts(example, page):
    assert str(EXAMPLE) in page and "2026-12-01 08:00 UTC" in page and f"<dd>{__version__}</dd>" in page
    assert page.count('<article class="finding') == len(example.findings)
    assert "<h2>Contents</h2>" in page and 'href="#attack-paths"' in page


def test_attack_paths_come_before_the_other_findings(example, page):
    attack, rest = page.index('id="attack-paths"'), page.index('id="findings"')
    assert attack < rest
    paths_section = page[attack:rest]
    n_paths = sum(f.category == "attack-path" for f in example.findings)
    assert n_paths and paths_section.count('data-category="attack-path"') == n_paths


def test_each_finding_has_snippet_fix_rule_link_and_cwe(page):
    card = re.search(r'<article class="finding sev-critical"[^>]*data-rule="FG-INJ-010".*?</article>', page, re.S).group(0)
    assert 'class="snippet"' in card and "cursor.execute(" in card
    assert '<span class="line hit"><span class="ln">21</span>' in card
    assert "<strong>Fix:</strong> Use a parameterised query" in card
    assert 'href="https://github.com/faasguard/faasguard/blob/main/docs/rules.md#fg-inj-010"' in card
    assert '<a href="https://cwe.mitre.org/data/definitions/89.html">CWE-89</a>' in card


def test_filters_are_offered_for_what_the_report_holds(example, page):
    form = page[page.index('<form id="filters"') : page.index("</form>")]
    assert " hidden " in form.split(">", 1)[0] + " ", "without the script the (useless) filter bar stays hidden"
    for category in {f.category for f in example.findings}:
        assert f'<option value="{category}">{category}</option>' in form
    assert '<option value="CreateOrderFunction">CreateOrderFunction (' in form
    assert 'id="filter-text" type="search"' in form and '<select id="sort">' in form


def test_values_from_scanned_files_are_escaped(example):
    hostile = replace(
        example.findings[0],
        message='</article><script>alert(1)</script><img src=x onerror="alert(2)">',
        function='"><svg onload=alert(3)>',
    )
    page = REPORTERS["html"]().format(replace(example, findings=[hostile]))
    assert "<script>alert(1)" not in page and "<img src=x" not in page and "<svg onload" not in page
    assert "&lt;/article&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'data-function="&#34;&gt;&lt;svg onload=alert(3)&gt;"' in page
    assert page.count("<script>") == 1


def test_credentials_never_reach_the_page(tmp_path):
    key = "AKIA" + "Z7QRSTUVWXYZ2345"
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq3tB8uA5d"
    assert redact(f'aws_access_key_id = "{key}"') == 'aws_access_key_id = "AKIA…(20 chars)"'
    assert secret not in redact(f"  DB_PASSWORD: {secret}")
    assert redact("  Handler: app.handler") == "  Handler: app.handler"
    (tmp_path / "config.yaml").write_text(f"a: 1\nDB_PASSWORD: {secret}\nb: 2\nc: 3\n")
    finding = Finding("FG-SEC-002", "secrets", Severity.MEDIUM, "t", "m", "config.yaml", 3, 3, None, None, "fix")
    result = ScanResult(tmp_path, 1, [], [finding], [], [], 0.0)
    page = REPORTERS["html"]().format(result)
    assert secret not in page and "DB_PASSWORD: " in page and 'class="snippet"' in page
    # The findings about the credential itself show no snippet at all.
    literal = replace(finding, rule_id="FG-SEC-010", line=2, end_line=2)
    page = REPORTERS["html"]().format(replace(result, findings=[literal]))
    assert 'class="snippet"' not in page and "snippet withheld" in page


def test_missing_source_means_no_snippet_not_an_error(tmp_path):
    finding = Finding("FG-MON-001", "monitoring", Severity.LOW, "t", "m", "gone.yaml", 3, 3, None, "Fn", "fix")
    page = REPORTERS["html"]().format(ScanResult(tmp_path, 1, [], [finding], [], [], 0.0))
    assert 'class="snippet"' not in page and "gone.yaml:3" in page


def test_a_clean_scan_says_so(tmp_path):
    page = REPORTERS["html"]().format(ScanResult(tmp_path, 3, [], [], [], [("advisories", "advisory database missing")], 0.0))
    assert "No findings." in page and "advisory database missing" in page and "<article" not in page


def test_the_cli_names_the_scanned_paths_and_the_root_they_are_relative_to(tmp_path):
    from faasguard.cli import main

    out = tmp_path / "report.html"
    code = main(["scan", str(EXAMPLE), "--format", f"html:{out}", "--quiet", "--jobs", "1",
                 "--advisory-db", str(ROOT / "examples" / "advisories")])
    page = out.read_text()
    assert code == 1
    assert f'<dt>Scanned</dt><dd class="loc">{EXAMPLE}</dd>' in page
    assert "<dt>Root</dt>" in page and 'class="snippet"' in page


def test_a_huge_report_keeps_snippets_for_the_most_severe_findings_only(example, monkeypatch):
    import faasguard.report.html as html_report

    monkeypatch.setattr(html_report, "MAX_SNIPPETS", 3)
    page = REPORTERS["html"]().format(example)
    assert page.count('class="snippet"') == 3
    assert page.count("no snippet: the report holds more than 3 findings") >= len(example.findings) - 3 - 5
    assert "content-visibility: auto" in page, "off-screen cards are not laid out"


def test_a_scan_under_the_home_directory_is_shown_from_home(tmp_path, monkeypatch):
    """A report is shared (a CI artifact): the scanned path under the user's home is ``~/…``, never spelled out."""
    from faasguard.cli import main

    home = tmp_path / "home" / "alice"
    repo = home / "src" / "orders"
    repo.mkdir(parents=True)
    (repo / "template.yaml").write_text((EXAMPLE / "template.yaml").read_text())
    monkeypatch.setenv("HOME", str(home))
    out = tmp_path / "report.html"
    main(["scan", str(repo), "--format", f"html:{out}", "--quiet", "--jobs", "1", "--no-cache"])
    page = out.read_text()
    assert '<dt>Scanned</dt><dd class="loc">~/src/orders</dd>' in page
    assert str(home) not in page
