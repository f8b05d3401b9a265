"""AWS provider resources of one Terraform module → the application model.

Ids in the model are Terraform addresses: the function ``aws_lambda_function.api`` is
named ``aws_lambda_function.api``, its role ``aws_iam_role.lambda``; that is what a user
searches for in the code and what ``terraform state`` shows. Resources created inside a
terraform-aws-modules/lambda module call get the address they have in state,
``module.orders.aws_iam_role.lambda`` (see :mod:`faasguard.loaders.terraform.lambda_module`);
the function itself is named by the module call, ``module.orders``.

Like the CloudFormation builder this reads and joins, and never judges.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from faasguard.loaders import looks
from faasguard.loaders.cloudformation_builder import ASYNC_PRINCIPALS
from faasguard.loaders.terraform import perimeter
from faasguard.loaders.terraform.iam import PolicyReader, PrincipalBuilder
from faasguard.loaders.terraform.module import Block, Module
from faasguard.loaders.terraform.refs import Unresolved, addresses_in, as_bool, as_float, as_int, single_expression
from faasguard.model import (
    Alarm,
    Api,
    ApiDomain,
    Application,
    DataStore,
    EnvVar,
    Function,
    KmsKey,
    Loc,
    LogGroup,
    Permission,
    ResourcePolicy,
    Role,
    Route,
    Secret,
    SecurityGroup,
    SecurityGroupRule,
    Setting,
    Subnet,
    Trigger,
    VpcConfig,
    VpcEndpoint,
)

STREAM_TYPES = {
    "aws_sqs_queue": "sqs",
    "aws_dynamodb_table": "dynamodb",
    "aws_kinesis_stream": "kinesis",
    "aws_msk_cluster": "kafka",
    "aws_mq_broker": "mq",
}
DATA_STORES = {
    "aws_s3_bucket": ("s3", "bucket"),
    "aws_dynamodb_table": ("dynamodb", "name"),
    "aws_sqs_queue": ("sqs", "name"),
    "aws_sns_topic": ("sns", "name"),
}
RESOURCE_POLICIES = {
    "aws_s3_bucket_policy": ("s3", "bucket"),
    "aws_sqs_queue_policy": ("sqs", "queue_url"),
    "aws_sns_topic_policy": ("sns", "arn"),
    "aws_secretsmanager_secret_policy": ("secretsmanager", "secret_arn"),
}
FUNCTION_TYPES = ("aws_lambda_function",)
_LOG_GROUP_FUNCTION = re.compile(
    r"/aws/lambda/\$\{(aws_lambda_function\.[A-Za-z_][\w-]*)(?:\[[^\]]*\])?\.(?:function_name|id|name)\}$"
)


class AwsBuilder:
    def __init__(self, module: Module, app: Application):
        self.m = module
        self.s = module.scope
        self.app = app
        self.policies = PolicyReader(module)

    # -- helpers ------------------------------------------------------------------------
    def text(self, raw: Any) -> str:
        return self.s.text(raw)

    def function_of(self, raw: Any) -> str | None:
        """The function a ``function_name``/ARN value names: an address in this module, or a module call."""
        address = self.m.target(raw)
        if address and (address.startswith("aws_lambda_function.") or address in self.m.modules):
            return address
        if address and address.startswith("aws_lambda_alias."):  # an alias invokes the function it names
            alias = self.m.resources.get(address)
            named = self.m.target(alias.get("function_name")) if alias else None
            return named if named and (named.startswith("aws_lambda_function.") or named in self.m.modules) else None
        name = self.s.scalar(raw)
        if isinstance(name, str):
            for block in self.m.of_type(*FUNCTION_TYPES):
                if self.s.scalar(block.get("function_name")) == name:
                    return block.address
        return None

    def ref_or_text(self, raw: Any) -> str:
        return self.m.target(raw) or self.text(raw)

    # -- the whole module ---------------------------------------------------------------
    def build(self) -> None:
        app, m = self.app, self.m
        app.roles.update(PrincipalBuilder(m, self.policies).build())
        for block in m.of_type("aws_lambda_permission"):
            app.permissions.append(self.permission(block))
        app.apis.extend(self.rest_apis())
        app.apis.extend(self.http_apis())
        app.api_domains.extend(self.api_domains())
        app.log_groups.extend(self.log_groups())
        app.alarms.extend(self.alarms())
        app.secrets.extend(self.secrets())
        for block in m.of_type("aws_kms_key"):
            app.kms_keys.append(KmsKey(block.address, block.loc(), bool(self.s.scalar(block.get("enable_key_rotation")))))
        app.security_groups.update(self.security_groups())
        app.subnets.update(self.subnets())
        app.vpc_endpoints.extend(self.vpc_endpoints())
        app.resource_policies.extend(self.resource_policies())
        perimeter.read(m, app)
        for kind, (store, name_attr) in DATA_STORES.items():
            for block in m.of_type(kind):
                name = self.s.scalar(block.get(name_attr))
                app.data_stores.append(
                    DataStore(block.address, store, block.loc(), str(name) if name else None, self.encrypted(block))
                )
        for block in m.of_type("aws_lambda_layer_version"):
            content = self.code_dir(block)
            if content is not None:
                app.layers[block.address] = content
        for block in m.of_type(*FUNCTION_TYPES):
            fn = self.function(block)
            if fn.role_id and fn.role_id not in app.roles:
                app.roles[fn.role_id] = Role(fn.role_id, fn.loc, external=True)
            app.functions.append(fn)

    def encrypted(self, block: Block) -> bool | None:
        if block.kind == "aws_sqs_queue":
            if block.get("kms_master_key_id") is not None:
                return True
            sse = as_bool(self.s.scalar(block.get("sqs_managed_sse_enabled")))
            return sse  # None: the provider default (SSE-SQS on for new queues) applies
        if block.kind == "aws_dynamodb_table":
            return True  # DynamoDB always encrypts at rest (AWS-owned key by default)
        return None

    def permission(self, block: Block) -> Permission:
        return Permission(
            id=block.address,
            function=self.function_of(block.get("function_name")),
            action=self.text(block.get("action")),
            principal=self.text(block.get("principal")),
            source_arn=self.text(block.get("source_arn")) or None,
            source_account=self.text(block.get("source_account")) or None,
            loc=block.attr_loc("principal"),
            function_url_auth_type=self.text(block.get("function_url_auth_type")) or None,
        )

    # -- functions ----------------------------------------------------------------------
    def function(self, block: Block) -> Function:
        s = self.s
        env: list[EnvVar] = []
        for env_block in block.blocks("environment"):
            variables = env_block.get("variables")
            after = env_block.attr_line("variables")
            if isinstance(variables, Mapping):
                for name, raw in variables.items():
                    literal = s.is_literal(raw)
                    ref, attr = _single_reference(raw)
                    loc = env_block.key_loc(str(name), after)
                    env.append(EnvVar(str(name), s.text(raw) if literal else None, literal, loc, ref, attr))
            elif variables is not None:
                env.append(EnvVar("*", None, False, env_block.attr_loc("variables")))  # a whole map from elsewhere
        vpc_config = None
        vpc = block.block("vpc_config")
        if vpc is not None:
            subnets = [self.ref_or_text(v) for v in _list(vpc.get("subnet_ids"))]
            groups = [self.ref_or_text(v) for v in _list(vpc.get("security_group_ids"))]
            if subnets or groups:
                vpc_config = VpcConfig(tuple(subnets), tuple(groups), block.attr_loc("vpc_config"))
        tracing = block.block("tracing_config")
        mode = s.scalar(tracing.get("mode")) if tracing else None
        dlq = block.block("dead_letter_config")
        role_raw = block.get("role")
        role_id = self.m.target(role_raw) or (self.text(role_raw) if role_raw is not None else None)
        if role_id and self.m.lookup(role_id) is None and role_id.startswith(("aws_", "data.")):
            role_id = self.text(role_raw)
        reserved = as_int(s.scalar(block.get("reserved_concurrent_executions")))
        url = self.function_url(block.address)
        return Function(
            name=block.address,
            loc=block.loc(),
            runtime=_str(s.scalar(block.get("runtime"))),
            runtime_loc=block.attr_loc("runtime") if block.has("runtime") else None,
            handler=_str(s.scalar(block.get("handler"))),
            code_dir=self.code_dir(block),
            package_type=str(s.scalar(block.get("package_type")) or "Zip"),
            memory=as_int(s.scalar(block.get("memory_size"))),
            memory_loc=block.attr_loc("memory_size") if block.has("memory_size") else None,
            timeout=as_int(s.scalar(block.get("timeout"))),
            timeout_loc=block.attr_loc("timeout") if block.has("timeout") else None,
            reserved_concurrency=reserved if reserved is not None and reserved >= 0 else None,
            tracing=str(mode) if mode else None,
            tracing_loc=block.attr_loc("tracing_config") if tracing else None,
            environment=tuple(env),
            env_kms_key=self.text(block.get("kms_key_arn")) or None,
            role_id=role_id or None,
            vpc=vpc_config,
            dead_letter_target=(self.text(dlq.get("target_arn")) or None) if dlq else None,
            on_failure_destination=self.destination(block.address, "on_failure"),
            on_success_destination=self.destination(block.address, "on_success"),
            triggers=tuple(self.triggers(block.address)),
            layers=tuple(self.m.target(v) or self.text(v) for v in _list(block.get("layers"))),
            url_auth_type=url[0] if url else None,
            url_loc=url[1] if url else None,
            source_resource="aws_lambda_function",
            settings=self.url_cors(block.address),
            code_signing_config=self.text(block.get("code_signing_config_arn")) or None,
        )

    def code_dir(self, block: Block) -> Path | None:
        """Where the code is: ``source_dir``/``source_file`` of the ``archive_file`` that builds ``filename``."""
        raw = block.get("filename")
        address = self.m.target(raw)
        uploaded = self.m.resources.get(self.m.target(block.get("s3_key")) or "")
        if address is None and uploaded is not None and uploaded.kind in ("aws_s3_object", "aws_s3_bucket_object"):
            address = self.m.target(uploaded.get("source"))  # the zip uploaded to S3 by this module
        if address is None and isinstance(self.s.scalar(raw), str):
            literal = self.s.scalar(raw)  # a literal path: the archive_file whose output_path it is
            address = next(
                (a.address for a in self.m.data_of_type("archive_file") if self.s.scalar(a.get("output_path")) == literal), None
            )
        archive = self.m.data.get(address or "") or self.m.resources.get(address or "")
        if archive is not None and archive.kind == "archive_file":
            source_dir = self.s.scalar(archive.get("source_dir"))
            if isinstance(source_dir, str):
                return looks.current().real(self.m.directory / source_dir)
            source_file = self.s.scalar(archive.get("source_file"))
            if isinstance(source_file, str):
                return looks.current().real(self.m.directory / source_file).parent
        return None

    def url_cors(self, function: str) -> tuple[Setting, ...]:
        for block in self.m.of_type("aws_lambda_function_url"):
            if self.function_of(block.get("function_name")) == function:
                cors = block.block("cors")
                if cors is None:
                    return ()
                origins = tuple(self.s.texts(cors.get("allow_origins")))
                credentials = as_bool(self.s.scalar(cors.get("allow_credentials"))) is True
                return (
                    Setting("url_cors_origins", origins, cors.attr_loc("allow_origins")),
                    Setting("url_cors_credentials", credentials, cors.attr_loc("allow_credentials")),
                )
        return ()

    def function_url(self, function: str) -> tuple[str, Loc] | None:
        for block in self.m.of_type("aws_lambda_function_url"):
            if self.function_of(block.get("function_name")) == function:
                auth = str(self.s.scalar(block.get("authorization_type")) or "AWS_IAM").upper()
                return auth, block.attr_loc("authorization_type")
        return None

    def destination(self, function: str, outcome: str) -> str | None:
        """The ``on_failure`` / ``on_success`` destination of the function's asynchronous invocations."""
        for block in self.m.of_type("aws_lambda_function_event_invoke_config"):
            if self.function_of(block.get("function_name")) != function:
                continue
            dest = block.block("destination_config")
            chosen = dest.block(outcome) if dest else None
            if chosen is not None and chosen.get("destination") is not None:
                return self.text(chosen.get("destination"))
        return None

    def triggers(self, function: str) -> Iterator[Trigger]:
        yield from self.app.route_triggers(function)
        routed = any(r.function == function for api in self.app.apis for r in api.routes)
        for perm in self.app.permissions:
            if perm.function != function:
                continue
            principal = perm.principal.lower()
            if perm.action.lower() == "lambda:invokefunctionurl" or perm.function_url_auth_type:
                continue
            if principal in ASYNC_PRINCIPALS:
                block = self.m.resources.get(perm.id)
                source = self.m.target(block.get("source_arn")) if block else None
                yield Trigger(ASYNC_PRINCIPALS[principal], source, perm.loc, asynchronous=True)
            elif principal == "apigateway.amazonaws.com" and not routed:
                routed = True
                yield Trigger("api", None, perm.loc, public=True, authenticated=None)
        for block in self.m.of_type("aws_lambda_event_source_mapping"):
            if self.function_of(block.get("function_name")) != function:
                continue
            source = self.m.target(block.get("event_source_arn"))
            kind = STREAM_TYPES.get(self.m.target_type(block.get("event_source_arn")) or "", "other")
            if kind == "other":
                text = self.text(block.get("event_source_arn"))
                kind = next(
                    (
                        name
                        for needle, name in (("sqs", "sqs"), ("dynamodb", "dynamodb"), ("kinesis", "kinesis"), ("kafka", "kafka"))
                        if f":{needle}:" in text
                    ),
                    "other",
                )
            yield Trigger(kind, source, block.loc())
        for block in self.m.of_type("aws_sns_topic_subscription"):
            if (
                self.s.scalar(block.get("protocol")) == "lambda"
                and self.function_of(block.get("endpoint")) == function
                and not any(p.function == function and p.principal.lower() == "sns.amazonaws.com" for p in self.app.permissions)
            ):
                yield Trigger("sns", self.m.target(block.get("topic_arn")), block.loc(), asynchronous=True)
        url = self.function_url(function)
        if url:
            block = next(
                b for b in self.m.of_type("aws_lambda_function_url") if self.function_of(b.get("function_name")) == function
            )
            yield Trigger("function-url", block.address, url[1], public=True, authenticated=url[0] != "NONE")

    # -- APIs ---------------------------------------------------------------------------
    def rest_apis(self) -> Iterator[Api]:
        m, s = self.m, self.s
        validators = {
            b.address: bool(
                as_bool(s.scalar(b.get("validate_request_body"))) or as_bool(s.scalar(b.get("validate_request_parameters")))
            )
            for b in m.of_type("aws_api_gateway_request_validator")
        }
        authorizers = {b.address for b in m.of_type("aws_api_gateway_authorizer")}
        integrations: dict[str, str | None] = {}
        kinds: dict[str, str | None] = {}
        for b in m.of_type("aws_api_gateway_integration"):
            method_ref = m.target(b.get("http_method"))
            key = method_ref if method_ref and method_ref.startswith("aws_api_gateway_method.") else _method_key(m, b)
            integrations[key] = self.function_of(b.get("uri")) or _function_in_uri(self, b.get("uri"))
            kinds[key] = _integration_kind(s.scalar(b.get("type")), integrations[key], self.text(b.get("uri")))
        for api in m.of_type("aws_api_gateway_rest_api"):
            routes = []
            for method in m.of_type("aws_api_gateway_method"):
                if m.target(method.get("rest_api_id")) != api.address:
                    continue
                auth = str(s.scalar(method.get("authorization")) or "NONE").upper()
                if auth == "NONE" and m.target(method.get("authorizer_id")) in authorizers:
                    auth = "CUSTOM"
                validator = m.target(method.get("request_validator_id"))
                function = integrations.get(method.address) or integrations.get(_method_key(m, method))
                kind = kinds.get(method.address) or kinds.get(_method_key(m, method))
                routes.append(
                    Route(
                        method=str(s.scalar(method.get("http_method")) or "ANY").upper(),
                        path=_resource_path(m, method.get("resource_id")),
                        function=function,
                        authorization=auth,
                        api_key_required=bool(as_bool(s.scalar(method.get("api_key_required")))),
                        request_validator=validators.get(validator, False) if validator else False,
                        loc=method.attr_loc("authorization") if method.has("authorization") else method.loc(),
                        integration=kind,
                    )
                )
            stages = [b for b in m.of_type("aws_api_gateway_stage") if m.target(b.get("rest_api_id")) == api.address]
            logging, tracing, stage_loc = None, None, None
            for stage in stages:
                has_log = stage.block("access_log_settings") is not None
                logging = has_log if logging is None else logging and has_log
                traced = bool(as_bool(s.scalar(stage.get("xray_tracing_enabled"))))
                tracing = traced if tracing is None else tracing and traced
                stage_loc = stage_loc or stage.loc()
            throttling = None
            data_trace, data_trace_loc = None, None
            for settings_block in m.of_type("aws_api_gateway_method_settings"):
                if m.target(settings_block.get("rest_api_id")) == api.address:
                    settings = settings_block.block("settings")
                    if settings is not None and settings.has("data_trace_enabled") and not data_trace:
                        data_trace = bool(as_bool(s.scalar(settings.get("data_trace_enabled"))))
                        data_trace_loc = settings.attr_loc("data_trace_enabled") if data_trace else None
                    if settings is not None:
                        rate = as_float(s.scalar(settings.get("throttling_rate_limit")))
                        burst = as_float(s.scalar(settings.get("throttling_burst_limit")))
                        if (rate is not None and rate >= 0) or (burst is not None and burst >= 0):
                            throttling = throttling or (rate, burst)
            plan = None
            for usage in m.of_type("aws_api_gateway_usage_plan"):
                if any(m.target(st.get("api_id")) == api.address for st in usage.blocks("api_stages")):
                    throttle = usage.block("throttle_settings")
                    plan = (
                        (as_float(s.scalar(throttle.get("rate_limit"))), as_float(s.scalar(throttle.get("burst_limit"))))
                        if throttle
                        else (None, None)
                    )
            if plan is not None and plan != (None, None):
                throttling = throttling or plan
            endpoint = api.block("endpoint_configuration")
            types = s.texts(endpoint.get("types")) if endpoint else []
            yield Api(
                api.address,
                "rest",
                api.loc(),
                tuple(routes),
                logging,
                tracing,
                throttling,
                stage_loc,
                plan is not None,
                endpoint_type=types[0].upper() if types else None,
                data_trace=data_trace,
                data_trace_loc=data_trace_loc,
            )

    def http_apis(self) -> Iterator[Api]:
        m, s = self.m, self.s
        integrations = {b.address: self.function_of(b.get("integration_uri")) for b in m.of_type("aws_apigatewayv2_integration")}
        kinds = {
            b.address: _integration_kind(
                s.scalar(b.get("integration_type")), integrations[b.address], self.text(b.get("integration_uri"))
            )
            for b in m.of_type("aws_apigatewayv2_integration")
        }
        authorizers = {
            b.address: "JWT" if str(s.scalar(b.get("authorizer_type")) or "").upper() == "JWT" else "CUSTOM"
            for b in m.of_type("aws_apigatewayv2_authorizer")
        }
        for api in m.of_type("aws_apigatewayv2_api"):
            protocol = str(s.scalar(api.get("protocol_type")) or "HTTP").upper()
            kind = "websocket" if protocol == "WEBSOCKET" else "http"
            routes = []
            for route in m.of_type("aws_apigatewayv2_route"):
                if m.target(route.get("api_id")) != api.address:
                    continue
                key = str(s.scalar(route.get("route_key")) or "$default")
                method, _, path = key.partition(" ")
                auth = str(s.scalar(route.get("authorization_type")) or "NONE").upper()
                authorizer = m.target(route.get("authorizer_id"))
                if auth == "NONE" and authorizer in authorizers:
                    auth = authorizers[authorizer]
                target_text = route.get("target")
                integration = (
                    next((a for a in addresses_in(target_text) if a in integrations), None)
                    if isinstance(target_text, str)
                    else None
                )
                routes.append(
                    Route(
                        method=method if path else "ANY",
                        path=path or key,
                        function=integrations.get(integration) if integration else None,
                        authorization=auth,
                        api_key_required=bool(as_bool(s.scalar(route.get("api_key_required")))),
                        request_validator=None,
                        loc=route.attr_loc("authorization_type") if route.has("authorization_type") else route.loc(),
                        integration=kinds.get(integration) if integration else None,
                    )
                )
            quick_target = self.function_of(api.get("target")) if api.has("target") else None
            if quick_target:
                routes.append(Route("ANY", "$default", quick_target, "NONE", False, None, api.attr_loc("target")))
            logging, tracing, throttling, stage_loc = None, None, None, None
            data_trace, data_trace_loc = None, None
            for stage in m.of_type("aws_apigatewayv2_stage"):
                if m.target(stage.get("api_id")) != api.address:
                    continue
                for settings in stage.blocks("default_route_settings") + stage.blocks("route_settings"):
                    if kind == "websocket" and settings.has("data_trace_enabled") and not data_trace:
                        data_trace = bool(as_bool(s.scalar(settings.get("data_trace_enabled"))))
                        data_trace_loc = settings.attr_loc("data_trace_enabled") if data_trace else None
                has_log = stage.block("access_log_settings") is not None
                logging = has_log if logging is None else logging and has_log
                tracing = False if tracing is None else tracing  # HTTP APIs have no X-Ray tracing
                stage_loc = stage_loc or stage.loc()
                for settings in stage.blocks("default_route_settings") + stage.blocks("route_settings"):
                    rate = as_float(s.scalar(settings.get("throttling_rate_limit")))
                    burst = as_float(s.scalar(settings.get("throttling_burst_limit")))
                    if rate is not None or burst is not None:
                        throttling = throttling or (rate, burst)
            if quick_target and stage_loc is None:
                logging = False  # quick-create: an auto-deployed $default stage without access logs
            yield Api(
                api.address,
                kind,
                api.loc(),
                tuple(routes),
                logging,
                tracing,
                throttling,
                stage_loc,
                False,
                data_trace=data_trace,
                data_trace_loc=data_trace_loc,
            )

    def api_domains(self) -> Iterator[ApiDomain]:
        s = self.s
        for b in self.m.of_type("aws_api_gateway_domain_name"):
            policy = s.scalar(b.get("security_policy"))
            loc = b.attr_loc("security_policy") if b.has("security_policy") else b.loc()
            name = s.scalar(b.get("domain_name"))
            yield ApiDomain(b.address, "rest", loc, str(policy) if policy is not None else None, _str(name))
        for b in self.m.of_type("aws_apigatewayv2_domain_name"):
            for config in b.blocks("domain_name_configuration"):
                policy = s.scalar(config.get("security_policy"))
                loc = config.attr_loc("security_policy") if config.has("security_policy") else config.loc()
                name = s.scalar(b.get("domain_name"))
                yield ApiDomain(b.address, "http", loc, str(policy) if policy is not None else None, _str(name))

    # -- logs, alarms, secrets ----------------------------------------------------------
    def log_groups(self) -> Iterator[LogGroup]:
        s = self.s
        configured: dict[str, str] = {}
        for fn in self.m.of_type(*FUNCTION_TYPES):
            cfg = fn.block("logging_config")
            group = self.m.target(cfg.get("log_group")) if cfg else None
            if group:
                configured[group] = fn.address
        for block in self.m.of_type("aws_cloudwatch_log_group"):
            raw = block.get("name")
            name = self.text(raw) if raw is not None else None
            function = configured.get(block.address)
            if function is None and isinstance(raw, str):
                match = _LOG_GROUP_FUNCTION.search(raw)
                if match and match.group(1) in self.m.resources:
                    function = match.group(1)
                elif name and "/aws/lambda/" in name and not isinstance(s.value(raw), Unresolved):
                    function = self.function_of(name.split("/aws/lambda/", 1)[1])
            retention = as_int(s.scalar(block.get("retention_in_days")))
            yield LogGroup(
                id=block.address,
                name=name,
                retention_days=retention if retention else None,  # 0 means "never expire"
                kms_key=self.text(block.get("kms_key_id")) or None,
                loc=block.attr_loc("retention_in_days") if block.has("retention_in_days") else block.loc(),
                function=function,
            )

    def alarms(self) -> Iterator[Alarm]:
        s = self.s
        for block in self.m.of_type("aws_cloudwatch_metric_alarm"):
            function = None
            dims = [block.get("dimensions")]
            metric_name, namespace = s.scalar(block.get("metric_name")), s.scalar(block.get("namespace"))
            for query in block.blocks("metric_query"):
                for metric in query.blocks("metric"):
                    dims.append(metric.get("dimensions"))
                    metric_name = metric_name or s.scalar(metric.get("metric_name"))
                    namespace = namespace or s.scalar(metric.get("namespace"))
            for dim in dims:
                if isinstance(dim, Mapping) and "FunctionName" in dim:
                    function = function or self.function_of(dim["FunctionName"])
            yield Alarm(block.address, _str(metric_name), _str(namespace), function, block.loc())

    def secrets(self) -> Iterator[Secret]:
        s = self.s
        rotated = {self.m.target(b.get("secret_id")) for b in self.m.of_type("aws_secretsmanager_secret_rotation")}
        literal: dict[str, Loc] = {}
        for version in self.m.of_type("aws_secretsmanager_secret_version"):
            secret = self.m.target(version.get("secret_id"))
            raw = version.get("secret_string")
            if secret and raw is not None and s.is_literal(raw) and s.text(raw).strip():
                literal[secret] = version.attr_loc("secret_string")
        for block in self.m.of_type("aws_secretsmanager_secret"):
            yield Secret(
                id=block.address,
                loc=block.loc(),
                kms_key=self.text(block.get("kms_key_id")) or None,
                rotated=block.address in rotated or block.has("rotation_lambda_arn"),
                literal_value_loc=literal.get(block.address),
            )

    # -- network ------------------------------------------------------------------------
    def sg_rules(self, direction: str, block: Block, loc: Loc) -> Iterator[SecurityGroupRule]:
        s = self.s
        protocol = str(s.scalar(block.get("protocol") if block.has("protocol") else block.get("ip_protocol")) or "-1").lower()
        from_port, to_port = as_int(s.scalar(block.get("from_port"))), as_int(s.scalar(block.get("to_port")))
        if protocol in ("-1", "all"):
            protocol = "-1"
        cidrs = s.texts(block.get("cidr_blocks")) + s.texts(block.get("ipv6_cidr_blocks"))
        cidrs += [c for c in (s.text(block.get("cidr_ipv4")), s.text(block.get("cidr_ipv6"))) if c]
        if not cidrs:
            cidrs = [None]  # type: ignore[list-item]  # another security group or a prefix list
        for cidr in cidrs:
            yield SecurityGroupRule(direction, protocol, from_port, to_port, cidr, loc)

    def security_groups(self) -> dict[str, SecurityGroup]:
        rules: dict[str, list[SecurityGroupRule]] = {}
        external: dict[str, Loc] = {}
        for sg in self.m.of_type("aws_security_group", "aws_default_security_group"):
            rules[sg.address] = []
            for direction in ("ingress", "egress"):
                for nested in sg.entries(direction):
                    rules[sg.address].extend(self.sg_rules(direction, nested, nested.loc()))
        for block in self.m.of_type(
            "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"
        ):
            group = self.m.target(block.get("security_group_id"))
            if group is None or group not in rules:
                # A rule on a group declared elsewhere (a variable, a data source, another module's
                # output): the group is known only by the rules this module adds to it.
                group = group or _bare(self.text(block.get("security_group_id")))
                if not group or (group in rules and group not in external):
                    continue
                external.setdefault(group, block.loc())
                rules.setdefault(group, [])
            if block.kind == "aws_security_group_rule":
                direction = str(self.s.scalar(block.get("type")) or "ingress")
            else:
                direction = "egress" if block.kind.endswith("egress_rule") else "ingress"
            cidr_attr = next((a for a in ("cidr_blocks", "cidr_ipv4", "ipv6_cidr_blocks", "cidr_ipv6") if block.has(a)), None)
            rules[group].extend(self.sg_rules(direction, block, block.attr_loc(cidr_attr) if cidr_attr else block.loc()))
        rules.update(self.security_group_modules())
        # Terraform removes the allow-all egress rule AWS adds to a new group: egress is
        # exactly what the configuration declares.
        return {
            address: SecurityGroup(
                address,
                external.get(address) or self.m.lookup(address).loc(),  # type: ignore[union-attr]
                tuple(r),
                True,
                address in external,
            )
            for address, r in rules.items()
        }

    def security_group_modules(self) -> dict[str, list[SecurityGroupRule]]:
        """Calls of terraform-aws-modules/security-group (and its ``//modules/<name>`` presets), by module address.

        Read: ``ingress_rules`` (named rules, :file:`data/tf_security_group_rules.toml`) opened to
        ``ingress_cidr_blocks`` / ``ingress_ipv6_cidr_blocks``, and ``ingress_with_cidr_blocks`` /
        ``ingress_with_ipv6_cidr_blocks`` entries (a ``rule`` name or ``from_port``/``to_port``/``protocol``;
        their ``cidr_blocks`` is one comma-separated string). A rule name not in the table is skipped.
        """
        s, out = self.s, {}
        for address, block in self.m.modules.items():
            match = _SG_MODULE.search(str(s.scalar(block.get("source")) or ""))
            if not match:
                continue
            found: list[SecurityGroupRule] = []
            preset = match.group(1) or match.group(2)
            names = s.texts(block.get("ingress_rules")) if block.has("ingress_rules") else _preset_rules(preset)
            cidrs = s.texts(block.get("ingress_cidr_blocks")) + s.texts(block.get("ingress_ipv6_cidr_blocks"))
            loc = block.attr_loc("ingress_cidr_blocks") if block.has("ingress_cidr_blocks") else block.attr_loc("ingress_rules")
            for name in names:
                for cidr in cidrs:
                    found.extend(_named_rule(name, cidr, loc))
            for attr, key in (("ingress_with_cidr_blocks", "cidr_blocks"), ("ingress_with_ipv6_cidr_blocks", "ipv6_cidr_blocks")):
                entries = s.value(block.get(attr))
                for entry in entries if isinstance(entries, list) else []:
                    if not isinstance(entry, Mapping):
                        continue
                    raw = entry.get(key)
                    entry_cidrs = [c.strip() for c in raw.split(",")] if isinstance(raw, str) else cidrs
                    entry_loc = block.attr_loc(attr)
                    for cidr in entry_cidrs:
                        if isinstance(entry.get("rule"), str):
                            found.extend(_named_rule(entry["rule"], cidr, entry_loc))
                        elif "from_port" in entry:
                            protocol = str(entry.get("protocol", "-1")).lower()
                            found.append(
                                SecurityGroupRule(
                                    "ingress",
                                    "-1" if protocol in ("-1", "all") else protocol,
                                    as_int(entry.get("from_port")),
                                    as_int(entry.get("to_port")),
                                    cidr,
                                    entry_loc,
                                )
                            )
            out[address] = found
        return out

    def subnets(self) -> dict[str, Subnet]:
        m, s = self.m, self.s
        igws = {b.address for b in m.of_type("aws_internet_gateway")}

        def to_internet(route: Block) -> bool:
            gateway = route.get("gateway_id")
            dest = s.scalar(route.get("cidr_block") if route.has("cidr_block") else route.get("destination_cidr_block"))
            return (m.target(gateway) in igws or s.text(gateway).startswith("igw-")) and dest in ("0.0.0.0/0", None)

        public_tables = {t.address for t in m.of_type("aws_route_table") if any(to_internet(r) for r in t.blocks("route"))}
        for route in m.of_type("aws_route"):
            table = m.target(route.get("route_table_id"))
            if table and to_internet(route):
                public_tables.add(table)
        public_subnets = set()
        for assoc in m.of_type("aws_route_table_association"):
            if m.target(assoc.get("route_table_id")) in public_tables:
                subnet = m.target(assoc.get("subnet_id"))
                if subnet:
                    public_subnets.add(subnet)
        return {
            b.address: Subnet(
                b.address,
                b.loc(),
                m.target(b.get("vpc_id")) or self.text(b.get("vpc_id")) or None,
                b.address in public_subnets,
                bool(as_bool(s.scalar(b.get("map_public_ip_on_launch")))),
            )
            for b in m.of_type("aws_subnet")
        }

    def vpc_endpoints(self) -> Iterator[VpcEndpoint]:
        for b in self.m.of_type("aws_vpc_endpoint"):
            service = self.text(b.get("service_name")).rsplit(".", 1)[-1].lower()
            yield VpcEndpoint(
                b.address,
                b.loc(),
                self.m.target(b.get("vpc_id")) or self.text(b.get("vpc_id")) or None,
                service,
                str(self.s.scalar(b.get("vpc_endpoint_type")) or "Gateway"),
            )

    def resource_policies(self) -> Iterator[ResourcePolicy]:
        for kind, (store, target_attr) in RESOURCE_POLICIES.items():
            attr = "policy"
            for b in self.m.of_type(kind):
                stmts = self.policies.statements(b.get(attr), b, attr, b.address)
                yield ResourcePolicy(b.address, self.m.target(b.get(target_attr)), store, stmts, b.loc())
        # The legacy inline policy of AWS provider 3.x: aws_s3_bucket { policy = … }; aws_sqs_queue
        # and aws_sns_topic still take one.
        for kind, store in (("aws_s3_bucket", "s3"), ("aws_sqs_queue", "sqs"), ("aws_sns_topic", "sns")):
            for b in self.m.of_type(kind):
                if b.get("policy") is None:
                    continue
                stmts = self.policies.statements(b.get("policy"), b, "policy", b.address)
                yield ResourcePolicy(b.address, b.address, store, stmts, b.attr_loc("policy"))


