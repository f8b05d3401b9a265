"""``--format markdown``: a pull-request comment with counts, top findings and collapsible details.

Regenerate the golden file after an intended change with ``FAASGUARD_UPDATE_GOLDEN=1 pytest tests/report``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from faasguard.interfaces import ScanOptions, ScanResult
from faasguard.report import REPORTERS
from faasguard.report.markdown import MARKER
from faasguard.scan import scan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "vulnerable-orders-app"
GOLDEN = Path(__file__).parent / "golden" / "vulnerable-orders-app.md"


@pytest.fixture(scope="module")
def example() -> ScanResult:
    before = os.environ.get("FAASGUARD_ADVISORY_DB")
    os.environ["FAASGUARD_ADVISORY_DB"] = str(ROOT / "examples" / "advisories")
    try:
        result = scan(EXAMPLE, ScanOptions(jobs=1))
    finally:
        if before is None:
            del os.environ["FAASGUARD_ADVISORY_DB"]
        else:
            os.environ["FAASGUARD_ADVISORY_DB"] = before
    result.duration_s = 0.0
    return result


def render(result: ScanResult, **options: object) -> str:
    return REPORTERS["markdown"](**options).format(result)


def test_golden(example):
    rendered = render(example)
    if os.environ.get("FAASGUARD_UPDATE_GOLDEN"):
        GOLDEN.write_text(rendered)
    assert rendered == GOLDEN.read_text(), "markdown output changed; see the module docstring to update"


def test_counts_top_findings_then_collapsible_details(example):
    page = render(example)
    assert page.startswith(MARKER + "\n### faasguard ")
    assert f": {len(example.findings)} findings" in page
    top = page[page.index("**Top 10**") : page.index("<details>")]
    rows = [line for line in top.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 10
    assert "FG-ATK-001" in rows[0] and "critical" in rows[0], "attack paths lead the top findings"
    assert not any("🔵 low" in row for row in rows), "the top findings are the most severe ones"
    details = page[page.index("<details>") : page.index("</details>")]
    assert details.count("\n#### ") == len(example.findings)
    assert "**Fix:**" in details and "[CWE-89](https://cwe.mitre.org/data/definitions/89.html)" in details
    assert "[rule docs](https://github.com/faasguard/faasguard/blob/main/docs/rules.md#fg-inj-010)" in details
    assert "| injection |" in page and "| attack-path |" in page


def test_text_from_scanned_files_cannot_inject_markup(example):
    hostile = replace(
        example.findings[0],
        message="</details><img src=x onerror=alert(1)> | @octocat [x](javascript:alert(1)) `tick`",
        path="src/`odd`<b>.py",
    )
    page = render(replace(example, findings=[hostile]))
    assert "</details><img" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;/details&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\\| @\u200boctocat \\[x\\](javascript:alert(1))" in page
    assert page.count("<details>") == page.count("</details>") == 1
    assert "<code>src/`odd`&lt;b&gt;.py:" in page


def test_long_reports_stay_under_the_comment_limit_and_say_what_was_left_out(example):
    page = render(example, max_chars=12_000)
    assert len(page) <= 12_000
    match = re.search(r"\*(\d+) more findings left out to keep this comment under 12,000 characters", page)
    assert match, page[-500:]
    shown = page[page.index("<details>") :].count("\n#### ")
    assert shown + int(match.group(1)) == len(example.findings)


def test_full_report_fits_by_default(example):
    assert "left out" not in render(example)


def test_no_findings_and_warnings(example):
    warning = ("advisories", "advisory database does not exist: NO dependency was checked")
    clean = replace(example, findings=[], warnings=[warning])
    page = render(clean)
    assert "### faasguard" in page and ": 0 findings" in page and "No findings in " in page
    assert "<details>" not in page
    assert "advisory database does not exist: NO dependency was checked" in page


def test_cli_writes_markdown(tmp_path):
    out = tmp_path / "comment.md"
    proc = subprocess.run(
        [sys.executable, "-m", "faasguard", "scan", str(EXAMPLE), "--format", "markdown", "-o", str(out), "-q",
         "--advisory-db", str(ROOT / "examples" / "advisories")],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    assert proc.returncode == 1, proc.stderr
    assert out.read_text().startswith(MARKER)
    assert f"<code>{EXAMPLE}</code>: " in out.read_text(), "the comment names the scanned path"


def test_many_warnings_and_unreadable_files_are_counted_not_listed(example):
    noisy = replace(
        example,
        warnings=[(f"svc{i}/requirements.txt", "2 packages could NOT be checked") for i in range(300)],
        errors=[(f"svc{i}/template.yaml", "line 4: did not find expected key") for i in range(40)],
    )
    page = render(noisy, max_chars=20_000)
    assert len(page) <= 20_000
    assert "svc9/requirements.txt" in page and "svc10/requirements.txt" not in page
    assert "- … and 290 more (see the full report)" in page and "- … and 30 more (see the full report)" in page


def test_merged_findings_name_their_functions_and_paths_their_links(example):
    page = render(example)
    merged = next(f for f in example.findings if len(f.functions) > 1)
    names = ", ".join(merged.functions)
    top = page[page.index("**Top 10**") : page.index("<details>")]
    assert f"| {names} |" in top or merged.rule_id not in top, "the function column lists every function"
    # in the details: "Affects 2 functions: AdminFunction (template.yaml:104), ReceiptFunction (template.yaml:90)"
    prefix = f"Affects {len(merged.functions)} functions: "
    assert any(x.startswith(prefix) and all(n in x for n in merged.functions) for x in page.splitlines())
    line = next(x for x in page.splitlines() if x.startswith(prefix))
    assert re.search(r"\(<code>template\.yaml:\d+</code>\)", line)

    # an attack path's row says what it is made of; those findings are not rows of their own
    rows = [x for x in top.splitlines() if x.startswith("| ") and "---" not in x][1:]
    path_rows = [r for r in rows if "FG-ATK-001" in r]
    assert path_rows and all(" — made of " in r for r in path_rows)
    assert not any("FG-INJ-010" in r.split("|")[2] for r in rows), "a link of a path has no row of its own"
    assert "Made of 10 findings, each also listed here:" in page  # FG-IAM-043 at the statement joined it
    assert page.count("Part of the attack path FG-ATK-001 at ") == 15
