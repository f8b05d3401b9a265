"""``faasguard audit`` and ``faasguard merge`` as a user runs them: formats, exit codes, baselines, shards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faasguard.cli import main
from tests.audit.conftest import ACCOUNT, OTHER_REGION, REGION, write

BASE = ["--no-last-accessed", "--quiet"]


def report(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.read_text(encoding="utf-8"))


def test_audit_json_report_exit_codes_and_baseline(account: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    args = ["audit", "--region", REGION, "--function", "orders-api", "--format", "json", "-o", str(out), *BASE]
    assert main(args) == 1  # high findings: the deprecated runtime, the secret in the environment
    doc = report(out)
    assert doc["schema_version"] == 1 and doc["scanned"]["functions"] == 1
    sec = [f for f in doc["findings"] if f["rule_id"] == "FG-SEC-001"]
    assert sec[0]["path"] == account["orders-api"] and sec[0]["line"] is None and sec[0]["function"] == "orders-api"
    assert main([*args[:-2], "--fail-on", "none"]) == 0
    again = tmp_path / "again.json"
    assert main(["audit", "--region", REGION, "--function", "orders-api", "--format", "json", "-o", str(again),
                 "--baseline", str(out), *BASE]) == 0
    assert report(again)["findings"] == [] and report(again)["scanned"]["suppressed"] == len(doc["findings"])


def test_audit_sarif_and_rule_selection(account: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "audit.sarif"
    assert main(["audit", "--region", REGION, "--function", "admin-fn", "--rule", "FG-IAM-003", "--format", "sarif",
                 "-o", str(out), *BASE]) == 1
    results = report(out)["runs"][0]["results"]
    assert {r["ruleId"] for r in results} == {"FG-IAM-003"}
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("role/admin-role")


def test_accounts_file_shards_and_merge(account: dict[str, str], tmp_path: Path) -> None:
    accounts = write(tmp_path / "accounts.yaml", f"""
accounts:
  - id: "{ACCOUNT}"
    role: arn:aws:iam::{ACCOUNT}:role/faasguard-audit
    regions: [{REGION}, {OTHER_REGION}]
""")
    shards = tmp_path / "shards"
    merged = tmp_path / "merged.json"
    assert main(["audit", "--accounts", str(accounts), "--shard-dir", str(shards), "--function", "thumbnail",
                 "--function", "reports", "--format", "json", "-o", str(merged), *BASE]) == 1
    files = sorted(p.name for p in shards.iterdir())
    assert files == [f"{ACCOUNT}-{OTHER_REGION}.json", f"{ACCOUNT}-{REGION}.json"]
    east, west = report(shards / files[1]), report(shards / files[0])
    assert {f["function"] for f in east["findings"]} == {"thumbnail"}
    assert {f["function"] for f in west["findings"]} == {"reports"}
    # merge: the shards give the same report as the combined run; a shard given twice adds nothing
    again = tmp_path / "again.json"
    paths = [str(shards / f) for f in files]
    assert main(["merge", *paths, paths[0], "--format", "json", "-o", str(again), "--quiet"]) == 1
    combined, remerged = report(merged), report(again)
    assert [f["fingerprint"] for f in remerged["findings"]] == [f["fingerprint"] for f in combined["findings"]]
    assert len(combined["findings"]) == len(east["findings"]) + len(west["findings"])
    assert remerged["scanned"]["functions"] == 2 + 1  # the twice-given shard's function counts twice; findings do not
    assert main(["merge", *paths, "--fail-on", "none", "--quiet"]) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("accounts: []", "expected a list of accounts"),
        ("accounts: [{id: '12', regions: [us-east-1]}]", "not a 12-digit account id"),
        ("accounts: [{id: '123456789012', role: admin}]", "not a role ARN"),
        ("accounts: [", "not valid YAML"),
    ],
)
def test_bad_accounts_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str) -> None:
    assert main(["audit", "--accounts", str(write(tmp_path / "a.yaml", text)), *BASE]) == 2
    assert message in capsys.readouterr().err


def test_merge_refuses_what_is_not_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["merge", str(write(tmp_path / "x.json", '{"findings": "no"}'))]) == 2
    assert "not a faasguard JSON report" in capsys.readouterr().err
    assert main(["merge", str(tmp_path / "missing.json")]) == 2


def test_no_credentials_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    assert main(["audit", "--region", REGION, *BASE]) == 2
    assert "cannot open a session" in capsys.readouterr().err
