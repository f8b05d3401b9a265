"""Least privilege from the code: the policy each function needs, and FG-IAM-030/031/032."""

from __future__ import annotations

import json

import pytest

from faasguard.cli import main
from faasguard.findings import Severity
from tests.conftest import by_rule

LP_RULES = {"FG-IAM-030", "FG-IAM-031", "FG-IAM-032"}


def unused_list(message: str) -> list[str]:
    return message.split("never uses: ", 1)[1].split(", ")


THUMBNAILER_CODE = """
import os

import boto3

s3 = boto3.client("s3")
SOURCE = os.environ["SOURCE_BUCKET"]
DEST = os.environ["DEST_BUCKET"]


def handler(event, context):
    for record in event["Records"]:
        key = record["s3"]["object"]["key"]
        obj = s3.get_object(Bucket=SOURCE, Key=key)
        data = obj["Body"].read()
        s3.put_object(Bucket=DEST, Key="thumbs/" + key, Body=data[:100])
"""


def thumbnailer(policies: str) -> str:
    return (
        """
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Thumbs:
    Type: AWS::S3::Bucket
  Thumbnailer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          SOURCE_BUCKET: !Ref Uploads
          DEST_BUCKET: !Ref Thumbs
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
      Policies:
"""
        + policies
    )


CRUD_BOTH = """\
        - S3CrudPolicy:
            BucketName: !Ref Uploads
        - S3CrudPolicy:
            BucketName: !Ref Thumbs
"""
EXACT = """\
        - Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: !Sub "${Uploads.Arn}/*"
            - Effect: Allow
              Action: s3:PutObject
              Resource: !Sub "arn:${AWS::Partition}:s3:::${Thumbs}/*"
"""


def test_thumbnailer_crud_policies_report_unused_actions_per_statement(scan_files):
    result = scan_files({"template.yaml": thumbnailer(CRUD_BOTH), "src/app.py": THUMBNAILER_CODE}, rules=LP_RULES)
    unused = by_rule(result, "FG-IAM-030")
    assert len(unused) == 2  # one per statement
    source, dest = sorted(unused, key=lambda f: f.message)
    assert source.function == "Thumbnailer" and source.resource == "ThumbnailerRole"
    assert "ThumbnailerRolePolicy0" in source.message
    assert "s3:DeleteObject" in source.message and "s3:PutObject" in source.message
    assert "s3:GetObject" not in unused_list(source.message)
    assert '"Action": "s3:GetObject", "Resource": "arn:aws:s3:::${Uploads}/*"' in source.remediation
    assert '"Action": "s3:PutObject", "Resource": "arn:aws:s3:::${Thumbs}/thumbs/*"' in dest.remediation
    assert source.severity == Severity.MEDIUM  # unused write actions
    assert by_rule(result, "FG-IAM-031") == []


def test_thumbnailer_with_exact_statements_is_quiet(scan_files):
    result = scan_files({"template.yaml": thumbnailer(EXACT), "src/app.py": THUMBNAILER_CODE}, rules=LP_RULES)
    assert [f.rule_id for f in result.findings] == []


