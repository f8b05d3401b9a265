"""Rules the team switches in `.faasguard.yaml`: code signing (FG-SUP-040, opt-in with
``require-code-signing: true``) and log forwarding (FG-MON-020, on unless ``log-forwarding: false``),
in every format that can express them, and the Pulumi wording of findings."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from faasguard.config import ConfigError, load
from tests.conftest import ScanFiles, by_rule
from tests.formats.test_perimeter import cfn_json, pulumi
from tests.formats.test_resource_centric import Case, cdk, cfn, sam, tf

SIGNING = "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0abc"

CFN_FUNCTION = """\
  Orders:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/orders
      Code: {ZipFile: "def handler(e, c): return {}"}%s
"""
SAM_FUNCTION = """\
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): return {}"%s
"""
FUNCTION_JSON: dict[str, Any] = {
    "Orders": {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/orders",
            "Code": {"ZipFile": "x"},
        },
    }
}


def function_json(**props: Any) -> dict[str, Any]:
    resources = copy.deepcopy(FUNCTION_JSON)
    resources["Orders"]["Properties"].update(props)
    return resources


SLS = """\
service: shop
provider:
  name: aws
  runtime: python3.12
functions:
  orders:
    handler: app.handler
%s"""
SLS_SIGNED = f"""\
resources:
  extensions:
    OrdersLambdaFunction:
      Properties:
        CodeSigningConfigArn: {SIGNING}
"""
TF_FUNCTION = """\
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  runtime       = "python3.12"
  handler       = "app.handler"
  role          = "arn:aws:iam::123456789012:role/orders"
  filename      = "orders.zip"%s
}
"""
PULUMI_FUNCTION = """\
  orders:
    type: aws:lambda:Function
    properties:
      runtime: python3.12
      handler: app.handler
      role: arn:aws:iam::123456789012:role/orders%s
"""
SIGNED_PROP = f"\n      CodeSigningConfigArn: {SIGNING}"
SIGNING_CASES = {
    "cloudformation": Case(
        "FG-SUP-040", cfn(CFN_FUNCTION % ""), cfn(CFN_FUNCTION % SIGNED_PROP), "template.yaml", "Type: AWS::Lambda::Function",
        "Function Orders has no code signing configuration", "Orders",
    ),
    "cloudformation-json": Case(
        "FG-SUP-040", cfn_json(function_json()), cfn_json(function_json(CodeSigningConfigArn=SIGNING)), "template.json",
        '"Orders": {', "no code signing configuration", "Orders",
    ),
    "sam": Case(
        "FG-SUP-040", sam(SAM_FUNCTION % ""), sam(SAM_FUNCTION % SIGNED_PROP), "template.yaml",
        "Type: AWS::Serverless::Function", "no code signing configuration", "Orders",
    ),
    "cdk": Case(
        "FG-SUP-040", cdk(function_json()), cdk(function_json(CodeSigningConfigArn=SIGNING)), "cdk.out/Stack.template.json",
        '"Orders": {', "no code signing configuration", "Stack/Orders",
    ),
    "serverless": Case(
        "FG-SUP-040", {"serverless.yml": SLS % ""}, {"serverless.yml": SLS % SLS_SIGNED}, "serverless.yml", "  orders:",
        "Function orders has no code signing", "orders",
    ),
    "terraform": Case(
        "FG-SUP-040", tf(TF_FUNCTION % ""), tf(TF_FUNCTION % f'\n  code_signing_config_arn = "{SIGNING}"'), "main.tf",
        'resource "aws_lambda_function"', "no code signing configuration", "aws_lambda_function.orders",
    ),
    "pulumi": Case(
        "FG-SUP-040", pulumi(PULUMI_FUNCTION % ""), pulumi(PULUMI_FUNCTION % f"\n      codeSigningConfigArn: {SIGNING}"),
        "Pulumi.yaml", "type: aws:lambda:Function", "no code signing configuration", "aws_lambda_function.orders",
    ),
}

SECRET_ENV = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
CFN_LOGGED = """\
  Orders:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: orders
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/orders
      Code: {ZipFile: "x"}
      Environment: {Variables: {DB_SECRET: SECRET_ENV}}
  OrdersLogs:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: /aws/lambda/orders, RetentionInDays: 30}
""".replace("SECRET_ENV", SECRET_ENV)
CFN_FILTER = """\
  OrdersToArchive:
    Type: AWS::Logs::SubscriptionFilter
    Properties:
      LogGroupName: !Ref OrdersLogs
      FilterPattern: ""
      DestinationArn: arn:aws:logs:us-east-1:999999999999:destination:central
"""
SAM_LOGGED = """\
  Db:
    Type: AWS::SecretsManager::Secret
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "x"
      Environment: {Variables: {DB_SECRET: !Ref Db}}
