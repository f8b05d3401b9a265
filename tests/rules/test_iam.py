from faasguard.findings import Severity
from tests.conftest import by_rule

WILDCARD = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Thumbnail:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - Statement:
            - Effect: Allow
              Action: s3:*
              Resource: "*"
"""

SCOPED = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Thumbnail:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - S3ReadPolicy:
            BucketName: !Ref Uploads
"""


def test_service_wildcard_fires_at_the_statement(scan_files):
    result = scan_files({"template.yaml": WILDCARD}, rules={"FG-IAM-001"})
    [finding] = by_rule(result, "FG-IAM-001")
    assert finding.line == 11
    assert finding.function == "Thumbnail"
    assert finding.resource == "ThumbnailRole"
    assert "s3:*" in finding.message
    assert finding.severity == Severity.HIGH


def test_scoped_policy_template_is_quiet(scan_files):
    result = scan_files({"template.yaml": SCOPED}, rules={"FG-IAM-001"})
    assert by_rule(result, "FG-IAM-001") == []
