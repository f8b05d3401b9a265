from faasguard.findings import Severity
from tests.conftest import by_rule

PUBLIC = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Report:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Timeout: 60
      Events:
        Get:
          Type: Api
          Properties:
            Path: /report
            Method: get
"""

PUBLIC_SIZED = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      MethodSettings:
        - ResourcePath: "/*"
          HttpMethod: "*"
          ThrottlingRateLimit: 100
          ThrottlingBurstLimit: 50
  Report:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Timeout: 25
      MemorySize: 1024
      ReservedConcurrentExecutions: 20
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /report
            Method: get
"""

RES_RULES = {"FG-RES-001", "FG-RES-002", "FG-RES-003", "FG-RES-004", "FG-RES-005", "FG-RES-006"}


def test_timeout_longer_than_the_api_waits_points_at_timeout(scan_files):
    result = scan_files({"template.yaml": PUBLIC}, rules={"FG-RES-001"})
    [finding] = by_rule(result, "FG-RES-001")
    assert finding.line == 9
    assert finding.function == "Report"
    assert "60 s timeout" in finding.message and "29 s" in finding.message and "GET /report" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_http_api_waits_thirty_seconds(scan_files):
    template = PUBLIC.replace("Timeout: 60", "Timeout: 30").replace("Type: Api", "Type: HttpApi")
    result = scan_files({"template.yaml": template}, rules={"FG-RES-001"})
    assert by_rule(result, "FG-RES-001") == []


def test_sized_public_function_is_quiet(scan_files):
    result = scan_files({"template.yaml": PUBLIC_SIZED}, rules=RES_RULES)
    assert result.findings == []


def test_maximum_timeout_fires_low_on_any_function(scan_files):
    template = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Nightly:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          CodeUri: src/
          Timeout: 900
    """
    result = scan_files({"template.yaml": template}, rules={"FG-RES-002"})
    [finding] = by_rule(result, "FG-RES-002")
    assert finding.line == 9
    assert finding.function == "Nightly"
    assert "maximum timeout (900 s)" in finding.message
    assert finding.severity == Severity.LOW
    quiet = scan_files({"template.yaml": template.replace("Timeout: 900", "Timeout: 120")}, rules={"FG-RES-002"})
    assert by_rule(quiet, "FG-RES-002") == []


def test_public_function_without_reserved_concurrency(scan_files):
    result = scan_files({"template.yaml": PUBLIC}, rules={"FG-RES-003"})
    [finding] = by_rule(result, "FG-RES-003")
    assert finding.line == 4
    assert finding.function == "Report"
    assert "reachable from the internet (GET /report of ServerlessRestApi)" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_internal_function_needs_no_reserved_concurrency(scan_files):
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
    result = scan_files({"template.yaml": template}, rules={"FG-RES-003", "FG-RES-005"})
    assert result.findings == []


def test_api_without_throttling_fires_at_the_api(scan_files):
    result = scan_files({"template.yaml": PUBLIC}, rules={"FG-RES-004"})
    [finding] = by_rule(result, "FG-RES-004")
    assert finding.line == 4
    assert finding.resource == "ServerlessRestApi"
    assert finding.function == "Report"
    assert "no throttling or usage plan" in finding.message and "function Report" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_usage_plan_counts_as_throttling(scan_files):
    template = PUBLIC_SIZED.replace(
        """      MethodSettings:
        - ResourcePath: "/*"
          HttpMethod: "*"
          ThrottlingRateLimit: 100
          ThrottlingBurstLimit: 50
""",
        """      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
          Throttle:
            RateLimit: 100
            BurstLimit: 50
""",
    )
    result = scan_files({"template.yaml": template}, rules={"FG-RES-004"})
    assert result.findings == []


def test_default_memory_on_public_function_is_low(scan_files):
    result = scan_files({"template.yaml": PUBLIC}, rules={"FG-RES-005"})
    [finding] = by_rule(result, "FG-RES-005")
    assert finding.line == 4
    assert finding.function == "Report"
    assert "the default 128 MB" in finding.message
    assert finding.severity == Severity.LOW


def test_huge_memory_on_public_function_is_low(scan_files):
    template = PUBLIC_SIZED.replace("MemorySize: 1024", "MemorySize: 10240")
    result = scan_files({"template.yaml": template}, rules={"FG-RES-006"})
    [finding] = by_rule(result, "FG-RES-006")
    assert finding.line == 19
    assert finding.function == "Report"
    assert "10240 MB" in finding.message and "80 times" in finding.message
    assert finding.severity == Severity.LOW


WEBSOCKET = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Chat:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: chat
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  Streamer:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/streamer
      Timeout: 300
      Code: {ZipFile: "def handler(e, c): return {}"}
  StreamerIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Chat
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Streamer.Arn}/invocations
  AskRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Chat
      RouteKey: ask
      Target: !Sub integrations/${StreamerIntegration}
"""


def test_websocket_message_routes_may_answer_later(scan_files):
    result = scan_files({"template.yaml": WEBSOCKET}, rules={"FG-RES-001"})
    assert result.findings == []


def test_websocket_connect_route_is_waited_for(scan_files):
    result = scan_files({"template.yaml": WEBSOCKET.replace("RouteKey: ask", "RouteKey: $connect")}, rules={"FG-RES-001"})
    [finding] = by_rule(result, "FG-RES-001")
    assert finding.line == 15
    assert "$connect of API Chat" in finding.message
