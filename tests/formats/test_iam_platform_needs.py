"""Platform permissions per format: what each format grants Lambda for logs, X-Ray, VPC, the event
source and the dead-letter target is never "unused" (FG-IAM-030), and one truly unused action
beside them still is — so the quiet is not an analysis that gave up."""

from __future__ import annotations

import pytest

from tests.conftest import by_rule

HANDLER = "def handler(event, context):\n    return {'ok': True}\n"

SAM = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Dlq:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Tracing: Active
      VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [sg-1]}
      DeadLetterQueue: {Type: SQS, TargetArn: !GetAtt Dlq.Arn}
      Events:
        Jobs:
          Type: SQS
          Properties: {Queue: !GetAtt Jobs.Arn}
      Policies:
        - SQSSendMessagePolicy: {QueueName: !GetAtt Dlq.QueueName}
EXTRA
"""
SAM_EXTRA = """        - Statement:
            - {Effect: Allow, Action: s3:DeleteBucket, Resource: "*"}"""

CFN = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Dlq:
    Type: AWS::SQS::Queue
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
        - arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole
        - arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess
        - arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole
      Policies:
        - PolicyName: dlq
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: sqs:SendMessage, Resource: !GetAtt Dlq.Arn}
EXTRA
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Code: src/
      Role: !GetAtt Role.Arn
      TracingConfig: {Mode: Active}
      VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [sg-1]}
      DeadLetterConfig: {TargetArn: !GetAtt Dlq.Arn}
  Mapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref Worker
      EventSourceArn: !GetAtt Jobs.Arn
"""
CFN_EXTRA = """              - {Effect: Allow, Action: s3:DeleteBucket, Resource: "*"}"""

SLS = """
service: worker
frameworkVersion: "3"
provider:
  name: aws
  runtime: python3.12
  tracing:
    lambda: true
  vpc:
    subnetIds: [subnet-1]
    securityGroupIds: [sg-1]
  iam:
    role:
      statements:
        - Effect: Allow
          Action: [sns:Publish]
          Resource: arn:aws:sns:us-east-1:111122223333:worker-dlq
EXTRA
functions:
  worker:
    handler: handler.handler
    onError: arn:aws:sns:us-east-1:111122223333:worker-dlq
    events:
      - sqs: arn:aws:sqs:us-east-1:111122223333:jobs
"""
SLS_EXTRA = """        - Effect: Allow
          Action: [s3:DeleteBucket]
          Resource: "*\""""

TF = """
resource "aws_sqs_queue" "jobs" {}
resource "aws_sqs_queue" "dlq" {}
resource "aws_iam_role" "worker" {
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRole",
    Principal = {Service = "lambda.amazonaws.com"}}]})
  managed_policy_arns = [
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
    "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
  ]
}
resource "aws_iam_role_policy" "worker" {
  role   = aws_iam_role.worker.id
  policy = jsonencode({Statement = [
    {Effect = "Allow", Action = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
     Resource = aws_sqs_queue.jobs.arn},
    {Effect = "Allow", Action = "sqs:SendMessage", Resource = aws_sqs_queue.dlq.arn},
EXTRA
  ]})
}
data "archive_file" "worker" {
  type        = "zip"
  source_dir  = "src"
  output_path = "worker.zip"
}
resource "aws_lambda_function" "worker" {
  function_name = "worker"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = data.archive_file.worker.output_path
  role          = aws_iam_role.worker.arn
  tracing_config {
    mode = "Active"
  }
  vpc_config {
    subnet_ids         = ["subnet-1"]
    security_group_ids = ["sg-1"]
  }
  dead_letter_config {
    target_arn = aws_sqs_queue.dlq.arn
  }
}
resource "aws_lambda_event_source_mapping" "jobs" {
  function_name    = aws_lambda_function.worker.arn
  event_source_arn = aws_sqs_queue.jobs.arn
}
"""
TF_EXTRA = """    {Effect = "Allow", Action = "s3:DeleteBucket", Resource = "*"},"""

TF_MODULE = """
resource "aws_sqs_queue" "dlq" {}
module "worker" {
  source                    = "terraform-aws-modules/lambda/aws"
  function_name             = "worker"
  handler                   = "app.handler"
  runtime                   = "python3.12"
  source_path               = "src"
  tracing_mode              = "Active"
  attach_tracing_policy     = true
  vpc_subnet_ids            = ["subnet-1"]
  vpc_security_group_ids    = ["sg-1"]
  attach_network_policy     = true
  dead_letter_target_arn    = aws_sqs_queue.dlq.arn
  attach_dead_letter_policy = true
EXTRA
}
"""
TF_MODULE_EXTRA = """  attach_policy_statements = true
  policy_statements = {
    extra = {effect = "Allow", actions = ["s3:DeleteBucket"], resources = ["*"]}
  }"""

