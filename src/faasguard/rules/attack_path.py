"""Rules of the ``attack-path`` category: pitfalls of several layers that combine into one attack.

Each layer alone is a finding of its own category; what this module adds is the
chain a reviewer has to see to rank them: *who* can reach the function (an
unauthenticated trigger), *what* the attacker's input does there (a taint flow
in the handler), and *what* the function's role then lets the attacker touch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from faasguard.code.facts import ATTACK_NAMES, TaintKind, auth_in_code
from faasguard.findings import Related, Severity
from faasguard.iam.least_privilege import analyse
from faasguard.iam.risk import DATA_EXFILTRATION
from faasguard.model import Application, Function, Trigger
from faasguard.registry import Hit, rule

if TYPE_CHECKING:
    from faasguard.code.facts import TaintFlow

# Sinks that hand the attacker the function's own identity (its role's credentials are in the environment).
CODE_EXECUTION = {TaintKind.SHELL, TaintKind.CODE, TaintKind.DESERIALIZATION}
SINK_NAMES = ATTACK_NAMES
WRITE_VERBS = ("Put", "Delete", "Update", "Write", "BatchWrite")
ADMIN_THRESHOLD = 5000  # a role allowing this many actions on every resource is effectively administrator


def _open_entry(app: Application, fn: Function) -> Trigger | None:
    """A trigger anyone on the internet can call without credentials; body-taking routes first.

    A handler that verifies a JWT or a request signature in code is not open (see FG-INJ-001)."""
    if auth_in_code(app, fn.name) is not None:
        return None
    open_ = [t for t in fn.triggers if t.public and t.authenticated is False]
    open_.sort(key=lambda t: not (t.route or "").startswith(("POST", "PUT", "PATCH", "ANY")))
    return open_[0] if open_ else None


def _reach(app: Application, fn: Function) -> tuple[str, tuple[Related, ...], bool] | None:
    """What the function's role lets a hijacked function do: (summary, where granted, broad)."""
    role = app.role_of(fn)
    if role is None or role.external:
        return None
    perms = analyse(app).permissions.get(role.id)  # shared with the IAM rules, computed once
    if perms is None:
        return None
    unconstrained = perms.allowed_actions(unconstrained_only=True)
    if len(unconstrained) >= ADMIN_THRESHOLD:
        grant = next((g for g in perms.allows() if g.unconstrained and len(g.actions) >= ADMIN_THRESHOLD), None)
        where: tuple[Related, ...] = ()
        if grant:
            where = (Related(grant.statement.loc.path, grant.statement.loc.line, f"role {role.id}: {grant.source}"),)
        return f"role {role.id} is effectively administrator ({len(unconstrained):,} actions on every resource)", where, True
    data = sorted(a for a in unconstrained if a.lower() in DATA_EXFILTRATION)
    writes = sorted(a for a in unconstrained if a.split(":", 1)[-1].startswith(WRITE_VERBS))
    if data or writes:
        shown = (data + writes)[:6]
        more = len(data) + len(writes) - len(shown)
        where = tuple(
            Related(g.statement.loc.path, g.statement.loc.line, f"role {role.id} grants {', '.join(sorted(g.actions)[:3])} on *")
            for g in perms.allows()
            if g.unconstrained and g.actions & set(shown)
        )[:3]
        summary = f"role {role.id} can {', '.join(shown)}{f' and {more} more' if more > 0 else ''} on every resource"
        return summary, where, True
    allowed = perms.allowed_actions()
    if not allowed:
        return None
    resources = sorted({r for g in perms.allows() for r in g.statement.resources if g.actions})
    return f"role {role.id} can use {len(allowed)} action(s) on {', '.join(resources[:3]) or 'its resources'}", (), False


@rule(
    "FG-ATK-001",
    category="attack-path",
    severity=Severity.CRITICAL,
    title="Unauthenticated entry point to an injectable handler",
    over="functions",
)
def open_entry_to_injection(app: Application) -> Iterator[Hit]:
    """
    Anyone on the internet can call the function (an API route without an authorizer,
    a function URL with `AuthType: NONE`), the handler passes that caller's input to a
    dangerous sink (SQL, a shell, `eval`, a deserialiser, an outgoing request, a file
    path), and the function's role can reach data or change infrastructure.

    Each link is reported on its own by the `iam`, `injection` and `resources` rules;
    this finding shows the chain, because the chain is what an attacker uses: one
    unauthenticated request runs the injected command *with the role's credentials*
    (they are in the function's environment), so the blast radius is everything the
    role allows.

    The finding points at the sink and lists the entry point, the source of the
    tainted data, each step, and the role's broadest grant as related locations.

    Fix, in order of leverage: require authentication on the entry point (an
    authorizer, `AuthType: AWS_IAM`); fix the sink (parameterised queries, no shell,
    allow-listed URLs); cut the role down to the actions the code calls
    (`faasguard policy`).
    """
    for fn in app.functions:
        entry = _open_entry(app, fn)
        facts = app.code.get(fn.name)
        flows: list[TaintFlow] = list(getattr(facts, "flows", ()) or ())
        if entry is None or not flows:
            continue
        reach = _reach(app, fn)
        if reach is None:
            continue
        summary, grants, broad = reach
        flows.sort(key=lambda f: (f.kind not in CODE_EXECUTION, f.sink_loc.path, f.sink_loc.line or 0))
        flow = flows[0]
        kinds = sorted({SINK_NAMES.get(f.kind, f.kind) for f in flows})
        where = entry.route or entry.kind
        related = (
            Related(entry.loc.path, entry.loc.line, f"entry: {where} invokes {fn.name} without authentication"),
            Related(flow.source_loc.path, flow.source_loc.line, f"source: {flow.source}"),
            *(Related(s.loc.path, s.loc.line, s.note) for s in flow.steps),
            *grants,
        )
        severity = Severity.CRITICAL if broad or flow.kind in CODE_EXECUTION else Severity.HIGH
        yield Hit(
            loc=flow.sink_loc,
            message=(
                f"Unauthenticated {where} reaches function {fn.name}, whose handler has {', '.join(kinds)} "
                f"({flow.sink} at {flow.sink_loc}); {summary}"
            ),
            remediation=(
                f"Require authentication on {where} (authorizer or AWS_IAM), fix the {SINK_NAMES.get(flow.kind, flow.kind)} "
                f"at {flow.sink_loc}, and cut the role of {fn.name} to the actions its code calls (see `faasguard policy`)"
            ),
            resource=app.role_of(fn).id if app.role_of(fn) else fn.name,  # type: ignore[union-attr]
            function=fn.name,
            severity=severity,
            key=f"{fn.name}:{where}:{flow.kind}:{flow.sink}",
            related=related,
        )
