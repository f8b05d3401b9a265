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


# --- discovery like Ruff: the nearest configuration, up to the repository root -------------------


def _repo(tmp_path):
    """A repository with two services; the template grants s3:* (FG-IAM-001, high)."""
    (tmp_path / ".git").mkdir(parents=True)
    for name in ("a", "b"):
        service = tmp_path / "services" / name
        service.mkdir(parents=True)
        (service / "template.yaml").write_text(TEMPLATE)
    return tmp_path


def test_config_at_the_repository_root_applies_to_a_subfolder(tmp_path, capsys):
    repo = _repo(tmp_path)
    (repo / ".faasguard.yaml").write_text("skip-rules: [FG-IAM-001]\nfail-on: critical\n")
    code, report, _ = run(capsys, str(repo / "services" / "a"))
    assert "FG-IAM-001" not in {f["rule_id"] for f in report["findings"]}
    assert code == 0
    # paths start at the repository root, so SARIF lines up with the repository
    assert {f["path"] for f in report["findings"]} == {"services/a/template.yaml"}


def test_without_config_the_same_subfolder_fails(tmp_path, capsys):
    repo = _repo(tmp_path)
    code, report, _ = run(capsys, str(repo / "services" / "a"))
    assert "FG-IAM-001" in {f["rule_id"] for f in report["findings"]} and code == 1


def test_nearest_config_wins_and_pyproject_tool_table_is_read(tmp_path, capsys):
    repo = _repo(tmp_path)
    (repo / ".faasguard.yaml").write_text("fail-on: critical\n")
    (repo / "services" / "a" / "pyproject.toml").write_text(
        '[project]\nname = "a"\n\n[tool.faasguard]\nskip-rules = ["FG-IAM-001"]\nfail-on = "low"\n'
    )
    code, report, _ = run(capsys, str(repo / "services" / "a"))
    assert "FG-IAM-001" not in {f["rule_id"] for f in report["findings"]}
    assert code == 1  # fail-on low from the nearest file, not critical from the root


def test_pyproject_without_tool_table_is_passed_over(tmp_path, capsys):
    repo = _repo(tmp_path)
    (repo / ".faasguard.yaml").write_text("skip-rules: [FG-IAM-001]\n")
    (repo / "services" / "a" / "pyproject.toml").write_text('[project]\nname = "a"\n')
    _, report, _ = run(capsys, str(repo / "services" / "a"))
    assert "FG-IAM-001" not in {f["rule_id"] for f in report["findings"]}


def test_discovery_stops_at_the_repository_root(tmp_path, capsys):
    (tmp_path / ".faasguard.yaml").write_text("skip-rules: [FG-IAM-001]\n")  # outside the repository
    repo = _repo(tmp_path / "checkout")
    _, report, _ = run(capsys, str(repo / "services" / "a"))
    assert "FG-IAM-001" in {f["rule_id"] for f in report["findings"]}


def test_each_path_uses_its_own_config(tmp_path, capsys):
    repo = _repo(tmp_path)
    (repo / "services" / "a" / ".faasguard.yaml").write_text("skip-rules: [FG-IAM-001]\n")
    _, report, _ = run(capsys, str(repo / "services" / "a"), str(repo / "services" / "b"))
    iam = {f["path"] for f in report["findings"] if f["rule_id"] == "FG-IAM-001"}
    assert iam == {"services/b/template.yaml"}


def test_broken_pyproject_table_is_a_usage_error(tmp_path, capsys):
    repo = _repo(tmp_path)
    (repo / "pyproject.toml").write_text('[tool.faasguard]\nfail_on = "low"\n')
    code, _, err = run(capsys, str(repo / "services" / "a"))
    assert code == 2 and "unknown option fail_on" in err


def test_per_file_ignores_are_relative_to_the_config_and_counted(tmp_path, capsys):
    repo = _repo(tmp_path)
    (repo / "services" / "a" / ".faasguard.yaml").write_text('per-file-ignores:\n  "template.yaml": [FG-IAM-001]\n')
    _, report, _ = run(capsys, str(repo / "services"))
    iam = {f["path"] for f in report["findings"] if f["rule_id"] == "FG-IAM-001"}
    # a configuration applies to the paths it is nearest to: services/ itself has none
    assert iam == {"services/a/template.yaml", "services/b/template.yaml"}
    _, report, _ = run(capsys, str(repo / "services" / "a"))
    assert "FG-IAM-001" not in {f["rule_id"] for f in report["findings"]}
    assert report["scanned"]["suppressed_by"]["config"] == 1