def _cdk_template(extra: bool) -> str:
    import json

    join = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]]}
    vpc = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"]]}
    statements = [
        {"Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"], "Effect": "Allow", "Resource": "*"},
        {"Action": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl",
                    "sqs:ReceiveMessage"], "Effect": "Allow", "Resource": {"Fn::GetAtt": ["Jobs1A2B3C4D", "Arn"]}},
        {"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": {"Fn::GetAtt": ["Dlq5E6F7A8B", "Arn"]}},
    ]
    if extra:
        statements.append({"Action": "s3:DeleteBucket", "Effect": "Allow", "Resource": "*"})
    template = {"Resources": {
        "Jobs1A2B3C4D": {"Type": "AWS::SQS::Queue", "Metadata": {"aws:cdk:path": "Stack/Jobs/Resource"}},
        "Dlq5E6F7A8B": {"Type": "AWS::SQS::Queue", "Metadata": {"aws:cdk:path": "Stack/Dlq/Resource"}},
        "WorkerServiceRole1111": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow",
                                                        "Principal": {"Service": "lambda.amazonaws.com"}}]},
            "ManagedPolicyArns": [join, vpc]}, "Metadata": {"aws:cdk:path": "Stack/Worker/ServiceRole/Resource"}},
        "WorkerServiceRoleDefaultPolicy2222": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyDocument": {"Statement": statements, "Version": "2012-10-17"},
            "PolicyName": "WorkerServiceRoleDefaultPolicy2222", "Roles": [{"Ref": "WorkerServiceRole1111"}]},
            "Metadata": {"aws:cdk:path": "Stack/Worker/ServiceRole/DefaultPolicy/Resource"}},
        "Worker3333": {"Type": "AWS::Lambda::Function", "Properties": {
            "Code": {"S3Bucket": "cdk-assets", "S3Key": "abc.zip"}, "Handler": "app.handler", "Runtime": "python3.12",
            "Role": {"Fn::GetAtt": ["WorkerServiceRole1111", "Arn"]}, "TracingConfig": {"Mode": "Active"},
            "VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
            "DeadLetterConfig": {"TargetArn": {"Fn::GetAtt": ["Dlq5E6F7A8B", "Arn"]}}},
            "DependsOn": ["WorkerServiceRoleDefaultPolicy2222"],
            "Metadata": {"aws:cdk:path": "Stack/Worker/Resource", "aws:asset:path": "asset.abc",
                         "aws:asset:property": "Code"}},
        "WorkerSqsEventSource4444": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "EventSourceArn": {"Fn::GetAtt": ["Jobs1A2B3C4D", "Arn"]}, "FunctionName": {"Ref": "Worker3333"}},
            "Metadata": {"aws:cdk:path": "Stack/Worker/SqsEventSource/Resource"}},
    }}  # fmt: skip
    return json.dumps(template, indent=1)


CASES = {
    "sam": ({"template.yaml": SAM, "src/app.py": HANDLER}, SAM_EXTRA),
    "cloudformation": ({"template.yaml": CFN, "src/app.py": HANDLER}, CFN_EXTRA),
    "serverless": ({"serverless.yml": SLS, "handler.py": HANDLER}, SLS_EXTRA),
    "terraform": ({"main.tf": TF, "src/app.py": HANDLER}, TF_EXTRA),
    "terraform-lambda-module": ({"main.tf": TF_MODULE, "src/app.py": HANDLER}, TF_MODULE_EXTRA),
}


def files(fmt: str, extra: bool) -> dict[str, str]:
    if fmt == "cdk":
        return {"cdk.out/Stack.template.json": _cdk_template(extra), "cdk.out/asset.abc/app.py": HANDLER}
    base, addition = CASES[fmt]
    return {name: text.replace("EXTRA\n", addition + "\n" if extra else "") for name, text in base.items()}


@pytest.mark.parametrize("fmt", [*sorted(CASES), "cdk"])
def test_platform_permissions_are_never_unused(scan_files, fmt):
    result = scan_files(files(fmt, extra=False), rules={"FG-IAM-030"})
    assert not result.errors, result.errors
    assert [f.message for f in by_rule(result, "FG-IAM-030")] == []


@pytest.mark.parametrize("fmt", [*sorted(CASES), "cdk"])
def test_an_unused_action_beside_them_is_still_reported(scan_files, fmt):
    result = scan_files(files(fmt, extra=True), rules={"FG-IAM-030"})
    assert not result.errors, result.errors
    messages = [f.message for f in by_rule(result, "FG-IAM-030")]
    assert len(messages) == 1 and messages[0].endswith("never uses: s3:DeleteBucket"), messages
