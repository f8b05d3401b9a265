"""Resources checked on their own, in every format, with and without a function in the source.

Each case is a must-fire project and its must-stay-quiet twin (the same project with the
mistake fixed). Most are templates with no function at all — an API stack, a shared
network or permissions file — so the finding names the resource alone. The expected line
is the line of the file that holds ``marker``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import ScanFiles, by_rule


@dataclass(frozen=True)
class Case:
    rule: str
    fires: dict[str, str]
    quiet: dict[str, str]
    path: str
    marker: str  # text on the line the finding points at
    fragment: str  # part of the message
    function: str | None = None
    offset: int = 0  # JSON: a statement starts on the "{" line above its marker


def cdk(resources: dict[str, Any]) -> dict[str, str]:
    """A synthesized CDK stack: plain CloudFormation JSON with construct paths."""
    for logical_id, resource in resources.items():
        resource.setdefault("Metadata", {})["aws:cdk:path"] = f"Stack/{logical_id}/Resource"
    return {"cdk.out/Stack.template.json": json.dumps({"Resources": resources}, indent=1)}


def cfn(body: str) -> dict[str, str]:
    return {"template.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n' + body}


def sam(body: str) -> dict[str, str]:
    return {
        "template.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\nResources:\n' + body
    }


def sls(extra: str, resources: str = "") -> dict[str, str]:
    text = "service: shared\nprovider:\n  name: aws\n  runtime: python3.12\n" + extra
    if resources:
        text += "resources:\n  Resources:\n" + resources
    return {"serverless.yml": text}


def tf(text: str) -> dict[str, str]:
    return {"main.tf": text}


# -- an API route with no authorization and no function behind it (FG-INJ-001) ----------------

CFN_METHOD = """\
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: shared}
  Orders:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: orders}
  PostOrders:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Orders
      HttpMethod: POST
      AuthorizationType: %s
      Integration: {Type: HTTP_PROXY, IntegrationHttpMethod: POST, Uri: "https://orders.internal.example.com"}
"""
SAM_API = """\
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: "2.0"
        info: {title: shared}
        paths:
          /orders:
            post:%s
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders
"""
TF_ROUTE = """\
resource "aws_apigatewayv2_api" "shared" {
  name          = "shared"
  protocol_type = "HTTP"
}
resource "aws_apigatewayv2_integration" "orders" {
  api_id             = aws_apigatewayv2_api.shared.id
  integration_type   = "HTTP_PROXY"
  integration_method = "ANY"
  integration_uri    = "https://orders.internal.example.com"
}
resource "aws_apigatewayv2_route" "orders" {
  api_id             = aws_apigatewayv2_api.shared.id
  route_key          = "POST /orders"
  target             = "integrations/${aws_apigatewayv2_integration.orders.id}"
  authorization_type = "%s"
}
"""


def cdk_method(auth: str) -> dict[str, str]:
    return cdk(
        {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "shared"}},
            "Orders": {
                "Type": "AWS::ApiGateway::Resource",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                    "PathPart": "orders",
                },
            },
            "PostOrders": {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "ResourceId": {"Ref": "Orders"},
                    "HttpMethod": "POST",
                    "AuthorizationType": auth,
                    "Integration": {
                        "Type": "AWS",
                        "IntegrationHttpMethod": "POST",
                        "Uri": "arn:aws:apigateway:us-east-1:sqs:path/1/q",
                    },
                },
            },
        }
    )


def indent(text: str, by: int) -> str:
    return "".join(" " * by + line + "\n" if line else "\n" for line in text.splitlines())


ROUTE_CASES = {
    "cloudformation": Case(
        "FG-INJ-001", cfn(CFN_METHOD % "NONE"), cfn(CFN_METHOD % "AWS_IAM"), "template.yaml", "Type: AWS::ApiGateway::Method",
        "proxies to an HTTP backend",
    ),
    "sam": Case(
        "FG-INJ-001", sam(SAM_API % ""), sam(SAM_API % "\n              x-amazon-apigateway-auth: {type: AWS_IAM}"),
        "template.yaml", "x-amazon-apigateway-integration:", "calls an AWS service directly",
    ),
    "cdk": Case(
        "FG-INJ-001", cdk_method("NONE"), cdk_method("AWS_IAM"), "cdk.out/Stack.template.json", '"PostOrders": {',
        "calls an AWS service directly",
    ),
    "serverless": Case(
        "FG-INJ-001", sls("", indent(CFN_METHOD % "NONE", 2)), sls("", indent(CFN_METHOD % "AWS_IAM", 2)), "serverless.yml",
        "Type: AWS::ApiGateway::Method", "proxies to an HTTP backend",
    ),
    "terraform": Case(
        "FG-INJ-001", tf(TF_ROUTE % "NONE"), tf(TF_ROUTE % "AWS_IAM"), "main.tf", "authorization_type =",
        "proxies to an HTTP backend",
    ),
}

# -- data trace on a stage (FG-SEC-020) ----------------------------------------------------------

CFN_STAGE = """\
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: shared}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api}
  Prod:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref Deployment
      StageName: prod
      MethodSettings:
        - ResourcePath: "/*"
          HttpMethod: "*"
          LoggingLevel: INFO
          DataTraceEnabled: %s
