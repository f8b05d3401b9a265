"""Azure Functions and Google Cloud Functions rules (FG-*-050..069) beyond the shared fire/quiet pairs.

The basic must-fire/must-stay-quiet pair of each rule lives in ``tests/formats/expectations.py``
(``tests/fixtures/formats/terraform/<concept>/``); these cover provider defaults, severities
and the variants a user writes.
"""

from __future__ import annotations

import textwrap

from faasguard.findings import Severity
from tests.conftest import by_rule

LEGACY_AZURE = """
resource "azurerm_function_app" "billing" {
  name                       = "billing"
  location                   = "westeurope"
  resource_group_name        = "rg"
  app_service_plan_id        = "plan"
  storage_account_name       = "billing"
  storage_account_access_key = var.storage_key
  version                    = "~3"

  identity {
    type = "SystemAssigned"
  }
}

resource "azurerm_role_assignment" "owner" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "Owner"
  principal_id         = azurerm_function_app.billing.identity[0].principal_id
}

resource "azurerm_role_assignment" "rg" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/billing"
  role_definition_name = "Contributor"
  principal_id         = azurerm_function_app.billing.identity[0].principal_id
}
"""


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(textwrap.dedent(text).lstrip("\n").splitlines(), 1) if needle in line)


def test_legacy_function_app_defaults_are_reported_at_the_resource(scan_files):
    result = scan_files({"main.tf": LEGACY_AZURE}, rules={"FG-NET-050", "FG-NET-051", "FG-NET-052", "FG-SUP-001"})
    [http] = by_rule(result, "FG-NET-050")
    assert http.line == 1 and "https_only is not set" in http.message
    [ftp] = by_rule(result, "FG-NET-052")
    assert ftp.line == 1 and "defaults to AllAllowed" in ftp.message
    assert by_rule(result, "FG-NET-051") == []  # the default minimum TLS is 1.2
    [host] = by_rule(result, "FG-SUP-001")  # version = "~3" is an end-of-life Functions host
    assert host.line == _line(LEGACY_AZURE, 'version                    = "~3"') and "host:~3" in host.message


def test_subscription_owner_is_critical_and_resource_group_scope_is_not_reported(scan_files):
    result = scan_files({"main.tf": LEGACY_AZURE}, rules={"FG-IAM-050"})
    [owner] = by_rule(result, "FG-IAM-050")
    assert owner.line == _line(LEGACY_AZURE, '"Owner"')
    assert owner.severity == Severity.CRITICAL
    assert owner.function == "azurerm_function_app.billing" and "Owner of the whole subscription" in owner.message


GCP = """
resource "google_service_account" "worker" {
  account_id = "worker"
}

resource "google_cloudfunctions_function" "worker" {
  name                        = "worker"
  runtime                     = "python312"
  trigger_http                = true
  https_trigger_security_level = "SECURE_OPTIONAL"
  service_account_email       = google_service_account.worker.email
}

resource "google_project_iam_binding" "owners" {
  project = "shop-prod"
  role    = "roles/owner"
  members = [
    "user:admin@example.com",
    "serviceAccount:${google_service_account.worker.email}",
  ]
}

resource "google_cloudfunctions_function" "legacy" {
  name                  = "legacy"
  runtime               = "python312"
  trigger_http          = true
  service_account_email = "shop-prod@appspot.gserviceaccount.com"
}
"""


def test_gcp_variants(scan_files):
    result = scan_files({"main.tf": GCP}, rules={"FG-NET-050", "FG-IAM-052", "FG-IAM-053", "FG-MON-001", "FG-MON-003"})
    [http] = by_rule(result, "FG-NET-050")
    assert (http.line, http.function) == (_line(GCP, "https_trigger_security_level"), "google_cloudfunctions_function.worker")
    [owner] = by_rule(result, "FG-IAM-052")
    assert owner.line == _line(GCP, '"roles/owner"') and owner.severity == Severity.CRITICAL
    assert owner.resource == "google_service_account.worker"
    [default] = by_rule(result, "FG-IAM-053")  # the App Engine default account, named explicitly
    assert default.function == "google_cloudfunctions_function.legacy" and "appspot" in default.message
    assert by_rule(result, "FG-MON-001") == [] and by_rule(result, "FG-MON-003") == []  # X-Ray/CloudWatch are AWS-only


def test_azure_rules_stay_quiet_on_aws_functions(scan_files):
    aws = """
    resource "aws_lambda_function" "api" {
      function_name = "api"
      handler       = "app.handler"
      runtime       = "python3.12"
      role          = "arn:aws:iam::123456789012:role/api"
    }
    """
    rules = {f"FG-NET-05{i}" for i in range(5)} | {f"FG-IAM-05{i}" for i in range(4)} | {"FG-MON-050"}
    result = scan_files({"main.tf": aws}, rules=rules)
    assert result.functions == 1
    assert result.findings == []
