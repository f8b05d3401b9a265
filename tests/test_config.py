"""The project configuration file, as a team commits it next to its templates."""

import json

from faasguard.cli import main

TEMPLATE = """\
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
            - Effect: Allow
              Action: s3:*
              Resource: "*"
"""


def run(capsys, *args):
    code = main(["scan", *args, "--format", "json", "--quiet"])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else None), err


def test_config_file_sets_skips_fail_on_and_excludes(tmp_path, capsys):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.yaml").write_text(TEMPLATE)
    (tmp_path / ".faasguard.yaml").write_text(
        "fail-on: critical\nskip-rules: [fg-iam-001]\nskip-categories: [monitoring]\nexclude: ['legacy/**']\n"
    )
    code, report, _ = run(capsys, str(tmp_path))
    rules = {f["rule_id"] for f in report["findings"]}
    assert "FG-IAM-001" not in rules and not any(r.startswith("FG-MON") for r in rules)
    assert {f["path"] for f in report["findings"]} <= {"template.yaml"}
    assert code == 0  # nothing critical left


def test_command_line_wins_over_the_config_file(tmp_path, capsys):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / ".faasguard.yaml").write_text("fail-on: none\n")
    code, _, _ = run(capsys, str(tmp_path), "--fail-on", "high", "--rule", "FG-IAM-001")
    assert code == 1


def test_a_broken_config_file_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / ".faasguard.yaml").write_text("fail-on: sometimes\n")
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2 and "fail-on must be one of" in err
    (tmp_path / ".faasguard.yaml").write_text("skip-rulez: [FG-IAM-001]\n")
    code, _, err = run(capsys, str(tmp_path))
    assert code == 2 and "unknown option skip-rulez" in err
