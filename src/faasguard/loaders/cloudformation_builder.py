"""CloudFormation (and translated SAM) templates → the application model.

The builder reads the resource types serverless applications are made of and
joins them by reference: which role a function assumes, which log group and
alarms watch it, which API routes, queues and buckets invoke it, which subnets
and security groups it sits in. It never judges; rules do that.

SAM templates arrive here after :mod:`faasguard.loaders.template_loader` has translated
them, so one builder serves both; ``origin`` maps each generated resource back
to the SAM resource written in the file, for its line number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from faasguard.loaders import cloudformation_perimeter
from faasguard.loaders.intrinsics import Intrinsics, as_list
from faasguard.loaders.located_yaml import LList, end_line_of, line_of
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
    ManagedPolicy,
    Permission,
    ResourcePolicy,
    Role,
    Route,
    Secret,
    SecurityGroup,
    SecurityGroupRule,
    Setting,
    Statement,
    Subnet,
    Trigger,
    VpcConfig,
    VpcEndpoint,
)

ASYNC_PRINCIPALS = {
    "s3.amazonaws.com": "s3",
    "sns.amazonaws.com": "sns",
    "events.amazonaws.com": "eventbridge",
    "logs.amazonaws.com": "cloudwatch-logs",
    "iot.amazonaws.com": "iot",
    "ses.amazonaws.com": "ses",
    "cognito-idp.amazonaws.com": "cognito",
    "scheduler.amazonaws.com": "schedule",
    "config.amazonaws.com": "config",
    "codecommit.amazonaws.com": "codecommit",
}
STREAM_SOURCES = {"kinesis": "kinesis", "dynamodb": "dynamodb", "sqs": "sqs", "kafka": "kafka", "mq": "mq"}
DATA_STORE_TYPES = {
    "AWS::S3::Bucket": "s3",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::DynamoDB::GlobalTable": "dynamodb",
    "AWS::SQS::Queue": "sqs",
    "AWS::SNS::Topic": "sns",
}
LAYER_KEY = "layer:"  # code_dirs keys of layer contents, beside the functions' logical ids
_SAM_PROPERTY_NAMES = {"TracingConfig": "Tracing", "DeadLetterConfig": "DeadLetterQueue"}
_FUNCTION_ARN_IN_URI = re.compile(r"functions/\$\{([A-Za-z0-9]+)(?:\.Arn)?\}")


def _first(entry: tuple[Any, ...]) -> Any:
    return entry[0]


class TemplateReader:
    """One template's resources, with location lookups and intrinsic resolution."""

    def __init__(
        self,
        template: Mapping[str, Any],
        path: str,
        base_dir: Path,
        origin: Callable[[str], Any] | None = None,
        sam_globals: Mapping[str, Any] | None = None,
    ):
        self.template = template
        self.path = path
        self.base_dir = base_dir
        resources = template.get("Resources")
        self.resources: Mapping[str, Any] = resources if isinstance(resources, Mapping) else {}
        params = template.get("Parameters")
        self.fn = Intrinsics(self.resources, params if isinstance(params, Mapping) else {})
        self._origin = origin
        self._sam_globals = sam_globals or {}
        # The resources by type, in template order: (logical id, properties), and each one's place in the template.
        self._by_type: dict[str, list[tuple[str, Mapping[str, Any]]]] | None = None
        self._positions: dict[str, list[int]] = {}

    # -- locations -------------------------------------------------------------------
    def loc(self, value: Any, fallback_id: str | None = None) -> Loc:
        line = line_of(value)
        if not line and fallback_id is not None:
            return self.resource_loc(fallback_id)
        return Loc(self.path, line or None, end_line_of(value) or line or None)

    def key_loc(self, mapping: Any, key: str, fallback_id: str | None = None) -> Loc:
        """The line of ``key`` inside ``mapping``; the line of its value's block when longer."""
        line = mapping.line_of(key) if hasattr(mapping, "line_of") else 0
        if not line and fallback_id is not None:
            line = self._sam_line(fallback_id, key)
        if not line:
            return self.loc(mapping.get(key) if isinstance(mapping, Mapping) else None, fallback_id)
        value = mapping.get(key)
        end = end_line_of(value) if isinstance(value, dict | list) else line
        return Loc(self.path, line, max(end, line))

    def _sam_line(self, logical_id: str, key: str) -> int:
        """For translated SAM: where the property was written — on the resource or in Globals."""
        if self._origin is None:
            return 0
        sam_key = _SAM_PROPERTY_NAMES.get(key, key)
        node = self._origin(logical_id)
        props = node.get("Properties") if isinstance(node, Mapping) else None
        for holder in (props, self._sam_globals.get("Function")):
            if isinstance(holder, Mapping) and sam_key in holder and hasattr(holder, "line_of"):
                return int(holder.line_of(sam_key))
        return 0

    def sam_event_loc(self, function_id: str, method: str, path: str) -> Loc | None:
        """For translated SAM: the ``Events`` entry of the function that declared this API route."""
        node = self._origin(function_id) if self._origin else None
        props = node.get("Properties") if isinstance(node, Mapping) else None
        events = props.get("Events") if isinstance(props, Mapping) else None
        if not isinstance(events, Mapping) or not hasattr(events, "line_of"):
            return None
        for name, event in events.items():
            if not isinstance(event, Mapping) or event.get("Type") not in ("Api", "HttpApi"):
                continue
            spec = event.get("Properties")
            if not isinstance(spec, Mapping) or spec.get("Path") != path:
                continue
            declared = str(spec.get("Method", "")).lower()
            if declared == method.lower() or (declared == "any" and method == "ANY"):
                line = int(events.line_of(name))
                return Loc(self.path, line, end_line_of(event) or line)
        return None

    def sam_policy_line(self, role_id: str, arn: str) -> int:
        """For a role SAM generated: the line of the ``Policies`` entry that named this managed policy."""
        node = self._origin(role_id) if self._origin else None
        props = node.get("Properties") if isinstance(node, Mapping) else None
        policies = props.get("Policies") if isinstance(props, Mapping) else None
        name = arn.rsplit("/", 1)[-1]
        for index, item in enumerate(as_list(policies)):
            if isinstance(item, str) and (item == arn or item.rsplit("/", 1)[-1] == name):
                return policies.line_of(index) if isinstance(policies, LList) else line_of(item)
        return 0

    def resource_loc(self, logical_id: str) -> Loc:
        node = self._origin(logical_id) if self._origin else self.resources.get(logical_id)
        if node is None:
            node = self.resources.get(logical_id)
        return Loc(self.path, line_of(node) or None, end_line_of(node) or None)

    def function_of(self, value: Any) -> str | None:
        """The function a value names, through aliases and versions (``!Ref FnAliaslive``)."""
        seen: set[str] = set()
        target = self.fn.target(value)
        while target and target not in seen:
            seen.add(target)
            kind = self.type_of(target)
            if kind == "AWS::Lambda::Function":
                return target
            if kind not in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                return None
            props = self.resources[target].get("Properties")
            target = self.fn.target(props.get("FunctionName")) if isinstance(props, Mapping) else None
        return None

    def of_type(self, *types: str) -> Sequence[tuple[str, Mapping[str, Any]]]:
        """The resources of these types, in template order, with their properties."""
        if len(types) == 1:
            by_type = self._by_type if self._by_type is not None else self._index()
            return by_type.get(types[0], ())
        return [pair for _, _, pair in self._merged(types)]

    def typed(self, *types: str) -> list[tuple[str, str, Mapping[str, Any]]]:
        """The resources of these types, in template order: (type, logical id, properties)."""
        return [(kind, logical_id, props) for _, kind, (logical_id, props) in self._merged(types)]

    def _merged(self, types: tuple[str, ...]) -> list[tuple[int, str, tuple[str, Mapping[str, Any]]]]:
        by_type = self._by_type if self._by_type is not None else self._index()
        positions = self._positions
        found = [
            (position, kind, pair)
            for kind in dict.fromkeys(types)
            for position, pair in zip(positions.get(kind, ()), by_type.get(kind, ()), strict=True)
        ]
        found.sort(key=_first)
        return found

    def _index(self) -> dict[str, list[tuple[str, Mapping[str, Any]]]]:
        """One pass over the resources, not one for each of the ~50 questions."""
        by_type: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
        positions = self._positions
        for position, (logical_id, res) in enumerate(self.resources.items()):
            kind = res.get("Type") if isinstance(res, Mapping) else None
            if isinstance(kind, str):
                props = res.get("Properties")
                pairs = by_type.get(kind)
                if pairs is None:
                    pairs = by_type[kind] = []
                    positions[kind] = []
                pairs.append((str(logical_id), props if isinstance(props, Mapping) else {}))
                positions[kind].append(position)
        self._by_type = by_type
        return by_type

    def type_of(self, logical_id: str | None) -> str | None:
        res = self.resources.get(logical_id) if logical_id else None
        kind = res.get("Type") if isinstance(res, Mapping) else None
        return kind if isinstance(kind, str) else None


