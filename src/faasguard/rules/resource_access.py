"""Who may call or read a resource, checked on its own (category `iam`).

Resource policies are part of a template whether or not a function of the same
source uses the resource: a queue in a shared stack, a topic in an `sns.tf`, a Lambda
permission in the stack of the API that calls a function deployed elsewhere. These
rules read :class:`~faasguard.model.Permission` and
:class:`~faasguard.model.ResourcePolicy` directly; when a function of the source
uses a queue, topic, bucket or secret, FG-IAM-025 reports its policy with the
function instead, and FG-IAM-011 stays quiet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from faasguard.findings import Severity
from faasguard.model import Application, Statement
from faasguard.registry import Hit, rule
from faasguard.rules.wording import fix

_INVOKE = {"lambda:invokefunction", "lambda:invokefunctionurl", "lambda:invokeasync"}
_READ_ONLY = re.compile(r"^lambda:(get|list)", re.IGNORECASE)


@rule(
    "FG-IAM-010",
    category="iam",
    severity=Severity.HIGH,
    title="Lambda permission grants more than invoking",
    over="permissions",
)
def permission_beyond_invoke(app: Application) -> Iterator[Hit]:
    """
    A Lambda permission (`AWS::Lambda::Permission`, `aws_lambda_permission`) grants
    an action other than `lambda:InvokeFunction` — `lambda:*`, `*`,
    `lambda:UpdateFunctionCode`, `lambda:AddPermission` …

    A resource policy on a function is meant to say who may invoke it. Any other
    action lets that principal read the function's code and environment
    (`GetFunction`), replace its code, or grant itself more; with `lambda:*` the
    function is theirs. High for wildcards and changes, medium for read-only
    actions. Checked on every permission, also when the function lives in another
    stack.

    Bad:

    ```yaml
    InvokeFromPartner:
      Type: AWS::Lambda::Permission
      Properties:
        FunctionName: !Ref Orders
        Action: lambda:*
        Principal: "123456789012"
    ```

    Fix: `Action: lambda:InvokeFunction` (function URLs: `lambda:InvokeFunctionUrl`).
    """
    for perm in app.permissions:
        action = perm.action.strip()
        if not action or "${" in action or action.lower() in _INVOKE:
            continue
        target = f"function {perm.function}" if perm.function else "the function it names"
        read_only = bool(_READ_ONLY.match(action)) and "*" not in action
        yield Hit(
            loc=perm.loc,
            message=f"Permission {perm.id} grants {action} on {target} to {perm.principal or 'its principal'}, "
            "not only lambda:InvokeFunction",
            remediation=fix(
                app.format,
                cfn=f"Set Action: lambda:InvokeFunction on {perm.id}",
                cdk=f"Grant only invocation (fn.addPermission with action: 'lambda:InvokeFunction', or fn.grantInvoke) "
                f"instead of {action} in {perm.id}",
                terraform=f'Set action = "lambda:InvokeFunction" on {perm.id}',
            ),
            resource=perm.id,
            function=perm.function,
            severity=Severity.MEDIUM if read_only else None,
            key=action,
        )


# Conditions that tie a "*" principal to known callers (as FG-IAM-025 reads them), and network ones.
_SCOPING_KEYS = {
    "aws:sourcearn", "aws:sourceaccount", "aws:principalorgid", "aws:principalaccount", "aws:sourcevpce",
    "aws:sourcevpc", "aws:sourceowner", "aws:principalarn", "aws:sourceorgid", "aws:userid", "aws:principalorgpaths",
    "aws:sourceip", "aws:calledvia", "aws:principalservicename",
}  # fmt: skip
_READ_ACTIONS = re.compile(r"^s3:(Get|List)[A-Za-z]*$", re.IGNORECASE)
_KIND_NAMES = {"s3": "Bucket", "sqs": "Queue", "sns": "Topic", "secretsmanager": "Secret"}


def _used_by_a_function(app: Application, target: str | None) -> bool:
    """Does a function of the source use this resource (by role, trigger or environment)? Then FG-IAM-025 speaks."""
    if target is None:
        return False
    for fn in app.functions:
        if any(t.source == target for t in fn.triggers) or any(e.ref == target for e in fn.environment):
            return True
        role = app.role_of(fn)
        if role is not None and any(target in app.referenced_ids(r) for s in role.statements for r in s.resources):
            return True
    return False


def _public(stmt: Statement) -> bool:
    return stmt.allows and any(p in ("*", "AWS:*") for p in stmt.principals) and not (stmt.condition_keys() & _SCOPING_KEYS)


@rule(
    "FG-IAM-011",
    category="iam",
    severity=Severity.HIGH,
    title="Resource policy lets anyone use a queue, topic, bucket or secret",
    over="resource_policies",
)
def public_resource_policy(app: Application) -> Iterator[Hit]:
    """
    A queue, topic, bucket or secret policy allows `Principal: "*"` with no
    condition that limits who the caller is (`aws:SourceArn`, `aws:SourceAccount`,
    `aws:PrincipalOrgID`, `aws:SourceVpce`, `aws:SourceIp` …).

    Anyone with an AWS account can then send messages to the queue, publish to or
    subscribe to the topic, read or overwrite the bucket's objects, or read the
    secret. High; low when the policy only lets anyone read a bucket's objects
    (a public website bucket does that on purpose, but check it holds nothing else).
    Reported for resources no function of the source uses; FG-IAM-025 reports
    the others with the function.

    Bad:

    ```yaml
    QueuePolicy:
      Type: AWS::SQS::QueuePolicy
      Properties:
        Queues: [!Ref Orders]
        PolicyDocument:
          Statement:
            - {Effect: Allow, Principal: "*", Action: sqs:SendMessage, Resource: !GetAtt Orders.Arn}
    ```

    Fix: name the principal (a service with an `aws:SourceArn` condition, an
    account, a role), or add an `aws:SourceArn` / `aws:PrincipalOrgID` condition.
    """
    for policy in app.resource_policies:
        if _used_by_a_function(app, policy.target):
            continue
        for stmt in policy.statements:
            if not _public(stmt):
                continue
            actions = stmt.actions or stmt.not_actions
            read_only = policy.kind == "s3" and bool(actions) and all(_READ_ACTIONS.match(a) for a in actions)
            what = _KIND_NAMES.get(policy.kind, "Resource")
            on = f" on {what.lower()} {policy.target}" if policy.target and policy.target != policy.id else ""
            yield Hit(
                loc=stmt.loc if stmt.loc.line else policy.loc,
                message=f"{what} policy {policy.id}{on} allows anyone (Principal *) "
                f"{', '.join(actions) or 'every action'} with no condition on the caller",
                remediation=fix(
                    app.format,
                    cfn=f"Name the principal in this statement of {policy.id} (a service with an aws:SourceArn "
                    "condition, an account or a role), or add an aws:SourceArn / aws:PrincipalOrgID condition",
                    cdk=f"Grant to a named principal (grantSendMessages / grantPublish / grantRead on a role, or a "
                    f"ServicePrincipal with conditions) instead of AnyPrincipal in {policy.id}",
                    terraform=f"Name the principal in this statement of {policy.id} (principals block or Principal in "
                    "jsonencode: a service with an aws:SourceArn condition, an account or a role), or add an "
                    "aws:SourceArn / aws:PrincipalOrgID condition",
                ),
                resource=policy.target or policy.id,
                severity=Severity.LOW if read_only else None,
                key=f"{policy.id}:{stmt.identity}",
            )


# -- Azure function apps ---------------------------------------------------------------------------


@rule(
    "FG-IAM-060",
    category="iam",
    severity=Severity.LOW,
    title="Function app without App Service authentication",
    over="functions",
)
def azure_app_without_auth(app: Application) -> Iterator[Hit]:
    """
    An Azure function app has no App Service authentication ("Easy Auth":
    `auth_settings_v2 { auth_enabled = true }`, or `auth_settings { enabled = true }`
    on the legacy resources).

    Its HTTP functions are then protected only by function keys, when their
    `authLevel` asks for one — shared secrets that travel in the URL or a header,
    are copied between clients and cannot identify a user. Anonymous functions are
    open to anyone. Low: function keys may be all the app needs.

    Bad:

    ```hcl
    resource "azurerm_linux_function_app" "orders" {
      # no auth_settings_v2
    }
    ```

    Fix:

    ```hcl
      auth_settings_v2 {
        auth_enabled           = true
        require_authentication = true
        active_directory_v2 { client_id = var.client_id  tenant_auth_endpoint = var.tenant_endpoint }
        login {}
      }
    ```
    """
    for fn in app.functions:
        if not fn.settings:
            continue  # nothing to read (most functions have no provider settings)
        setting = fn.setting("auth_enabled")
        if fn.provider != "azure" or setting is None or setting.value is not False:
            continue
        how = "auth_settings_v2.auth_enabled is false" if setting.explicit else "no auth_settings_v2 block"
        yield Hit(
            loc=setting.loc,
            message=f"Function app {fn.name} has no App Service authentication ({how}): HTTP functions are protected "
            "by function keys at most",
            remediation=f"Add auth_settings_v2 {{ auth_enabled = true, require_authentication = true, and an identity "
            f"provider (active_directory_v2 …) }} to {fn.name}",
            resource=fn.name,
            function=fn.name,
        )


@rule("FG-IAM-061", category="iam", severity=Severity.LOW, title="Function app without a managed identity", over="functions")
def azure_app_without_identity(app: Application) -> Iterator[Hit]:
    """
    An Azure function app has no managed identity (no `identity` block).

    Without one, the app can reach storage, Key Vault, databases and other Azure
    services only with connection strings, account keys or client secrets kept in
    its app settings — long-lived credentials that leak with a settings export and
    are rarely rotated. With a managed identity, Azure issues short-lived tokens and
    role assignments say what the app may do.

    Bad:

    ```hcl
    resource "azurerm_linux_function_app" "orders" {
      app_settings = { "DB_CONNECTION" = "Server=…;Password=…" }
    }
    ```

    Fix: `identity { type = "SystemAssigned" }` (or a user-assigned identity), role
    assignments for what the app reaches, and Key Vault references
    (`@Microsoft.KeyVault(SecretUri=…)`) for the secrets that remain.
    """
    for fn in app.functions:
        if not fn.settings:
            continue  # nothing to read (most functions have no provider settings)
        setting = fn.setting("identity")
        if fn.provider != "azure" or setting is None or setting.value or setting.explicit:
            continue
        yield Hit(
            loc=setting.loc,
            message=f"Function app {fn.name} has no managed identity: it can reach other Azure services only with "
            "secrets in its app settings",
            remediation=f'Add identity {{ type = "SystemAssigned" }} to {fn.name}, grant it roles with '
            "azurerm_role_assignment, and replace connection strings in app_settings with identity-based "
            "connections or Key Vault references",
            resource=fn.name,
            function=fn.name,
        )
