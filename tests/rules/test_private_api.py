"""A private REST API is reached only through a VPC endpoint: its open routes are not "anyone can call it"."""

import pytest

from faasguard.findings import Severity
from tests.conftest import by_rule

HANDLER = """
import os

def handler(event, context):
    os.system("convert " + event["body"])
"""

SAM_PRIVATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      EndpointConfiguration:
        Type: {endpoint}
      Auth:
        ResourcePolicy:
          IntrinsicVpceWhitelist: [vpce-0123456789abcdef0]
  Convert:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Post:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /convert
            Method: post
"""

SERVERLESS_PRIVATE = """
service: converter
provider:
  name: aws
  runtime: python3.12
  endpointType: {endpoint}
functions:
  convert:
    handler: src/app.handler
    events:
      - http:
          path: convert
          method: post
"""

TERRAFORM_PRIVATE = """
resource "aws_api_gateway_rest_api" "api" {{
  name = "converter"
  endpoint_configuration {{
    types = ["{endpoint}"]
  }}
}}

resource "aws_api_gateway_resource" "convert" {{
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "convert"
}}

resource "aws_api_gateway_method" "post" {{
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.convert.id
  http_method   = "POST"
  authorization = "NONE"
}}

resource "aws_api_gateway_integration" "post" {{
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_resource.convert.id
  http_method             = aws_api_gateway_method.post.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_function.convert.invoke_arn
}}

resource "aws_iam_role" "convert" {{
  name = "convert"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "lambda.amazonaws.com" }} }}]
  }})
}}

resource "aws_iam_role_policy" "convert" {{
  role = aws_iam_role.convert.id
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "s3:*", Resource = "*" }}]
  }})
}}

resource "aws_lambda_function" "convert" {{
  function_name = "convert"
  role          = aws_iam_role.convert.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = data.archive_file.convert.output_path
}}

data "archive_file" "convert" {{
  type        = "zip"
  source_dir  = "${{path.module}}/src"
  output_path = "convert.zip"
}}
"""

FORMATS = {
    "sam": ("template.yaml", SAM_PRIVATE, "src/app.py"),
    "serverless": ("serverless.yml", SERVERLESS_PRIVATE, "src/app.py"),
    "terraform": ("main.tf", TERRAFORM_PRIVATE, "src/app.py"),
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_open_route_of_a_private_api_is_low_and_says_who_can_call_it(scan_files, fmt):
    name, template, code = FORMATS[fmt]
    result = scan_files({name: template.format(endpoint="PRIVATE"), code: HANDLER}, rules={"FG-INJ-001", "FG-ATK-001"})
    [finding] = by_rule(result, "FG-INJ-001")
    assert finding.severity == Severity.LOW
    assert "POST /convert of private API" in finding.message
    assert "through a VPC endpoint" in finding.message and "anyone can call it" not in finding.message
    # The handler is injectable, but nobody on the internet reaches it: no unauthenticated attack path.
    assert by_rule(result, "FG-ATK-001") == []


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_same_route_on_a_regional_api_is_open_to_anyone(scan_files, fmt):
    name, template, code = FORMATS[fmt]
    result = scan_files({name: template.format(endpoint="REGIONAL"), code: HANDLER}, rules={"FG-INJ-001", "FG-ATK-001"})
    [finding] = by_rule(result, "FG-INJ-001")
    assert finding.severity == Severity.MEDIUM
    assert "anyone can call it" in finding.message
    [path] = by_rule(result, "FG-ATK-001")
    assert path.severity == Severity.CRITICAL
    assert "POST /convert" in path.message


def test_private_api_body_without_validation_stays_low(scan_files):
    name, template, code = FORMATS["sam"]
    result = scan_files({name: template.format(endpoint="PRIVATE"), code: HANDLER}, rules={"FG-INJ-002"})
    [finding] = by_rule(result, "FG-INJ-002")
    assert finding.severity == Severity.LOW
    assert "unauthenticated" not in finding.message
