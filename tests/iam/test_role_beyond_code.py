"""FG-IAM-043 (a Lambda role more powerful than its functions' code needs) and FG-IAM-034 (why the analysis is incomplete)."""

from __future__ import annotations

import pytest

from faasguard.findings import Severity
from tests.conftest import by_rule

SAM = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
  OrdersRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]
      Policies:
        - PolicyName: orders
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: dynamodb:GetItem, Resource: !GetAtt Orders.Arn}
              - {Effect: Allow, Action: EXTRA, Resource: '*'}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Role: !GetAtt OrdersRole.Arn
      Environment:
        Variables:
          TABLE: !Ref Orders
"""

TF = """
data "archive_file" "orders" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/orders.zip"
}
resource "aws_dynamodb_table" "orders" {
  name     = "orders"
  hash_key = "id"
}
resource "aws_iam_role" "orders" {
  name               = "orders"
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRole",
    Principal = {Service = "lambda.amazonaws.com"}}]})
}
resource "aws_iam_role_policy" "orders" {
  role = aws_iam_role.orders.id
  policy = jsonencode({Version = "2012-10-17", Statement = [
    {Effect = "Allow", Action = "dynamodb:GetItem", Resource = aws_dynamodb_table.orders.arn},
    {Effect = "Allow", Action = "EXTRA", Resource = "*"},
  ]})
}
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  role          = aws_iam_role.orders.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = data.archive_file.orders.output_path
  environment {
    variables = {
      TABLE = aws_dynamodb_table.orders.name
    }
  }
}
"""

CODE = """
import os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    return table.get_item(Key={"id": event["id"]})
"""
DYNAMIC = CODE.replace("return table", 'getattr(boto3.client(event["service"]), event["op"])()\n    return table')


def files(fmt: str, extra: str, code: str = CODE) -> dict[str, str]:
    text = (SAM if fmt == "sam" else TF).replace("EXTRA", extra)
    return {"template.yaml" if fmt == "sam" else "main.tf": text, "src/app.py": code}


@pytest.mark.parametrize(
    ("extra", "severity", "words"),
    [
        ("'*'", Severity.HIGH, "administrator access"),
        ("iam:AttachRolePolicy", Severity.HIGH, "privilege escalation"),
        ("secretsmanager:GetSecretValue", Severity.MEDIUM, "reading data on every resource"),
    ],
)
@pytest.mark.parametrize("fmt", ["sam", "tf"])
def test_role_more_powerful_than_the_code_fires(scan_files, fmt, extra, severity, words):
    if fmt == "tf":
        extra = extra.strip("'")
    result = scan_files(files(fmt, extra), rules={"FG-IAM-043"})
    [finding] = by_rule(result, "FG-IAM-043")
    assert finding.severity == severity
    assert f"allows {words}" in finding.message and "needs only dynamodb:GetItem" in finding.message
    assert finding.path == ("template.yaml" if fmt == "sam" else "main.tf")
    assert finding.related and "faasguard policy" in finding.remediation


@pytest.mark.parametrize("fmt", ["sam", "tf"])
def test_power_the_code_uses_is_quiet(scan_files, fmt):
    code = CODE.replace("return table", "boto3.client('secretsmanager').get_secret_value(SecretId=event['id'])\n    return table")
    result = scan_files(files(fmt, "secretsmanager:GetSecretValue", code), rules={"FG-IAM-043"})
    assert by_rule(result, "FG-IAM-043") == []


@pytest.mark.parametrize("fmt", ["sam", "tf"])
def test_incomplete_code_is_quiet_and_says_why(scan_files, fmt):
    result = scan_files(files(fmt, "iam:AttachRolePolicy", DYNAMIC), rules={"FG-IAM-043", "FG-IAM-034", "FG-IAM-030"})
    assert by_rule(result, "FG-IAM-043") == [] and by_rule(result, "FG-IAM-030") == []
    [note] = by_rule(result, "FG-IAM-034")
    assert note.severity == Severity.INFO
    assert note.message.startswith("Least-privilege analysis incomplete for function ")
    assert "the client or operation name is computed at run time" in note.message
    assert note.path == ("template.yaml" if fmt == "sam" else "main.tf")


def test_unknown_resource_under_a_scoped_grant_is_noted_once(scan_files):
    code = CODE.replace('os.environ["TABLE"]', 'event_table()') + "\n\ndef event_table():\n    return os.environ['X'] + 'y'\n"
    result = scan_files(files("sam", "iam:AttachRolePolicy", code), rules={"FG-IAM-043", "FG-IAM-034", "FG-IAM-031"})
    assert by_rule(result, "FG-IAM-043") == [] and by_rule(result, "FG-IAM-031") == []
    [note] = by_rule(result, "FG-IAM-034")
    assert "which resource dynamodb.GetItem touches is not known" in note.message


def test_complete_analysis_has_no_note(scan_files):
    result = scan_files(files("sam", "iam:AttachRolePolicy"), rules={"FG-IAM-034"})
    assert by_rule(result, "FG-IAM-034") == []
