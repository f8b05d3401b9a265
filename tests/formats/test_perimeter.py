"""Edge resources in every format: WAF web ACLs (FG-NET-010), network ACLs (FG-NET-011), Cloud Function
ingress (FG-NET-055), code signing (FG-SUP-040, opt-in), log forwarding (FG-MON-020) and throttling
of an API whose functions live elsewhere (FG-RES-004).

Each case is a must-fire project and its must-stay-quiet twin, as in test_resource_centric; most
have no function at all. The expected line is the line of the file that holds ``marker``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from faasguard.findings import Severity
from tests.conftest import ScanFiles, by_rule
from tests.formats.test_resource_centric import Case, cdk, cfn, indent, sam, sls, tf


def cfn_json(resources: dict[str, Any]) -> dict[str, str]:
    return {"template.json": json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, indent=1)}


def pulumi(body: str) -> dict[str, str]:
    return {"Pulumi.yaml": "name: shared\nruntime: yaml\nresources:\n" + body}


def with_cdk_paths(resources: dict[str, Any]) -> dict[str, str]:
    return cdk(copy.deepcopy(resources))


# -- FG-NET-010: public API without a web ACL -------------------------------------------------------

CFN_API = """\
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: {Name: shared}
  Deployment:
    Type: AWS::ApiGateway::Deployment
    Properties: {RestApiId: !Ref Api}
  Prod:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, DeploymentId: !Ref Deployment, StageName: prod}
"""
CFN_WAF = """\
  ApiWaf:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: !Sub "arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Prod}"
      WebACLArn: arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/1
"""
API_JSON: dict[str, Any] = {
    "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "shared"}},
    "Deployment": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "Api"}}},
    "Prod": {
        "Type": "AWS::ApiGateway::Stage",
        "Properties": {"RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": "Deployment"}, "StageName": "prod"},
    },
}
WAF_JSON: dict[str, Any] = {
    "ApiWaf": {
        "Type": "AWS::WAFv2::WebACLAssociation",
        "Properties": {
            "ResourceArn": {"Fn::Join": ["", ["arn:aws:apigateway:us-east-1::/restapis/", {"Ref": "Api"}, "/stages/prod"]]},
            "WebACLArn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/1",
        },
    }
}
SAM_API = """\
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
"""
SAM_WAF = """\
  ApiWaf:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: !Sub "arn:aws:apigateway:${AWS::Region}::/restapis/${Api}/stages/prod"
      WebACLArn: arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/1
"""
SLS_HTTP = """\
functions:
  orders:
    handler: app.handler
    events:
      - http: {path: /orders, method: post, private: true}
"""
SLS_WAF = """\
    ApiWaf:
      Type: AWS::WAFv2::WebACLAssociation
      Properties:
        ResourceArn: arn:aws:apigateway:us-east-1::/restapis/${ApiGatewayRestApi}/stages/dev
        WebACLArn: arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/1
"""
TF_API = """\
resource "aws_api_gateway_rest_api" "shared" {
  name = "shared"
}
resource "aws_api_gateway_stage" "prod" {
  rest_api_id   = aws_api_gateway_rest_api.shared.id
  deployment_id = "abc123"
  stage_name    = "prod"
}
"""
TF_WAF = """\
resource "aws_wafv2_web_acl_association" "prod" {
  resource_arn = aws_api_gateway_stage.prod.arn
  web_acl_arn  = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/1"
}
"""
TF_CDN = """\
resource "aws_cloudfront_distribution" "cdn" {
  enabled = true%s
  origin {
    origin_id   = "api"
    domain_name = "${aws_api_gateway_rest_api.shared.id}.execute-api.us-east-1.amazonaws.com"
  }
}
"""
PULUMI_API = """\
  shared:
    type: aws:apigateway:RestApi
    properties:
      name: shared
  prod:
    type: aws:apigateway:Stage
    properties:
      restApi: ${shared.id}
      deployment: abc123
      stageName: prod
