"""Rules of the ``iam`` category that compare a role with what its functions' code needs (FG-IAM-030…032)."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.findings import Severity
from faasguard.iam.actions import PERMISSIONS, WRITE, action_index
from faasguard.iam.least_privilege import analyse, incomplete_reasons, replacement_for, statement_use, statements_for
from faasguard.iam.platform import exempt_actions
from faasguard.iam.risk import RUNTIME_BASELINE, summarize
from faasguard.model import Application
from faasguard.registry import Hit, rule
from faasguard.rules.wording import fix


def _replacement(app: Application, source: str, policy: str, statements: str) -> str:
    """FG-IAM-030's fix: use ``statements`` instead of the statement of ``policy`` (or the managed policy ``source``)."""
    inline = source == "inline"
    if app.format == "terraform":
        where = (
            f"Replace the statement in {policy} with the Statement list of a jsonencode policy"
            if inline
            else f"Detach {source} (aws_iam_role_policy_attachment or managed_policy_arns) and add an "
            "aws_iam_role_policy whose jsonencode policy has the Statement list"
        )
        return f"{where}: {statements} (faasguard policy --format terraform prints the same as an aws_iam_policy_document)"
    if app.format == "serverless":
        where = (
            f"Replace the statement in {policy} with"
            if inline
            else f"Remove {source} from provider.iam.role.managedPolicies and add to provider.iam.role.statements"
        )
        return f"{where}: {statements}"
    return f"{'Replace it with' if inline else f'Detach {source} and add'}: {statements}"


@rule("FG-IAM-030", category="iam", severity=Severity.MEDIUM, title="Role grants actions its functions never use", over="roles")
def unused_permissions(app: Application) -> Iterator[Hit]:
    """
    A statement (or AWS managed policy) in a function's role grants actions that no
    SDK call in the code of the functions holding the role needs, and that Lambda
    does not use for them (logs, tracing, VPC, polling the event source, the
    dead-letter queue).

    Every unused action is attack surface with no benefit. The finding lists the
    unused actions and the statement to use instead, built from the calls the code
    makes and the resources they touch (`faasguard policy` prints the whole policy).

    faasguard only says this when it has seen all of the code: a function whose
    handler was not found, that builds client or operation names at run time, or
    calls an operation the SDK map does not know, gets no finding.

    Bad: `DynamoDBCrudPolicy` (or `dynamodb:*`) for a handler that only calls
    `get_item`. Fix: `dynamodb:GetItem` on the one table.
    """
    from faasguard.iam.render import inline

    iam = analyse(app)
    if not iam.permissions:
        return  # nothing granted: the IAM database is not needed (nor loaded)
    index = action_index()
    for role_id in sorted(iam.permissions):
        uses = statement_use(iam, role_id)
        if not uses:
            continue
        holders = sorted(f.name for f in app.functions_with_role(role_id))
        for use in uses:
            if not use.unused:
                continue
            stmt = use.grant.statement
            where = f"AWS managed policy {use.grant.source}" if use.grant.source != "inline" else f"policy {stmt.policy}"
            unused = sorted(use.unused)
            replacement = replacement_for(use, iam.permissions[role_id])
            if not use.used:
                drop = "Remove it" if use.grant.source == "inline" else f"Detach {use.grant.source}"
                remedy = f"{drop}: none of its actions is used"
            elif replacement is None:
                remedy = (
                    f"Keep only {', '.join(sorted(use.used))} in its Action list (its Resource and Condition stay "
                    f"as they are): {', '.join(unused) if len(unused) <= 12 else summarize(unused)} are not used"
                )
            elif replacement:
                remedy = _replacement(app, use.grant.source, stmt.policy, inline(replacement, app))
            else:
                drop = "Remove it" if use.grant.source == "inline" else f"Detach {use.grant.source}"
                remedy = f"{drop}: none of its actions is used"
            risky = any(index.access_level(a) in (WRITE, PERMISSIONS) for a in unused)
            yield Hit(
                loc=stmt.loc,
                message=f"{where[:1].upper()}{where[1:]} in role {role_id} grants {len(unused)} action(s) that function "
                f"{', '.join(holders)} never uses: {summarize(unused)}",
                remediation=remedy,
                resource=role_id,
                function=holders[0],
                severity=None if risky else Severity.LOW,
                key=f"{stmt.policy}:{stmt.identity}",
            )


# Calls that hand the code credentials of another principal; later calls may be made with them.
_OTHER_CREDENTIALS = frozenset(
    {"sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml", "sts:getfederationtoken",
     "cognito-identity:getcredentialsforidentity", "sso:getrolecredentials"}
)  # fmt: skip


