"""registry.run_all, which asks every rule of one application at once, against the plain way: each rule on its own,
its hits made into findings one by one with the Finding constructor."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from faasguard.findings import Finding, Severity, finding_fingerprint
from faasguard.model import Application, Loc
from faasguard.registry import Hit, Rule, all_rules, run_all
from faasguard.rules.wording import pulumi_words
from faasguard.scan import load_file

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def plain(rules: list[Rule], app: Application, source: str, base: str) -> list[Finding]:
    out = []
    for rule in rules:
        if not rule.applies(app):
            continue
        seen = app
        if rule.providers is not None and any(fn.provider not in rule.providers for fn in app.functions):
            seen = replace(app, functions=[fn for fn in app.functions if fn.provider in rule.providers])
        for hit in rule.check(seen):
            if app.format == "pulumi":
                hit = replace(hit, key=hit.key or hit.message, message=pulumi_words(hit.message),
                              remediation=pulumi_words(hit.remediation))
            out.append(Finding(
                rule.id, rule.category, rule.severity if hit.severity is None else hit.severity, rule.title, hit.message,
                hit.loc.path, hit.loc.line, hit.loc.end_line or hit.loc.line, hit.resource, hit.function,
                hit.remediation, hit.related,
                finding_fingerprint(rule.id, hit.loc.path, hit.resource, hit.function, hit.key or hit.message, base),
                key=hit.key, source=source,
            ))
    return out


def _apps() -> list[Application]:
    apps = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file():
            apps += load_file(path, FIXTURES).applications
    return apps


def _seen(app: Application) -> list[Hit]:
    """A hit per function the rule is shown, at a place without an end line."""
    return [Hit(Loc(fn.loc.path, 7), f"saw {fn.name} on {fn.provider}", "none", function=fn.name) for fn in app.functions]


# Rules of one cloud each: every one sees only its functions (the registry's rules are all or AWS).
ONE_CLOUD = [Rule(f"FG-TST-{cloud}", "resources", Severity.LOW, "seen", _seen, frozenset({cloud})) for cloud in ("aws", "azure")]


def test_every_rule_on_every_fixture_finds_what_each_rule_finds_alone() -> None:
    rules = [*all_rules(), *ONE_CLOUD]
    apps = _apps()
    aws = [app for app in apps if app.functions and all(fn.provider == "aws" for fn in app.functions)]
    others = [fn for app in apps for fn in app.functions if fn.provider != "aws"]
    assert len(apps) > 100 and aws and others
    mixed = [replace(app, functions=[*app.functions, *others[:2]]) for app in aws[:20]]  # AWS-only rules see AWS only
    pulumi = [replace(app, format="pulumi") for app in apps if app.format == "terraform"][:20]
    total = 0
    for app in [*apps, *mixed, *pulumi]:
        for base in ("", "formats/"):
            got = run_all(rules, app, app.source, base)
            assert [f.__dict__ for f in got] == [f.__dict__ for f in plain(rules, app, app.source, base)], app.source
            total += len(got)
    assert total > 1000
    seen = {f.message.rsplit(" ", 1)[-1] for app in mixed for f in run_all(ONE_CLOUD, app) if f.end_line == 7}
    assert seen == {"aws", "azure"}
    assert any(f.message != plain_f.message for app in pulumi  # the Pulumi wording is there
               for f, plain_f in zip(run_all(rules, app), run_all(rules, replace(app, format="terraform"))))
