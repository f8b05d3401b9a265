"""``faasguard audit`` against moto's server: what a user sees for each deployed mistake, and silence for the clean twins.

Collectors covered here by moto: Lambda (functions, resource policies, function URLs,
event invoke configs, event source mappings, concurrency, tags, code signing), IAM roles
(inline, attached and customer managed policies, trust, boundary), API Gateway v1 (resources
and methods, stages, authorizers, validators, usage plans) and v2 (stages, routes,
integrations), CloudWatch Logs, CloudWatch alarms, Secrets Manager (with resource policies),
EC2 security groups, subnets, route tables and VPC endpoints. IAM last-accessed data and
code download are covered with recorded responses (test_last_accessed.py, test_with_code.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from faasguard.audit import Shard, audit
from faasguard.findings import Finding, Severity
from tests.audit.conftest import ACCOUNT, OTHER_REGION, REGION, audit_options


@pytest.fixture(scope="module")
def shards(account: dict[str, str]) -> list[Shard]:
    return audit(audit_options())


@pytest.fixture(scope="module")
def findings(shards: list[Shard]) -> list[Finding]:
    return [f for s in shards for f in s.result.findings]


def hits(findings: list[Finding], rule: str, function: str | None = None, resource: str | None = None) -> list[Finding]:
    return [
        f for f in findings
        if f.rule_id == rule and (function is None or f.function == function) and (resource is None or f.resource == resource)
    ]


def fn_arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"


ROLE = f"arn:aws:iam::{ACCOUNT}:role/"

EXPECTED: list[tuple[str, str | None, str, Severity, str]] = [
    # rule, function, path (ARN), severity, message fragment
    ("FG-SEC-001", "orders-api", fn_arn("orders-api"), Severity.HIGH, "DB_PASSWORD"),
    ("FG-SUP-001", "orders-api", fn_arn("orders-api"), Severity.HIGH, "python3.8"),
    ("FG-SUP-001", "reports", fn_arn("reports", OTHER_REGION), Severity.HIGH, "nodejs16.x"),
    ("FG-IAM-001", None, ROLE + "orders-role", Severity.HIGH, "the same holds for function thumbnail"),
    ("FG-IAM-001", "reports", ROLE + "orders-role", Severity.HIGH, "dynamodb:* on *"),
    ("FG-IAM-007", "orders-api", ROLE + "orders-role", Severity.HIGH, "shared by 2 functions"),
    ("FG-IAM-003", "admin-fn", ROLE + "admin-role", Severity.CRITICAL, "AdministratorAccess"),
    ("FG-IAM-006", "admin-fn", fn_arn("admin-fn"), Severity.HIGH, "AuthType NONE"),
    ("FG-NET-008", "admin-fn", fn_arn("admin-fn"), Severity.MEDIUM, "any origin"),
    ("FG-SEC-020", None, f"arn:aws:apigateway:{OTHER_REGION}::/restapis/", Severity.MEDIUM, "status-api"),
    ("FG-IAM-005", "vpc-fn", fn_arn("vpc-fn"), Severity.HIGH, "any principal"),
    ("FG-IAM-008", None, ROLE + "vpc-role", Severity.CRITICAL, "vpc-role"),
    ("FG-IAM-004", "thumbnail", fn_arn("thumbnail"), Severity.MEDIUM, "s3.amazonaws.com"),
    ("FG-MON-004", "thumbnail", fn_arn("thumbnail"), Severity.MEDIUM, "asynchronously by s3"),
    ("FG-INJ-001", "orders-api", "/resources/", Severity.MEDIUM, "GET /orders"),
    ("FG-MON-005", "orders-api", "/stages/prod", Severity.MEDIUM, "shop-api"),
    ("FG-RES-004", "orders-api", "/stages/prod", Severity.MEDIUM, "shop-api"),
    ("FG-RES-003", "orders-api", fn_arn("orders-api"), Severity.MEDIUM, "reserved concurrency"),
    ("FG-MON-002", "orders-api", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/orders-api", Severity.LOW, "expire"),
    ("FG-MON-001", "thumbnail", fn_arn("thumbnail"), Severity.LOW, "tracing off"),
    ("FG-NET-001", "vpc-fn", "security-group/sg-", Severity.HIGH, "port 22 from 0.0.0.0/0"),
    ("FG-NET-003", "vpc-fn", fn_arn("vpc-fn"), Severity.MEDIUM, "public subnet"),
    ("FG-SEC-003", None, f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/db", Severity.MEDIUM, "prod/db"),
]


@pytest.mark.parametrize(("rule", "function", "path", "severity", "fragment"), EXPECTED, ids=[f"{e[0]}-{e[1]}" for e in EXPECTED])
def test_deployed_mistake_is_reported(
    findings: list[Finding], rule: str, function: str | None, path: str, severity: Severity, fragment: str
) -> None:
    found = [f for f in hits(findings, rule, function) if path in f.path and fragment in f.message]
    assert found, f"{rule} for {function} not found; got {[(f.function, f.path) for f in findings if f.rule_id == rule]}"
    assert found[0].severity == severity
    assert found[0].line is None  # a live resource has no line
    assert found[0].path.startswith("arn:aws:")
    assert found[0].remediation


def test_clean_twins_stay_quiet(findings: list[Finding]) -> None:
    assert [f for f in findings if f.function == "clean-fn"] == []
    assert [f for f in findings if "prod/api-key" in f.path] == []  # rotated, customer KMS key
    assert [f for f in findings if "events-api" in (f.resource or "")] == []  # JWT authorizer, access logs, throttling
    assert [f for f in findings if "developers" in f.message] == []  # an IAM group is no function's identity
    assert hits(findings, "FG-SEC-001", "orders-api")[0].message.count("TABLE") == 0  # TABLE=orders is no secret


def test_secret_value_is_not_echoed(findings: list[Finding]) -> None:
    assert not any("Pr0d-s3cret" in f.message or "Pr0d-s3cret" in f.remediation for f in findings)


def test_shards_are_per_region_with_global_roles_read_once(shards: list[Shard]) -> None:
    assert [(s.account, s.region) for s in shards] == [(ACCOUNT, REGION), (ACCOUNT, OTHER_REGION)]
    assert shards[0].result.functions == 5 and shards[1].result.functions == 1
    roles_read = [s for s in shards if ("iam", "GetRole") in s.operations]
    assert len(roles_read) == 1 or all(("iam", "GetRole") in s.operations for s in shards)
    assert not any(s.result.errors for s in shards)


def test_tracing_passthrough_is_tracing_off(findings: list[Finding]) -> None:
    # AWS reports Mode PassThrough for every function that never enabled tracing.
    assert hits(findings, "FG-MON-001", "admin-fn") and not hits(findings, "FG-MON-001", "clean-fn")


def test_function_filter_audits_only_that_function(account: dict[str, str]) -> None:
    only = audit(audit_options(functions=frozenset({"thumbnail"})))
    names = {f.function for s in only for f in s.result.findings}
    assert names == {"thumbnail"}
    assert only[0].result.functions == 1 and only[1].result.functions == 0
    assert not any("prod/db" in f.path for s in only for f in s.result.findings)  # secrets: only for a whole region


def test_ignore_tag_suppresses_like_an_inline_comment(account: dict[str, str]) -> None:
    from tests.audit.conftest import client

    lam = client("lambda")
    lam.tag_resource(Resource=account["thumbnail"], Tags={"faasguard:ignore": "FG-MON-001 FG-MON-003"})
    try:
        result = audit(audit_options(functions=frozenset({"thumbnail"})))[0].result
    finally:
        lam.untag_resource(Resource=account["thumbnail"], TagKeys=["faasguard:ignore"])
    rules = {f.rule_id for f in result.findings}
    assert "FG-MON-001" not in rules and "FG-MON-003" not in rules
    assert "FG-MON-004" in rules  # not named in the tag
    assert result.suppressed == 2


def test_access_denied_is_an_error_and_the_audit_goes_on(account: dict[str, str]) -> None:
    """logs:DescribeLogGroups denied: an error naming the permission; FG-MON-002 held back, not guessed."""
    from botocore.stub import Stubber

    from tests.audit.conftest import client

    def clients(account_id: str, region: str) -> dict[str, Any]:
        logs = client("logs", region)
        stub = Stubber(logs)
        stub.add_client_error("describe_log_groups", service_error_code="AccessDeniedException", http_status_code=400,
                              service_message="User is not authorized to perform: logs:DescribeLogGroups")
        stub.activate()
        return {"logs": logs}

    options = audit_options(functions=frozenset({"thumbnail", "orders-api"}))
    options.regions = (REGION,)
    result = audit(options, clients=clients)[0].result
    denied = [m for p, m in result.errors if "logs:DescribeLogGroups" in m]
    assert denied and denied[0].startswith("AccessDenied") and "docs/audit-policy.json" in denied[0]
    assert not [f for f in result.findings if f.rule_id == "FG-MON-002"]
    assert any("FG-MON-002 not checked" in m for _, m in result.warnings)
    assert hits(result.findings, "FG-SEC-001", "orders-api")  # everything else was still audited


def test_every_call_made_is_one_the_policy_test_knows(shards: list[Shard]) -> None:
    from tests.audit.test_policy import collector_calls

    made = {op for s in shards for op in s.operations}
    assert made and made <= collector_calls()


def test_denied_role_is_unknown_not_empty(account: dict[str, str]) -> None:
    """iam:GetRole denied: the role is not guessed empty (no 'cannot write logs', no least-privilege claim)."""
    from botocore.stub import Stubber

    from tests.audit.conftest import client

    iam = client("iam")
    stub = Stubber(iam)
    stub.add_client_error("get_role", service_error_code="AccessDenied", http_status_code=403,
                          service_message="not authorized to perform: iam:GetRole")
    stub.activate()
    options = audit_options(functions=frozenset({"orders-api"}))
    options.regions = (REGION,)
    result = audit(options, clients=lambda a, r: {"iam": iam})[0].result
    assert any(p == ROLE + "orders-role" and "iam:GetRole" in m for p, m in result.errors)
    assert not [f for f in result.findings if f.resource == "orders-role"]
    assert hits(result.findings, "FG-SEC-001", "orders-api")
