from faasguard.findings import Severity
from tests.conftest import by_rule

UNWATCHED = """
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
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
"""

WATCHED = """
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
      Tracing: Active
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
      EventInvokeConfig:
        DestinationConfig:
          OnFailure:
            Type: SQS
  ThumbnailLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/lambda/${Thumbnail}
      RetentionInDays: 90
  ThumbnailErrors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/Lambda
      MetricName: Errors
      Dimensions:
        - Name: FunctionName
          Value: !Ref Thumbnail
      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
"""

MONITORING_RULES = {"FG-MON-001", "FG-MON-002", "FG-MON-003", "FG-MON-004"}


def test_tracing_off_fires_at_the_function(scan_files):
    result = scan_files({"template.yaml": UNWATCHED}, rules={"FG-MON-001"})
    [finding] = by_rule(result, "FG-MON-001")
    assert finding.line == 6
    assert finding.function == "Thumbnail"
    assert "tracing off" in finding.message
    assert finding.severity == Severity.LOW


def test_tracing_active_is_quiet(scan_files):
    result = scan_files({"template.yaml": WATCHED}, rules=MONITORING_RULES)
    assert result.findings == []


def test_function_without_log_group_keeps_logs_forever(scan_files):
    result = scan_files({"template.yaml": UNWATCHED}, rules={"FG-MON-002"})
    [finding] = by_rule(result, "FG-MON-002")
    assert finding.line == 6
    assert finding.function == "Thumbnail"
    assert "no log group" in finding.message and "never expire" in finding.message
    assert finding.severity == Severity.LOW


def test_log_group_without_retention_points_at_the_group(scan_files):
    template = WATCHED.replace("      RetentionInDays: 90\n", "")
    result = scan_files({"template.yaml": template}, rules={"FG-MON-002"})
    [finding] = by_rule(result, "FG-MON-002")
    assert finding.line == 23
    assert finding.resource == "ThumbnailLogs"
    assert finding.function == "Thumbnail"
    assert "no RetentionInDays" in finding.message


def test_no_alarm_on_errors_fires(scan_files):
    result = scan_files({"template.yaml": UNWATCHED}, rules={"FG-MON-003"})
    [finding] = by_rule(result, "FG-MON-003")
    assert finding.line == 6
    assert finding.function == "Thumbnail"
    assert "Errors or Throttles" in finding.message
    assert finding.severity == Severity.LOW


def test_alarm_on_another_metric_does_not_count(scan_files):
    template = WATCHED.replace("MetricName: Errors", "MetricName: Duration")
    result = scan_files({"template.yaml": template}, rules={"FG-MON-003"})
    assert [f.function for f in by_rule(result, "FG-MON-003")] == ["Thumbnail"]


def test_async_function_without_dlq_fires(scan_files):
    result = scan_files({"template.yaml": UNWATCHED}, rules={"FG-MON-004"})
    [finding] = by_rule(result, "FG-MON-004")
    assert finding.line == 6
    assert finding.function == "Thumbnail"
    assert "asynchronously by s3" in finding.message
    assert "dead-letter queue" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_dead_letter_queue_also_satisfies_async_rule(scan_files):
    template = UNWATCHED + """
      DeadLetterQueue:
        Type: SQS
        TargetArn: !GetAtt Failed.Arn
  Failed:
    Type: AWS::SQS::Queue
"""
    result = scan_files({"template.yaml": template}, rules={"FG-MON-004"})
    assert by_rule(result, "FG-MON-004") == []


def test_queue_triggered_function_is_not_async(scan_files):
    template = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Jobs:
        Type: AWS::SQS::Queue
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          CodeUri: src/
          Events:
            Job:
              Type: SQS
              Properties:
                Queue: !GetAtt Jobs.Arn
    """
    result = scan_files({"template.yaml": template}, rules={"FG-MON-004"})
    assert by_rule(result, "FG-MON-004") == []


REST_STAGE = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: orders
  Orders:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/orders
      Code: {ZipFile: "def handler(e, c): return {}"}
  OrdersResource:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !GetAtt Api.RootResourceId
      PathPart: orders
  GetOrders:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref OrdersResource
      HttpMethod: GET
      AuthorizationType: AWS_IAM
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Orders.Arn}/invocations
  Prod:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      StageName: prod
      DeploymentId: !Ref Deployment
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties:
      RestApiId: !Ref Api
"""

