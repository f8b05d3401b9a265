"""google Cloud Functions (1st and 2nd gen) → the application model (``provider="gcp"``).

``google_cloudfunctions_function`` and ``google_cloudfunctions2_function`` become
functions named by their address. ``environment_variables`` are the environment;
``secret_environment_variables`` come from Secret Manager and are never literals. The
function's service account is its role (id ``google_service_account.<name>`` or the
literal e-mail); ``google_project_iam_member``/``_binding`` (and folder/organization
variants) that name it become :class:`~faasguard.model.RoleGrant` entries. Invoker
bindings for ``allUsers``/``allAuthenticatedUsers`` (``*_function_iam_member``/``_binding``,
the Cloud Run service IAM of a 2nd-gen function, or ``google_iam_policy`` data) make the
HTTP trigger unauthenticated.

Settings in ``Function.settings`` (``explicit=False`` for a provider default):

| name | value | default |
| --- | --- | --- |
| ``ingress`` | ALLOW_ALL / ALLOW_INTERNAL_ONLY / ALLOW_INTERNAL_AND_GCLB | ALLOW_ALL |
| ``public_invokers`` | tuple of ``"allUsers"`` / ``"allAuthenticatedUsers"``, at the binding's line | () |
| ``service_account`` | the e-mail/address, or None: the default (Editor-holding) service account | None |
| ``vpc_egress`` | PRIVATE_RANGES_ONLY / ALL_TRAFFIC, or None without a connector | None |
| ``https_only`` | 1st gen HTTP functions: ``https_trigger_security_level`` is SECURE_ALWAYS (only when set) | — |
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from faasguard.loaders import looks
from faasguard.loaders.terraform.module import Block, Module
from faasguard.loaders.terraform.refs import addresses_in, as_bool, as_int
from faasguard.model import Application, EnvVar, Function, Loc, Role, RoleGrant, Setting, Trigger

GEN1 = "google_cloudfunctions_function"
GEN2 = "google_cloudfunctions2_function"
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
INVOKER_ROLES = ("roles/cloudfunctions.invoker", "roles/run.invoker")
_INVOKER_IAM = (
    "google_cloudfunctions_function_iam_member",
    "google_cloudfunctions_function_iam_binding",
    "google_cloudfunctions2_function_iam_member",
    "google_cloudfunctions2_function_iam_binding",
    "google_cloud_run_service_iam_member",
    "google_cloud_run_service_iam_binding",
    "google_cloud_run_v2_service_iam_member",
    "google_cloud_run_v2_service_iam_binding",
)
_POLICY_IAM = (
    "google_cloudfunctions_function_iam_policy",
    "google_cloudfunctions2_function_iam_policy",
    "google_cloud_run_service_iam_policy",
    "google_cloud_run_v2_service_iam_policy",
)
_SCOPED_IAM = {
    "google_project_iam_member": ("project", "project"),
    "google_project_iam_binding": ("project", "project"),
    "google_folder_iam_member": ("folder", "folder"),
    "google_folder_iam_binding": ("folder", "folder"),
    "google_organization_iam_member": ("organization", "org_id"),
    "google_organization_iam_binding": ("organization", "org_id"),
}


def build_gcp(module: Module, app: Application) -> None:
    for block in module.of_type(GEN1, GEN2):
        fn = _function(module, block)
        if fn.role_id:
            app.roles[fn.role_id] = Role(
                fn.role_id,
                fn.loc,
                external=not fn.role_id.startswith("google_service_account."),
                grants=tuple(_grants(module, fn.role_id)),
            )
        app.functions.append(fn)


def _function(module: Module, block: Block) -> Function:
    s = module.scope
    gen2 = block.kind == GEN2
    build = block.block("build_config") if gen2 else None
    service = block.block("service_config") if gen2 else None
    holder = service if gen2 else block
    settings: list[Setting] = []

    def attr(owner: Block | None, name: str) -> Any:
        return s.scalar(owner.get(name)) if owner is not None and owner.has(name) else None

    def loc(owner: Block | None, name: str) -> Loc:
        return owner.attr_loc(name) if owner is not None and owner.has(name) else (owner or block).loc()

    ingress = str(attr(holder, "ingress_settings") or "ALLOW_ALL")
    settings.append(
        Setting(
            "ingress", ingress, loc(holder, "ingress_settings"), explicit=holder is not None and holder.has("ingress_settings")
        )
    )
    egress = attr(holder, "vpc_connector_egress_settings")
    settings.append(Setting("vpc_egress", egress, loc(holder, "vpc_connector_egress_settings"), explicit=egress is not None))
    account_raw = holder.get("service_account_email") if holder is not None else None
    role_id = None
    if account_raw is not None:
        address = module.target(account_raw)
        role_id = address if address and address.startswith("google_service_account.") else s.text(account_raw)
        settings.append(Setting("service_account", role_id, loc(holder, "service_account_email")))
    else:
        settings.append(Setting("service_account", None, block.loc(), explicit=False))
    if not gen2 and block.has("https_trigger_security_level"):
        level = str(attr(block, "https_trigger_security_level") or "")
        settings.append(Setting("https_only", level == "SECURE_ALWAYS", loc(block, "https_trigger_security_level")))

    env: list[EnvVar] = []
    variables = holder.get("environment_variables") if holder is not None else None
    after = holder.attr_line("environment_variables") if holder is not None else None
    if isinstance(variables, Mapping) and holder is not None:
        for name, raw in variables.items():
            literal = s.is_literal(raw)
            env.append(EnvVar(str(name), s.text(raw) if literal else None, literal, holder.key_loc(str(name), after)))
    elif variables is not None and holder is not None:
        env.append(EnvVar("*", None, False, holder.attr_loc("environment_variables")))
    for secret in holder.blocks("secret_environment_variables") if holder is not None else []:
        env.append(EnvVar(s.text(secret.get("key")), None, False, secret.loc()))

    invokers = list(_public_invokers(module, block))
    if invokers:
        settings.append(Setting("public_invokers", tuple(sorted({m for m, _ in invokers})), invokers[0][1]))
    else:
        settings.append(Setting("public_invokers", (), block.loc(), explicit=False))
    triggers = []
    event = block.block("event_trigger")
    http = (not gen2 and bool(as_bool(s.scalar(block.get("trigger_http"))))) or (gen2 and event is None)
    if http:
        trigger_loc = invokers[0][1] if invokers else loc(block, "trigger_http") if not gen2 else block.loc()
        triggers.append(Trigger("http", None, trigger_loc, public=ingress != "ALLOW_INTERNAL_ONLY", authenticated=not invokers))
    if event is not None:
        event_type = s.text(event.get("event_type")).lower()
        kind = "pubsub" if "pubsub" in event_type else "storage" if "storage" in event_type else "other"
        source = module.target(event.get("pubsub_topic") or event.get("resource"))
        triggers.append(Trigger(kind, source, event.loc(), asynchronous=True))

    runtime_holder = build if gen2 else block
    runtime = attr(runtime_holder, "runtime")
    memory_raw = attr(holder, "available_memory") if gen2 else attr(block, "available_memory_mb")
    timeout_attr = "timeout_seconds" if gen2 else "timeout"
    return Function(
        name=block.address,
        loc=block.loc(),
        provider="gcp",
        runtime=str(runtime) if runtime is not None else None,
        runtime_loc=loc(runtime_holder, "runtime") if runtime is not None else None,
        handler=str(attr(build if gen2 else block, "entry_point") or "") or None,
        code_dir=_code_dir(module, block, build),
        memory=_memory_mb(memory_raw),
        memory_loc=loc(holder, "available_memory" if gen2 else "available_memory_mb") if memory_raw is not None else None,
        timeout=as_int(attr(holder, timeout_attr)),
        timeout_loc=loc(holder, timeout_attr) if attr(holder, timeout_attr) is not None else None,
        environment=tuple(env),
        role_id=role_id,
        triggers=tuple(triggers),
        source_resource=block.kind,
        settings=tuple(settings),
    )


def _memory_mb(raw: Any) -> int | None:
    if raw is None:
        return None
    text = str(raw).strip()
    units = {"Gi": 1024, "G": 1000, "Mi": 1, "M": 1}
    for unit, factor in units.items():
        if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).isdigit():
            return int(float(text[: -len(unit)]) * factor)
    return as_int(text)


def _code_dir(module: Module, block: Block, build: Block | None) -> Path | None:
    """The ``archive_file`` source behind the function's storage object, when it is in this module."""
    s = module.scope
    obj_raw = block.get("source_archive_object")
    if build is not None:
        source = build.block("source")
        storage = source.block("storage_source") if source else None
        obj_raw = storage.get("object") if storage else None
    obj = module.lookup(module.target(obj_raw))
    archive = module.lookup(module.target(obj.get("source"))) if obj is not None else None
    if archive is not None and archive.kind == "archive_file":
        source_dir = s.scalar(archive.get("source_dir"))
        if isinstance(source_dir, str):
            return looks.current().real(module.directory / source_dir)
    return None


