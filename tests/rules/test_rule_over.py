"""``@rule(..., over="functions")``: a rule that is one loop over one model collection is not asked about an
application where that collection is empty. Skipping it must never lose a finding: the rule's body has that shape
(checked on its source), the helpers it loops over yield nothing without the collection, and on real applications
the rule finds nothing once the collection is emptied."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import textwrap
from pathlib import Path

import pytest

from faasguard.code.facts import TaintKind, code_facts
from faasguard.deps.facts import dependency_sets
from faasguard.iam.least_privilege import analyse
from faasguard.model import Application
from faasguard.registry import Rule, all_rules
from faasguard.rules.iam import principals
from faasguard.rules.iam_risk import _named_escalation_hits, _risk_hits
from faasguard.rules.iam_takeover import _principals
from faasguard.rules.injection import _code_flows, _routes
from faasguard.rules.network import _sg_functions
from faasguard.rules.resources import _per_invocation
from faasguard.scan import ScanOptions, scan

ROOT = Path(__file__).resolve().parents[2]
APPS = [ROOT / "tests" / "apps" / name for name in ("sam-rest", "sls-todos", "tf-lambda", "cdk-demo")] + [
    ROOT / "examples" / "vulnerable-orders-app"
]
# Helpers a rule may loop over, with the collection without which they yield nothing (checked below).
HELPERS = {
    "code_facts": "code", "dependency_sets": "dependencies", "_routes": "apis", "principals": "roles",
    "_sg_functions": "functions", "_code_flows": "code", "_per_invocation": "code", "_principals": "roles",
    "_risk_hits": "roles", "_named_escalation_hits": "roles",
}  # fmt: skip
RISK_KINDS = (
    "privilege-escalation", "data-exfiltration", "resource-exposure", "credentials-exposure", "infrastructure-modification",
)  # fmt: skip
CALLS = {
    "code_facts": lambda app: list(code_facts(app)),
    "dependency_sets": dependency_sets,
    "_routes": lambda app: list(_routes(app)),
    "principals": lambda app: list(principals(app)),
    "_sg_functions": _sg_functions,
    "_code_flows": lambda app: [h for kind in TaintKind for h in _code_flows(app, kind, "fix")],
    "_per_invocation": lambda app: [
        h for kind in ("secret-fetch", "sdk-client", "db-connection") for h in _per_invocation(app, kind, "does", "fix")
    ],
    "_principals": lambda app: list(_principals(app, with_functions=True)),
    "_risk_hits": lambda app: [h for kind in RISK_KINDS for h in _risk_hits(app, kind, "allows", "fix")],
    "_named_escalation_hits": lambda app: list(_named_escalation_hits(app)),
    "iam.permissions": lambda app: analyse(app).permissions,
}
OVER = [r for r in all_rules() if r.over is not None]


@pytest.fixture(scope="module")
def apps(tmp_path_factory) -> list[Application]:
    no_db = tmp_path_factory.mktemp("advisories") / "none"
    return [app for path in APPS for app in scan(path, ScanOptions(jobs=1, advisory_db=no_db)).applications]


def _looped(node: ast.expr) -> str | None:
    """The collection ``app.F``, ``app.F.values()``, ``sorted(app.F.items())``, ``helper(app, …)`` or
    ``iam.permissions`` (the IAM analysis of ``app``: one entry per role of ``app.roles``) loops over."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sorted":
        return _looped(node.args[0])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("values", "items", "keys"):
        return _looped(node.func.value)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "app":
        return node.attr
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "iam":
        return "roles" if node.attr == "permissions" else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in HELPERS:
        first = node.args[0] if node.args else None
        return HELPERS[node.func.id] if isinstance(first, ast.Name) and first.id == "app" else None
    return None


def _yields(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Yield | ast.YieldFrom) for n in ast.walk(node))


def _shape(rule: Rule) -> str | None:
    """The one collection every finding of the rule comes from: each statement of its body that yields is a loop
    over it (with no ``else``) or a ``yield from`` a helper over it; the other statements yield nothing. ``None``
    when the body has another shape."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(rule.check)))
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    looped = set()
    for node in func.body:
        if not _yields(node):
            continue
        if isinstance(node, ast.For) and not node.orelse:
            looped.add(_looped(node.iter))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.YieldFrom):
            looped.add(_looped(node.value.value))
        else:
            return None
    uses_iam = any(isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "iam" for n in ast.walk(func))
    analysed = any(ast.unparse(n) == "iam = analyse(app)" for n in func.body)
    if uses_iam and not analysed:
        return None  # `iam` is something else than the analysis of this application
    return looped.pop() if len(looped) == 1 else None


def test_rules_declare_over():
    assert len(OVER) >= 70  # most rules are one loop over functions, APIs, roles, code facts or dependencies


@pytest.mark.parametrize("rule", OVER, ids=lambda r: r.id)
def test_a_rule_with_over_is_one_loop_over_that_collection(rule):
    assert _shape(rule) == rule.over


@pytest.mark.parametrize("helper", sorted(CALLS))
def test_helpers_yield_nothing_without_their_collection(apps, helper):
    field = HELPERS.get(helper, "roles")
    if helper != "_named_escalation_hits":  # no test app has a role that may become a more powerful one
        assert any(CALLS[helper](app) for app in apps), f"{helper} is not exercised by the test apps"
    for app in apps:
        empty = dataclasses.replace(app, **{field: type(getattr(app, field))()})
        assert not CALLS[helper](empty)


@pytest.mark.parametrize("rule", OVER, ids=lambda r: r.id)
def test_a_skipped_rule_finds_nothing_without_its_collection(apps, rule):
    for app in apps:
        empty = dataclasses.replace(app, **{rule.over: type(getattr(app, rule.over))()})
        assert list(rule.check(empty)) == []
        assert rule.run(empty) == []
        assert not rule.applies(empty)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_each_rule_answers_applies_as_the_method_does(apps, rule):
    """A rule's applies() answers as the method does, with and without the collection (a rule without ``over``
    applies everywhere)."""
    for app in apps:
        cases = [app]
        if rule.over is not None:
            cases.append(dataclasses.replace(app, **{rule.over: type(getattr(app, rule.over))()}))
        for case in cases:
            assert bool(rule.applies(case)) is Rule.applies(rule, case)
    assert dataclasses.replace(rule).applies(apps[0]) == rule.applies(apps[0])