def build_application(reader: TemplateReader, fmt: str, code_dirs: Mapping[str, Path] | None = None) -> Application:
    """Read every resource faasguard understands into one :class:`Application`."""
    app = Application(root=reader.base_dir, source=reader.path, format=fmt)
    code_dirs = code_dirs or {}
    for logical_id, props in reader.of_type("AWS::IAM::Role"):
        app.roles[logical_id] = _role(reader, logical_id, props)
    for logical_id, props in reader.of_type("AWS::IAM::User"):
        app.roles[logical_id] = replace(_role(reader, logical_id, props), kind="user", trust=())
    for logical_id, props in reader.of_type("AWS::IAM::Group"):
        app.roles[logical_id] = replace(_role(reader, logical_id, props), kind="group", trust=())
    _attach_standalone_policies(reader, app)
    for logical_id, props in reader.of_type("AWS::Lambda::Permission"):
        app.permissions.append(_permission(reader, logical_id, props))
    app.apis.extend(_apis(reader))
    app.api_domains.extend(_api_domains(reader))
    app.log_groups.extend(_log_groups(reader))
    app.alarms.extend(_alarms(reader))
    app.secrets.extend(_secrets(reader))
    for logical_id, props in reader.of_type("AWS::KMS::Key"):
        app.kms_keys.append(
            KmsKey(logical_id, reader.resource_loc(logical_id), bool(reader.fn.scalar(props.get("EnableKeyRotation"))))
        )
    app.security_groups.update(_security_groups(reader))
    app.subnets.update(_subnets(reader))
    app.vpc_endpoints.extend(_vpc_endpoints(reader))
    app.resource_policies.extend(_resource_policies(reader))
    cloudformation_perimeter.read(reader, app)
    for resource_type, logical_id, props in reader.typed(*DATA_STORE_TYPES):
        kind = DATA_STORE_TYPES[resource_type]
        name_key = {"s3": "BucketName", "dynamodb": "TableName", "sqs": "QueueName", "sns": "TopicName"}[kind]
        name = reader.fn.scalar(props.get(name_key))
        app.data_stores.append(DataStore(logical_id, kind, reader.resource_loc(logical_id), str(name) if name else None))
    for layer_id, _ in reader.of_type("AWS::Lambda::LayerVersion"):
        # SAM names the translated layer "<SamId><hash>": its content was recorded under the SAM id.
        owner = max(
            (k for k in code_dirs if k.startswith(LAYER_KEY) and layer_id.startswith(k[len(LAYER_KEY) :])), key=len, default=None
        )
        if owner is not None:
            app.layers[layer_id] = code_dirs[owner]
    for logical_id, props in reader.of_type("AWS::Lambda::Function"):
        fn = _function(reader, logical_id, props, app, code_dirs.get(logical_id))
        if fn.role_id and fn.role_id not in app.roles:
            app.roles[fn.role_id] = Role(fn.role_id, fn.loc, external=True)
        app.functions.append(fn)
    return app


# -- IAM ------------------------------------------------------------------------------