def test_policy_command_prints_the_thumbnailer_policy(scan_files, tmp_path, capsys):
    scan_files({"template.yaml": thumbnailer(CRUD_BOTH), "src/app.py": THUMBNAILER_CODE}, rules=LP_RULES)
    assert main(["policy", str(tmp_path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    [fn] = data["functions"]
    assert fn["function"] == "Thumbnailer" and fn["complete"] is True
    statements = {
        (s["Action"] if isinstance(s["Action"], str) else tuple(s["Action"]), s["Resource"]) for s in fn["policy"]["Statement"]
    }
    assert ("s3:GetObject", "arn:aws:s3:::${Uploads}/*") in statements
    assert ("s3:PutObject", "arn:aws:s3:::${Thumbs}/thumbs/*") in statements
    assert not any("s3:DeleteObject" in str(s) for s in statements)


def test_policy_command_formats(scan_files, tmp_path, capsys):
    scan_files({"template.yaml": thumbnailer(CRUD_BOTH), "src/app.py": THUMBNAILER_CODE}, rules=LP_RULES)
    assert main(["policy", str(tmp_path), "--format", "cfn", "--function", "Thumbnailer"]) == 0
    cfn = capsys.readouterr().out
    assert 'Resource: !Sub "arn:${AWS::Partition}:s3:::${Uploads}/*"' in cfn
    assert "PolicyName: ThumbnailerLeastPrivilege" in cfn
    assert main(["policy", str(tmp_path), "--format", "terraform"]) == 0
    tf = capsys.readouterr().out
    assert 'data "aws_iam_policy_document" "thumbnailer_least_privilege"' in tf
    assert '"arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:' in tf
    assert main(["policy", str(tmp_path), "--format", "yaml"]) == 0
    assert "function: Thumbnailer" in capsys.readouterr().out
    assert main(["policy", str(tmp_path), "--function", "Nope"]) == 2
    assert "no function named Nope" in capsys.readouterr().err


ORDER_CODE = """
import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    if event["httpMethod"] == "POST":
        order = json.loads(event["body"])
        table.put_item(Item=order)
        return {"statusCode": 201}
    found = table.get_item(Key={"id": event["pathParameters"]["id"]})
    return {"statusCode": 200, "body": json.dumps(found.get("Item"))}
"""


def order_api(policies: str) -> str:
    return (
        """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
  OrderApi:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          TABLE_NAME: !Ref Orders
      Events:
        Get:
          Type: Api
          Properties:
            Path: /orders/{id}
            Method: get
      Policies:
"""
        + policies
    )


WILDCARD_RESOURCE = """\
        - Statement:
            - Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:PutItem]
              Resource: "*"
"""
READ_ONLY = """\
        - DynamoDBReadPolicy:
            TableName: !Ref Orders
"""
SCOPED = """\
        - Statement:
            - Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:PutItem]
              Resource: !GetAtt Orders.Arn
"""


def test_order_api_wildcard_resource_for_one_table(scan_files):
    result = scan_files({"template.yaml": order_api(WILDCARD_RESOURCE), "src/app.py": ORDER_CODE}, rules=LP_RULES)
    [finding] = by_rule(result, "FG-IAM-032")
    assert finding.function == "OrderApi"
    assert "dynamodb:GetItem, dynamodb:PutItem on every resource" in finding.message
    assert "table/${Orders}" in finding.message
    assert '"Resource": "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}"' in finding.remediation
    assert by_rule(result, "FG-IAM-030") == []  # both actions are used


def test_order_api_read_policy_misses_put_item(scan_files):
    result = scan_files({"template.yaml": order_api(READ_ONLY), "src/app.py": ORDER_CODE}, rules=LP_RULES)
    [missing] = by_rule(result, "FG-IAM-031")
    assert missing.path == "src/app.py" and missing.line == 12
    assert "dynamodb:PutItem" in missing.message and "AccessDenied" in missing.message
    assert "OrderApi" in missing.message
    [unused] = by_rule(result, "FG-IAM-030")
    assert "dynamodb:Scan" in unused_list(unused.message) and "dynamodb:GetItem" not in unused_list(unused.message)
    assert unused.severity == Severity.LOW  # only read actions unused


def test_order_api_scoped_statement_is_quiet(scan_files):
    result = scan_files({"template.yaml": order_api(SCOPED), "src/app.py": ORDER_CODE}, rules=LP_RULES)
    assert result.findings == []


NODE_V3_CODE = """
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});

export const handler = async (event) => {
  const id = event.pathParameters.id;
  const found = await ddb.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { id } }));
  if (!found.Item) {
    await ddb.send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: { id, state: "new" } }));
  }
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.QUEUE_URL, MessageBody: id }));
  return { statusCode: 202 };
};
"""


def node_v3(policies: str) -> str:
    return (
        """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
  Jobs:
    Type: AWS::SQS::Queue
  Enqueue:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      CodeUri: src/
      Environment:
        Variables:
          TABLE_NAME: !Ref Orders
          QUEUE_URL: !Ref Jobs
      Policies:
"""
        + policies
    )


NODE_OVERBROAD = """\
        - DynamoDBCrudPolicy:
            TableName: !Ref Orders
        - SQSSendMessagePolicy:
            QueueName: !GetAtt Jobs.QueueName
"""
NODE_MISSING_SQS = """\
        - DynamoDBCrudPolicy:
            TableName: !Ref Orders
"""


def test_node_v3_document_client_and_sqs(scan_files):
    result = scan_files({"template.yaml": node_v3(NODE_OVERBROAD), "src/index.mjs": NODE_V3_CODE}, rules=LP_RULES)
    [unused] = by_rule(result, "FG-IAM-030")  # the SQS template statement is fully used
    assert "EnqueueRolePolicy0" in unused.message
    assert "dynamodb:DeleteItem" in unused.message
    assert '"Action": ["dynamodb:GetItem", "dynamodb:PutItem"]' in unused.remediation
    assert by_rule(result, "FG-IAM-031") == []


def test_node_v3_send_message_without_permission(scan_files):
    result = scan_files({"template.yaml": node_v3(NODE_MISSING_SQS), "src/index.mjs": NODE_V3_CODE}, rules=LP_RULES)
    [missing] = by_rule(result, "FG-IAM-031")
    assert missing.path == "src/index.mjs" and missing.line == 14
    assert "sqs:SendMessage on arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Jobs.QueueName}" in missing.message


DYNAMIC_CODE = """
import boto3


def handler(event, context):
    client = boto3.client(event["service"])
    return getattr(client, event["operation"])(**event["params"])
"""
DYNAMIC_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Router:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: [s3:GetObject, s3:PutObject, sqs:SendMessage]
              Resource: "*"
"""


def test_dynamic_call_makes_the_policy_incomplete_and_claims_nothing_unused(scan_files, tmp_path, capsys):
    result = scan_files({"template.yaml": DYNAMIC_TEMPLATE, "src/app.py": DYNAMIC_CODE}, rules=LP_RULES)
    assert result.findings == []
    assert main(["policy", str(tmp_path)]) == 0
    [fn] = json.loads(capsys.readouterr().out)["functions"]
    assert fn["complete"] is False
    assert any("src/app.py:5" in why and "run time" in why for why in fn["incomplete_because"])


def test_function_without_code_claims_nothing_unused(scan_files):
    result = scan_files({"template.yaml": DYNAMIC_TEMPLATE}, rules=LP_RULES)
    assert result.findings == []


@pytest.mark.parametrize("fmt", ["cfn", "terraform", "yaml"])
def test_incomplete_policy_is_flagged_in_every_format(scan_files, tmp_path, capsys, fmt):
    scan_files({"template.yaml": DYNAMIC_TEMPLATE, "src/app.py": DYNAMIC_CODE})
    assert main(["policy", str(tmp_path), "--format", fmt]) == 0
    assert "computed at run time" in capsys.readouterr().out
