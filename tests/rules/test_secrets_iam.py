"""Secrets that IAM and other resources hand out (FG-SEC-006) and generated values under any name (FG-SEC-007)."""

from __future__ import annotations

import pytest

from tests.conftest import by_rule

TF = """
resource "aws_iam_user" "ci" {
  name = "ci"
}
resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}
resource "random_password" "db" {
  length = 32
}
resource "aws_iam_role" "fn" {
  assume_role_policy = "{}"
}
resource "aws_lambda_function" "api" {
  function_name = "api"
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "api.zip"
  role          = aws_iam_role.fn.arn
  environment {
    variables = {
      VALUE = REF
    }
  }
}
"""


@pytest.mark.parametrize(
    ("ref", "fires"),
    [
        ("aws_iam_access_key.ci.secret", True),
        ("random_password.db.result", True),
        ("aws_iam_access_key.ci.id", False),  # the key id is not the secret
        ("aws_iam_user.ci.arn", False),
    ],
)
def test_terraform_secret_attribute_in_environment(scan_files, ref, fires):
    result = scan_files({"main.tf": TF.replace("REF", ref)}, rules={"FG-SEC-006"})
    found = by_rule(result, "FG-SEC-006")
    assert bool(found) is fires
    if fires:
        assert found[0].line == 21 and ref in found[0].message and "plain text" in found[0].message


CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  CiUser:
    Type: AWS::IAM::User
  CiKey:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref CiUser
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::111122223333:role/fn
      Code: {ZipFile: "def handler(e, c): return 1"}
      Environment:
        Variables:
          KEY: !GetAtt CiKey.ATTR
"""


@pytest.mark.parametrize(("attr", "fires"), [("SecretAccessKey", True), ("UserName", False)])
def test_cloudformation_access_key_secret_in_environment(scan_files, attr, fires):
    result = scan_files({"template.yaml": CFN.replace("ATTR", attr)}, rules={"FG-SEC-006"})
    assert bool(by_rule(result, "FG-SEC-006")) is fires


@pytest.mark.parametrize(
    ("name", "value", "fires"),
    [
        ("EC2_SECRET_KEY_ID", "q8Zr2Vb9LmXw4Tn7PsKd1Jf6Hc3Ya0Ue5Gi", True),  # _ID does not make it harmless
        ("SETTING", "Xk9/pQ2+vN7wR4zT1mB8sL6yH3jF0dC5aG", True),
        ("REQUEST_ID", "3f2b8c1e-9d4a-4e6b-8f7c-2a1d5e9b0c3f", False),  # a UUID
        ("BUILD_SHA", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", False),  # a hex digest
        ("TABLE", "orders-table-production-eu-west-1", False),  # words, low entropy
        ("ENDPOINT", "https://api.example.com/v1/Xk9pQ2vN7wR4zT1mB8s", False),
    ],
)
def test_high_entropy_literal_whatever_its_name(scan_files, name, value, fires):
    text = CFN.replace("KEY: !GetAtt CiKey.ATTR", f"{name}: {value}")
    result = scan_files({"template.yaml": text}, rules={"FG-SEC-007", "FG-SEC-001"})
    found = by_rule(result, "FG-SEC-007")
    assert bool(found) is fires, [f.message for f in result.findings]
    if fires:
        assert name in found[0].message and value not in found[0].message  # never print the secret


@pytest.mark.parametrize(
    "value",
    ["KinesisFirehoseStack-testconstructKinesisFirehose12AB34CD-x9Yz8Wv7Ut6S",
     "KinesisFirehoselamfhsexistingvpcdestinationfirehose623CCD9C"],
)
def test_generated_resource_names_are_not_credentials(scan_files, value):
    text = CFN.replace("KEY: !GetAtt CiKey.ATTR", f"STREAM_NAME: {value}")
    assert by_rule(scan_files({"template.yaml": text}, rules={"FG-SEC-007"}), "FG-SEC-007") == []