def statements(reader: TemplateReader, document: Any, policy: str, owner_id: str) -> tuple[Statement, ...]:
    """Normalise a policy document's statements; unreadable parts are skipped, not guessed."""
    if not isinstance(document, Mapping):
        return ()
    out = []
    raw = document.get("Statement")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, Mapping) else []
    for item in items:
        if isinstance(item, Mapping) and "Fn::If" in item:
            branches = item["Fn::If"]
            item = branches[1] if isinstance(branches, list) and len(branches) == 3 else None
        if not isinstance(item, Mapping):
            continue
        out.append(
            Statement(
                effect=str(reader.fn.scalar(item.get("Effect")) or "Allow"),
                actions=_texts(reader, item.get("Action")),
                not_actions=_texts(reader, item.get("NotAction")),
                resources=_texts(reader, item.get("Resource")),
                not_resources=_texts(reader, item.get("NotResource")),
                principals=_principals(reader, item.get("Principal")),
                conditions=_conditions(reader, item.get("Condition")),
                sid=str(item["Sid"]) if isinstance(item.get("Sid"), str) else None,
                policy=policy,
                loc=reader.loc(item, owner_id),
            )
        )
    return tuple(out)


def _texts(reader: TemplateReader, value: Any) -> tuple[str, ...]:
    if isinstance(value, Mapping) and "Fn::If" in value:
        branches = value["Fn::If"]
        value = branches[1] if isinstance(branches, list) and len(branches) == 3 else None
    return tuple(reader.fn.text(v) for v in as_list(value) if v is not None)


def _principals(reader: TemplateReader, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Mapping) and not any(k.startswith("Fn::") or k == "Ref" for k in value):
        out = []
        for kind, who in value.items():
            for one in as_list(who):
                text = reader.fn.text(one)
                out.append("*" if text == "*" and kind == "AWS" else f"{kind}:{text}")
        return tuple(out)
    return (reader.fn.text(value),)


def _conditions(reader: TemplateReader, value: Any) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    if not isinstance(value, Mapping):
        return ()
    out = []
    for operator, body in value.items():
        if isinstance(body, Mapping):
            for key, vals in body.items():
                out.append((str(operator), str(key), tuple(reader.fn.text(v) for v in as_list(vals))))
    return tuple(out)


def _role(reader: TemplateReader, logical_id: str, props: Mapping[str, Any]) -> Role:
    stmts: list[Statement] = []
    for policy in as_list(props.get("Policies")):
        if isinstance(policy, Mapping):
            name = reader.fn.text(policy.get("PolicyName")) or logical_id
            stmts.extend(statements(reader, policy.get("PolicyDocument"), name, logical_id))
    managed = []
    arns = props.get("ManagedPolicyArns")
    for index, arn in enumerate(as_list(arns)):
        target = reader.fn.target(arn)
        if target:
            continue  # a managed policy in this template: attached with its statements below
        text = reader.fn.text(arn)
        line = arns.line_of(index) if isinstance(arns, LList) else reader.sam_policy_line(logical_id, text)
        managed.append(ManagedPolicy(text, Loc(reader.path, line, line) if line else reader.resource_loc(logical_id)))
    return Role(
        id=logical_id,
        loc=reader.resource_loc(logical_id),
        statements=tuple(stmts),
        managed_policies=tuple(managed),
        trust=statements(reader, props.get("AssumeRolePolicyDocument"), "trust", logical_id),
        permissions_boundary=reader.fn.text(props.get("PermissionsBoundary")) or None,
    )


