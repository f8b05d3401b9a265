"""FG-IAM-020 on named principals: iam:PassRole / sts:AssumeRole scoped to one role that is more powerful."""

from __future__ import annotations

import pytest

from faasguard.findings import Severity
from tests.conftest import by_rule

CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OrdersRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: orders
          PolicyDocument:
            Statement:
STATEMENTS
  Orders:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt OrdersRole.Arn
      Code: {ZipFile: "def handler(e, c): return 1"}
  StackRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {TRUSTED}, Action: sts:AssumeRole}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/TARGET_POLICY]
"""

TF = """
resource "aws_iam_role" "orders" {
  name               = "orders"
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRole",
    Principal = {Service = "lambda.amazonaws.com"}}]})
}
resource "aws_iam_role_policy" "orders" {
  role   = aws_iam_role.orders.id
  policy = jsonencode({Version = "2012-10-17", Statement = [
STATEMENTS
  ]})
}
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "orders.zip"
  role          = aws_iam_role.orders.arn
}
resource "aws_iam_role" "stack" {
  name               = "stack"
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRole",
    Principal = {TRUSTED}}]})
}
resource "aws_iam_role_policy_attachment" "stack" {
  role       = aws_iam_role.stack.name
  policy_arn = "arn:aws:iam::aws:policy/TARGET_POLICY"
}
"""

PASS_TO_CFN = {
    "cfn": """
- {Effect: Allow, Action: iam:PassRole, Resource: !GetAtt StackRole.Arn}
- {Effect: Allow, Action: cloudformation:CreateStack, Resource: '*'}""",
    "tf": """
{Effect = "Allow", Action = "iam:PassRole", Resource = aws_iam_role.stack.arn},
{Effect = "Allow", Action = "cloudformation:CreateStack", Resource = "*"}""",
}
ASSUME = {
    "cfn": "- {Effect: Allow, Action: sts:AssumeRole, Resource: !GetAtt StackRole.Arn}",
    "tf": '{Effect = "Allow", Action = "sts:AssumeRole", Resource = aws_iam_role.stack.arn}',
}
PASS_WITHOUT_CREATE = {
    "cfn": "- {Effect: Allow, Action: iam:PassRole, Resource: !GetAtt StackRole.Arn}",
    "tf": '{Effect = "Allow", Action = "iam:PassRole", Resource = aws_iam_role.stack.arn}',
}
TRUST = {
    "cloudformation": {"cfn": "Service: cloudformation.amazonaws.com", "tf": 'Service = "cloudformation.amazonaws.com"'},
    "ec2": {"cfn": "Service: ec2.amazonaws.com", "tf": 'Service = "ec2.amazonaws.com"'},
    "orders": {"cfn": "AWS: !GetAtt OrdersRole.Arn", "tf": "AWS = aws_iam_role.orders.arn"},
}


def build(fmt: str, statements: dict[str, str], trusted: str, policy: str = "AdministratorAccess") -> dict[str, str]:
    indent = "              " if fmt == "cfn" else "    "
    body = "\n".join(indent + line for line in statements[fmt].strip().splitlines())
    text = (CFN if fmt == "cfn" else TF).replace("STATEMENTS", body).replace("TARGET_POLICY", policy)
    text = text.replace("{TRUSTED}", "{" + TRUST[trusted][fmt] + "}")
    return {"template.yaml" if fmt == "cfn" else "main.tf": text}


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_passrole_on_one_admin_role_to_cloudformation_fires(scan_files, fmt):
    result = scan_files(build(fmt, PASS_TO_CFN, "cloudformation"), rules={"FG-IAM-020"})
    [finding] = by_rule(result, "FG-IAM-020")
    assert finding.severity == Severity.HIGH
    assert finding.line == (13 if fmt == "cfn" else 9)
    assert "privilege escalation to role" in finding.message and "(administrator access)" in finding.message
    assert "PassExistingRoleToCloudFormation" in finding.message and "iam:PassRole on" in finding.message
    assert any("administrator access" in r.note for r in finding.related)
    assert "iam:PassedToService" in finding.remediation


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_assume_role_on_one_admin_role_that_trusts_it_fires(scan_files, fmt):
    result = scan_files(build(fmt, ASSUME, "orders"), rules={"FG-IAM-020"})
    [finding] = by_rule(result, "FG-IAM-020")
    assert "AssumeAnyRole" in finding.message and "sts:AssumeRole on" in finding.message


@pytest.mark.parametrize(
    ("statements", "trusted", "policy"),
    [
        (PASS_TO_CFN, "ec2", "AdministratorAccess"),  # the role does not trust CloudFormation: it cannot be passed there
        (PASS_TO_CFN, "cloudformation", "ReadOnlyAccess"),  # not more powerful than the function's role
        (PASS_WITHOUT_CREATE, "cloudformation", "AdministratorAccess"),  # no service to pass it to
        (ASSUME, "cloudformation", "AdministratorAccess"),  # the role does not trust the function's role
    ],
)
@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_named_escalation_stays_quiet(scan_files, fmt, statements, trusted, policy):
    result = scan_files(build(fmt, statements, trusted, policy), rules={"FG-IAM-020"})
    assert by_rule(result, "FG-IAM-020") == []
