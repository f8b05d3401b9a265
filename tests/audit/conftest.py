"""A small, realistic AWS account in moto's server mode (127.0.0.1, random port) for the audit tests.

The server runs in this process (``ThreadedMotoServer``); boto3 reaches it through
``AWS_ENDPOINT_URL`` with fake credentials, exactly as a user points the audit at an
emulator. Nothing leaves the machine. The account is built once per test session:

us-east-1
  orders-api   python3.8, DB_PASSWORD literal, role orders-role (dynamodb:* on *), behind REST API
               shop-api GET /orders without authorizer, stage without access logs or throttling
  thumbnail    invoked by S3 (permission without SourceArn/SourceAccount), no DLQ, shares orders-role
  admin-fn     role admin-role (AdministratorAccess), function URL with AuthType NONE and CORS * with
               credentials
  vpc-fn       in the default VPC, in a subnet routed to an internet gateway, with a security group open to
               0.0.0.0/0 on port 22; a resource policy that lets anyone invoke it; role vpc-role that any
               AWS principal may assume
  clean-fn     python3.12, tracing Active, 30-day log group, Errors alarm, reserved concurrency, role
               clean-role (one table, logs), behind HTTP API events-api with a JWT authorizer and access logs
  secrets      prod/db (no rotation, default key); prod/api-key (rotation on, customer KMS key)
  IAM group    developers (not an execution role: out of the audit's scope)
eu-west-1
  reports      nodejs16.x, role orders-role (IAM is global)
  status-api   REST API with a mock route whose stage logs full requests and responses (data trace)
"""

from __future__ import annotations

import io
import json
import logging
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ACCOUNT = "123456789012"
REGION = "us-east-1"
OTHER_REGION = "eu-west-1"
TRUST_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    "AWS_CONFIG_FILE": "/nonexistent/faasguard-test-aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/faasguard-test-aws-credentials",
}


def package(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


HANDLER = package({"app.py": "def handler(event, context):\n    return {'statusCode': 200}\n"})


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    saved = {k: os.environ.get(k) for k in [*_ENV, "AWS_ENDPOINT_URL", "AWS_PROFILE"]}
    os.environ.update(_ENV)
    os.environ.pop("AWS_PROFILE", None)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ["AWS_ENDPOINT_URL"] = f"http://{host}:{port}"
    try:
        yield os.environ["AWS_ENDPOINT_URL"]
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def client(service: str, region: str = REGION) -> Any:
    import boto3

    return boto3.client(service, region_name=region)


def _role(name: str, trust: dict[str, Any] = TRUST_LAMBDA, inline: dict[str, Any] | None = None,
          attached: tuple[str, ...] = ()) -> str:
    iam = client("iam")
    arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])
    if inline:
        iam.put_role_policy(RoleName=name, PolicyName=f"{name}-policy", PolicyDocument=json.dumps(inline))
    for policy in attached:
        iam.attach_role_policy(RoleName=name, PolicyArn=policy)
    return arn


def _function(name: str, role: str, runtime: str = "python3.12", region: str = REGION, **extra: Any) -> str:
    created = client("lambda", region).create_function(
        FunctionName=name, Runtime=runtime, Role=role, Handler="app.handler", Code={"ZipFile": HANDLER}, **extra
    )
    return str(created["FunctionArn"])


