"""Who can take over a function (FG-IAM-040…042, FG-ATK-010): the principals around it, not its code.

Attackers rarely inject; they update code. Every role, user and group of the source is read
(:mod:`faasguard.loaders.terraform.iam`, :mod:`faasguard.loaders.cloudformation_builder`), and
these rules report the ones that can change a function, pass a powerful role to a new
function, or rewrite another principal's permissions, ranked by the power of the role they
would end up with (:mod:`faasguard.iam.takeover`). Only unconditional grants that surely
cover the function or role count.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from faasguard.findings import Related, Severity
from faasguard.iam.least_privilege import analyse, statement_use
from faasguard.iam.risk import risks, summarize
from faasguard.iam.takeover import acting, can, lambda_trusted, power
from faasguard.model import Application, Function, Role
from faasguard.registry import Hit, rule
from faasguard.rules.iam import holder
from faasguard.rules.wording import fix

if TYPE_CHECKING:
    from faasguard.iam.evaluate import Grant
    from faasguard.iam.takeover import Power

CHANGE_ACTIONS = ("lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:AddPermission")
_CHANGE_WORDS = {
    "lambda:UpdateFunctionCode": "replace its code",
    "lambda:UpdateFunctionConfiguration": "change its configuration (handler, layers, environment)",
    "lambda:AddPermission": "let other accounts or services invoke it",
}
_BY_POWER = {3: Severity.CRITICAL, 2: Severity.HIGH, 1: Severity.MEDIUM, 0: Severity.LOW}
# A function an attacker would create: any name. A grant covering it covers every function.
NEW_FUNCTION = "arn:aws:lambda:us-east-1:111122223333:function:any-new-function"
PERMISSION_WRITES = {
    "role": ("iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRolePermissionsBoundary"),
    "user": ("iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile",
             "iam:UpdateLoginProfile", "iam:DeleteUserPermissionsBoundary"),
    "group": ("iam:PutGroupPolicy", "iam:AttachGroupPolicy", "iam:AddUserToGroup"),
}  # fmt: skip


def _function_roles(app: Application) -> set[str]:
    return {fn.role_id for fn in app.functions if fn.role_id}


def _principals(app: Application, *, with_functions: bool) -> Iterator[Role]:
    used = _function_roles(app)
    for role in app.roles.values():
        if role.external or role.grants or (not with_functions and role.id in used):
            continue
        yield role


def _related(app: Application, *items: tuple[object, str]) -> tuple[Related, ...]:
    out = []
    for thing, note in items:
        loc = getattr(getattr(thing, "statement", None), "loc", None) or getattr(thing, "loc", None)
        if loc is not None and loc.path:
            out.append(Related(loc.path, loc.line, note))
    return tuple(out)


@rule(
    "FG-IAM-040",
    category="iam",
    severity=Severity.HIGH,
    title="Principal can change a function's code or configuration",
    over="roles",
)
def function_takeover(app: Application) -> Iterator[Hit]:
    """
    A user, group or role of the source — one that people, CI or another service use,
    not the function itself — can change a function: `lambda:UpdateFunctionCode`,
    `lambda:UpdateFunctionConfiguration` (new handler, layers or environment) or
    `lambda:AddPermission`, on that function's ARN or on every function.

    Whoever holds it runs their own code with the function's role. The severity
    follows the power of that role: critical when it is administrator, high when it
    allows privilege escalation, medium for another risk class, low otherwise.
    Only unconditional grants are counted.

    Bad:

    ```yaml
    DeployUser:
      Type: AWS::IAM::User
      Properties:
        Policies:
          - PolicyName: deploy
            PolicyDocument:
              Statement:
                - Effect: Allow
                  Action: lambda:UpdateFunctionCode
                  Resource: "*"
    ```

    Fix: scope the deployer to the functions it ships (`!GetAtt Orders.Arn`), require
    MFA or a CI OIDC condition, and keep powerful roles off functions that many can update.
    """

    iam = analyse(app)
    res = iam.arns
    for principal in _principals(app, with_functions=False):
        perms = iam.permissions.get(principal.id)
        if perms is None or power(perms).level >= 3:
            continue  # an administrator gains nothing by taking over a function (FG-IAM-003 reports it)
        for fn in app.functions:
            if fn.provider != "aws":
                continue
            arn = res.arn(fn.name)
            grants = {a: g for a in CHANGE_ACTIONS if (g := can(perms, a, arn)) is not None}
            if not grants:
                continue
            role = app.role_of(fn)
            strength = power(iam.permissions.get(role.id)) if role else power(None)
            first = next(iter(grants.values()))
            words = "; ".join(_CHANGE_WORDS[a] for a in grants)
            yield Hit(
                loc=first.statement.loc,
                message=f"{holder(principal, None)} can take over function {fn.name}: {words} "
                f"({', '.join(grants)}); its code then runs with role {fn.role_id or 'unknown'} ({strength})",
                remediation=fix(
                    app.format,
                    cfn=f"Scope {', '.join(grants)} in {principal.id} to the functions it must deploy "
                    "(Resource: !GetAtt Fn.Arn) and add a Condition (aws:MultiFactorAuthPresent, or the CI's OIDC "
                    f"subject); keep {fn.role_id}'s permissions to what {fn.name} needs",
                    terraform=f"Scope {', '.join(grants)} in {principal.id} to the functions it must deploy "
                    "(resources = [aws_lambda_function.x.arn]) and add a condition (aws:MultiFactorAuthPresent, or the "
                    f"CI's OIDC subject); keep {fn.role_id}'s permissions to what {fn.name} needs",
                ),
                resource=principal.id,
                function=fn.name,
                severity=_BY_POWER[strength.level],
                key=f"takeover:{principal.id}:{','.join(grants)}",
                related=_related(app, *((g, f"grants {a}") for a, g in grants.items()), (role, f"role of {fn.name}"))
                if role
                else (),
            )


@rule("FG-IAM-041", category="iam", severity=Severity.MEDIUM, title="Powerful Lambda role that no function uses", over="roles")
def unused_lambda_role(app: Application) -> Iterator[Hit]:
    """
    A role trusts `lambda.amazonaws.com` and allows administrator access, privilege
    escalation or another risk class, but no function in this file or module uses it.

    It is a loaded gun: anyone who may pass it to a function they create
    (`iam:PassRole` with `lambda:CreateFunction`) gets its permissions, and nobody
    reviews it together with a function's code.

    Fix: delete the role, or move it next to the function that uses it and cut it
    down to what that function needs.
    """

    iam = analyse(app)
    used = _function_roles(app)
    if not app.functions and app.format not in ("terraform", "cloudformation", "sam", "cdk"):
        return
    for role in app.roles.values():
        if role.id in used or role.external or not lambda_trusted(role):
            continue
        strength = power(iam.permissions.get(role.id))
        if strength.level < 1:
            continue
        yield Hit(
            loc=role.loc,
            message=f"Role {role.id} can be assumed by Lambda and allows {strength}, but no function in this source "
            "uses it: whoever can pass it to a new function gets that power",
            remediation=fix(
                app.format,
                cfn=f"Delete {role.id}, or define it beside the function that uses it and cut its policies down to "
                "what that function needs",
                terraform=f"Delete {role.id}, or define it beside the aws_lambda_function that uses it and cut its "
                "policies down to what that function needs",
            ),
            resource=role.id,
            severity=Severity.HIGH if strength.level >= 2 else None,
            key=f"unused-lambda-role:{role.id}",
        )


@rule(
    "FG-IAM-042",
    category="iam",
    severity=Severity.HIGH,
    title="Principal can rewrite another principal's permissions",
    over="roles",
)
def named_permission_writes(app: Application) -> Iterator[Hit]:
    """
    A role, user or group may attach or write policies on a *named* principal of the
    source — `iam:PutRolePolicy`/`iam:AttachRolePolicy`/`iam:UpdateAssumeRolePolicy` on
    one role, `iam:AttachUserPolicy`/`iam:CreateAccessKey` on one user, policies of
    one group. Scoping these actions to one ARN does not make them safe: the holder
    can give that principal administrator access, and act as it (a function that runs
    with the role, the user's new access key). On itself, it is administrator at once.

    FG-IAM-020 reports these actions on every resource; this rule reports them on
    named principals.

    Fix: manage IAM with the deployment pipeline, not with runtime identities; if a
    function must manage a role, add a permissions boundary that it cannot remove.
    """

    iam = analyse(app)
    kinds = {target.kind for target in app.roles.values() if not (target.external or target.grants)}
    for principal in _principals(app, with_functions=True):
        perms = iam.permissions.get(principal.id)
        if perms is None:
            continue
        # The writes the principal may do at all (acting() needs it first), asked once rather than per target.
        # An action no Allow grants net of the boundary and of Denies on every resource is not allowed on "*":
        # one set lookup before is_allowed() walks the statements.
        allowed = perms.allowed_actions()
        writable = {
            kind: [a for a in PERMISSION_WRITES.get(kind, ()) if a in allowed and perms.is_allowed(a, "*")] for kind in kinds
        }
        if not any(writable.values()):
            continue
        users: list[Function | None] = list(app.functions_with_role(principal.id)) or [None]
        for target in app.roles.values():
            if target.external or target.grants:
                continue
            granted = {}
            for action in writable.get(target.kind, ()):
                grant = acting(perms, action, app, target)
                if grant is not None and not grant.unconstrained:
                    granted[action] = grant
            if not granted:
                continue
            itself = target.id == principal.id
            runs = [f.name for f in app.functions_with_role(target.id)]
            first = next(iter(granted.values()))
            whom = "itself" if itself else f"{target.kind} {target.id}"
            then = " and run as it" if not itself else ""
            if runs and not itself:
                then = f"; function {', '.join(runs)} then runs with it"
            for fn in users:
                yield Hit(
                    loc=first.statement.loc,
                    message=f"{holder(principal, fn)} can rewrite the permissions of {whom} ({', '.join(granted)}): "
                    f"it can grant administrator access{then}",
                    remediation=fix(
                        app.format,
                        cfn=f"Remove {', '.join(granted)} from {principal.id} (manage IAM in the template or the "
                        "pipeline), or attach a PermissionsBoundary to the target that the holder cannot change",
                        terraform=f"Remove {', '.join(granted)} from {principal.id} (manage IAM with Terraform), or set "
                        "a permissions_boundary on the target that the holder cannot change",
                    ),
                    resource=principal.id,
                    function=fn.name if fn else None,
                    severity=Severity.CRITICAL if itself or (fn is not None and fn.is_public) else None,
                    key=f"permission-writes:{principal.id}:{target.id}:{','.join(granted)}",
                    related=_related(app, (target, f"{target.kind} {target.id}")),
                )


@rule(
    "FG-ATK-010",
    category="attack-path",
    severity=Severity.HIGH,
    title="Principal can run code with a more powerful role",
    over="roles",
)
def lambda_escalation_paths(app: Application) -> Iterator[Hit]:
    """
    A principal can make Lambda run code of its choice with a role more powerful than
    its own — the Lambda paths of pathfinding.cloud and BishopFox's iam-vulnerable:

    * `iam:PassRole` on a powerful Lambda role + `lambda:CreateFunction` + a way to run
      the new function (`lambda:InvokeFunction`, `lambda:CreateEventSourceMapping` or
      `lambda:AddPermission`);
    * `lambda:UpdateFunctionCode` on a function whose role is more powerful, which then
      runs through its trigger or `lambda:InvokeFunction`.

    The finding lists the chain in `related`: each statement that grants a step, and
    the role that ends up running the code. Critical when that role is administrator.

    Fix: scope `iam:PassRole` to the roles the principal must pass, with an
    `iam:PassedToService` condition; keep `lambda:CreateFunction`/`UpdateFunctionCode`
    for the deployment pipeline.
    """

    iam = analyse(app)
    res = iam.arns
    targets = [r for r in app.roles.values() if lambda_trusted(r) and not r.external]
    for principal in _principals(app, with_functions=True):
        perms = iam.permissions.get(principal.id)
        if perms is None:
            continue
        users: list[Function | None] = list(app.functions_with_role(principal.id)) or [None]
        create = can(perms, "lambda:CreateFunction", NEW_FUNCTION)
        run = next(
            (
                (a, g)
                for a in ("lambda:InvokeFunction", "lambda:AddPermission")
                if (g := can(perms, a, NEW_FUNCTION)) is not None
            ),
            None,
        )
        if run is None:
            esm = can(perms, "lambda:CreateEventSourceMapping")
            run = ("lambda:CreateEventSourceMapping", esm) if esm is not None and esm.unconstrained else None
        best: tuple[Role, Grant, Power] | None = None
        if create is not None and run is not None:
            for target in targets:
                if target.id == principal.id:
                    continue
                strength = power(iam.permissions.get(target.id))
                if strength.level < 2 or strength.level <= power(perms).level:  # the principal's own: asked once, kept
                    continue
                passing = acting(perms, "iam:PassRole", app, target)
                if passing is None:
                    continue
                if best is None or strength.level > power(iam.permissions.get(best[0].id)).level:
                    best = (target, passing, strength)
        if best is not None and run is not None and create is not None:
            target, passed, target_power = best
            for fn in users:
                yield Hit(
                    loc=passed.statement.loc,
                    message=f"{holder(principal, fn)} can run code as role {target.id} ({target_power}): "
                    f"iam:PassRole on {target.id} → lambda:CreateFunction → {run[0]}",
                    remediation=fix(
                        app.format,
                        cfn=f"Scope iam:PassRole in {principal.id} to the roles it must pass (not {target.id}) with an "
                        "iam:PassedToService condition, or remove lambda:CreateFunction from it",
                        terraform=f"Scope iam:PassRole in {principal.id} to the roles it must pass (not {target.id}) "
                        "with a condition on iam:PassedToService, or remove lambda:CreateFunction from it",
                    ),
                    resource=principal.id,
                    function=fn.name if fn else None,
                    severity=Severity.CRITICAL if target_power.level >= 3 else None,
                    key=f"passrole-create:{principal.id}:{target.id}",
                    related=_related(
                        app,
                        (passed, f"step 1: iam:PassRole on {target.id}"),
                        (create, "step 2: lambda:CreateFunction"),
                        (run[1], f"step 3: {run[0]}"),
                        (target, f"role {target.id}: {target_power}"),
                    ),
                )
        if not any(_UPDATES_CODE in g.actions for g in perms.allows()):
            continue  # no Allow names lambda:UpdateFunctionCode: can() finds no grant for any function
        for victim in app.functions:
            role = app.role_of(victim)
            if victim.provider != "aws" or role is None or role.id == principal.id:
                continue
            strength = power(iam.permissions.get(role.id))
            if strength.level < 2 or strength.level <= power(perms).level:
                continue
            update = can(perms, _UPDATES_CODE, res.arn(victim.name))
            if update is None:
                continue
            invoke = can(perms, "lambda:InvokeFunction", res.arn(victim.name))
            if invoke is None and not victim.triggers:
                continue
            step2 = "lambda:InvokeFunction" if invoke is not None else f"its {victim.triggers[0].kind} trigger"
            for fn in users:
                yield Hit(
                    loc=update.statement.loc,
                    message=f"{holder(principal, fn)} can run code as role {role.id} ({strength}): "
                    f"lambda:UpdateFunctionCode on function {victim.name} → {step2}",
                    remediation=fix(
                        app.format,
                        cfn=f"Remove lambda:UpdateFunctionCode on {victim.name} from {principal.id}, or cut {role.id} "
                        f"down to what {victim.name} needs",
                        terraform=f"Remove lambda:UpdateFunctionCode on {victim.name} from {principal.id}, or cut "
                        f"{role.id} down to what {victim.name} needs",
                    ),
                    resource=principal.id,
                    function=fn.name if fn else victim.name,
                    severity=Severity.CRITICAL if strength.level >= 3 else None,
                    key=f"update-code:{principal.id}:{victim.name}",
                    related=_related(
                        app,
                        (update, f"step 1: lambda:UpdateFunctionCode on {victim.name}"),
                        *(((invoke, "step 2: lambda:InvokeFunction"),) if invoke is not None else ()),
                        (victim, f"function {victim.name}"),
                        (role, f"role {role.id}: {strength}"),
                    ),
                )


_UPDATES_CODE = "lambda:UpdateFunctionCode"

_RISK_NAMES = {
    "privilege-escalation": "privilege escalation",
    "data-exfiltration": "reading data on every resource",
    "credentials-exposure": "obtaining credentials",
    "resource-exposure": "changing resource policies",
    "infrastructure-modification": "changing infrastructure",
}


@rule(
    "FG-IAM-043",
    category="iam",
    severity=Severity.HIGH,
    title="Lambda role more powerful than its functions' code needs",
    over="roles",
)
def role_beyond_code(app: Application) -> Iterator[Hit]:
    """
    A role that Lambda assumes allows administrator access, privilege escalation or
    another risk class (reading every data store, obtaining credentials, changing
    resource policies or infrastructure), and none of the code of the functions that
    use it needs that power: the actions that give it are not called by any of them
    and not used by Lambda on their behalf (logs, tracing, VPC, event sources,
    dead-letter queues and destinations). Reported at the statement that gives the
    most power.

    Whoever runs code in one of these functions (an injection, a poisoned
    dependency, a takeover of its code) gets the whole role. Reported once per role,
    with the power it gives away; high for administrator access and privilege
    escalation, medium for the other classes.

    Only said when faasguard has seen all of the code of every function using the
    role: code found, every client and operation named literally, every call known
    to the SDK map, every call's resource known, and the role fully defined in the
    source. Otherwise FG-IAM-034 says what is missing.

    Fix: give each function a role with only what its code needs (`faasguard policy`
    prints it); keep administrator and IAM permissions for the deployment pipeline.
    """

    iam = analyse(app)
    for role_id, perms in sorted(iam.permissions.items()):
        role = perms.role
        holders = app.functions_with_role(role_id)
        if not holders or role.external or not lambda_trusted(role):
            continue
        policies = [iam.policies[f.name] for f in holders]
        if any(n.unresolved for p in policies for n in p.needs):
            continue  # a call whose resource is unknown: no claim
        uses = statement_use(iam, role_id)
        if uses is None:
            continue  # some code, client name or policy is unknown: FG-IAM-034
        used = frozenset().union(*(u.used for u in uses)) if uses else frozenset()
        unused = frozenset().union(*(u.unused for u in uses)) if uses else frozenset()
        strength = power(perms)
        given: dict[str, Grant] = {}
        if strength.level >= 3:
            admin = next((u.grant for u in uses if u.unused), None)
            if admin is not None:
                given["administrator access"] = admin
        else:
            for risk in risks(perms):
                if risk.kind == "privilege-escalation":
                    idle = [a for a in risk.actions if a in unused]  # a method needs all of its actions
                else:
                    idle = [a for a in risk.actions if a in unused] if all(a not in used for a in risk.actions) else []
                if idle and _RISK_NAMES[risk.kind] not in given:
                    given[_RISK_NAMES[risk.kind]] = risk.grant
        if not given:
            continue
        level = 3 if "administrator access" in given else 2 if "privilege escalation" in given else 1
        code = sorted({n.action for p in policies for n in p.needs if not n.platform and not n.dependent})
        names = ", ".join(sorted(f.name for f in holders))
        needs = f"needs only {summarize(code)}" if code else "makes no AWS call"
        first = next(iter(given.values())).statement.loc
        yield Hit(
            loc=first if first.path else role.loc,  # where the most powerful grant is written: where the fix goes
            message=f"Role {role_id} allows {', '.join(given)}, but the code of function {names} {needs}: "
            "whoever runs code in it gets that power for nothing",
            remediation=fix(
                app.format,
                cfn=f"Cut {role_id} down to what {names} needs (`faasguard policy` prints the statements), "
                "and keep administrator and IAM permissions for the deployment pipeline",
                terraform=f"Cut {role_id} down to what {names} needs (`faasguard policy --format terraform` prints "
                "an aws_iam_policy_document), and keep administrator and IAM permissions for the deployment pipeline",
            ),
            resource=role_id,
            function=min(f.name for f in holders),
            severity=_BY_POWER[level] if level < 3 else Severity.HIGH,
            key=f"role-beyond-code:{role_id}",
            related=_related(app, *((g, f"gives {k}") for k, g in given.items())),
        )
