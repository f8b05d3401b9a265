"""FG-IAM-033 from IAM's last-accessed data, with recorded IAM responses.

moto 5.2.5 does not implement ``GenerateServiceLastAccessedDetails`` (its server answers
HTTP 500 "not implemented"), so the IAM collector is fed recorded responses (botocore
Stubber, shaped as in the IAM API reference) while every other service is moto's.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.stub import ANY, Stubber

from faasguard.audit import audit
from faasguard.interfaces import ScanResult
from tests.audit.conftest import ACCOUNT, REGION, TRUST_LAMBDA, audit_options, client

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/admin-role"
NOW = datetime.now(UTC)


def recorded_iam(created: datetime, services: list[dict[str, Any]]) -> Any:
    iam = client("iam")
    stub = Stubber(iam)
    stub.add_response("get_role", {"Role": {
        "Path": "/", "RoleName": "admin-role", "RoleId": "AROAEXAMPLEID1234567", "Arn": ROLE_ARN, "CreateDate": created,
        "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D", "MaxSessionDuration": 3600,
    }}, {"RoleName": "admin-role"})
    stub.add_response("list_role_policies", {"PolicyNames": [], "IsTruncated": False}, {"RoleName": "admin-role"})
    stub.add_response("list_attached_role_policies", {"AttachedPolicies": [
        {"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}], "IsTruncated": False},
        {"RoleName": "admin-role"})
    stub.add_response("generate_service_last_accessed_details", {"JobId": "examplef-1305-c245-eba4-71fe298bcda7"},
                      {"Arn": ROLE_ARN, "Granularity": "SERVICE_LEVEL"})
    stub.add_response("get_service_last_accessed_details", {
        "JobStatus": "IN_PROGRESS", "JobType": "SERVICE_LEVEL", "JobCreationDate": NOW, "JobCompletionDate": NOW,
        "ServicesLastAccessed": [],
    }, {"JobId": ANY})
    stub.add_response("get_service_last_accessed_details", {
        "JobStatus": "COMPLETED", "JobType": "SERVICE_LEVEL", "JobCreationDate": NOW, "JobCompletionDate": NOW,
        "ServicesLastAccessed": services, "IsTruncated": False,
    }, {"JobId": ANY})
    stub.activate()
    return iam


def run(created: datetime, services: list[dict[str, Any]], days: int = 90) -> ScanResult:
    iam = recorded_iam(created, services)
    options = audit_options(functions=frozenset({"admin-fn"}), last_accessed_days=days)
    options.regions = (REGION,)
    return audit(options, clients=lambda account, region: {"iam": iam})[0].result


USED = {"ServiceName": "Amazon DynamoDB", "ServiceNamespace": "dynamodb", "LastAuthenticated": NOW - timedelta(days=3),
        "LastAuthenticatedEntity": ROLE_ARN, "LastAuthenticatedRegion": REGION, "TotalAuthenticatedEntities": 1}
STALE = {"ServiceName": "Amazon SQS", "ServiceNamespace": "sqs", "LastAuthenticated": NOW - timedelta(days=200),
         "LastAuthenticatedEntity": ROLE_ARN, "LastAuthenticatedRegion": REGION, "TotalAuthenticatedEntities": 1}
NEVER = {"ServiceName": "AWS Identity and Access Management", "ServiceNamespace": "iam", "TotalAuthenticatedEntities": 0}


def test_services_unused_for_n_days_are_reported(account: dict[str, str]) -> None:
    result = run(NOW - timedelta(days=500), [USED, STALE, NEVER])
    found = [f for f in result.findings if f.rule_id == "FG-IAM-033"]
    assert len(found) == 1
    f = found[0]
    assert f.path == ROLE_ARN and f.resource == "admin-role" and f.function == "admin-fn"
    assert str(f.severity) == "medium"
    assert "2 service(s) it has not used in 90 days" in f.message
    assert "sqs (last used 200 days ago)" in f.message and "iam (never used)" in f.message
    assert "dynamodb" not in f.message
    assert "Remove the statements" in f.remediation and "grant iam, sqs" in f.remediation
    assert not result.errors


def test_used_services_and_young_roles_stay_quiet(account: dict[str, str]) -> None:
    assert not [f for f in run(NOW - timedelta(days=500), [USED]).findings if f.rule_id == "FG-IAM-033"]
    # A role created 20 days ago has no 90 days of history: nothing can be proven unused yet.
    assert not [f for f in run(NOW - timedelta(days=20), [USED, STALE, NEVER]).findings if f.rule_id == "FG-IAM-033"]
    # The window is the user's: with --unused-days 365, a service last used 200 days ago is in use.
    long = run(NOW - timedelta(days=500), [USED, STALE, NEVER], days=365)
    assert [f.message for f in long.findings if f.rule_id == "FG-IAM-033"] == [
        "Role admin-role of function admin-fn is granted 1 service(s) it has not used in 365 days according to IAM's "
        "last-accessed data: iam (never used)"
    ]


def test_templates_never_trigger_it(scan_files: Any) -> None:
    template = {"template.yaml": f"""
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: python3.12
              Handler: app.handler
              Role: !GetAtt FnRole.Arn
          FnRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {TRUST_LAMBDA!r}
              ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
        """}
    assert [f for f in scan_files(template).findings if f.rule_id == "FG-IAM-033"] == []