def _integration_kind(kind: Any, function: str | None, uri: str) -> str | None:
    """What a route calls: ``lambda`` (a function, of this module or not), ``http``, ``mock``, ``aws``."""
    if function:
        return "lambda"
    text = str(kind or "").upper()
    if text == "MOCK":
        return "mock"
    if text.startswith("HTTP"):
        return "http"
    if text.startswith("AWS"):
        return "lambda" if ":lambda:path/" in uri or "invoke_arn" in uri or "aws_lambda_function" in uri else "aws"
    return None


def _method_key(m: Module, block: Block) -> str:
    return f"{m.target(block.get('resource_id'))}|{m.scope.text(block.get('http_method')).upper()}"


def _function_in_uri(builder: AwsBuilder, raw: Any) -> str | None:
    if isinstance(raw, str):
        for address in addresses_in(raw):
            if address.startswith("aws_lambda_function.") or address in builder.m.modules:
                return address
            if address.startswith("aws_lambda_alias."):
                return builder.function_of("${" + address + ".arn}")
    return None


def _resource_path(m: Module, raw: Any) -> str:
    parts: list[str] = []
    seen: set[str] = set()
    current = m.target(raw)
    while current and current not in seen:
        block = m.resources.get(current)
        if block is None or block.kind != "aws_api_gateway_resource":
            break
        seen.add(current)
        parts.append(m.scope.text(block.get("path_part")))
        current = m.target(block.get("parent_id"))
    return "/" + "/".join(reversed(parts))


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str) and single_expression(value) is not None:
        return [value]
    return [value]


