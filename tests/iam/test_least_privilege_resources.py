"""Template references resolve to canonical ARNs whatever format named the resource."""

from pathlib import Path

import pytest

from faasguard.iam.least_privilege import Resources, _logical_in
from faasguard.model import Application, DataStore, Loc


def app_with(*stores: DataStore) -> Application:
    app = Application(root=Path("."))
    app.data_stores.extend(stores)
    return app


def test_terraform_addresses_and_cdk_paths_resolve_like_logical_ids():
    res = Resources(
        app_with(
            DataStore("Orders", "dynamodb", Loc("t.yaml", 1), name="orders"),
            DataStore("aws_dynamodb_table.orders", "dynamodb", Loc("main.tf", 1), name="orders"),
            DataStore("Shop/Orders", "dynamodb", Loc("cdk.out/Shop.template.json", 1), name="orders"),
        )
    )
    table = "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders"
    assert res.resolve("${Orders.Arn}") == table
    assert res.resolve("${aws_dynamodb_table.orders.arn}") == table
    assert res.resolve("${Shop/Orders.Arn}") == table
    assert res.resolve("${aws_dynamodb_table.orders.arn}/index/*") == table + "/index/*"
    assert _logical_in("${aws_dynamodb_table.orders.arn}", res) == "aws_dynamodb_table.orders"
    assert _logical_in("${Shop/Orders.Arn}", res) == "Shop/Orders"
    assert _logical_in("${Unknown.Arn}", res) is None


TERRAFORM_ORDERS = """\
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
      Action   = ["dynamodb:PutItem"]
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
TERRAFORM_APP = """\
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    TABLE.put_item(Item={"id": "1"})
"""


def test_terraform_env_reference_resolves_the_table_the_code_uses(scan_files):
    """``TABLE = aws_dynamodb_table.orders.name`` names the table, so a ``*`` grant is reported as too wide."""
    result = scan_files({"main.tf": TERRAFORM_ORDERS, "src/app.py": TERRAFORM_APP}, rules={"FG-IAM-032"})
    [finding] = [f for f in result.findings if f.rule_id == "FG-IAM-032"]
    assert (finding.path, finding.line) == ("main.tf", 22)
    assert finding.function == "aws_lambda_function.orders"
    assert "table/orders" in finding.message


SERVERLESS_ORDERS = """\
service: shop
provider:
  name: aws
  runtime: python3.12
  iam:
    role:
      statements:
        - Effect: Allow
          Action: dynamodb:PutItem
          Resource: "*"
functions:
  orders:
    handler: src/app.handler
    environment:
      TABLE: !Ref OrdersTable
resources:
  Resources:
    OrdersTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: orders
"""


def test_serverless_env_ref_resolves_the_table_the_code_uses(scan_files):
    """``TABLE: !Ref OrdersTable`` (a table under ``resources``) names the table the code writes."""
    result = scan_files({"serverless.yml": SERVERLESS_ORDERS, "src/app.py": TERRAFORM_APP}, rules={"FG-IAM-032"})
    [finding] = [f for f in result.findings if f.rule_id == "FG-IAM-032"]
    assert (finding.path, finding.line, finding.function) == ("serverless.yml", 8, "orders")
    assert "table/orders" in finding.message
    assert "Resource: !GetAtt OrdersTable.Arn" in finding.remediation


TERRAFORM_LOOKED_UP = TERRAFORM_ORDERS + """
data "aws_iam_policy" "looked_up" {
  LOOKUP
}

resource "aws_iam_role_policy_attachment" "looked_up" {
  role       = aws_iam_role.orders.name
  policy_arn = data.aws_iam_policy.looked_up.arn
}
"""


@pytest.mark.parametrize(
    "lookup", ['name = "AmazonS3ReadOnlyAccess"', 'arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"']
)
def test_a_data_lookup_of_an_aws_managed_policy_is_known(scan_files, lookup):
    """``data "aws_iam_policy"`` by the name or ARN of an AWS managed policy grants what that policy grants."""
    files = {"main.tf": TERRAFORM_LOOKED_UP.replace("LOOKUP", lookup), "src/app.py": TERRAFORM_APP}
    result = scan_files(files, rules={"FG-IAM-030", "FG-IAM-034"})
    assert [f for f in result.findings if f.rule_id == "FG-IAM-034"] == []
    [unused] = [f for f in result.findings if f.rule_id == "FG-IAM-030"]
    assert unused.message.startswith("AWS managed policy AmazonS3ReadOnlyAccess in role aws_iam_role.orders grants")
    assert (unused.path, unused.line) == ("main.tf", 48)  # the attachment that gives it to the role


def test_a_data_lookup_of_a_customer_policy_stays_unknown(scan_files):
    files = {"main.tf": TERRAFORM_LOOKED_UP.replace("LOOKUP", 'name = "team-boundary"'), "src/app.py": TERRAFORM_APP}
    result = scan_files(files, rules={"FG-IAM-030", "FG-IAM-034"})
    assert [f for f in result.findings if f.rule_id == "FG-IAM-030"] == []
    [note] = [f for f in result.findings if f.rule_id == "FG-IAM-034"]
    assert "data.aws_iam_policy.looked_up" in note.message and "defined outside this source" in note.message