def _names_function(module: Module, binding: Block, function: str) -> bool:
    for attr in ("cloud_function", "service", "name"):
        raw = binding.get(attr)
        if isinstance(raw, str) and function in addresses_in(raw):
            return True
    return False


def _public_invokers(module: Module, function: Block) -> Iterator[tuple[str, Loc]]:
    s = module.scope
    for binding in module.of_type(*_INVOKER_IAM):
        if not _names_function(module, binding, function.address):
            continue
        if str(s.scalar(binding.get("role")) or "") not in INVOKER_ROLES:
            continue
        attr = "member" if binding.has("member") else "members"
        for member in s.texts(binding.get(attr)):
            if member in PUBLIC_MEMBERS:
                yield member, binding.attr_loc(attr)
    for binding in module.of_type(*_POLICY_IAM):
        if not _names_function(module, binding, function.address):
            continue
        policy = module.lookup(module.target(binding.get("policy_data")))
        for entry in policy.blocks("binding") if policy is not None else []:
            if str(s.scalar(entry.get("role")) or "") in INVOKER_ROLES:
                for member in s.texts(entry.get("members")):
                    if member in PUBLIC_MEMBERS:
                        yield member, entry.attr_loc("members")


def _grants(module: Module, role_id: str) -> Iterator[RoleGrant]:
    """Project/folder/organization roles held by the function's service account."""
    s = module.scope
    for binding in module.of_type(*_SCOPED_IAM):
        scope_kind, scope_attr = _SCOPED_IAM[binding.kind]
        attr = "member" if binding.has("member") else "members"
        raw_members = binding.get(attr)
        for raw in raw_members if isinstance(raw_members, list) else [raw_members]:
            if not isinstance(raw, str):
                continue
            text = s.text(raw)
            if role_id in addresses_in(raw) or text.endswith(f":{role_id}") or text == role_id:
                yield RoleGrant(
                    role=s.text(binding.get("role")),
                    scope=s.text(binding.get(scope_attr)) or f"(the provider's default {scope_kind})",
                    scope_kind=scope_kind,
                    member=text,
                    loc=binding.attr_loc("role"),
                )
