"""The CloudFormation model builder: joins between resources that rules depend on."""

from pathlib import Path

from faasguard.loaders.template_loader import TemplateLoader


def load(tmp_path: Path, text: str):
    path = tmp_path / "template.yaml"
    path.write_text(text)
    result = TemplateLoader().load(path, text, tmp_path)
    assert result.errors == []
    [app] = result.applications
    return app


SAM_EVENTS = """\
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
"""


def test_sam_api_routes_point_at_the_event_that_declared_them(tmp_path):
    app = load(tmp_path, SAM_EVENTS)
    [api] = app.apis
    lines = {(r.method, r.path): r.loc.line for r in api.routes}
    assert lines == {("POST", "/orders"): 10, ("GET", "/orders"): 15}
    [fn] = app.functions
    assert sorted((t.route, t.loc.line) for t in fn.triggers) == [("GET /orders", 15), ("POST /orders", 10)]


CDK_LOG_RETENTION = """\
Resources:
  Handler:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/handler
      Code: {ZipFile: "exports.handler = async () => ({})"}
  HandlerLogRetention:
    Type: Custom::LogRetention
    Properties:
      ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:log-retention
      LogGroupName:
        Fn::Join: ["", ["/aws/lambda/", {Ref: Handler}]]
      RetentionInDays: 30
"""


def test_cdk_log_retention_custom_resource_is_the_functions_log_group(tmp_path):
    app = load(tmp_path, CDK_LOG_RETENTION)
    [group] = app.log_groups
    assert (group.id, group.function, group.retention_days) == ("HandlerLogRetention", "Handler", 30)


NAMED_FUNCTION_LOGS = """\
Resources:
  Handler:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Sub ${AWS::StackName}-handler
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/handler
      Code: {ZipFile: "def handler(e, c): return {}"}
  HandlerLogs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/lambda/${AWS::StackName}-handler
      RetentionInDays: 14
"""


def test_log_group_named_like_a_substituted_function_name_belongs_to_it(tmp_path):
    app = load(tmp_path, NAMED_FUNCTION_LOGS)
    [group] = app.log_groups
    assert group.function == "Handler"


OPENAPI_IAM_EXTENSION = """\
Resources:
  Handler:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/handler
      Code: {ZipFile: "def handler(e, c): return {}"}
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: 3.0.1
        paths:
          /messages:
            get:
              x-amazon-apigateway-auth: {type: AWS_IAM}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Handler.Arn}/invocations
            post:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Handler.Arn}/invocations
"""


def test_openapi_auth_extension_sets_the_route_authorization(tmp_path):
    app = load(tmp_path, OPENAPI_IAM_EXTENSION)
    [api] = app.apis
    auth = {(r.method, r.function): r.authorization for r in api.routes}
    assert auth == {("GET", "Handler"): "AWS_IAM", ("POST", "Handler"): "NONE"}
