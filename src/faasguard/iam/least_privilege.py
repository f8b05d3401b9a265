"""The least-privilege policy each function really needs, from the SDK calls in its code.

For every function this joins three things: the SDK-call facts of the code analysis
(``Application.code[name].sdk_calls``), the SDK→IAM map (:mod:`faasguard.iam.sdk_map`),
and the template (environment variables that name a table or bucket through
``!Ref``, triggers and settings that make Lambda itself use the role: queue polling,
dead-letter targets, tracing, VPC networking, logs). The result is a list of *needs*
(action, resource ARN, why) and the policy statements that grant exactly those.

The analysis is honest about what it cannot see: a function whose code was not found,
that builds a client or operation name at run time, or calls an operation the map does
not know is marked *incomplete*, and no rule may call its permissions unused.

Resource ARNs are written in the template's own text form so they compare with the
role's statements: ``arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Orders}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from faasguard.iam import platform, quick_init
from faasguard.iam.actions import action_index
from faasguard.iam.evaluate import Grant, Permissions, role_permissions
from faasguard.iam.sdk_map import sdk_map
from faasguard.model import Application, Function, Loc

REGION, ACCOUNT = "${AWS::Region}", "${AWS::AccountId}"

# The resource type an action of these services is usually called on, in order of preference.
_PREFERRED_TYPES = {
    "s3": ("object", "bucket"),
    "dynamodb": ("table", "index"),
    "lambda": ("function",),
    "sqs": ("queue",),
    "sns": ("topic",),
    "secretsmanager": ("Secret",),
    "ssm": ("parameter",),
    "states": ("stateMachine", "execution"),
    "kinesis": ("stream",),
    "events": ("event-bus",),
    "firehose": ("deliverystream",),
    "kms": ("key",),
}
_TEMPLATE_VAR = re.compile(r"\$\{([A-Za-z]+)\}")
# ``${<id>.<attribute>}`` where the id may be a logical id, a Terraform address or a CDK construct path.
_LOGICAL_ATTR = re.compile(r"\$\{([^}]+)\.([A-Za-z_]+)\}")
# Terraform's attribute names for what CloudFormation calls Arn, StreamArn …
_ATTRIBUTES = {"Arn": "Arn", "arn": "Arn", "StreamArn": "StreamArn", "stream_arn": "StreamArn", "TopicArn": "TopicArn",
               "QueueName": "QueueName", "name": "QueueName"}


@quick_init
@dataclass(frozen=True)
class Need:
    """One IAM action on one resource that the function needs."""

    action: str
    resource: str  # an ARN in template text form, or "*" when the code does not say which
    why: str  # "s3.GetObject" or "SQS trigger JobsQueue"
    loc: Loc | None = None
    platform: bool = False  # used by Lambda on the function's behalf, not by the code
    optional: bool = False  # needed only in a case the code does not show (a Query that may name an index)
    unresolved: bool = False  # the code's resource is not known (dynamic, unresolved variable): no claim on it
    # AWS may also check it when the call runs, depending on the request (the action's dependent actions): never
    # called unused, kept by a replacement where the statement grants it, left out of the derived policy
    dependent: bool = False


@quick_init
@dataclass(frozen=True)
class PolicyStatement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def document(self) -> dict[str, Any]:
        return {
            "Sid": self.sid,
            "Effect": "Allow",
            "Action": list(self.actions) if len(self.actions) > 1 else self.actions[0],
            "Resource": list(self.resources) if len(self.resources) > 1 else self.resources[0],
        }


@quick_init
@dataclass(frozen=True)
class FunctionPolicy:
    function: str
    role: str | None
    needs: tuple[Need, ...]
    statements: tuple[PolicyStatement, ...]
    complete: bool
    gaps: tuple[str, ...] = ()  # why the policy may be incomplete, one sentence each
    gap_kinds: tuple[str, ...] = ()  # per gap: code (not found) | dynamic (client/operation name) | mapping (unknown call)

    def document(self) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": [s.document() for s in self.statements]}

    @property
    def actions(self) -> frozenset[str]:
        return frozenset(n.action for n in self.needs)

    @property
    def may_also_need(self) -> tuple[str, ...]:
        """The calls' dependent actions, left out of ``statements``: ``s3:GetObject (textract.DetectDocumentText)``."""
        seen: dict[str, list[str]] = {}
        for need in self.needs:
            if need.dependent:
                seen.setdefault(need.action, []).append(need.why.split(" (may check", 1)[0])
        return tuple(f"{action} ({', '.join(sorted(set(whys)))})" for action, whys in sorted(seen.items()))