@pytest.fixture(scope="session")
def account(moto_endpoint: str) -> dict[str, str]:
    """Create the account described in the module docstring; return the ARNs tests refer to."""
    arns: dict[str, str] = {}
    wildcard = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}
    arns["orders-role"] = _role("orders-role", inline=wildcard, attached=(BASIC,))
    arns["admin-role"] = _role("admin-role", attached=("arn:aws:iam::aws:policy/AdministratorAccess",))
    table = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/events"
    logs = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/clean-fn:*"
    arns["clean-role"] = _role("clean-role", inline={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": table},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": logs},
        {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "Resource": "*"},
    ]})
    anyone = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    vpc_trust = {"Version": "2012-10-17", "Statement": [*TRUST_LAMBDA["Statement"], anyone]}
    arns["vpc-role"] = _role("vpc-role", trust=vpc_trust, attached=(BASIC,))
    iam = client("iam")
    iam.create_group(GroupName="developers")
    iam.put_group_policy(GroupName="developers", PolicyName="all", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))

    lam = client("lambda")
    arns["orders-api"] = _function("orders-api", arns["orders-role"], "python3.8",
                                   Environment={"Variables": {"DB_PASSWORD": "Pr0d-s3cret-passw0rd!", "TABLE": "orders"}})
    arns["thumbnail"] = _function("thumbnail", arns["orders-role"])
    lam.add_permission(FunctionName="thumbnail", StatementId="s3-invoke", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com")
    arns["admin-fn"] = _function("admin-fn", arns["admin-role"])
    lam.create_function_url_config(FunctionName="admin-fn", AuthType="NONE",
                                   Cors={"AllowOrigins": ["*"], "AllowCredentials": True})
    lam.add_permission(FunctionName="admin-fn", StatementId="public", Action="lambda:InvokeFunction", Principal="*")

    ec2 = client("ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    group = ec2.create_security_group(GroupName="ssh-open", Description="ssh from anywhere", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    arns["vpc-fn"] = _function("vpc-fn", arns["vpc-role"], VpcConfig={"SubnetIds": [subnet], "SecurityGroupIds": [group]})
    lam.add_permission(FunctionName="vpc-fn", StatementId="anyone", Action="lambda:InvokeFunction", Principal="*")
    arns["ssh-open"], arns["subnet"] = group, subnet

    arns["clean-fn"] = _function("clean-fn", arns["clean-role"], TracingConfig={"Mode": "Active"}, MemorySize=512,
                                 Environment={"Variables": {"LOG_LEVEL": "info"}})
    lam.put_function_concurrency(FunctionName="clean-fn", ReservedConcurrentExecutions=20)
    logs_client = client("logs")
    logs_client.create_log_group(logGroupName="/aws/lambda/clean-fn")
    logs_client.put_retention_policy(logGroupName="/aws/lambda/clean-fn", retentionInDays=30)
    logs_client.create_log_group(logGroupName="/aws/lambda/orders-api")  # no retention
    client("cloudwatch").put_metric_alarm(
        AlarmName="clean-fn-errors", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
        Dimensions=[{"Name": "FunctionName", "Value": "clean-fn"}],
    )

    apigw = client("apigateway")
    api = apigw.create_rest_api(name="shop-api")
    root = apigw.get_resources(restApiId=api["id"])["items"][0]["id"]
    orders = apigw.create_resource(restApiId=api["id"], parentId=root, pathPart="orders")["id"]
    apigw.put_method(restApiId=api["id"], resourceId=orders, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=orders, httpMethod="GET", type="AWS_PROXY",
                          integrationHttpMethod="POST",
                          uri=f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arns['orders-api']}/invocations")
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    arns["shop-api"] = api["id"]

    v2 = client("apigatewayv2")
    http = v2.create_api(Name="events-api", ProtocolType="HTTP")
    auth = v2.create_authorizer(ApiId=http["ApiId"], AuthorizerType="JWT", Name="jwt",
                                IdentitySource=["$request.header.Authorization"],
                                JwtConfiguration={"Audience": ["events"], "Issuer": "https://issuer.example.com"})
    integ = v2.create_integration(ApiId=http["ApiId"], IntegrationType="AWS_PROXY", IntegrationUri=arns["clean-fn"],
                                  PayloadFormatVersion="2.0")
    v2.create_route(ApiId=http["ApiId"], RouteKey="POST /events", AuthorizationType="JWT", AuthorizerId=auth["AuthorizerId"],
                    Target=f"integrations/{integ['IntegrationId']}")
    v2.create_stage(ApiId=http["ApiId"], StageName="$default",
                    AccessLogSettings={"DestinationArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:events-access",
                                       "Format": "$context.requestId"},
                    DefaultRouteSettings={"ThrottlingRateLimit": 100.0, "ThrottlingBurstLimit": 50})
    arns["events-api"] = http["ApiId"]

    sm = client("secretsmanager")
    arns["prod/db"] = sm.create_secret(Name="prod/db", SecretString="hunter2")["ARN"]
    key = client("kms").create_key(Description="secrets")["KeyMetadata"]["Arn"]
    arns["prod/api-key"] = sm.create_secret(Name="prod/api-key", SecretString="x", KmsKeyId=key)["ARN"]
    sm.rotate_secret(SecretId="prod/api-key", RotationLambdaARN=arns["clean-fn"], RotationRules={"AutomaticallyAfterDays": 30},
                     RotateImmediately=False)

    arns["reports"] = _function("reports", arns["orders-role"], "nodejs16.x", region=OTHER_REGION)
    west = client("apigateway", OTHER_REGION)
    status = west.create_rest_api(name="status-api")["id"]
    root = west.get_resources(restApiId=status)["items"][0]["id"]
    west.put_method(restApiId=status, resourceId=root, httpMethod="GET", authorizationType="NONE")
    west.put_integration(restApiId=status, resourceId=root, httpMethod="GET", type="MOCK")
    west.create_deployment(restApiId=status, stageName="live")
    west.update_stage(restApiId=status, stageName="live",
                      patchOperations=[{"op": "replace", "path": "/*/*/logging/dataTrace", "value": "true"}])
    return arns


def audit_options(**collect: Any) -> Any:
    from faasguard.audit import AuditOptions
    from faasguard.loaders.aws_live.collect import Options

    collect.setdefault("last_accessed_days", None)  # moto does not implement it: see test_last_accessed.py
    return AuditOptions(regions=(REGION, OTHER_REGION), collect=Options(**collect))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
