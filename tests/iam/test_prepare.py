"""IamAnalyzer.prepare builds the IAM tables once, before a scan forks its rule workers, and changes no finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from faasguard.iam import actions, evaluate, risk, takeover
from faasguard.iam.analyzer import IamAnalyzer
from faasguard.model import Application, Function, Loc
from faasguard.registry import all_rules
from faasguard.scan import load_file, run_rules

SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - AWSLambdaBasicExecutionRole
        - Statement:
            - Effect: Allow
              Action: ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction', 's3:*']
              Resource: '*'
  Admin:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AdministratorAccess]
"""

_TABLES = (actions.action_index, risk._infrastructure_names, risk._listed_names, takeover._changing_actions)


def _forget_tables() -> None:
    for table in _TABLES:
        table.cache_clear()
    evaluate._managed_actions.cache_clear()


def _apps(tmp_path: Path) -> list[Application]:
    (tmp_path / "template.yaml").write_text(SAM)
    return load_file(tmp_path / "template.yaml", tmp_path).applications


def _findings(apps: list[Application]) -> list[tuple[str, str, int | None, str, str]]:
    found, _ = run_rules(apps, all_rules(), analyzers=[IamAnalyzer()])
    return [(f.rule_id, f.path, f.line, str(f.severity), f.message) for f in found]


def test_prepare_builds_the_tables_the_workers_would_each_build(tmp_path: Path) -> None:
    apps = _apps(tmp_path)
    _forget_tables()
    IamAnalyzer().prepare(apps)
    assert all(table.cache_info().currsize == 1 for table in _TABLES)
    # The managed policies the roles attach are expanded once, here.
    assert evaluate._managed_actions.cache_info().currsize == 2  # AWSLambdaBasicExecutionRole, AdministratorAccess


def test_prepare_loads_nothing_for_applications_without_aws_iam() -> None:
    azure = Application(Path("."), functions=[Function("f", Loc("host.json", 1), provider="azure")])
    _forget_tables()
    IamAnalyzer().prepare([azure])
    assert all(table.cache_info().currsize == 0 for table in _TABLES)


def test_findings_are_the_same_with_the_tables_built_before(tmp_path: Path) -> None:
    _forget_tables()
    cold = _findings(_apps(tmp_path))
    apps = _apps(tmp_path)
    _forget_tables()
    IamAnalyzer().prepare(apps)
    assert _findings(apps) == cold
    assert {"FG-ATK-010", "FG-IAM-001", "FG-IAM-003"} <= {f[0] for f in cold}


def test_managed_statements_are_the_dataclass_statements():
    from dataclasses import fields

    from faasguard.iam import managed
    from faasguard.model import Statement

    loc = Loc("template.yaml", 7)
    names = ("AdministratorAccess", "AWSLambdaBasicExecutionRole", "AmazonS3ReadOnlyAccess", "AWSLambdaVPCAccessExecutionRole")
    for name in names:
        made = managed.statements(name, loc)
        assert made
        for stmt, raw in zip(made, managed._fields(name), strict=True):
            plain = Statement(**raw, loc=loc)
            assert stmt == plain and stmt.__dict__ == plain.__dict__
            assert set(stmt.__dict__) == {f.name for f in fields(Statement)}


def test_a_made_grant_answers_as_a_constructed_one():
    from faasguard.iam.evaluate import Grant
    from faasguard.model import Statement

    for stmt in (
        Statement("Allow", actions=("s3:*",), resources=("*",)),
        Statement("Allow", actions=("s3:*",), resources=(" * ",), conditions=(("StringEquals", "k", ("v",)),)),
        Statement("Allow", actions=("s3:*",), not_resources=("arn:aws:s3:::b",)),
        Statement("Deny", actions=("s3:*",), resources=("arn:aws:s3:::b/*",)),
    ):
        made, plain = Grant.made(stmt, frozenset({"s3:GetObject"}), "inline"), Grant(stmt, frozenset({"s3:GetObject"}), "inline")
        assert made == plain
        assert (made.conditional, made.unconstrained) == (plain.conditional, plain.unconstrained)


def test_quick_init_records_are_the_dataclasses_they_replace():
    import dataclasses

    from faasguard.iam.least_privilege import FunctionPolicy, Need, PolicyStatement, StatementUse
    from faasguard.iam.risk import Risk
    from faasguard.iam.takeover import Power

    for cls in (Need, FunctionPolicy, PolicyStatement, StatementUse, Risk, Power):
        assert cls.__init__.__qualname__ == f"{cls.__qualname__}.__init__"
    need = Need("s3:GetObject", "*", "s3.GetObject")
    assert need.__dict__ == {"action": "s3:GetObject", "resource": "*", "why": "s3.GetObject", "loc": None,
                             "platform": False, "optional": False, "unresolved": False, "dependent": False}
    assert Need("s3:GetObject", "*", "s3.GetObject", None, True) == Need(action="s3:GetObject", resource="*",
                                                                          why="s3.GetObject", platform=True)
    assert hash(need) == hash(dataclasses.replace(need)) and dataclasses.replace(need, optional=True).optional
    with pytest.raises(dataclasses.FrozenInstanceError):
        need.action = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Need("s3:GetObject")  # type: ignore[call-arg]
    assert Power(3, "administrator access") == Power(level=3, words="administrator access")


def test_a_scan_builds_the_tables_before_it_checks_the_applications(tmp_path: Path) -> None:
    apps = _apps(tmp_path)
    calls: list[str] = []

    class Recording(IamAnalyzer):
        def prepare(self, apps: list[Application]) -> None:
            calls.append(f"prepare {len(apps)}")
            super().prepare(apps)

        def analyze_application(self, app: Application) -> list[tuple[str, str]]:
            calls.append("analyze")
            return super().analyze_application(app)

    found, _ = run_rules(apps, all_rules(), analyzers=[Recording()])
    assert calls == ["prepare 1", "analyze"]
    assert "FG-IAM-001" in {f.rule_id for f in found}


def test_rules_run_in_order_only_where_their_collection_has_items() -> None:
    from faasguard.findings import Severity
    from faasguard.registry import Rule
    from faasguard.scan import _RulePlan

    ran: list[str] = []

    def rule(rule_id: str, over: str | None) -> Rule:
        return Rule(rule_id, "iam", Severity.LOW, rule_id, lambda app: ran.append(rule_id) or [], over=over)

    rules = [rule("A", "functions"), rule("B", None), rule("C", "roles"), rule("D", "functions")]
    with_function = Application(Path("."), functions=[Function("f", Loc("t.yaml", 1))])
    empty = Application(Path("."))
    run_rules([with_function, empty, with_function], rules)
    assert ran == ["A", "B", "D", "B", "A", "B", "D"]
    plan = _RulePlan(rules)
    assert [r.id for r in plan.for_app(empty)] == ["B"]
    assert plan.for_app(with_function) is plan.for_app(with_function)  # one list per pattern of empty collections