REST_STAGE_LOGGED = REST_STAGE.replace(
    "      DeploymentId: !Ref Deployment\n",
    """      DeploymentId: !Ref Deployment
      TracingEnabled: true
      AccessLogSetting:
        DestinationArn: !GetAtt AccessLogs.Arn
        Format: $context.requestId $context.identity.sourceIp $context.status
  AccessLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 365
""",
)


def test_stage_without_access_logging_fires_at_the_stage(scan_files):
    result = scan_files({"template.yaml": REST_STAGE}, rules={"FG-MON-005"})
    [finding] = by_rule(result, "FG-MON-005")
    assert finding.line == 32
    assert finding.resource == "Api"
    assert finding.function == "Orders"
    assert "writes no access logs" in finding.message and "function Orders" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_stage_without_tracing_fires_low(scan_files):
    result = scan_files({"template.yaml": REST_STAGE}, rules={"FG-MON-006"})
    [finding] = by_rule(result, "FG-MON-006")
    assert finding.line == 32
    assert finding.resource == "Api"
    assert "tracing off" in finding.message
    assert finding.severity == Severity.LOW


def test_logged_and_traced_stage_is_quiet(scan_files):
    result = scan_files({"template.yaml": REST_STAGE_LOGGED}, rules={"FG-MON-005", "FG-MON-006"})
    assert result.findings == []


def test_http_api_tracing_is_not_reported(scan_files):
    template = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Orders:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          CodeUri: src/
          Events:
            Get:
              Type: HttpApi
              Properties:
                Path: /orders
                Method: get
    """
    result = scan_files({"template.yaml": template}, rules={"FG-MON-006"})
    assert result.findings == []


ROLE_WITHOUT_LOGS = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  OrdersRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: data
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: dynamodb:GetItem
                Resource: "*"
  Orders:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: !GetAtt OrdersRole.Arn
      Code: {ZipFile: "def handler(e, c): return {}"}
"""


def test_role_that_cannot_write_logs_fires(scan_files):
    result = scan_files({"template.yaml": ROLE_WITHOUT_LOGS}, rules={"FG-MON-007"})
    [finding] = by_rule(result, "FG-MON-007")
    assert finding.line == 4
    assert finding.resource == "OrdersRole"
    assert finding.function == "Orders"
    assert "logs:PutLogEvents" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_role_with_basic_execution_policy_is_quiet(scan_files):
    template = ROLE_WITHOUT_LOGS.replace(
        "      Policies:\n",
        "      ManagedPolicyArns:\n        - arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\n      Policies:\n",
    )
    result = scan_files({"template.yaml": template}, rules={"FG-MON-007"})
    assert result.findings == []


def test_sam_generated_role_is_quiet(scan_files):
    result = scan_files({"template.yaml": UNWATCHED}, rules={"FG-MON-007"})
    assert result.findings == []


def test_log_retention_fix_speaks_terraform_for_terraform(scan_files):
    tf = """
    resource "aws_lambda_function" "api" {
      function_name = "api"
      role          = "arn:aws:iam::123456789012:role/api"
      runtime       = "python3.12"
      handler       = "app.handler"
    }
    """
    result = scan_files({"main.tf": tf}, rules={"FG-MON-002"})
    [finding] = by_rule(result, "FG-MON-002")
    assert finding.path == "main.tf" and finding.line == 1
    assert "no log group in the module" in finding.message
    assert 'aws_cloudwatch_log_group" with name = "/aws/lambda/${aws_lambda_function.api.function_name}"' in finding.remediation
