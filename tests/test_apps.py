"""Four small apps of the kinds people scan (tests/apps: a SAM REST API, a Serverless Framework
todo API, Terraform roots on the terraform-aws-modules/lambda module, a CDK cdk.out), written for
these tests, and the bundled examples: the text report fits 80 columns without losing its
indentation, and what it shows at the default level is at most half of what one entry per
function and finding used to be, with every critical and high finding still there."""

from __future__ import annotations

from pathlib import Path

import pytest

from faasguard.findings import Severity
from faasguard.report.grouping import PART_OF_PATH, group, summarised
from faasguard.report.text import TextReporter
from faasguard.scan import ScanOptions, ScanResult, scan

ROOT = Path(__file__).resolve().parents[1]
APPS = {
    "sam-rest": ROOT / "tests" / "apps" / "sam-rest",
    "sls-todos": ROOT / "tests" / "apps" / "sls-todos",
    "tf-lambda": ROOT / "tests" / "apps" / "tf-lambda",
    "cdk-demo": ROOT / "tests" / "apps" / "cdk-demo",
    "vulnerable-orders-app": ROOT / "examples" / "vulnerable-orders-app",
    "fixed-orders-app": ROOT / "examples" / "fixed-orders-app",
}
# What faasguard 0.1.0 (main at 93ba85d, before issue 12) listed at the default level for each:
# one entry per finding and function (the findings of its JSON report, 2026-12-01).
BEFORE = {
    "sam-rest": 35, "sls-todos": 53, "tf-lambda": 28, "cdk-demo": 22, "vulnerable-orders-app": 71, "fixed-orders-app": 2,
}
# What the default text report shows now (shown_items, 2026-12-01): root causes merged, attack paths
# listing their links, rules at the same line under one another, low monitoring one line per rule.
# The vulnerable example shows one block more since FG-NET-010 (its API has no WAF web ACL), issue 11;
# tf-lambda one more for FG-IAM-043 (a role more powerful than its code needs), issue 10.
AFTER = {
    "sam-rest": 12, "sls-todos": 13, "tf-lambda": 9, "cdk-demo": 8, "vulnerable-orders-app": 35, "fixed-orders-app": 1,
}


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict[str, ScanResult]:
    no_db = tmp_path_factory.mktemp("advisories") / "none"
    return {name: scan(path, ScanOptions(jobs=1, advisory_db=no_db)) for name, path in APPS.items()}


def shown_items(result: ScanResult) -> int:
    """What the default text report asks a reader to look at: an attack path each (its links listed
    under it), a block per rule in each section (one line per place inside, what else fires at that
    line under it), a line per summarised monitoring rule."""
    groups = group(result.findings)
    paths = [g for g in groups if g.via == PART_OF_PATH]
    leads = [g.lead for g in groups if g.via != PART_OF_PATH]
    blocks = {(f.severity >= Severity.HIGH, f.rule_id) for f in leads if not summarised(f)}
    return len(paths) + len(blocks) + len({f.rule_id for f in leads if summarised(f)})


@pytest.mark.parametrize("name", sorted(APPS))
def test_text_fits_80_columns_and_keeps_its_indentation(results, name):
    text = TextReporter(width=80).format(results[name])
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    end = next(i for i, line in enumerate(lines) if line.startswith(("warning:", "error:", "┏")) or "findings in" in line)
    body = lines[:end]
    for line in body:
        # a finding's lines, wrapped or not, stay under their heading
        assert not line or line.startswith("  ") or line.endswith(")"), line
    notes = lines[end:next(i for i, line in enumerate(lines) if "findings in" in line or line.startswith("┏"))]
    for line in notes:
        # a wrapped warning hangs under its text, not at the margin
        assert not line or line.startswith(("warning: ", "error: ", " " * len("error: "))), line


@pytest.mark.parametrize("name", sorted(APPS))
def test_default_view_halves_and_loses_no_critical_or_high(results, name):
    result = results[name]
    before, shown = BEFORE[name], shown_items(result)
    assert shown * 2 <= before, f"{name}: {shown} items shown for {before} per-function findings"
    assert shown <= AFTER[name], f"{name}: {shown} items shown, {AFTER[name]} when last measured"
    lines = TextReporter(width=400).format(result).splitlines()
    for f in result.findings:
        if f.severity >= Severity.HIGH:
            assert any(_shows(lines, i, f) for i in range(len(lines))), f"{f.rule_id} at {f.path}:{f.line} not shown"


def _shows(lines: list[str], i: int, f) -> bool:
    """Line i names the finding's place, with its rule id on the line, on its block's heading, or on
    an "also here" line under that place."""
    place = f"{f.path}:{f.line}" if f.line else f.path
    if place not in lines[i]:
        return False
    if f.rule_id in lines[i]:
        return True
    head = next((line for line in reversed(lines[:i]) if _is_head(line)), "")
    under = []
    for line in lines[i + 1:]:
        if _is_head(line) or not line.startswith("  "):
            break
        under.append(line)
    return f.rule_id in head or any(line.lstrip().startswith("also here:") and f.rule_id in line for line in under)


def _is_head(line: str) -> bool:
    return line.startswith("  ") and not line.startswith("   ")


def test_the_apps_exercise_what_the_study_saw(results):
    sls = results["sls-todos"]
    [runtime] = [f for f in sls.findings if f.rule_id == "FG-SUP-001"]
    assert runtime.functions == ("create", "delete", "get", "list", "update")
    assert runtime.remediation.startswith("Set provider.runtime to nodejs")
    sam = results["sam-rest"]
    [globals_runtime] = [f for f in sam.findings if f.rule_id == "FG-SUP-001"]
    assert globals_runtime.path == "template.yaml" and len(globals_runtime.functions) == 4
    assert globals_runtime.remediation.startswith("Set Globals.Function.Runtime to python3.")
    tf = results["tf-lambda"]
    # two example roots with a module of the same name stay two functions
    names = {(f.function, f.path) for f in tf.findings if f.rule_id == "FG-SUP-001"}
    assert ("module.lambda_function", "examples/simple/main.tf") in names
    assert ("module.lambda_function", "examples/with-dlq/main.tf") in names