"""
PULUMI_WAF = """\
  prodWaf:
    type: aws:wafv2:WebAclAssociation
    properties:
      resourceArn: ${prod.arn}
      webAclArn: arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/1
"""
CFN_GRAPH = """\
  Graph:
    Type: AWS::AppSync::GraphQLApi
    Properties: {Name: orders, AuthenticationType: AWS_IAM}
"""
CFN_GRAPH_WAF = """\
  GraphWaf:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: !GetAtt Graph.Arn
      WebACLArn: arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/1
"""
CFN_CDN = """\
  Cdn:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Enabled: true%s
        Origins:
          - Id: api
            DomainName: !Sub "${Api}.execute-api.${AWS::Region}.amazonaws.com"
"""
CDN_ACL = "\n        WebACLId: arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/1"

WAF_CASES = {
    "cloudformation": Case(
        "FG-NET-010", cfn(CFN_API), cfn(CFN_API + CFN_WAF), "template.yaml", "Type: AWS::ApiGateway::RestApi", "REST API Api"
    ),
    "cloudformation-json": Case(
        "FG-NET-010", cfn_json(copy.deepcopy(API_JSON)), cfn_json({**copy.deepcopy(API_JSON), **copy.deepcopy(WAF_JSON)}),
        "template.json", '"Api": {', "REST API Api",
    ),
    "sam": Case(
        "FG-NET-010", sam(SAM_API), sam(SAM_API + SAM_WAF), "template.yaml", "Type: AWS::Serverless::Api", "REST API Api"
    ),
    "cdk": Case(
        "FG-NET-010", with_cdk_paths(API_JSON), with_cdk_paths({**API_JSON, **WAF_JSON}), "cdk.out/Stack.template.json",
        '"Api": {', "REST API Api",
    ),
    "serverless": Case(
        "FG-NET-010", sls(SLS_HTTP), sls(SLS_HTTP, SLS_WAF), "serverless.yml", "- http:", "invokes function orders",
        "orders",
    ),
    "serverless-no-function": Case(
        "FG-NET-010", sls("", indent(CFN_API, 2)), sls("", indent(CFN_API + CFN_WAF, 2)), "serverless.yml",
        "Type: AWS::ApiGateway::RestApi", "REST API Api",
    ),
    "terraform": Case(
        "FG-NET-010", tf(TF_API), tf(TF_API + TF_WAF), "main.tf", 'resource "aws_api_gateway_rest_api"',
        "REST API aws_api_gateway_rest_api.shared",
    ),
    "terraform-cloudfront": Case(
        "FG-NET-010", tf(TF_API + TF_CDN % ""), tf(TF_API + TF_CDN % '\n  web_acl_id = "arn:aws:wafv2::1:global/webacl/e/1"'),
        "main.tf", 'resource "aws_cloudfront_distribution"', "in front of aws_api_gateway_rest_api.shared",
    ),
    "pulumi": Case(
        "FG-NET-010", pulumi(PULUMI_API), pulumi(PULUMI_API + PULUMI_WAF), "Pulumi.yaml", "type: aws:apigateway:RestApi",
        "REST API aws_api_gateway_rest_api.shared",
    ),
    "cloudformation-appsync": Case(
        "FG-NET-010", cfn(CFN_GRAPH), cfn(CFN_GRAPH + CFN_GRAPH_WAF), "template.yaml", "Type: AWS::AppSync::GraphQLApi",
        "AppSync GraphQL API Graph",
    ),
    "cloudformation-cloudfront": Case(
        "FG-NET-010", cfn(CFN_API + CFN_CDN % ""), cfn(CFN_API + CFN_CDN % CDN_ACL), "template.yaml",
        "Type: AWS::CloudFront::Distribution", "CloudFront distribution Cdn in front of Api",
    ),
}

# -- FG-NET-011: network ACL open to the internet ---------------------------------------------------

CFN_NACL = """\
  Acl:
    Type: AWS::EC2::NetworkAcl
    Properties: {VpcId: vpc-0abc}
  InboundSsh:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref Acl
      RuleNumber: 100
      Protocol: 6
      RuleAction: allow
      CidrBlock: %s
      PortRange: {From: 22, To: 22}
