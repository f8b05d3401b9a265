"""Serverless Framework services (``serverless.yml``, v3 and v4) → the application model.

The Framework compiles a short configuration into a CloudFormation stack: one
function per ``functions`` entry, one shared execution role
``IamRoleLambdaExecution`` (or one role per function with the
serverless-iam-roles-per-function plugin), a log group per function, API
Gateway routes, event source mappings and permissions for the ``events``. This
loader builds the model objects that stack would contain straight from the
configuration, keeping the line where each setting was written, and reads the
raw CloudFormation under ``resources`` with the CloudFormation builder so
roles, security groups, queues and log groups defined there join the same
:class:`~faasguard.model.Application`.

Variables are resolved first (:mod:`faasguard.loaders.sls_variables`); a value
that still holds a reference (``${ssm:…}``) is never a literal. Providers other
than AWS are read for what the model can hold (Azure and Google functions, their
HTTP triggers and environment); OpenWhisk, Kubeless and the like are reported
as not analysed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from faasguard import limits
from faasguard.loaders import located_yaml
from faasguard.loaders.cloudformation_builder import TemplateReader, build_application, reference, statements
from faasguard.loaders.interface import NO_VARIABLES, LoadResult
from faasguard.loaders.intrinsics import as_list
from faasguard.loaders.located_yaml import LDict, LList, LoadFailure, end_line_of, line_of
from faasguard.loaders.sls_variables import MAX_EXPANDED, Resolver, has_reference, origin_of
from faasguard.model import (
    Api,
    Application,
    EnvVar,
    Function,
    Loc,
    LogGroup,
    LogSubscription,
    ManagedPolicy,
    Provider,
    Role,
    Route,
    Setting,
    Statement,
    Trigger,
    VpcConfig,
    WebEntry,
)

FILENAMES = {"serverless.yml", "serverless.yaml", "serverless.json"}
SHARED_ROLE = "IamRoleLambdaExecution"
PER_FUNCTION_ROLES_PLUGIN = "serverless-iam-roles-per-function"
VPC_ACCESS_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
_FRAMEWORK_REF = re.compile(r"\$\{([A-Za-z0-9]+)(?:\.Arn)?\}")
_TOP_LEVEL = re.compile(r"^(?:provider|functions)\s*:|\"provider\"\s*:", re.M)
_PROVIDERS: dict[str, Provider] = {"aws": "aws", "azure": "azure", "google": "gcp"}
# Event types that invoke a function asynchronously (InvocationType=Event), and the trigger kind each becomes.
_ASYNC_EVENTS = {
    "s3": "s3",
    "sns": "sns",
    "schedule": "schedule",
    "eventBridge": "eventbridge",
    "cloudwatchEvent": "eventbridge",
    "cloudwatchLog": "cloudwatch-logs",
    "iot": "iot",
    "iotFleetProvisioning": "iot",
}
# Plugins that forward every function's logs to a central store (by a substring of the package name).
_LOG_FORWARDING_PLUGINS = ("datadog", "papertrail", "logzio", "sumologic", "newrelic", "new-relic", "lumigo", "coralogix")
_DEFAULTS: dict[str, tuple[int, int]] = {"aws": (1024, 6), "gcp": (256, 60), "azure": (1536, 300)}  # (MB, seconds)
_POLLED_EVENTS = {"sqs": "sqs", "msk": "kafka", "kafka": "kafka", "activemq": "mq", "rabbitmq": "mq"}
_STREAM_ACTIONS = {
    "dynamodb": ("dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"),
    "kinesis": ("kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListStreams"),
    "sqs": ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
}


class ServerlessFrameworkLoader:
    name = "serverless"

    def wants(self, filename: str) -> bool:
        return filename in FILENAMES

    def claims(self, path: Path, text: str) -> bool:
        return path.name.lower() in FILENAMES and bool(_TOP_LEVEL.search(text))

    def load(self, path: Path, text: str, root: Path, variables: Mapping[str, str] = NO_VARIABLES) -> LoadResult:
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
        result = LoadResult()
        try:
            raw = located_yaml.loads(text)
        except LoadFailure as exc:
            result.errors.append((rel, str(exc)))
            return result
        if not isinstance(raw, Mapping):
            result.errors.append((rel, "a serverless.yml must be a mapping with `service`, `provider` and `functions`; skipped"))
            return result
        resolver = Resolver(raw, path.parent, root, variables, origin=rel)
        config = resolver.resolve()
        for shown in resolver.refused:
            result.errors.append((rel, limits.outside_message(shown, "${file()} path") + "; the variable stays unresolved"))
        if resolver.bomb is not None:
            result.warnings.append((rel, (
                f"variables expand to more than {MAX_EXPANDED:,} values (a reference bomb, first refused at "
                f"{resolver.bomb}); the rest are left unresolved"
            )))
        if resolver.unresolved:
            shown = ", ".join(resolver.unresolved[:5]) + (" …" if len(resolver.unresolved) > 5 else "")
            result.warnings.append(
                (rel, f"{len(resolver.unresolved)} variable(s) left unresolved and treated as unknown: {shown}")
            )
        provider_name = _provider_name(config)
        if provider_name not in _PROVIDERS:
            result.warnings.append(
                (rel, f"provider `{provider_name}` is not analysed (faasguard reads aws, azure and google services)")
            )
            return result
        service = _Service(config, rel, path.parent, resolver.stage(), resolver.region(), _PROVIDERS[provider_name])
        result.applications.append(service.build())
        result.warnings.extend((rel, note) for note in service.notes)
        result.included.extend(sorted(resolver.files_read))
        return result


def _provider_name(config: Mapping[str, Any]) -> str:
    provider = config.get("provider")
    if isinstance(provider, Mapping):
        return str(provider.get("name") or "aws").lower()
    return str(provider or "aws").lower()


class _Reader(TemplateReader):
    """The CloudFormation reader, with locations in the file each node came from (``${file(…)}`` includes).

    ``resources`` name the service's own functions by the logical ids the Framework gives them
    (``!GetAtt OrdersLambdaFunction.Arn``, ``!Ref OrdersLambdaFunction``) or by their deployed
    names; ``framework_functions`` maps both to the function's key so permissions and alarms
    written there join the function.
    """

    framework_functions: Mapping[str, str] = {}

    def function_of(self, value: Any) -> str | None:
        found = super().function_of(value)
        if found is None and value is not None:
            text = self.fn.text(value)  # `${OrdersLambdaFunction}`, `${OrdersLambdaFunction.Arn}` or a literal name
            ref = _FRAMEWORK_REF.fullmatch(text)
            found = self.framework_functions.get(ref.group(1) if ref else text)
        return found

    def loc(self, value: Any, fallback_id: str | None = None) -> Loc:
        loc = super().loc(value, fallback_id)
        origin = getattr(value, "origin", None)
        return replace(loc, path=origin) if origin and line_of(value) else loc

    def key_loc(self, mapping: Any, key: str, fallback_id: str | None = None) -> Loc:
        loc = super().key_loc(mapping, key, fallback_id)
        origin = getattr(mapping, "origin", None)
        return replace(loc, path=origin) if origin and getattr(mapping, "line", 0) else loc

    def resource_loc(self, logical_id: str) -> Loc:
        loc = super().resource_loc(logical_id)
        origin = getattr(self.resources.get(logical_id), "origin", None)
        return replace(loc, path=origin) if origin else loc


def _merged(value: Any) -> LDict:
    """A mapping, or a list of mappings merged in order (``resources: [${file(a.yml)}, …]``)."""
    if isinstance(value, LDict):
        return value
    out = LDict()
    out.key_lines = {}
    for part in as_list(value) if isinstance(value, list) else []:
        if isinstance(part, Mapping):
            for key, child in part.items():
                if isinstance(child, Mapping) and isinstance(out.get(key), Mapping):
                    combined = LDict(out[key])
                    combined.key_lines = {**getattr(out[key], "key_lines", {}), **getattr(child, "key_lines", {})}
                    combined.line = getattr(out[key], "line", 0)
                    combined.update(child)
                    out[key] = combined
                else:
                    out[key] = child
                out.key_lines.setdefault(str(key), part.line_of(key) if isinstance(part, LDict) else 0)
    if isinstance(value, LList):
        out.line, out.end_line = value.line, value.end_line
    return out


def _layer_ref(text: str) -> str:
    """``${DepsLambdaLayer}`` (a ``Ref`` to a layer of this service) → ``DepsLambdaLayer``; ARNs unchanged."""
    return text[2:-1] if text.startswith("${") and text.endswith("}") and "." not in text else text


def normalized(name: str) -> str:
    """The Framework's logical-id form of a function name (``get-user`` → ``GetDashuser``)."""
    text = name.replace("-", "Dash").replace("_", "Underscore")
    return text[:1].upper() + text[1:]


