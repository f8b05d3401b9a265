"""Shortcuts of the IAM evaluation answer exactly what the general code they skip would answer."""

from __future__ import annotations

import fnmatch
import itertools
import re

from faasguard.iam.actions import action_index
from faasguard.iam.evaluate import _glob, arn_matches
from faasguard.iam.risk import _DATA_NOUNS, _DATA_NOUNS_PLURAL, _INFRA_VERBS, _infrastructure_verb


def _verb_by_loop(action: str) -> bool:
    name = action.split(":", 1)[-1]
    if not name.startswith(_INFRA_VERBS):
        return False
    verb = next(v for v in _INFRA_VERBS if name.startswith(v))
    noun = name[len(verb) :]
    return not (noun.startswith(_DATA_NOUNS) or noun.endswith(_DATA_NOUNS) or noun.endswith(_DATA_NOUNS_PLURAL))


def test_the_infrastructure_verb_is_the_first_of_the_list_for_every_action_of_the_database():
    names = [name for name, _, _ in action_index().levels()]
    assert len(names) > 20000
    odd = ["ec2:Create", "x:PutObjects", "x:SetSecret", "x:Resetter", "x:createThing", "RunTask", "s3:Put"]
    assert [n for n in names + odd if _infrastructure_verb(n) != _verb_by_loop(n)] == []
    assert _infrastructure_verb("ec2:CreateVpc") and not _infrastructure_verb("s3:PutObject")


def test_a_pattern_ending_in_one_star_expands_as_the_glob_does():
    index = action_index()
    patterns = ["s3:get*", "s3:*", "s3:getobject*", "lambda:update*", "iam:*policy*", "ec2:describe?*", "s3:g[e]t*",
                "dynamodb:*item", "*:get*", "s3:nothing*", "sts:assume*"]  # fmt: skip
    for pattern in patterns:
        prefix, _, name = pattern.partition(":")
        services = [p for p in index.services() if fnmatch.fnmatchcase(p, prefix)]
        regex = re.compile(fnmatch.translate(name))
        expected = {a for p in services for a in index.expand(f"{p}:*") if regex.match(a.split(":", 1)[1].lower())}
        assert index.expand(pattern) == expected, pattern
    assert "s3:GetObject" in index.expand("S3:Get*") and "s3:PutObject" not in index.expand("s3:get*")


def test_an_arn_pattern_ending_in_one_star_matches_as_the_glob_does():
    patterns = ["arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket*", "*", "arn:aws:dynamodb:*:*:table/orders*",
                "arn:aws:s3:::bucket/in/*", "bucket?/*", "a*b*", "arn:aws:s3:::b.u+c(k)et/*", ""]  # fmt: skip
    arns = ["arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/in/x", "arn:aws:s3:::bucket2/x\ny",
            "arn:aws:dynamodb:us-east-1:1:table/orders-dev", "arn:aws:s3:::b.u+c(k)et/k", "bucketz/q", "ab", "", "*"]  # fmt: skip
    for pattern, arn in itertools.product(patterns, arns):
        glob = pattern == "*" or pattern == arn or (("*" in pattern or "?" in pattern) and bool(_glob(pattern).fullmatch(arn)))
        assert arn_matches(pattern, arn) == glob, (pattern, arn)
    assert arn_matches("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/in/x")
    assert not arn_matches("arn:aws:s3:::bucket/in/*", "arn:aws:s3:::bucket/*")


def test_an_action_allowed_on_every_resource_is_among_the_allowed_actions():
    """FG-IAM-042 asks is_allowed(action, "*") only for actions of allowed_actions(): never a dropped finding, whatever
    the boundary, the Deny statements (NotResource, Condition) or the Allow statements (Condition, NotAction)."""
    from faasguard.iam.evaluate import role_permissions
    from faasguard.model import Loc, Role, Statement
    from faasguard.rules.iam_takeover import PERMISSION_WRITES

    at = Loc("t.yaml", 1)
    allows = [
        Statement("Allow", actions=("iam:*",), resources=("*",)),
        Statement("Allow", actions=("iam:PutRolePolicy",), resources=("arn:aws:iam::1:role/x",)),
        Statement("Allow", not_actions=("s3:*",), resources=("*",), conditions=(("StringEquals", "aws:x", ("y",)),)),
        Statement("Allow", actions=("iam:Attach*",), not_resources=("arn:aws:iam::1:role/admin",)),
    ]
    denies = [
        (),
        (Statement("Deny", actions=("iam:PutRolePolicy",), resources=("*",)),),
        (Statement("Deny", actions=("iam:Attach*",), not_resources=("arn:aws:iam::1:role/x",)),),
        (Statement("Deny", actions=("iam:*",), resources=("*",), conditions=(("Bool", "aws:mfa", ("false",)),)),),
    ]  # fmt: skip
    actions = [a for kind in PERMISSION_WRITES.values() for a in kind]
    checked = 0
    boundaries = [None, "arn:aws:iam::aws:policy/IAMFullAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"]
    for allow, deny, boundary in itertools.product(allows, denies, boundaries):
        perms = role_permissions(Role("R", at, statements=(allow, *deny), permissions_boundary=boundary))
        assert perms.complete
        allowed = perms.allowed_actions()
        for action in actions:
            if perms.is_allowed(action, "*"):
                assert action in allowed, (allow, deny, action)
                checked += 1
    assert checked > 20


