"""Who can take over a function: principals that can change its code or run a role of their choice.

Attackers rarely inject into a function; they update it. This module answers, from the IAM
analysis of one application (:class:`~faasguard.iam.least_privilege.AppIam`):

* how powerful a role is (:func:`power`): administrator, privilege escalation, another risk
  class, or limited;
* whether a principal can, for sure, do an action on a resource (:func:`can`): an Allow without
  a Condition that covers the resource, not cut by a Deny or the boundary;
* whether a statement names a principal of the source (``!GetAtt DeployRole.Arn``,
  ``aws_iam_role.deploy.arn``) or every role (:func:`names_principal`).

Only certain answers count: a statement with a Condition, or an ARN that only *may* match,
never makes a takeover claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import compress
from operator import itemgetter, methodcaller

from faasguard.iam import quick_init
from faasguard.iam.actions import PERMISSIONS, WRITE, action_index
from faasguard.iam.evaluate import Grant, Permissions
from faasguard.iam.risk import risks
from faasguard.model import Application, Role

# A principal allowed this many write or permissions-management actions on every resource is effectively
# administrator (ReadOnlyAccess, with thousands of reads, is not).
ADMIN_ACTIONS = 5000
ADMIN_POLICIES = frozenset({"AdministratorAccess", "IAMFullAccess"})
_RISK_WORDS = {
    "data-exfiltration": "reading data on every resource",
    "credentials-exposure": "obtaining credentials",
    "resource-exposure": "changing resource policies",
    "infrastructure-modification": "changing infrastructure",
}


@quick_init
@dataclass(frozen=True)
class Power:
    level: int  # 3 administrator, 2 privilege escalation, 1 another risk class, 0 limited
    words: str

    def __str__(self) -> str:
        return self.words


def power(perms: Permissions | None) -> Power:
    """How much a principal holding these permissions can do (kept on ``perms``: rules ask for every pair of roles)."""
    if perms is None:
        return Power(0, "unknown permissions")
    known: Power | None = perms.facts.get("power")
    if known is None:
        known = perms.facts["power"] = _power(perms)
    return known


def _power(perms: Permissions) -> Power:
    everywhere = perms.allowed_actions(unconstrained_only=True)
    if any(g.source in ADMIN_POLICIES for g in perms.allows()) or (
        len(everywhere) >= ADMIN_ACTIONS and _changing(everywhere) >= ADMIN_ACTIONS  # fewer cannot hold as many writes
    ):
        return Power(3, "administrator access")
    kinds = {r.kind for r in risks(perms)}
    if "privilege-escalation" in kinds:
        return Power(2, "privilege escalation")
    named = [_RISK_WORDS[k] for k in sorted(kinds) if k in _RISK_WORDS]
    if named:
        return Power(1, ", ".join(named))
    return Power(0, "limited permissions")


@lru_cache(maxsize=64)  # `*` is one set of 20k actions shared by every role that grants it: counted once
def _changing(actions: frozenset[str]) -> int:
    """How many of ``actions`` (the index's own names) write or manage permissions."""
    return len(actions & _changing_actions())


@cache
def _changing_actions() -> frozenset[str]:
    levels = action_index().levels()
    return frozenset(compress(map(itemgetter(0), levels), map(_CHANGING.__contains__, map(itemgetter(1), levels))))


_CHANGING = frozenset({WRITE, PERMISSIONS})


def can(perms: Permissions, action: str, resource: str = "*") -> Grant | None:
    """The unconditional Allow statement that surely lets ``perms`` do ``action`` on ``resource``."""
    for grant in perms.granting(action, resource):
        if not grant.conditional:
            return grant
    return None


def names_principal(app: Application, grant: Grant, target: Role) -> bool:
    """Does the statement surely apply to ``target``: it names it, or it applies to every role/user?"""
    stmt = grant.statement
    if stmt.conditions or stmt.not_resources:
        return False
    for resource in stmt.resources:
        if target.id in app.referenced_ids(resource):
            return True
        if resource.strip() == "*" or resource.strip() in _EVERY[target.kind]:
            return True
    return False


_EVERY = {
    "role": ("arn:aws:iam::*:role/*", "arn:aws:iam::${AWS::AccountId}:role/*"),
    "user": ("arn:aws:iam::*:user/*", "arn:aws:iam::${AWS::AccountId}:user/*"),
    "group": ("arn:aws:iam::*:group/*", "arn:aws:iam::${AWS::AccountId}:group/*"),
}


def lambda_trusted(role: Role) -> bool:
    """The role's trust policy lets Lambda assume it: functions can run with it."""
    return role.kind == "role" and any(
        stmt.allows and any(map(_NAMES_LAMBDA, stmt.principals)) for stmt in role.trust
    )


_NAMES_LAMBDA = methodcaller("endswith", "lambda.amazonaws.com")


def acting(perms: Permissions, action: str, app: Application, target: Role) -> Grant | None:
    """An unconditional Allow of ``action`` that surely names ``target`` (not cut by a Deny on every resource)."""
    if not perms.is_allowed(action, "*"):
        return None
    for grant in perms.allows():
        if action in perms.effective(grant) and not grant.conditional and names_principal(app, grant, target):
            return grant
    return None


def outranks(target: Power, holder: Power) -> bool:
    """Becoming ``target`` is an escalation for ``holder``: it is at least privilege escalation, and more."""
    return target.level >= 2 and target.level > holder.level


# Actions an escalation method aims at one principal (the role passed or assumed, the user or group written).
PRINCIPAL_ACTIONS = {
    "iam:passrole": "role", "sts:assumerole": "role", "iam:attachrolepolicy": "role", "iam:putrolepolicy": "role",
    "iam:updateassumerolepolicy": "role", "iam:attachuserpolicy": "user", "iam:putuserpolicy": "user",
    "iam:createaccesskey": "user", "iam:deleteaccesskey": "user", "iam:createloginprofile": "user",
    "iam:updateloginprofile": "user", "iam:attachgrouppolicy": "group", "iam:putgrouppolicy": "group",
    "iam:addusertogroup": "group",
}  # fmt: skip
# The service a role is passed to, by the prefix of the method's other actions, when it is not ``<prefix>.amazonaws.com``.
_PASSED_TO = {"ecs": "ecs-tasks.amazonaws.com", "apprunner": "tasks.apprunner.amazonaws.com"}


def service_trusted(role: Role, prefix: str) -> bool:
    """The role's trust policy surely lets the service of ``prefix`` (cloudformation, ec2 …) assume it."""
    wanted = _PASSED_TO.get(prefix, f"{prefix}.amazonaws.com")
    return role.kind == "role" and any(
        stmt.allows and not stmt.conditions and any(p.strip().split(":", 1)[-1] == wanted for p in stmt.principals)
        for stmt in role.trust
    )


def trusts_principal(app: Application, role: Role, holder: Role) -> bool:
    """The role's trust policy names ``holder`` unconditionally (``!GetAtt HolderRole.Arn``, ``aws_iam_role.holder.arn``)."""
    return role.kind == "role" and any(
        stmt.allows and not stmt.conditions and any(holder.id in app.referenced_ids(p) for p in stmt.principals)
        for stmt in role.trust
    )