def _attach_standalone_policies(reader: TemplateReader, app: Application) -> None:
    """``AWS::IAM::Policy`` and ``ManagedPolicy`` resources add statements to the roles, users and groups they name."""
    extra: dict[str, list[Statement]] = {}
    principals = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")
    attached: list[tuple[str, list[str | None]]] | None = None  # each principal's managed policies in this template
    for logical_id, props in reader.of_type("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        stmts = statements(reader, props.get("PolicyDocument"), logical_id, logical_id)
        holders: list[str] = []
        for key in ("Roles", "Users", "Groups"):
            holders.extend(reader.fn.targets(props.get(key)))
        if attached is None:
            attached = [
                (holder_id, [reader.fn.target(a) for a in as_list(holder_props.get("ManagedPolicyArns"))])
                for holder_id, holder_props in reader.of_type(*principals)
            ]
        holders.extend(holder_id for holder_id, targets in attached if logical_id in targets)
        for holder_id in dict.fromkeys(holders):
            extra.setdefault(holder_id, []).extend(stmts)
    for holder_id, added in extra.items():
        holder = app.roles.get(holder_id)
        if holder is not None:
            app.roles[holder_id] = replace(holder, statements=holder.statements + tuple(added))


def _permission(reader: TemplateReader, logical_id: str, props: Mapping[str, Any]) -> Permission:
    return Permission(
        id=logical_id,
        function=reader.function_of(props.get("FunctionName")),
        action=reader.fn.text(props.get("Action")),
        principal=reader.fn.text(props.get("Principal")),
        source_arn=reader.fn.text(props.get("SourceArn")) or None,
        source_account=reader.fn.text(props.get("SourceAccount")) or None,
        loc=reader.key_loc(props, "Principal", logical_id),
        function_url_auth_type=reader.fn.text(props.get("FunctionUrlAuthType")) or None,
    )


# -- functions ------------------------------------------------------------------------


def _function(
    reader: TemplateReader, logical_id: str, props: Mapping[str, Any], app: Application, code_dir: Path | None
) -> Function:
    fn = reader.fn
    env_block = props.get("Environment")
    env: list[EnvVar] = []
    variables = env_block.get("Variables") if isinstance(env_block, Mapping) else None
    if isinstance(variables, Mapping):
        for name, value in variables.items():
            literal = not fn.is_reference(value)
            text = fn.text(value) if literal else None
            line = variables.line_of(name) if hasattr(variables, "line_of") else 0
            loc = Loc(reader.path, line, line) if line else reader.resource_loc(logical_id)
            ref, attr = (None, None) if literal else reference(value, fn)
            dynamic = None if literal else fn.text(value)  # {{resolve:...}}: resolved when the stack deploys
            env.append(EnvVar(str(name), text, literal, loc, ref, attr, dynamic if dynamic and "{{resolve:" in dynamic else None))
    vpc = props.get("VpcConfig")
    vpc_config = None
    if isinstance(vpc, Mapping) and (vpc.get("SubnetIds") or vpc.get("SecurityGroupIds")):
        vpc_config = VpcConfig(
            subnet_ids=tuple(fn.target(s) or fn.text(s) for s in as_list(vpc.get("SubnetIds"))),
            security_group_ids=tuple(fn.target(s) or fn.text(s) for s in as_list(vpc.get("SecurityGroupIds"))),
            loc=reader.key_loc(props, "VpcConfig", logical_id),
        )
    tracing = props.get("TracingConfig")
    mode = fn.scalar(tracing.get("Mode")) if isinstance(tracing, Mapping) else None
    dlq = props.get("DeadLetterConfig")
    role_value = props.get("Role")
    role_id = fn.target(role_value) or (fn.text(role_value) if role_value is not None else None)
    on_failure = on_success = None
    for _, cfg in reader.of_type("AWS::Lambda::EventInvokeConfig"):
        if reader.function_of(cfg.get("FunctionName")) == logical_id:
            dest = cfg.get("DestinationConfig")
            failure = dest.get("OnFailure") if isinstance(dest, Mapping) else None
            if isinstance(failure, Mapping) and failure.get("Destination"):
                on_failure = fn.text(failure.get("Destination"))
            success = dest.get("OnSuccess") if isinstance(dest, Mapping) else None
            if isinstance(success, Mapping) and success.get("Destination"):
                on_success = fn.text(success.get("Destination"))
    url_auth, url_loc = None, None
    settings: list[Setting] = []
    for url_id, url in reader.of_type("AWS::Lambda::Url"):
        if reader.function_of(url.get("TargetFunctionArn")) == logical_id:
            url_auth = str(fn.scalar(url.get("AuthType")) or "AWS_IAM")
            url_loc = reader.key_loc(url, "AuthType", url_id)
            cors = url.get("Cors")
            if isinstance(cors, Mapping):
                origins = tuple(fn.text(o) for o in as_list(cors.get("AllowOrigins")))
                settings.append(Setting("url_cors_origins", origins, reader.key_loc(cors, "AllowOrigins", url_id)))
                settings.append(Setting("url_cors_credentials", fn.scalar(cors.get("AllowCredentials")) is True, url_loc))
    runtime = fn.scalar(props.get("Runtime"))
    return Function(
        name=logical_id,
        loc=reader.resource_loc(logical_id),
        runtime=str(runtime) if runtime is not None else None,
        runtime_loc=reader.key_loc(props, "Runtime", logical_id) if "Runtime" in props else None,
        handler=str(fn.scalar(props.get("Handler"))) if fn.scalar(props.get("Handler")) else None,
        code_dir=code_dir,
        package_type=str(fn.scalar(props.get("PackageType")) or "Zip"),
        memory=_int(fn.scalar(props.get("MemorySize"))),
        memory_loc=reader.key_loc(props, "MemorySize", logical_id) if "MemorySize" in props else None,
        timeout=_int(fn.scalar(props.get("Timeout"))),
        timeout_loc=reader.key_loc(props, "Timeout", logical_id) if "Timeout" in props else None,
        reserved_concurrency=_int(fn.scalar(props.get("ReservedConcurrentExecutions"))),
        tracing=str(mode) if mode else None,
        tracing_loc=reader.key_loc(props, "TracingConfig", logical_id) if tracing is not None else None,
        environment=tuple(env),
        env_kms_key=fn.text(props.get("KmsKeyArn")) or None,
        role_id=role_id,
        vpc=vpc_config,
        dead_letter_target=fn.text(dlq.get("TargetArn")) or None if isinstance(dlq, Mapping) else None,
        on_failure_destination=on_failure,
        on_success_destination=on_success,
        triggers=tuple(_triggers(reader, logical_id, app)),
        layers=tuple(fn.target(layer) or fn.text(layer) for layer in as_list(props.get("Layers"))),
        url_auth_type=url_auth,
        url_loc=url_loc,
        source_resource="AWS::Lambda::Function",
        settings=tuple(settings),
        code_signing_config=fn.text(props.get("CodeSigningConfigArn")) or None,
    )


def reference(value: Any, fn: Intrinsics) -> tuple[str | None, str | None]:
    """``!Ref X`` → (X, None); ``!GetAtt X.Arn`` → (X, "Arn"); anything else → the single target, attribute unknown."""
    if isinstance(value, Mapping) and len(value) == 1:
        ((kind, arg),) = value.items()
        if kind == "Ref" and isinstance(arg, str):
            return fn.target(value), None
        if kind == "Fn::GetAtt":
            parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
            if len(parts) == 2 and fn.target(value):
                return str(parts[0]), str(parts[1])
        if kind == "Fn::Sub" and isinstance(arg, str):
            match = re.fullmatch(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}", arg)
            if match and fn.target(value):
                return match.group(1), match.group(2)
    target = fn.target(value)
    return target, "?" if target else None


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _triggers(reader: TemplateReader, function_id: str, app: Application) -> Iterator[Trigger]:
    fn = reader.fn
    routed_apis = set()
    for trigger in app.route_triggers(function_id):
        routed_apis.add(trigger.source)
        yield trigger
    for perm in app.permissions:
        if perm.function != function_id:
            continue
        principal = perm.principal.lower()
        if perm.action.lower() == "lambda:invokefunctionurl" or perm.function_url_auth_type:
            continue  # the function URL itself is the trigger, below
        if principal in ASYNC_PRINCIPALS:
            source = fn.target(reader.resources.get(perm.id, {}).get("Properties", {}).get("SourceArn"))
            yield Trigger(ASYNC_PRINCIPALS[principal], source, perm.loc, asynchronous=True)
        elif principal == "apigateway.amazonaws.com" and not routed_apis:
            # Invoked by an API this template does not describe (or whose routes we cannot read).
            routed_apis.add(perm.id)
            yield Trigger("api", None, perm.loc, public=True, authenticated=None)
    for mapping_id, mapping in reader.of_type("AWS::Lambda::EventSourceMapping"):
        if reader.function_of(mapping.get("FunctionName")) != function_id:
            continue
        source_text = fn.text(mapping.get("EventSourceArn"))
        source_id = fn.target(mapping.get("EventSourceArn"))
        source_type = reader.type_of(source_id) or ""
        kind = "other"
        for needle, name in STREAM_SOURCES.items():
            if needle in source_type.lower() or f":{needle}:" in source_text:
                kind = name
                break
        yield Trigger(kind, source_id, reader.resource_loc(mapping_id))
    for url_id, url in reader.of_type("AWS::Lambda::Url"):
        if reader.function_of(url.get("TargetFunctionArn")) == function_id:
            auth = str(fn.scalar(url.get("AuthType")) or "AWS_IAM")
            yield Trigger(
                "function-url", url_id, reader.key_loc(url, "AuthType", url_id), public=True, authenticated=auth != "NONE"
            )


# -- APIs -----------------------------------------------------------------------------


def _apis(reader: TemplateReader) -> Iterator[Api]:
    fn = reader.fn
    stages: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
    for stage_id, stage in reader.of_type("AWS::ApiGateway::Stage", "AWS::ApiGatewayV2::Stage"):
        api_id = fn.target(stage.get("RestApiId") or stage.get("ApiId"))
        if api_id:
            stages.setdefault(api_id, []).append((stage_id, stage))
    plans: dict[str, tuple[float | None, float | None]] = {}
    for _, plan in reader.of_type("AWS::ApiGateway::UsagePlan"):
        throttle: Mapping[str, Any] = plan["Throttle"] if isinstance(plan.get("Throttle"), Mapping) else {}
        for api_stage in as_list(plan.get("ApiStages")):
            api_id = fn.target(api_stage.get("ApiId")) if isinstance(api_stage, Mapping) else None
            if api_id:
                plans[api_id] = (_float(fn.scalar(throttle.get("RateLimit"))), _float(fn.scalar(throttle.get("BurstLimit"))))
    for api_id, props in reader.of_type("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"):
        is_v2 = reader.type_of(api_id) == "AWS::ApiGatewayV2::Api"
        kind = "rest"
        if is_v2:
            protocol = str(fn.scalar(props.get("ProtocolType")) or "HTTP").upper()
            kind = "websocket" if protocol == "WEBSOCKET" else "http"
        body = props.get("Body")
        routes = list(_openapi_routes(reader, api_id, body, kind)) if isinstance(body, Mapping) else []
        routes += list(_method_routes(reader, api_id) if not is_v2 else _v2_routes(reader, api_id))
        logging, tracing, throttling, stage_loc = None, None, None, None
        data_trace, data_trace_loc = None, None
        for stage_id, stage in stages.get(api_id, []):
            traced, trace_loc = _data_trace(reader, stage_id, stage) if kind != "http" else (None, None)  # REST/WebSocket only
            if traced is not None and not data_trace:
                data_trace, data_trace_loc = traced, trace_loc
            has_log = bool(stage.get("AccessLogSetting") or stage.get("AccessLogSettings"))
            logging = has_log if logging is None else logging and has_log
            stage_tracing = bool(fn.scalar(stage.get("TracingEnabled")))
            tracing = stage_tracing if tracing is None else tracing and stage_tracing
            throttling = throttling or _stage_throttling(fn, stage)
            stage_loc = stage_loc or reader.resource_loc(stage_id)
        if is_v2 and body is None and fn.scalar(props.get("Target")) is not None and not stages.get(api_id):
            logging = False  # quick-create API: an auto-deployed $default stage without logs
        if api_id in plans:
            throttling = throttling or plans[api_id]
        yield Api(
            id=api_id,
            kind=kind,
            loc=reader.resource_loc(api_id),
            routes=tuple(routes),
            access_logging=logging,
            tracing=tracing,
            throttling=throttling,
            stage_loc=stage_loc,
            has_usage_plan=api_id in plans,
            endpoint_type=_endpoint_type(fn, props) if not is_v2 else None,
            data_trace=data_trace,
            data_trace_loc=data_trace_loc,
        )


def _endpoint_type(fn: Intrinsics, props: Mapping[str, Any]) -> str | None:
    config = props.get("EndpointConfiguration")
    types = config.get("Types") if isinstance(config, Mapping) else None
    first = fn.scalar(as_list(types)[0]) if as_list(types) else None
    return str(first).upper() if first else None


def _data_trace(reader: TemplateReader, stage_id: str, stage: Mapping[str, Any]) -> tuple[bool | None, Loc | None]:
    """Does a stage log full requests and responses? ``(None, None)`` when it says nothing."""
    settings = [s for s in as_list(stage.get("MethodSettings")) if isinstance(s, Mapping)]
    settings += [s for s in (stage.get("DefaultRouteSettings"),) if isinstance(s, Mapping)]
    route_settings = stage.get("RouteSettings")
    if isinstance(route_settings, Mapping):
        settings += [s for s in route_settings.values() if isinstance(s, Mapping)]
    found: bool | None = None
    for setting in settings:
        if "DataTraceEnabled" not in setting:
            continue
        value = reader.fn.scalar(setting.get("DataTraceEnabled"))
        if value is True or str(value).lower() == "true":
            return True, reader.key_loc(setting, "DataTraceEnabled", stage_id)
        found = False
    return found, None


def _api_domains(reader: TemplateReader) -> Iterator[ApiDomain]:
    fn = reader.fn
    for domain_id, props in reader.of_type("AWS::ApiGateway::DomainName"):
        policy = fn.scalar(props.get("SecurityPolicy"))
        loc = reader.key_loc(props, "SecurityPolicy", domain_id) if policy is not None else reader.resource_loc(domain_id)
        name = _str_or_none(fn.scalar(props.get("DomainName")))
        yield ApiDomain(domain_id, "rest", _domain_loc(reader, domain_id, loc), _str_or_none(policy), name)
    for domain_id, props in reader.of_type("AWS::ApiGatewayV2::DomainName"):
        for config in as_list(props.get("DomainNameConfigurations")):
            if not isinstance(config, Mapping):
                continue
            policy = fn.scalar(config.get("SecurityPolicy"))
            loc = reader.key_loc(config, "SecurityPolicy", domain_id) if policy is not None else reader.resource_loc(domain_id)
            name = _str_or_none(fn.scalar(props.get("DomainName")))
            yield ApiDomain(domain_id, "http", _domain_loc(reader, domain_id, loc), _str_or_none(policy), name)


def _str_or_none(value: Any) -> str | None:
    return str(value) if value is not None else None


def _domain_loc(reader: TemplateReader, domain_id: str, loc: Loc) -> Loc:
    """A domain SAM generated from an API's ``Domain`` has no line of its own: point at that ``Domain``."""
    if loc.line:
        return loc
    for _, mapping in reader.of_type("AWS::ApiGateway::BasePathMapping", "AWS::ApiGatewayV2::ApiMapping"):
        if reader.fn.target(mapping.get("DomainName")) == domain_id:
            api_id = reader.fn.target(mapping.get("RestApiId") or mapping.get("ApiId"))
            if api_id:
                line = reader._sam_line(api_id, "Domain")
                return Loc(reader.path, line, line) if line else reader.resource_loc(api_id)
    return loc


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _stage_throttling(fn: Intrinsics, stage: Mapping[str, Any]) -> tuple[float | None, float | None] | None:
    settings = [s for s in as_list(stage.get("MethodSettings")) if isinstance(s, Mapping)]
    default = stage.get("DefaultRouteSettings")
    if isinstance(default, Mapping):
        settings.append(default)
    for s in settings:
        rate, burst = _float(fn.scalar(s.get("ThrottlingRateLimit"))), _float(fn.scalar(s.get("ThrottlingBurstLimit")))
        if rate is not None or burst is not None:
            return (rate, burst)
    return None


_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "x-amazon-apigateway-any-method"}


