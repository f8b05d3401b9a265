"""The command line as a CI pipeline sees it: formats, files, filters and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from faasguard.cli import main
from faasguard.registry import all_rules
from faasguard.rules.docs import render_markdown

ROOT = Path(__file__).resolve().parents[1]
VULNERABLE = ROOT / "examples" / "vulnerable-orders-app"
FIXED = ROOT / "examples" / "fixed-orders-app"


def run_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["scan", *args, "--format", "json", "--quiet"])
    return code, json.loads(capsys.readouterr().out)


def test_vulnerable_example_fails_the_build_in_every_category(capsys):
    code, report = run_json(capsys, str(VULNERABLE))
    assert code == 1
    categories = {f["category"] for f in report["findings"]}
    assert {"iam", "secrets", "monitoring", "injection", "supply-chain", "resources", "network"} <= categories


def test_fixed_example_has_nothing_at_medium_or_above(capsys):
    code, report = run_json(capsys, str(FIXED), "--fail-on", "medium")
    assert [(f["rule_id"], f["message"]) for f in report["findings"] if f["severity"] not in ("low", "info")] == []
    assert code == 0


def test_fail_on_thresholds(capsys):
    _, report = run_json(capsys, str(VULNERABLE))
    worst = max(("info", "low", "medium", "high", "critical").index(f["severity"]) for f in report["findings"])
    assert worst >= 3
    assert main(["scan", str(VULNERABLE), "--quiet", "--fail-on", "none", "--format", "json"]) == 0
    capsys.readouterr()
    assert main(["scan", str(VULNERABLE), "--quiet", "--fail-on", "critical", "--format", "json"]) == 1
    capsys.readouterr()


def test_category_and_rule_filters(capsys):
    _, only_net = run_json(capsys, str(VULNERABLE), "--category", "network")
    assert only_net["findings"] and {f["category"] for f in only_net["findings"]} == {"network"}
    _, no_iam = run_json(capsys, str(VULNERABLE), "--skip-category", "iam,secrets")
    assert not {f["category"] for f in no_iam["findings"]} & {"iam", "secrets"}
    _, one_rule = run_json(capsys, str(VULNERABLE), "--rule", "FG-IAM-001")
    assert {f["rule_id"] for f in one_rule["findings"]} == {"FG-IAM-001"}
    _, skipped = run_json(capsys, str(VULNERABLE), "--skip-rule", "fg-iam-001")
    assert "FG-IAM-001" not in {f["rule_id"] for f in skipped["findings"]}


def test_output_file_and_sarif(tmp_path, capsys):
    out = tmp_path / "reports" / "faasguard.sarif"
    code = main(["scan", str(VULNERABLE), "--format", "sarif", "--output", str(out), "--quiet"])
    assert code == 1
    assert capsys.readouterr().out == ""
    doc = json.loads(out.read_text())
    assert doc["version"] == "2.1.0" and doc["runs"][0]["results"]


def test_usage_errors_exit_2(tmp_path, capsys):
    assert main(["scan", str(tmp_path / "missing")]) == 2
    assert main(["scan", str(VULNERABLE), "--category", "nonsense"]) == 2
    assert main(["scan", str(VULNERABLE), "--rule", "FG-NOPE-999"]) == 2
    assert main(["scan", str(tmp_path)]) == 2  # nothing to scan
    assert main(["rules", "FG-NOPE-999"]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "unknown category" in err and "nothing to scan" in err


def test_scanning_a_single_file(capsys):
    _, report = run_json(capsys, str(VULNERABLE / "template.yaml"))
    assert report["scanned"]["functions"] == 3
    assert all(f["path"] == "template.yaml" for f in report["findings"] if f["path"].endswith(".yaml"))


def test_rules_lists_every_rule_and_shows_docs(capsys):
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    rules = all_rules()
    assert len(rules) >= 35
    for r in rules:
        assert r.id in listing
    assert main(["rules", "fg-iam-001"]) == 0
    doc = capsys.readouterr().out
    assert "FG-IAM-001" in doc and "category: iam" in doc and "Fix" in doc


def test_every_rule_is_documented_and_categories_are_covered():
    rules = all_rules()
    assert {r.category for r in rules} >= {"iam", "secrets", "monitoring", "injection", "supply-chain", "resources", "network"}
    for r in rules:
        assert len(r.doc) > 80, f"{r.id} needs a real docstring"


def test_docs_rules_md_is_current():
    expected = render_markdown(all_rules())
    current = (ROOT / "docs" / "rules.md").read_text()
    assert current == expected, "docs/rules.md is stale: run `faasguard rules --format markdown > docs/rules.md`"


def test_python_dash_m_runs():
    proc = subprocess.run([sys.executable, "-m", "faasguard", "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and "faasguard" in proc.stdout
