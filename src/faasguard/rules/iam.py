"""Rules of the ``iam`` category: functions that hold more permission than they should."""

from __future__ import annotations

import re
from collections.abc import Iterator

from faasguard.findings import Severity
from faasguard.model import Application, Function, Permission, Role
from faasguard.registry import Hit, rule
from faasguard.rules.wording import fix


@rule("FG-IAM-001", category="iam", severity=Severity.HIGH, title="Function role allows every action on a service")
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
    for fn in app.functions:
        role = app.role_of(fn)
        if role is None:
            continue
        for stmt in role.statements:
            if not stmt.allows:
                continue
            wild = [a for a in stmt.actions if a == "*" or a.endswith(":*")]
            if not wild:
                continue
            resources = ", ".join(stmt.resources) or "*"
            yield Hit(
                loc=stmt.loc,
                message=f"Role {role.id} of function {fn.name} allows {', '.join(wild)} on {resources} (policy {stmt.policy})",
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
                function=fn.name,
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


def unscoped(resource: str) -> bool:
    """``*``, ``arn:aws:s3:::*``, ``arn:aws:dynamodb:*:*:table/*``: every resource of a kind."""
    return resource == "*" or bool(_ALL_RESOURCES_IN_ARN.fullmatch(resource))


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


@rule("FG-IAM-002", category="iam", severity=Severity.HIGH, title="Function role allows sensitive actions on every resource")
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
    for fn, role in function_roles(app):
        for stmt in role.statements:
            if not stmt.allows or stmt.conditions or not any(unscoped(r) for r in stmt.resources):
                continue
            risky = sorted({a for a in stmt.actions if sensitive_action(a)})
            if not risky:
                continue
            critical = any(a.lower().startswith(("iam:", "sts:")) for a in risky)
            yield Hit(
                loc=stmt.loc,
                message=f"Role {role.id} of function {fn.name} allows {', '.join(risky)} on every resource "
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
                function=fn.name,
                severity=Severity.CRITICAL if critical else None,
                key=f"{stmt.policy}:{','.join(risky)}",
            )


# AWS managed policies that amount to administrator access, or to the power to grant it.
_ADMIN_POLICIES = {"AdministratorAccess": Severity.CRITICAL, "IAMFullAccess": Severity.CRITICAL, "PowerUserAccess": Severity.HIGH}
# Managed policies whose FG-IAM-003 finding already says "this role can do anything":
# the risk-class rules stay quiet on them instead of restating it five times.
_COVERS_EVERYTHING = frozenset({"AdministratorAccess", "IAMFullAccess"})


@rule(
    "FG-IAM-003",
    category="iam",
    severity=Severity.HIGH,
    title="Function role has an administrator or full-access managed policy",
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
    for fn, role in function_roles(app):
        for policy in role.managed_policies:
            if ":aws:policy/" not in policy.arn and policy.arn != policy.name:
                continue  # a customer managed policy: its content is not in the template
            name = policy.name
            severity = _ADMIN_POLICIES.get(name)
            if severity is None and "FullAccess" not in name:
                continue
            yield Hit(
                loc=policy.loc,
                message=f"Role {role.id} of function {fn.name} attaches the AWS managed policy {name}",
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
                function=fn.name,
                severity=severity,
                key=name,
            )


@rule(
    "FG-IAM-004",
    category="iam",
    severity=Severity.MEDIUM,
    title="Lambda permission for a service without SourceArn or SourceAccount",
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


@rule("FG-IAM-005", category="iam", severity=Severity.HIGH, title="Lambda permission lets anyone invoke the function")
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


@rule("FG-IAM-008", category="iam", severity=Severity.CRITICAL, title="Role trust policy lets any principal assume it")
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


@rule("FG-IAM-009", category="iam", severity=Severity.HIGH, title="Function role allows with NotAction or NotResource")
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
    for fn, role in function_roles(app):
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
                message=f"Role {role.id} of function {fn.name} allows with {' and '.join(parts)} in policy {stmt.policy}",
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
                function=fn.name,
                severity=None if stmt.not_actions else Severity.MEDIUM,
                key=f"{stmt.policy}:{','.join(stmt.not_actions)}:{','.join(stmt.not_resources)}",
            )


# -- Azure Functions and Google Cloud Functions (FG-IAM-050..069) ------------------------------
# Azure role assignments and GCP IAM roles arrive as Role.grants; public invoker bindings and
# the service account as Function.settings (faasguard.loaders.terraform_azure / terraform_gcp).

_AZURE_BROAD_ROLES = {"owner", "contributor", "user access administrator"}
_GCP_PRIMITIVE_ROLES = {"roles/owner", "roles/editor"}
_GCP_DEFAULT_ACCOUNTS = ("@appspot.gserviceaccount.com", "-compute@developer.gserviceaccount.com")


@rule("FG-IAM-050", category="iam", severity=Severity.HIGH, title="Function identity is Owner or Contributor of a subscription")
def azure_subscription_admin(app: Application) -> Iterator[Hit]:
    """
    An `azurerm_role_assignment` gives the function app's managed identity `Owner`,
    `Contributor` or `User Access Administrator` on a whole subscription (or a
    management group).

    Code running in the function can then create, change and delete every resource
    in the subscription — and with Owner or User Access Administrator grant itself
    or an attacker any further access.

    Bad:

    ```hcl
    resource "azurerm_role_assignment" "fn" {
      scope                = data.azurerm_subscription.current.id
      role_definition_name = "Contributor"
      principal_id         = azurerm_linux_function_app.orders.identity[0].principal_id
    }
    ```

    Fix: assign a narrow data-plane role (`Storage Blob Data Reader`,
    `Key Vault Secrets User` …) on the one resource the function uses.
    """
    for fn in app.functions:
        role = app.role_of(fn)
        if fn.provider != "azure" or role is None:
            continue
        for grant in role.grants:
            if grant.role.lower() not in _AZURE_BROAD_ROLES or grant.scope_kind not in ("subscription", "management-group"):
                continue
            yield Hit(
                loc=grant.loc,
                message=f"Managed identity of function {fn.name} is {grant.role} of the whole {grant.scope_kind} {grant.scope}",
                remediation="Replace the assignment with a narrow role (e.g. Storage Blob Data Reader) scoped to the "
                "one resource the function uses",
                resource=role.id,
                function=fn.name,
                severity=Severity.CRITICAL if grant.role.lower() != "contributor" else None,
                key=f"{grant.role}@{grant.scope}",
            )


@rule("FG-IAM-051", category="iam", severity=Severity.HIGH, title="Cloud Function can be invoked by allUsers")
def gcp_public_invoker(app: Application) -> Iterator[Hit]:
    """
    An IAM binding gives `allUsers` (anyone) or `allAuthenticatedUsers` (anyone with
    a Google account) the invoker role (`roles/cloudfunctions.invoker`, or
    `roles/run.invoker` on a 2nd-gen function's service): the function runs for
    unauthenticated callers.

    Bad:

    ```hcl
    resource "google_cloudfunctions_function_iam_member" "public" {
      cloud_function = google_cloudfunctions_function.api.name
      role           = "roles/cloudfunctions.invoker"
      member         = "allUsers"
    }
    ```

    Fix: grant the invoker role to the service accounts or groups that call the
    function; if it must be public, authenticate requests in the function (or with
    API Gateway / IAP) and limit ingress.
    """
    for fn in app.functions:
        invokers = fn.setting("public_invokers")
        if fn.provider != "gcp" or invokers is None or not invokers.value:
            continue
        yield Hit(
            loc=invokers.loc,
            message=f"Function {fn.name} can be invoked without authentication by {', '.join(invokers.value)}",
            remediation="Grant the invoker role to the specific service accounts or groups that call the function "
            "instead of allUsers/allAuthenticatedUsers",
            resource=fn.name,
            function=fn.name,
        )


@rule("FG-IAM-052", category="iam", severity=Severity.HIGH, title="Function service account holds a primitive role")
def gcp_primitive_role(app: Application) -> Iterator[Hit]:
    """
    The service account a Google Cloud Function runs as holds `roles/editor` or
    `roles/owner` on a project, folder or organization (`google_project_iam_member`
    and friends).

    Primitive roles grant thousands of permissions across every service; a function
    compromised through its input can read and change everything in the project.

    Bad:

    ```hcl
    resource "google_project_iam_member" "fn" {
      role   = "roles/editor"
      member = "serviceAccount:${google_service_account.fn.email}"
    }
    ```

    Fix: grant predefined roles for what the function does
    (`roles/datastore.user`, `roles/storage.objectViewer`), preferably on the
    resource rather than the project.
    """
    for fn in app.functions:
        role = app.role_of(fn)
        if fn.provider != "gcp" or role is None:
            continue
        for grant in role.grants:
            if grant.role not in _GCP_PRIMITIVE_ROLES:
                continue
            yield Hit(
                loc=grant.loc,
                message=f"Service account {role.id} of function {fn.name} holds {grant.role} on {grant.scope_kind} {grant.scope}",
                remediation=f"Replace {grant.role} with predefined roles for the services the function uses "
                "(e.g. roles/datastore.user), granted on the resources it needs",
                resource=role.id,
                function=fn.name,
                severity=Severity.CRITICAL if grant.role == "roles/owner" else None,
                key=f"{grant.role}@{grant.scope}",
            )


@rule("FG-IAM-053", category="iam", severity=Severity.MEDIUM, title="Cloud Function runs as the default service account")
def gcp_default_service_account(app: Application) -> Iterator[Hit]:
    """
    The Google Cloud Function sets no `service_account_email` (or names the App Engine
    or Compute Engine default account), so it runs as a default service account —
    which by default holds `roles/editor` on the whole project and is shared by
    every other function and VM that did not choose one.

    Bad:

    ```hcl
    resource "google_cloudfunctions2_function" "api" {
      service_config {
        # no service_account_email
      }
    }
    ```

    Fix: create a `google_service_account` for the function, grant it only the roles
    it needs, and set `service_account_email` to it.
    """
    for fn in app.functions:
        account = fn.setting("service_account")
        if fn.provider != "gcp" or account is None:
            continue
        value = str(account.value or "")
        if account.value is not None and not value.endswith(_GCP_DEFAULT_ACCOUNTS):
            continue
        which = f"the default service account {value}" if value else "the default service account (no service_account_email)"
        yield Hit(
            loc=account.loc,
            message=f"Function {fn.name} runs as {which}, which holds roles/editor on the project by default",
            remediation="Create a dedicated google_service_account with only the roles the function needs and set "
            "service_account_email to it",
            resource=fn.name,
            function=fn.name,
        )


# -- IAM in depth: risk classes, resource policies, isolation, least privilege (FG-IAM-020…) --
# These rules share one analysis per application (faasguard.iam.least_privilege.analyse):
# role permissions with wildcards, NotAction and AWS managed policies expanded, and the
# policy each function's code needs. The IAM database loads only when they run.


def _risk_hits(app: Application, kind: str, describe: str, fix: str) -> Iterator[Hit]:
    from faasguard.findings import Related
    from faasguard.iam.least_privilege import analyse
    from faasguard.iam.risk import escalation_link, risks, summarize

    iam = analyse(app)
    for role_id, perms in sorted(iam.permissions.items()):
        # Administrator policies allow every risk class at once; FG-IAM-003 already reports them.
        found = [r for r in risks(perms) if r.kind == kind and r.grant.source not in _COVERS_EVERYTHING]
        for fn in app.functions_with_role(role_id):
            for risk in found:
                stmt = risk.grant.statement
                where = f"managed policy {risk.grant.source}" if risk.grant.source != "inline" else f"policy {stmt.policy}"
                detail = f" ({summarize(risk.methods, 12)})" if risk.methods else ""
                link = escalation_link(risk.methods[0]) if risk.methods else None
                yield Hit(
                    loc=stmt.loc,
                    message=f"Role {role_id} of function {fn.name} allows {describe} on every resource{detail}: "
                    f"{summarize(risk.actions)} ({where})",
                    remediation=f"{fix}. How the {risk.methods[0]} path works: {link}" if link else fix,
                    resource=role_id,
                    function=fn.name,
                    severity=Severity.CRITICAL if kind == "privilege-escalation" and fn.is_public else None,
                    key=f"{kind}:{stmt.policy}:{stmt.identity}:{','.join(risk.actions[:20])}",
                    related=tuple(
                        Related(o.statement.loc.path, o.statement.loc.line, f"also needed: statement in {o.statement.policy}")
                        for o in risk.others
                    ),
                )


@rule("FG-IAM-020", category="iam", severity=Severity.HIGH, title="Function role allows privilege escalation")
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

    Fix: a function that must create functions passes one named role
    (`Resource: !GetAtt WorkerRole.Arn`, with an `iam:PassedToService` condition);
    everything else drops these actions.
    """
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


@rule("FG-IAM-021", category="iam", severity=Severity.MEDIUM, title="Function role can read data from every resource")
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


@rule("FG-IAM-022", category="iam", severity=Severity.HIGH, title="Function role can change resource policies")
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


@rule("FG-IAM-023", category="iam", severity=Severity.HIGH, title="Function role can obtain credentials")
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


@rule("FG-IAM-024", category="iam", severity=Severity.MEDIUM, title="Function role can modify infrastructure")
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
    from faasguard.iam.least_privilege import analyse

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
            accounts = sorted(
                {m for p in stmt.principals for m in re.findall(r"(?<![0-9])([0-9]{12})(?![0-9])", p)}
            )
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


@rule("FG-IAM-026", category="iam", severity=Severity.MEDIUM, title="Function can invoke or modify other functions")
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
    from faasguard.iam.least_privilege import Resources, analyse
    from faasguard.iam.risk import summarize

    iam = analyse(app)
    res = Resources(app)
    for fn in app.functions:
        perms = iam.permissions.get(fn.role_id or "")
        if perms is None:
            continue
        called = {n.resource for n in iam.policies[fn.name].needs if n.action in _LAMBDA_INVOKE}
        for grant in perms.allows():
            actions = perms.effective(grant) & (_LAMBDA_INVOKE | _LAMBDA_MODIFY)
            if not actions or grant.source in _COVERS_EVERYTHING:
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
        return (
            f"{where}: {statements} (faasguard policy --format terraform prints the same as an "
            "aws_iam_policy_document)"
        )
    if app.format == "serverless":
        where = (
            f"Replace the statement in {policy} with"
            if inline
            else f"Remove {source} from provider.iam.role.managedPolicies and add to provider.iam.role.statements"
        )
        return f"{where}: {statements}"
    return f"{'Replace it with' if inline else f'Detach {source} and add'}: {statements}"


@rule("FG-IAM-030", category="iam", severity=Severity.MEDIUM, title="Role grants actions its functions never use")
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
    from faasguard.iam.actions import PERMISSIONS, WRITE, action_index
    from faasguard.iam.least_privilege import analyse, statement_use, statements_for
    from faasguard.iam.render import inline
    from faasguard.iam.risk import summarize

    iam = analyse(app)
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
            replacement = statements_for(use.needs)
            if replacement:
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


@rule("FG-IAM-031", category="iam", severity=Severity.MEDIUM, title="Code calls an AWS API its role does not allow")
def missing_permissions(app: Application) -> Iterator[Hit]:
    """
    The function's code makes an SDK call whose IAM action its role does not grant
    on the resource the call touches (or an explicit `Deny` or the permissions
    boundary removes it). The call fails at run time with `AccessDenied`, usually
    in production, on the first request that takes that path.

    Only reported when the role is fully known (no customer managed policies or
    boundaries defined elsewhere).

    Bad: the handler calls `table.update_item(...)`; the role has
    `DynamoDBReadPolicy`. Fix: grant `dynamodb:UpdateItem` on the table
    (`DynamoDBCrudPolicy`, or an inline statement).
    """
    from faasguard.iam.least_privilege import analyse, statements_for
    from faasguard.iam.render import inline

    iam = analyse(app)
    for fn in app.functions:
        perms = iam.permissions.get(fn.role_id or "")
        if perms is None or not perms.complete:
            continue
        seen: set[tuple[str, str]] = set()
        for need in iam.policies[fn.name].needs:
            if need.platform or need.loc is None or (need.action, need.resource) in seen:
                continue
            seen.add((need.action, need.resource))
            if perms.is_allowed(need.action, need.resource):
                continue
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
    from faasguard.iam.actions import action_index

    info = action_index().get(action)
    return bool(info and info.resource_types)


@rule("FG-IAM-032", category="iam", severity=Severity.MEDIUM, title="Wildcard resource where the code uses one named resource")
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
    from faasguard.iam.least_privilege import analyse, statement_use, statements_for
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
            code = [n for n in use.needs if not n.platform and _scopable(n.action)]
            if not code or any(n.resource == "*" for n in code):
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
                + inline(statements_for(code), app),
                resource=role_id,
                function=holders[0],
                key=f"{stmt.policy}:{stmt.identity}",
            )