"""
SAM_TRACE = """\
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      MethodSettings:
        - ResourcePath: "/*"
          HttpMethod: "*"
          DataTraceEnabled: %s
      DefinitionBody:
        swagger: "2.0"
        info: {title: shared}
        paths: {}
"""
SLS_TRACE = """\
  logs:
    restApi:
      fullExecutionData: %s
functions:
  orders:
    handler: app.handler
    events:
      - http: {path: orders, method: get, authorizer: aws_iam}
"""
TF_TRACE = """\
resource "aws_api_gateway_rest_api" "shared" {
  name = "shared"
}
resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.shared.id
  stage_name  = "prod"
  method_path = "*/*"
  settings {
    logging_level      = "INFO"
    data_trace_enabled = %s
  }
}
"""


def cdk_stage(on: bool) -> dict[str, str]:
    return cdk(
        {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "shared"}},
            "Stage": {
                "Type": "AWS::ApiGateway::Stage",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "StageName": "prod",
                    "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "DataTraceEnabled": on}],
                },
            },
        }
    )


TRACE_CASES = {
    "cloudformation": Case(
        "FG-SEC-020", cfn(CFN_STAGE % "true"), cfn(CFN_STAGE % "false"), "template.yaml", "DataTraceEnabled:", "data trace"
    ),
    "sam": Case(
        "FG-SEC-020", sam(SAM_TRACE % "true"), sam(SAM_TRACE % "false"), "template.yaml", "DataTraceEnabled:", "data trace"
    ),
    "cdk": Case(
        "FG-SEC-020", cdk_stage(True), cdk_stage(False), "cdk.out/Stack.template.json", '"DataTraceEnabled": true', "data trace"
    ),
    "serverless": Case(
        "FG-SEC-020", sls(SLS_TRACE % "true"), sls(SLS_TRACE % "false"), "serverless.yml", "fullExecutionData:",
        "invokes function orders", function="orders",
    ),
    "terraform": Case(
        "FG-SEC-020", tf(TF_TRACE % "true"), tf(TF_TRACE % "false"), "main.tf", "data_trace_enabled =", "data trace"
    ),
}

# -- a custom domain with TLS 1.0 (FG-NET-007) ---------------------------------------------------

CFN_DOMAIN = """\
  Domain:
    Type: AWS::ApiGateway::DomainName
    Properties:
      DomainName: api.example.com
      RegionalCertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/abc
      EndpointConfiguration: {Types: [REGIONAL]}
      SecurityPolicy: %s
"""
SAM_DOMAIN = """\
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody: {swagger: "2.0", info: {title: shared}, paths: {}}
      Domain:
        DomainName: api.example.com
        CertificateArn: arn:aws:acm:us-east-1:123456789012:certificate/abc
        EndpointConfiguration: REGIONAL
        SecurityPolicy: %s
"""
TF_DOMAIN = """\
resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
  security_policy          = "%s"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}
"""


def cdk_domain(policy: str) -> dict[str, str]:
    return cdk(
        {
            "Domain": {
                "Type": "AWS::ApiGateway::DomainName",
                "Properties": {"DomainName": "api.example.com", "RegionalCertificateArn": "arn:x", "SecurityPolicy": policy},
            }
        }
    )


DOMAIN_CASES = {
    "cloudformation": Case(
        "FG-NET-007", cfn(CFN_DOMAIN % "TLS_1_0"), cfn(CFN_DOMAIN % "TLS_1_2"), "template.yaml", "SecurityPolicy:",
        "SecurityPolicy is TLS_1_0",
    ),
    "sam": Case(
        "FG-NET-007", sam(SAM_DOMAIN % "TLS_1_0"), sam(SAM_DOMAIN % "TLS_1_2"), "template.yaml", "SecurityPolicy:",
        "api.example.com",
    ),
    "cdk": Case(
        "FG-NET-007", cdk_domain("TLS_1_0"), cdk_domain("TLS_1_2"), "cdk.out/Stack.template.json", '"SecurityPolicy"',
        "Stack/Domain",
    ),
    "serverless": Case(
        "FG-NET-007", sls("", indent(CFN_DOMAIN % "TLS_1_0", 2)), sls("", indent(CFN_DOMAIN % "TLS_1_2", 2)),
        "serverless.yml", "SecurityPolicy:", "TLS_1_0",
    ),
    "terraform": Case(
        "FG-NET-007", tf(TF_DOMAIN % "TLS_1_0"), tf(TF_DOMAIN % "TLS_1_2"), "main.tf", "security_policy", "TLS_1_0"
    ),
}

# -- a Lambda permission granting more than invoke, for a function deployed elsewhere (FG-IAM-010) --

CFN_PERMISSION = """\
  PartnerAccess:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: arn:aws:lambda:us-east-1:123456789012:function:orders
      Action: %s
      Principal: "210987654321"