"""
NACL_JSON: dict[str, Any] = {
    "Acl": {"Type": "AWS::EC2::NetworkAcl", "Properties": {"VpcId": "vpc-0abc"}},
    "InboundAll": {
        "Type": "AWS::EC2::NetworkAclEntry",
        "Properties": {
            "NetworkAclId": {"Ref": "Acl"}, "RuleNumber": 100, "Protocol": -1, "RuleAction": "allow", "CidrBlock": "0.0.0.0/0",
        },
    },
}


def nacl_json(cidr: str) -> dict[str, Any]:
    resources = copy.deepcopy(NACL_JSON)
    resources["InboundAll"]["Properties"]["CidrBlock"] = cidr
    return resources


TF_NACL = """\
resource "aws_network_acl" "private" {
  vpc_id = "vpc-0abc"
  ingress {
    protocol   = "-1"
    rule_no    = 100
    action     = "allow"
    cidr_block = "%s"
    from_port  = 0
    to_port    = 0
  }
}
"""
TF_NACL_RULE = """\
resource "aws_network_acl_rule" "rdp" {
  network_acl_id = var.acl_id
  rule_number    = 120
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "%s"
  from_port      = 3389
  to_port        = 3389
}
"""
PULUMI_NACL = """\
  private:
    type: aws:ec2:NetworkAcl
    properties:
      vpcId: vpc-0abc
      ingress:
        - protocol: "-1"
          ruleNo: 100
          action: allow
          cidrBlock: %s
          fromPort: 0
          toPort: 0
"""
ANY, VPC = "0.0.0.0/0", "10.0.0.0/16"
NACL_CASES = {
    "cloudformation": Case(
        "FG-NET-011", cfn(CFN_NACL % ANY), cfn(CFN_NACL % VPC), "template.yaml", "Type: AWS::EC2::NetworkAclEntry",
        "allows tcp port 22 in from 0.0.0.0/0 (rule 100), including SSH (22)",
    ),
    "cloudformation-json": Case(
        "FG-NET-011", cfn_json(nacl_json(ANY)), cfn_json(nacl_json(VPC)), "template.json", '"InboundAll": {',
        "Network ACL Acl allows all traffic in from 0.0.0.0/0",
    ),
    "sam": Case(
        "FG-NET-011", sam(CFN_NACL % "::/0"), sam(CFN_NACL % VPC), "template.yaml", "Type: AWS::EC2::NetworkAclEntry",
        "from ::/0",
    ),
    "cdk": Case(
        "FG-NET-011", cdk(nacl_json(ANY)), cdk(nacl_json(VPC)), "cdk.out/Stack.template.json", '"InboundAll": {',
        "allows all traffic",
    ),
    "serverless": Case(
        "FG-NET-011", sls("", indent(CFN_NACL % ANY, 2)), sls("", indent(CFN_NACL % VPC, 2)), "serverless.yml",
        "Type: AWS::EC2::NetworkAclEntry", "including SSH (22)",
    ),
    "terraform": Case(
        "FG-NET-011", tf(TF_NACL % ANY), tf(TF_NACL % VPC), "main.tf", "  ingress {", "aws_network_acl.private allows all traffic"
    ),
    "terraform-rule": Case(
        "FG-NET-011", tf(TF_NACL_RULE % ANY), tf(TF_NACL_RULE % VPC), "main.tf", "cidr_block", "including RDP (3389)"
    ),
    "pulumi": Case(
        "FG-NET-011", pulumi(PULUMI_NACL % ANY), pulumi(PULUMI_NACL % VPC), "Pulumi.yaml", '- protocol: "-1"',
        "aws_network_acl.private allows all traffic",
    ),
}

# -- FG-NET-055: Cloud Function ingress from anywhere ----------------------------------------------

TF_GCP1 = """\
resource "google_cloudfunctions_function" "orders" {
  name         = "orders"
  runtime      = "python312"
  entry_point  = "handler"
  trigger_http = true%s
}
"""
TF_GCP2 = """\
resource "google_cloudfunctions2_function" "orders" {
  name     = "orders"
  location = "europe-west1"
  build_config {
    runtime     = "python312"
    entry_point = "handler"
  }
  service_config {
    ingress_settings = "%s"
  }
}
"""
PULUMI_GCP = """\
  orders:
    type: gcp:cloudfunctionsv2:Function
    properties:
      location: europe-west1
      buildConfig:
        runtime: python312
        entryPoint: handler
      serviceConfig:
        ingressSettings: %s