@dataclass
class AppIam:
    """Everything the IAM rules share for one application, computed once."""

    app: Application
    policies: dict[str, FunctionPolicy] = field(default_factory=dict)
    permissions: dict[str, Permissions] = field(default_factory=dict)  # by role id (users and groups too)
    resources: Resources | None = None  # the application's resource ARNs, as the analysis read them

    @property
    def arns(self) -> Resources:
        """The application's resource ARNs (the analysis's own, with what it resolved)."""
        if self.resources is None:
            self.resources = Resources(self.app)
        return self.resources


# -- resources --------------------------------------------------------------------------


class Resources:
    """Canonical ARNs for the template's own resources, so needs and grants compare."""

    def __init__(self, app: Application):
        self.kinds: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for store in app.data_stores:
            self.kinds[store.id] = store.kind
            if store.name and "${" not in store.name:
                self.names[store.id] = store.name
        for secret in app.secrets:
            self.kinds[secret.id] = "secretsmanager"
        for fn in app.functions:
            self.kinds[fn.name] = "lambda"
        self._resolved: dict[str, str] = {}  # resolve() by text: grants are matched again and again

    def name(self, logical: str) -> str:
        return self.names.get(logical, "${" + logical + "}")

    def arn(self, logical: str) -> str:
        kind = self.kinds.get(logical)
        if kind == "s3":
            return f"arn:aws:s3:::{self.name(logical)}"
        if kind == "dynamodb":
            return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{self.name(logical)}"
        if kind == "lambda":
            return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.name(logical)}"
        if kind == "sqs":  # as SAM's SQS policy templates write it
            return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{self.names.get(logical, '${' + logical + '.QueueName}')}"
        if kind in ("sns", "secretsmanager"):
            return "${" + logical + "}"  # Ref of a topic or secret is its ARN
        return "${" + logical + ".Arn}"

    def resolve(self, text: str) -> str:
        """A granted resource pattern in canonical form (``${Orders.Arn}`` → the table's ARN)."""
        known = self._resolved.get(text)
        if known is None:
            known = self._resolved[text] = self._resolve(text)
        return known

    def _resolve(self, text: str) -> str:

        def attr(match: re.Match[str]) -> str:
            logical, which = match.group(1), _ATTRIBUTES.get(match.group(2))
            if logical not in self.kinds or which is None:
                return match.group(0)
            if which == "StreamArn":
                return self.arn(logical) + "/stream/*"
            if which == "QueueName":
                return self.names.get(logical, match.group(0))
            if which == "TopicArn":
                return "${" + logical + "}"
            return self.arn(logical)

        out = _LOGICAL_ATTR.sub(attr, text)
        for logical, name in self.names.items():
            out = out.replace("${" + logical + "}", name)
        return out


def _target(app: Application, fn: Function, call: Any, res: Resources) -> tuple[str, str] | None:
    """(``"arn"`` or ``"name"``, value) for what the call touches, when the code or template says."""
    literal = getattr(call, "resource", None)
    if not literal and getattr(call, "resource_env", None):
        env = next((e for e in fn.environment if e.name == call.resource_env), None)
        if env is None:
            return None
        if env.literal and env.value:
            literal = env.value
        elif getattr(env, "ref", None):
            return "arn", res.arn(str(env.ref))
        else:
            return None
    if not literal:
        return None
    text = str(literal)
    if text.startswith("arn:"):
        return "arn", text
    if text.startswith("https://sqs.") or text.startswith("https://queue."):
        return "name", text.rstrip("/").rsplit("/", 1)[-1]
    return "name", text


