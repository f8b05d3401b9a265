"""The rule registry: a rule is a decorated function whose docstring is its documentation.

```python
@rule("FG-IAM-001", category="iam", severity=Severity.HIGH, title="…")
def wildcard_actions(app: Application) -> Iterator[Finding]:
    \"\"\"Risk, bad example and fix, in Markdown.\"\"\"
```

The decorated function yields :class:`Hit` objects (what and where); the registry
turns them into full :class:`Finding` objects with the rule's id, category,
title and default severity, so rules never repeat their own metadata.
"""

from __future__ import annotations

import inspect
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from faasguard.findings import CATEGORIES, Finding, Related, Severity, finding_fingerprint

if TYPE_CHECKING:
    from faasguard.model import Application, Loc


@dataclass(slots=True)  # not frozen: a frozen dataclass sets each field through object.__setattr__ (3x the cost)
class Hit:
    """One problem a rule found. Only ``loc``, ``message`` and ``remediation`` are required. The registry reads it
    once to make the finding; nothing changes it."""

    loc: Loc
    message: str
    remediation: str
    resource: str | None = None
    function: str | None = None
    severity: Severity | None = None  # overrides the rule's default when the case is worse/milder
    key: str = ""  # what identifies the problem for fingerprints (defaults to the message)
    related: tuple[Related, ...] = ()


RuleFunc = Callable[["Application"], Iterable[Hit]]

PROJECT_URL = "https://github.com/faasguard/faasguard"
RULES_DOC_URL = f"{PROJECT_URL}/blob/main/docs/rules.md"


@cache
def rule_cwe_table() -> dict[str, tuple[int, ...]]:
    """``data/rule_cwe.toml``: the CWE ids of each rule id (an empty tuple is a reviewed "none fits")."""
    text = resources.files("faasguard").joinpath("data", "rule_cwe.toml").read_text(encoding="utf-8")
    return {rule_id: tuple(ids) for rule_id, ids in tomllib.loads(text)["cwe"].items()}


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: Severity
    title: str
    check: RuleFunc
    providers: frozenset[str] | None = None  # clouds the rule's concept exists on; None: every one
    opt_in: bool = False  # runs only when the configuration enables it (config.SWITCHES) or --rule names it
    # The one model collection (an Application field) the rule's findings come from: the rule is one loop over it
    # (tests/test_registry.py checks the shape), so an application where it is empty is not even asked.
    over: str | None = None

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def cwe(self) -> tuple[int, ...]:
        """The CWE ids this rule reports, from ``data/rule_cwe.toml``."""
        return rule_cwe_table().get(self.id, ())

    @property
    def cwe_tags(self) -> list[str]:
        return [f"CWE-{n}" for n in self.cwe]

    @property
    def help_uri(self) -> str:
        """The rule's section in ``docs/rules.md`` (anchors are the lower-cased rule ids)."""
        return f"{RULES_DOC_URL}#{self.id.lower()}"

    def applies(self, app: Application) -> bool:
        """False when the rule has nothing to look at in ``app`` (its ``over`` collection is empty): ``run`` finds
        nothing there, so a caller looping over rules x applications may leave the call out (the scan asks it once per
        pattern of empty collections, see ``faasguard.scan._RulePlan``)."""
        return self.over is None or bool(app.__dict__[self.over])

    def run(self, app: Application, source: str = "", base: str = "") -> list[Finding]:
        """The rule's findings in ``app``, each with its fingerprint (paths relative to the scanned folder
        ``base``, see :func:`faasguard.findings.finding_fingerprint`) and ``source``, the application it came from."""
        return run_all((self,), app, source, base)


def run_all(rules: Iterable[Rule], app: Application, source: str = "", base: str = "") -> list[Finding]:
    """``[finding for rule in rules for finding in rule.run(app, source, base)]``: what the application has to say
    is looked at once (its clouds, its format), not again for each rule (a scan asks 40 rules of each application,
    most of which find nothing there)."""
    found: list[Finding] = []
    fields = app.__dict__
    functions = app.functions
    clouds = {fn.provider for fn in functions}
    pulumi = app.format == "pulumi"
    seen_by: dict[frozenset[str], Application] = {}
    for rule in rules:
        over = rule.over
        if over is not None and not fields[over]:  # applies(), inline
            continue
        providers = rule.providers
        if providers is None or clouds <= providers:
            hits = rule.check(app)
        else:
            # An AWS-only concept (X-Ray, KmsKeyArn, reserved concurrency…) says nothing about
            # an Azure or Google function: the rule sees only the functions of its clouds.
            only = seen_by.get(providers)
            if only is None:
                only = seen_by[providers] = replace(app, functions=[fn for fn in functions if fn.provider in providers])
            hits = rule.check(only)
        if pulumi:  # Pulumi's own property names; the fingerprint stays the one of the Terraform wording
            from faasguard.rules.wording import pulumi_words

            hits = [
                replace(hit, key=hit.key or hit.message, message=pulumi_words(hit.message),
                        remediation=pulumi_words(hit.remediation))
                for hit in hits
            ]
        rule_id, category, title, default = rule.id, rule.category, rule.title, rule.severity
        for hit in hits:
            loc = hit.loc
            path, line, resource, function = loc.path, loc.line, hit.resource, hit.function
            found.append(Finding.adopt({
                "rule_id": rule_id,
                "category": category,
                "severity": default if hit.severity is None else hit.severity,
                "title": title,
                "message": hit.message,
                "path": path,
                "line": line,
                "end_line": loc.end_line or line,
                "resource": resource,
                "function": function,
                "remediation": hit.remediation,
                "related": hit.related,
                "fingerprint": finding_fingerprint(rule_id, path, resource, function, hit.key or hit.message, base),
                "key": hit.key,
                "source": source,
                "functions": (),
                "fingerprints": (),
            }))
    return found


_RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    *,
    category: str,
    severity: Severity,
    title: str,
    providers: Iterable[str] | None = None,
    opt_in: bool = False,
    over: str | None = None,
) -> Callable[[RuleFunc], RuleFunc]:
    if category not in CATEGORIES:
        raise ValueError(f"{rule_id}: unknown category {category!r}")

    def register(func: RuleFunc) -> RuleFunc:
        if rule_id in _RULES:
            raise ValueError(f"rule id {rule_id} registered twice")
        if not (func.__doc__ or "").strip():
            raise ValueError(f"{rule_id}: a rule needs a docstring; it is the rule's documentation")
        _RULES[rule_id] = Rule(
            rule_id, category, severity, title, func, frozenset(providers) if providers else None, opt_in, over
        )
        return func

    return register


def all_rules() -> list[Rule]:
    """Every registered rule, in id order. Importing the rule modules registers them."""
    import faasguard.rules  # noqa: F401  (import for its registrations)

    return sorted(_RULES.values(), key=lambda r: r.id)


def get_rule(rule_id: str) -> Rule | None:
    return {r.id: r for r in all_rules()}.get(rule_id.upper())
