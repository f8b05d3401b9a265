from faasguard.findings import Severity
from tests.conftest import by_rule

SAM_ROUTES = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Create:
          Type: Api
          Properties:
            Path: /orders
            Method: post
        List:
          Type: Api
          Properties:
            Path: /orders
            Method: get
            Auth:
              ApiKeyRequired: true
"""

SAM_ROUTES_WITH_COGNITO = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Users:
    Type: AWS::Cognito::UserPool
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: Cognito
        Authorizers:
          Cognito:
            UserPoolArn: !GetAtt Users.Arn
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        List:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /orders
            Method: get
"""


def test_route_without_authorizer_names_route_api_and_function(scan_files):
    result = scan_files({"template.yaml": SAM_ROUTES}, rules={"FG-INJ-001"})
    [finding] = by_rule(result, "FG-INJ-001")
    assert finding.line == 10
    assert finding.function == "Orders"
    assert finding.resource == "ServerlessRestApi"
    assert "Route POST /orders of API ServerlessRestApi invokes function Orders" in finding.message
    assert finding.severity == Severity.MEDIUM


def test_routes_behind_an_authorizer_are_quiet(scan_files):
    result = scan_files({"template.yaml": SAM_ROUTES_WITH_COGNITO}, rules={"FG-INJ-001", "FG-INJ-003"})
    assert result.findings == []


def test_api_key_alone_is_reported_separately(scan_files):
    result = scan_files({"template.yaml": SAM_ROUTES}, rules={"FG-INJ-003"})
    [finding] = by_rule(result, "FG-INJ-003")
    assert finding.line == 15
    assert finding.function == "Orders"
    assert "GET /orders" in finding.message and "only an API key" in finding.message
    assert finding.severity == Severity.LOW


def test_unvalidated_unauthenticated_post_is_medium(scan_files):
    result = scan_files({"template.yaml": SAM_ROUTES}, rules={"FG-INJ-002"})
    [finding] = by_rule(result, "FG-INJ-002")
    assert finding.function == "Orders"
    assert "POST /orders" in finding.message and "without validating" in finding.message
    assert finding.severity == Severity.MEDIUM


CFN_METHOD = """
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
  CreateOrder:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref OrdersResource
      HttpMethod: POST
      AuthorizationType: AWS_IAM
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Orders.Arn}/invocations
  CorsPreflight:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref OrdersResource
      HttpMethod: OPTIONS
      AuthorizationType: NONE
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Orders.Arn}/invocations
"""

VALIDATOR = """
  BodyValidator:
    Type: AWS::ApiGateway::RequestValidator
    Properties:
      RestApiId: !Ref Api
      ValidateRequestBody: true
"""


def test_post_without_validator_is_low_when_authenticated(scan_files):
    result = scan_files({"template.yaml": CFN_METHOD}, rules={"FG-INJ-002"})
    [finding] = by_rule(result, "FG-INJ-002")
    assert finding.line == 21
    assert finding.resource == "Api"
    assert finding.function == "Orders"
    assert "POST /orders of REST API Api" in finding.message
    assert "unauthenticated" not in finding.message
    assert finding.severity == Severity.LOW


def test_post_with_body_validator_is_quiet(scan_files):
    template = CFN_METHOD.replace(
        "      AuthorizationType: AWS_IAM\n", "      AuthorizationType: AWS_IAM\n      RequestValidatorId: !Ref BodyValidator\n"
    )
    result = scan_files({"template.yaml": template + VALIDATOR}, rules={"FG-INJ-002"})
    assert result.findings == []


def test_iam_authorized_method_and_cors_preflight_are_quiet(scan_files):
    result = scan_files({"template.yaml": CFN_METHOD}, rules={"FG-INJ-001"})
    assert result.findings == []


def test_unauthenticated_cfn_method_points_at_the_method(scan_files):
    template = CFN_METHOD.replace("      AuthorizationType: AWS_IAM\n", "      AuthorizationType: NONE\n")
    result = scan_files({"template.yaml": template}, rules={"FG-INJ-001"})
    [finding] = by_rule(result, "FG-INJ-001")
    assert finding.line == 21
    assert "POST /orders" in finding.message


def test_http_api_routes_have_no_request_validation_concept(scan_files):
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
            Create:
              Type: HttpApi
              Properties:
                Path: /orders
                Method: post
    """
    result = scan_files({"template.yaml": template}, rules={"FG-INJ-002"})
    assert result.findings == []
