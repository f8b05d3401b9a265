"""The command line as a CI pipeline sees it: formats, files, filters and exit codes."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

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
    # paths start at the repository root, so SARIF and JSON line up with the repository's files
    yaml_paths = {f["path"] for f in report["findings"] if f["path"].endswith(".yaml")}
    assert yaml_paths == {"examples/vulnerable-orders-app/template.yaml"}


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


def test_the_command_leaves_at_once_with_everything_written(tmp_path):
    """``faasguard`` ends with os._exit after main(): the text report on a pipe, the JSON file, the
    parse cache and the exit code must all be complete by then."""
    out, cache = tmp_path / "report.json", tmp_path / "cache"
    args = [sys.executable, "-m", "faasguard", "scan", str(VULNERABLE), "--format", "text",
            "--format", f"json:{out}", "--cache-dir", str(cache)]
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(out.read_text())
    assert report["findings"]
    assert re.search(r"^exit 1: \d+ findings at or above", proc.stdout, re.M)  # the text report's last line
    for finding in report["findings"][:5]:
        assert finding["rule_id"] in proc.stdout
    entries = sqlite3.connect(next(cache.rglob("*.sqlite*"))).execute("SELECT count(*) FROM entries").fetchone()[0]
    assert entries > 0


# --- output, filters and exit codes as a CI job sees them ---------------------------------------


def test_min_severity_filters_every_format_but_fail_on_decides_the_exit(capsys, tmp_path):
    _, full = run_json(capsys, str(VULNERABLE))
    code, shown = run_json(capsys, str(VULNERABLE), "--min-severity", "HIGH", "--fail-on", "medium")
    assert code == 1
    assert shown["findings"] and {f["severity"] for f in shown["findings"]} <= {"high", "critical"}
    assert len(shown["findings"]) < len(full["findings"])
    sarif = tmp_path / "out.sarif"
    main(["scan", str(VULNERABLE), "--quiet", "--min-severity", "critical", "--format", f"sarif:{sarif}"])
    capsys.readouterr()
    levels = {r["level"] for r in json.loads(sarif.read_text())["runs"][0]["results"] if "suppressions" not in r}
    assert levels == {"error"}


def test_text_summary_says_why_the_exit_code_and_what_is_hidden(capsys):
    code = main(["scan", str(VULNERABLE), "--quiet", "--min-severity", "high"])
    out = capsys.readouterr().out
    assert code == 1
    assert re.search(r"^exit 1: \d+ findings at or above high$", out, re.M)
    assert re.search(r"^\d+ findings below high not shown \(--min-severity\)$", out, re.M)
    assert main(["scan", str(FIXED), "--quiet"]) == 0
    assert "exit 0: no finding at or above high" in capsys.readouterr().out


def test_text_leads_with_attack_paths_and_folds_low_monitoring(capsys):
    main(["scan", str(VULNERABLE), "--quiet"])
    out = capsys.readouterr().out
    headings = [line for line in out.splitlines() if line and not line.startswith(" ")]
    assert headings[0].startswith("Attack paths") and headings[1].startswith("Critical and high")
    assert re.search(r"^  FG-MON-003: \d+ functions?: ", out, re.M)
    main(["scan", str(VULNERABLE), "--quiet", "--verbose"])
    verbose = capsys.readouterr().out
    assert "Monitoring, low" not in verbose and re.search(r"^  LOW +FG-MON-003", verbose, re.M)


def test_piped_text_is_never_hard_wrapped(capsys):
    main(["scan", str(VULNERABLE), "--quiet"])
    lines = capsys.readouterr().out.splitlines()
    # one finding's message stays on one line, whatever its length, so grep finds it whole
    assert any(len(line) > 120 for line in lines)
    assert not any(line.endswith(" ") for line in lines)


def test_no_color_and_non_tty():
    from faasguard.cli import _color

    class Tty:
        def isatty(self) -> bool:
            return True

    assert _color(Tty()) is True or os.environ.get("NO_COLOR")
    os.environ["NO_COLOR"] = "1"
    try:
        assert _color(Tty()) is False
    finally:
        del os.environ["NO_COLOR"]
    assert _color(io.StringIO()) is False


def test_several_outputs_in_one_run_and_a_summary_on_stderr(capsys, tmp_path):
    sarif, report, junit = tmp_path / "r.sarif", tmp_path / "report.txt", tmp_path / "out" / "r.xml"
    # -o pairs with the formats that have no file, in order; an extra -o takes its format from the extension
    code = main(["scan", str(VULNERABLE), "--format", f"sarif:{sarif}", "--format", "json", "-o", str(report),
                 "-o", str(junit)])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert json.loads(report.read_text())["findings"]
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    assert junit.read_text().startswith("<?xml")
    [summary] = [line for line in err.splitlines() if line.startswith("faasguard: ")]
    assert re.match(r"faasguard: \d+ findings \(\d+ critical, .*\); exit 1: \d+ findings at or above high; wrote ", summary)
    assert f"sarif → {sarif}" in summary and f"json → {report}" in summary and f"junit → {junit}" in summary
    main(["scan", str(VULNERABLE), "--format", f"sarif:{sarif}", "--format", "text"])
    assert capsys.readouterr().out.startswith("Attack paths")  # the text report still goes to stdout
    assert main(["scan", str(VULNERABLE), "--format", "json", "--format", "text"]) == 2
    assert "only one report can go to stdout" in capsys.readouterr().err
    assert main(["scan", str(VULNERABLE), "--output-format", "yaml"]) == 2
    assert "unknown format yaml" in capsys.readouterr().err


def test_fail_on_and_category_are_case_insensitive(capsys):
    code, report = run_json(capsys, str(VULNERABLE), "--fail-on", "CRITICAL", "--category", "IAM")
    assert code == 1 and {f["category"] for f in report["findings"]} == {"iam"}


def test_write_baseline_exits_0_and_the_next_run_is_clean(capsys, tmp_path):
    baseline = tmp_path / "baseline.json"
    assert main(["scan", str(VULNERABLE), "--write-baseline", str(baseline)]) == 0
    assert "wrote a baseline of" in capsys.readouterr().err
    code = main(["scan", str(VULNERABLE), "--quiet", "--baseline", str(baseline)])
    out = capsys.readouterr().out
    assert code == 0
    assert re.search(r"^\d+ suppressed \(baseline \d+\)$", out, re.M)


def test_fail_on_unchecked_makes_missing_advisories_fail(capsys, tmp_path):
    missing = tmp_path / "no-db"
    base = ["scan", str(FIXED), "--quiet", "--fail-on", "none", "--advisory-db", str(missing), "--format", "json"]
    assert main(base) == 0
    capsys.readouterr()
    assert main([*base, "--fail-on-unchecked"]) == 1
    capsys.readouterr()
    code = main(["scan", str(FIXED), "--fail-on", "none", "--advisory-db", str(missing), "--fail-on-unchecked"])
    out = capsys.readouterr().out
    assert code == 1 and "exit 1: some dependencies could not be checked (--fail-on-unchecked)" in out
    assert "NO dependency was checked" in out


def test_several_paths_and_same_named_functions_stay_apart(capsys, tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "serverless.yml").write_text(
            "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"
            "functions:\n  create:\n    handler: app.create\n    events:\n      - http: {path: x, method: post}\n"
        )
    _, report = run_json(capsys, str(tmp_path / "a"), str(tmp_path / "b"))
    assert report["scanned"]["files"] == 2
    noauth = sorted(f["path"] for f in report["findings"] if f["rule_id"] == "FG-INJ-001")
    assert noauth == ["a/serverless.yml", "b/serverless.yml"]
    main(["scan", str(tmp_path / "a"), str(tmp_path / "b"), "--quiet", "--verbose"])
    out = capsys.readouterr().out
    assert "Function create · a/serverless.yml" in out and "Function create · b/serverless.yml" in out


def test_exclude_has_gitignore_semantics_and_warns_when_it_matches_nothing(capsys, tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "requirements.txt").write_text("requests\n")
    (tmp_path / "requirements.txt").write_text("requests==2.32.3\n")
    _, report = run_json(capsys, str(tmp_path), "--exclude", "tests", "--exclude", "nothing-here/")
    assert {f["path"] for f in report["findings"]} <= {"requirements.txt"}
    warnings = [w["message"] for w in report["warnings"]]
    assert any("pattern 'nothing-here/' matched nothing" in w for w in warnings)
    assert not any("pattern 'tests'" in w for w in warnings)
    _, kept = run_json(capsys, str(tmp_path))
    assert "tests/requirements.txt" in {f["path"] for f in kept["findings"]}


def test_today_pins_runtime_deprecation(capsys, tmp_path):
    (tmp_path / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.9\nfunctions:\n  one:\n    handler: app.one\n"
    )

    def runtime_findings(day: str) -> list[dict]:
        _, report = run_json(capsys, str(tmp_path), "--rule", "FG-SUP-001", "--today", day)
        return report["findings"]

    assert runtime_findings("2025-01-01") == []  # more than six months before 2025-12-15
    [low] = runtime_findings("2025-08-01")
    [medium] = runtime_findings("2025-10-01")
    [high] = runtime_findings("2026-01-01")
    assert (low["severity"], medium["severity"], high["severity"]) == ("low", "medium", "high")
    assert "2025-12-15 (in 136 days)" in low["message"]
    with pytest.raises(SystemExit):  # argparse: a usage error, exit 2
        main(["scan", str(tmp_path), "--today", "next tuesday"])
    assert "expected a date YYYY-MM-DD" in capsys.readouterr().err


def test_refreshing_a_baseline_keeps_what_the_old_one_held(capsys, tmp_path):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    assert main(["scan", str(VULNERABLE), "--write-baseline", str(old), "--quiet"]) == 0
    assert main(["scan", str(VULNERABLE), "--baseline", str(old), "--write-baseline", str(new), "--quiet"]) == 0
    capsys.readouterr()
    assert len(json.loads(new.read_text())["findings"]) == len(json.loads(old.read_text())["findings"]) > 0


def test_show_facts_without_json_says_so(capsys):
    main(["scan", str(FIXED), "--quiet", "--show-facts"])
    assert "--show-facts adds to the JSON report only" in capsys.readouterr().err
    main(["scan", str(FIXED), "--quiet", "--show-facts", "--format", "json"])
    out, err = capsys.readouterr()
    assert "--show-facts" not in err and "functions" in json.loads(out)


def test_progress_goes_on_after_loading_until_stopped(capsys):
    from faasguard.cli import _Progress

    progress = _Progress()
    assert progress.factory(5) is None  # small scans get no bar
    advance = progress.factory(20)
    assert advance is not None
    advance(20)
    [bar] = progress.bars
    assert [t.description for t in bar.tasks if t.visible] == ["analysing code and running rules"]
    progress.stop()
    assert progress.bars == []
    capsys.readouterr()


def test_the_command_leaves_after_the_report_without_a_collection(tmp_path, monkeypatch):
    """``faasguard scan`` ends the process when the report is written: the collector, paused for the scan,
    is not turned on again for a first pass over every object the scan made."""
    import gc
    import json
    import sys

    from faasguard import cli

    project = tmp_path / "p"
    (project / "src").mkdir(parents=True)
    (project / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    (project / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      CodeUri: src/\n      Handler: app.handler\n      Runtime: python3.12\n"
        "      Policies:\n        - Statement:\n            - Effect: Allow\n"
        "              Action: '*'\n              Resource: '*'\n"
    )
    report = tmp_path / "report.json"
    argv = ["faasguard", "scan", str(project), "-q", "--no-cache", "--format", "json", "-o", str(report), "--fail-on", "high"]
    monkeypatch.setattr(sys, "argv", argv)
    codes: list[int] = []
    monkeypatch.setattr(cli.os, "_exit", codes.append)
    try:
        cli.run()
        left_on = gc.isenabled()
    finally:
        gc.enable()
        cli._LEAVING = False
    assert codes == [1]  # a high finding: the wildcard policy
    assert any(f["rule_id"] == "FG-IAM-001" for f in json.loads(report.read_text())["findings"])
    assert not left_on


def test_the_command_frees_the_scan_by_leaving_and_main_frees_it_at_once(tmp_path, monkeypatch):
    """``faasguard scan`` keeps what the scan made until os._exit drops it (freeing it object by object costs a big
    scan's serial time for nothing); ``main()`` called by a library user keeps nothing once it returns."""
    import gc
    import sys
    import weakref

    from faasguard import cli
    from faasguard import scan as scan_module

    made: list[weakref.ref[object]] = []
    real_scan = scan_module.scan

    def scan(*args, **kwargs):
        result = real_scan(*args, **kwargs)
        made.append(weakref.ref(result))
        return result

    monkeypatch.setattr(scan_module, "scan", scan)
    report = tmp_path / "report.json"
    argv = ["scan", str(VULNERABLE), "-q", "--no-cache", "--format", "json", "-o", str(report), "--fail-on", "none"]
    alive_at_exit: list[bool] = []
    monkeypatch.setattr(cli.os, "_exit", lambda code: alive_at_exit.append(made[-1]() is not None))
    monkeypatch.setattr(sys, "argv", ["faasguard", *argv])
    try:
        cli.run()
    finally:
        gc.enable()
        cli._LEAVING = False
        cli._KEPT.clear()
    assert alive_at_exit == [True]
    assert json.loads(report.read_text())["findings"]

    assert cli.main(argv) == 0
    gc.collect()
    assert made[-1]() is None and not cli._KEPT