"""
TF_PERMISSION = """\
resource "aws_lambda_permission" "partner" {
  function_name = "arn:aws:lambda:us-east-1:123456789012:function:orders"
  action        = "%s"
  principal     = "210987654321"
}
"""


def cdk_permission(action: str) -> dict[str, str]:
    return cdk(
        {
            "PartnerAccess": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {"FunctionName": "arn:aws:lambda:us-east-1:1:function:orders", "Action": action, "Principal": "2"},
            }
        }
    )


PERMISSION_CASES = {
    "cloudformation": Case(
        "FG-IAM-010", cfn(CFN_PERMISSION % "lambda:*"), cfn(CFN_PERMISSION % "lambda:InvokeFunction"), "template.yaml",
        "Principal:", "grants lambda:*",
    ),
    "sam": Case(
        "FG-IAM-010", sam(CFN_PERMISSION % "lambda:UpdateFunctionCode"), sam(CFN_PERMISSION % "lambda:InvokeFunction"),
        "template.yaml", "Principal:", "grants lambda:UpdateFunctionCode",
    ),
    "cdk": Case(
        "FG-IAM-010", cdk_permission("lambda:*"), cdk_permission("lambda:InvokeFunction"), "cdk.out/Stack.template.json",
        '"Principal"', "Stack/PartnerAccess",
    ),
    "serverless": Case(
        "FG-IAM-010",
        sls("", indent(CFN_PERMISSION % "lambda:*", 2)),
        sls("", indent(CFN_PERMISSION % "lambda:InvokeFunction", 2)),
        "serverless.yml", "Principal:", "grants lambda:*",
    ),
    "terraform": Case(
        "FG-IAM-010", tf(TF_PERMISSION % "lambda:*"), tf(TF_PERMISSION % "lambda:InvokeFunction"), "main.tf", "principal",
        "grants lambda:*",
    ),
}

# -- a queue or topic policy open to anyone, no function in the source (FG-IAM-011) ----------------

CFN_QUEUE = """\
  Orders:
    Type: AWS::SQS::Queue
  OrdersPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Orders]
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: sqs:SendMessage
            Resource: !GetAtt Orders.Arn%s
"""
SCOPED = """
            Condition:
              ArnEquals: {aws:SourceArn: arn:aws:sns:us-east-1:123456789012:orders}"""
TF_QUEUE = """\
resource "aws_sqs_queue" "orders" {
  name = "orders"
}
resource "aws_sqs_queue_policy" "orders" {
  queue_url = aws_sqs_queue.orders.id
  policy    = "{\\"Statement\\": [{\\"Effect\\": \\"Allow\\", \\"Principal\\": \\"*\\", \\"Action\\": \\"sqs:SendMessage\\"%s}]}"
}
"""
TF_SCOPED = ', \\"Condition\\": {\\"StringEquals\\": {\\"aws:SourceAccount\\": \\"123456789012\\"}}'


def cdk_topic(condition: dict[str, Any] | None) -> dict[str, str]:
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish"}
    if condition:
        statement["Condition"] = condition
    return cdk(
        {
            "Topic": {"Type": "AWS::SNS::Topic"},
            "TopicPolicy": {
                "Type": "AWS::SNS::TopicPolicy",
                "Properties": {"Topics": [{"Ref": "Topic"}], "PolicyDocument": {"Statement": [statement]}},
            },
        }
    )


POLICY_CASES = {
    "cloudformation": Case(
        "FG-IAM-011", cfn(CFN_QUEUE % ""), cfn(CFN_QUEUE % SCOPED), "template.yaml", "- Effect: Allow", "sqs:SendMessage"
    ),
    "sam": Case("FG-IAM-011", sam(CFN_QUEUE % ""), sam(CFN_QUEUE % SCOPED), "template.yaml", "- Effect: Allow", "anyone"),
    "cdk": Case(
        "FG-IAM-011", cdk_topic(None), cdk_topic({"StringEquals": {"aws:SourceOwner": "123456789012"}}),
        "cdk.out/Stack.template.json", '"Effect": "Allow"', "sns:Publish", offset=-1,
    ),
    "serverless": Case(
        "FG-IAM-011", sls("", indent(CFN_QUEUE % "", 2)), sls("", indent(CFN_QUEUE % SCOPED, 2)), "serverless.yml",
        "- Effect: Allow", "sqs:SendMessage",
    ),
    "terraform": Case(
        "FG-IAM-011", tf(TF_QUEUE % ""), tf(TF_QUEUE % TF_SCOPED), "main.tf", "policy    =",
        "aws_sqs_queue_policy.orders",
    ),
}

# -- a function URL whose CORS lets every origin send credentials (FG-NET-008) ---------------------

SAM_URL = """\
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): return {}"
      FunctionUrlConfig:
        AuthType: AWS_IAM
        Cors:
          AllowOrigins: [%s]
          AllowCredentials: true
