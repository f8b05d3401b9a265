"""IAM in Terraform: policies → normalised :class:`~faasguard.model.Statement` objects, and every principal.

:class:`PrincipalBuilder` reads every role, user and group of a module (``aws_iam_role``,
``aws_iam_user``, ``aws_iam_group``) with their inline and attached policies and boundaries,
whether or not a function uses them: a shared ``iam.tf`` is checked on its own.

A Terraform policy comes in four shapes, all read here: ``jsonencode({...})``, a heredoc
or ``file()`` with JSON, a ``data "aws_iam_policy_document"`` (its ``.json`` referenced
from the policy), and the ``policy_statements`` map of the terraform-aws-modules/lambda
module. Statements from a data document carry the line of their ``statement`` block;
statements inside JSON carry the line of their ``Effect`` key, found by a search in the
block that holds the policy (the JSON itself has no lines).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from faasguard.iam.managed import policy_name as managed_policy_name
from faasguard.loaders.intrinsics import as_list
from faasguard.loaders.terraform.module import Block, Module
from faasguard.loaders.terraform.refs import display_text
from faasguard.model import Loc, ManagedPolicy, Role, Statement

_EFFECT = re.compile(r"""["']?Effect["']?\s*[=:]""")
_MAX_NESTING = 8


class PolicyReader:
    def __init__(self, module: Module):
        self.module = module
        self.scope = module.scope

    def statements(self, raw: Any, owner: Block, attr: str, policy: str, nesting: int = 0) -> tuple[Statement, ...]:
        """Statements of the policy in attribute ``attr`` of ``owner`` (any of the four shapes)."""
        if nesting > _MAX_NESTING or raw is None:
            return ()
        address = self.module.target(raw)
        if address and address.startswith("data.aws_iam_policy_document."):
            block = self.module.data.get(address)
            return self.document_statements(block, policy, nesting + 1) if block else ()
        if address and address.startswith("aws_iam_policy."):
            block = self.module.resources.get(address)
            return self.statements(block.get("policy"), block, "policy", policy, nesting + 1) if block else ()
        value = self.scope.value(raw)
        if isinstance(value, str):
            # A heredoc or file() with JSON; ``${…}`` left inside its strings (an ARN) keeps it valid JSON.
            try:
                value = json.loads(str(value))
            except ValueError:
                return ()
        if not isinstance(value, Mapping):
            return ()
        attr_line = owner.attr_line(attr) if attr else None
        return self.json_statements(value, owner, policy, attr_line)

    def json_statements(
        self, document: Mapping[str, Any], owner: Block, policy: str, attr_line: int | None
    ) -> tuple[Statement, ...]:
        raw = document.get("Statement")
        items = raw if isinstance(raw, list) else [raw] if isinstance(raw, Mapping) else []
        effect_lines = owner.find_lines(_EFFECT, attr_line) if attr_line else []
        out = []
        for index, item in enumerate(i for i in items if isinstance(i, Mapping)):
            line = effect_lines[index] if index < len(effect_lines) else attr_line
            loc = Loc(owner.path, line, line) if line else owner.loc()
            out.append(
                Statement(
                    effect=display_text(item.get("Effect")) or "Allow",
                    actions=_texts(item.get("Action")),
                    not_actions=_texts(item.get("NotAction")),
                    resources=_texts(item.get("Resource")),
                    not_resources=_texts(item.get("NotResource")),
                    principals=_json_principals(item.get("Principal")),
                    conditions=_json_conditions(item.get("Condition")),
                    sid=item["Sid"] if isinstance(item.get("Sid"), str) and item["Sid"] else None,
                    policy=policy,
                    loc=loc,
                )
            )
        return tuple(out)

    def document_statements(self, block: Block, policy: str, nesting: int = 0) -> tuple[Statement, ...]:
        """A ``data "aws_iam_policy_document"``, including its source/override documents."""
        out: list[Statement] = []
        for key in ("source_policy_documents", "source_json"):
            for ref in as_list(block.get(key)):
                out.extend(self.statements(ref, block, key, policy, nesting + 1))
        for stmt in block.blocks("statement"):
            out.append(self.document_statement(stmt, policy))
        for key in ("override_policy_documents", "override_json"):
            for ref in as_list(block.get(key)):
                out.extend(self.statements(ref, block, key, policy, nesting + 1))
        return tuple(out)

    def document_statement(self, stmt: Block, policy: str) -> Statement:
        s = self.scope
        principals: list[str] = []
        for key, negated in (("principals", False), ("not_principals", True)):
            if negated:
                continue  # NotPrincipal is not modelled; leaving it out never invents access
            for p in stmt.blocks(key):
                kind = s.text(p.get("type"))
                for who in s.texts(p.get("identifiers")):
                    principals.append("*" if who == "*" and kind in ("AWS", "*") else f"{kind}:{who}")
        conditions = []
        for c in stmt.blocks("condition"):
            conditions.append((s.text(c.get("test")), s.text(c.get("variable")), tuple(s.texts(c.get("values")))))
        sid = s.scalar(stmt.get("sid"))
        return Statement(
            effect=str(s.scalar(stmt.get("effect")) or "Allow"),
            actions=tuple(s.texts(stmt.get("actions"))),
            not_actions=tuple(s.texts(stmt.get("not_actions"))),
            resources=tuple(s.texts(stmt.get("resources"))),
            not_resources=tuple(s.texts(stmt.get("not_resources"))),
            principals=tuple(principals),
            conditions=tuple(conditions),
            sid=str(sid) if sid else None,
            policy=policy,
            loc=Loc(stmt.path, stmt.start, stmt.end),
        )

    def module_statements(self, raw: Any, owner: Block, attr: str, policy: str) -> tuple[Statement, ...]:
        """terraform-aws-modules/lambda ``policy_statements``: a map (or list) of statement objects."""
        value = self.scope.value(raw)
        items: list[tuple[str | None, Any]] = []
        if isinstance(value, Mapping):
            items = [(str(k), v) for k, v in value.items()]
        elif isinstance(value, list):
            items = [(None, v) for v in value]
        attr_line = owner.attr_line(attr)
        out = []
        for key, item in items:
            if not isinstance(item, Mapping):
                continue
            loc = owner.key_loc(key, attr_line) if key and attr_line else owner.attr_loc(attr)
            principals = []
            for p in as_list(item.get("principals")):
                if isinstance(p, Mapping):
                    kind = display_text(p.get("type"))
                    for who in _texts(p.get("identifiers")):
                        principals.append("*" if who == "*" and kind in ("AWS", "*") else f"{kind}:{who}")
            conditions = []
            for c in as_list(item.get("condition")):
                if isinstance(c, Mapping):
                    conditions.append((display_text(c.get("test")), display_text(c.get("variable")), _texts(c.get("values"))))
            out.append(
                Statement(
                    effect=display_text(item.get("effect")) or "Allow",
                    actions=_texts(item.get("actions")),
                    not_actions=_texts(item.get("not_actions")),
                    resources=_texts(item.get("resources")),
                    not_resources=_texts(item.get("not_resources")),
                    principals=tuple(principals),
                    conditions=tuple(conditions),
                    sid=key or (display_text(item.get("sid")) or None),
                    policy=policy,
                    loc=loc,
                )
            )
        return tuple(out)


UNREADABLE = "unreadable policy "  # a ManagedPolicy "arn" for a policy that is there but could not be read

# kind → (resource type, inline policy type, policy attachment type, its principal attribute, aws_iam_policy_attachment key)
_PRINCIPALS = {
    "role": ("aws_iam_role", "aws_iam_role_policy", "aws_iam_role_policy_attachment", "role", "roles"),
    "user": ("aws_iam_user", "aws_iam_user_policy", "aws_iam_user_policy_attachment", "user", "users"),
    "group": ("aws_iam_group", "aws_iam_group_policy", "aws_iam_group_policy_attachment", "group", "groups"),
}


class PrincipalBuilder:
    """Every IAM role, user and group of one module, with all the policies that attach to them."""

    def __init__(self, module: Module, policies: PolicyReader):
        self.m = module
        self.s = module.scope
        self.policies = policies

    def build(self) -> dict[str, Role]:
        out: dict[str, Role] = {}
        for kind, (rtype, *_rest) in _PRINCIPALS.items():
            for block in self.m.of_type(rtype):
                out[block.address] = self.principal(block, kind)
        self.attach(out)
        return out

    def read(self, raw: Any, owner: Block, attr: str, policy: str, managed: list[ManagedPolicy]) -> tuple[Statement, ...]:
        """The policy's statements; a policy that is there but cannot be read makes its holder's permissions unknown."""
        stmts = self.policies.statements(raw, owner, attr, policy)
        if not stmts and raw is not None:
            managed.append(ManagedPolicy(f"{UNREADABLE}{policy}", owner.attr_loc(attr)))
        return stmts

    def principal(self, block: Block, kind: str) -> Role:
        statements: list[Statement] = []
        managed: list[ManagedPolicy] = []
        for inline in block.blocks("inline_policy"):
            name = self.s.scalar(inline.get("name")) or block.address
            statements.extend(self.read(inline.get("policy"), inline, "policy", str(name), managed))
        arns = block.get("managed_policy_arns")
        arn_line = block.attr_line("managed_policy_arns")
        for arn in arns if isinstance(arns, list) else []:
            address = self.m.target(arn)
            if address and address.startswith("aws_iam_policy."):
                policy = self.m.resources.get(address)
                if policy:
                    statements.extend(self.read(policy.get("policy"), policy, "policy", address, managed))
                continue
            managed.append(ManagedPolicy(self.s.text(arn), Loc(block.path, arn_line, arn_line) if arn_line else block.loc()))
        trust: tuple[Statement, ...] = ()
        if kind == "role":
            trust = self.policies.statements(block.get("assume_role_policy"), block, "assume_role_policy", "trust")
        return Role(
            id=block.address,
            loc=block.loc(),
            statements=tuple(statements),
            managed_policies=tuple(managed),
            trust=trust,
            permissions_boundary=self.s.text(block.get("permissions_boundary")) or None,
            kind=kind,
        )

    def named(self, raw: Any, kind: str) -> str | None:
        """The principal a ``role``/``user``/``group`` value names: by reference, or by its literal name."""
        rtype = _PRINCIPALS[kind][0]
        address = self.m.target(raw)
        if address and address.startswith(rtype + "."):
            return address
        name = self.s.scalar(raw)
        if isinstance(name, str):
            for block in self.m.of_type(rtype):
                if self.s.scalar(block.get("name")) == name:
                    return block.address
        return None

    def attach(self, principals: dict[str, Role]) -> None:
        """Inline policies (``aws_iam_*_policy``) and attachments (``aws_iam_*_policy_attachment``,
        ``aws_iam_policy_attachment``) add to roles, users and groups."""
        extra: dict[str, list[Statement]] = {}
        managed: dict[str, list[ManagedPolicy]] = {}
        for kind, (_, inline_type, attach_type, attr, _plural) in _PRINCIPALS.items():
            for block in self.m.of_type(inline_type):
                holder = self.named(block.get(attr), kind)
                if holder:
                    name = self.s.scalar(block.get("name")) or block.address
                    stmts = self.read(block.get("policy"), block, "policy", str(name), managed.setdefault(holder, []))
                    extra.setdefault(holder, []).extend(stmts)
            for block in self.m.of_type(attach_type):
                holder = self.named(block.get(attr), kind)
                if holder:
                    self._attach_one(block, [holder], extra, managed)
        for block in self.m.of_type("aws_iam_policy_attachment"):
            holders = []
            for kind, (*_, plural) in _PRINCIPALS.items():
                raw = block.get(plural)
                holders += [h for h in (self.named(v, kind) for v in (raw if isinstance(raw, list) else [raw])) if h]
            self._attach_one(block, holders, extra, managed)
        for holder_id in sorted(set(extra) | set(managed)):
            existing = principals.get(holder_id)
            if existing is not None:
                principals[holder_id] = replace(
                    existing,
                    statements=existing.statements + tuple(extra.get(holder_id, ())),
                    managed_policies=existing.managed_policies + tuple(managed.get(holder_id, ())),
                )

    def _attach_one(
        self, block: Block, holders: list[str], extra: dict[str, list[Statement]], managed: dict[str, list[ManagedPolicy]]
    ) -> None:
        arn = block.get("policy_arn")
        address = self.m.target(arn)
        policy = self.m.resources.get(address or "")
        looked = self.m.data.get(address or "")
        if looked is not None and looked.kind == "aws_iam_policy":
            # data "aws_iam_policy" looks a policy up by name or ARN: an AWS managed one is known offline.
            looked_up = self.s.scalar(looked.get("arn")) or self.s.scalar(looked.get("name"))
            if isinstance(looked_up, str) and managed_policy_name(looked_up) is not None:
                for holder in holders:
                    managed.setdefault(holder, []).append(ManagedPolicy(looked_up, block.attr_loc("policy_arn")))
                return
        for holder in holders:
            if policy is not None and policy.kind == "aws_iam_policy":
                stmts = self.read(policy.get("policy"), policy, "policy", policy.address, managed.setdefault(holder, []))
                extra.setdefault(holder, []).extend(stmts)
            else:
                managed.setdefault(holder, []).append(ManagedPolicy(self.s.text(arn), block.attr_loc("policy_arn")))


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(display_text(v) for v in as_list(value) if v is not None)


def _json_principals(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Mapping):
        out = []
        for kind, who in value.items():
            for one in as_list(who):
                text = display_text(one)
                out.append("*" if text == "*" and kind == "AWS" else f"{kind}:{text}")
        return tuple(out)
    return (display_text(value),)


def _json_conditions(value: Any) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    if not isinstance(value, Mapping):
        return ()
    out = []
    for operator, body in value.items():
        if isinstance(body, Mapping):
            for key, vals in body.items():
                out.append((str(operator), str(key), _texts(vals)))
    return tuple(out)
