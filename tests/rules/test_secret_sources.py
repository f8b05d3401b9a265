"""FG-SEC-006 over every row of data/secret_attributes.toml, in the formats that can write each one.

A secret copied into a function's environment (a resource attribute, a CloudFormation dynamic
reference, a Serverless variable resolved at deploy time) ends up in plain text in the
function's configuration.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.conftest import by_rule

TABLE = tomllib.loads(
    (Path(__file__).resolve().parents[2] / "src" / "faasguard" / "data" / "secret_attributes.toml").read_text()
)
TF_ROWS = [(kind, attr) for kind, attrs in TABLE["attributes"].items() if kind != "*" for attr in attrs]
CFN_ATTRIBUTES = TABLE["attributes"]["*"]

TF = """
resource "KIND" "src" {
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
      VALUE = KIND.src.ATTR
    }
  }
}
"""


@pytest.mark.parametrize(("kind", "attr"), TF_ROWS)
def test_every_terraform_secret_attribute_fires(scan_files, kind, attr):
    result = scan_files({"main.tf": TF.replace("KIND", kind).replace("ATTR", attr)}, rules={"FG-SEC-006"})
    [finding] = by_rule(result, "FG-SEC-006")
    assert finding.line == 14 and finding.function == "aws_lambda_function.api"
    assert f"{kind}.src.{attr}" in finding.message and "plain text" in finding.message


def test_a_data_source_secret_fires_too(scan_files):
    tf = TF.replace('resource "KIND" "src"', 'data "aws_secretsmanager_secret_version" "src"')
    tf = tf.replace("KIND.src.ATTR", "data.aws_secretsmanager_secret_version.src.secret_string")
    [finding] = by_rule(scan_files({"main.tf": tf}, rules={"FG-SEC-006"}), "FG-SEC-006")
    assert "data.aws_secretsmanager_secret_version.src.secret_string" in finding.message


CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Src:
    Type: AWS::SecretsManager::Secret
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::111122223333:role/fn
      Code: {ZipFile: "def handler(e, c): return 1"}
      Environment:
        Variables:
          VALUE: VALUE_HERE
"""


@pytest.mark.parametrize("attr", CFN_ATTRIBUTES)
def test_every_cloudformation_secret_attribute_fires(scan_files, attr):
    result = scan_files({"template.yaml": CFN.replace("VALUE_HERE", f"!GetAtt Src.{attr}")}, rules={"FG-SEC-006"})
    [finding] = by_rule(result, "FG-SEC-006")
    assert finding.line == 14 and f"Src.{attr}" in finding.message


@pytest.mark.parametrize(
    ("value", "fires"),
    [
        ('"{{resolve:secretsmanager:orders-db:SecretString:password}}"', True),
        ('!Sub "{{resolve:secretsmanager:${Src}:SecretString:password}}"', True),
        ('!Sub "postgres://app:{{resolve:secretsmanager:${Src}:SecretString:password}}@db:5432/orders"', True),
        ('"{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:111122223333:secret:db}}"', True),
        ('!Sub "{{resolve:secretsmanager:${Src}:SecretString:username}}"', False),  # a field that is no secret
        ('"{{resolve:ssm:/orders/table-name}}"', False),  # a plain parameter is configuration, not a secret
        ("!Ref Src", False),  # the secret's ARN: the function fetches the value at run time
    ],
)
def test_cloudformation_dynamic_reference_to_a_secret(scan_files, value, fires):
    result = scan_files({"template.yaml": CFN.replace("VALUE_HERE", value)}, rules={"FG-SEC-006"})
    found = by_rule(result, "FG-SEC-006")
    assert bool(found) is fires
    if fires:
        assert found[0].line == 14 and "Secrets Manager secret value (dynamic reference)" in found[0].message
        assert "orders-db" not in found[0].message or "password" not in found[0].message


SLS = """
service: orders
provider:
  name: aws
  runtime: python3.12
functions:
  api:
    handler: handler.main
    environment:
      VALUE: "VALUE_HERE"
"""


@pytest.mark.parametrize(
    ("value", "what"),
    [
        ("${ssm:/aws/reference/secretsmanager/orders/db-password}", "Secrets Manager secret value"),
        ("${ssm:/orders/db-password~true}", "decrypted SSM SecureString"),
        ("${ssm:/orders/table-name}", None),  # may be a String parameter: not provably a secret
    ],
)
def test_serverless_variable_resolving_a_secret(scan_files, value, what):
    result = scan_files({"serverless.yml": SLS.replace("VALUE_HERE", value)}, rules={"FG-SEC-006"})
    found = by_rule(result, "FG-SEC-006")
    if what is None:
        assert found == []
    else:
        [finding] = found
        assert finding.line == 9 and what in finding.message and finding.function == "api"
        assert "Parameters and Secrets" in finding.remediation


def test_literal_secret_fix_does_not_recommend_a_dynamic_reference(scan_files):
    template = CFN.replace("VALUE_HERE", "hunter2hunter2").replace("VALUE:", "DB_PASSWORD:")
    [finding] = by_rule(scan_files({"template.yaml": template}, rules={"FG-SEC-001"}), "FG-SEC-001")
    assert "{{resolve" in finding.remediation and "would write the value" in finding.remediation
    assert "pass its ARN in the environment and fetch it at run time" in finding.remediation
