"""Platform permissions (data/platform_permissions.toml): what Lambda uses is never "unused".

Every row of the table is exercised: a function with the setting that creates the need, whose
role grants exactly the row's actions, gets no FG-IAM-030 on them; the same statement on a
function whose code uses nothing else but lacks the setting does (for rows that are not exempt).
"""

from __future__ import annotations

import json

import pytest

from faasguard.iam import platform
from tests.conftest import by_rule

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"


def _template(
    properties: str, actions: list[str], resource: str = '"*"', extra: str = "", policy_name: str = "Platform"
) -> str:
    return f"""
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
  Table:
    Type: AWS::DynamoDB::Table
  Key:
    Type: AWS::KMS::Key
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: {policy_name}
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: {json.dumps(actions)}
                Resource: {resource}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: src/
      Role: !GetAtt Role.Arn
{properties}
{extra}
"""


# row id → (function properties, extra resources, policy name, resource) that create the need
SETTINGS: dict[str, tuple[str, str, str, str]] = {
    "logs": ("", "", "Platform", '"*"'),
    "xray": ("      TracingConfig: {Mode: Active}", "", "Platform", '"*"'),
    "vpc": ("      VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [sg-1]}", "", "Platform", '"*"'),
    "esm-sqs": ("", "  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn\n"
                "      EventSourceArn: !GetAtt Queue.Arn", "Platform", '"*"'),
    "esm-kinesis": ("", "  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn\n"
                    "      EventSourceArn: arn:aws:kinesis:us-east-1:111122223333:stream/s", "Platform", '"*"'),
    "esm-dynamodb": ("", "  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn\n"
                     "      EventSourceArn: !GetAtt Table.StreamArn", "Platform", '"*"'),
    "esm-kafka": ("", "  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn\n"
                  "      EventSourceArn: arn:aws:kafka:us-east-1:111122223333:cluster/c/1", "Platform", '"*"'),
    "esm-kafka-auth": ("", "  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn\n"
                       "      EventSourceArn: arn:aws:kafka:us-east-1:111122223333:cluster/c/1", "Platform", '"*"'),
    "esm-mq": ("", "  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn\n"
               "      EventSourceArn: arn:aws:mq:us-east-1:111122223333:broker:b:1", "Platform", '"*"'),
    "esm-mq-auth": ("", "  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Fn\n"
                    "      EventSourceArn: arn:aws:mq:us-east-1:111122223333:broker:b:1", "Platform", '"*"'),
    "dead-letter-sqs": ("      DeadLetterConfig: {TargetArn: !GetAtt Queue.Arn}", "", "Platform", "!GetAtt Queue.Arn"),
    "dead-letter-sns": ("      DeadLetterConfig: {TargetArn: !Ref Topic}", "", "Platform", "!Ref Topic"),
    "on-failure-sqs": ("", "  Cfg:\n    Type: AWS::Lambda::EventInvokeConfig\n    Properties:\n      FunctionName: !Ref Fn\n"
                       "      Qualifier: $LATEST\n      DestinationConfig: {OnFailure: {Destination: !GetAtt Queue.Arn}}",
                       "Platform", "!GetAtt Queue.Arn"),
    "on-failure-sns": ("", "  Cfg:\n    Type: AWS::Lambda::EventInvokeConfig\n    Properties:\n      FunctionName: !Ref Fn\n"
                       "      Qualifier: $LATEST\n      DestinationConfig: {OnFailure: {Destination: !Ref Topic}}",
                       "Platform", "!Ref Topic"),
    "on-failure-lambda": ("", "  Cfg:\n    Type: AWS::Lambda::EventInvokeConfig\n    Properties:\n      FunctionName: !Ref Fn\n"
                          "      Qualifier: $LATEST\n      DestinationConfig: {OnFailure: {Destination: "
                          "arn:aws:lambda:us-east-1:111122223333:function:f}}", "Platform", '"*"'),
    "on-failure-events": ("", "  Cfg:\n    Type: AWS::Lambda::EventInvokeConfig\n    Properties:\n      FunctionName: !Ref Fn\n"
                          "      Qualifier: $LATEST\n      DestinationConfig: {OnFailure: {Destination: "
                          "arn:aws:events:us-east-1:111122223333:event-bus/b}}", "Platform", '"*"'),
    "on-failure-s3": ("", "  Cfg:\n    Type: AWS::Lambda::EventInvokeConfig\n    Properties:\n      FunctionName: !Ref Fn\n"
                      "      Qualifier: $LATEST\n      DestinationConfig: {OnFailure: {Destination: arn:aws:s3:::failed-events}}",
                      "Platform", '"*"'),
    "on-success-sqs": ("", "  Cfg:\n    Type: AWS::Lambda::EventInvokeConfig\n    Properties:\n      FunctionName: !Ref Fn\n"
                       "      Qualifier: $LATEST\n      DestinationConfig: {OnSuccess: {Destination: !GetAtt Queue.Arn}}",
                       "Platform", "!GetAtt Queue.Arn"),
    "on-success-sns": ("", "  Cfg:\n    Type: AWS::Lambda::EventInvokeConfig\n    Properties:\n      FunctionName: !Ref Fn\n"
                       "      Qualifier: $LATEST\n      DestinationConfig: {OnSuccess: {Destination: !Ref Topic}}",
                       "Platform", "!Ref Topic"),
    "on-success-lambda": ("", "  Cfg:\n    Type: AWS::Lambda::EventInvokeConfig\n    Properties:\n      FunctionName: !Ref Fn\n"
                          "      Qualifier: $LATEST\n      DestinationConfig: {OnSuccess: {Destination: "
                          "arn:aws:lambda:us-east-1:111122223333:function:f}}", "Platform", '"*"'),
    "on-success-events": ("", "  Cfg:\n    Type: AWS::Lambda::EventInvokeConfig\n    Properties:\n      FunctionName: !Ref Fn\n"
                          "      Qualifier: $LATEST\n      DestinationConfig: {OnSuccess: {Destination: "
                          "arn:aws:events:us-east-1:111122223333:event-bus/b}}", "Platform", '"*"'),
    "env-kms": ("      KmsKeyArn: !GetAtt Key.Arn", "", "Platform", '"*"'),
    "lambda-insights": (
        "      Layers: [arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:52]", "", "Platform", '"*"'
    ),
    "failure-target": ("", "", "Platform", '"arn:aws:sqs:us-east-1:111122223333:orders-dlq"'),
    "sam-destination": ("", "", "FnEventInvokeConfigOnSuccessQueuePolicy", '"*"'),
    "sam-esm-destination": ("", "", "FnStreamEventSQSPolicy", '"*"'),
    "sam-esm-source": ("", "", "SamAutoGeneratedAMQPolicy", '"*"'),
    "durable": ("", "", "Platform", '"*"'),
    "tf-module-dead-letter": ("", "", "module.fn.aws_iam_role.lambda/dlq", '"*"'),
}