_SG_MODULE = re.compile(r"terraform-aws-modules/security-group/aws(?://modules/([\w-]+))?|terraform-aws-security-group(?:\.git)?(?://modules/([\w-]+))?")
RULES_TABLE = Path(__file__).resolve().parents[2] / "data" / "tf_security_group_rules.toml"


@functools.cache
def sg_rule_table() -> dict[str, tuple[int, int, str]]:
    import tomllib

    rows = tomllib.loads(RULES_TABLE.read_text(encoding="utf-8"))["rules"]
    return {name: (int(row[0]), int(row[1]), str(row[2])) for name, row in rows.items()}


def _preset_rules(preset: str | None) -> list[str]:
    """The rules a ``//modules/<name>`` preset opens by default (its ``auto_ingress_rules``), as far as the table knows."""
    if not preset:
        return []
    table = sg_rule_table()
    return [n for n in (f"{preset}-tcp", f"{preset}-udp", f"{preset}-27017-tcp") if n in table]


def _named_rule(name: str, cidr: str, loc: Loc) -> list[SecurityGroupRule]:
    row = sg_rule_table().get(name)
    if row is None or not cidr:
        return []
    low, high, protocol = row
    every = protocol == "-1"
    return [SecurityGroupRule("ingress", protocol, None if every else low, None if every else high, cidr, loc)]


def _bare(text: str) -> str:
    """``${var.db_sg_id}`` → ``var.db_sg_id``: an unresolved reference named as the user writes it."""
    return text[2:-1] if text.startswith("${") and text.endswith("}") and text.count("${") == 1 else text


def _str(value: Any) -> str | None:
    return str(value) if value is not None and value != "" else None


_RESOURCE_ATTRIBUTE = re.compile(r"\$\{((?:data\.)?[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z_][a-z0-9_]*)\}")


def _single_reference(raw: Any) -> tuple[str | None, str | None]:
    """``"${aws_dynamodb_table.orders.name}"`` → ("aws_dynamodb_table.orders", "name"): what an
    environment variable names, so least privilege can resolve the table the code reads from it."""
    match = _RESOURCE_ATTRIBUTE.fullmatch(raw.strip()) if isinstance(raw, str) else None
    return (match.group(1), match.group(2)) if match else (None, None)
