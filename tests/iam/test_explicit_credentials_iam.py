"""SDK calls made with other credentials (keys, an assumed role) do not need the function's role: no 031, no need in 030/032."""

from __future__ import annotations

from tests.conftest import by_rule

SAM = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - {Effect: Allow, Action: s3:GetObject, Resource: "arn:aws:s3:::mine/*"}
"""

CODE = """
import boto3

own = boto3.client("s3")


def handler(event, context):
    own.get_object(Bucket="mine", Key="a")
    partner = boto3.client("s3", aws_access_key_id=event["k"], aws_secret_access_key=event["s"])
    partner.put_object(Bucket="theirs", Key="a", Body=b"")
"""


def test_call_with_its_own_credentials_needs_nothing_from_the_role(scan_files):
    result = scan_files({"template.yaml": SAM, "src/app.py": CODE}, rules={"FG-IAM-030", "FG-IAM-031", "FG-IAM-043"})
    assert by_rule(result, "FG-IAM-031") == []
    assert by_rule(result, "FG-IAM-030") == []


def test_the_same_call_with_the_role_is_proven_missing(scan_files):
    code = CODE.replace(', aws_access_key_id=event["k"], aws_secret_access_key=event["s"]', "")
    result = scan_files({"template.yaml": SAM, "src/app.py": code}, rules={"FG-IAM-031"})
    [finding] = by_rule(result, "FG-IAM-031")
    assert finding.line == 9 and "s3:PutObject" in finding.message


def test_policy_command_leaves_such_calls_out(scan_files):
    from faasguard.iam.least_privilege import analyse

    result = scan_files({"template.yaml": SAM, "src/app.py": CODE})
    app = next(a for a in result.applications if a.functions)
    actions = analyse(app).policies["Fn"].actions
    assert "s3:GetObject" in actions and "s3:PutObject" not in actions
