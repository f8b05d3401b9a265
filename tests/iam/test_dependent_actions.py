"""Dependent actions: what AWS also checks when a call runs, depending on the request.

Textract reads the S3 document it is given with the caller's credentials, so a function calling
``detect_document_text`` on an S3 object needs ``s3:GetObject`` although the code never calls
S3 itself. Least privilege must not call such a grant unused, a replacement statement keeps it,
and ``faasguard policy`` names it without granting it on every resource.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from faasguard.iam.actions import action_index
from tests.conftest import by_rule

TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Extract:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          BUCKET: docs
      Policies:
        - Statement:
            - Effect: Allow
              Action: textract:DetectDocumentText
              Resource: "*"
            - Effect: Allow
              Action: [s3:GetObject, s3:PutObject]
              Resource: arn:aws:s3:::docs/*
"""

APP = """
import os

import boto3

TEXTRACT = boto3.client("textract")


def handler(event, context):
    key = event["Records"][0]["s3"]["object"]["key"]
    document = {"S3Object": {"Bucket": os.environ["BUCKET"], "Name": key}}
    return TEXTRACT.detect_document_text(Document=document)
"""


def test_the_index_knows_the_iam_references_dependent_actions():
    assert action_index().get("textract:DetectDocumentText").dependent_actions == ("s3:GetObject",)
    assert action_index().get("s3:GetObject").dependent_actions == ()


def test_a_dependent_action_is_not_called_unused_and_the_fix_keeps_it(scan_files):
    result = scan_files({"template.yaml": TEMPLATE, "src/app.py": APP}, rules={"FG-IAM-030", "FG-IAM-043"})
    [unused] = by_rule(result, "FG-IAM-030")
    assert unused.message.endswith("that function Extract never uses: s3:PutObject")
    assert unused.line == 17
    assert '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::docs/*"' in unused.remediation
    assert by_rule(result, "FG-IAM-043") == []


def test_without_the_textract_call_the_read_is_unused(scan_files):
    app = APP.replace("return TEXTRACT.detect_document_text(Document=document)", "return document")
    result = scan_files({"template.yaml": TEMPLATE, "src/app.py": app}, rules={"FG-IAM-030"})
    assert any("s3:GetObject" in f.message for f in by_rule(result, "FG-IAM-030"))


def test_policy_names_it_without_granting_it_everywhere(tmp_path, capsys):
    from faasguard.cli import main

    (tmp_path / "src").mkdir()
    (tmp_path / "template.yaml").write_text(TEMPLATE)
    (tmp_path / "src" / "app.py").write_text(APP)
    assert main(["policy", str(tmp_path), "--format", "json"]) == 0
    [function] = json.loads(capsys.readouterr().out)["functions"]
    assert function["may_also_need"] == ["s3:GetObject (textract.DetectDocumentText)"]
    statements = function["policy"]["Statement"]
    granted = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert "textract:DetectDocumentText" in granted and "s3:GetObject" not in granted
    assert main(["policy", str(tmp_path), "--format", "cfn"]) == 0
    assert "# may also need, depending on the request: s3:GetObject (textract.DetectDocumentText)" in capsys.readouterr().out


EXTRA_ROWS = tomllib.loads(
    (Path(__file__).resolve().parents[2] / "src" / "faasguard" / "data" / "dependent_actions.toml").read_text()
)["dependent"]


@pytest.mark.parametrize("row", EXTRA_ROWS, ids=[f"{r['action']}>{r['needs']}" for r in EXTRA_ROWS])
def test_every_extra_row_keeps_its_dependent_grant(scan_files, row):
    """A function calling the row's action keeps the row's dependent action, granted beside it."""
    service, operation = row["action"].split(":")
    method = re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
    template = TEMPLATE.replace("textract:DetectDocumentText", row["action"]).replace(
        "[s3:GetObject, s3:PutObject]", f"[{row['needs']}, s3:DeleteObject]"
    )
    app = APP.replace('boto3.client("textract")', f'boto3.client("{service}")').replace(
        "TEXTRACT.detect_document_text(Document=document)", f"TEXTRACT.{method}(Document=document)"
    )
    result = scan_files({"template.yaml": template, "src/app.py": app}, rules={"FG-IAM-030"})
    [unused] = by_rule(result, "FG-IAM-030")
    assert unused.message.endswith("never uses: s3:DeleteObject"), unused.message
