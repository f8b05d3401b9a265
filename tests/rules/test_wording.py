"""Remediation speaks the source the user edits: Terraform, serverless.yml, or CloudFormation/SAM."""

from __future__ import annotations

from faasguard.rules.wording import cdk_runtime, fix, tf_function
from tests.conftest import by_rule

MAIN_TF = """
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  role          = "arn:aws:iam::123456789012:role/orders"
  runtime       = "python3.8"
  handler       = "app.handler"
  timeout       = 900
}

resource "aws_lambda_function_url" "orders" {
  function_name      = aws_lambda_function.orders.function_name
  authorization_type = "NONE"
}
"""

SERVERLESS_YML = """
service: shop
provider:
  name: aws
  runtime: python3.12
functions:
  orders:
    handler: handler.main
    events:
      - http: {path: orders, method: post}
"""


def test_terraform_fixes_name_terraform_attributes(scan_files):
    result = scan_files({"main.tf": MAIN_TF}, rules={"FG-MON-001", "FG-RES-002", "FG-RES-003", "FG-IAM-006", "FG-SUP-001"})
    tracing = by_rule(result, "FG-MON-001")[0].remediation
    assert 'tracing_config { mode = "Active" } on aws_lambda_function.orders' in tracing
    assert "Globals" not in tracing and "TracingConfig" not in tracing
    assert by_rule(result, "FG-RES-002")[0].remediation.startswith("Set timeout on aws_lambda_function.orders ")
    assert "reserved_concurrent_executions on aws_lambda_function.orders" in by_rule(result, "FG-RES-003")[0].remediation
    assert 'authorization_type = "AWS_IAM" on the aws_lambda_function_url' in by_rule(result, "FG-IAM-006")[0].remediation
    assert by_rule(result, "FG-SUP-001")[0].remediation.startswith('Set runtime = "python3.')


def test_serverless_fixes_name_serverless_yml_keys(scan_files):
    result = scan_files(
        {"serverless.yml": SERVERLESS_YML}, rules={"FG-MON-001", "FG-MON-005", "FG-MON-006", "FG-RES-003", "FG-INJ-001"}
    )
    assert "provider.tracing.lambda: true" in by_rule(result, "FG-MON-001")[0].remediation
    assert by_rule(result, "FG-MON-005")[0].remediation.startswith("Set provider.logs.restApi: true")
    assert by_rule(result, "FG-MON-006")[0].remediation == "Set provider.tracing.apiGateway: true"
    assert "functions.orders.reservedConcurrency" in by_rule(result, "FG-RES-003")[0].remediation
    authorizer = by_rule(result, "FG-INJ-001")[0].remediation
    assert "http event of POST /orders" in authorizer and "DefaultAuthorizer" not in authorizer


def test_sam_keeps_sam_wording(scan_files):
    template = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Orders:
        Type: AWS::Serverless::Function
        Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src/}
    """
    result = scan_files({"template.yaml": template}, rules={"FG-MON-001"})
    assert by_rule(result, "FG-MON-001")[0].remediation.startswith("Set Tracing: Active on the function or in Globals")


def test_fix_falls_back_to_cloudformation():
    kinds = {"cfn": "C", "terraform": "T", "serverless": "S"}
    assert fix("terraform", **kinds) == "T"
    assert fix("serverless", **kinds) == "S"
    assert fix("sam", **kinds) == "C"  # a SAM template is CloudFormation
    assert fix("cdk", **kinds) == "C"  # no CDK wording given: the synthesized template's
    assert fix("cdk", cdk="K", **kinds) == "K"
    assert fix("cloudformation", sam="M", **kinds) == "C"
    assert fix("source", **kinds) == "C"


def test_terraform_module_and_cdk_helpers():
    assert tf_function("module.orders", "timeout", "timeout = 28") == "timeout = 28 in module.orders"
    assert tf_function("aws_lambda_function.x", "timeout") == "timeout on aws_lambda_function.x"
    assert cdk_runtime("nodejs22.x") == "NODEJS_22_X"
    assert cdk_runtime("python3.13") == "PYTHON_3_13"
    assert cdk_runtime("provided.al2023") == "PROVIDED_AL2023"
    assert cdk_runtime("java21") == "JAVA_21"
