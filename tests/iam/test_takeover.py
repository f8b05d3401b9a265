"""Who can take over a function: FG-IAM-040/041/042 and FG-ATK-010, fires and quiet, CloudFormation and Terraform."""

from __future__ import annotations

import pytest

from faasguard.findings import Severity
from tests.conftest import by_rule

TAKEOVER = {"FG-IAM-040", "FG-IAM-041", "FG-IAM-042", "FG-ATK-010"}

CFN_BASE = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OrdersRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns: [ROLE_POLICY]
  Orders:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt OrdersRole.Arn
      Code: {ZipFile: "def handler(e, c): return 1"}
  OrdersQueue:
    Type: AWS::SQS::Queue
  OrdersMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Orders
      EventSourceArn: !GetAtt OrdersQueue.Arn
  Deployer:
    Type: AWS::IAM::User
    Properties:
      Policies:
        - PolicyName: deploy
          PolicyDocument:
            Statement:
STATEMENTS
"""
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
LOGS = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def cfn(statements: str, role_policy: str = ADMIN, extra: str = "") -> str:
    body = "\n".join("              " + line for line in statements.strip().splitlines())
    return CFN_BASE.replace("ROLE_POLICY", role_policy).replace("STATEMENTS", body) + extra


TF_BASE = """
resource "aws_iam_role" "orders" {
  name               = "orders"
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRole",
    Principal = {Service = "lambda.amazonaws.com"}}]})
}
resource "aws_iam_role_policy_attachment" "orders" {
  role       = aws_iam_role.orders.name
  policy_arn = "ROLE_POLICY"
}
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  runtime       = "python3.12"
  handler       = "index.handler"
  filename      = "orders.zip"
  role          = aws_iam_role.orders.arn
}
resource "aws_sqs_queue" "orders" {}
resource "aws_lambda_event_source_mapping" "orders" {
  function_name    = aws_lambda_function.orders.arn
  event_source_arn = aws_sqs_queue.orders.arn
}
resource "aws_iam_user" "deployer" {
  name = "deployer"
}
resource "aws_iam_user_policy" "deploy" {
  user   = aws_iam_user.deployer.name
  policy = jsonencode({Statement = [
STATEMENTS
  ]})
}
"""


def tf(statements: str, role_policy: str = ADMIN, extra: str = "") -> str:
    return TF_BASE.replace("ROLE_POLICY", role_policy).replace("STATEMENTS", statements) + extra


def run(scan_files, fmt: str, text: str):
    name = "template.yaml" if fmt == "cfn" else "main.tf"
    result = scan_files({name: text}, rules=TAKEOVER)
    assert not result.errors, result.errors
    return result


# -- FG-IAM-040: a principal that can change a function ------------------------------------

UPDATE_ANY = {
    "cfn": "- {Effect: Allow, Action: lambda:UpdateFunctionCode, Resource: '*'}",
    "tf": '{Effect = "Allow", Action = "lambda:UpdateFunctionCode", Resource = "*"}',
}
UPDATE_WITH_MFA = {
    "cfn": "- {Effect: Allow, Action: lambda:UpdateFunctionCode, Resource: '*', "
    "Condition: {Bool: {aws:MultiFactorAuthPresent: 'true'}}}",
    "tf": '{Effect = "Allow", Action = "lambda:UpdateFunctionCode", Resource = "*", '
    'Condition = {Bool = {"aws:MultiFactorAuthPresent" = "true"}}}',
}
UPDATE_OTHER = {
    "cfn": "- {Effect: Allow, Action: lambda:UpdateFunctionCode, "
    "Resource: 'arn:aws:lambda:us-east-1:111122223333:function:other'}",
    "tf": '{Effect = "Allow", Action = "lambda:UpdateFunctionCode", '
    'Resource = "arn:aws:lambda:us-east-1:111122223333:function:other"}',
}


def build(fmt: str, statements: dict[str, str], role_policy: str = ADMIN, extra: dict[str, str] | None = None) -> str:
    return (cfn if fmt == "cfn" else tf)(statements[fmt], role_policy, (extra or {}).get(fmt, ""))


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_user_that_can_update_an_admin_function_is_critical(scan_files, fmt):
    result = run(scan_files, fmt, build(fmt, UPDATE_ANY))
    [finding] = by_rule(result, "FG-IAM-040")
    assert finding.severity == Severity.CRITICAL
    assert "can take over function" in finding.message and "administrator access" in finding.message
    assert finding.line is not None and finding.resource in ("Deployer", "aws_iam_user.deployer")
    assert finding.related  # where the grant is and the role the code runs with


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_takeover_of_a_limited_function_is_low(scan_files, fmt):
    [finding] = by_rule(run(scan_files, fmt, build(fmt, UPDATE_ANY, LOGS)), "FG-IAM-040")
    assert finding.severity == Severity.LOW


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
@pytest.mark.parametrize("statements", [UPDATE_WITH_MFA, UPDATE_OTHER], ids=["conditional", "other-function"])
def test_conditional_or_other_function_grants_are_quiet(scan_files, fmt, statements):
    result = run(scan_files, fmt, build(fmt, statements))
    assert by_rule(result, "FG-IAM-040") == []
    assert by_rule(result, "FG-ATK-010") == []


# -- FG-ATK-010: UpdateFunctionCode on a powerful function, then its trigger ---------------


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_update_code_of_admin_function_is_an_attack_path(scan_files, fmt):
    result = run(scan_files, fmt, build(fmt, UPDATE_ANY))
    [path] = by_rule(result, "FG-ATK-010")
    assert path.category == "attack-path" and path.severity == Severity.CRITICAL
    assert "lambda:UpdateFunctionCode on function" in path.message and "sqs trigger" in path.message
    assert any("step 1" in r.note for r in path.related)


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_update_code_of_limited_function_is_no_attack_path(scan_files, fmt):
    assert by_rule(run(scan_files, fmt, build(fmt, UPDATE_ANY, LOGS)), "FG-ATK-010") == []


# -- FG-ATK-010: PassRole on a powerful Lambda role + CreateFunction + Invoke --------------

ADMIN_LAMBDA_ROLE = {
    "cfn": """
  AdminLambdaRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
