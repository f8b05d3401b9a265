"""Statement evaluation: Allow/Deny, NotAction, NotResource, ARN globs, managed policies, boundaries."""

from __future__ import annotations

from faasguard.iam import managed
from faasguard.iam.evaluate import arn_matches, role_permissions, substitute
from faasguard.model import Loc, ManagedPolicy, Role, Statement

LOC = Loc("template.yaml", 10)


def role(*statements: Statement, managed_arns: tuple[str, ...] = (), boundary: str | None = None) -> Role:
    return Role(
        "FnRole",
        Loc("template.yaml", 1),
        statements=statements,
        managed_policies=tuple(ManagedPolicy(a, Loc("template.yaml", 30)) for a in managed_arns),
        permissions_boundary=boundary,
    )


def test_arn_globs_and_pseudo_parameters():
    assert arn_matches("arn:aws:s3:::uploads/*", "arn:aws:s3:::uploads/a/b.png")
    assert not arn_matches("arn:aws:s3:::uploads/*", "arn:aws:s3:::uploads2/a")
    assert arn_matches("arn:${AWS::Partition}:dynamodb:*:*:table/orders", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders")
    assert arn_matches("arn:aws:sqs:us-east-1:12345678901?:jobs", "arn:aws:sqs:us-east-1:123456789012:jobs")
    assert not arn_matches("arn:aws:s3:::Uploads/*", "arn:aws:s3:::uploads/x")  # ARNs are case-sensitive
    # "some object of the bucket" is covered by bucket/* but not by a narrower prefix
    assert arn_matches("arn:aws:s3:::b/*", "arn:aws:s3:::b/*")
    assert not arn_matches("arn:aws:s3:::b/in/*", "arn:aws:s3:::b/*")
    assert substitute("arn:${AWS::Partition}:x:${AWS::Region}:${AWS::AccountId}", {"AWS::Region": "eu-west-1"}) == (
        "arn:aws:x:eu-west-1:${AWS::AccountId}"
    )


def test_explicit_deny_wins_over_allow():
    perms = role_permissions(
        role(
            Statement("Allow", actions=("s3:*",), resources=("*",), loc=LOC),
            Statement("Deny", actions=("s3:Delete*",), resources=("*",), loc=LOC),
        )
    )
    assert perms.is_allowed("s3:GetObject", "arn:aws:s3:::b/k")
    assert not perms.is_allowed("s3:DeleteObject", "arn:aws:s3:::b/k")
    assert "s3:DeleteBucket" not in perms.allowed_actions()


def test_not_action_and_not_resource():
    perms = role_permissions(
        role(Statement("Allow", not_actions=("iam:*",), not_resources=("arn:aws:s3:::secret-bucket/*",), loc=LOC))
    )
    assert perms.is_allowed("s3:GetObject", "arn:aws:s3:::public/x")
    assert not perms.is_allowed("s3:GetObject", "arn:aws:s3:::secret-bucket/x")
    assert not perms.is_allowed("iam:CreateUser")
    assert perms.grants[0].unconstrained


def test_conditional_statement_grants_but_is_not_unconstrained():
    stmt = Statement(
        "Allow", actions=("kms:Decrypt",), resources=("*",), conditions=(("StringEquals", "kms:ViaService", ("s3",)),)
    )
    perms = role_permissions(role(stmt))
    assert perms.is_allowed("kms:Decrypt")
    assert not perms.grants[0].unconstrained


def test_aws_managed_policies_by_name_and_arn():
    admin = role_permissions(role(managed_arns=("arn:aws:iam::aws:policy/AdministratorAccess",)))
    assert len(admin.allowed_actions()) == 20455
    power = role_permissions(role(managed_arns=("arn:aws:iam::aws:policy/PowerUserAccess",)))
    assert power.is_allowed("lambda:UpdateFunctionCode") and power.is_allowed("iam:ListRoles")
    assert not power.is_allowed("iam:CreateUser")
    basic = role_permissions(role(managed_arns=("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",)))
    assert basic.allowed_actions() == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
    dynamo = role_permissions(role(managed_arns=("AmazonDynamoDBFullAccess",)))
    assert dynamo.is_allowed("dynamodb:DeleteTable")
    assert managed.policy_name("arn:aws:iam::123456789012:policy/Mine") is None


def test_customer_managed_policy_makes_permissions_incomplete():
    perms = role_permissions(role(managed_arns=("arn:aws:iam::123456789012:policy/TeamPolicy",)))
    assert not perms.complete
    assert perms.unknown_policies == ["arn:aws:iam::123456789012:policy/TeamPolicy"]


def test_permissions_boundary_cuts_allowed_actions():
    stmt = Statement("Allow", actions=("s3:GetObject", "iam:CreateUser"), resources=("*",), loc=LOC)
    bounded = role_permissions(role(stmt, boundary="arn:aws:iam::aws:policy/PowerUserAccess"))
    assert bounded.is_allowed("s3:GetObject")
    assert not bounded.is_allowed("iam:CreateUser")
    unknown = role_permissions(role(stmt, boundary="arn:aws:iam::123456789012:policy/Boundary"))
    assert not unknown.complete