"""
INTERNAL = '\n  ingress_settings = "ALLOW_INTERNAL_ONLY"'
GCP_CASES = {
    "terraform-gen1-default": Case(
        "FG-NET-055", tf(TF_GCP1 % ""), tf(TF_GCP1 % INTERNAL), "main.tf", 'resource "google_cloudfunctions_function"',
        "ingress_settings is not set (the default is ALLOW_ALL)", "google_cloudfunctions_function.orders",
    ),
    "terraform-gen2": Case(
        "FG-NET-055", tf(TF_GCP2 % "ALLOW_ALL"), tf(TF_GCP2 % "ALLOW_INTERNAL_AND_GCLB"), "main.tf", "ingress_settings =",
        'service_config.ingress_settings is "ALLOW_ALL"', "google_cloudfunctions2_function.orders",
    ),
    "pulumi-gen2": Case(
        "FG-NET-055", pulumi(PULUMI_GCP % "ALLOW_ALL"), pulumi(PULUMI_GCP % "ALLOW_INTERNAL_ONLY"), "Pulumi.yaml",
        "ingressSettings:", 'serviceConfig.ingressSettings is "ALLOW_ALL"', "google_cloudfunctions2_function.orders",
    ),
}

# -- FG-RES-004: throttling of an API whose functions are elsewhere ------------------------------

CFN_ROUTE = CFN_API + """\
  Orders:
    Type: AWS::ApiGateway::Resource
    Properties: {RestApiId: !Ref Api, ParentId: !GetAtt Api.RootResourceId, PathPart: orders}
  PostOrders:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Orders
      HttpMethod: POST
      AuthorizationType: AWS_IAM
      Integration: {Type: HTTP_PROXY, IntegrationHttpMethod: POST, Uri: "https://orders.internal.example.com"}
"""
CFN_PLAN = """\
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages: [{ApiId: !Ref Api, Stage: prod}]
      Throttle: {RateLimit: 100, BurstLimit: 50}