"""
SAM_FILTER = """\
  OrdersToArchive:
    Type: AWS::Logs::SubscriptionFilter
    Properties:
      LogGroupName: !Sub /aws/lambda/${Orders}
      FilterPattern: ""
      DestinationArn: arn:aws:logs:us-east-1:999999999999:destination:central
"""


def logged_json(filtered: bool) -> dict[str, Any]:
    resources = function_json(Environment={"Variables": {"DB_SECRET": SECRET_ENV}})
    resources["OrdersLogs"] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${Orders}"}, "RetentionInDays": 30},
    }
    if filtered:
        resources["OrdersToArchive"] = {
            "Type": "AWS::Logs::SubscriptionFilter",
            "Properties": {"LogGroupName": {"Ref": "OrdersLogs"}, "FilterPattern": "", "DestinationArn": "arn:aws:logs:x"},
        }
    return resources


SLS_LOGGED = """\
service: shop
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        - Effect: Allow
          Action: secretsmanager:GetSecretValue
          Resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:db-*
functions:
  orders:
    handler: app.handler
%s"""
SLS_FORWARDED = """\
    logSubscription: true
plugins:
  - serverless-plugin-log-subscription
custom:
  logSubscription:
    destinationArn: arn:aws:logs:us-east-1:999999999999:destination:central
"""
TF_LOGGED = """\
resource "aws_iam_role" "orders" {
  name               = "orders"
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRole",
    Principal = {Service = "lambda.amazonaws.com"}}]})
  inline_policy {
    name   = "db"
    policy = jsonencode({Statement = [{Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = "*"}]})
  }
}
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  runtime       = "python3.12"
  handler       = "app.handler"
  role          = aws_iam_role.orders.arn
  filename      = "orders.zip"
}
"""
TF_FILTER = """\
resource "aws_cloudwatch_log_subscription_filter" "orders" {
  name            = "orders"
  log_group_name  = "/aws/lambda/${aws_lambda_function.orders.function_name}"
  filter_pattern  = ""
  destination_arn = "arn:aws:logs:us-east-1:999999999999:destination:central"
}
"""
PULUMI_LOGGED = """\
  orders:
    type: aws:lambda:Function
    properties:
      runtime: python3.12
      handler: app.handler
      role: arn:aws:iam::123456789012:role/orders
      environment:
        variables:
          DB_SECRET: SECRET_ENV
  ordersLogs:
    type: aws:cloudwatch:LogGroup
    properties:
      name: /aws/lambda/${orders.name}
      retentionInDays: 30
""".replace("SECRET_ENV", SECRET_ENV)
PULUMI_FILTER = """\
  ordersToArchive:
    type: aws:cloudwatch:LogSubscriptionFilter
    properties:
      logGroup: ${ordersLogs.name}
      filterPattern: ""
      destinationArn: arn:aws:logs:us-east-1:999999999999:destination:central