def _arn_for(action: str, target: tuple[str, str] | None, key_prefix: str | None = None) -> list[str]:
    info = action_index().get(action)
    if target is None or info is None or not info.resource_types:
        return ["*"]
    prefix = info.service
    kind, value = target
    preferred = _PREFERRED_TYPES.get(prefix, ())
    rtype = next((t for t in preferred if t in info.resource_types), info.resource_types[0])
    objects = key_prefix + "*" if key_prefix else "*"  # f"clickstream/{day}.json" → bucket/clickstream/*
    if kind == "arn":
        if prefix == "s3" and rtype == "object" and "/" not in value.split(":::", 1)[-1]:
            return [value + "/" + objects]
        base = [value]
    else:
        template = action_index().arn_format(prefix, rtype)
        if not template:
            return ["*"]
        base = [_fill(template, value, prefix)]
        if prefix == "s3" and rtype == "object" and base[0].endswith("/*"):
            base = [base[0][:-1] + objects]
    return base


def _has_resource_types(action: str) -> bool:
    info = action_index().get(action)
    return bool(info and info.resource_types)


def _index_need(action: str, table_arn: str, call: Any) -> tuple[str, bool] | None:
    """A Query or Scan on a table may read one of its indexes: (index ARN, optional).

    The need is certain when the call names an ``IndexName`` (the code fact ``index_name``),
    absent when the code fact says it names none, and *optional* when the code analysis does
    not say: then no rule may claim the call fails without it, and a suggested policy keeps it
    only where the granted one has it.
    """
    if action not in ("dynamodb:Query", "dynamodb:Scan") or table_arn == "*":
        return None
    name = getattr(call, "index_name", None)
    if name is None:  # the request is not known whole: maybe an index
        return table_arn + "/index/*", True
    if name == "":  # the request names no index: the table alone
        return None
    return table_arn + "/index/" + (str(name) if name != "*" and "${" not in str(name) else "*"), False


def _fill(template: str, name: str, prefix: str) -> str:
    filled = template.replace("${Partition}", "aws").replace("${Region}", REGION).replace("${Account}", ACCOUNT)
    first = [True]

    def var(match: re.Match[str]) -> str:
        if first[0]:
            first[0] = False
            value = name.lstrip("/") if prefix == "ssm" else name
            return value + "-??????" if prefix == "secretsmanager" and "${" not in name else value
        return "*"

    return _TEMPLATE_VAR.sub(var, filled)


# -- needs ------------------------------------------------------------------------------