@rule(
    "FG-IAM-031",
    category="iam",
    severity=Severity.MEDIUM,
    title="Code calls an AWS API its role does not allow",
    over="functions",
)
def missing_permissions(app: Application) -> Iterator[Hit]:
    """
    The function's code makes an SDK call whose IAM action its role does not grant
    on the resource the call touches (or an explicit `Deny` or the permissions
    boundary removes it). The call fails at run time with `AccessDenied`, usually
    in production, on the first request that takes that path.

    Only reported with a proof: the role is fully known (no customer managed policies
    or boundaries defined elsewhere), no statement could grant the action on the
    resource even once placeholders, unresolved variables and conditions are known,
    and no resource policy or KMS key policy in play could grant it instead (nor
    does the code assume another role whose credentials it may be using). A call
    whose resource is partly unknown, or an `IndexName` the analysis cannot see,
    stays quiet.

    Bad: the handler calls `table.update_item(...)`; the role has
    `DynamoDBReadPolicy`. Fix: grant `dynamodb:UpdateItem` on the table
    (`DynamoDBCrudPolicy`, or an inline statement).
    """
    from faasguard.iam.render import inline

    iam = analyse(app)
    with_policy = {p.target for p in app.resource_policies if p.target}
    for fn in app.functions:
        perms = iam.permissions.get(fn.role_id or "")
        if perms is None or not perms.complete:
            continue
        needs = iam.policies[fn.name].needs
        if any(n.action.lower() in _OTHER_CREDENTIALS for n in needs):
            continue  # the code gets other credentials: its calls may not run as this role
        seen: set[tuple[str, str]] = set()
        for need in needs:
            if need.platform or need.optional or need.unresolved or need.loc is None or (need.action, need.resource) in seen:
                continue
            seen.add((need.action, need.resource))
            if perms.may_allow(need.action, need.resource):
                continue
            if need.action.startswith("kms:") or app.referenced_ids(need.resource) & with_policy:
                continue  # a key policy or resource policy may grant it: no proof
            on = "" if need.resource == "*" else f" on {need.resource}"
            yield Hit(
                loc=need.loc,
                message=f"Function {fn.name} calls {need.why} which needs {need.action}{on}, but role {fn.role_id} "
                "does not allow it: the call fails with AccessDenied",
                remediation=fix(
                    app.format,
                    cfn=f"Add {need.action} on {need.resource} to role {fn.role_id} "
                    "(run `faasguard policy` for the whole least-privilege policy)",
                    terraform=f"Add {need.action} to a policy of {fn.role_id}, e.g. the Statement "
                    f"{inline(statements_for([need]), app)} in an aws_iam_role_policy's jsonencode policy "
                    "(run `faasguard policy --format terraform` for the whole least-privilege policy)",
                    serverless=f"Add {need.action} to provider.iam.role.statements: {inline(statements_for([need]), app)} "
                    "(run `faasguard policy` for the whole least-privilege policy)",
                ),
                resource=fn.role_id,
                function=fn.name,
                key=f"{need.action}:{need.resource}",
            )


def _scopable(action: str) -> bool:
    """The action supports resource-level permissions (it can be granted on a named ARN)."""

    info = action_index().get(action)
    return bool(info and info.resource_types)


@rule(
    "FG-IAM-032",
    category="iam",
    severity=Severity.MEDIUM,
    title="Wildcard resource where the code uses one named resource",
    over="roles",
)
def wildcard_resource_for_named_use(app: Application) -> Iterator[Hit]:
    """
    A statement grants actions on `Resource: "*"` although every call the code
    makes with those actions goes to a resource the template names (a table, bucket
    or queue passed in through an environment variable such as
    `TABLE_NAME: !Ref Orders`).

    The function reaches every such resource in the account instead of its own.

    Bad:

    ```yaml
    Environment:
      Variables:
        TABLE_NAME: !Ref Orders
    Policies:
      - Statement:
          - Effect: Allow
            Action: dynamodb:GetItem
            Resource: "*"
    ```

    Fix: `Resource: !GetAtt Orders.Arn` (the finding prints the exact statement).
    """
    from faasguard.iam.render import inline

    iam = analyse(app)
    for role_id in sorted(iam.permissions):
        uses = statement_use(iam, role_id)
        if not uses:
            continue
        holders = sorted(f.name for f in app.functions_with_role(role_id))
        for use in uses:
            stmt = use.grant.statement
            if use.grant.source != "inline" or not use.grant.unconstrained or stmt.not_resources:
                continue
            code = [n for n in use.needs if not n.platform and not n.optional and _scopable(n.action)]
            if not code or any(n.resource == "*" for n in code):
                continue
            replacement = replacement_for(use, iam.permissions[role_id])
            if not replacement:
                continue
            named = sorted({n.resource for n in code})
            yield Hit(
                loc=stmt.loc,
                message=f"Policy {stmt.policy} in role {role_id} grants {', '.join(sorted({n.action for n in code}))} on "
                f"every resource, but function {', '.join(holders)} only uses {', '.join(named)}",
                remediation=fix(
                    app.format,
                    cfn="Scope the statement to the resources the code uses: ",
                    terraform=f"Scope the statement in {stmt.policy} to the resources the code uses (Statement of "
                    "its jsonencode policy; resources of the statement block in an aws_iam_policy_document): ",
                    serverless=f"Scope the statement in {stmt.policy} to the resources the code uses: ",
                )
                + inline(replacement, app),
                resource=role_id,
                function=holders[0],
                key=f"{stmt.policy}:{stmt.identity}",
            )