"""
FORWARDING_CASES = {
    "cloudformation": Case(
        "FG-MON-020", cfn(CFN_LOGGED), cfn(CFN_LOGGED + CFN_FILTER), "template.yaml", "Type: AWS::Logs::LogGroup",
        "its environment variable DB_SECRET names a Secrets Manager secret", "Orders",
    ),
    "cloudformation-json": Case(
        "FG-MON-020", cfn_json(logged_json(False)), cfn_json(logged_json(True)), "template.json", '"OrdersLogs": {',
        "DB_SECRET names a Secrets Manager secret", "Orders",
    ),
    "sam": Case(
        "FG-MON-020", sam(SAM_LOGGED), sam(SAM_LOGGED + SAM_FILTER), "template.yaml", "Type: AWS::Serverless::Function",
        "DB_SECRET names a Secrets Manager secret", "Orders",
    ),
    "cdk": Case(
        "FG-MON-020", cdk(logged_json(False)), cdk(logged_json(True)), "cdk.out/Stack.template.json", '"OrdersLogs": {',
        "no subscription filter forwards its logs", "Stack/Orders",
    ),
    "serverless": Case(
        "FG-MON-020", {"serverless.yml": SLS_LOGGED % ""}, {"serverless.yml": SLS_LOGGED % SLS_FORWARDED}, "serverless.yml",
        "  orders:", "allows secretsmanager:GetSecretValue", "orders",
    ),
    "terraform": Case(
        "FG-MON-020", tf(TF_LOGGED), tf(TF_LOGGED + TF_FILTER), "main.tf", 'resource "aws_lambda_function"',
        "its role aws_iam_role.orders allows secretsmanager:GetSecretValue", "aws_lambda_function.orders",
    ),
    "pulumi": Case(
        "FG-MON-020", pulumi(PULUMI_LOGGED), pulumi(PULUMI_LOGGED + PULUMI_FILTER), "Pulumi.yaml", "retentionInDays: 30",
        "DB_SECRET names a Secrets Manager secret", "aws_lambda_function.orders",
    ),
}
CASES = [("code-signing", f, c) for f, c in SIGNING_CASES.items()]
CASES += [("log-forwarding", f, c) for f, c in FORWARDING_CASES.items()]
IDS = [f"{fmt}-{concept}" for concept, fmt, _ in CASES]


def expected_line(case: Case) -> int:
    return next(n for n, row in enumerate(case.fires[case.path].splitlines(), 1) if case.marker in row)


@pytest.mark.parametrize(("concept", "fmt", "case"), CASES, ids=IDS)
def test_fires_where_the_mistake_is_written(scan_files: ScanFiles, concept: str, fmt: str, case: Case) -> None:
    result = scan_files(case.fires, enable_rules={case.rule})
    assert result.errors == []
    findings = by_rule(result, case.rule)
    assert [(f.path, f.line, f.function) for f in findings] == [(case.path, expected_line(case), case.function)], [
        f.message for f in findings
    ]
    assert case.fragment in findings[0].message and findings[0].remediation


@pytest.mark.parametrize(("concept", "fmt", "case"), CASES, ids=IDS)
def test_quiet_once_fixed(scan_files: ScanFiles, concept: str, fmt: str, case: Case) -> None:
    result = scan_files(case.quiet, enable_rules={case.rule})
    assert result.errors == []
    assert by_rule(result, case.rule) == [], [f.message for f in by_rule(result, case.rule)]


def test_code_signing_runs_only_when_the_team_opts_in(scan_files: ScanFiles) -> None:
    project = tf(TF_FUNCTION % "")
    assert by_rule(scan_files(project), "FG-SUP-040") == []  # the default selection leaves it out
    assert len(by_rule(scan_files(project, rules={"FG-SUP-040"}), "FG-SUP-040")) == 1  # named on the command line


def test_a_function_not_proven_to_handle_secrets_is_not_reported(scan_files: ScanFiles) -> None:
    plain = TF_LOGGED.replace("secretsmanager:GetSecretValue", "dynamodb:GetItem")
    assert by_rule(scan_files(tf(plain)), "FG-MON-020") == []


def test_a_filter_on_a_log_group_named_elsewhere_says_nothing_can_be_known(scan_files: ScanFiles) -> None:
    unknown = TF_FILTER.replace('"/aws/lambda/${aws_lambda_function.orders.function_name}"', "var.log_group")
    assert by_rule(scan_files(tf(TF_LOGGED + unknown)), "FG-MON-020") == []


def cli(tmp_path: Path, config: str) -> tuple[int, set[str]]:
    (tmp_path / "main.tf").write_text(TF_LOGGED)
    (tmp_path / ".faasguard.yaml").write_text(config)
    out = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "faasguard", "scan", str(tmp_path), "--format", "json", "-o", str(out), "--fail-on", "low",
         "--quiet"],
        capture_output=True, text=True, check=False,
    )
    return done.returncode, {f["rule_id"] for f in json.loads(out.read_text())["findings"]}


def test_configuration_switches(tmp_path: Path) -> None:
    code, rules = cli(tmp_path, "fail-on: low\n")
    assert "FG-MON-020" in rules and "FG-SUP-040" not in rules
    code, rules = cli(tmp_path, "require-code-signing: true\nlog-forwarding: false\n")
    assert "FG-SUP-040" in rules and "FG-MON-020" not in rules and code == 1  # a low finding fails --fail-on low


def test_a_switch_takes_only_true_or_false(tmp_path: Path) -> None:
    path = tmp_path / ".faasguard.yaml"
    path.write_text("require-code-signing: yes please\n")
    with pytest.raises(ConfigError, match="require-code-signing must be true or false"):
        load(path)


def test_pulumi_findings_use_pulumi_property_names(scan_files: ScanFiles) -> None:
    [gcp] = by_rule(scan_files(pulumi(
        "  orders:\n    type: gcp:cloudfunctions:Function\n    properties:\n      runtime: python312\n      triggerHttp: true\n"
    ), rules={"FG-NET-055"}), "FG-NET-055")
    assert "ingressSettings is not set" in gcp.message and 'ingressSettings: "ALLOW_INTERNAL_ONLY"' in gcp.remediation
    assert "ingress_settings" not in gcp.message + gcp.remediation
    [signing] = by_rule(scan_files(pulumi(PULUMI_FUNCTION % ""), rules={"FG-SUP-040"}), "FG-SUP-040")
    assert "Set codeSigningConfigArn on aws_lambda_function.orders" in signing.remediation
    both = by_rule(scan_files(tf(TF_FUNCTION % ""), rules={"FG-SUP-040"}), "FG-SUP-040")  # beside the Pulumi.yaml
    [terraform] = [f for f in both if f.path == "main.tf"]
    assert "Set code_signing_config_arn on aws_lambda_function.orders" in terraform.remediation