def _openapi_routes(reader: TemplateReader, api_id: str, body: Mapping[str, Any], kind: str) -> Iterator[Route]:
    """Routes of an inline Swagger/OpenAPI body (SAM writes its events there)."""
    schemes = body.get("securityDefinitions") or (body.get("components") or {}).get("securitySchemes") or {}
    if not isinstance(schemes, Mapping):
        schemes = {}
    top_security = body.get("security")
    validators = body.get("x-amazon-apigateway-request-validators")
    default_validator = body.get("x-amazon-apigateway-request-validator")
    paths = body.get("paths")
    if not isinstance(paths, Mapping):
        return
    for path, ops in paths.items():
        ops = _unless_condition(ops)
        if not isinstance(ops, Mapping):
            continue
        for method, op in ops.items():
            op = _unless_condition(op)  # SAM writes an operation under a Condition as Fn::If [cond, op, NoValue]
            if str(method).lower() not in _HTTP_METHODS or not isinstance(op, Mapping):
                continue
            security = op.get("security", top_security)
            auth, api_key = _security_kind(security, schemes)
            declared = op.get("x-amazon-apigateway-auth")  # API Gateway's own extension: {type: AWS_IAM}
            if auth == "NONE" and isinstance(declared, Mapping) and declared.get("type"):
                auth = str(declared["type"]).upper()
            integration = op.get("x-amazon-apigateway-integration")
            function, integration_kind = None, None
            if isinstance(integration, Mapping):
                function = _integration_function(reader, integration.get("uri"))
                integration_kind = _integration_kind(integration.get("type"), function, integration.get("uri"))
            validator = op.get("x-amazon-apigateway-request-validator", default_validator)
            has_validator = None
            if kind == "rest":
                has_validator = bool(validator) and isinstance(validators, Mapping) and _validates(validators.get(validator))
                has_validator = has_validator or bool(validator and not isinstance(validators, Mapping))
            m = "ANY" if str(method).lower() == "x-amazon-apigateway-any-method" else str(method).upper()
            loc = reader.loc(op, api_id)
            if not line_of(op) and function:
                loc = reader.sam_event_loc(function, m, str(path)) or loc
            yield Route(m, str(path), function, auth, api_key, has_validator, loc, integration_kind)


