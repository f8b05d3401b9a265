"""Syntax each format accepts for resources that no function touches: the finding is the same.

Every case is a must-fire / must-stay-quiet pair written in the format's own syntax, in a
template with no function at all, so the finding names the resource alone.
"""

from __future__ import annotations

import pytest

from faasguard.findings import Severity
from tests.conftest import ScanFiles, by_rule

TF_SG_LIST = """
resource "aws_security_group" "db" {
  name = "db"
  ingress = [{
    from_port        = 5432
    to_port          = 5432
    protocol         = "tcp"
    cidr_blocks      = ["%s"]
    description      = "postgres"
    ipv6_cidr_blocks = []
    prefix_list_ids  = []
    security_groups  = []
    self             = false
  }]
}
"""

TF_EXTERNAL_RULE = """
variable "db_sg_id" {
  type = string
}
resource "aws_security_group_rule" "ssh" {
  type              = "ingress"
  security_group_id = var.db_sg_id
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["%s"]
}
"""

TF_VPC_RULE = """
resource "aws_vpc_security_group_ingress_rule" "rdp" {
  security_group_id = "sg-0123456789abcdef0"
  from_port         = 3389
  to_port           = 3389
  ip_protocol       = "tcp"
  cidr_ipv6         = "%s"
}
"""

CFN_EXTERNAL_RULE = """
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DatabaseSg:
    Type: AWS::EC2::SecurityGroup::Id
Resources:
  SshFromAnywhere:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref DatabaseSg
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      CidrIp: %s
"""


@pytest.mark.parametrize(
    ("name", "text", "line", "group", "open_cidr", "closed_cidr"),
    [
        ("main.tf", TF_SG_LIST, 3, "aws_security_group.db", "0.0.0.0/0", "10.0.0.0/16"),
        ("main.tf", TF_EXTERNAL_RULE, 10, "var.db_sg_id", "0.0.0.0/0", "10.0.0.0/8"),
        ("main.tf", TF_VPC_RULE, 6, "sg-0123456789abcdef0", "0:0:0:0:0:0:0:0/0", "2001:db8::/32"),
        ("template.yaml", CFN_EXTERNAL_RULE, 7, "DatabaseSg", "10.0.0.1/0", "10.0.0.1/32"),
    ],
    ids=["tf-ingress-list", "tf-rule-on-variable-group", "tf-vpc-rule-ipv6-zeros", "cfn-ingress-on-parameter-group"],
)
def test_open_ingress_without_a_function(
    scan_files: ScanFiles, name: str, text: str, line: int, group: str, open_cidr: str, closed_cidr: str
) -> None:
    result = scan_files({name: text % open_cidr}, rules={"FG-NET-001"})
    assert result.errors == [] and result.functions == 0
    [finding] = by_rule(result, "FG-NET-001")
    assert (finding.path, finding.line, finding.function, finding.severity) == (name, line, None, Severity.HIGH)
    assert group in finding.message and open_cidr in finding.message
    quiet = scan_files({name: text % closed_cidr}, rules={"FG-NET-001"})
    assert by_rule(quiet, "FG-NET-001") == []


def test_rule_on_a_group_declared_elsewhere_claims_nothing_about_its_egress(scan_files: ScanFiles) -> None:
    result = scan_files(
        {
            "template.yaml": """
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties:
                  Runtime: python3.12
                  Handler: app.handler
                  Role: arn:aws:iam::123456789012:role/x
                  Code: {ZipFile: "def handler(e, c): pass"}
                  VpcConfig:
                    SubnetIds: [subnet-1]
                    SecurityGroupIds: [sg-0123]
              Https:
                Type: AWS::EC2::SecurityGroupIngress
                Properties:
                  GroupId: sg-0123
                  IpProtocol: tcp
                  FromPort: 443
                  ToPort: 443
                  SourceSecurityGroupId: sg-0456
            """
        },
        rules={"FG-NET-002"},
    )
    assert by_rule(result, "FG-NET-002") == []


CFN_SECRET = "Resources:\n  Db:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      KmsKeyId: %s\n"
TF_SECRET = 'resource "aws_secretsmanager_secret" "db" {\n  kms_key_id = %s\n}\n'
TF_KEY = 'resource "aws_kms_key" "secrets" {\n  enable_key_rotation = true\n}\n'


