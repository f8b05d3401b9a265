"""Bad input never stops a scan: one error entry per file, a plain sentence, no traceback."""

import json
import os
from pathlib import Path

from faasguard.cli import main
from faasguard.scan import scan

GOOD = """\
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/fn
      Code: {ZipFile: "x"}
"""


def write_bad_files(root: Path) -> None:
    (root / "good.yaml").write_text(GOOD)
    (root / "malformed.yaml").write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Fn: [unclosed\n")
    (root / "truncated.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Fn": {"Type": "AWS::')
    (root / "binary.yaml").write_bytes(b"AWS::\x00\x01\x02\xff" * 100)
    (root / "latin1.yaml").write_bytes("AWSTemplateFormatVersion: '2010-09-09'\n# caf\xe9\n".encode("latin-1"))
    (root / "deep.json").write_text('{"AWSTemplateFormatVersion": "x", "Resources": ' + "[" * 3000 + "]" * 3000 + "}")
    bomb = ["AWSTemplateFormatVersion: '2010-09-09'", "a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    (root / "bomb.yaml").write_text("\n".join(bomb) + "\n")
    (root / "loop").mkdir()
    os.symlink(root / "loop", root / "loop" / "again")
    os.symlink(root / "self.yaml", root / "self.yaml")


def test_every_bad_file_is_one_error_and_the_good_one_is_scanned(tmp_path):
    write_bad_files(tmp_path)
    result = scan(tmp_path)
    errors = dict(result.errors)
    assert [fn.name for app in result.applications for fn in app.functions] == ["Fn"]
    assert errors["malformed.yaml"].startswith("line 4:")
    assert "truncated.json" in errors
    assert "binary" in errors["binary.yaml"]
    assert "UTF-8" in errors["latin1.yaml"]
    assert "nest" in errors["deep.json"]
    assert "alias bomb" in errors["bomb.yaml"]
    assert "could not be read" in errors["self.yaml"]
    assert "good.yaml" not in errors
    assert all("Traceback" not in message for message in errors.values())


def test_huge_files_are_skipped_with_a_reason(tmp_path, monkeypatch):
    monkeypatch.setattr("faasguard.scan.MAX_FILE_BYTES", 1000)
    (tmp_path / "huge.yaml").write_text("AWSTemplateFormatVersion: x\n" + "# padding\n" * 500)
    errors = dict(scan(tmp_path).errors)
    assert "over the" in errors["huge.yaml"]


def test_cli_reports_errors_in_json_and_keeps_going(tmp_path, capsys):
    write_bad_files(tmp_path)
    code = main(["scan", str(tmp_path), "--format", "json", "--quiet"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["scanned"]["functions"] == 1
    assert {e["path"] for e in report["errors"]} >= {"malformed.yaml", "binary.yaml", "bomb.yaml", "deep.json"}


def test_nothing_scannable_exits_2(tmp_path, capsys):
    (tmp_path / "broken.yaml").write_text("AWSTemplateFormatVersion: x\nResources: [\n")
    assert main(["scan", str(tmp_path), "--quiet"]) == 2
    assert "could be scanned" in capsys.readouterr().err
