"""Rules of the ``iam`` category for Azure Functions and Google Cloud Functions (FG-IAM-050…069)."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.findings import Severity
from faasguard.model import Application
from faasguard.registry import Hit, rule

# -- Azure Functions and Google Cloud Functions (FG-IAM-050..069) ------------------------------
# Azure role assignments and GCP IAM roles arrive as Role.grants; public invoker bindings and
# the service account as Function.settings (faasguard.loaders.terraform_azure / terraform_gcp).

_AZURE_BROAD_ROLES = {"owner", "contributor", "user access administrator"}
_GCP_PRIMITIVE_ROLES = {"roles/owner", "roles/editor"}
_GCP_DEFAULT_ACCOUNTS = ("@appspot.gserviceaccount.com", "-compute@developer.gserviceaccount.com")


@rule(
    "FG-IAM-050",
    category="iam",
    severity=Severity.HIGH,
    title="Function identity is Owner or Contributor of a subscription",
    over="functions",
)
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


@rule("FG-IAM-051", category="iam", severity=Severity.HIGH, title="Cloud Function can be invoked by allUsers", over="functions")
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
        if not fn.settings:
            continue  # nothing to read (most functions have no provider settings)
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


@rule(
    "FG-IAM-052",
    category="iam",
    severity=Severity.HIGH,
    title="Function service account holds a primitive role",
    over="functions",
)
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


@rule(
    "FG-IAM-053",
    category="iam",
    severity=Severity.MEDIUM,
    title="Cloud Function runs as the default service account",
    over="functions",
)
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
        if not fn.settings:
            continue  # nothing to read (most functions have no provider settings)
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
