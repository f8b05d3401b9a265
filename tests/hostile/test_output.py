"""Names from the scanned files cannot drive the terminal, break XML, or inject into generated code."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from faasguard.cli import main
from faasguard.report.escape import one_line, terminal, uri, xml
from tests.hostile.conftest import HANDLER, write

EVIL = "Fn\\e]0;pwned\\a\\e[2J]]>\\x01"  # YAML escapes: ESC, BEL, ESC, a CDATA end, SOH
TEMPLATE = f'''AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  "{EVIL}":
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          DB_PASSWORD: Zq8kLm2pX4vB9nR7
'''
FILE_NAME = "t\x1b[31mred ]]> %.yaml"


@pytest.fixture
def evil_repo(tmp_path: Path) -> Path:
    return write(tmp_path, {FILE_NAME: TEMPLATE, "src/app.py": HANDLER})


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "html", "markdown"])
def test_no_control_character_reaches_any_output(evil_repo, capsys, fmt) -> None:
    main(["scan", str(evil_repo), "--quiet", "--format", fmt])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\x01" not in out
    assert "Zq8kLm2pX4vB9nR7" not in out  # the secret itself is masked in every format
    if fmt == "text":
        assert "function Fn\\x1b]0;pwned\\x07\\x1b[2J]]>\\x01" in out
        assert "t\\x1b[31mred ]]> %.yaml:12" in out
    if fmt == "junit":
        root = ET.fromstring(out.encode())
        assert root.tag == "testsuites" and int(root.get("failures", "0")) >= 1
    if fmt == "sarif":
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(out)["runs"][0]["results"]}
        assert uris == {"t%1B%5B31mred%20%5D%5D%3E%20%25.yaml"}
    if fmt == "markdown":
        assert "Fn\\\\x1b\\]0;pwned" in out  # shown, escaped for Markdown (a backslash before \ and ])
    if fmt == "html":
        assert "Fn\\x1b]0;pwned\\x07\\x1b[2J]]&gt;\\x01" in out


def test_a_function_name_cannot_inject_into_the_terraform_policy(tmp_path, capsys) -> None:
    name = 'x\\nresource \\"null_resource\\" \\"pwn\\" {\\n  provisioner \\"local-exec\\" { command = \\"id\\" }\\n}\\n#'
    write(tmp_path, {
        "serverless.yml": (
            f'service: s\nprovider: {{name: aws, runtime: python3.12}}\nfunctions:\n  "{name}":\n    handler: app.handler\n'
        ),
        "app.py": "import boto3\ndef handler(e, c):\n    boto3.client('s3').get_object(Bucket='b', Key='k')\n",
    })
    assert main(["policy", str(tmp_path), "--format", "terraform"]) == 0
    out = capsys.readouterr().out
    live = [line for line in out.splitlines() if line and not line.startswith("#")]
    assert not any(line.startswith("resource ") or 'provisioner "local-exec"' in line for line in live), out
    assert any(line.startswith('data "aws_iam_policy_document"') for line in live)


def test_the_escape_functions() -> None:
    assert terminal("a\x1b[2Jb\tc\nd\x9b\u202e") == "a\\x1b[2Jb\tc\nd\\x9b\\u202e"
    assert one_line("a\nb\r\u2028c") == "a\\x0ab\\x0d\\u2028c"
    assert xml("a\x00b\x1b]]>\ufffe") == "a\\x00b\\x1b]]>\\ufffe"
    assert uri("dir/a b#%?.yaml") == "dir/a%20b%23%25%3F.yaml"
    assert terminal("caf\udce9") == "caf\\xe9"