"""
TF_ROUTE = TF_API + """\
resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.shared.id
  parent_id   = aws_api_gateway_rest_api.shared.root_resource_id
  path_part   = "orders"
}
resource "aws_api_gateway_method" "post" {
  rest_api_id   = aws_api_gateway_rest_api.shared.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "POST"
  authorization = "AWS_IAM"
}
resource "aws_api_gateway_integration" "post" {
  rest_api_id             = aws_api_gateway_rest_api.shared.id
  resource_id             = aws_api_gateway_resource.orders.id
  http_method             = aws_api_gateway_method.post.http_method
  type                    = "HTTP_PROXY"
  integration_http_method = "POST"
  uri                     = "https://orders.internal.example.com"
}
"""
TF_PLAN = """\
resource "aws_api_gateway_usage_plan" "plan" {
  name = "plan"
  api_stages {
    api_id = aws_api_gateway_rest_api.shared.id
    stage  = aws_api_gateway_stage.prod.stage_name
  }
  throttle_settings {
    rate_limit  = 100
    burst_limit = 50
  }
}
"""
THROTTLE_CASES = {
    "cloudformation": Case(
        "FG-RES-004", cfn(CFN_ROUTE), cfn(CFN_ROUTE + CFN_PLAN), "template.yaml", "Type: AWS::ApiGateway::Stage",
        "API Api has no throttling or usage plan; its 1 route proxies to an HTTP backend",
    ),
    "terraform": Case(
        "FG-RES-004", tf(TF_ROUTE), tf(TF_ROUTE + TF_PLAN), "main.tf", 'resource "aws_api_gateway_stage"',
        "API aws_api_gateway_rest_api.shared has no throttling or usage plan",
    ),
}

CASES = [
    (concept, fmt, case)
    for concept, table in (
        ("waf", WAF_CASES),
        ("nacl", NACL_CASES),
        ("gcp-ingress", GCP_CASES),
        ("throttling-no-function", THROTTLE_CASES),
    )
    for fmt, case in table.items()
]
IDS = [f"{fmt}-{concept}" for concept, fmt, _ in CASES]


def expected_line(case: Case) -> int:
    text = case.fires[case.path]
    return next(n for n, row in enumerate(text.splitlines(), 1) if case.marker in row) + case.offset


@pytest.mark.parametrize(("concept", "fmt", "case"), CASES, ids=IDS)
def test_fires_where_the_mistake_is_written(scan_files: ScanFiles, concept: str, fmt: str, case: Case) -> None:
    result = scan_files(case.fires, rules={case.rule})
    assert result.errors == []
    findings = by_rule(result, case.rule)
    assert [(f.path, f.line, f.function) for f in findings] == [(case.path, expected_line(case), case.function)], [
        f.message for f in findings
    ]
    assert case.fragment in findings[0].message
    assert findings[0].remediation


@pytest.mark.parametrize(("concept", "fmt", "case"), CASES, ids=IDS)
def test_quiet_once_fixed(scan_files: ScanFiles, concept: str, fmt: str, case: Case) -> None:
    result = scan_files(case.quiet, rules={case.rule})
    assert result.errors == []
    assert by_rule(result, case.rule) == [], [f.message for f in by_rule(result, case.rule)]


def test_waf_on_an_api_with_an_open_route_is_medium_and_names_the_function(scan_files: ScanFiles) -> None:
    template = sam(
        """\
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      InlineCode: "def handler(e, c): return {}"
      Events:
        Post: {Type: Api, Properties: {Path: /orders, Method: post}}
"""
    )
    [finding] = by_rule(scan_files(template, rules={"FG-NET-010"}), "FG-NET-010")
    assert finding.severity == Severity.MEDIUM and finding.function == "Orders"
    assert "ServerlessRestApi" in finding.message and "invokes function Orders" in finding.message


def test_private_rest_apis_and_http_apis_need_no_web_acl(scan_files: ScanFiles) -> None:
    private_api = "Properties: {Name: shared, EndpointConfiguration: {Types: [PRIVATE]}}"
    private = CFN_API.replace("Properties: {Name: shared}", private_api)
    http = """\
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: shared, ProtocolType: HTTP}
"""
    assert by_rule(scan_files(cfn(private + http), rules={"FG-NET-010"}), "FG-NET-010") == []


def test_nacl_names_the_functions_in_its_subnets_and_a_deny_first_quiets_it(scan_files: ScanFiles) -> None:
    network = """\