_INCOMPLETE_FIX = {
    "code": "Point the function at its source (CodeUri/Handler, filename/source_dir, handler) so faasguard can read "
    "its SDK calls; until then review the role's statements by hand",
    "dynamic": "Name the client and the operation literally (boto3.client(\"s3\").get_object(...), new "
    "GetObjectCommand(...)) so faasguard can map the call to IAM actions; until then review the role by hand",
    "library": "Review by hand what the imported library calls (its documentation lists the IAM actions it needs) and "
    "keep those grants; faasguard follows only the AWS SDK calls the code makes itself",
    "mapping": "Review this call's IAM actions by hand (faasguard's SDK map does not know it)",
    "policy": "Define the policy in this source (or scan the source that defines it) so faasguard can compare it "
    "with the code; until then review it by hand",
    "resource": "Pass the resource's name or ARN in an environment variable that references the resource of this "
    "source (TABLE: !Ref Orders, aws_dynamodb_table.orders.name), so the call can be matched with the grant",
}


def _beyond_runtime(perms: object) -> bool:
    """The role grants something besides what Lambda itself needs (logs, tracing, VPC): worth comparing with the code."""

    baseline = RUNTIME_BASELINE | exempt_actions()
    return any(
        a.lower() not in baseline
        for g in perms.allows()  # type: ignore[attr-defined]
        for a in perms.effective(g)  # type: ignore[attr-defined]
    )


@rule(
    "FG-IAM-034",
    category="iam",
    severity=Severity.INFO,
    title="Least-privilege analysis incomplete for a function",
    over="functions",
)
def incomplete_least_privilege(app: Application) -> Iterator[Hit]:
    """
    FG-IAM-030/031/032 compare a role with the SDK calls of the functions holding it,
    and say nothing when they cannot see everything: this note says why, once per
    function, so a quiet report is not read as "the role is right".

    The reasons, most basic first: the function's code was not found; a client or
    operation name is computed at run time; the code imports a library that calls AWS
    itself (PynamoDB, Powertools parameters, dynamoose, middy's SSM middleware — the
    table is `data/aws_libraries.toml`); the code calls an operation faasguard's
    SDK map does not know; the role attaches a policy defined outside the source; a
    call's resource (bucket, table, queue) is not known — a name built at run time,
    an unresolved variable, a `{{resolve:ssm:…}}` reference.

    Only reported for a role of the source that grants more than what Lambda itself
    uses (logs, tracing, VPC networking). It is information, never a claim about the
    role.

    Fix: whatever the reason names — point the function at its code, name clients
    literally, pass resource names through environment variables that reference the
    template's resources; until then review the role by hand.
    """

    iam = analyse(app)
    # With no code at all (a template scanned alone, a CDK snapshot) the scan's warnings already say so.
    some_code = any(fn.name in app.code for fn in app.functions)
    for fn in app.functions:
        perms = iam.permissions.get(fn.role_id or "")
        if fn.provider != "aws" or perms is None or perms.role.external or not _beyond_runtime(perms):
            continue
        reasons = [r for r in incomplete_reasons(iam, fn) if some_code or r[0] != "code"]
        if not reasons:
            continue
        kind, text = reasons[0]
        more = f" (and {len(reasons) - 1} more reason(s))" if len(reasons) > 1 else ""
        yield Hit(
            loc=fn.loc,
            message=f"Least-privilege analysis incomplete for function {fn.name}: {text}{more}; FG-IAM-030/031/032 "
            f"make no claim about role {fn.role_id} where this matters",
            remediation=_INCOMPLETE_FIX[kind],
            resource=fn.role_id,
            function=fn.name,
            key=f"incomplete:{fn.name}",
        )
