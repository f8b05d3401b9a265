"""Evaluate a role's IAM statements the way AWS does, as far as a static reader can.

A role's permissions are its inline statements, separately attached policies (already
joined by the loader) and AWS managed policies (:mod:`faasguard.iam.managed`), cut down
by explicit ``Deny`` statements and by a permissions boundary. ``Action`` and
``NotAction`` are expanded against the IAM database; ``Resource``/``NotResource`` are
matched as ARN globs (``*`` and ``?``) after substituting ``${AWS::…}`` pseudo
parameters and IAM policy variables that are known.

What cannot be decided statically is reported, not guessed: a statement with a
``Condition`` is *conditional* (it grants, but maybe not always); a customer managed
policy or a boundary defined elsewhere makes the role's permissions *incomplete*.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import Any

from faasguard.iam import managed
from faasguard.iam.actions import ActionIndex, action_index
from faasguard.model import Loc, Role, Statement


@dataclass(frozen=True)
class Grant:
    """One statement of a role with its actions expanded to known IAM actions."""

    statement: Statement
    actions: frozenset[str]  # canonical names; for NotAction, everything else
    source: str  # "inline" (template statement) or the managed policy name

    @property
    def effect(self) -> str:
        return self.statement.effect

    @cached_property  # asked again and again by every rule; a frozen dataclass keeps it in its __dict__
    def conditional(self) -> bool:
        return bool(self.statement.conditions)

    @cached_property
    def unconstrained(self) -> bool:
        """Applies to every resource: ``Resource: "*"`` (or a NotResource), with no Condition."""
        return _unconstrained(self.statement)

    @classmethod
    def made(cls, statement: Statement, actions: frozenset[str], source: str) -> Grant:
        """``Grant(statement, actions, source)`` with ``conditional`` and ``unconstrained`` already known (every rule
        asks them of every grant): no frozen dataclass ``__setattr__`` per field, no cached_property on first use."""
        grant = object.__new__(cls)
        grant.__dict__.update(statement=statement, actions=actions, source=source, conditional=bool(statement.conditions),
                              unconstrained=_unconstrained(statement))
        return grant

    def covers(self, action: str, resource: str = "*", resolve: Callable[[str], str] | None = None) -> bool:
        """Does this statement apply to ``action`` on ``resource`` (``*`` = some resource we cannot name)?"""
        if action not in self.actions:
            return False
        return resource_applies(self.statement, resource, resolve)

    def may_cover(self, action: str, resource: str = "*", resolve: Callable[[str], str] | None = None) -> bool:
        """Could this statement apply once the unknown parts of both ARNs (placeholders, ``*``) are known?"""
        if action not in self.actions:
            return False
        return resource_applies(self.statement, resource, resolve, maybe=True)


def _unconstrained(stmt: Statement) -> bool:
    if stmt.conditions:
        return False
    if stmt.not_resources:
        return True
    return any(r.strip() == "*" for r in stmt.resources)


def resource_applies(
    stmt: Statement, resource: str, resolve: Callable[[str], str] | None = None, maybe: bool = False
) -> bool:
    """Does ``stmt`` apply to ``resource``: for sure, or (``maybe``) possibly, once unknowns are known."""
    fix = resolve or (lambda text: text)
    if stmt.not_resources:
        if resource == "*":
            return True
        return not any(arn_matches(fix(p), resource) for p in stmt.not_resources)
    if not stmt.resources:
        return False
    if resource == "*":
        return True
    match = arn_may_match if maybe else arn_matches
    return any(match(fix(p), resource) for p in stmt.resources)


_PSEUDO = re.compile(r"\$\{(AWS::[A-Za-z]+|aws:[A-Za-z]+)\}")


def substitute(text: str, context: dict[str, str] | None = None) -> str:
    """Replace ``${AWS::Region}``-style pseudo parameters and ``${aws:username}`` variables that are known."""
    if "${" not in text:
        return text
    values = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com", **(context or {})}
    return _PSEUDO.sub(lambda m: values.get(m.group(1), m.group(0)), text)


@cache
def _glob(pattern: str) -> re.Pattern[str]:
    parts = []
    for char in pattern:
        parts.append(".*" if char == "*" else "." if char == "?" else re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def arn_matches(pattern: str, arn: str, context: dict[str, str] | None = None) -> bool:
    """IAM resource matching: ``*``/``?`` globs, case-sensitive, pseudo parameters substituted.

    A ``*`` inside ``arn`` (``arn:aws:s3:::bucket/*`` — "some object of bucket") is
    matched literally, so a grant on ``bucket/*`` covers it but one on ``bucket/in/*`` does not.
    """
    pattern, arn = substitute(pattern, context), substitute(arn, context)
    if pattern == "*" or pattern == arn:
        return True
    if "?" not in pattern:
        star = pattern.find("*")
        if star < 0:
            return False  # no wildcard: only the same text matches (no regex to compile)
        if star == len(pattern) - 1:
            return arn.startswith(pattern[:-1])  # one `*`, at the end (`…:table/orders*`, `bucket/*`): a prefix
    return _glob(pattern).fullmatch(arn) is not None


# ``${…}`` placeholders and CloudFormation dynamic references (``{{resolve:ssm:/name}}``): values known
# only at deployment, never literal text.
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\{\{resolve:[^}]*\}\}")
_UNKNOWN = "\x01"  # a placeholder, masked so that its own colons (``${AWS::Region}``) do not split the ARN


def _segment_may_match(pattern: str, arn: str) -> bool:
    if pattern == arn:
        return True
    wild_pattern = pattern.replace(_UNKNOWN, "*")
    wild_arn = arn.replace(_UNKNOWN, "*")
    if _glob(wild_pattern).fullmatch(arn) or _glob(wild_arn).fullmatch(pattern):
        return True
    # Unknowns on both sides of one segment (``${Table}-dev`` against ``orders-${Stage}``): undecidable.
    return (_UNKNOWN in pattern and any(c in arn for c in (_UNKNOWN, "*", "?"))) or (
        _UNKNOWN in arn and any(c in pattern for c in (_UNKNOWN, "*", "?"))
    )


def arn_may_match(pattern: str, arn: str, context: dict[str, str] | None = None) -> bool:
    """Could ``pattern`` cover ``arn`` once their unknown parts are known?

    Unknown parts are ``${…}`` placeholders on either side (a parameter, a region, an unresolved
    variable) and ``*`` in ``arn`` ("some object of the bucket"). A grant on
    ``arn:aws:dynamodb:us-east-1:*:table/todos-dev`` may cover a need on
    ``arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/todos-dev``; one on
    ``bucket/clickstream/*`` may cover the code's ``bucket/*``. :func:`arn_matches` says *for sure*.
    """
    if arn_matches(pattern, arn, context):
        return True
    pattern = _PLACEHOLDER.sub(_UNKNOWN, substitute(pattern, context))
    arn = _PLACEHOLDER.sub(_UNKNOWN, substitute(arn, context))
    p_parts, a_parts = pattern.split(":", 5), arn.split(":", 5)
    if len(p_parts) != len(a_parts):
        return _segment_may_match(pattern, arn)
    return all(_segment_may_match(p, a) for p, a in zip(p_parts, a_parts, strict=True))


def expand_statement(stmt: Statement, index: ActionIndex | None = None) -> frozenset[str]:
    index = index or action_index()
    if index is action_index():
        return _expand_actions(stmt.actions, stmt.not_actions)
    return _expand_with(index, stmt.actions, stmt.not_actions)


@lru_cache(maxsize=4096)  # statements repeat across roles and sources (managed policies, `*`, `s3:GetObject`)
def _expand_actions(actions: tuple[str, ...], not_actions: tuple[str, ...]) -> frozenset[str]:
    """The actions of the shared index a statement's Action (or NotAction) grants; one object per distinct
    statement, so that the caches keyed on action sets find it by identity."""
    return _expand_with(action_index(), actions, not_actions)


def _expand_with(index: ActionIndex, actions: tuple[str, ...], not_actions: tuple[str, ...]) -> frozenset[str]:
    if not_actions:
        return index.expand("*") - index.expand_all(not_actions)
    return index.expand_all(actions)


@dataclass
class Permissions:
    """Everything one role allows, with the statements that allow it."""

    role: Role
    grants: list[Grant] = field(default_factory=list)
    boundary: frozenset[str] | None = None  # actions the permissions boundary allows, when known
    unknown_policies: list[str] = field(default_factory=list)  # customer managed policies, unknown boundary
    resolve: Callable[[str], str] | None = None
    facts: dict[Any, Any] = field(default_factory=dict, repr=False)  # derived once: risk classes, allowed actions, …
    _effective: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)

    @property
    def complete(self) -> bool:
        return not self.unknown_policies and not self.role.external

    def allows(self) -> list[Grant]:
        """The Allow statements (kept: rules ask for them again and again; read them, never change them)."""
        known = self.facts.get("split")
        if known is not None and known[0] == len(self.grants):  # _split()'s answer, without the call
            return known[1]  # type: ignore[no-any-return]
        return self._split()[0]

    def denies(self) -> list[Grant]:
        return self._split()[1]

    def _split(self) -> tuple[list[Grant], list[Grant]]:
        known: tuple[int, list[Grant], list[Grant]] | None = self.facts.get("split")
        if known is None or known[0] != len(self.grants):  # grants are only added while the permissions are built
            known = self.facts["split"] = (
                len(self.grants),
                [g for g in self.grants if g.effect == "Allow"],
                [g for g in self.grants if g.effect == "Deny"],
            )
        return known[1], known[2]

    def _denied(self, action: str, resource: str) -> bool:
        for g in self.denies():
            if g.conditional or action not in g.actions:
                continue
            if resource == "*":
                if g.unconstrained:
                    return True
            elif resource_applies(g.statement, resource, self.resolve):
                return True
        return False

    def _bounded(self, action: str) -> bool:
        return self.boundary is None or action in self.boundary

    def granting(self, action: str, resource: str = "*") -> list[Grant]:
        """The Allow statements that grant ``action`` on ``resource``; empty when denied or out of bounds (kept:
        rules ask the same question for every other principal; read it, never change it)."""
        key = ("granting", action, resource)
        known: list[Grant] | None = self.facts.get(key)
        if known is None:
            known = self.facts[key] = self._granting(action, resource)
        return known

    def _granting(self, action: str, resource: str) -> list[Grant]:
        holding = [g for g in self._split()[0] if action in g.actions]  # most roles grant few actions: asked first
        if not holding or not self._bounded(action) or self._denied(action, resource):
            return []
        return [g for g in holding if resource_applies(g.statement, resource, self.resolve)]

    def is_allowed(self, action: str, resource: str = "*") -> bool:
        return bool(self.granting(action, resource))

    def may_allow(self, action: str, resource: str = "*") -> bool:
        """False only when it is certain that the role does not allow ``action`` on ``resource``.

        Conditional statements count as allowing (the condition may hold), unknown parts of ARNs
        as matching; only an unconditional Deny or the boundary make the answer a certain no.
        """
        if not self._bounded(action) or self._denied(action, resource):
            return False
        return any(g.may_cover(action, resource, self.resolve) for g in self.allows())

    def effective(self, grant: Grant) -> frozenset[str]:
        """The actions of one Allow statement that survive Deny statements and the boundary."""
        cached = self._effective.get(id(grant))
        if cached is not None:
            return cached
        out = grant.actions
        if self.boundary is not None:
            out = out & self.boundary
        for deny in self.denies():
            if deny.unconstrained:
                out = out - deny.actions
        self._effective[id(grant)] = out
        return out

    def allowed_actions(self, unconstrained_only: bool = False) -> frozenset[str]:
        """Every action some Allow grants (net of boundary and unconditional denies); built once per kind
        (rules ask for it again and again, and `*` alone is thousands of actions)."""
        known: frozenset[str] | None = self.facts.get(("allowed", unconstrained_only))
        if known is not None:
            return known
        parts = tuple(self.effective(g) for g in self.allows() if not unconstrained_only or g.unconstrained)
        known = self.facts[("allowed", unconstrained_only)] = _union(parts) if len(parts) > 1 else parts[0] if parts else _NOTHING
        return known


_NOTHING: frozenset[str] = frozenset()


@lru_cache(maxsize=512)  # roles attach the same policies (the same expanded sets, hashed once): one union for all of them
def _union(parts: tuple[frozenset[str], ...]) -> frozenset[str]:
    """The actions of all ``parts``: the largest part itself when it holds the others (the shared expansion of `*`: no
    copy of thousands of actions, and caches keyed on it hit by identity)."""
    largest = max(parts, key=len)
    return largest if all(p is largest or p <= largest for p in parts) else frozenset().union(*parts)


def role_permissions(role: Role, resolve: Callable[[str], str] | None = None) -> Permissions:
    """Inline statements, attached policies, AWS managed policies and the boundary of ``role``."""
    return _role_permissions(role, resolve)


def _role_permissions(role: Role, resolve: Callable[[str], str] | None) -> Permissions:
    index = action_index()
    perms = Permissions(role, resolve=resolve)
    for stmt in role.statements:
        perms.grants.append(Grant.made(stmt, expand_statement(stmt, index), "inline"))
    for policy in role.managed_policies:
        stmts = managed.statements(policy.arn, policy.loc)
        if stmts is None:
            perms.unknown_policies.append(policy.arn)
            continue
        name = managed.policy_name(policy.arn) or policy.arn
        for stmt, actions in zip(stmts, _managed_actions(name), strict=True):
            perms.grants.append(Grant.made(stmt, actions, name))
    if role.permissions_boundary:
        boundary = managed.statements(role.permissions_boundary, role.loc)
        if boundary is None:
            perms.unknown_policies.append(f"permissions boundary {role.permissions_boundary}")
        else:
            perms.boundary = _allowed_by(boundary, index)
    return perms


@lru_cache(maxsize=1024)
def _managed_actions(name: str) -> tuple[frozenset[str], ...]:
    """The actions of each statement of the AWS managed policy ``name`` (the same for every role that attaches it:
    expanded once, without hashing its thousands of action names again for each role)."""
    return tuple(expand_statement(stmt) for stmt in managed.statements(name, Loc("")) or ())


def _allowed_by(stmts: Iterable[Statement], index: ActionIndex) -> frozenset[str]:
    allowed: set[str] = set()
    denied: set[str] = set()
    for stmt in stmts:
        actions = expand_statement(stmt, index)
        if stmt.effect == "Deny":
            if not stmt.conditions and any(r == "*" for r in stmt.resources):
                denied |= actions
        else:
            allowed |= actions
    return frozenset(allowed - denied)
