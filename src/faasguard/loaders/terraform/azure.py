"""azurerm function apps and role assignments → the application model (``provider="azure"``).

``azurerm_linux_function_app``, ``azurerm_windows_function_app`` and the legacy
``azurerm_function_app`` become functions named by their address. App settings are the
function's environment; a Key Vault reference (``@Microsoft.KeyVault(...)``) is not a
literal. The app's managed identity is its role (id ``<app address>.identity``, or the
``azurerm_user_assigned_identity`` address); ``azurerm_role_assignment`` resources whose
``principal_id`` names that identity become its :class:`~faasguard.model.RoleGrant`.

Settings with no AWS field go to ``Function.settings`` with the provider's default when
the source leaves them out (``explicit=False``):

| name | value | azurerm default (linux/windows · legacy) |
| --- | --- | --- |
| ``https_only`` | bool | false · false |
| ``min_tls_version`` | "1.0" / "1.1" / "1.2" / "1.3" | "1.2" · "1.2" |
| ``ftps_state`` | AllAllowed / FtpsOnly / Disabled | Disabled · AllAllowed |
| ``cors_origins`` | tuple of origins | () |
| ``auth_enabled`` | bool (auth_settings / auth_settings_v2) | false |
| ``public_network_access`` | bool | true |
| ``identity`` | SystemAssigned / UserAssigned / … or None | None |
| ``app_insights`` | bool: a connection string or key is configured | false |
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from faasguard.loaders.terraform.module import Block, Module
from faasguard.loaders.terraform.refs import addresses_in, as_bool
from faasguard.model import Application, EnvVar, Function, Loc, Role, RoleGrant, Setting

APP_TYPES = (
    "azurerm_linux_function_app",
    "azurerm_windows_function_app",
    "azurerm_function_app",
    # Deployment slots are function apps of their own: same settings, same exposure.
    "azurerm_linux_function_app_slot",
    "azurerm_windows_function_app_slot",
    "azurerm_function_app_slot",
)
_LEGACY = ("azurerm_function_app", "azurerm_function_app_slot")
_KEY_VAULT_REF = re.compile(r"^\s*@Microsoft\.KeyVault\(", re.IGNORECASE)
_INSIGHTS_SETTINGS = ("APPINSIGHTS_INSTRUMENTATIONKEY", "APPLICATIONINSIGHTS_CONNECTION_STRING")
_STACKS = (
    ("python_version", "python"),
    ("node_version", "node"),
    ("dotnet_version", "dotnet"),
    ("java_version", "java"),
    ("powershell_core_version", "powershell"),
)


def build_azure(module: Module, app: Application) -> None:
    assignments = list(module.of_type("azurerm_role_assignment"))
    for block in module.of_type(*APP_TYPES):
        fn = _function(module, block)
        if fn.role_id:
            grants = tuple(g for a in assignments if (g := _grant(module, a, block.address, fn.role_id)) is not None)
            app.roles[fn.role_id] = Role(fn.role_id, fn.loc, grants=grants)
        app.functions.append(fn)


def _function(module: Module, block: Block) -> Function:
    s = module.scope
    legacy = block.kind in _LEGACY
    site = block.block("site_config")
    settings: list[Setting] = []

    def setting(name: str, holder: Block | None, attr: str, default: Any, convert: Any = None) -> None:
        if holder is not None and holder.has(attr):
            raw = s.scalar(holder.get(attr))
            value = convert(raw) if convert and raw is not None else raw
            settings.append(Setting(name, value, holder.attr_loc(attr)))
        else:
            settings.append(Setting(name, default, (holder or block).loc(), explicit=False))

    setting("https_only", block, "https_only", False, as_bool)
    setting("min_tls_version", site, "min_tls_version" if legacy else "minimum_tls_version", "1.2", str)
    setting("ftps_state", site, "ftps_state", "AllAllowed" if legacy else "Disabled", str)
    setting("public_network_access", block, "public_network_access_enabled", True, as_bool)
    cors = site.block("cors") if site else None
    if cors is not None and cors.has("allowed_origins"):
        settings.append(Setting("cors_origins", tuple(s.texts(cors.get("allowed_origins"))), cors.attr_loc("allowed_origins")))
    else:
        settings.append(Setting("cors_origins", (), block.loc(), explicit=False))
    auth = block.block("auth_settings")
    auth_v2 = block.block("auth_settings_v2")
    if auth_v2 is not None:
        settings.append(Setting("auth_enabled", bool(as_bool(s.scalar(auth_v2.get("auth_enabled")))), auth_v2.loc()))
    elif auth is not None:
        settings.append(Setting("auth_enabled", bool(as_bool(s.scalar(auth.get("enabled")))), auth.attr_loc("enabled")))
    else:
        settings.append(Setting("auth_enabled", False, block.loc(), explicit=False))

    env: list[EnvVar] = []
    app_settings = block.get("app_settings")
    after = block.attr_line("app_settings")
    names: set[str] = set()
    if isinstance(app_settings, Mapping):
        for name, raw in app_settings.items():
            names.add(str(name).upper())
            literal = s.is_literal(raw) and not _KEY_VAULT_REF.match(s.text(raw))
            env.append(EnvVar(str(name), s.text(raw) if literal else None, literal, block.key_loc(str(name), after)))
    elif app_settings is not None:
        env.append(EnvVar("*", None, False, block.attr_loc("app_settings")))
    insights = bool(names & set(_INSIGHTS_SETTINGS)) or any(
        site is not None and site.has(a) for a in ("application_insights_connection_string", "application_insights_key")
    )
    settings.append(Setting("app_insights", insights, block.loc(), explicit=insights))

    identity = block.block("identity")
    role_id = None
    if identity is not None:
        kind = str(s.scalar(identity.get("type")) or "")
        settings.append(Setting("identity", kind or None, identity.attr_loc("type")))
        user_ids = [a for raw in (identity.get("identity_ids") or []) if isinstance(raw, str) for a in addresses_in(raw)]
        if "SystemAssigned" in kind:
            role_id = f"{block.address}.identity"
        elif user_ids:
            role_id = user_ids[0]
    else:
        settings.append(Setting("identity", None, block.loc(), explicit=False))
    runtime, runtime_loc = _runtime(module, block, site, legacy, app_settings)
    return Function(
        name=block.address,
        loc=block.loc(),
        provider="azure",
        runtime=runtime,
        runtime_loc=runtime_loc,
        environment=tuple(env),
        role_id=role_id,
        source_resource=block.kind,
        settings=tuple(settings),
    )


def _runtime(module: Module, block: Block, site: Block | None, legacy: bool, app_settings: Any) -> tuple[str | None, Loc | None]:
    s = module.scope
    stack = site.block("application_stack") if site else None
    if stack is not None:
        for attr, language in _STACKS:
            version = s.scalar(stack.get(attr))
            if isinstance(version, str | int | float) and str(version):
                text = str(version).lstrip("~v").lower()
                major = text.split(".")[0] if language in ("node", "dotnet", "java") else text
                return f"{language}:{major}", stack.attr_loc(attr)
    attr = "version" if legacy else "functions_extension_version"
    version = s.scalar(block.get(attr))
    if isinstance(version, str) and version.startswith("~"):
        return f"host:{version}", block.attr_loc(attr)
    return None, None


def _grant(module: Module, assignment: Block, app_address: str, role_id: str) -> RoleGrant | None:
    s = module.scope
    principal = assignment.get("principal_id")
    named = addresses_in(principal) if isinstance(principal, str) else []
    if app_address not in named and role_id not in named:
        return None
    scope_raw = assignment.get("scope")
    role = s.text(assignment.get("role_definition_name")) or s.text(assignment.get("role_definition_id"))
    attr = "role_definition_name" if assignment.has("role_definition_name") else "scope"
    return RoleGrant(
        role=role,
        scope=s.text(scope_raw),
        scope_kind=azure_scope_kind(module, scope_raw),
        member=s.text(principal),
        loc=assignment.attr_loc(attr),
    )


def azure_scope_kind(module: Module, raw: Any) -> str:
    """What an Azure ``scope`` names: a literal id, or a reference to a subscription/resource group data source."""
    address = module.target(raw)
    if address:
        block = module.lookup(address)
        kind = block.kind if block else address.split(".")[-2]
        if kind in ("azurerm_subscription", "azurerm_subscriptions"):
            return "subscription"
        if kind == "azurerm_resource_group":
            return "resource-group"
        if kind == "azurerm_management_group":
            return "management-group"
        return "resource"
    text = module.scope.text(raw).rstrip("/").lower()
    if text.startswith("/providers/microsoft.management/managementgroups/"):
        return "management-group"
    parts = [p for p in text.split("/") if p]
    if len(parts) == 2 and parts[0] == "subscriptions":
        return "subscription"
    if len(parts) == 4 and parts[0] == "subscriptions" and parts[2] == "resourcegroups":
        return "resource-group"
    if text == "/" or not parts:
        return "management-group"
    return "resource"
