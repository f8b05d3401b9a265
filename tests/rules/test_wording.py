"""Remediation speaks the source the user edits: Terraform, serverless.yml, or CloudFormation/SAM."""

from __future__ import annotations

from pathlib import Path

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
    assert fix("pulumi", **kinds) == "T" and fix("pulumi", cfn="C") == "C"  # Pulumi's provider is Terraform's
    assert fix("sam", sam="M", **kinds) == "M" and fix("serverless", cfn="C") == "C" and fix("azure", **kinds) == "C"


def test_terraform_module_and_cdk_helpers():
    assert tf_function("module.orders", "timeout", "timeout = 28") == "timeout = 28 in module.orders"
    assert tf_function("aws_lambda_function.x", "timeout") == "timeout on aws_lambda_function.x"
    assert cdk_runtime("nodejs22.x") == "NODEJS_22_X"
    assert cdk_runtime("python3.13") == "PYTHON_3_13"
    assert cdk_runtime("provided.al2023") == "PROVIDED_AL2023"
    assert cdk_runtime("java21") == "JAVA_21"


# -- IAM rules (FG-IAM-020 … 032): statements and references in Terraform and serverless.yml ----

IAM_TF = """
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
  assume_role_policy = "{}"
}

resource "aws_iam_role_policy" "orders" {
  role = aws_iam_role.orders.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["dynamodb:PutItem", "iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"]
      Resource = "*"
    }]
  })
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

IAM_SLS = """
service: shop
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:PutItem, iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction]
          Resource: "*"
functions:
  orders:
    handler: app.handler
    environment:
      TABLE: orders
resources:
  Resources:
    OrdersTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: orders
"""

PUT_ORDER = """
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    TABLE.put_item(Item={"id": "1"})
"""

IAM_RULES = {"FG-IAM-020", "FG-IAM-026", "FG-IAM-030", "FG-IAM-032"}


def test_terraform_iam_fixes_use_terraform_references(scan_files):
    result = scan_files({"main.tf": IAM_TF, "src/app.py": PUT_ORDER}, rules=IAM_RULES)
    escalation = by_rule(result, "FG-IAM-020")[0].remediation
    assert "resources = [aws_iam_role.worker.arn]" in escalation and "!GetAtt" not in escalation
    isolation = by_rule(result, "FG-IAM-026")[0].remediation
    assert "resources = [aws_lambda_function.worker.arn]" in isolation and "!GetAtt" not in isolation
    [unused] = by_rule(result, "FG-IAM-030")
    assert unused.line == 22
    assert unused.remediation.startswith("Replace the statement in aws_iam_role_policy.orders with the Statement list")
    statement = (
        '[{ Sid = "Dynamodb", Effect = "Allow", Action = ["dynamodb:PutItem"], Resource = [aws_dynamodb_table.orders.arn] }]'
    )
    assert statement in unused.remediation
    assert "aws_iam_policy_document" in unused.remediation and '"Resource":' not in unused.remediation
    assert statement in by_rule(result, "FG-IAM-032")[0].remediation


def test_serverless_iam_fixes_are_provider_iam_role_statements(scan_files):
    result = scan_files({"serverless.yml": IAM_SLS, "app.py": PUT_ORDER}, rules=IAM_RULES)
    escalation = by_rule(result, "FG-IAM-020")[0].remediation
    assert "provider.iam.role.statements" in escalation and "Resource: !GetAtt WorkerLambdaFunction.Arn" in escalation
    isolation = by_rule(result, "FG-IAM-026")[0].remediation
    assert "Resource: !GetAtt WorkerLambdaFunction.Arn" in isolation and "!GetAtt Worker.Arn" not in isolation
    [unused] = [f for f in by_rule(result, "FG-IAM-030") if "provider.iam.role.statements" in f.message]
    assert unused.line == 8
    entry = "[{Sid: Dynamodb, Effect: Allow, Action: [dynamodb:PutItem], Resource: !GetAtt OrdersTable.Arn}]"
    assert unused.remediation == f"Replace the statement in provider.iam.role.statements with: {entry}"
    assert by_rule(result, "FG-IAM-032")[0].remediation.endswith(entry)


def test_serverless_statement_is_yaml_the_framework_reads():
    """The suggested entry parses as YAML, with !GetAtt as CloudFormation's tag."""
    import yaml

    from faasguard.iam.least_privilege import PolicyStatement
    from faasguard.iam.render import inline
    from faasguard.model import Application, DataStore, Loc

    app = Application(root=Path("."), format="serverless")
    app.data_stores.append(DataStore("OrdersTable", "dynamodb", Loc("serverless.yml", 1), name="orders"))
    table = "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders"
    text = inline([PolicyStatement("Dynamodb", ("dynamodb:Query",), (table, table + "/index/*"))], app)

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, tag, node: {tag: loader.construct_scalar(node)})
    assert yaml.load(text, Loader=Loader) == [
        {
            "Sid": "Dynamodb",
            "Effect": "Allow",
            "Action": ["dynamodb:Query"],
            "Resource": [{"GetAtt": "OrdersTable.Arn"}, {"Sub": "${OrdersTable.Arn}/index/*"}],
        }
    ]


def test_every_pulumi_wording_row_is_an_argument_some_rule_names() -> None:
    import tomllib
    from pathlib import Path

    import faasguard.rules as rules_package

    data = Path(rules_package.__file__).resolve().parents[1] / "data" / "pulumi_types.toml"
    words = tomllib.loads(data.read_text(encoding="utf-8"))["wording"]["arguments"]
    sources = "".join(p.read_text(encoding="utf-8") for p in Path(rules_package.__file__).parent.glob("*.py"))
    assert words == sorted(set(words)), "keep the [wording] arguments sorted and unique"
    assert [w for w in words if w not in sources] == []


def test_pulumi_words_renames_arguments_never_user_data_or_addresses() -> None:
    from faasguard.rules.wording import pulumi_words

    text = 'Set ingress_settings = "ALLOW_INTERNAL_ONLY" on aws_lambda_function.memory_size; variable db_password'
    expected = 'Set ingressSettings: "ALLOW_INTERNAL_ONLY" on aws_lambda_function.memory_size; variable db_password'
    assert pulumi_words(text) == expected
    assert pulumi_words("tracing_config { mode = \"Active\" }") == 'tracingConfig: { mode: "Active" }'
    assert pulumi_words("service_config.ingress_settings") == "serviceConfig.ingressSettings"
