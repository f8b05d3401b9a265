"""Risk classes (FG-IAM-020..024), resource policies (025) and function isolation (026)."""

from __future__ import annotations

from faasguard.findings import Severity
from tests.conftest import by_rule

RISK_RULES = {"FG-IAM-020", "FG-IAM-021", "FG-IAM-022", "FG-IAM-023", "FG-IAM-024"}

RISKY = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Deployer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: [iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction]
              Resource: "*"
            - Effect: Allow
              Action: [secretsmanager:GetSecretValue, s3:PutBucketPolicy, sts:AssumeRole, dynamodb:DeleteTable]
              Resource: "*"
"""

SCOPED = """
Transform: AWS::Serverless-2016-10-31
Resources:
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  ApiKey:
    Type: AWS::SecretsManager::Secret
  Reports:
    Type: AWS::S3::Bucket
  Deployer:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: iam:PassRole
              Resource: !GetAtt WorkerRole.Arn
            - Effect: Allow
              Action: secretsmanager:GetSecretValue
              Resource: !Ref ApiKey
            - Effect: Allow
              Action: [s3:GetObject, dynamodb:GetItem]
              Resource: "*"
              Condition:
                StringEquals:
                  aws:ResourceAccount: "123456789012"
"""


def line_of(text: str, needle: str, nth: int = 0) -> int:
    lines = text.lstrip("\n").splitlines()
    return [i + 1 for i, line in enumerate(lines) if needle in line][nth]


def test_risk_classes_fire_at_their_statements(scan_files):
    result = scan_files({"template.yaml": RISKY}, rules=RISK_RULES)
    first, second = line_of(RISKY, "- Effect: Allow", 0), line_of(RISKY, "- Effect: Allow", 1)

    [privesc] = [f for f in by_rule(result, "FG-IAM-020") if f.line == first]
    assert "PassExistingRoleToNewLambdaThenInvoke" in privesc.message
    assert "iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction" in privesc.message
    assert privesc.function == "Deployer" and privesc.resource == "DeployerRole"
    assert privesc.severity == Severity.HIGH
    [assume] = [f for f in by_rule(result, "FG-IAM-020") if f.line == second]
    assert "AssumeAnyRole" in assume.message and "sts:AssumeRole" in assume.message

    [exfil] = by_rule(result, "FG-IAM-021")
    assert exfil.line == second and "secretsmanager:GetSecretValue" in exfil.message
    exposure = {f.line: f for f in by_rule(result, "FG-IAM-022")}
    assert "s3:PutBucketPolicy" in exposure[second].message
    assert "iam:PassRole" in exposure[first].message  # passing a role is on policy_sentry's exposure list
    creds = by_rule(result, "FG-IAM-023")
    assert [f.line for f in creds] == [second] and "sts:AssumeRole" in creds[0].message
    infra = {f.line: f for f in by_rule(result, "FG-IAM-024")}
    assert "dynamodb:DeleteTable" in infra[second].message
    assert "lambda:CreateFunction" in infra[first].message
    assert "lambda:InvokeFunction" not in infra[first].message  # data plane, not infrastructure


def test_scoped_and_conditional_statements_are_quiet(scan_files):
    result = scan_files({"template.yaml": SCOPED}, rules=RISK_RULES)
    assert result.findings == []


POWER_USER_PUBLIC = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Admin:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - PowerUserAccess
        - Statement:
            - Effect: Allow
              Action: iam:PassRole
              Resource: "*"
      Events:
        Run:
          Type: Api
          Properties:
            Path: /run
            Method: post
"""


def test_managed_policy_plus_inline_pass_role_escalates_and_public_is_critical(scan_files):
    result = scan_files({"template.yaml": POWER_USER_PUBLIC}, rules={"FG-IAM-020"})
    findings = by_rule(result, "FG-IAM-020")
    assert findings and all(f.severity == Severity.CRITICAL for f in findings)
    by_line = {f.line: f for f in findings}
    inline = by_line[line_of(POWER_USER_PUBLIC, "- Effect: Allow")]
    assert "PassExistingRoleToNewLambdaThenInvoke" in inline.message and "iam:PassRole" in inline.message
    managed = by_line[line_of(POWER_USER_PUBLIC, "- PowerUserAccess")]
    assert "managed policy PowerUserAccess" in managed.message
    assert "EditExistingLambdaFunctionWithRole" in managed.message and "lambda:UpdateFunctionCode" in managed.message


BUCKET_POLICY = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Receipts:
    Type: AWS::S3::Bucket
  ReceiptsPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Receipts
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: !Sub "${Receipts.Arn}/*"
{extra}
  Render:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          BUCKET: !Ref Receipts
      Policies:
        - S3WritePolicy:
            BucketName: !Ref Receipts
"""
SOURCE_ARN_CONDITION = """\
            Condition:
              ArnEquals:
                aws:SourceArn: arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"""


def test_public_bucket_policy_on_data_the_function_writes(scan_files):
    text = BUCKET_POLICY.replace("{extra}", "")
    result = scan_files({"template.yaml": text}, rules={"FG-IAM-025"})
    [finding] = by_rule(result, "FG-IAM-025")
    assert finding.line == line_of(text, "- Effect: Allow")
    assert "ReceiptsPolicy on Receipts, used by function Render, allows everyone (Principal *) s3:GetObject" in finding.message
    assert finding.severity == Severity.HIGH


def test_bucket_policy_scoped_by_source_arn_is_quiet(scan_files):
    result = scan_files({"template.yaml": BUCKET_POLICY.replace("{extra}", SOURCE_ARN_CONDITION)}, rules={"FG-IAM-025"})
    assert by_rule(result, "FG-IAM-025") == []


def test_cross_account_principal_is_medium(scan_files):
    text = BUCKET_POLICY.replace("{extra}", "").replace('Principal: "*"', 'Principal: {AWS: "arn:aws:iam::210987654321:root"}')
    result = scan_files({"template.yaml": text}, rules={"FG-IAM-025"})
    [finding] = by_rule(result, "FG-IAM-025")
    assert "account 210987654321" in finding.message and finding.severity == Severity.MEDIUM


INVOKER_CODE = """
import os

import boto3

lam = boto3.client("lambda")


def handler(event, context):
    return lam.invoke(FunctionName=os.environ["WORKER"], Payload=b"{}")
"""


def invoker(policies: str) -> str:
    return (
        """
Transform: AWS::Serverless-2016-10-31
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: worker/
  Billing:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: worker/
  Invoker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Environment:
        Variables:
          WORKER: !Ref Worker
      Policies:
"""
        + policies
    )


def test_function_that_can_invoke_and_modify_every_function(scan_files):
    text = invoker(
        """\
        - Statement:
            - Effect: Allow
              Action: [lambda:InvokeFunction, lambda:UpdateFunctionCode]
              Resource: "*"
"""
    )
    result = scan_files({"template.yaml": text, "src/app.py": INVOKER_CODE}, rules={"FG-IAM-026"})
    [finding] = by_rule(result, "FG-IAM-026")
    assert finding.function == "Invoker" and finding.line == line_of(text, "- Effect: Allow")
    assert "Function Invoker can modify other functions" in finding.message
    assert "Billing" in finding.message and "every function in the account" in finding.message
    assert finding.severity == Severity.HIGH


def test_invoking_the_one_function_the_code_calls_is_quiet(scan_files):
    text = invoker(
        """\
        - LambdaInvokePolicy:
            FunctionName: !Ref Worker
"""
    )
    result = scan_files({"template.yaml": text, "src/app.py": INVOKER_CODE}, rules={"FG-IAM-026", "FG-IAM-031"})
    assert result.findings == []
