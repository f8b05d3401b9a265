"""Pulumi YAML programs and `pulumi stack export` files load into the model (through the Terraform AWS builder)."""

from __future__ import annotations

import json

import pytest

from faasguard.findings import Severity
from faasguard.loaders.pulumi import pulumi_types, terraform_type
from tests.conftest import ScanFiles, by_rule

PROGRAM = """
name: orders
runtime: yaml
resources:
  ordersRole:
    type: aws:iam:Role
    properties:
      assumeRolePolicy:
        fn::toJSON:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {Service: lambda.amazonaws.com}
              Action: sts:AssumeRole
      inlinePolicies:
        - name: data
          policy:
            fn::toJSON:
              Version: "2012-10-17"
              Statement:
                - {Effect: Allow, Action: "%s", Resource: "*"}
  orders:
    type: aws:lambda:Function
    properties:
      runtime: python3.12
      handler: app.handler
      role: ${ordersRole.arn}
      timeout: 900
      environment:
        variables:
          TABLE: orders
  dbAccess:
    type: aws:ec2:SecurityGroup
    properties:
      vpcId: vpc-123
      ingress:
        - protocol: tcp
          fromPort: 5432
          toPort: 5432
          cidrBlocks: ["%s"]
"""


def test_yaml_program_functions_roles_and_groups(scan_files: ScanFiles) -> None:
    result = scan_files({"Pulumi.yaml": PROGRAM % ("s3:*", "0.0.0.0/0")}, rules={"FG-IAM-001", "FG-NET-001", "FG-RES-002"})
    assert result.errors == [] and result.functions == 1
    [wildcard] = by_rule(result, "FG-IAM-001")
    assert wildcard.function == "aws_lambda_function.orders" and "s3:*" in wildcard.message
    lines = PROGRAM.lstrip("\n").splitlines()
    [ingress] = by_rule(result, "FG-NET-001")
    where = next(n for n, row in enumerate(lines, 1) if "- protocol: tcp" in row)
    assert (ingress.resource, ingress.severity, ingress.line) == ("aws_security_group.dbAccess", Severity.HIGH, where)
    [timeout] = by_rule(result, "FG-RES-002")
    where = next(n for n, row in enumerate(lines, 1) if "timeout: 900" in row)
    assert (timeout.function, timeout.line) == ("aws_lambda_function.orders", where)
    quiet = scan_files({"Pulumi.yaml": PROGRAM % ("s3:GetObject", "10.0.0.0/16")}, rules={"FG-IAM-001", "FG-NET-001"})
    assert by_rule(quiet, "FG-IAM-001") == [] and by_rule(quiet, "FG-NET-001") == []


TRUST = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}


def export(action: str, principal: str) -> str:
    allow = {"Effect": "Allow", "Action": action, "Resource": "*"}
    role_arn = "arn:aws:iam::123456789012:role/orders-role-1a2b"
    resources = [
        {"urn": "urn:pulumi:dev::orders::pulumi:pulumi:Stack::orders-dev", "type": "pulumi:pulumi:Stack", "custom": False},
        {
            "urn": "urn:pulumi:dev::orders::aws:iam/role:Role::orders-role",
            "custom": True,
            "type": "aws:iam/role:Role",
            "inputs": {
                "assumeRolePolicy": json.dumps({"Statement": [TRUST]}),
                "inlinePolicies": [{"name": "all", "policy": json.dumps({"Statement": [allow]})}],
            },
            "outputs": {"arn": role_arn, "id": "orders-role-1a2b", "name": "orders-role-1a2b"},
        },
        {
            "urn": "urn:pulumi:dev::orders::aws:lambda/function:Function::orders",
            "custom": True,
            "type": "aws:lambda/function:Function",
            "inputs": {"runtime": "python3.12", "handler": "app.handler", "role": role_arn},
            "outputs": {"arn": "arn:aws:lambda:us-east-1:123456789012:function:orders-9f8e", "name": "orders-9f8e"},
        },
        {
            "urn": "urn:pulumi:dev::orders::aws:lambda/permission:Permission::partner",
            "custom": True,
            "type": "aws:lambda/permission:Permission",
            "inputs": {"function": "orders-9f8e", "action": "lambda:InvokeFunction", "principal": principal},
            "outputs": {},
        },
    ]
    return json.dumps({"version": 3, "deployment": {"manifest": {}, "resources": resources}}, indent=2)


def test_stack_export_links_outputs_to_resources(scan_files: ScanFiles) -> None:
    result = scan_files({"stack.json": export("dynamodb:*", "*")}, rules={"FG-IAM-001", "FG-IAM-005"})
    assert result.errors == [] and result.functions == 1
    [wildcard] = by_rule(result, "FG-IAM-001")
    assert wildcard.function == "aws_lambda_function.orders" and "dynamodb:*" in wildcard.message
    [public] = by_rule(result, "FG-IAM-005")
    assert public.function == "aws_lambda_function.orders" and public.resource == "aws_lambda_permission.partner"
    quiet = scan_files({"stack.json": export("dynamodb:GetItem", "210987654321")}, rules={"FG-IAM-001", "FG-IAM-005"})
    assert by_rule(quiet, "FG-IAM-001") == [] and by_rule(quiet, "FG-IAM-005") == []


def test_a_json_file_that_is_not_a_stack_export_is_left_alone(scan_files: ScanFiles) -> None:
    result = scan_files({"package.json": '{"name": "x", "deployment": "urn:pulumi:"}'})
    assert result.errors == [] and result.functions == 0


@pytest.mark.parametrize("token", sorted(pulumi_types()))
def test_every_type_row_maps_long_and_short_tokens(token: str) -> None:
    provider, module, resource = token.split(":")[0], token.split(":")[1].split("/")[0], token.split(":")[2]
    assert terraform_type(token) == pulumi_types()[token]
    assert terraform_type(f"{provider}:{module}:{resource}") == pulumi_types()[token]