@pytest.mark.parametrize(
    ("name", "fires", "quiet", "fragment"),
    [
        (
            "template.yaml",
            CFN_SECRET % "alias/aws/secretsmanager",
            CFN_SECRET % "alias/orders-secrets",
            "KmsKeyId names alias/aws/secretsmanager",
        ),
        (
            "main.tf",
            TF_SECRET % '"arn:aws:kms:eu-west-1:123456789012:alias/aws/secretsmanager"',
            TF_SECRET % "aws_kms_key.secrets.arn" + TF_KEY,
            "alias/aws/secretsmanager",
        ),
    ],
    ids=["cfn", "terraform"],
)
def test_aws_managed_secrets_key_named_explicitly(
    scan_files: ScanFiles, name: str, fires: str, quiet: str, fragment: str
) -> None:
    [finding] = by_rule(scan_files({name: fires}, rules={"FG-SEC-005"}), "FG-SEC-005")
    assert finding.path == name and finding.line == (3 if name == "template.yaml" else 1) and fragment in finding.message
    assert by_rule(scan_files({name: quiet}, rules={"FG-SEC-005"}), "FG-SEC-005") == []


LEGACY_BUCKET = """
resource "aws_s3_bucket" "uploads" {
  bucket = "uploads"
  policy = <<POLICY
{"Version": "2012-10-17", "Statement": [%s
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject",
   "Resource": "arn:aws:s3:::uploads/*"}]}
POLICY
}
"""
DENY_HTTP = (
    '{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::uploads/*",'
    ' "Condition": {"Bool": {"aws:SecureTransport": "false"}}},'
)


def test_legacy_inline_bucket_policy_heredoc(scan_files: ScanFiles) -> None:
    [finding] = by_rule(scan_files({"main.tf": LEGACY_BUCKET % ""}, rules={"FG-NET-005"}), "FG-NET-005")
    assert (finding.path, finding.line, finding.resource) == ("main.tf", 3, "aws_s3_bucket.uploads")
    assert by_rule(scan_files({"main.tf": LEGACY_BUCKET % DENY_HTTP}, rules={"FG-NET-005"}), "FG-NET-005") == []


JSON_PLAIN_GETATT = """
{
  "Resources": {
    "LambdaExecutionRole": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [
          {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "all", "PolicyDocument": {"Statement": [
          {"Effect": "Allow", "Action": "%s", "Resource": "*"}]}}]
      }
    },
    "Fn": {
      "Type": "AWS::Lambda::Function",
      "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "Code": {"ZipFile": "x"},
        "Role": "LambdaExecutionRole.Arn"
      }
    }
  }
}
"""


def test_json_template_plain_getatt_string_resolves_the_role(scan_files: ScanFiles) -> None:
    [finding] = by_rule(scan_files({"template.json": JSON_PLAIN_GETATT % "s3:*"}, rules={"FG-IAM-001"}), "FG-IAM-001")
    assert finding.function == "Fn" and "s3:*" in finding.message
    assert by_rule(scan_files({"template.json": JSON_PLAIN_GETATT % "s3:GetObject"}, rules={"FG-IAM-001"}), "FG-IAM-001") == []


AZURE_SLOT = """
resource "azurerm_linux_function_app_slot" "staging" {
  name            = "staging"
  function_app_id = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Web/sites/orders"
  https_only      = %s
  site_config {}
}
"""


def test_azure_function_app_slot_is_a_function_app(scan_files: ScanFiles) -> None:
    [finding] = by_rule(scan_files({"main.tf": AZURE_SLOT % "false"}, rules={"FG-NET-050"}), "FG-NET-050")
    assert (finding.line, finding.function) == (4, "azurerm_linux_function_app_slot.staging")
    assert by_rule(scan_files({"main.tf": AZURE_SLOT % "true"}, rules={"FG-NET-050"}), "FG-NET-050") == []


SAM_ALIAS = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): return {}"
      AutoPublishAlias: live
      Events:
        Create:
          Type: Api
          Properties: {Path: /orders, Method: post%s}
"""

TF_ALIAS = """
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  runtime       = "python3.12"
  handler       = "app.handler"
  role          = "arn:aws:iam::123456789012:role/orders"
  filename      = "orders.zip"
}
resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.orders.function_name
  function_version = "1"
}
resource "aws_api_gateway_rest_api" "api" {
  name = "orders"
}
resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "orders"
}
resource "aws_api_gateway_method" "post" {
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "POST"
  authorization = "%s"
}
resource "aws_api_gateway_integration" "post" {
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = aws_api_gateway_resource.orders.id
  http_method             = aws_api_gateway_method.post.http_method
  integration_http_method = "POST"
  type                    = "AWS_PROXY"
  uri                     = aws_lambda_alias.live.invoke_arn
}
"""


@pytest.mark.parametrize(
    ("name", "text", "open_", "closed", "function"),
    [
        ("template.yaml", SAM_ALIAS, "", ", Auth: {Authorizer: AWS_IAM}", "Orders"),
        ("main.tf", TF_ALIAS, "NONE", "AWS_IAM", "aws_lambda_function.orders"),
    ],
    ids=["sam-auto-publish-alias", "terraform-alias-invoke-arn"],
)
def test_route_through_an_alias_names_its_function(
    scan_files: ScanFiles, name: str, text: str, open_: str, closed: str, function: str
) -> None:
    [finding] = by_rule(scan_files({name: text % open_}, rules={"FG-INJ-001"}), "FG-INJ-001")
    assert finding.function == function and finding.severity == Severity.MEDIUM
    assert by_rule(scan_files({name: text % closed}, rules={"FG-INJ-001"}), "FG-INJ-001") == []


CONDITIONAL_ROUTE = """
AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  WithUsers: !Equals [!Ref "AWS::Region", us-east-1]
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        swagger: "2.0"
        info: {title: users}
        securityDefinitions:
          Users: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: cognito_user_pools}
        paths:
          /users:
            put:
              Fn::If:
                - WithUsers
                - security: [%s]
                  x-amazon-apigateway-integration:
                    type: http_proxy
                    httpMethod: PUT
                    uri: https://users.internal.example.com
                - !Ref AWS::NoValue
