"""Risk classes tested against AWS managed policies: a read-only policy changes nothing."""

from __future__ import annotations

import pytest

from faasguard.iam.evaluate import role_permissions
from faasguard.iam.risk import risks
from faasguard.model import Loc, ManagedPolicy, Role


def kinds(*policies: str) -> set[str]:
    role = Role(
        "R", Loc("t.yaml"), managed_policies=tuple(ManagedPolicy(f"arn:aws:iam::aws:policy/{p}", Loc("t.yaml")) for p in policies)
    )
    return {r.kind for r in risks(role_permissions(role))}


@pytest.mark.parametrize("policy", ["ReadOnlyAccess", "ViewOnlyAccess", "SecurityAudit", "AWSLambda_ReadOnlyAccess"])
def test_read_only_policies_neither_change_policies_nor_infrastructure(policy):
    found = kinds(policy)
    assert "resource-exposure" not in found
    assert "infrastructure-modification" not in found
    assert "privilege-escalation" not in found


def test_read_only_access_still_reads_data():
    assert "data-exfiltration" in kinds("ReadOnlyAccess")


def test_administrator_access_has_every_class():
    assert kinds("AdministratorAccess") >= {
        "privilege-escalation", "resource-exposure", "infrastructure-modification", "data-exfiltration", "credentials-exposure",
    }  # fmt: skip


def test_power_user_modifies_infrastructure_and_iam_full_access_escalates():
    assert "infrastructure-modification" in kinds("PowerUserAccess")
    assert "privilege-escalation" in kinds("IAMFullAccess")


def test_lambda_execution_policies_are_harmless():
    assert kinds("service-role/AWSLambdaBasicExecutionRole", "service-role/AWSLambdaVPCAccessExecutionRole") == set()
