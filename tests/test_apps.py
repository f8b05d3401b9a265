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
# The four real-world kinds must halve; the bundled vulnerable example triggers one finding of
# nearly every rule on purpose, so only its root causes can merge.
HALVED = {"sam-rest", "sls-todos", "tf-lambda", "cdk-demo", "fixed-orders-app"}


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


@pytest.mark.parametrize("name", sorted(APPS))
def test_default_view_halves_and_loses_no_critical_or_high(results, name):
    result = results[name]
    before, shown = BEFORE[name], shown_items(result)
    if name in HALVED:
        assert shown * 2 <= before, f"{name}: {shown} items shown for {before} per-function findings"
    else:
        assert shown < before
    text = TextReporter(width=200).format(result)
    for f in result.findings:
        if f.severity >= Severity.HIGH:
            assert f.rule_id in text and f"{f.path}:{f.line}" in text


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
