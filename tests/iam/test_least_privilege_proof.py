"""FG-IAM-031 only with a proof, FG-IAM-030 fixes that never widen: the cases of issue 10."""

from __future__ import annotations

import pytest

from faasguard.findings import Severity
from faasguard.iam.evaluate import arn_matches, arn_may_match
from tests.conftest import by_rule

LP = {"FG-IAM-030", "FG-IAM-031", "FG-IAM-032"}

SLS_TODOS = """
service: todos
frameworkVersion: "3"
provider:
  name: aws
  runtime: python3.12
  environment:
    DYNAMODB_TABLE: ${self:service}-${sls:stage}
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:GetItem, dynamodb:PutItem]
          Resource: "arn:aws:dynamodb:${aws:region}:*:table/${self:provider.environment.DYNAMODB_TABLE}"
functions:
  create:
    handler: handler.create
"""

SLS_HANDLER = """
import os
import boto3

table = boto3.resource("dynamodb").Table(os.environ["DYNAMODB_TABLE"])


def create(event, context):
    table.put_item(Item={"id": "1"})
    return table.get_item(Key={"id": "1"})
"""


def test_concrete_region_grant_covers_placeholder_need(scan_files):
    # The study's case: the grant names us-east-1, the need ${AWS::Region}: no AccessDenied claim, nothing unused.
    result = scan_files({"serverless.yml": SLS_TODOS, "handler.py": SLS_HANDLER}, rules=LP, variables={"opt:stage": "dev"})
    assert by_rule(result, "FG-IAM-031") == []
    assert by_rule(result, "FG-IAM-030") == []


def test_missing_action_on_a_known_table_is_proven(scan_files):
    text = SLS_TODOS.replace("[dynamodb:GetItem, dynamodb:PutItem]", "[dynamodb:GetItem]")
    result = scan_files({"serverless.yml": text, "handler.py": SLS_HANDLER}, rules={"FG-IAM-031"})
    [finding] = by_rule(result, "FG-IAM-031")
    assert finding.path == "handler.py" and finding.line == 8
    assert "dynamodb:PutItem" in finding.message and "AccessDenied" in finding.message
    assert finding.severity == Severity.MEDIUM


SAM = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  Prefix:
    Type: String
Resources:
  Events:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: events-bucket
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          BUCKET: !Ref Events
          QUEUE_URL: "{{resolve:ssm:/queues/url}}"
      Policies:
        - Statement:
            - Effect: Allow
              Action: s3:PutObject
              Resource: GRANT
"""

S3_CODE = """
import os
import boto3

s3 = boto3.client("s3")
sqs = boto3.client("sqs")


def handler(event, context):
    day = event["day"]
    s3.put_object(Bucket=os.environ["BUCKET"], Key=f"clickstream/{day}/x.json", Body=b"")
"""


@pytest.mark.parametrize(
    "grant",
    [
        '!Sub "${Events.Arn}/clickstream/*"',  # a prefix grant: the code's key has that prefix
        '!Sub "arn:aws:s3:::${Prefix}-events/*"',  # partly unknown: a parameter
        '"arn:aws:s3:::${ssm:/bucket}/*"',  # an unresolved variable
    ],
)
def test_partly_unknown_grants_stay_quiet(scan_files, grant):
    result = scan_files({"template.yaml": SAM.replace("GRANT", grant), "src/app.py": S3_CODE}, rules={"FG-IAM-031"})
    assert by_rule(result, "FG-IAM-031") == []


def test_a_grant_on_another_prefix_is_proven_missing(scan_files):
    result = scan_files(
        {"template.yaml": SAM.replace("GRANT", '!Sub "${Events.Arn}/uploads/*"'), "src/app.py": S3_CODE},
        rules={"FG-IAM-031"},
    )
    [finding] = by_rule(result, "FG-IAM-031")
    assert "s3:PutObject" in finding.message and "events-bucket/clickstream/*" in finding.message


def test_the_suggested_policy_narrows_to_the_key_prefix(tmp_path, capsys):
    import json

    from faasguard.cli import main

    (tmp_path / "src").mkdir()
    (tmp_path / "template.yaml").write_text(SAM.replace("GRANT", '!Sub "${Events.Arn}/*"'))
    (tmp_path / "src" / "app.py").write_text(S3_CODE)
    main(["policy", str(tmp_path), "--format", "json"])
    text = json.dumps(json.loads(capsys.readouterr().out))
    assert "events-bucket/clickstream/*" in text and "events-bucket/*" not in text


def test_a_grant_on_another_bucket_is_proven_missing(scan_files):
    result = scan_files(
        {"template.yaml": SAM.replace("GRANT", '"arn:aws:s3:::some-other-bucket/*"'), "src/app.py": S3_CODE},
        rules={"FG-IAM-031"},
    )
    [finding] = by_rule(result, "FG-IAM-031")
    assert finding.line == 10 and "s3:PutObject" in finding.message


def test_unresolved_resource_in_the_code_stays_quiet(scan_files):
    code = S3_CODE + '\n\ndef other(event, context):\n    sqs.send_message(QueueUrl=os.environ["QUEUE_URL"], MessageBody="x")\n'
    result = scan_files({"template.yaml": SAM.replace("GRANT", '"*"'), "src/app.py": code}, rules={"FG-IAM-031"})
    assert by_rule(result, "FG-IAM-031") == []


def test_query_without_index_name_needs_the_table_only(scan_files):
    template = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          TABLE: !Ref Orders
      Policies:
        - Statement:
            - Effect: Allow
              Action: dynamodb:Query
              Resource: !GetAtt Orders.Arn
"""
    code = """
import os
import boto3
from boto3.dynamodb.conditions import Key

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


def handler(event, context):
    return table.query(KeyConditionExpression=Key("pk").eq("x"))
"""
    result = scan_files({"template.yaml": template, "src/app.py": code}, rules=LP)
    assert by_rule(result, "FG-IAM-031") == []
    assert by_rule(result, "FG-IAM-030") == []