""",
    "tf": """
resource "aws_iam_role" "admin_lambda" {
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRole",
    Principal = {Service = "lambda.amazonaws.com"}}]})
  managed_policy_arns = ["arn:aws:iam::aws:policy/AdministratorAccess"]
}
""",
}
PASS_CREATE_INVOKE = {
    "cfn": """
- {Effect: Allow, Action: iam:PassRole, Resource: !GetAtt AdminLambdaRole.Arn}
- {Effect: Allow, Action: [lambda:CreateFunction, lambda:InvokeFunction], Resource: '*'}
""",
    "tf": """
{Effect = "Allow", Action = "iam:PassRole", Resource = aws_iam_role.admin_lambda.arn},
{Effect = "Allow", Action = ["lambda:CreateFunction", "lambda:InvokeFunction"], Resource = "*"}
""",
}
PASS_CREATE_ONLY = {
    "cfn": """
- {Effect: Allow, Action: iam:PassRole, Resource: !GetAtt AdminLambdaRole.Arn}
- {Effect: Allow, Action: lambda:CreateFunction, Resource: '*'}
""",
    "tf": """
{Effect = "Allow", Action = "iam:PassRole", Resource = aws_iam_role.admin_lambda.arn},
{Effect = "Allow", Action = "lambda:CreateFunction", Resource = "*"}
""",
}


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_passrole_create_invoke_on_named_admin_role(scan_files, fmt):
    result = run(scan_files, fmt, build(fmt, PASS_CREATE_INVOKE, LOGS, ADMIN_LAMBDA_ROLE))
    [path] = by_rule(result, "FG-ATK-010")
    assert path.severity == Severity.CRITICAL
    assert "iam:PassRole on" in path.message and "lambda:CreateFunction → lambda:InvokeFunction" in path.message
    assert [r.note.split(":")[0] for r in path.related][:3] == ["step 1", "step 2", "step 3"]
    # The role nobody uses is reported on its own too.
    [unused] = by_rule(result, "FG-IAM-041")
    assert unused.severity == Severity.HIGH and "no function in this source uses it" in unused.message


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_passrole_without_a_way_to_run_is_quiet(scan_files, fmt):
    result = run(scan_files, fmt, build(fmt, PASS_CREATE_ONLY, LOGS, ADMIN_LAMBDA_ROLE))
    assert by_rule(result, "FG-ATK-010") == []


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_passrole_on_a_limited_role_is_quiet(scan_files, fmt):
    limited = "service-role/AWSLambdaBasicExecutionRole"
    extra = {k: v.replace("AdministratorAccess", limited) for k, v in ADMIN_LAMBDA_ROLE.items()}
    result = run(scan_files, fmt, build(fmt, PASS_CREATE_INVOKE, LOGS, extra))
    assert by_rule(result, "FG-ATK-010") == []
    assert by_rule(result, "FG-IAM-041") == []


# -- FG-IAM-042: permission writes on a named principal ------------------------------------

ATTACH_TO_ORDERS = {
    "cfn": "- {Effect: Allow, Action: iam:AttachRolePolicy, Resource: !GetAtt OrdersRole.Arn}",
    "tf": '{Effect = "Allow", Action = "iam:AttachRolePolicy", Resource = aws_iam_role.orders.arn}',
}
ATTACH_ELSEWHERE = {
    "cfn": "- {Effect: Allow, Action: iam:AttachRolePolicy, Resource: 'arn:aws:iam::111122223333:role/sandbox'}",
    "tf": '{Effect = "Allow", Action = "iam:AttachRolePolicy", Resource = "arn:aws:iam::111122223333:role/sandbox"}',
}


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_attach_role_policy_on_a_named_function_role_fires(scan_files, fmt):
    result = run(scan_files, fmt, build(fmt, ATTACH_TO_ORDERS, LOGS))
    [finding] = by_rule(result, "FG-IAM-042")
    assert finding.severity == Severity.HIGH
    assert "can rewrite the permissions of role" in finding.message and "iam:AttachRolePolicy" in finding.message
    assert "runs with it" in finding.message


@pytest.mark.parametrize("fmt", ["cfn", "tf"])
def test_attach_role_policy_outside_the_source_is_quiet(scan_files, fmt):
    assert by_rule(run(scan_files, fmt, build(fmt, ATTACH_ELSEWHERE, LOGS)), "FG-IAM-042") == []


def test_put_role_policy_on_itself_is_critical(scan_files):
    text = cfn("- {Effect: Allow, Action: lambda:GetFunction, Resource: '*'}", LOGS) + """
  SelfRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: codebuild.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: self
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: iam:PutRolePolicy, Resource: !Sub "arn:aws:iam::${AWS::AccountId}:role/*"}
"""
    [finding] = [f for f in by_rule(run(scan_files, "cfn", text), "FG-IAM-042") if "itself" in f.message]
    assert finding.severity == Severity.CRITICAL and finding.resource == "SelfRole"