def _unless_condition(value: Any) -> Any:
    if isinstance(value, Mapping) and len(value) == 1 and "Fn::If" in value:
        branches = value["Fn::If"]
        if isinstance(branches, list) and len(branches) == 3:
            return branches[1] if isinstance(branches[1], Mapping) and "Ref" not in branches[1] else branches[2]
    return value


def _validates(validator: Any) -> bool:
    return isinstance(validator, Mapping) and bool(
        validator.get("validateRequestBody") or validator.get("validateRequestParameters")
    )


def _security_kind(security: Any, schemes: Mapping[str, Any]) -> tuple[str | None, bool]:
    if not isinstance(security, list) or not security:
        return "NONE", False
    kinds, api_key = [], False
    for requirement in security:
        if not isinstance(requirement, Mapping):
            continue
        for name in requirement:
            scheme = schemes.get(name) if isinstance(schemes, Mapping) else None
            if name == "NONE":
                continue
            if not isinstance(scheme, Mapping):
                kinds.append("CUSTOM")
                continue
            authtype = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
            authorizer = scheme.get("x-amazon-apigateway-authorizer")
            if authtype == "awssigv4":
                kinds.append("AWS_IAM")
            elif authtype == "cognito_user_pools":
                kinds.append("COGNITO_USER_POOLS")
            elif isinstance(authorizer, Mapping) and str(authorizer.get("type", "")).lower() == "jwt":
                kinds.append("JWT")
            elif isinstance(authorizer, Mapping) or scheme.get("type") in ("oauth2", "openIdConnect"):
                kinds.append("CUSTOM")
            elif scheme.get("type") == "apiKey":
                api_key = True
    return (kinds[0] if kinds else "NONE"), api_key


def _integration_function(reader: TemplateReader, uri: Any) -> str | None:
    target = reader.fn.target(uri)
    if not (target and reader.type_of(target) in _INVOCABLE):
        match = _FUNCTION_ARN_IN_URI.search(reader.fn.text(uri))
        target = match.group(1) if match else None
    return _function_behind(reader, target)


# An integration may invoke a function through an alias or a version (SAM AutoPublishAlias does).
_INVOCABLE = ("AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::Lambda::Version")


def _function_behind(reader: TemplateReader, target: str | None) -> str | None:
    kind = reader.type_of(target)
    if target and kind == "AWS::Lambda::Function":
        return target
    if target and kind in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
        props = reader.resources[target].get("Properties") or {}
        function = reader.fn.target(props.get("FunctionName")) if isinstance(props, Mapping) else None
        return function if reader.type_of(function) == "AWS::Lambda::Function" else None
    return None


def _integration_kind(kind: Any, function: str | None, uri: Any) -> str | None:
    """What a route calls: ``lambda`` (a function, in the template or not), ``http``, ``mock``, ``aws``."""
    if function:
        return "lambda"
    text = str(kind or "").upper()
    if text == "MOCK":
        return "mock"
    if text.startswith("HTTP"):
        return "http"
    if text.startswith("AWS"):
        uri_text = str(uri) if isinstance(uri, str) else repr(uri)
        return "lambda" if ":lambda:path/" in uri_text or "function" in uri_text.lower() else "aws"
    return None