resource "aws_subnet" "a" {
  vpc_id     = "vpc-0abc"
  cidr_block = "10.0.1.0/24"
}
resource "aws_network_acl_association" "a" {
  network_acl_id = aws_network_acl.private.id
  subnet_id      = aws_subnet.a.id
}
resource "aws_lambda_function" "orders" {
  function_name = "orders"
  runtime       = "python3.12"
  handler       = "app.handler"
  role          = "arn:aws:iam::123456789012:role/orders"
  filename      = "orders.zip"
  vpc_config {
    subnet_ids         = [aws_subnet.a.id]
    security_group_ids = ["sg-0abc"]
  }
}
"""
    [finding] = by_rule(scan_files(tf(TF_NACL % ANY + network), rules={"FG-NET-011"}), "FG-NET-011")
    assert finding.function == "aws_lambda_function.orders" and finding.severity == Severity.HIGH
    assert "its subnets hold function aws_lambda_function.orders" in finding.message
    deny_first = TF_NACL_RULE.replace("rule_number    = 120", "rule_number    = 90").replace('"allow"', '"deny"')
    ssh = (TF_NACL % ANY).replace('protocol   = "-1"', 'protocol   = "tcp"').replace("to_port    = 0", "to_port    = 65535")
    only_ssh_denied = ssh.replace("var.acl_id", "x") + deny_first.replace("var.acl_id", "aws_network_acl.private.id") % ANY
    findings = by_rule(scan_files(tf(only_ssh_denied), rules={"FG-NET-011"}), "FG-NET-011")
    # every port open, RDP denied first: what is still exposed is listed, RDP is not
    assert len(findings) == 1 and "SSH (22)" in findings[0].message and "RDP" not in findings[0].message


GCP_ENV = """\
  orders:
    type: gcp:cloudfunctions:Function
    properties:
      runtime: python312
      triggerHttp: true
      ingressSettings: ALLOW_INTERNAL_ONLY
      environmentVariables:
        STRIPE_KEY: sk_live_4eC39HqLyjWDarjtT1zdp7dcABCDEF
"""


def test_a_google_function_secret_in_plain_environment_gets_a_secret_manager_fix(scan_files: ScanFiles) -> None:
    [finding] = by_rule(scan_files(pulumi(GCP_ENV), rules={"FG-SEC-001"}), "FG-SEC-001")
    line = next(n for n, row in enumerate(GCP_ENV.splitlines(), 4) if "STRIPE_KEY" in row)
    assert (finding.path, finding.line, finding.function) == ("Pulumi.yaml", line, "google_cloudfunctions_function.orders")
    assert "secretEnvironmentVariables" in finding.remediation and "environmentVariables" in finding.remediation
    assert "aws_" not in finding.remediation and "google_secret_manager_secret" in finding.remediation


def stack_export(acl: str | None) -> str:
    api_id, stage_arn = "a1b2c3d4e5", "arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod"
    resources: list[dict[str, Any]] = [
        {
            "urn": "urn:pulumi:dev::shop::aws:apigateway/restApi:RestApi::shared", "custom": True,
            "type": "aws:apigateway/restApi:RestApi", "inputs": {"name": "shared"},
            "outputs": {"id": api_id, "arn": f"arn:aws:apigateway:us-east-1::/restapis/{api_id}"},
        },
        {
            "urn": "urn:pulumi:dev::shop::aws:apigateway/stage:Stage::prod", "custom": True,
            "type": "aws:apigateway/stage:Stage", "inputs": {"restApi": api_id, "deployment": "dep1", "stageName": "prod"},
            "outputs": {"arn": stage_arn, "id": "ags-a1b2c3d4e5-prod"},
        },
    ]
    if acl:
        resources.append({
            "urn": "urn:pulumi:dev::shop::aws:wafv2/webAclAssociation:WebAclAssociation::prodWaf", "custom": True,
            "type": "aws:wafv2/webAclAssociation:WebAclAssociation", "inputs": {"resourceArn": stage_arn, "webAclArn": acl},
            "outputs": {},
        })
    return json.dumps({"version": 3, "deployment": {"manifest": {}, "resources": resources}}, indent=2)


def test_a_pulumi_stack_export_links_the_web_acl_through_the_stage_outputs(scan_files: ScanFiles) -> None:
    [finding] = by_rule(scan_files({"stack.json": stack_export(None)}, rules={"FG-NET-010"}), "FG-NET-010")
    assert finding.resource == "aws_api_gateway_rest_api.shared" and finding.path == "stack.json"
    acl = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shared/1"
    assert by_rule(scan_files({"stack.json": stack_export(acl)}, rules={"FG-NET-010"}), "FG-NET-010") == []