"""
CFN_URL = """\
  Orders:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Role: arn:aws:iam::123456789012:role/orders
      Code: {ZipFile: "def handler(event, context): return {}"}
  OrdersUrl:
    Type: AWS::Lambda::Url
    Properties:
      TargetFunctionArn: !GetAtt Orders.Arn
      AuthType: AWS_IAM
      Cors:
        AllowOrigins: [%s]
        AllowCredentials: true
"""
SLS_URL = """\
functions:
  orders:
    handler: app.handler
    url:
      authorizer: aws_iam
      cors:
        allowedOrigins: [%s]
        allowCredentials: true
"""
TF_URL = """\
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  runtime       = "python3.12"
  handler       = "app.handler"
  role          = "arn:aws:iam::123456789012:role/orders"
  filename      = "orders.zip"
}
resource "aws_lambda_function_url" "orders" {
  function_name      = aws_lambda_function.orders.function_name
  authorization_type = "AWS_IAM"
  cors {
    allow_origins     = [%s]
    allow_credentials = true
  }
}
"""


def cdk_url(origin: str) -> dict[str, str]:
    return cdk(
        {
            "Orders": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "app.handler",
                    "Role": "arn:aws:iam::1:role/x",
                    "Code": {"ZipFile": "x"},
                },
            },
            "OrdersUrl": {
                "Type": "AWS::Lambda::Url",
                "Properties": {
                    "TargetFunctionArn": {"Fn::GetAtt": ["Orders", "Arn"]},
                    "AuthType": "AWS_IAM",
                    "Cors": {"AllowOrigins": [origin], "AllowCredentials": True},
                },
            },
        }
    )


APP = '"https://app.example.com"'
URL_CASES = {
    "cloudformation": Case(
        "FG-NET-008", cfn(CFN_URL % '"*"'), cfn(CFN_URL % APP), "template.yaml", "AllowOrigins:", "any origin", "Orders"
    ),
    "sam": Case(
        "FG-NET-008", sam(SAM_URL % '"*"'), sam(SAM_URL % APP), "template.yaml", "AllowOrigins:", "any origin", "Orders"
    ),
    "cdk": Case(
        "FG-NET-008", cdk_url("*"), cdk_url("https://app.example.com"), "cdk.out/Stack.template.json", '"AllowOrigins": [',
        "any origin", "Stack/Orders",
    ),
    "serverless": Case(
        "FG-NET-008", sls(SLS_URL % '"*"'), sls(SLS_URL % APP), "serverless.yml", "allowedOrigins:", "any origin", "orders"
    ),
    "terraform": Case(
        "FG-NET-008", tf(TF_URL % '"*"'), tf(TF_URL % APP), "main.tf", "allow_origins", "any origin", "aws_lambda_function.orders"
    ),
}

CASES = [
    (concept, fmt, case)
    for concept, table in (
        ("open-route-no-function", ROUTE_CASES),
        ("data-trace", TRACE_CASES),
        ("domain-tls", DOMAIN_CASES),
        ("permission-action", PERMISSION_CASES),
        ("public-resource-policy", POLICY_CASES),
        ("url-cors-credentials", URL_CASES),
    )
    for fmt, case in table.items()
]


IDS = [f"{fmt}-{concept}" for concept, fmt, _ in CASES]


@pytest.mark.parametrize(("concept", "fmt", "case"), CASES, ids=IDS)
def test_fires_where_the_mistake_is_written(scan_files: ScanFiles, concept: str, fmt: str, case: Case) -> None:
    result = scan_files(case.fires, rules={case.rule})
    assert result.errors == []
    findings = by_rule(result, case.rule)
    text = case.fires[case.path]
    line = next(n for n, row in enumerate(text.splitlines(), 1) if case.marker in row) + case.offset
    assert [(f.path, f.line, f.function) for f in findings] == [(case.path, line, case.function)], [f.message for f in findings]
    assert case.fragment in findings[0].message
    assert findings[0].remediation


@pytest.mark.parametrize(("concept", "fmt", "case"), CASES, ids=IDS)
def test_quiet_once_fixed(scan_files: ScanFiles, concept: str, fmt: str, case: Case) -> None:
    result = scan_files(case.quiet, rules={case.rule})
    assert result.errors == []
    assert by_rule(result, case.rule) == []