def _method_routes(reader: TemplateReader, api_id: str) -> Iterator[Route]:
    fn = reader.fn
    validators = {
        vid: _validates(
            {"validateRequestBody": v.get("ValidateRequestBody"), "validateRequestParameters": v.get("ValidateRequestParameters")}
        )
        for vid, v in reader.of_type("AWS::ApiGateway::RequestValidator")
    }
    authorizers = {aid: str(fn.scalar(a.get("Type")) or "CUSTOM") for aid, a in reader.of_type("AWS::ApiGateway::Authorizer")}
    for method_id, method in reader.of_type("AWS::ApiGateway::Method"):
        if fn.target(method.get("RestApiId")) != api_id:
            continue
        auth = str(fn.scalar(method.get("AuthorizationType")) or "NONE").upper()
        authorizer = fn.target(method.get("AuthorizerId"))
        if auth == "NONE" and authorizer in authorizers:
            auth = "CUSTOM"
        integration = method.get("Integration")
        function = _integration_function(reader, integration.get("Uri")) if isinstance(integration, Mapping) else None
        kind = (
            _integration_kind(fn.scalar(integration.get("Type")), function, integration.get("Uri"))
            if isinstance(integration, Mapping)
            else None
        )
        validator_id = fn.target(method.get("RequestValidatorId"))
        yield Route(
            method=str(fn.scalar(method.get("HttpMethod")) or "ANY").upper(),
            path=_resource_path(reader, method.get("ResourceId")),
            function=function,
            authorization=auth,
            api_key_required=bool(fn.scalar(method.get("ApiKeyRequired"))),
            request_validator=validators.get(validator_id, False) if validator_id else False,
            loc=reader.resource_loc(method_id),
            integration=kind,
        )


def _resource_path(reader: TemplateReader, resource_ref: Any) -> str:
    parts: list[str] = []
    seen = set()
    current = reader.fn.target(resource_ref)
    while current and current not in seen and reader.type_of(current) == "AWS::ApiGateway::Resource":
        seen.add(current)
        props = reader.resources[current].get("Properties") or {}
        parts.append(reader.fn.text(props.get("PathPart")))
        current = reader.fn.target(props.get("ParentId"))
    return "/" + "/".join(reversed(parts))


def _v2_routes(reader: TemplateReader, api_id: str) -> Iterator[Route]:
    fn = reader.fn
    integrations = {}
    kinds: dict[str, str | None] = {}
    for integ_id, integ in reader.of_type("AWS::ApiGatewayV2::Integration"):
        integrations[integ_id] = _integration_function(reader, integ.get("IntegrationUri"))
        kinds[integ_id] = _integration_kind(
            fn.scalar(integ.get("IntegrationType")), integrations[integ_id], integ.get("IntegrationUri")
        )
    for route_id, route in reader.of_type("AWS::ApiGatewayV2::Route"):
        if fn.target(route.get("ApiId")) != api_id:
            continue
        key = str(fn.scalar(route.get("RouteKey")) or "$default")
        method, _, path = key.partition(" ")
        target = fn.target(route.get("Target"))
        yield Route(
            method=method if path else "ANY",
            path=path or key,
            function=integrations.get(target) if target else None,
            authorization=str(fn.scalar(route.get("AuthorizationType")) or "NONE").upper(),
            api_key_required=bool(fn.scalar(route.get("ApiKeyRequired"))),
            request_validator=None,
            loc=reader.resource_loc(route_id),
            integration=kinds.get(target) if target else None,
        )


# -- logs, alarms, secrets -------------------------------------------------------------


def _log_groups(reader: TemplateReader) -> Iterator[LogGroup]:
    fn = reader.fn
    logging_configs = {}
    for fid, props in reader.of_type("AWS::Lambda::Function"):
        cfg = props.get("LoggingConfig")
        if isinstance(cfg, Mapping) and cfg.get("LogGroup"):
            target = fn.target(cfg.get("LogGroup"))
            if target:
                logging_configs[target] = fid
    # CDK's ``logRetention`` sets the retention of the function's group through a custom resource.
    for group_id, props in reader.of_type("AWS::Logs::LogGroup", "Custom::LogRetention"):
        name_value = props.get("LogGroupName")
        name = fn.text(name_value) if name_value is not None else None
        function = logging_configs.get(group_id)
        if function is None and name and "/aws/lambda/" in name:
            target = fn.target(name_value)
            if reader.type_of(target) == "AWS::Lambda::Function":
                function = target
            else:
                tail = name.split("/aws/lambda/", 1)[1].strip("${}")
                function = tail if reader.type_of(tail) == "AWS::Lambda::Function" else None
                if function is None:
                    written = name.split("/aws/lambda/", 1)[1]  # e.g. ${AWS::StackName}-orders, as FunctionName writes it
                    function = next(
                        (
                            fid
                            for fid, p in reader.of_type("AWS::Lambda::Function")
                            if p.get("FunctionName") is not None and fn.text(p.get("FunctionName")) in (tail, written)
                        ),
                        None,
                    )
        yield LogGroup(
            id=group_id,
            name=name,
            retention_days=_int(fn.scalar(props.get("RetentionInDays"))),
            kms_key=fn.text(props.get("KmsKeyId")) or None,
            loc=reader.resource_loc(group_id),
            function=function,
        )


def _alarms(reader: TemplateReader) -> Iterator[Alarm]:
    fn = reader.fn
    for alarm_id, props in reader.of_type("AWS::CloudWatch::Alarm"):
        function = None
        dims = list(as_list(props.get("Dimensions")))
        for metric in as_list(props.get("Metrics")):
            stat = metric.get("MetricStat") if isinstance(metric, Mapping) else None
            m = stat.get("Metric") if isinstance(stat, Mapping) else None
            if isinstance(m, Mapping):
                dims.extend(as_list(m.get("Dimensions")))
        for dim in dims:
            if isinstance(dim, Mapping) and fn.scalar(dim.get("Name")) == "FunctionName":
                function = reader.function_of(dim.get("Value")) or function
        yield Alarm(
            alarm_id,
            str(fn.scalar(props.get("MetricName")) or "") or None,
            str(fn.scalar(props.get("Namespace")) or "") or None,
            function,
            reader.resource_loc(alarm_id),
        )