def _platform_needs(app: Application, fn: Function, res: Resources) -> list[Need]:
    """What Lambda does with the function's role (``data/platform_permissions.toml``)."""
    out: list[Need] = []
    for row, target in platform.rows_for(fn, res.kinds):
        if row.kind == "always":
            out += _always_needs(row)
            continue
        if row.resource == "logs":
            arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/*"
        elif row.resource == "target" and target:
            logical = target if target in res.kinds else _logical_in(target, res)
            if logical:
                arn = res.arn(logical)
                if row.id == "esm-dynamodb":
                    arn += "/stream/*"
            else:
                arn = target if target.startswith("arn:") and "${" not in target else "*"
        else:
            arn = "*"
        where = fn.tracing_loc if row.kind == "tracing" else fn.vpc.loc if row.kind == "vpc" and fn.vpc else fn.loc
        for action in row.actions:
            out.append(Need(action, arn, f"{row.why} ({row.id})", where if row.kind != "always" else None, True))
    return out


@cache
def _always_needs(row: platform.PlatformRow) -> tuple[Need, ...]:
    """The needs of a row every function has: the same for all of them (no target, no place)."""
    arn = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/*" if row.resource == "logs" else "*"
    return tuple(Need(action, arn, f"{row.why} ({row.id})", None, True) for action in row.actions)


def _logical_in(text: str, res: Resources) -> str | None:
    """The template resource a whole-value reference names: ``${Orders}``, ``${Orders.Arn}``,
    ``${aws_dynamodb_table.orders.arn}``, ``${Stack/Orders.Arn}``."""
    match = re.fullmatch(r"\$\{([^}]+)\}", text.strip())
    candidate = match.group(1) if match else ""
    while candidate:
        if candidate in res.kinds:
            return candidate
        candidate = candidate.rpartition(".")[0]
    return None


def derive(app: Application, fn: Function, res: Resources | None = None) -> FunctionPolicy:
    """The policy ``fn``'s code and configuration need."""
    res = res or Resources(app)
    facts = app.code.get(fn.name)
    needs: list[Need] = []
    gaps: dict[str, str] = {}  # why the policy may be incomplete → the kind of cause (code, dynamic, mapping)
    if facts is None:
        gaps[f"the code of {fn.name} was not analysed (no source found), so its SDK calls are unknown"] = "code"
    else:
        if not getattr(facts, "resolved", True):
            gaps[f"the handler file of {fn.name} could not be found"] = "code"
        for loc in getattr(facts, "dynamic_sdk", ()):
            gaps[f"{loc}: the client or operation name is computed at run time"] = "dynamic"
        for loc in getattr(facts, "signed_outside_sdk", ()):
            gaps[f"{loc}: the role signs a request outside a recorded SDK call (a pre-signed URL or SigV4 signing)"] = "dynamic"
        for use in getattr(facts, "aws_libraries", ()):
            gaps[f"{use.loc}: imports {use.name}, which calls AWS itself ({use.calls}); those calls are not followed"] = "library"
        mapper = sdk_map()
        for call in getattr(facts, "sdk_calls", ()):
            if getattr(call, "explicit_credentials", False):
                continue  # a client built with other credentials (keys, an assumed role) does not use the function's role
            mapping = mapper.actions(call.service, call.operation, getattr(call, "via", "client"))
            where = f"{mapping.service}.{mapping.operation}"
            if not mapping.known:
                gaps[f"{call.loc}: no IAM mapping known for {call.service}.{call.operation}"] = "mapping"
                continue
            target = _target(app, fn, call, res)
            for action in mapping.actions:
                action = action_index().canonical(action)
                for arn in _arn_for(action, target, getattr(call, "key_prefix", None)):
                    unresolved = arn == "*" and target is None and _has_resource_types(action)
                    needs.append(Need(action, arn, where, call.loc, unresolved=unresolved))
                    index = _index_need(action, arn, call)
                    if index is not None:
                        needs.append(Need(action, index[0], where, call.loc, optional=index[1]))
                for dependent in action_index().dependent_actions(action):
                    needs.append(Need(dependent, "*", f"{where} (may check {dependent})", call.loc, optional=True,
                                      dependent=True))
    needs += _platform_needs(app, fn, res)
    unique = list(dict.fromkeys(needs))
    return FunctionPolicy(
        function=fn.name,
        role=fn.role_id,
        needs=tuple(unique),
        statements=tuple(statements_for(n for n in unique if not n.dependent)),
        complete=not gaps,
        gaps=tuple(gaps),
        gap_kinds=tuple(gaps.values()),
    )


def statements_for(needs: Iterable[Need]) -> list[PolicyStatement]:
    """Group needs into statements: actions that share the same resources go together."""
    return list(_statements_for(frozenset((need.action, need.resource) for need in needs)))


@lru_cache(maxsize=4096)  # functions of one source (and sources of one repository) need the same things
def _statements_for(pairs: frozenset[tuple[str, str]]) -> tuple[PolicyStatement, ...]:
    """The statements of needs (action, resource): only which pairs there are matters (the result is sorted)."""
    by_action: dict[str, set[str]] = {}
    for action, resource in sorted(pairs):
        by_action.setdefault(action, set()).add(resource)
    groups: dict[tuple[str, ...], list[str]] = {}
    for action, resources in by_action.items():
        key = ("*",) if "*" in resources else tuple(sorted(resources))
        groups.setdefault(key, []).append(action)
    out = []
    used_sids: dict[str, int] = {}
    for resource_key, actions in sorted(groups.items(), key=lambda kv: (sorted(kv[1])[0], kv[0])):
        acts = tuple(sorted(actions))
        prefixes = sorted({a.split(":", 1)[0] for a in acts})
        base = "".join(p.replace("-", " ").title().replace(" ", "") for p in prefixes)[:60] or "Statement"
        used_sids[base] = used_sids.get(base, 0) + 1
        sid = base if used_sids[base] == 1 else f"{base}{used_sids[base]}"
        out.append(PolicyStatement(sid, acts, resource_key))
    return tuple(out)


# -- the application view the rules share --------------------------------------------------


def analyse(app: Application) -> AppIam:
    """Least-privilege policies and role permissions for every function of ``app``.

    The IAM analyzer (:class:`faasguard.iam.analyzer.IamAnalyzer`) runs this once per
    application after the code analysis and stores the result on ``app.iam``; rules read it
    from there. Called on an application no analyzer saw (a test, ``faasguard policy``), it
    computes and stores it the same way.
    """
    cached = app.iam
    if cached.__class__ is AppIam and cached.app is app:  # every IAM rule asks, for every application
        return cached  # type: ignore[no-any-return]
    res = Resources(app)
    out = AppIam(app, resources=res)
    for fn in app.functions:
        out.policies[fn.name] = derive(app, fn, res)
    for role_id, role in app.roles.items():
        if role.grants:
            continue  # an Azure or GCP identity: its role grants are not IAM statements
        out.permissions[role_id] = role_permissions(role, res.resolve)
    app.iam = out
    return out


@quick_init
@dataclass(frozen=True)
class StatementUse:
    """How much of one Allow statement the functions holding the role use."""

    grant: Grant
    used: frozenset[str]
    unused: frozenset[str]
    needs: tuple[Need, ...]  # the needs this statement serves


@cache
def _canonical_actions(row: platform.PlatformRow) -> tuple[tuple[str, str], ...]:
    """(as the table writes it, canonical) for each action of a platform row."""
    return tuple((action, action_index().canonical(action)) for action in row.actions)


_EXECUTION_POLICIES = ("AWSLambda", "AWSXRay", "CloudWatchLambdaInsights")


def _serves(grant: Grant, need: Need, perms: Permissions) -> bool:
    """Could this statement be what lets the function do ``need``? Platform needs match by action alone."""
    if need.platform:
        return need.action in grant.actions
    return grant.may_cover(need.action, need.resource, perms.resolve)


def statement_use(iam: AppIam, role_id: str) -> list[StatementUse] | None:
    """Per Allow statement of ``role_id``: used and unused actions. None when any holder's policy is incomplete.
    Kept on the role's permissions (three rules ask): read it, never change it."""
    perms = iam.permissions.get(role_id)
    if perms is None:
        return None
    known = perms.facts.get(("use", id(iam)))
    if known is None:
        known = perms.facts[("use", id(iam))] = (_statement_use(iam, role_id, perms),)
    return known[0]


def _statement_use(iam: AppIam, role_id: str, perms: Permissions) -> list[StatementUse] | None:
    holders = iam.app.functions_with_role(role_id)
    if not holders or not perms.complete:
        return None
    policies = [iam.policies[f.name] for f in holders]
    if not all(p.complete for p in policies):
        return None
    needs = [n for p in policies for n in p.needs]
    out = []
    for grant in perms.allows():
        effective = perms.effective(grant)
        served = [n for n in needs if _serves(grant, n, perms)]
        policy = grant.statement.policy if grant.source == "inline" else grant.source
        named: set[str] | None = None  # made when first needed (a managed policy names thousands of actions)
        quiet: set[str] = set()
        for row in platform.statement_rows(policy, grant.statement.resources):
            for action, canonical in _canonical_actions(row):
                if canonical not in grant.actions:
                    continue
                quiet.add(canonical)
                if named is None:
                    named = {a.lower() for a in grant.statement.actions}
                # Kept in a replacement when the statement names it, or an AWS execution-role policy grants it;
                # a wildcard (dynamodb:*, AdministratorAccess) that happens to include it does not make it a need.
                if action.lower() in named or grant.source.startswith(_EXECUTION_POLICIES):
                    served.append(Need(canonical, "*", f"{row.why} ({row.id})", None, True))
        used = (frozenset(n.action for n in served) | quiet) & effective
        out.append(StatementUse(grant, used, effective - used, tuple(dict.fromkeys(served))))
    return out


def replacement_for(use: StatementUse, perms: Permissions) -> list[PolicyStatement] | None:
    """Statements that can replace ``use.grant``: never more than it grants, everything its holders use of it.

    Each served need keeps its own resource when the statement certainly covers it, and the
    statement's own resources otherwise (an unknown or partly-unknown need). Actions are only
    those of the statement that are used. None when no statement list can say it safely: the
    statement has a Condition or a NotResource, which a plain statement would drop.
    """
    stmt = use.grant.statement
    if stmt.conditions or stmt.not_resources or not stmt.resources:
        return None
    own = tuple(stmt.resources)
    narrowed: list[Need] = []
    for need in use.needs:
        if need.action not in use.used or need.action not in use.grant.actions:
            continue
        if need.resource != "*" and use.grant.covers(need.action, need.resource, perms.resolve):
            narrowed.append(need)
        else:
            for resource in own:
                narrowed.append(Need(need.action, resource, need.why, need.loc, need.platform, need.optional))
    # An optional need is kept only where the statement grants it for sure: it never widens.
    return statements_for(n for n in narrowed if not n.optional or use.grant.covers(n.action, n.resource, perms.resolve))


# What an incomplete analysis lacks, in the order a user should fix it: the code first.
_GAP_ORDER = ("code", "dynamic", "library", "mapping", "policy", "resource")


def _open_grant(perms: Permissions, action: str) -> bool:
    return any(g.unconstrained and action in perms.effective(g) for g in perms.allows())


def incomplete_reasons(iam: AppIam, fn: Function) -> list[tuple[str, str]]:
    """(kind, sentence) for every reason FG-IAM-030/031/032 cannot judge ``fn`` fully, most basic first.

    Kinds: ``code`` (the code was not found), ``dynamic`` (a client or operation name built at
    run time), ``library`` (an imported library that calls AWS itself, data/aws_libraries.toml),
    ``mapping`` (an operation the SDK map does not know), ``policy`` (a policy of the
    role defined outside the source) and ``resource`` (a call whose resource is not known).
    """
    policy = iam.policies.get(fn.name)
    perms = iam.permissions.get(fn.role_id or "")
    out: list[tuple[str, str]] = list(zip(policy.gap_kinds, policy.gaps, strict=True)) if policy else []
    if perms is not None:
        for name in perms.unknown_policies:
            out.append(("policy", f"role {fn.role_id} uses {name}, defined outside this source, so what it grants is unknown"))
    if policy is not None:
        triggered = {t.kind for t in fn.triggers}
        for need in policy.needs:
            # Only where it silences something: a grant on every resource allows the call whatever it touches, and
            # a call on the service that triggers the function most likely works on the event's own resource.
            if need.action.split(":", 1)[0] in triggered:
                continue
            if need.unresolved and need.loc is not None and perms is not None and not _open_grant(perms, need.action):
                out.append(("resource", f"{need.loc}: which resource {need.why} touches is not known (a name computed "
                            "at run time, or a value the source does not set)"))
    unique = list(dict.fromkeys(out))
    return sorted(unique, key=lambda r: _GAP_ORDER.index(r[0]))
