from datetime import date

from faasguard.findings import Severity
from tests.conftest import by_rule

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: {globals_runtime}
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: {runtime}
      Handler: app.handler
      CodeUri: src/
  Reports:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      CodeUri: src/
"""


def test_deprecated_runtime_is_high_at_the_runtime_line(scan_files, monkeypatch):
    monkeypatch.setenv("FAASGUARD_TODAY", "2025-01-15")
    template = TEMPLATE.format(runtime="python3.8", globals_runtime="python3.12")
    result = scan_files({"template.yaml": template}, rules={"FG-SUP-001"})
    [finding] = by_rule(result, "FG-SUP-001")
    assert finding.line == 9
    assert finding.function == "Orders"
    assert "python3.8" in finding.message and "deprecated by AWS on 2024-10-14" in finding.message
    assert finding.severity == Severity.HIGH


def test_runtime_inherited_from_globals_points_at_globals(scan_files, monkeypatch):
    monkeypatch.setenv("FAASGUARD_TODAY", "2025-01-15")
    template = TEMPLATE.format(runtime="python3.12", globals_runtime="nodejs16.x")
    result = scan_files({"template.yaml": template}, rules={"FG-SUP-001"})
    [finding] = by_rule(result, "FG-SUP-001")
    assert finding.function == "Reports"
    assert finding.line == 4
    assert "nodejs16.x" in finding.message
    assert finding.severity == Severity.HIGH


def test_runtime_deprecated_in_more_than_90_days_is_low_with_the_date(scan_files, monkeypatch):
    monkeypatch.setenv("FAASGUARD_TODAY", "2025-08-01")
    template = TEMPLATE.format(runtime="python3.9", globals_runtime="python3.12")
    result = scan_files({"template.yaml": template}, rules={"FG-SUP-001"})
    [finding] = by_rule(result, "FG-SUP-001")
    assert finding.function == "Orders"
    assert "deprecates on 2025-12-15 (in 136 days)" in finding.message
    assert finding.severity == Severity.LOW


def test_runtime_deprecated_within_90_days_is_medium(scan_files, monkeypatch):
    monkeypatch.setenv("FAASGUARD_TODAY", "2025-10-01")
    template = TEMPLATE.format(runtime="python3.9", globals_runtime="python3.12")
    result = scan_files({"template.yaml": template}, rules={"FG-SUP-001"})
    [finding] = by_rule(result, "FG-SUP-001")
    assert "deprecates on 2025-12-15 (in 75 days)" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_runtime_inherited_by_several_functions_is_one_finding(scan_files, monkeypatch):
    monkeypatch.setenv("FAASGUARD_TODAY", "2025-01-15")
    template = TEMPLATE.replace("      Runtime: {runtime}\n", "").format(globals_runtime="python3.8")
    result = scan_files({"template.yaml": template}, rules={"FG-SUP-001"})
    [finding] = by_rule(result, "FG-SUP-001")
    assert finding.line == 4 and finding.functions == ("Orders", "Reports") and finding.function is None
    assert "the same holds for function Reports" in finding.message
    assert finding.remediation.startswith("Set Globals.Function.Runtime to python3.")
    assert {(r.line, r.note) for r in finding.related} == {(7, "function Orders"), (12, "function Reports")}
    # the per-function fingerprints a baseline written before the merge holds still match it
    assert len(finding.fingerprints) == 2 and finding.fingerprint not in finding.fingerprints


def test_today_option_pins_the_date(scan_files):
    from faasguard import runtimes

    template = TEMPLATE.format(runtime="python3.9", globals_runtime="python3.12")
    with runtimes.pinned_today(date(2025, 10, 1)):
        [soon] = by_rule(scan_files({"template.yaml": template}, rules={"FG-SUP-001"}), "FG-SUP-001")
    with runtimes.pinned_today(date(2025, 1, 1)):
        assert by_rule(scan_files({"template.yaml": template}, rules={"FG-SUP-001"}), "FG-SUP-001") == []
    assert soon.severity == Severity.MEDIUM


def test_same_runtime_is_high_once_the_date_has_passed(scan_files, monkeypatch):
    monkeypatch.setenv("FAASGUARD_TODAY", "2025-12-15")
    template = TEMPLATE.format(runtime="python3.9", globals_runtime="python3.12")
    result = scan_files({"template.yaml": template}, rules={"FG-SUP-001"})
    [finding] = by_rule(result, "FG-SUP-001")
    assert finding.severity == Severity.HIGH


def test_supported_runtimes_are_quiet(scan_files, monkeypatch):
    monkeypatch.setenv("FAASGUARD_TODAY", "2025-01-15")
    template = TEMPLATE.format(runtime="python3.13", globals_runtime="nodejs22.x")
    result = scan_files({"template.yaml": template}, rules={"FG-SUP-001"})
    assert result.findings == []


def test_go1x_recommends_the_os_only_runtime(scan_files, monkeypatch):
    monkeypatch.setenv("FAASGUARD_TODAY", "2025-01-15")
    template = TEMPLATE.format(runtime="go1.x", globals_runtime="python3.13")
    result = scan_files({"template.yaml": template}, rules={"FG-SUP-001"})
    [finding] = by_rule(result, "FG-SUP-001")
    assert "provided.al2023" in finding.remediation


def test_block_dates_are_said_when_aws_refuses_or_will_refuse_changes(scan_files, monkeypatch):
    template = TEMPLATE.format(runtime="python3.10", globals_runtime="python3.12")
    monkeypatch.setenv("FAASGUARD_TODAY", "2026-12-01")  # deprecated 2026-10-31, creation blocked 2026-11-30
    [blocked] = by_rule(scan_files({"template.yaml": template}, rules={"FG-SUP-001"}), "FG-SUP-001")
    assert blocked.severity == Severity.HIGH
    assert "AWS has refused new functions on it since 2026-11-30 and refuses updates from 2027-01-15" in blocked.message
    assert blocked.remediation.endswith("before the provider blocks updates on 2027-01-15")
    monkeypatch.setenv("FAASGUARD_TODAY", "2027-02-01")
    [frozen] = by_rule(scan_files({"template.yaml": template}, rules={"FG-SUP-001"}), "FG-SUP-001")
    assert "AWS has refused updates to functions on it since 2027-01-15" in frozen.message
    monkeypatch.setenv("FAASGUARD_TODAY", "2026-06-01")
    [ahead] = by_rule(scan_files({"template.yaml": template}, rules={"FG-SUP-001"}), "FG-SUP-001")
    assert ahead.severity == Severity.LOW and "AWS refuses updates to functions on it from 2027-01-15" in ahead.message
    assert blocked.fingerprint != ahead.fingerprint and frozen.fingerprint == blocked.fingerprint  # by stage only