def _secrets(reader: TemplateReader) -> Iterator[Secret]:
    fn = reader.fn
    rotated = {fn.target(p.get("SecretId")) for _, p in reader.of_type("AWS::SecretsManager::RotationSchedule")}
    for secret_id, props in reader.of_type("AWS::SecretsManager::Secret"):
        literal_loc = None
        value = props.get("SecretString")
        if value is not None and not fn.is_reference(value) and str(value).strip():
            literal_loc = reader.key_loc(props, "SecretString", secret_id)
        yield Secret(
            id=secret_id,
            loc=reader.resource_loc(secret_id),
            kms_key=fn.text(props.get("KmsKeyId")) or None,
            rotated=secret_id in rotated,
            literal_value_loc=literal_loc,
        )


# -- network --------------------------------------------------------------------------


def _sg_rule(
    reader: TemplateReader, direction: str, rule: Mapping[str, Any], owner_id: str, loc: Loc | None = None
) -> SecurityGroupRule:
    fn = reader.fn
    cidr = fn.scalar(rule.get("CidrIp")) or fn.scalar(rule.get("CidrIpv6"))
    protocol = str(fn.scalar(rule.get("IpProtocol")) if fn.scalar(rule.get("IpProtocol")) is not None else "-1")
    return SecurityGroupRule(
        direction=direction,
        protocol=protocol.lower(),
        from_port=_int(fn.scalar(rule.get("FromPort"))),
        to_port=_int(fn.scalar(rule.get("ToPort"))),
        cidr=str(cidr) if cidr else None,
        loc=loc or reader.loc(rule, owner_id),
    )


def _security_groups(reader: TemplateReader) -> dict[str, SecurityGroup]:
    fn = reader.fn
    rules: dict[str, list[SecurityGroupRule]] = {}
    egress_declared: set[str] = set()
    for sg_id, props in reader.of_type("AWS::EC2::SecurityGroup"):
        rules[sg_id] = []
        for direction, key in (("ingress", "SecurityGroupIngress"), ("egress", "SecurityGroupEgress")):
            if key in props:
                if direction == "egress":
                    egress_declared.add(sg_id)
                for r in as_list(props.get(key)):
                    if isinstance(r, Mapping):
                        rules[sg_id].append(_sg_rule(reader, direction, r, sg_id))
    external: dict[str, Loc] = {}
    for rule_id, props in reader.of_type("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
        group = fn.target(props.get("GroupId"))
        if group is None or group not in rules:
            # A rule on a group declared elsewhere (an id, a parameter, an import, a GroupName):
            # the group is known only by the rules this template adds to it.
            group = fn.text(props.get("GroupId")) or fn.text(props.get("GroupName"))
            if not group or (group in rules and group not in external):
                continue
            external.setdefault(group, reader.resource_loc(rule_id))
            rules.setdefault(group, [])
        sg_id = group
        direction = "egress" if reader.type_of(rule_id) == "AWS::EC2::SecurityGroupEgress" else "ingress"
        if direction == "egress":
            egress_declared.add(sg_id)
        rules[sg_id].append(_sg_rule(reader, direction, props, rule_id, reader.resource_loc(rule_id)))
    return {
        sg_id: SecurityGroup(
            sg_id, external.get(sg_id) or reader.resource_loc(sg_id), tuple(r), sg_id in egress_declared, sg_id in external
        )
        for sg_id, r in rules.items()
    }


def _subnets(reader: TemplateReader) -> dict[str, Subnet]:
    fn = reader.fn
    igws = {gid for gid, _ in reader.of_type("AWS::EC2::InternetGateway")}
    public_tables = set()
    for _, route in reader.of_type("AWS::EC2::Route"):
        gateway = fn.target(route.get("GatewayId"))
        text = fn.text(route.get("GatewayId"))
        if (gateway in igws or text.startswith("igw-")) and fn.scalar(route.get("DestinationCidrBlock")) in ("0.0.0.0/0", None):
            table = fn.target(route.get("RouteTableId"))
            if table:
                public_tables.add(table)
    public_subnets = set()
    for _, assoc in reader.of_type("AWS::EC2::SubnetRouteTableAssociation"):
        if fn.target(assoc.get("RouteTableId")) in public_tables:
            subnet = fn.target(assoc.get("SubnetId"))
            if subnet:
                public_subnets.add(subnet)
    return {
        sid: Subnet(
            sid,
            reader.resource_loc(sid),
            fn.target(props.get("VpcId")) or fn.text(props.get("VpcId")) or None,
            sid in public_subnets,
            bool(fn.scalar(props.get("MapPublicIpOnLaunch"))),
        )
        for sid, props in reader.of_type("AWS::EC2::Subnet")
    }


def _vpc_endpoints(reader: TemplateReader) -> Iterator[VpcEndpoint]:
    fn = reader.fn
    for ep_id, props in reader.of_type("AWS::EC2::VPCEndpoint"):
        service = fn.text(props.get("ServiceName")).rsplit(".", 1)[-1].lower()
        yield VpcEndpoint(
            ep_id,
            reader.resource_loc(ep_id),
            fn.target(props.get("VpcId")) or fn.text(props.get("VpcId")) or None,
            service,
            str(fn.scalar(props.get("VpcEndpointType")) or "Gateway"),
        )


_RESOURCE_POLICY_TYPES = {
    "AWS::S3::BucketPolicy": ("s3", "Bucket"),
    "AWS::SQS::QueuePolicy": ("sqs", "Queues"),
    "AWS::SNS::TopicPolicy": ("sns", "Topics"),
    "AWS::SecretsManager::ResourcePolicy": ("secretsmanager", "SecretId"),
}


def _resource_policies(reader: TemplateReader) -> Iterator[ResourcePolicy]:
    for policy_id, props in reader.of_type(*_RESOURCE_POLICY_TYPES):
        kind, target_key = _RESOURCE_POLICY_TYPES[str(reader.type_of(policy_id))]
        document = props.get("PolicyDocument") or props.get("ResourcePolicy")
        targets: list[str | None] = list(reader.fn.targets(props.get(target_key))) or [None]
        stmts = statements(reader, document, policy_id, policy_id)
        for target in targets:
            yield ResourcePolicy(policy_id, target, kind, stmts, reader.resource_loc(policy_id))