def test_a_prefix_pattern_takes_the_run_of_sorted_names_the_plain_filter_takes():
    """actions._expand's `svc:Stem*` case (a run of the service's names sorted by lower case, found by bisection)
    against filtering every name of the service by startswith: every service, every stem of every 7th name."""
    from faasguard.iam import actions

    index = action_index()
    checked = 0
    for prefix in index.services():
        shorts = [short for _, short in actions._short_names(index, prefix)]
        stems = {"", "zzzz", "\U0010ffff", "a\U0010ffff"} | {s[:n] for s in shorts[::7] for n in range(len(s) + 1)}
        for stem in sorted(stems):
            plain = frozenset(a for a, short in actions._short_names(index, prefix) if short.startswith(stem))
            assert actions._expand(index, f"{prefix}:{stem}*") == plain, (prefix, stem)
            checked += bool(plain)
    assert checked > 20000
    assert actions._prefix_end(["a", "b\U0010ffff", "b\U0010ffffx", "c"], "b\U0010ffff", 1) == 3


def test_the_index_from_its_compact_form_is_the_one_the_plain_loop_builds():
    from faasguard.iam import actions

    services = actions._load_json(actions.COMPACT)["services"]
    names: dict[str, str] = {}
    rows: dict[str, list[object]] = {}
    by_service: dict[str, list[str]] = {}
    for prefix, service in services.items():
        listed = []
        for row in service["actions"]:
            name = f"{prefix}:{row[0]}"
            names[name.lower()] = name
            rows[name.lower()] = row
            listed.append(name)
        by_service[prefix] = listed
    index = actions.ActionIndex.from_compact(services)
    assert list(index._names.items()) == list(names.items()) and len(names) > 20000
    assert list(index._rows.items()) == list(rows.items())
    assert index._by_service == by_service


def test_the_levels_are_those_of_the_records():
    from faasguard.iam import actions

    fresh = actions.ActionIndex.from_compact(actions._load_json(actions.COMPACT)["services"])
    used = actions.ActionIndex.from_compact(actions._load_json(actions.COMPACT)["services"])
    used.get("s3:GetObject"), used.get("ec2:RunInstances")  # records made: the rows are no longer all there
    plain = [(i.name, i.access_level, bool(i.resource_types)) for i in (fresh.get(n) for n in fresh._names.values())]
    assert fresh.levels() == plain and used.levels() == plain


def test_the_tables_of_whole_database_classes_are_what_the_plain_filters_give():
    from faasguard.iam import actions, risk, takeover

    levels = action_index().levels()
    infrastructure = {
        name for name, level, typed in levels
        if level == actions.WRITE and typed and _infrastructure_verb(name) and name.lower() not in risk.RUNTIME_BASELINE
    }  # fmt: skip
    changing = {name for name, level, _ in levels if level in (actions.WRITE, actions.PERMISSIONS)}
    assert risk._infrastructure_names() == infrastructure and len(infrastructure) > 3000
    assert takeover._changing_actions() == changing
    odd = ["ec2:Create", "x:PutObjects", "x:SetSecret", "x:Resetter", "x:createThing", "RunTask", "s3:Put", "a:b:CreateX",
           "x:PutItemThing", "x:CreateThingItem", "x:CreateThingItems", "x:Create\nThing", "x:Tagger", "x:UntagObject"]
    assert [n for n in odd if bool(risk._INFRA_START.match(n) and not risk._ENDS_WITH_DATA(n)) != _verb_by_loop(n)] == []


def test_the_short_names_are_the_names_after_the_service_lower_cased():
    from faasguard.iam import actions

    index = action_index()
    for prefix in [*index.services(), "nosuchservice"]:
        plain = tuple((a, a.split(":", 1)[1].lower()) for a in index._by_service.get(prefix, []))
        assert actions._short_names(index, prefix) == plain, prefix


def test_an_application_needs_iam_when_the_plain_test_says_so():
    from dataclasses import replace

    from faasguard.iam.analyzer import _needs_iam
    from faasguard.model import Application, Function, Loc, Role

    def plain(app: Application) -> bool:
        return any(fn.provider == "aws" for fn in app.functions) or any(not role.grants for role in app.roles.values())

    loc = Loc("t.yaml", 1)
    aws, azure = Function("a", loc, provider="aws"), Function("z", loc, provider="azure")
    iam_role, azure_role = Role("R", loc), Role("A", loc, grants=(("reader", "scope"),))
    base = Application("t.yaml", "cloudformation")
    cases = [replace(base, functions=f, roles=r) for f in ([], [azure], [aws], [azure, aws])
             for r in ({}, {"A": azure_role}, {"R": iam_role}, {"A": azure_role, "R": iam_role})]
    assert [_needs_iam(app) for app in cases] == [plain(app) for app in cases]
    assert {_needs_iam(app) for app in cases} == {True, False}
