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


def test_ignore_with_a_space_after_the_colon_works(scan_files):
    result = scan_files({"template.yaml": TEMPLATE.format(comment="# faasguard: ignore[FG-IAM-001] reviewed")})
    assert by_rule(result, "FG-IAM-001") == []
    assert result.suppressed_by["inline"] >= 1


def test_unknown_rule_id_in_an_ignore_is_a_warning(scan_files):
    result = scan_files({"template.yaml": TEMPLATE.format(comment="# faasguard:ignore[FG-IAM-01] typo")})
    assert len(by_rule(result, "FG-IAM-001")) == 1  # the typo suppresses nothing
    [(where, message)] = [w for w in result.warnings if "unknown rule" in w[1]]
    assert where == "template.yaml:11" and "FG-IAM-01" in message


def test_unknown_rule_id_is_quiet_when_the_id_exists(scan_files):
    result = scan_files({"template.yaml": TEMPLATE.format(comment="# faasguard:ignore[FG-IAM-001]")})
    assert not [w for w in result.warnings if "unknown rule" in w[1]]


def test_report_unused_ignores(tmp_path, capsys):
    (tmp_path / "template.yaml").write_text(
        TEMPLATE.format(comment="# faasguard:ignore[FG-IAM-001,FG-NET-001] reviewed")
        + "# faasguard:ignore[FG-SEC-001] nothing here\n"
    )
    main(["scan", str(tmp_path), "--format", "json", "--quiet", "--report-unused-ignores"])
    warnings = {(w["path"], w["message"]) for w in json.loads(capsys.readouterr().out)["warnings"]}
    unused = {w for w in warnings if "suppressed nothing" in w[1]}
    assert unused == {
        ("template.yaml:12", "faasguard:ignore[FG-NET-001] suppressed nothing; remove it"),
        ("template.yaml:16", "faasguard:ignore[FG-SEC-001] suppressed nothing; remove it"),
    }
    main(["scan", str(tmp_path), "--format", "json", "--quiet"])
    assert not [w for w in json.loads(capsys.readouterr().out)["warnings"] if "suppressed nothing" in w["message"]]


def test_sarif_keeps_suppressed_results_with_suppressions(tmp_path, capsys):
    (tmp_path / "template.yaml").write_text(TEMPLATE.format(comment="# faasguard:ignore[FG-IAM-001] legacy tool"))
    main(["scan", str(tmp_path), "--format", "sarif", "--quiet"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    [suppressed] = [r for r in results if r["ruleId"] == "FG-IAM-001"]
    assert suppressed["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "legacy tool", "properties": {"faasguard-kind": "inline"}}
    ]
    assert all("suppressions" not in r for r in results if r["ruleId"] != "FG-IAM-001")


SHARED_RUNTIME = """
service: s
provider:
  name: aws
  runtime: python3.8
functions:
  one:
    handler: app.one
  two:
    handler: app.two
"""


def test_baseline_written_before_merging_still_covers_the_merged_finding(tmp_path, capsys):
    """A baseline from an older faasguard holds one FG-SUP-001 per function; the merged finding
    (one for provider.runtime) lists those fingerprints and stays suppressed."""
    (tmp_path / "serverless.yml").write_text(SHARED_RUNTIME)
    main(["scan", str(tmp_path), "--format", "json", "--quiet", "--rule", "FG-SUP-001"])
    [merged] = json.loads(capsys.readouterr().out)["findings"]
    assert merged["functions"] == ["one", "two"] and len(merged["fingerprints"]) == 2
    old = {"findings": [{"fingerprint": fp} for fp in merged["fingerprints"]]}  # no merged fingerprint in it
    (tmp_path / "old-baseline.json").write_text(json.dumps(old))
    code = main(["scan", str(tmp_path), "--format", "json", "--quiet", "--rule", "FG-SUP-001",
                 "--baseline", str(tmp_path / "old-baseline.json")])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["findings"] == [] and report["scanned"]["suppressed_by"]["baseline"] == 1
    # and the other way round: a new baseline (merged fingerprint) covers a function left alone later
    (tmp_path / "new-baseline.json").write_text(json.dumps({"findings": [merged]}))
    (tmp_path / "serverless.yml").write_text(SHARED_RUNTIME.replace("  two:\n    handler: app.two\n", ""))
    code = main(["scan", str(tmp_path), "--format", "json", "--quiet", "--rule", "FG-SUP-001",
                 "--baseline", str(tmp_path / "new-baseline.json")])
    assert code == 0 and json.loads(capsys.readouterr().out)["findings"] == []


def test_fingerprints_do_not_depend_on_where_paths_start(tmp_path):
    """Reporting paths from the repository root must not change fingerprints (existing baselines)."""
    from faasguard.scan import ScanOptions, scan

    app = tmp_path / "services" / "orders"
    app.mkdir(parents=True)
    (app / "serverless.yml").write_text(SHARED_RUNTIME)
    (app / "requirements.txt").write_text("requests\n")
    alone = scan(app, ScanOptions(jobs=1))
    from_root = scan(app, ScanOptions(jobs=1, root=tmp_path))
    assert {f.path for f in from_root.findings} >= {"services/orders/serverless.yml", "services/orders/requirements.txt"}
    assert sorted(f.fingerprint for f in alone.findings) == sorted(f.fingerprint for f in from_root.findings)


def test_comments_read_while_loading_are_those_read_afterwards(tmp_path):
    """The load workers keep each file's ignore comments (so the suppressions need not read it again):
    the same as reading the file at the end, whatever its bytes."""
    from faasguard import scan, suppress

    files = {
        "a/template.yaml": b"Resources:  # faasguard:ignore[FG-IAM-001] shared\n  Fn:\n    Type: AWS::Serverless::Function\n",
        "b/template.yaml": b"\xef\xbb\xbfResources:\r\n  # faasguard: ignore\r\n  X: {Description: 'faasguard:ignore'}\r\n",
        "c/serverless.yml": b"service: x\n# faasguard:ignore[FG-SEC-001] \xff not UTF-8\n",
        "d/template.json": b"\x00\x01 # faasguard:ignore binary\n",
        "e/main.tf": b'resource "aws_lambda_function" "f" {} // faasguard:ignore[FG-NET-001]\n',
        "f/template.yaml": b"Resources: {}\n",
    }
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    paths = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    known: dict[str, dict] = {}
    scan.load_all(paths, tmp_path, jobs=1, comments=known)
    assert sorted(known) == sorted(files)
    fresh = suppress.new_comments(tmp_path)
    assert {rel: fresh.of(rel) for rel in files} == known
    assert sum(len(c) for c in known.values()) == 5
