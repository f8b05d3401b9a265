"""Rules of the ``iam`` category on what a role's permissions let a holder do: risk classes (FG-IAM-020…024),
resource policies on the data a function uses (025) and isolation between functions (026)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from faasguard.findings import Related, Severity
from faasguard.iam.actions import action_index
from faasguard.iam.least_privilege import analyse
from faasguard.iam.risk import escalation_actions_in, escalation_link, escalation_methods, risks, summarize
from faasguard.iam.takeover import PRINCIPAL_ACTIONS, acting, can, outranks, power, service_trusted, trusts_principal
from faasguard.model import Application, Function
from faasguard.registry import Hit, rule
from faasguard.rules.iam import COVERS_EVERYTHING, holder
from faasguard.rules.wording import fix

if TYPE_CHECKING:
    from faasguard.iam.evaluate import Grant, Permissions
    from faasguard.iam.risk import Risk

# -- IAM in depth: risk classes, resource policies, isolation, least privilege (FG-IAM-020…) --
# These rules share one analysis per application (faasguard.iam.least_privilege.analyse):
# role permissions with wildcards, NotAction and AWS managed policies expanded, and the
# policy each function's code needs. The IAM database loads only when they run.


def _risk_hits(app: Application, kind: str, describe: str, fix: str) -> Iterator[Hit]:

    iam = analyse(app)
    for role_id, perms in sorted(iam.permissions.items()):
        found = _reported_risks(perms).get(kind)
        if not found:
            continue
        role = perms.role
        users: list[Function | None] = list(app.functions_with_role(role_id)) or [None]
        for fn in users:
            for risk in found:
                stmt = risk.grant.statement
                where = f"managed policy {risk.grant.source}" if risk.grant.source != "inline" else f"policy {stmt.policy}"
                detail = f" ({summarize(risk.methods, 12)})" if risk.methods else ""
                link = escalation_link(risk.methods[0]) if risk.methods else None
                yield Hit(
                    loc=stmt.loc,
                    message=f"{holder(role, fn)} allows {describe} on every resource{detail}: "
                    f"{summarize(risk.actions)} ({where})",
                    remediation=f"{fix}. How the {risk.methods[0]} path works: {link}" if link else fix,
                    resource=role_id,
                    function=fn.name if fn else None,
                    severity=Severity.CRITICAL if kind == "privilege-escalation" and fn and fn.is_public else None,
                    key=f"{kind}:{stmt.policy}:{stmt.identity}:{','.join(risk.actions[:20])}",
                    related=tuple(
                        Related(o.statement.loc.path, o.statement.loc.line, f"also needed: statement in {o.statement.policy}")
                        for o in risk.others
                    ),
                )


def _reported_risks(perms: Permissions) -> dict[str, list[Risk]]:
    """The role's risks by class, in order (kept on ``perms``: five rules ask). Administrator policies allow every
    risk class at once; FG-IAM-003 already reports them."""

    known: dict[str, list[Risk]] | None = perms.facts.get("reported risks")
    if known is None:
        known = perms.facts["reported risks"] = {}
        for r in risks(perms):
            if r.grant.source not in COVERS_EVERYTHING:
                known.setdefault(r.kind, []).append(r)
    return known


@cache
def _named_methods() -> tuple[tuple[str, frozenset[str], tuple[str, ...], tuple[str, ...]], ...]:
    """The escalation methods that aim iam:PassRole or sts:AssumeRole at one role, in the order they are tried (fewest
    actions first): (method, its actions, those aimed at the role, sorted, the others, sorted)."""
    out = []
    for method, needed in sorted(escalation_methods().items(), key=lambda m: (len(m[1]), m[0])):
        aimed = sorted(a for a in needed if a in PRINCIPAL_ACTIONS)
        # iam:PassRole to Lambda is FG-ATK-010's chain; permission writes on a named principal are FG-IAM-042.
        if not {"iam:passrole", "sts:assumerole"} & set(aimed) or "lambda:createfunction" in needed:
            continue
        out.append((method, needed, tuple(aimed), tuple(sorted(needed - set(aimed)))))
    return tuple(out)


def _named_escalation_hits(app: Application) -> Iterator[Hit]:
    """A function role that can become a more powerful principal of the source: iam:PassRole on it to a service that
    runs code (CloudFormation, EC2, CodeBuild, Glue …), or sts:AssumeRole on a role that trusts it."""

    iam = analyse(app)
    for role_id, perms in sorted(iam.permissions.items()):
        fns = app.functions_with_role(role_id)
        if not fns:
            continue
        own = power(perms)
        if own.level >= 3:
            continue
        index = action_index()  # only now: a source without function roles never loads the IAM database
        everywhere = escalation_actions_in(perms.allowed_actions(unconstrained_only=True))
        for target in app.roles.values():
            if target.id == role_id or target.external or target.grants or target.kind != "role":
                continue
            strength = power(iam.permissions.get(target.id))
            if not outranks(strength, own):
                continue
            chain: tuple[str, dict[str, Grant]] | None = None
            for method, needed, aimed, others in _named_methods():
                if needed <= everywhere:
                    continue  # every action on every resource: the statement is reported as such
                steps: dict[str, Grant] = {}
                for action in aimed:
                    grant = acting(perms, index.canonical(action), app, target)
                    if grant is not None:
                        steps[index.canonical(action)] = grant
                for action in others:
                    grant = can(perms, index.canonical(action))
                    if grant is not None:
                        steps[index.canonical(action)] = grant
                if len(steps) != len(needed):
                    continue
                if "iam:passrole" in aimed:
                    prefix = next(iter(others)).split(":", 1)[0]
                    if not service_trusted(target, prefix):
                        continue  # the service cannot use the role
                if "sts:assumerole" in aimed and not trusts_principal(app, target, perms.role):
                    continue
                chain = (method, steps)
                break
            if chain is None:
                continue
            method, steps = chain
            first = next(iter(steps.values()))
            link = escalation_link(method)
            how = f". How the {method} path works: {link}" if link else ""
            aimed_action = "iam:PassRole" if "iam:PassRole" in steps else "sts:AssumeRole"
            for fn in fns:
                yield Hit(
                    loc=first.statement.loc,
                    message=f"{holder(perms.role, fn)} allows privilege escalation to role {target.id} ({strength}): "
                    f"{method} — {' + '.join(steps)}, with {aimed_action} on {target.id} only",
                    remediation=fix(
                        app.format,
                        cfn=f"Remove {aimed_action} on {target.id} from {role_id}, or give it a role limited to what "
                        "that service needs (iam:PassRole with an iam:PassedToService condition)",
                        terraform=f"Remove {aimed_action} on {target.id} from {role_id}, or give it a role limited to "
                        "what that service needs (iam:PassRole with a condition on iam:PassedToService)",
                    )
                    + how,
                    resource=role_id,
                    function=fn.name,
                    severity=Severity.CRITICAL if fn.is_public else None,
                    key=f"privilege-escalation:named:{target.id}:{method}",
                    related=tuple(
                        Related(g.statement.loc.path, g.statement.loc.line, f"grants {a}")
                        for a, g in steps.items()
                        if g.statement.loc.path
                    )
                    + ((Related(target.loc.path, target.loc.line, f"role {target.id}: {strength}"),) if target.loc.path else ()),
                )


@rule("FG-IAM-020", category="iam", severity=Severity.HIGH, title="Function role allows privilege escalation", over="roles")
def privilege_escalation(app: Application) -> Iterator[Hit]:
    """
    A function's role holds a combination of actions, on every resource, that lets
    whoever controls the function give themselves more permission: one of the 59
    known escalation methods (Rhino Security Labs, pathfinding.cloud, as collected by
    cloudsplaining), such as `iam:PassRole` with `lambda:CreateFunction` and
    `lambda:InvokeFunction`, `iam:CreatePolicyVersion`, `iam:AttachRolePolicy`,
    `lambda:UpdateFunctionCode`, or `sts:AssumeRole` on `*`.

    Wildcards (`iam:*`, `*`), `NotAction` and AWS managed policies are expanded
    first, so `PowerUserAccess` plus one inline `iam:PassRole` is caught too. The
    finding is CRITICAL when the function is reachable from the internet.

    Bad:

    ```yaml
    - Effect: Allow
      Action: [iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction]
      Resource: "*"
    ```

    Scoping to one principal does not make it safe when that principal is more
    powerful than the function's role: `iam:PassRole` on one administrator role that
    trusts CloudFormation, plus `cloudformation:CreateStack`, or `sts:AssumeRole` on
    one powerful role that trusts the function's role, is reported too (with the
    steps in `related`). Permission writes on one named principal are FG-IAM-042,
    `iam:PassRole` with `lambda:CreateFunction` on one role is FG-ATK-010.

    Fix: a function that must create functions passes one named role
    (`Resource: !GetAtt WorkerRole.Arn`, with an `iam:PassedToService` condition);
    everything else drops these actions.
    """
    yield from _named_escalation_hits(app)
    yield from _risk_hits(
        app,
        "privilege-escalation",
        "privilege escalation",
        fix(
            app.format,
            cfn="Remove these actions, or scope each to the one resource it needs (iam:PassRole to one role ARN "
            "with an iam:PassedToService condition, lambda:UpdateFunctionCode to one function ARN)",
            cdk="Remove these actions, or scope each to the one resource it needs (iam:PassRole on one role with "
            "role.grantPassRole(fn.grantPrincipal), lambda:UpdateFunctionCode with resources: [worker.functionArn])",
            terraform="Remove these actions, or scope each to the one resource it needs (iam:PassRole to one role, "
            "resources = [aws_iam_role.worker.arn] with a condition on iam:PassedToService; lambda:UpdateFunctionCode "
            "to one function, resources = [aws_lambda_function.worker.arn])",
            serverless="Remove these actions from provider.iam.role.statements, or scope each to the one resource "
            "it needs (iam:PassRole to one role, Resource: !GetAtt WorkerRole.Arn with an iam:PassedToService "
            "condition; lambda:UpdateFunctionCode to one function, Resource: !GetAtt WorkerLambdaFunction.Arn)",
        ),
    )


@rule(
    "FG-IAM-021",
    category="iam",
    severity=Severity.MEDIUM,
    title="Function role can read data from every resource",
    over="roles",
)
def data_exfiltration(app: Application) -> Iterator[Hit]:
    """
    A function's role allows actions that return data, secrets or decrypted bytes
    on every resource: `s3:GetObject`, `secretsmanager:GetSecretValue`,
    `ssm:GetParameter*`, `kms:Decrypt`, `dynamodb:Scan`/`Query`/`GetItem`,
    `rds:CopyDBSnapshot`, `lambda:GetFunction` (code and environment) and more —
    cloudsplaining's list of five, extended.

    A compromised function can then read every bucket, table and secret in the
    account, not only its own.

    Bad:

    ```yaml
    - Effect: Allow
      Action: [s3:GetObject, secretsmanager:GetSecretValue]
      Resource: "*"
    ```

    Fix: name the bucket (`!Sub "${Uploads.Arn}/*"`) and the secret (`!Ref DbSecret`).
    """
    yield from _risk_hits(
        app,
        "data-exfiltration",
        "reading data",
        fix(
            app.format,
            cfn="Scope these actions to the buckets, tables, parameters, secrets and keys the function uses "
            '(e.g. Resource: !Sub "${Uploads.Arn}/*" and !Ref DbSecret)',
            cdk="Scope these actions to the buckets, tables, parameters, secrets and keys the function uses "
            "(e.g. uploads.grantRead(fn) and dbSecret.grantRead(fn), or resources: [uploads.arnForObjects('*')])",
            terraform="Scope these actions to the buckets, tables, parameters, secrets and keys the function uses "
            '(e.g. resources = ["${aws_s3_bucket.uploads.arn}/*", aws_secretsmanager_secret.db.arn])',
            serverless="Scope these actions in provider.iam.role.statements to the buckets, tables, parameters, "
            'secrets and keys the function uses (e.g. Resource: !Sub "${UploadsBucket.Arn}/*" and !Ref DbSecret)',
        ),
    )


@rule("FG-IAM-022", category="iam", severity=Severity.HIGH, title="Function role can change resource policies", over="roles")
def resource_exposure(app: Application) -> Iterator[Hit]:
    """
    A function's role allows actions that change who can reach a resource, on every
    resource: `s3:PutBucketPolicy`, `s3:PutBucketAcl`, `sqs:SetQueueAttributes`,
    `lambda:AddPermission`, `kms:PutKeyPolicy`, `secretsmanager:PutResourcePolicy`,
    `ecr:SetRepositoryPolicy` … (policy_sentry's resource-exposure list).

    An attacker in the function can make any bucket public or share any key or
    secret with their own account.

    Bad:

    ```yaml
    - Effect: Allow
      Action: s3:Put*
      Resource: "*"
    ```

    Fix: list the data actions the code calls (`s3:PutObject`) on the one bucket;
    manage policies in the template, not from function code.
    """
    yield from _risk_hits(
        app,
        "resource-exposure",
        "changing resource policies and sharing",
        fix(
            app.format,
            cfn="Remove the policy-changing actions (manage resource policies in the template), "
            "or scope them to the one resource the function administers",
            cdk="Remove the policy-changing actions (manage resource policies in the stack: "
            "bucket.addToResourcePolicy, fn.addPermission), or scope them to the one resource the function administers",
            terraform="Remove the policy-changing actions (manage resource policies in Terraform: aws_s3_bucket_policy, "
            "aws_lambda_permission, aws_sqs_queue_policy), or scope them to the one resource the function administers",
            serverless="Remove the policy-changing actions from provider.iam.role.statements (manage resource "
            "policies under resources.Resources), or scope them to the one resource the function administers",
        ),
    )


@rule("FG-IAM-023", category="iam", severity=Severity.HIGH, title="Function role can obtain credentials", over="roles")
def credentials_exposure(app: Application) -> Iterator[Hit]:
    """
    A function's role allows actions whose response contains credentials, on every
    resource: `iam:CreateAccessKey`, `sts:AssumeRole`, `sts:GetFederationToken`,
    `ecr:GetAuthorizationToken`, `redshift:GetClusterCredentials`,
    `rds-db:connect`, `ec2:GetPasswordData` … (cloudsplaining's and policy_sentry's lists).

    The credentials outlive the function invocation and can be used from anywhere.

    Bad:

    ```yaml
    - Effect: Allow
      Action: sts:AssumeRole
      Resource: "*"
    ```

    Fix: name the one role to assume (`!GetAtt ReportRole.Arn`) or the one cluster
    and database user.
    """
    yield from _risk_hits(
        app,
        "credentials-exposure",
        "obtaining credentials",
        fix(
            app.format,
            cfn="Scope these actions to the one role, cluster or user the function needs, or remove them",
            cdk="Scope these actions to the one role, cluster or user the function needs (e.g. reportRole.grantAssumeRole"
            "(fn.grantPrincipal)), or remove them",
            terraform="Scope these actions to the one role, cluster or user the function needs "
            "(e.g. resources = [aws_iam_role.report.arn] for sts:AssumeRole), or remove them",
            serverless="Scope these actions in provider.iam.role.statements to the one role, cluster or user the "
            "function needs (e.g. Resource: !GetAtt ReportRole.Arn for sts:AssumeRole), or remove them",
        ),
    )


@rule("FG-IAM-024", category="iam", severity=Severity.MEDIUM, title="Function role can modify infrastructure", over="roles")
def infrastructure_modification(app: Application) -> Iterator[Hit]:
    """
    A function's role allows control-plane writes — creating, changing or deleting
    buckets, tables, queues, functions, instances — on every resource, although
    these actions can be scoped to named resources.

    Data-plane writes (`PutItem`, `SendMessage`, `PutObject`) and what Lambda
    itself needs on `*` (logs, X-Ray, VPC network interfaces) are not counted.

    Bad:

    ```yaml
    - Effect: Allow
      Action: dynamodb:*
      Resource: "*"
    ```

    Fix: grant the data actions the code calls on the one table; leave
    `CreateTable`/`DeleteTable` to the deployment role.
    """
    yield from _risk_hits(
        app,
        "infrastructure-modification",
        "creating, changing or deleting infrastructure",
        fix(
            app.format,
            cfn="Remove the control-plane actions; a function should only read and write data in named resources",
            cdk="Remove the control-plane actions (create and change resources in the stack); a function should "
            "only read and write data in named resources (table.grantReadWriteData(fn))",
            terraform="Remove the control-plane actions (create and change resources with Terraform); a function "
            "should only read and write data in named resources (resources = [aws_dynamodb_table.orders.arn])",
            serverless="Remove the control-plane actions from provider.iam.role.statements (create and change "
            "resources under resources.Resources); a function should only read and write data in named resources "
            "(Resource: !GetAtt OrdersTable.Arn)",
        ),
    )


_SCOPING_KEYS = {
    "aws:sourcearn", "aws:sourceaccount", "aws:principalorgid", "aws:principalaccount", "aws:sourcevpce",
    "aws:sourcevpc", "aws:sourceowner", "aws:principalarn", "aws:sourceorgid", "aws:userid", "aws:principalorgpaths",
}  # fmt: skip


def _touched(app: Application, fn: Function) -> set[str]:
    """Logical ids of the buckets, queues, topics and secrets a function reaches (code, role, triggers)."""

    iam = analyse(app)
    texts = [n.resource for n in iam.policies[fn.name].needs if not n.platform]
    role = app.role_of(fn)
    if role is not None:
        texts += [r for s in role.statements if s.allows for r in s.resources]
    texts += [e.ref for e in fn.environment if e.ref]
    ids = {t.source for t in fn.triggers if t.source}
    for text in texts:
        ids.update(app.referenced_ids(text))
        ids.add(text or "")
    return ids


@rule(
    "FG-IAM-025",
    category="iam",
    severity=Severity.HIGH,
    title="Data a function uses has a public or cross-account resource policy",
    over="resource_policies",
)
def exposed_resource_policy(app: Application) -> Iterator[Hit]:
    """
    A bucket, queue, topic or secret that a function reads or writes (through its
    code, its role or its trigger) has a resource policy statement that allows
    everyone (`Principal: "*"` without a `SourceArn`/`SourceAccount`/`PrincipalOrgID`
    condition) or another AWS account.

    The function's data then flows past the function: anyone can read the bucket
    or post messages the function will trust.

    Bad:

    ```yaml
    ReceiptsBucketPolicy:
      Type: AWS::S3::BucketPolicy
      Properties:
        Bucket: !Ref ReceiptsBucket
        PolicyDocument:
          Statement:
            - Effect: Allow
              Principal: "*"
              Action: s3:GetObject
              Resource: !Sub "${ReceiptsBucket.Arn}/*"
    ```

    Fix: allow only the principals that need access (a CloudFront origin access
    control with `aws:SourceArn`, one account with `aws:PrincipalOrgID`), or serve
    the data through presigned URLs.
    """
    if not app.resource_policies:
        return  # nothing to report: what each function touches is not needed
    users: dict[str, list[str]] = {}
    for fn in app.functions:
        for logical in _touched(app, fn):
            users.setdefault(logical, []).append(fn.name)
    for policy in app.resource_policies:
        if not policy.target or policy.target not in users:
            continue
        for stmt in policy.statements:
            if not stmt.allows:
                continue
            scoped = bool(stmt.condition_keys() & _SCOPING_KEYS)
            public = any(p in ("*", "AWS:*") for p in stmt.principals) and not scoped
            accounts = sorted({m for p in stmt.principals for m in re.findall(r"(?<![0-9])([0-9]{12})(?![0-9])", p)})
            if not public and not accounts:
                continue
            who = "everyone (Principal *)" if public else f"account {', '.join(accounts)}"
            fns = sorted(set(users[policy.target]))
            actions = ", ".join(stmt.actions or stmt.not_actions) or "actions"
            yield Hit(
                loc=stmt.loc,
                message=f"{policy.kind.upper()} resource policy {policy.id} on {policy.target}, used by function "
                f"{', '.join(fns)}, allows {who} {actions}",
                remediation=fix(
                    app.format,
                    cfn="Restrict the principal to the callers that need access and add an aws:SourceArn, "
                    "aws:SourceAccount or aws:PrincipalOrgID condition",
                    cdk="Restrict the principal of the addToResourcePolicy statement to the callers that need access "
                    "and add an aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID condition (conditions: {...})",
                    terraform=f"Restrict the principal in the policy of {policy.id} to the callers that need access "
                    "(Principal in jsonencode, principals blocks in an aws_iam_policy_document) and add an "
                    "aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID condition",
                    serverless=f"Restrict the Principal in the PolicyDocument of {policy.id} under resources.Resources "
                    "to the callers that need access and add an aws:SourceArn, aws:SourceAccount or "
                    "aws:PrincipalOrgID condition",
                ),
                resource=policy.target,
                function=fns[0],
                severity=None if public else Severity.MEDIUM,
                key=f"{policy.id}:{stmt.identity}",
            )


_LAMBDA_INVOKE = {"lambda:InvokeFunction", "lambda:InvokeAsync", "lambda:InvokeFunctionUrl"}
_LAMBDA_MODIFY = {
    "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:DeleteFunction", "lambda:AddPermission",
    "lambda:PutFunctionConcurrency", "lambda:UpdateAlias", "lambda:PublishVersion", "lambda:CreateFunctionUrlConfig",
    "lambda:UpdateFunctionUrlConfig", "lambda:PutFunctionEventInvokeConfig",
}  # fmt: skip


@rule(
    "FG-IAM-026",
    category="iam",
    severity=Severity.MEDIUM,
    title="Function can invoke or modify other functions",
    over="functions",
)
def function_isolation(app: Application) -> Iterator[Hit]:
    """
    A function's role lets it invoke or change other functions — `lambda:InvokeFunction`
    on `*` or on functions its code never calls, `lambda:UpdateFunctionCode`,
    `UpdateFunctionConfiguration`, `AddPermission` on other functions.

    One compromised function then becomes every function: it runs their code with
    their roles, or replaces it. Invoking a function the code does call is fine.

    Bad:

    ```yaml
    - Effect: Allow
      Action: [lambda:InvokeFunction, lambda:UpdateFunctionConfiguration]
      Resource: "*"
    ```

    Fix: grant `lambda:InvokeFunction` on the one function the code calls
    (`!GetAtt Worker.Arn`) and no `lambda:Update*` at all.
    """

    iam = analyse(app)
    res = iam.arns
    for fn in app.functions:
        perms = iam.permissions.get(fn.role_id or "")
        if perms is None:
            continue
        called = {n.resource for n in iam.policies[fn.name].needs if n.action in _LAMBDA_INVOKE}
        for grant in perms.allows():
            actions = perms.effective(grant) & (_LAMBDA_INVOKE | _LAMBDA_MODIFY)
            if not actions or grant.source in COVERS_EVERYTHING:
                continue
            reach: dict[str, set[str]] = {}
            others = [g for g in app.functions if g.name != fn.name]
            for action in sorted(actions):
                targets = [g.name for g in others if grant.covers(action, res.arn(g.name), perms.resolve)]
                if action in _LAMBDA_INVOKE:
                    targets = [t for t in targets if res.arn(t) not in called]
                if grant.unconstrained:
                    targets.append("every function in the account")
                for t in targets:
                    reach.setdefault(action, set()).add(t)
            if not reach:
                continue
            targets_all = sorted({t for ts in reach.values() for t in ts})
            modify = any(a in _LAMBDA_MODIFY for a in reach)
            yield Hit(
                loc=grant.statement.loc,
                message=f"Function {fn.name} can {'modify' if modify else 'invoke'} other functions through role "
                f"{fn.role_id}: {summarize(sorted(reach), 5)} on {', '.join(targets_all)}",
                remediation=fix(
                    app.format,
                    cfn="Grant lambda:InvokeFunction only on the functions the code calls (!GetAtt Worker.Arn) "
                    "and remove lambda:Update*/AddPermission/DeleteFunction from function roles",
                    cdk="Grant invoke only on the functions the code calls (worker.grantInvoke(fn)) "
                    "and remove lambda:Update*/AddPermission/DeleteFunction from function roles",
                    terraform="Grant lambda:InvokeFunction only on the functions the code calls "
                    "(resources = [aws_lambda_function.worker.arn] in an aws_iam_policy_document, or Resource = "
                    "[aws_lambda_function.worker.arn] in jsonencode) and remove lambda:Update*/AddPermission/"
                    "DeleteFunction from function roles",
                    serverless="Grant lambda:InvokeFunction in provider.iam.role.statements only on the functions the "
                    "code calls (Resource: !GetAtt WorkerLambdaFunction.Arn) and remove lambda:Update*/AddPermission/"
                    "DeleteFunction",
                ),
                resource=fn.role_id,
                function=fn.name,
                severity=Severity.HIGH if modify else None,
                key=f"{grant.statement.policy}:{grant.statement.identity}:{','.join(sorted(reach))}",
            )
