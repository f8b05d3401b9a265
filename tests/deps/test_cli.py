"""The command line: --advisory-db, --online, --sbom cyclonedx, and `advisories update`."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from faasguard.cli import main
from tests.deps.test_rules import NODE_VULNERABLE


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for name, text in NODE_VULNERABLE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_scan_with_advisory_db_reports_the_vulnerability_in_json(project, osv_db, capsys):
    code, out, _ = run(capsys, "scan", str(project), "--format", "json", "--advisory-db", str(osv_db), "-q",
                       "--rule", "FG-SUP-010")
    report = json.loads(out)
    [finding] = report["findings"]
    assert finding["rule_id"] == "FG-SUP-010" and finding["function"] == "Api" and finding["line"] == 12
    assert [w for w in report["warnings"] if w["path"] == "advisories"] == []
    assert code == 1


def test_missing_db_is_a_warning_in_json_sarif_and_text(project, tmp_path, capsys):
    missing = str(tmp_path / "no-db")
    _, out, _ = run(capsys, "scan", str(project), "--format", "json", "--advisory-db", missing, "--category", "supply-chain")
    report = json.loads(out)
    assert any("NO dependency was checked" in w["message"] for w in report["warnings"])
    assert any(f["rule_id"] == "FG-SUP-012" for f in report["findings"])
    _, out, _ = run(capsys, "scan", str(project), "--format", "sarif", "--advisory-db", missing, "--category", "supply-chain")
    notes = json.loads(out)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(n["level"] == "warning" and "NO dependency was checked" in n["message"]["text"] for n in notes)
    _, out, _ = run(capsys, "scan", str(project), "--advisory-db", missing, "--category", "supply-chain")
    text = " ".join(out.split())  # the terminal reporter wraps long lines
    assert "NO dependency was checked" in text and "No findings" not in text


def test_sbom_cyclonedx(project, osv_db, tmp_path, capsys):
    target = tmp_path / "out" / "sbom.json"
    run(capsys, "scan", str(project), "--advisory-db", str(osv_db), "--sbom", "cyclonedx", str(target), "-q", "--format", "json")
    bom = json.loads(target.read_text())
    assert bom["bomFormat"] == "CycloneDX" and bom["specVersion"] == "1.6"
    refs = {c["bom-ref"]: c for c in bom["components"]}
    assert refs["pkg:npm/lodash@4.17.15"]["purl"] == "pkg:npm/lodash@4.17.15"
    [edge] = [d for d in bom["dependencies"] if d["ref"] == "function:template.yaml#Api"]
    assert edge["dependsOn"] == ["pkg:npm/lodash@4.17.15"]
    props = {p["name"]: p["value"] for p in refs["pkg:npm/lodash@4.17.15"]["properties"]}
    assert props["faasguard:advisories"] == "GHSA-p6mc-m468-83gw"


def test_unknown_sbom_format_is_a_usage_error(project, capsys):
    code, _, err = run(capsys, "scan", str(project), "--sbom", "spdx", "x.json")
    assert code == 2 and "cyclonedx" in err


def test_advisories_update_then_scan_offline(project, osv_server, tmp_path, capsys):
    db = tmp_path / "db"
    code, out, _ = run(capsys, "advisories", "update", "--advisory-db", str(db), "--base-url", osv_server.url)
    assert code == 0 and "npm: 3 advisories installed" in out and "PyPI: 4 advisories installed" in out
    _, out, _ = run(capsys, "scan", str(project), "--format", "json", "--advisory-db", str(db), "-q")
    assert [f["resource"] for f in json.loads(out)["findings"] if f["rule_id"] == "FG-SUP-010"] == ["lodash@4.17.15"]


def test_advisories_update_failure_exits_2(tmp_path, capsys):
    code, _, err = run(capsys, "advisories", "update", "--advisory-db", str(tmp_path / "db"), "--base-url", "http://127.0.0.1:9")
    assert code == 2 and "could not be downloaded" in err


def test_scan_online_against_local_api(project, osv_server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # the online cache lives under ~/.cache
    _, out, _ = run(capsys, "scan", str(project), "--format", "json", "--online", "--osv-api", osv_server.url, "-q")
    report = json.loads(out)
    assert [f["resource"] for f in report["findings"] if f["rule_id"] == "FG-SUP-010"] == ["lodash@4.17.15"]
    assert "POST /v1/querybatch" in osv_server.requests
    assert (tmp_path / "home" / ".cache" / "faasguard" / "osv-online").is_dir()