"""


def test_route_under_a_condition_keeps_its_authorizer(scan_files: ScanFiles) -> None:
    """SAM writes an operation under a Condition as ``Fn::If [cond, operation, NoValue]``."""
    [finding] = by_rule(scan_files({"template.yaml": CONDITIONAL_ROUTE % ""}, rules={"FG-INJ-001"}), "FG-INJ-001")
    assert "PUT /users" in finding.message and "proxies to an HTTP backend" in finding.message
    quiet = scan_files({"template.yaml": CONDITIONAL_ROUTE % "{Users: []}"}, rules={"FG-INJ-001"})
    assert by_rule(quiet, "FG-INJ-001") == []


SAM_CONDITIONAL_FUNCTION = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Conditions:
  WithUsers: !Equals [!Ref "AWS::Region", us-east-1]
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod%s
  Users:
    Type: AWS::Serverless::Function
    Condition: WithUsers
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(event, context): return {}"
      Events:
        Put:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /users, Method: put}
"""
COGNITO = """
      Auth:
        DefaultAuthorizer: Users
        Authorizers:
          Users: {UserPoolArn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc}"""


def test_sam_function_under_a_condition_keeps_its_route(scan_files: ScanFiles) -> None:
    [finding] = by_rule(scan_files({"template.yaml": SAM_CONDITIONAL_FUNCTION % ""}, rules={"FG-INJ-001"}), "FG-INJ-001")
    assert (finding.function, finding.line) == ("Users", 18)
    quiet = scan_files({"template.yaml": SAM_CONDITIONAL_FUNCTION % COGNITO}, rules={"FG-INJ-001"})
    assert by_rule(quiet, "FG-INJ-001") == []


AZURE_APP = """
resource "azurerm_linux_function_app" "orders" {
  name                 = "orders"
  resource_group_name  = "rg"
  location             = "westeurope"
  service_plan_id      = "plan"
  storage_account_name = "storage"
  https_only           = true
  site_config {}
%s}
"""
AZURE_AUTH = """  auth_settings_v2 {
    auth_enabled           = true
    require_authentication = true
    login {}
  }
"""
AZURE_IDENTITY = """  identity {
    type = "SystemAssigned"
  }
"""


@pytest.mark.parametrize(
    ("rule_id", "fixed", "fragment"),
    [("FG-IAM-060", AZURE_AUTH, "no App Service authentication"), ("FG-IAM-061", AZURE_IDENTITY, "no managed identity")],
    ids=["auth", "identity"],
)
def test_azure_function_app_auth_and_identity(scan_files: ScanFiles, rule_id: str, fixed: str, fragment: str) -> None:
    [finding] = by_rule(scan_files({"main.tf": AZURE_APP % ""}, rules={rule_id}), rule_id)
    assert (finding.line, finding.function, finding.severity) == (1, "azurerm_linux_function_app.orders", Severity.LOW)
    assert fragment in finding.message
    assert by_rule(scan_files({"main.tf": AZURE_APP % fixed}, rules={rule_id}), rule_id) == []


GCP_FUNCTION = """
resource "google_cloudfunctions2_function" "orders" {
  name     = "orders"
  location = "europe-west1"
  build_config {
    runtime     = "python312"
    entry_point = "handler"
  }
  service_config {
    environment_variables = {
      %s
    }
  }
}
"""


def test_gcp_function_secret_in_plain_environment(scan_files: ScanFiles) -> None:
    literal = 'DB_PASSWORD = "Tr0ub4dor-and-3-more-words"'
    [finding] = by_rule(scan_files({"main.tf": GCP_FUNCTION % literal}, rules={"FG-SEC-001"}), "FG-SEC-001")
    assert (finding.line, finding.function) == (10, "google_cloudfunctions2_function.orders")
    quiet = scan_files({"main.tf": GCP_FUNCTION % 'DB_HOST = "10.0.0.5"'}, rules={"FG-SEC-001"})
    assert by_rule(quiet, "FG-SEC-001") == []
