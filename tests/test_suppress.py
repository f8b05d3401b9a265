"""Inline suppressions and baselines, as a CI user applies them."""

import json

from faasguard.cli import main
from tests.conftest import by_rule

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            {comment}
            - Effect: Allow
              Action: s3:*
              Resource: "*"
"""


def test_inline_comment_suppresses_that_rule_only(scan_files):
    result = scan_files({"template.yaml": TEMPLATE.format(comment="# faasguard:ignore[FG-IAM-001] legacy bucket tool")})
    assert by_rule(result, "FG-IAM-001") == []
    assert result.suppressed >= 1


def test_comment_for_another_rule_does_not_suppress(scan_files):
    result = scan_files({"template.yaml": TEMPLATE.format(comment="# faasguard:ignore[FG-NET-001]")}, rules={"FG-IAM-001"})
    assert len(by_rule(result, "FG-IAM-001")) == 1


def test_baseline_keeps_only_new_findings(tmp_path, capsys):
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(comment=""))
    baseline = tmp_path / "baseline.json"
    assert main(["scan", str(tmp_path), "--format", "json", "--output", str(baseline), "--quiet"]) == 1
    known = json.loads(baseline.read_text())["findings"]
    assert known
    assert main(["scan", str(tmp_path), "--format", "json", "--quiet", "--baseline", str(baseline)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == [] and report["scanned"]["suppressed"] == len(known)


def test_unusable_baseline_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(comment=""))
    (tmp_path / "bad.json").write_text("not json")
    assert main(["scan", str(tmp_path), "--baseline", str(tmp_path / "bad.json")]) == 2
    assert "not JSON" in capsys.readouterr().err


JSON_TEMPLATE = """{
  "Resources": {
    "Role": {
      "Type": "AWS::IAM::Role",
      "Metadata": {"faasguard": {"skip": [{"id": "FG-IAM-001", "reason": "batch tool, reviewed"}]}},
      "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [
          {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]},
        "Policies": [
          {"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}
        ]
      }
    },
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "Role": {"Fn::GetAtt": ["Role", "Arn"]}, "Code": {"ZipFile": "x"}
      }
    }
  }
}
"""


def test_resource_metadata_skips_a_rule_in_json_templates(scan_files):
    result = scan_files({"template.json": JSON_TEMPLATE}, rules={"FG-IAM-001", "FG-MON-001"})
    assert by_rule(result, "FG-IAM-001") == []
    assert len(by_rule(result, "FG-MON-001")) == 1  # other rules still apply
    assert result.suppressed == 1


def test_without_metadata_the_rule_fires(scan_files):
    result = scan_files({"template.json": JSON_TEMPLATE.replace('"FG-IAM-001"', '"FG-NET-001"')}, rules={"FG-IAM-001"})
    assert len(by_rule(result, "FG-IAM-001")) == 1
