"""Calls of the terraform-aws-modules/lambda/aws module → functions, roles and log groups.

The module is the most common way Lambda functions are written in Terraform. Its
inputs map onto the model the way the module's own resources would: a function named
by the module call (``module.orders``), a role ``module.orders.aws_iam_role.lambda``
holding ``policy_statements``/``policy_json(s)``/``policies`` when the matching
``attach_*`` flag is on, a log group ``module.orders.aws_cloudwatch_log_group.lambda``
with ``cloudwatch_logs_retention_in_days``, a function URL, and permissions from
``allowed_triggers``. Defaults are the module's (v7): a 3 s timeout, 128 MB, a role
created, tracing off, logs kept forever, function URL ``authorization_type = "NONE"``.

A call is recognised by its ``source``: the registry address, a git URL of
``terraform-aws-lambda``, or a local path to a checkout of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from faasguard.loaders import looks
from faasguard.loaders.cloudformation_builder import ASYNC_PRINCIPALS
from faasguard.loaders.terraform.iam import PolicyReader
from faasguard.loaders.terraform.module import Block, Module
from faasguard.loaders.terraform.refs import Unresolved, as_bool, as_int
from faasguard.model import (
    Application,
    EnvVar,
    Function,
    Loc,
    LogGroup,
    ManagedPolicy,
    Permission,
    Role,
    Setting,
    Statement,
    Trigger,
    VpcConfig,
)

_REGISTRY = re.compile(r"(^|/)terraform-aws-modules/lambda/aws(//|$)|terraform-aws-lambda(\.git)?(//|\?|$)")
_LAMBDA_TRUST = Statement(
    effect="Allow", actions=("sts:AssumeRole",), principals=("Service:lambda.amazonaws.com",), policy="trust"
)


def is_lambda_module(block: Block, module: Module) -> bool:
    source = module.scope.scalar(block.get("source"))
    if not isinstance(source, str):
        return False
    if _REGISTRY.search(source):
        return True
    if source.startswith("."):
        seen = looks.current()
        local = seen.real(module.directory / source)
        variables = local / "variables.tf"
        try:
            return seen.is_dir(local) and seen.is_file(variables) and "attach_policy_statements" in seen.text(variables)
        except (OSError, UnicodeDecodeError):
            return False
    return False


def build_lambda_modules(module: Module, app: Application) -> None:
    for block in module.modules.values():
        if is_lambda_module(block, module):
            _build_one(module, app, block)


def _build_one(module: Module, app: Application, block: Block) -> None:
    s = module.scope

    def flag(name: str, default: bool) -> bool:
        value = as_bool(s.scalar(block.get(name))) if block.has(name) else None
        return default if value is None else value

    def loc_of(name: str) -> Loc | None:
        return block.attr_loc(name) if block.has(name) else None

    if not flag("create", True) or not flag("create_function", True) or flag("create_layer", False):
        return  # a layer-only call, or a call that creates nothing
    name = block.address
    role_id: str | None = None
    if flag("create_role", True):
        role_id = f"{name}.aws_iam_role.lambda"
        app.roles[role_id] = _role(module, block, role_id, flag)
    elif block.has("lambda_role"):
        role_id = module.target(block.get("lambda_role")) or s.text(block.get("lambda_role")) or None
        if role_id and role_id not in app.roles:
            app.roles[role_id] = Role(role_id, block.attr_loc("lambda_role"), external=True)

    env: list[EnvVar] = []
    variables = block.get("environment_variables")
    after = block.attr_line("environment_variables")
    if isinstance(variables, Mapping):
        for key, raw in variables.items():
            literal = s.is_literal(raw)
            env.append(EnvVar(str(key), s.text(raw) if literal else None, literal, block.key_loc(str(key), after)))
    elif variables is not None:
        env.append(EnvVar("*", None, False, block.attr_loc("environment_variables")))

    vpc = None
    subnets, groups = s.value(block.get("vpc_subnet_ids")), s.value(block.get("vpc_security_group_ids"))
    if isinstance(subnets, list) or isinstance(groups, list):
        vpc = VpcConfig(
            tuple(
                module.target(v) or s.text(v)
                for v in (block.get("vpc_subnet_ids") or [])
                if isinstance(block.get("vpc_subnet_ids"), list)
            ),
            tuple(
                module.target(v) or s.text(v)
                for v in (block.get("vpc_security_group_ids") or [])
                if isinstance(block.get("vpc_security_group_ids"), list)
            ),
            block.attr_loc("vpc_subnet_ids") if block.has("vpc_subnet_ids") else block.attr_loc("vpc_security_group_ids"),
        )

    permissions = list(_allowed_triggers(module, block, name))
    app.permissions.extend(permissions)
    triggers: list[Trigger] = list(app.route_triggers(name))
    for perm in permissions:
        principal = perm.principal.lower()
        if principal in ASYNC_PRINCIPALS:
            triggers.append(Trigger(ASYNC_PRINCIPALS[principal], None, perm.loc, asynchronous=True))
        elif principal == "apigateway.amazonaws.com" and not triggers:
            triggers.append(Trigger("api", None, perm.loc, public=True, authenticated=None))
    url_auth, url_loc = None, None
    if flag("create_lambda_function_url", False):
        url_auth = str(s.scalar(block.get("authorization_type")) or "NONE").upper()
        url_loc = loc_of("authorization_type") or block.attr_loc("create_lambda_function_url")
        triggers.append(
            Trigger(
                "function-url", f"{name}.aws_lambda_function_url.this", url_loc, public=True, authenticated=url_auth != "NONE"
            )
        )
    mappings = s.value(block.get("event_source_mapping"))
    if isinstance(mappings, Mapping):
        for key, mapping in mappings.items():
            if isinstance(mapping, Mapping):
                arn = str(mapping.get("event_source_arn") or "")
                kind = next((n for n in ("sqs", "dynamodb", "kinesis", "kafka") if n in arn), "other")
                source = module.target(mapping.get("event_source_arn"))
                triggers.append(Trigger(kind, source, block.key_loc(str(key), block.attr_line("event_source_mapping"))))

    existing_group = module.target(block.get("logging_log_group"))
    if flag("use_existing_cloudwatch_log_group", False) and existing_group:
        app.log_groups[:] = [replace(g, function=name) if g.id == existing_group else g for g in app.log_groups]
    elif not flag("use_existing_cloudwatch_log_group", False):
        retention = as_int(s.scalar(block.get("cloudwatch_logs_retention_in_days")))
        app.log_groups.append(
            LogGroup(
                id=f"{name}.aws_cloudwatch_log_group.lambda",
                name=f"/aws/lambda/{s.text(block.get('function_name'))}",
                retention_days=retention if retention else None,
                kms_key=s.text(block.get("cloudwatch_logs_kms_key_id")) or None,
                loc=loc_of("cloudwatch_logs_retention_in_days") or block.loc(),
                function=name,
            )
        )
    runtime = s.scalar(block.get("runtime"))
    tracing = s.scalar(block.get("tracing_mode"))
    reserved = as_int(s.scalar(block.get("reserved_concurrent_executions")))
    destination = s.text(block.get("destination_on_failure")) or None
    on_success = s.text(block.get("destination_on_success")) or None
    dlq = s.text(block.get("dead_letter_target_arn")) or None
    package_type = str(s.scalar(block.get("package_type")) or "Zip")
    app.functions.append(
        Function(
            name=name,
            loc=block.loc(),
            runtime=str(runtime) if isinstance(runtime, str) else None,
            runtime_loc=loc_of("runtime"),
            handler=str(s.scalar(block.get("handler"))) if isinstance(s.scalar(block.get("handler")), str) else None,
            code_dir=_code_dir(module, block),
            package_type=package_type,
            memory=as_int(s.scalar(block.get("memory_size"))) if block.has("memory_size") else 128,
            memory_loc=loc_of("memory_size"),
            timeout=as_int(s.scalar(block.get("timeout"))) if block.has("timeout") else 3,
            timeout_loc=loc_of("timeout"),
            reserved_concurrency=reserved if reserved is not None and reserved >= 0 else None,
            tracing=str(tracing) if isinstance(tracing, str) else None,
            tracing_loc=loc_of("tracing_mode"),
            environment=tuple(env),
            env_kms_key=s.text(block.get("kms_key_arn")) or None,
            role_id=role_id,
            vpc=vpc,
            dead_letter_target=dlq,
            on_failure_destination=destination,
            on_success_destination=on_success,
            triggers=tuple(triggers),
            layers=tuple(s.texts(block.get("layers"))),
            url_auth_type=url_auth,
            url_loc=url_loc,
            source_resource="module terraform-aws-modules/lambda/aws",
            settings=_url_cors(block, s) if url_auth is not None else (),
            code_signing_config=s.text(block.get("code_signing_config_arn")) or None,
        )
    )


def _role(module: Module, block: Block, role_id: str, flag: Any) -> Role:
    s = module.scope
    reader = PolicyReader(module)
    statements: list[Statement] = []
    managed: list[ManagedPolicy] = []
    if flag("attach_policy_statements", False):
        statements.extend(
            reader.module_statements(block.get("policy_statements"), block, "policy_statements", f"{role_id}/policy_statements")
        )
    if flag("attach_policy_json", False):
        statements.extend(reader.statements(block.get("policy_json"), block, "policy_json", f"{role_id}/policy_json"))
    if flag("attach_policy_jsons", False):
        raw = block.get("policy_jsons")
        for item in raw if isinstance(raw, list) else []:
            statements.extend(reader.statements(item, block, "policy_jsons", f"{role_id}/policy_jsons"))
    if flag("attach_policy", False) and block.has("policy"):
        managed.append(ManagedPolicy(s.text(block.get("policy")), block.attr_loc("policy")))
    if flag("attach_policies", False):
        for arn in s.texts(block.get("policies")):
            managed.append(ManagedPolicy(arn, block.attr_loc("policies")))
    if flag("attach_network_policy", False):
        managed.append(
            ManagedPolicy(
                "arn:aws:iam::aws:policy/service-role/AWSLambdaENIManagementAccess", block.attr_loc("attach_network_policy")
            )
        )
    if flag("attach_cloudwatch_logs_policy", True):
        statements.append(
            Statement(
                effect="Allow",
                actions=("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
                resources=(f"arn:aws:logs:*:*:log-group:/aws/lambda/{s.text(block.get('function_name'))}:*",),
                policy=f"{role_id}/logs",
                loc=block.loc(),
            )
        )
    if flag("attach_tracing_policy", False):
        managed.append(ManagedPolicy("arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess", block.attr_loc("attach_tracing_policy")))
    if flag("attach_dead_letter_policy", False):
        statements.append(
            Statement(
                "Allow",
                ("sns:Publish", "sqs:SendMessage"),
                resources=(s.text(block.get("dead_letter_target_arn")),),
                policy=f"{role_id}/dlq",
                loc=block.loc(),
            )
        )
    boundary = s.text(block.get("role_permissions_boundary")) or None
    return Role(role_id, block.loc(), tuple(statements), tuple(managed), (_LAMBDA_TRUST,), boundary)


def _allowed_triggers(module: Module, block: Block, function: str) -> list[Permission]:
    s = module.scope
    triggers = s.value(block.get("allowed_triggers"))
    if not isinstance(triggers, Mapping):
        return []
    after = block.attr_line("allowed_triggers")
    out = []
    for key, trigger in triggers.items():
        if not isinstance(trigger, Mapping):
            continue
        principal = trigger.get("principal")
        if principal is None and trigger.get("service") is not None:
            principal = f"{trigger['service']}.amazonaws.com"
        source_arn = trigger.get("source_arn")
        out.append(
            Permission(
                id=f'{function}.aws_lambda_permission.triggers["{key}"]',
                function=function,
                action=str(trigger.get("action") or "lambda:InvokeFunction"),
                principal=str(principal or ""),
                source_arn=str(source_arn) if source_arn is not None else None,
                source_account=str(trigger["source_account"]) if trigger.get("source_account") is not None else None,
                loc=block.key_loc(str(key), after) if after else block.loc(),
            )
        )
    return out


def _code_dir(module: Module, block: Block) -> Path | None:
    source = module.scope.value(block.get("source_path"))
    if isinstance(source, list) and source:
        source = source[0]
    if isinstance(source, Mapping):
        source = source.get("path")
    if isinstance(source, str) and not isinstance(source, Unresolved) and "://" not in source:
        seen = looks.current()
        candidate = seen.real(module.directory / source)
        return candidate if seen.is_dir(candidate) else candidate.parent
    return None


def _url_cors(block: Block, s: Any) -> tuple[Setting, ...]:
    """The module's ``cors = {allow_origins = [...], allow_credentials = true}`` input of the function URL."""
    cors = s.value(block.get("cors"))
    if not isinstance(cors, Mapping):
        return ()
    loc = block.attr_loc("cors")
    origins = tuple(str(o) for o in (cors.get("allow_origins") or ()) if isinstance(o, str))
    return (
        Setting("url_cors_origins", origins, loc),
        Setting("url_cors_credentials", as_bool(s.scalar(cors.get("allow_credentials"))) is True, loc),
    )