def test_every_row_has_a_fixture():
    assert {row.id for row in platform.rows()} == set(SETTINGS)


@pytest.mark.parametrize("row", platform.rows(), ids=lambda r: r.id)
def test_platform_need_is_never_called_unused(scan_files, row):
    properties, extra, policy_name, resource = SETTINGS[row.id]
    result = scan_files(
        {"template.yaml": _template(properties, list(row.actions), resource, extra, policy_name), "src/app.py": HANDLER},
        rules={"FG-IAM-030"},
    )
    assert not result.errors
    assert by_rule(result, "FG-IAM-030") == [], f"{row.id}: {[f.message for f in by_rule(result, 'FG-IAM-030')]}"


GATED_KINDS = ("trigger", "dead-letter", "on-failure", "on-success", "env-kms")
GATED = [r for r in platform.rows() if not r.exempt and r.kind in GATED_KINDS]


@pytest.mark.parametrize("row", GATED, ids=lambda r: r.id)
def test_without_the_setting_the_same_grant_is_unused(scan_files, row):
    # The same statement on a function that has no such setting and whose code calls nothing.
    result = scan_files(
        {"template.yaml": _template("", list(row.actions), '"*"'), "src/app.py": HANDLER},
        rules={"FG-IAM-030"},
    )
    found = by_rule(result, "FG-IAM-030")
    assert len(found) == 1 and found[0].line is not None
    assert "never uses" in found[0].message and "Role" in found[0].message


def test_log_policy_scoped_to_the_functions_own_log_group_is_used(scan_files):
    template = _template("", ["logs:CreateLogStream", "logs:PutLogEvents"],
                         '!Sub "arn:aws:logs:us-east-1:${AWS::AccountId}:log-group:/aws/lambda/my-fn:*"')
    result = scan_files({"template.yaml": template, "src/app.py": HANDLER}, rules={"FG-IAM-030"})
    assert by_rule(result, "FG-IAM-030") == []


def test_other_log_actions_are_still_reported(scan_files):
    template = _template("", ["logs:PutLogEvents", "logs:DeleteLogGroup"])
    result = scan_files({"template.yaml": template, "src/app.py": HANDLER}, rules={"FG-IAM-030"})
    [finding] = by_rule(result, "FG-IAM-030")
    assert finding.message.endswith("never uses: logs:DeleteLogGroup")