@dataclass
class _RoleDraft:
    id: str
    loc: Loc
    statements: list[Statement] = field(default_factory=list)
    managed: list[ManagedPolicy] = field(default_factory=list)
    boundary: str | None = None
    filled: bool = False  # the provider-level statements have been added


class _Service:
    """One service being turned into an Application; holds the pieces every function shares."""

    def __init__(self, config: Mapping[str, Any], rel: str, service_dir: Path, stage: str, region: str, provider: Provider):
        self.config = config
        self.rel = rel
        self.service_dir = service_dir
        self.stage = stage
        self.region = region
        self.cloud = provider
        provider_block = config.get("provider")
        self.provider: LDict = provider_block if isinstance(provider_block, LDict) else LDict()
        self.service_name = _service_name(config.get("service"))
        resources = _merged(config.get("resources"))
        template = LDict(
            Resources=_merged(resources.get("Resources")),
            Conditions=resources.get("Conditions") or {},
            Parameters={},
        )
        self.reader = _Reader(template, rel, service_dir)
        functions = _merged(config.get("functions"))
        self.reader.framework_functions = {
            ref: str(name)
            for name, body in functions.items()
            if isinstance(body, Mapping)
            for ref in (f"{normalized(str(name))}LambdaFunction", self.deployed_name(str(name), body))
        }
        self.fn = self.reader.fn
        plugins = self.config.get("plugins")
        names = plugins.get("modules") if isinstance(plugins, Mapping) else plugins
        self.plugins = {str(p) for p in as_list(names) if isinstance(p, str)}
        self.notes: list[str] = []  # warnings about what the Framework will do with this file
        self.roles: dict[str, _RoleDraft] = {}
        self.apis: dict[str, tuple[str, list[Route]]] = {}

    # -- locations --------------------------------------------------------------------
    def loc(self, node: Any, fallback: Loc | None = None) -> Loc:
        line = line_of(node)
        if not line:
            return fallback or Loc(self.rel)
        return Loc(origin_of(node, self.rel), line, end_line_of(node) or line)

    def key_loc(self, mapping: Any, key: str, fallback: Loc | None = None) -> Loc:
        line = mapping.line_of(key) if isinstance(mapping, LDict) and key in mapping else 0
        if not line:
            return fallback or Loc(self.rel)
        value = mapping.get(key)
        end = end_line_of(value) if isinstance(value, dict | list) else line
        return Loc(origin_of(mapping, self.rel), line, max(end, line))

    # -- build ------------------------------------------------------------------------
    def build(self) -> Application:
        app = build_application(self.reader, "serverless")
        app.source = self.rel
        app.root = self.service_dir
        layers = self.config.get("layers")
        for layer_name, spec in layers.items() if isinstance(layers, Mapping) else ():
            # The Framework names a layer's CloudFormation resource <Name>LambdaLayer.
            if isinstance(spec, Mapping) and isinstance(spec.get("path"), str):
                app.layers[f"{normalized(str(layer_name))}LambdaLayer"] = (self.service_dir / spec["path"]).resolve()
        functions = _merged(self.config.get("functions"))
        for name, body in functions.items():
            if not isinstance(body, Mapping):
                continue
            function = self.function(str(name), body, self.key_loc(functions, str(name)))
            app.functions.append(function)
            if self.cloud == "aws":
                self.log_group(app, str(name), body, function)
                group = next((g for g in app.log_groups if g.function == str(name)), None)
                forwarded = self.log_subscription(str(name), body, group) if group is not None else None
                if forwarded is not None:
                    app.log_subscriptions.append(forwarded)
        for draft in self.roles.values():
            if draft.id in app.roles:
                continue  # `resources` overrides the generated role, as the Framework merges it
            app.roles[draft.id] = Role(
                draft.id,
                draft.loc,
                tuple(draft.statements),
                tuple(draft.managed),
                trust=(
                    Statement(
                        "Allow", ("sts:AssumeRole",), principals=("Service:lambda.amazonaws.com",), policy="trust", loc=draft.loc
                    ),
                ),
                permissions_boundary=draft.boundary,
            )
        for function in app.functions:
            if function.role_id and function.role_id not in app.roles:
                app.roles[function.role_id] = Role(function.role_id, function.loc, external=True)
        app.apis.extend(self.api_objects())
        app.web_entries.extend(self.web_entries(app))
        return app

    def web_entries(self, app: Application) -> Iterator[WebEntry]:
        """The REST API the Framework generates (``ApiGatewayRestApi``), unless private; protected by a web ACL
        when ``resources`` associates one with it or the serverless-associate-waf plugin is configured."""
        gateway = self.provider.get("apiGateway")
        if self._rest_endpoint_type() == "PRIVATE" or any(e.id == "ApiGatewayRestApi" for e in app.web_entries):
            return
        api = next((a for a in app.apis if a.id == "ApiGatewayRestApi"), None)
        if api is None or (isinstance(gateway, Mapping) and gateway.get("restApiId")):
            return  # no REST API, or one created elsewhere (apiGateway.restApiId)
        acl = None
        for assoc_id, props in self.reader.of_type(
            "AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation"
        ):
            if "ApiGatewayRestApi" in self.fn.text(props.get("ResourceArn")):
                acl = self.fn.text(props.get("WebACLArn") or props.get("WebACLId")) or assoc_id
        custom = self.config.get("custom")
        plugin = custom.get("associateWaf") if isinstance(custom, Mapping) else None
        if acl is None and isinstance(plugin, Mapping) and plugin.get("name") and "serverless-associate-waf" in self.plugins:
            acl = str(plugin.get("name"))
        yield WebEntry("ApiGatewayRestApi", "rest", api.loc, acl)

    def setting(self, body: Mapping[str, Any], key: str, provider_key: str | None = None) -> tuple[Any, Loc | None]:
        """A function setting, or the provider default; with the line where it was written."""
        if key in body and body[key] is not None:
            return body[key], self.key_loc(body, key)
        provider_key = provider_key or key
        if provider_key in self.provider and self.provider[provider_key] is not None:
            return self.provider[provider_key], self.key_loc(self.provider, provider_key)
        return None, None

    def function(self, name: str, body: Mapping[str, Any], loc: Loc) -> Function:
        runtime, runtime_loc = self.setting(body, "runtime")
        memory, memory_loc = self.setting(body, "memorySize")
        timeout, timeout_loc = self.setting(body, "timeout")
        # What the Framework deploys when nothing is written (the Lambda defaults are 128 MB / 3 s).
        memory = memory if memory is not None else _DEFAULTS[self.cloud][0]
        timeout = timeout if timeout is not None else _DEFAULTS[self.cloud][1]
        kms, _ = self.setting(body, "kmsKeyArn")
        layers, _ = self.setting(body, "layers")
        tracing, tracing_loc = self.tracing(body)
        image = body.get("image")
        vpc = self.vpc(body, loc)
        role_id = self.role_for(name, body, loc, vpc is not None) if self.cloud == "aws" else None
        triggers = list(self.triggers(name, body, loc, role_id))
        url_auth, url_loc = None, None
        if body.get("url"):
            url = body["url"]
            url_auth = "AWS_IAM" if isinstance(url, Mapping) and str(url.get("authorizer", "")).lower() == "aws_iam" else "NONE"
            url_loc = (
                self.key_loc(url, "authorizer") if isinstance(url, Mapping) and "authorizer" in url else self.key_loc(body, "url")
            )
            triggers.append(Trigger("function-url", None, url_loc, public=True, authenticated=url_auth != "NONE"))
        url_settings: list[Setting] = []
        cors = body["url"].get("cors") if isinstance(body.get("url"), Mapping) else None
        if isinstance(cors, Mapping):  # url.cors: {allowedOrigins: [...], allowCredentials: true}
            origins = tuple(str(o) for o in as_list(cors.get("allowedOrigins")) if isinstance(o, str))
            cors_loc = self.key_loc(cors, "allowedOrigins") if "allowedOrigins" in cors else self.key_loc(body["url"], "cors")
            url_settings.append(Setting("url_cors_origins", origins, cors_loc))
            url_settings.append(Setting("url_cors_credentials", cors.get("allowCredentials") is True, cors_loc))
        destinations = body.get("destinations")
        on_failure = destinations.get("onFailure") if isinstance(destinations, Mapping) else None
        if isinstance(on_failure, Mapping):
            on_failure = on_failure.get("arn") or on_failure.get("type")
        on_success = destinations.get("onSuccess") if isinstance(destinations, Mapping) else None
        if isinstance(on_success, Mapping):
            on_success = on_success.get("arn") or on_success.get("type")
        return Function(
            name=name,
            loc=loc,
            provider=self.cloud,
            runtime=_text_or_none(runtime),
            runtime_loc=runtime_loc,
            handler=_text_or_none(body.get("handler")),
            code_dir=self.code_dir(name, body),
            package_type="Image" if image else "Zip",
            memory=_int(memory),
            memory_loc=memory_loc,
            timeout=_int(timeout),
            timeout_loc=timeout_loc,
            reserved_concurrency=_int(body.get("reservedConcurrency")),
            tracing=tracing,
            tracing_loc=tracing_loc,
            environment=tuple(self.environment(body)),
            env_kms_key=self.text(kms) or None,
            role_id=role_id,
            vpc=vpc,
            dead_letter_target=self.text(body.get("onError")) or None,
            on_failure_destination=self.text(on_failure) or None,
            on_success_destination=self.text(on_success) or None,
            triggers=tuple(triggers),
            layers=tuple(self.reader.fn.target(layer) or _layer_ref(self.text(layer)) for layer in as_list(layers)),
            url_auth_type=url_auth,
            url_loc=url_loc,
            source_resource="serverless:function",
            settings=tuple(url_settings) + self.wsgi_app(body),
            code_signing_config=self.extension(name, "CodeSigningConfigArn"),
        )

    def wsgi_app(self, body: Mapping[str, Any]) -> tuple[Setting, ...]:
        """serverless-wsgi: ``handler: wsgi_handler.handler`` is generated at package time and serves the WSGI app
        ``custom.wsgi.app`` names (``app.app``: module ``app``, variable ``app``); the code analyzer starts there."""
        handler = str(body.get("handler") or "").strip()
        # serverless-wsgi before 1.7 generated wsgi.py: `handler: wsgi.handler`
        if handler != "wsgi_handler.handler" and not (handler == "wsgi.handler" and "serverless-wsgi" in self.plugins):
            return ()
        custom = self.config.get("custom")
        wsgi = custom.get("wsgi") if isinstance(custom, Mapping) else None
        app = self.text(wsgi.get("app")).strip() if isinstance(wsgi, Mapping) and wsgi.get("app") is not None else ""
        if "." not in app or has_reference(app):
            return ()
        return (Setting("wsgi_app", app, self.key_loc(wsgi, "app")),)

    def extension(self, name: str, key: str) -> str | None:
        """A property set on the function's generated resource through ``resources.extensions``."""
        extensions = _merged(self.config.get("resources")).get("extensions")
        generated = extensions.get(f"{normalized(name)}LambdaFunction") if isinstance(extensions, Mapping) else None
        props = generated.get("Properties") if isinstance(generated, Mapping) else None
        value = props.get(key) if isinstance(props, Mapping) else None
        return self.text(value) or None if value is not None else None

    def log_subscription(self, name: str, body: Mapping[str, Any], group: LogGroup) -> LogSubscription | None:
        """serverless-plugin-log-subscription: ``custom.logSubscription`` with ``enabled`` or the function's
        ``logSubscription``; a log-forwarding plugin (Datadog, Papertrail …) forwards every function's logs."""
        custom = self.config.get("custom")
        settings = custom.get("logSubscription") if isinstance(custom, Mapping) else None
        own = body.get("logSubscription")
        if settings is not None and any("log-subscription" in p for p in self.plugins):
            enabled = any(isinstance(s, Mapping) and s.get("enabled") is True for s in as_list(settings))
            if own is False or (own is None and not enabled):
                return None
            where = self.key_loc(body, "logSubscription") if own is not None else self.key_loc(custom, "logSubscription")
            return LogSubscription(f"{group.id}Subscription", where, group.id, name)
        forwarder = next((p for p in sorted(self.plugins) if any(k in p.lower() for k in _LOG_FORWARDING_PLUGINS)), None)
        if forwarder is not None:
            return LogSubscription(f"{group.id}:{forwarder}", group.loc, group.id, name)
        return None

    def text(self, value: Any) -> str:
        return self.fn.text(value) if value is not None else ""

    def tracing(self, body: Mapping[str, Any]) -> tuple[str | None, Loc | None]:
        if "tracing" in body:
            value, loc = body["tracing"], self.key_loc(body, "tracing")
        else:
            block = self.provider.get("tracing")
            if not isinstance(block, Mapping) or "lambda" not in block:
                return None, None
            value, loc = block["lambda"], self.key_loc(block, "lambda")
        if value is True or str(value).lower() == "active":
            return "Active", loc
        if str(value).lower() == "passthrough":
            return "PassThrough", loc
        return None, loc

    def environment(self, body: Mapping[str, Any]) -> Iterator[EnvVar]:
        merged: dict[str, EnvVar] = {}
        for block in (self.provider.get("environment"), body.get("environment")):
            if not isinstance(block, Mapping):
                continue
            for key, value in block.items():
                loc = self.key_loc(block, str(key))
                if isinstance(value, bool | int | float) or (isinstance(value, str) and not has_reference(value)):
                    text = str(value).lower() if isinstance(value, bool) else str(value)
                    merged[str(key)] = EnvVar(str(key), text, True, loc)
                else:
                    # `!Ref OrdersTable` under `resources` names the table the code reads from this variable.
                    ref, attr = reference(value, self.reader.fn)
                    variable = value if isinstance(value, str) else None  # `${ssm:...}`: resolved at deploy time
                    merged[str(key)] = EnvVar(str(key), None, False, loc, ref, attr, variable)
        yield from merged.values()

    def vpc(self, body: Mapping[str, Any], loc: Loc) -> VpcConfig | None:
        value, vpc_loc = self.setting(body, "vpc")
        if not isinstance(value, Mapping):
            return None
        subnets = value.get("subnetIds")
        groups = value.get("securityGroupIds")
        if not subnets and not groups:
            return None
        return VpcConfig(
            subnet_ids=tuple(self.fn.target(s) or self.text(s) for s in as_list(subnets)),
            security_group_ids=tuple(self.fn.target(s) or self.text(s) for s in as_list(groups)),
            loc=vpc_loc or loc,
        )

    def code_dir(self, name: str, body: Mapping[str, Any]) -> Path | None:
        image = body.get("image")
        if image:
            ecr = self.provider.get("ecr")
            images = ecr.get("images") if isinstance(ecr, Mapping) else None
            image_name = image.get("name") if isinstance(image, Mapping) else image
            spec = images.get(image_name) if isinstance(images, Mapping) and isinstance(image_name, str) else None
            if isinstance(spec, Mapping) and isinstance(spec.get("path"), str):
                return (self.service_dir / spec["path"]).resolve()
            return None
        for package in (body.get("package"), self.config.get("package")):
            if isinstance(package, Mapping) and package.get("artifact"):
                return None  # a prebuilt zip: no source on disk to analyse
        return self.service_dir.resolve()

    # -- IAM --------------------------------------------------------------------------
    def role_for(self, name: str, body: Mapping[str, Any], loc: Loc, in_vpc: bool) -> str | None:
        if body.get("role") is not None:
            return self.fn.target(body["role"]) or self.text(body["role"])
        iam = self.provider.get("iam")
        custom = iam.get("role") if isinstance(iam, Mapping) else None
        if custom is None:
            custom = self.provider.get("role")
        if custom is not None and not isinstance(custom, Mapping):
            return self.fn.target(custom) or self.text(custom)
        if PER_FUNCTION_ROLES_PLUGIN in self.plugins and body.get("iamRoleStatements"):
            draft = self._role(f"{normalized(name)}IamRoleLambdaExecution", self.key_loc(body, "iamRoleStatements"))
            draft.statements.extend(
                statements(
                    self.reader, LDict(Statement=body["iamRoleStatements"]), f"functions.{name}.iamRoleStatements", draft.id
                )
            )
            if self._inherits(body):
                self._provider_policies(draft)
        else:
            if body.get("iamRoleStatements"):
                self.notes.append(
                    f"functions.{name}.iamRoleStatements is ignored: it needs the {PER_FUNCTION_ROLES_PLUGIN} plugin, "
                    f"which `plugins` does not list, so function {name} runs with the shared role {SHARED_ROLE}"
                )
            draft = self._role(SHARED_ROLE, self._shared_role_loc(loc))
            if not draft.filled:
                self._provider_policies(draft)
                draft.filled = True
        deployed = self.deployed_name(name, body)
        draft.statements.append(
            Statement(
                "Allow",
                ("logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents"),
                resources=(f"arn:aws:logs:{self.region}:${{AWS::AccountId}}:log-group:/aws/lambda/{deployed}:*",),
                policy="generated: function logs",
                loc=draft.loc,
            )
        )
        if in_vpc and not any(m.arn == VPC_ACCESS_POLICY for m in draft.managed):
            draft.managed.append(ManagedPolicy(VPC_ACCESS_POLICY, draft.loc))
        return draft.id

    def _inherits(self, body: Mapping[str, Any]) -> bool:
        if "iamRoleStatementsInherit" in body:
            return bool(body["iamRoleStatementsInherit"])
        custom = self.config.get("custom")
        settings = custom.get(PER_FUNCTION_ROLES_PLUGIN) if isinstance(custom, Mapping) else None
        return bool(settings.get("defaultInherit")) if isinstance(settings, Mapping) else False

    def _role(self, role_id: str, loc: Loc) -> _RoleDraft:
        if role_id not in self.roles:
            self.roles[role_id] = _RoleDraft(role_id, loc)
        return self.roles[role_id]

    def _shared_role_loc(self, fallback: Loc) -> Loc:
        iam = self.provider.get("iam")
        if isinstance(iam, LDict) and "role" in iam:
            return self.key_loc(iam, "role")
        if "iamRoleStatements" in self.provider:
            return self.key_loc(self.provider, "iamRoleStatements")
        return self.key_loc(self.config, "provider", fallback) if isinstance(self.config, LDict) else fallback

    def _provider_policies(self, draft: _RoleDraft) -> None:
        """``provider.iam.role.statements`` / legacy ``iamRoleStatements`` and the managed policies."""
        iam = self.provider.get("iam")
        role = iam.get("role") if isinstance(iam, Mapping) else None
        role = role if isinstance(role, Mapping) else {}
        for where, items in (
            ("provider.iam.role.statements", role.get("statements")),
            ("provider.iamRoleStatements", self.provider.get("iamRoleStatements")),
        ):
            if isinstance(items, list):
                draft.statements.extend(statements(self.reader, LDict(Statement=items), where, draft.id))
        for arns in (role.get("managedPolicies"), self.provider.get("iamManagedPolicies")):
            for index, arn in enumerate(as_list(arns)):
                line = arns.line_of(index) if isinstance(arns, LList) else 0
                draft.managed.append(
                    ManagedPolicy(self.text(arn), Loc(origin_of(arns, self.rel), line, line) if line else draft.loc)
                )
        boundary = role.get("permissionsBoundary") or self.provider.get("rolePermissionsBoundary")
        draft.boundary = self.text(boundary) or None

    def deployed_name(self, name: str, body: Mapping[str, Any]) -> str:
        explicit = body.get("name")
        return str(explicit) if isinstance(explicit, str) else f"{self.service_name}-{self.stage}-{name}"

    # -- events -----------------------------------------------------------------------
    def triggers(self, name: str, body: Mapping[str, Any], fn_loc: Loc, role_id: str | None) -> Iterator[Trigger]:
        events = body.get("events")
        if not isinstance(events, list):
            return
        for index, event in enumerate(events):
            if not isinstance(event, Mapping) or not event:
                continue
            kind = next((str(k) for k in event if str(k) != "x-azure-settings"), "")
            spec = event.get(kind)
            line = events.line_of(index) if isinstance(events, LList) else 0
            loc = Loc(origin_of(events, self.rel), line, end_line_of(spec) or line) if line else fn_loc
            if self.cloud != "aws":
                trigger = self._other_cloud_trigger(kind, spec, event, loc)
                if trigger:
                    yield trigger
                continue
            yield from self._aws_trigger(name, kind, spec, loc, role_id)

    def _aws_trigger(self, name: str, kind: str, spec: Any, loc: Loc, role_id: str | None) -> Iterator[Trigger]:
        spec_map = spec if isinstance(spec, Mapping) else {}
        if kind == "http":
            yield self._rest_route(name, spec, loc)
        elif kind == "httpApi":
            yield self._http_api_route(name, spec, loc)
        elif kind == "websocket":
            route = spec_map.get("route") if spec_map else spec
            # Only $connect takes an authorizer; every later message rides on that authorized connection.
            authenticated = bool(spec_map.get("authorizer")) if route == "$connect" else self._websocket_connect_authorized()
            authorization = "CUSTOM" if authenticated else "NONE"
            self._route("WebsocketsApi", "websocket", Route("ANY", str(route), name, authorization, False, None, loc))
            yield Trigger("websocket", "WebsocketsApi", loc, public=True, authenticated=authenticated, route=str(route))
        elif kind == "alb":
            yield Trigger(
                "alb",
                self.fn.target(spec_map.get("listenerArn")),
                loc,
                public=self._alb_public(spec_map.get("listenerArn")),
                authenticated=bool(spec_map.get("authorizer")),
                route=_alb_route(spec_map),
            )
        elif kind in _ASYNC_EVENTS:
            yield Trigger(_ASYNC_EVENTS[kind], self._source(kind, spec), loc, asynchronous=True)
        elif kind == "stream":
            arn = spec_map.get("arn") if spec_map else spec
            stream_type = str(spec_map.get("type") or ("dynamodb" if ":dynamodb:" in self.text(arn) else "kinesis"))
            source = self.fn.target(arn)
            self._grant(role_id, stream_type, arn, loc)
            yield Trigger("dynamodb" if "dynamodb" in stream_type else "kinesis", source or self.text(arn) or None, loc)
        elif kind in _POLLED_EVENTS:
            arn = spec_map.get("arn") if spec_map else spec
            if kind == "sqs":
                self._grant(role_id, "sqs", arn, loc)
            yield Trigger(_POLLED_EVENTS[kind], self.fn.target(arn) or self.text(arn) or None, loc)
        elif kind:
            yield Trigger("other", None, loc, asynchronous=kind in ("cloudFront",))

    def _grant(self, role_id: str | None, kind: str, arn: Any, loc: Loc) -> None:
        """The Framework adds the polling permissions an event source needs to the function's generated role."""
        draft = self.roles.get(role_id or "")
        if draft is None or arn is None or kind not in _STREAM_ACTIONS:
            return
        draft.statements.append(
            Statement("Allow", _STREAM_ACTIONS[kind], resources=(self.text(arn),), policy=f"generated: {kind} event", loc=loc)
        )

    def _source(self, kind: str, spec: Any) -> str | None:
        if isinstance(spec, Mapping):
            for key in ("bucket", "topicName", "arn", "eventBus", "name"):
                if spec.get(key) is not None:
                    return self.fn.target(spec[key]) or self.text(spec[key])
            return None
        return None if kind == "schedule" else (self.fn.target(spec) or self.text(spec) or None)

    def _rest_route(self, name: str, spec: Any, loc: Loc) -> Trigger:
        if isinstance(spec, str):
            method, _, path = spec.partition(" ")
            spec = {}
        else:
            spec = spec if isinstance(spec, Mapping) else {}
            method, path = str(spec.get("method") or "ANY"), str(spec.get("path") or "")
        authorization = _rest_authorization(spec.get("authorizer"))
        private = bool(spec.get("private"))
        request = spec.get("request")
        validated = isinstance(request, Mapping) and bool(request.get("schemas") or request.get("schema"))
        route_path = "/" + path.strip().lstrip("/")
        route = Route(method.upper(), route_path, name, authorization, private, validated, loc)
        self._route("ApiGatewayRestApi", "rest", route)
        return Trigger(
            "api",
            "ApiGatewayRestApi",
            loc,
            asynchronous=bool(spec.get("async")),
            public=self._rest_endpoint_type() != "PRIVATE",
            authenticated=authorization != "NONE" or private,
            route=f"{route.method} {route.path}",
        )

    def _http_api_route(self, name: str, spec: Any, loc: Loc) -> Trigger:
        if isinstance(spec, str):
            method, _, path = spec.partition(" ") if spec.strip() != "*" else ("*", "", "*")
            spec = {}
        else:
            spec = spec if isinstance(spec, Mapping) else {}
            method, path = str(spec.get("method") or "*"), str(spec.get("path") or "*")
        authorization = self._http_api_authorization(spec.get("authorizer"))
        method = "ANY" if method == "*" else method.upper()
        route = Route(method, path, name, authorization, False, None, loc)
        self._route("HttpApi", "http", route)
        return Trigger("http-api", "HttpApi", loc, public=True, authenticated=authorization != "NONE", route=f"{method} {path}")

    def _http_api_authorization(self, authorizer: Any) -> str:
        if not authorizer:
            return "NONE"
        if isinstance(authorizer, Mapping):
            if str(authorizer.get("type", "")).lower() == "aws_iam":
                return "AWS_IAM"
            name = authorizer.get("name")
            if authorizer.get("id") and not name:
                return "CUSTOM"
        else:
            name = authorizer
        http_api = self.provider.get("httpApi")
        defined = http_api.get("authorizers") if isinstance(http_api, Mapping) else None
        definition = defined.get(name) if isinstance(defined, Mapping) and isinstance(name, str) else None
        if isinstance(definition, Mapping) and str(definition.get("type", "jwt")).lower() == "request":
            return "CUSTOM"
        return "JWT" if definition is not None or isinstance(name, str) else "CUSTOM"

    def _websocket_connect_authorized(self) -> bool:
        functions = _merged(self.config.get("functions"))
        for body in functions.values():
            for event in as_list(body.get("events") if isinstance(body, Mapping) else None):
                spec = event.get("websocket") if isinstance(event, Mapping) else None
                if isinstance(spec, Mapping) and spec.get("route") == "$connect":
                    return bool(spec.get("authorizer"))
        return False  # no $connect handler: API Gateway accepts every connection

    def _alb_public(self, listener_arn: Any) -> bool:
        listener = self.fn.target(listener_arn)
        props = self.reader.resources.get(listener, {}).get("Properties") if listener else None
        balancer = self.fn.target(props.get("LoadBalancerArn")) if isinstance(props, Mapping) else None
        lb_props = self.reader.resources.get(balancer, {}).get("Properties") if balancer else None
        if not isinstance(lb_props, Mapping):
            return False  # a load balancer defined elsewhere: its scheme is unknown
        return str(self.fn.scalar(lb_props.get("Scheme")) or "internet-facing") != "internal"

    def _route(self, api_id: str, kind: str, route: Route) -> None:
        self.apis.setdefault(api_id, (kind, []))[1].append(route)

    def _rest_endpoint_type(self) -> str | None:
        """``provider.endpointType`` of the generated REST API: EDGE (the default), REGIONAL or PRIVATE."""
        endpoint = self.provider.get("endpointType")
        return str(endpoint).upper() if isinstance(endpoint, str) and endpoint else None

    def api_objects(self) -> Iterator[Api]:
        logs = self.provider.get("logs")
        logs = logs if isinstance(logs, LDict) else LDict()
        tracing_block = self.provider.get("tracing")
        gateway = self.provider.get("apiGateway")
        gateway = gateway if isinstance(gateway, Mapping) else {}
        provider_loc = self.key_loc(self.config, "provider") if isinstance(self.config, LDict) else Loc(self.rel)
        for api_id, (kind, routes) in self.apis.items():
            log_key = {"rest": "restApi", "http": "httpApi", "websocket": "websocket"}[kind]
            tracing = None
            if kind == "rest":
                tracing = bool(tracing_block.get("apiGateway")) if isinstance(tracing_block, Mapping) else False
            throttling, has_plan = None, False
            if kind == "rest":
                plans = gateway.get("usagePlan")
                for plan in as_list(plans):
                    body = (
                        next(iter(plan.values()), None)
                        if isinstance(plan, Mapping) and len(plan) == 1 and "throttle" not in plan
                        else plan
                    )
                    throttle = body.get("throttle") if isinstance(body, Mapping) else None
                    if isinstance(throttle, Mapping):
                        throttling = (_float(throttle.get("rateLimit")), _float(throttle.get("burstLimit")))
                has_plan = bool(plans) or bool(gateway.get("apiKeys"))
            # logs.restApi / logs.websocket: {fullExecutionData: true} turns data trace on. Only an
            # explicit true counts: what the Framework defaults to has changed between versions.
            log_settings = logs.get(log_key)
            full_data = log_settings.get("fullExecutionData") if isinstance(log_settings, Mapping) else None
            data_trace = (full_data is True or str(full_data).lower() == "true") if full_data is not None else None
            yield Api(
                id=api_id,
                kind=kind,
                loc=routes[0].loc if routes else provider_loc,
                routes=tuple(routes),
                access_logging=bool(logs.get(log_key)),
                tracing=tracing,
                throttling=throttling,
                stage_loc=self.key_loc(logs, log_key) if log_key in logs else provider_loc,
                has_usage_plan=has_plan,
                endpoint_type=self._rest_endpoint_type() if kind == "rest" else None,
                data_trace=data_trace,
                data_trace_loc=self.key_loc(log_settings, "fullExecutionData")
                if data_trace and isinstance(log_settings, LDict)
                else None,
            )

    # -- logs -------------------------------------------------------------------------
    def log_group(self, app: Application, name: str, body: Mapping[str, Any], function: Function) -> None:
        """The Framework creates ``<Name>LogGroup`` for each function, kept for ``logRetentionInDays``."""
        if body.get("disableLogs"):
            return
        group_id = f"{normalized(name)}LogGroup"
        log_name = f"/aws/lambda/{self.deployed_name(name, body)}"
        for index, group in enumerate(app.log_groups):
            if group.id == group_id or group.name == log_name:
                app.log_groups[index] = replace(group, function=name)  # defined (or overridden) in `resources`
                return
        retention, loc = self.setting(body, "logRetentionInDays")
        app.log_groups.append(LogGroup(group_id, log_name, _int(retention), None, loc or function.loc, function=name))

    # -- other clouds -----------------------------------------------------------------
    def _other_cloud_trigger(self, kind: str, spec: Any, event: Mapping[str, Any], loc: Loc) -> Trigger | None:
        settings = event.get("x-azure-settings")
        settings = settings if isinstance(settings, Mapping) else {}
        if str(settings.get("direction", "in")).lower() == "out":
            return None  # an output binding, not something that invokes the function
        if kind == "http":
            if self.cloud == "azure":
                level = str(
                    settings.get("authLevel") or (spec.get("authLevel") if isinstance(spec, Mapping) else "") or "function"
                )
                return Trigger("http", None, loc, public=True, authenticated=level.strip().lower() != "anonymous")
            return Trigger("http", None, loc, public=True, authenticated=None)  # Google: decided by IAM bindings elsewhere
        if kind == "event" and isinstance(spec, Mapping):
            return Trigger("other", self.text(spec.get("resource")) or None, loc, asynchronous=True)
        return Trigger("other", None, loc)


def _rest_authorization(authorizer: Any) -> str:
    if not authorizer:
        return "NONE"
    if isinstance(authorizer, str):
        text = authorizer.lower()
        return "AWS_IAM" if text == "aws_iam" else "COGNITO_USER_POOLS" if "cognito-idp" in text else "CUSTOM"
    if isinstance(authorizer, Mapping):
        kind = str(authorizer.get("type", "")).lower()
        arn = str(authorizer.get("arn", ""))
        if kind == "aws_iam":
            return "AWS_IAM"
        if kind == "cognito_user_pools" or "cognito-idp" in arn:
            return "COGNITO_USER_POOLS"
        return "CUSTOM"
    return "CUSTOM"


def _alb_route(spec: Mapping[str, Any]) -> str | None:
    conditions = spec.get("conditions")
    if not isinstance(conditions, Mapping):
        return None
    paths = ",".join(str(p) for p in as_list(conditions.get("path")))
    methods = ",".join(str(m) for m in as_list(conditions.get("method"))) or "ANY"
    return f"{methods} {paths}" if paths else None


def _service_name(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("name")
    return str(value) if value is not None else "service"


def _text_or_none(value: Any) -> str | None:
    return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None
