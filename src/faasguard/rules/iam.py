"""Rules of the ``iam`` category: functions that hold more permission than they should."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from faasguard.findings import Severity
from faasguard.model import Application, Function, Permission, Role
from faasguard.registry import Hit, rule
from faasguard.rules.wording import fix


@rule("FG-IAM-001", category="iam", severity=Severity.HIGH, title="Function role allows every action on a service", over="roles")
def wildcard_actions(app: Application) -> Iterator[Hit]:
    """
    An `Allow` statement in a function's role grants `*` or `service:*`.

    A function compromised through its event (injection, a vulnerable dependency)
    can then do anything the service allows: `s3:*` includes `s3:DeleteBucket` and
    `s3:PutBucketPolicy`; `*` is full administrator access.

    Bad:

    ```yaml
    Policies:
      - Statement:
          - Effect: Allow
            Action: s3:*
            Resource: "*"
    ```

    Fix: list the actions the code calls (`s3:GetObject`), or use a SAM policy
    template such as `S3ReadPolicy` scoped to one bucket.
    """
    for role, fn in principals(app):
        for stmt in role.statements:
            if not stmt.allows:
                continue
            wild = [a for a in stmt.actions if a == "*" or a.endswith(":*")]
            if not wild:
                continue
            resources = ", ".join(stmt.resources) or "*"
            yield Hit(
                loc=stmt.loc,
                message=f"{holder(role, fn)} allows {', '.join(wild)} on {resources} (policy {stmt.policy})",
                remediation=fix(
                    app.format,
                    cfn="Replace the wildcard with the specific actions the function calls, "
                    "e.g. s3:GetObject on the one bucket it reads",
                    cdk="Replace the wildcard with the specific actions the function calls, e.g. bucket.grantRead(fn) "
                    "or a PolicyStatement with actions: ['s3:GetObject'] on bucket.arnForObjects('*')",
                    terraform=f"Replace the wildcard in {stmt.policy} with the specific actions the function calls, "
                    'e.g. Action = ["s3:GetObject"] (actions in an aws_iam_policy_document) on the one bucket it reads',
                    serverless=f"Replace the wildcard in {stmt.policy} with the specific actions the function calls, "
                    "e.g. Action: s3:GetObject on the one bucket it reads",
                ),
                resource=role.id,
                function=fn.name if fn else None,
                severity=Severity.CRITICAL if "*" in wild else None,
                key=f"{stmt.policy}:{','.join(sorted(wild))}",
            )


# -- shared helpers for the rules below --------------------------------------------------

# Services whose write and data actions accept resource ARNs, so `Resource: "*"` is a
# choice, not a necessity. Deliberately small: logs, X-Ray, CloudWatch metrics and
# EC2 network interfaces need "*" (or nearly always get it) and would only be noise.
# The full per-action resource database is the IAM analysis package's job.
SCOPABLE_SERVICES = frozenset(
    {"s3", "dynamodb", "sqs", "sns", "lambda", "secretsmanager", "kms", "ssm", "kinesis", "firehose", "states",
     "events", "iam", "sts"}
)
# Verbs that change data or configuration, or hand out keys and roles.
WRITE_VERBS = (
    "Put", "Delete", "Update", "Create", "Write", "BatchWrite", "Send", "Publish", "Invoke", "Start", "Stop",
    "Decrypt", "Encrypt", "ReEncrypt", "GenerateDataKey", "Sign", "Restore", "Attach", "Detach", "Pass", "Set",
    "Add", "Remove", "Modify", "Replicate", "Purge", "Execute", "Terminate", "Assume", "Import", "Rotate",
    "Change", "Enable", "Disable", "Upload", "Copy", "Abort", "Cancel",
)
# Reads that return the data or the secret itself (exfiltration), per service.
SENSITIVE_READS: dict[str, tuple[str, ...]] = {
    "s3": ("GetObject", "GetObjectVersion"),
    "dynamodb": ("GetItem", "BatchGetItem", "Query", "Scan"),
    "sqs": ("ReceiveMessage",),
    "kinesis": ("GetRecords",),
    "secretsmanager": ("GetSecretValue",),
    "ssm": ("GetParameter", "GetParameters", "GetParametersByPath"),
}
# arn:aws:sqs:*:*:*, arn:aws:dynamodb:...:table/*, arn:aws:lambda:...:function:* (but arn:aws:s3:::bucket/* names a bucket)
_ALL_RESOURCES_IN_ARN = re.compile(r"arn:[^:]*:(?:s3:::\*(?:/\*)?|(?!s3:)[^:]*:[^:]*:[^:]*:(?:\*(?:/\*)?|[A-Za-z-]+[/:]\*))")


def function_roles(app: Application) -> Iterator[tuple[Function, Role]]:
    """Every function with the role it assumes, when the template describes that role."""
    for fn in app.functions:
        role = app.role_of(fn)
        if role is not None and not role.external:
            yield fn, role


def principals(app: Application) -> Iterator[tuple[Role, Function | None]]:
    """Every IAM principal to check: each function's role with the function, then every role, user and
    group of the source that no function uses (a shared iam.tf, a stack of roles), with None."""
    used = set()
    for fn, role in function_roles(app):
        used.add(role.id)
        yield role, fn
    for role in app.roles.values():
        if role.id not in used and not role.external and not role.grants:
            yield role, None


def holder(role: Role, fn: Function | None) -> str:
    """``Role R of function F``, or the principal alone: ``Role R (no function here uses it)``, ``User U``."""
    if fn is not None:
        return f"Role {role.id} of function {fn.name}"
    if role.kind == "user":
        return f"User {role.id}"
    if role.kind == "group":
        return f"Group {role.id}"
    return f"Role {role.id} (no function in this source uses it)"


@lru_cache(maxsize=4096)  # asked for every resource of every statement of every principal
def unscoped(resource: str) -> bool:
    """``*``, ``arn:aws:s3:::*``, ``arn:aws:dynamodb:*:*:table/*``: every resource of a kind."""
    return resource == "*" or bool(_ALL_RESOURCES_IN_ARN.fullmatch(resource))


@lru_cache(maxsize=4096)  # asked for every action of every open statement of every principal
def sensitive_action(action: str) -> bool:
    """A write, permissions or data-returning action of a service that supports resource scoping.

    ``s3:*`` and ``*`` are FG-IAM-001's; patterns such as ``s3:Put*`` count when they
    reach a sensitive action.
    """
    service, _, name = action.partition(":")
    service = service.lower()
    if service not in SCOPABLE_SERVICES or not name or name == "*":
        return False
    names = WRITE_VERBS + SENSITIVE_READS.get(service, ())
    if "*" in name or "?" in name:
        prefix = re.split(r"[*?]", name, maxsplit=1)[0].lower()
        return any(n.lower().startswith(prefix) for n in names)
    lowered = name.lower()
    if lowered in (n.lower() for n in SENSITIVE_READS.get(service, ())):
        return True
    return any(lowered.startswith(verb.lower()) for verb in WRITE_VERBS)


def exposure(fn: Function) -> str:
    """How a function is reached, for messages: ``public (GET /orders)`` or ``internal (sqs)``."""
    public = [t for t in fn.triggers if t.public]
    if public:
        what = ", ".join(sorted({t.route or t.kind for t in public}))
        return f"public ({what})"
    kinds = ", ".join(sorted({t.kind for t in fn.triggers})) or "no trigger in the template"
    return f"internal ({kinds})"


# -- rules ---------------------------------------------------------------------------------


@rule(
    "FG-IAM-002",
    category="iam",
    severity=Severity.HIGH,
    title="Function role allows sensitive actions on every resource",
    over="roles",
)
def sensitive_actions_on_all_resources(app: Application) -> Iterator[Hit]:
    """
    An `Allow` statement in a function's role grants write or data-returning actions
    (`s3:PutObject`, `dynamodb:Scan`, `secretsmanager:GetSecretValue`, `kms:Decrypt`,
    `iam:PassRole` …) on `Resource: "*"` although the service lets you name the
    resource.

    The function needs one table or one bucket; the role reaches every table and
    bucket in the account. A compromised function reads or destroys all of them.

    Bad:

    ```yaml
    Policies:
      - Statement:
          - Effect: Allow
            Action: [dynamodb:PutItem, dynamodb:Query]
            Resource: "*"
    ```

    Fix: name the resource (`!GetAtt Orders.Arn`) or use a SAM policy template
    (`DynamoDBCrudPolicy: {TableName: !Ref Orders}`).

    Services checked: S3, DynamoDB, SQS, SNS, Lambda, Secrets Manager, KMS, SSM,
    Kinesis, Firehose, Step Functions, EventBridge, IAM and STS. Statements with a
    `Condition` are left alone (conditions such as `kms:ViaService` can scope them).
    Note that `sns:Publish` straight to phone numbers (SMS) does need `"*"`.
    """
    for role, fn in principals(app):
        for stmt in role.statements:
            if not stmt.allows or stmt.conditions or not any(unscoped(r) for r in stmt.resources):
                continue
            risky = sorted({a for a in stmt.actions if sensitive_action(a)})
            if not risky:
                continue
            critical = any(a.lower().startswith(("iam:", "sts:")) for a in risky)
            yield Hit(
                loc=stmt.loc,
                message=f"{holder(role, fn)} allows {', '.join(risky)} on every resource "
                f"({', '.join(r for r in stmt.resources if unscoped(r))}) in policy {stmt.policy}",
                remediation=fix(
                    app.format,
                    sam="Replace the wildcard resource with the ARNs the function uses "
                    "(e.g. !GetAtt Orders.Arn), or use a SAM policy template scoped to one resource",
                    cfn="Replace the wildcard resource with the ARNs the function uses (e.g. !GetAtt Orders.Arn)",
                    cdk="Replace the wildcard resource with the ARNs the function uses: resources: [table.tableArn] "
                    "in the PolicyStatement, or a grant method such as table.grantReadWriteData(fn)",
                    terraform=f"Replace the wildcard resource in {stmt.policy} with the ARNs the function uses "
                    "(e.g. Resource = aws_dynamodb_table.orders.arn, or resources in an aws_iam_policy_document)",
                    serverless=f"Replace the wildcard resource in {stmt.policy} with the ARNs the function uses "
                    "(e.g. Resource: !GetAtt OrdersTable.Arn)",
                ),
                resource=role.id,
                function=fn.name if fn else None,
                severity=Severity.CRITICAL if critical else None,
                key=f"{stmt.policy}:{','.join(risky)}",
            )


# AWS managed policies that amount to administrator access, or to the power to grant it.
_ADMIN_POLICIES = {"AdministratorAccess": Severity.CRITICAL, "IAMFullAccess": Severity.CRITICAL, "PowerUserAccess": Severity.HIGH}
# Managed policies whose FG-IAM-003 finding already says "this role can do anything":
# the risk-class rules stay quiet on them instead of restating it five times.
COVERS_EVERYTHING = frozenset({"AdministratorAccess", "IAMFullAccess"})


@rule(
    "FG-IAM-003",
    category="iam",
    severity=Severity.HIGH,
    title="Function role has an administrator or full-access managed policy",
    over="roles",
)
def admin_managed_policies(app: Application) -> Iterator[Hit]:
    """
    A function's role attaches `AdministratorAccess`, `PowerUserAccess`,
    `IAMFullAccess` or an AWS `*FullAccess` policy such as `AmazonS3FullAccess` or
    `AmazonDynamoDBFullAccess`.

    These policies grant every action of a service (or of the whole account) on
    every resource. `AdministratorAccess` and `IAMFullAccess` (which can grant
    itself administrator) make any bug in the function an account takeover.

    Bad:

    ```yaml
    Policies:
      - AmazonDynamoDBFullAccess
    ```

    Fix: replace the managed policy with the few actions the function calls on the
    resources it uses, e.g. `DynamoDBReadPolicy: {TableName: !Ref Orders}`.
    """
    for role, fn in principals(app):
        for policy in role.managed_policies:
            if ":aws:policy/" not in policy.arn and policy.arn != policy.name:
                continue  # a customer managed policy: its content is not in the template
            name = policy.name
            severity = _ADMIN_POLICIES.get(name)
            if severity is None and "FullAccess" not in name:
                continue
            yield Hit(
                loc=policy.loc,
                message=f"{holder(role, fn)} attaches the AWS managed policy {name}",
                remediation=fix(
                    app.format,
                    sam=f"Remove {name} and grant only the actions the function calls, on the resources it uses "
                    "(a SAM policy template or an inline statement with named ARNs)",
                    cfn=f"Remove {name} from ManagedPolicyArns of {role.id} and grant only the actions the function "
                    "calls, on the resources it uses (an inline statement with named ARNs)",
                    cdk=f"Remove ManagedPolicy.fromAwsManagedPolicyName('{name}') from {role.id} and use grant methods "
                    "(bucket.grantRead(fn), table.grantReadData(fn)) for the resources the function uses",
                    terraform=f"Remove the attachment of {name} to {role.id} (aws_iam_role_policy_attachment or "
                    "managed_policy_arns) and grant only the actions the function calls, on the resources it uses, "
                    "in an aws_iam_role_policy",
                    serverless=f"Remove {name} from provider.iam.role.managedPolicies and list the actions the function "
                    "calls, on the resources it uses, in provider.iam.role.statements",
                ),
                resource=role.id,
                function=fn.name if fn else None,
                severity=severity,
                key=name,
            )


@rule(
    "FG-IAM-004",
    category="iam",
    severity=Severity.MEDIUM,
    title="Lambda permission for a service without SourceArn or SourceAccount",
    over="permissions",
)
def confused_deputy_permission(app: Application) -> Iterator[Hit]:
    """
    An `AWS::Lambda::Permission` lets a service principal (`s3.amazonaws.com`,
    `sns.amazonaws.com`, `events.amazonaws.com`, `apigateway.amazonaws.com` …)
    invoke the function without `SourceArn` or `SourceAccount`.

    The permission then holds for that service acting for *any* AWS account: anyone
    can point their own bucket notification, topic subscription or rule at your
    function and feed it events they wrote (the confused-deputy problem).

    Bad:

    ```yaml
    UploadPermission:
      Type: AWS::Lambda::Permission
      Properties:
        FunctionName: !Ref Thumbnail
        Action: lambda:InvokeFunction
        Principal: s3.amazonaws.com
    ```

    Fix: add `SourceArn: !GetAtt Uploads.Arn` (the one bucket, topic or rule) and,
    for S3, `SourceAccount: !Ref AWS::AccountId`. SAM event sources add these for you.
    """
    for perm in app.permissions:
        principal = perm.principal.lower()
        if not re.fullmatch(r"[a-z0-9.-]+\.amazonaws\.com(?:\.cn)?", principal):
            continue
        arn_scoped = perm.source_arn is not None and not unscoped(perm.source_arn)
        if arn_scoped or perm.source_account:
            continue
        service = principal.split(".", 1)[0]
        target = perm.function or "the function it names"
        yield Hit(
            loc=perm.loc,
            message=f"Permission {perm.id} lets {perm.principal} invoke {target} on behalf of any AWS account: "
            "it has no SourceArn or SourceAccount",
            remediation=fix(
                app.format,
                cfn=f"Add SourceArn with the ARN of the {service} resource that should invoke the function "
                "(and SourceAccount: !Ref AWS::AccountId)",
                cdk=f"Pass sourceArn (the ARN of the {service} resource that should invoke the function) and "
                "sourceAccount: Stack.of(this).account to fn.addPermission",
                terraform=f"Set source_arn on {perm.id} to the ARN of the {service} resource that should invoke the "
                "function (and source_account = data.aws_caller_identity.current.account_id)",
            ),
            resource=perm.id,
            function=perm.function,
            key=perm.principal,
        )


def _url_companion(app: Application, perm: Permission) -> bool:
    """The `lambda:InvokeFunction` permission AWS requires beside a public function URL.

    The model does not keep `InvokedViaFunctionUrl`; a public URL on the same
    function (or on the same alias, where both name no function) stands for it.
    """
    fn = next((f for f in app.functions if f.name == perm.function), None)
    if fn is not None and (fn.url_auth_type or "").upper() == "NONE":
        return True
    return any(
        (p.function_url_auth_type or "").upper() == "NONE" and p.function == perm.function and p is not perm
        for p in app.permissions
    )


@rule(
    "FG-IAM-005",
    category="iam",
    severity=Severity.HIGH,
    title="Lambda permission lets anyone invoke the function",
    over="permissions",
)
def public_invoke_permission(app: Application) -> Iterator[Hit]:
    """
    An `AWS::Lambda::Permission` has `Principal: "*"` and neither `SourceArn` nor
    `SourceAccount`: any AWS identity in any account may call the function
    directly, skipping the API, authorizer or queue meant to sit in front of it.

    Bad:

    ```yaml
    OpenInvoke:
      Type: AWS::Lambda::Permission
      Properties:
        FunctionName: !Ref Orders
        Action: lambda:InvokeFunction
        Principal: "*"
    ```

    Fix: name the principal that needs to invoke (`apigateway.amazonaws.com`, an
    account id) and add `SourceArn`. The permissions that come with a function URL
    with `AuthType: NONE` are reported by FG-IAM-006 instead.
    """
    for perm in app.permissions:
        if perm.principal.strip() not in ("*", "AWS:*"):
            continue
        if perm.source_account or (perm.source_arn and not unscoped(perm.source_arn)):
            continue
        if (perm.function_url_auth_type or "").upper() == "NONE" or _url_companion(app, perm):
            continue  # the public function URL itself: FG-IAM-006
        target = perm.function or "the function it names"
        yield Hit(
            loc=perm.loc,
            message=f"Permission {perm.id} lets any principal ({perm.principal}) call {perm.action} on {target}",
            remediation=fix(
                app.format,
                cfn="Set Principal to the service or account that should invoke the function and add SourceArn "
                "or SourceAccount",
                cdk="Give fn.addPermission the principal (a ServicePrincipal or AccountPrincipal) that should invoke "
                "the function and a sourceArn or sourceAccount",
                terraform=f"Set principal on {perm.id} to the service or account that should invoke the function and "
                "add source_arn or source_account",
            ),
            resource=perm.id,
            function=perm.function,
            key=perm.action,
        )


@rule("FG-IAM-006", category="iam", severity=Severity.HIGH, title="Function URL without authentication")
def function_url_without_auth(app: Application) -> Iterator[Hit]:
    """
    The function has a function URL with `AuthType: NONE`: anyone on the internet
    who learns the URL can invoke it, with no authorizer, throttling or WAF in
    front.

    Bad:

    ```yaml
    FunctionUrlConfig:
      AuthType: NONE
    ```

    Fix: use `AuthType: AWS_IAM` and sign requests, or put the function behind API
    Gateway with an authorizer. If the URL must be public (a webhook), verify a
    signature in the handler and set reserved concurrency, then suppress this
    finding with a comment saying so.
    """
    remediation = fix(
        app.format,
        sam="Set AuthType: AWS_IAM (and sign requests), or expose the function through API Gateway with an authorizer",
        cfn="Set AuthType: AWS_IAM on the AWS::Lambda::Url (and sign requests), or expose the function through "
        "API Gateway with an authorizer",
        cdk="Use fn.addFunctionUrl({authType: lambda.FunctionUrlAuthType.AWS_IAM}) (and sign requests), or expose the "
        "function through API Gateway with an authorizer",
        terraform='Set authorization_type = "AWS_IAM" on the aws_lambda_function_url (and sign requests), or expose '
        "the function through API Gateway with an authorizer",
        serverless="Set url.authorizer: aws_iam on the function (and sign requests), or expose it through an http "
        "event with an authorizer",
    )
    reported = set()
    for fn in app.functions:
        if (fn.url_auth_type or "").upper() != "NONE":
            continue
        reported.add(fn.name)
        yield Hit(
            loc=fn.url_loc or fn.loc,
            message=f"Function {fn.name} has a function URL with AuthType NONE: anyone on the internet can invoke it",
            remediation=remediation,
            resource=fn.name,
            function=fn.name,
        )
    # A URL on an alias or a function defined elsewhere shows only as its public permission.
    for perm in app.permissions:
        if (perm.function_url_auth_type or "").upper() != "NONE" or perm.function in reported:
            continue
        target = f"function {perm.function}" if perm.function else "the function or alias it names"
        yield Hit(
            loc=perm.loc,
            message=f"Permission {perm.id} makes a function URL of {target} public (FunctionUrlAuthType NONE): "
            "anyone on the internet can invoke it",
            remediation=remediation,
            resource=perm.id,
            function=perm.function,
        )


@rule("FG-IAM-007", category="iam", severity=Severity.MEDIUM, title="One role shared by several functions")
def shared_role(app: Application) -> Iterator[Hit]:
    """
    Several functions assume the same execution role, so each holds the union of
    the permissions all of them need. It is worse when one of them is public (an
    API route, a function URL) and another is internal: the internet-facing
    function then carries the internal one's access to data and services.

    Bad:

    ```yaml
    PublicApi:
      Type: AWS::Lambda::Function
      Properties: {Role: !GetAtt SharedRole.Arn, ...}
    NightlyExport:
      Type: AWS::Lambda::Function
      Properties: {Role: !GetAtt SharedRole.Arn, ...}
    ```

    Fix: give each function its own role with only what it uses (SAM creates one
    per function when you use `Policies` instead of `Role`).
    """
    users: dict[str, list[Function]] = {}
    for fn in app.functions:
        if fn.role_id:
            users.setdefault(fn.role_id, []).append(fn)
    for role_id, fns in users.items():
        if len(fns) < 2:
            continue
        fns = sorted(fns, key=lambda f: f.name)
        public = [f for f in fns if f.is_public]
        internal = [f for f in fns if not f.is_public]
        role = app.roles.get(role_id)
        mixed = bool(public and internal)
        names = ", ".join(f.name for f in fns)
        message = f"Role {role_id} is shared by {len(fns)} functions ({names})"
        if mixed:
            message += (
                f"; {', '.join(f'{f.name} is {exposure(f)}' for f in public)} while "
                f"{', '.join(f'{f.name} is {exposure(f)}' for f in internal)}"
            )
        yield Hit(
            loc=role.loc if role is not None else fns[0].loc,
            message=message,
            remediation=fix(
                app.format,
                sam="Give each function its own role with only the permissions it uses",
                cfn="Give each function its own role with only the permissions it uses",
                cdk="Give each function its own role with only the permissions it uses (do not pass a shared role: "
                "lambda.Function creates one per function; grant each what it uses)",
                terraform="Give each function its own aws_iam_role with only the permissions it uses",
                serverless="Give each function its own role with only the permissions it uses "
                "(functions.<name>.role, or the serverless-iam-roles-per-function plugin's iamRoleStatements "
                "per function)",
            )
            + (", starting with the public ones" if mixed else ""),
            resource=role_id,
            function=(public or fns)[0].name,
            severity=Severity.HIGH if mixed else None,
            key=role_id,
        )


# Condition keys that pin down who may assume a role.
_TRUST_LIMITS = {
    "sts:externalid", "aws:principalorgid", "aws:principalaccount", "aws:principalarn", "aws:sourceaccount",
    "aws:sourcearn",
}
_WEB_IDENTITY_AUDIENCE = re.compile(r".*:(aud|sub|amr)$")


@rule(
    "FG-IAM-008",
    category="iam",
    severity=Severity.CRITICAL,
    title="Role trust policy lets any principal assume it",
    over="roles",
)
def open_trust_policy(app: Application) -> Iterator[Hit]:
    """
    A role's `AssumeRolePolicyDocument` allows `Principal: "*"` (or `AWS: "*"`)
    without a condition that names the caller, or trusts a web-identity provider
    (Cognito identity pools, GitHub Actions OIDC, any OIDC provider) without an
    `:aud`/`:sub` condition. Anyone with an AWS account (or any identity pool, any
    GitHub repository) can then assume the role and use its permissions.

    Bad:

    ```yaml
    AssumeRolePolicyDocument:
      Statement:
        - Effect: Allow
          Principal: {AWS: "*"}
          Action: sts:AssumeRole
    ```

    Fix: trust the service that uses the role (`Service: lambda.amazonaws.com`) or
    named accounts/roles, and add conditions such as `aws:PrincipalOrgID`,
    `sts:ExternalId` or, for web identities, `cognito-identity.amazonaws.com:aud`
    / `token.actions.githubusercontent.com:sub`.
    """
    for role in app.roles.values():
        fns = sorted(f.name for f in app.functions if f.role_id == role.id)
        for stmt in role.trust:
            if not stmt.allows:
                continue
            keys = stmt.condition_keys()
            anyone = [p for p in stmt.principals if p in ("*", "AWS:*") or (p.startswith("AWS:") and ":*:" in p)]
            federated = [p for p in stmt.principals if p.startswith("Federated:")]
            problem = None
            if anyone and not keys & _TRUST_LIMITS:
                problem = f"trusts any principal ({', '.join(anyone)}) with no condition naming the caller"
            elif federated and not any(_WEB_IDENTITY_AUDIENCE.match(k) for k in keys):
                who = ", ".join(p.split(":", 1)[1] for p in federated)
                problem = f"trusts the web-identity provider {who} with no audience or subject condition"
            if problem is None:
                continue
            used_by = f" (assumed by function{'s' if len(fns) > 1 else ''} {', '.join(fns)})" if fns else ""
            yield Hit(
                loc=stmt.loc,
                message=f"Role {role.id}{used_by} {problem}",
                remediation=fix(
                    app.format,
                    cfn="Trust only the principal that needs the role (Service: lambda.amazonaws.com for a "
                    "function role) and add a condition such as aws:PrincipalOrgID, sts:ExternalId or the provider's "
                    ":aud/:sub",
                    cdk="Create the role with assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') for a function "
                    "role (not AnyPrincipal), or add conditions such as aws:PrincipalOrgID, sts:ExternalId or the "
                    "provider's :aud/:sub to the principal",
                    terraform=f"Trust only the principal that needs the role in the assume_role_policy of {role.id} "
                    '(Principal = { Service = "lambda.amazonaws.com" } for a function role, or a principals block of '
                    'type "Service" in an aws_iam_policy_document) and add a condition such as aws:PrincipalOrgID, '
                    "sts:ExternalId or the provider's :aud/:sub (Condition in jsonencode, a condition block in the "
                    "document)",
                    serverless=f"Trust only the principal that needs the role in the AssumeRolePolicyDocument of "
                    f"{role.id} under resources.Resources (Principal: {{Service: lambda.amazonaws.com}} for a function "
                    "role) and add a condition such as aws:PrincipalOrgID, sts:ExternalId or the provider's :aud/:sub",
                ),
                resource=role.id,
                function=fns[0] if fns else None,
                severity=Severity.HIGH if problem.startswith("trusts the web") else None,
                key=problem,
            )


@rule(
    "FG-IAM-009",
    category="iam",
    severity=Severity.HIGH,
    title="Function role allows with NotAction or NotResource",
    over="roles",
)
def allow_with_not_action(app: Application) -> Iterator[Hit]:
    """
    An `Allow` statement in a function's role uses `NotAction` or `NotResource`.
    `Allow` + `NotAction: iam:*` grants *every other action in AWS*, including
    services released after the policy was written; `Allow` + `NotResource` grants
    every resource but the few listed.

    Bad:

    ```yaml
    - Effect: Allow
      NotAction: iam:*
      Resource: "*"
    ```

    Fix: list the actions and resources that are allowed. Keep `NotAction` and
    `NotResource` for `Deny` statements, where they are safe.
    """
    for role, fn in principals(app):
        for stmt in role.statements:
            if not stmt.allows or not (stmt.not_actions or stmt.not_resources):
                continue
            parts = []
            if stmt.not_actions:
                parts.append(f"NotAction {', '.join(stmt.not_actions)} (every other action)")
            if stmt.not_resources:
                parts.append(f"NotResource {', '.join(stmt.not_resources)} (every other resource)")
            yield Hit(
                loc=stmt.loc,
                message=f"{holder(role, fn)} allows with {' and '.join(parts)} in policy {stmt.policy}",
                remediation=fix(
                    app.format,
                    cfn="Rewrite the statement as an Allow of the listed actions on named resources; use NotAction "
                    "and NotResource only with Deny",
                    cdk="Rewrite the PolicyStatement with actions and resources instead of notActions and notResources; "
                    "use those only with effect: iam.Effect.DENY",
                    terraform=f"Rewrite the statement in {stmt.policy} as an Allow of the listed actions on named "
                    "resources (Action/Resource, or actions/resources in an aws_iam_policy_document); use NotAction "
                    "and NotResource (not_actions, not_resources) only with Deny",
                ),
                resource=role.id,
                function=fn.name if fn else None,
                severity=None if stmt.not_actions else Severity.MEDIUM,
                key=f"{stmt.policy}:{','.join(stmt.not_actions)}:{','.join(stmt.not_resources)}",
            )