QUERY_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: dynamodb:Query
              Resource: !GetAtt Orders.Arn
"""


@pytest.mark.parametrize(
    ("call", "missing"),
    [
        ('client.query(TableName="orders", IndexName="by-date", KeyConditionExpression="pk = :p")', True),
        ('client.query(TableName="orders", KeyConditionExpression="pk = :p")', False),
        ('client.query(TableName="orders", **event["extra"])', False),  # maybe an index: no claim
    ],
)
def test_a_query_on_an_index_needs_the_index(scan_files, call, missing):
    code = f"import boto3\nclient = boto3.client('dynamodb')\n\n\ndef handler(event, context):\n    return {call}\n"
    result = scan_files({"template.yaml": QUERY_TEMPLATE, "src/app.py": code}, rules={"FG-IAM-031"})
    found = by_rule(result, "FG-IAM-031")
    assert bool(found) is missing
    if missing:
        assert "table/orders/index/by-date" in found[0].message


def test_the_policy_command_leaves_indexes_out_when_the_query_names_none(tmp_path, capsys):
    import json

    from faasguard.cli import main

    (tmp_path / "src").mkdir()
    (tmp_path / "template.yaml").write_text(QUERY_TEMPLATE)
    (tmp_path / "src" / "app.py").write_text(
        "import boto3\nclient = boto3.client('dynamodb')\n\n\ndef handler(event, context):\n"
        '    return client.query(TableName="orders", KeyConditionExpression="pk = :p")\n'
    )
    main(["policy", str(tmp_path), "--format", "json"])
    policy = json.loads(capsys.readouterr().out)
    resources = json.dumps(policy)
    assert "table/orders" in resources and "/index/" not in resources


def test_fix_never_widens_a_table_scoped_statement(scan_files):
    # sls-todos: the old fix replaced a table-scoped statement with Resource: "*".
    text = SLS_TODOS.replace("[dynamodb:GetItem, dynamodb:PutItem]", "[dynamodb:GetItem, dynamodb:PutItem, dynamodb:Scan]")
    result = scan_files({"serverless.yml": text, "handler.py": SLS_HANDLER}, rules={"FG-IAM-030"})
    [finding] = by_rule(result, "FG-IAM-030")
    assert finding.message.endswith("never uses: dynamodb:Scan")
    assert '"*"' not in finding.remediation and "Resource: '*'" not in finding.remediation
    assert "table/todos-dev" in finding.remediation


@pytest.mark.parametrize(
    ("pattern", "arn", "sure", "maybe"),
    [
        ("arn:aws:dynamodb:us-east-1:*:table/t", "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/t", False, True),
        ("arn:aws:dynamodb:us-east-1:*:table/t", "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/u", False, False),
        ("arn:aws:s3:::b/clickstream/*", "arn:aws:s3:::b/*", False, True),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/*", True, True),
        ("arn:aws:s3:::c/*", "arn:aws:s3:::b/*", False, False),
        ("${Table.Arn}", "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/x", False, True),
        (
            "arn:aws:dynamodb:*:*:table/${Name}-dev",
            "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders-${Stage}",
            False,
            True,
        ),
    ],
)
def test_three_valued_arn_matching(pattern, arn, sure, maybe):
    assert arn_matches(pattern, arn) is sure
    assert arn_may_match(pattern, arn) is maybe


def test_policy_command_accepts_var(tmp_path, capsys):
    import json
    import textwrap

    from faasguard.cli import main

    text = SLS_TODOS.replace("${self:service}-${sls:stage}", "${self:service}-${opt:stage}")
    (tmp_path / "serverless.yml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    (tmp_path / "handler.py").write_text(textwrap.dedent(SLS_HANDLER).lstrip(), encoding="utf-8")
    assert main(["policy", str(tmp_path), "--var", "opt:stage=prod"]) == 0
    out = json.loads(capsys.readouterr().out)
    resources = json.dumps(out["functions"][0]["policy"])
    assert "table/todos-prod" in resources


SLS_DEFAULTS = """
service: todos
provider:
  name: aws
  runtime: python3.12
  environment:
    DYNAMODB_TABLE: ${self:service}-${sls:stage}
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [dynamodb:GetItem, dynamodb:PutItem]
          Resource: "arn:aws:dynamodb:${self:provider.region}:*:table/GRANTED"
functions:
  create:
    handler: handler.create
"""


def test_serverless_defaults_stage_dev_and_region_us_east_1(scan_files):
    # No stage or region set, no --var: the Framework's defaults (dev, us-east-1) name the table.
    text = SLS_DEFAULTS.replace("GRANTED", "todos-dev")
    result = scan_files({"serverless.yml": text, "handler.py": SLS_HANDLER}, rules=LP)
    assert by_rule(result, "FG-IAM-031") == [] and by_rule(result, "FG-IAM-030") == []
    text = SLS_DEFAULTS.replace("GRANTED", "todos-prod")
    result = scan_files({"serverless.yml": text, "handler.py": SLS_HANDLER}, rules={"FG-IAM-031"})
    findings = by_rule(result, "FG-IAM-031")
    assert findings and all("table/todos-dev" in f.message for f in findings)
