"""A region snapshot → the application model, the way the CloudFormation builder fills it.

Ids are the names AWS users know (function names, role names, security group and subnet
ids, API names); every location is the resource's ARN, with no line. Only what the
snapshot shows is filled in: a part that could not be read stays unknown (a role that
was not fully read is marked ``external``, like a role defined outside a template), so
no rule mistakes a denied call for an absence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faasguard.iam import managed
from faasguard.loaders.aws_live import FORMAT
from faasguard.loaders.aws_live.collect import IAM_TRACKING_DAYS, Snapshot, days_between
from faasguard.loaders.cloudformation_builder import ASYNC_PRINCIPALS, STREAM_SOURCES, _integration_kind
from faasguard.model import (
    AccessReport,
    Alarm,
    Api,
    Application,
    EnvVar,
    Function,
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
    ServiceAccess,
    Setting,
    Statement,
    Subnet,
    Trigger,
    VpcConfig,
    VpcEndpoint,
)

IGNORE_TAG = "faasguard:ignore"  # tag value: rule ids separated by spaces, "/" or "+" (tags allow no commas); empty: all
_FUNCTION_IN_URI = re.compile(r":function:([A-Za-z0-9_-]+)")
_INTEGRATION_TARGET = re.compile(r"^integrations/(\w+)$")


def build(snap: Snapshot, root: Path, window_days: int | None = None, now: datetime | None = None) -> Application:
    """The application of one account × region."""
    now = now or datetime.now(UTC)
    app = Application(root=root, source=f"aws://{snap.account}/{snap.region}", format=FORMAT)
    functions_by_arn = {str(f["FunctionArn"]): f for f in snap.functions}
    names = {arn: str(f["FunctionName"]) for arn, f in functions_by_arn.items()}
    for fn in snap.functions:
        role_arn = fn.get("Role")
        entry = snap.roles.get(role_arn) if isinstance(role_arn, str) else None
        if entry is not None:
            role = _role(entry, window_days, now)
            app.roles[role.id] = role
            tags = _tags(entry.get("role", {}).get("Tags"))
            _skip_by_tag(app, role.id, tags)
    for fn in snap.functions:
        for stmt in _policy_statements(snap.details.get(str(fn["FunctionArn"]), {}).get("Policy"), "resource policy",
                                       Loc(str(fn["FunctionArn"]))):
            app.permissions.append(_permission(stmt, str(fn["FunctionName"])))
    for api in [*_rest_apis(snap, names), *_http_apis(snap, names)]:
        if not snap.selected or any(r.function for r in api.routes):
            app.apis.append(api)
    app.log_groups.extend(_log_groups(snap))
    app.alarms.extend(_alarms(snap, names))
    for secret in snap.secrets:
        app.secrets.append(
            Secret(
                id=str(secret.get("Name") or secret["ARN"]),
                loc=Loc(str(secret["ARN"])),
                kms_key=secret.get("KmsKeyId") or None,
                rotated=bool(secret.get("RotationEnabled")),
            )
        )
        policy = secret.get("ResourcePolicy")
        if policy:
            sid = str(secret.get("Name") or secret["ARN"])
            stmts = _policy_statements(policy, f"{sid} resource policy", Loc(str(secret["ARN"])))
            app.resource_policies.append(ResourcePolicy(sid, sid, "secretsmanager", stmts, Loc(str(secret["ARN"]))))
    app.security_groups.update(_security_groups(snap))
    app.subnets.update(_subnets(snap))
    app.vpc_endpoints.extend(_vpc_endpoints(snap))
    app.layers.update({arn: path for arn, path in snap.layer_code.items()})
    for fn in snap.functions:
        function = _function(snap, fn, app, names)
        app.functions.append(function)
        if function.role_id and function.role_id not in app.roles:
            app.roles[function.role_id] = Role(function.role_id, Loc(str(fn.get("Role"))), external=True)
        arn = str(fn["FunctionArn"])
        _skip_by_tag(app, function.name, snap.function_tags.get(arn) or _tags(snap.details.get(arn, {}).get("Tags")))
    return app


# -- IAM ------------------------------------------------------------------------------------


def _role(entry: dict[str, Any], window_days: int | None, now: datetime) -> Role:
    raw = entry.get("role") or {}
    arn = str(raw.get("Arn"))
    name = str(raw.get("RoleName") or arn.rsplit("/", 1)[-1])
    loc = Loc(arn)
    stmts: list[Statement] = []
    for policy_name, doc in sorted((entry.get("inline") or {}).items()):
        stmts.extend(_policy_statements(doc, policy_name, loc))
    managed_policies = []
    for attached in entry.get("attached") or []:
        policy_arn = str(attached.get("PolicyArn"))
        doc = (entry.get("documents") or {}).get(policy_arn)
        if doc is not None:
            stmts.extend(_policy_statements(doc, str(attached.get("PolicyName") or policy_arn), Loc(policy_arn)))
        elif managed.policy_name(policy_arn) is not None:
            managed_policies.append(ManagedPolicy(policy_arn, loc))
    boundary = (raw.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    report = None
    last = entry.get("last_accessed")
    if last is not None and window_days is not None:
        age = days_between(raw.get("CreateDate"), now)
        services = []
        for item in last.get("services") or []:
            namespace = item.get("ServiceNamespace")
            if not namespace:
                continue
            used = item.get("LastAuthenticated")
            since = days_between(used, now) if used else None
            services.append(ServiceAccess(str(namespace), str(item.get("ServiceName") or namespace), since))
        report = AccessReport(
            window_days=window_days,
            tracked_days=min(age if age is not None else 0, IAM_TRACKING_DAYS),
            services=tuple(sorted(services, key=lambda s: s.namespace)),
        )
    return Role(
        id=name,
        loc=loc,
        statements=tuple(stmts),
        managed_policies=tuple(managed_policies),
        trust=_policy_statements(raw.get("AssumeRolePolicyDocument"), "trust", loc),
        permissions_boundary=str(boundary) if boundary else None,
        external=not entry.get("complete", False),
        last_accessed=report,
    )


def _policy_statements(doc: Any, policy: str, loc: Loc) -> tuple[Statement, ...]:
    from faasguard.loaders.aws_live.collect import document

    doc = document(doc)
    raw = doc.get("Statement")
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        out.append(
            Statement(
                effect=str(item.get("Effect") or "Allow"),
                actions=_texts(item.get("Action")),
                not_actions=_texts(item.get("NotAction")),
                resources=_texts(item.get("Resource")),
                not_resources=_texts(item.get("NotResource")),
                principals=_principals(item.get("Principal")),
                conditions=_conditions(item.get("Condition")),
                sid=str(item["Sid"]) if isinstance(item.get("Sid"), str) and item["Sid"] else None,
                policy=policy,
                loc=loc,
            )
        )
    return tuple(out)


def _texts(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(str(v) for v in (value if isinstance(value, list) else [value]))


def _principals(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    out = []
    if isinstance(value, dict):
        for kind, who in value.items():
            for one in _texts(who):
                out.append("*" if one == "*" and kind == "AWS" else f"{kind}:{one}")
    return tuple(out)


def _conditions(value: Any) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        return ()
    out = []
    for operator, body in value.items():
        if isinstance(body, dict):
            for key, values in body.items():
                out.append((str(operator), str(key), _texts(values)))
    return tuple(out)


def _condition(stmt: Statement, key: str) -> str | None:
    for _, k, values in stmt.conditions:
        if k.lower() == key.lower() and values:
            return values[0]
    return None


def _permission(stmt: Statement, function: str) -> Permission:
    principal = stmt.principals[0] if stmt.principals else "*"
    if principal.startswith(("Service:", "AWS:")):
        principal = principal.split(":", 1)[1]
    return Permission(
        id=stmt.sid or stmt.identity,
        function=function,
        action=stmt.actions[0] if stmt.actions else "",
        principal=principal,
        source_arn=_condition(stmt, "AWS:SourceArn"),
        source_account=_condition(stmt, "AWS:SourceAccount"),
        loc=stmt.loc,
        function_url_auth_type=_condition(stmt, "lambda:FunctionUrlAuthType"),
    )


# -- functions ----------------------------------------------------------------------------


def _function(snap: Snapshot, raw: dict[str, Any], app: Application, names: dict[str, str]) -> Function:
    arn = str(raw["FunctionArn"])
    name = str(raw["FunctionName"])
    loc = Loc(arn)
    detail = snap.details.get(arn, {})
    variables = (raw.get("Environment") or {}).get("Variables") or {}
    env = tuple(EnvVar(str(k), str(v), True, loc) for k, v in sorted(variables.items()))
    vpc = raw.get("VpcConfig") or {}
    vpc_config = None
    if vpc.get("SubnetIds") or vpc.get("SecurityGroupIds"):
        vpc_config = VpcConfig(tuple(vpc.get("SubnetIds") or ()), tuple(vpc.get("SecurityGroupIds") or ()), loc)
    mode = (raw.get("TracingConfig") or {}).get("Mode")
    # AWS reports PassThrough for every function that never turned tracing on: the function itself
    # samples nothing, which is what a template without TracingConfig means.
    tracing = mode if mode and mode != "PassThrough" else None
    on_failure = None
    for cfg in detail.get("InvokeConfigs") or []:
        target = ((cfg.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        if target:
            on_failure = str(target)
    url = detail.get("Url") or None
    settings = []
    cors = (url or {}).get("Cors") or {}
    if url and cors:
        settings.append(Setting("url_cors_origins", tuple(str(o) for o in cors.get("AllowOrigins") or ()), loc))
        settings.append(Setting("url_cors_credentials", cors.get("AllowCredentials") is True, loc))
    if detail.get("CodeSigningConfigArn"):
        settings.append(Setting("code_signing_config", detail["CodeSigningConfigArn"], loc))
    code_dir = detail.get("CodeDir")
    role_arn = raw.get("Role")
    return Function(
        name=name,
        loc=loc,
        runtime=raw.get("Runtime") or None,
        runtime_loc=loc if raw.get("Runtime") else None,
        handler=raw.get("Handler") or None,
        code_dir=Path(code_dir) if code_dir else None,
        package_type=str(raw.get("PackageType") or "Zip"),
        memory=raw.get("MemorySize"),
        memory_loc=loc,
        timeout=raw.get("Timeout"),
        timeout_loc=loc,
        reserved_concurrency=detail.get("ReservedConcurrentExecutions"),
        tracing=tracing,
        tracing_loc=loc,
        environment=env,
        env_kms_key=raw.get("KMSKeyArn") or None,
        role_id=str(role_arn).rsplit("/", 1)[-1] if role_arn else None,
        vpc=vpc_config,
        dead_letter_target=(raw.get("DeadLetterConfig") or {}).get("TargetArn") or None,
        on_failure_destination=on_failure,
        triggers=tuple(_triggers(snap, name, arn, app, url)),
        layers=tuple(str(layer.get("Arn")) for layer in raw.get("Layers") or []),
        url_auth_type=str(url.get("AuthType")) if url else None,
        url_loc=loc if url else None,
        source_resource="AWS::Lambda::Function",
        settings=tuple(settings),
    )


def _triggers(snap: Snapshot, name: str, arn: str, app: Application, url: dict[str, Any] | None) -> Iterator[Trigger]:
    routed = False
    for trigger in app.route_triggers(name):
        routed = True
        yield trigger
    for perm in app.permissions:
        if perm.function != name or perm.action.lower() == "lambda:invokefunctionurl" or perm.function_url_auth_type:
            continue
        principal = perm.principal.lower()
        if principal in ASYNC_PRINCIPALS:
            yield Trigger(ASYNC_PRINCIPALS[principal], perm.source_arn, perm.loc, asynchronous=True)
        elif principal == "apigateway.amazonaws.com" and not routed:
            routed = True  # an API in another region or account, or one whose routes could not be read
            yield Trigger("api", perm.source_arn, perm.loc, public=True, authenticated=None)
    for mapping in snap.event_source_mappings:
        target = str(mapping.get("FunctionArn") or "")
        if target != arn and not target.startswith(arn + ":"):
            continue
        source = str(mapping.get("EventSourceArn") or "")
        kind = next((k for needle, k in STREAM_SOURCES.items() if f":{needle}:" in source), "other")
        yield Trigger(kind, source or None, Loc(str(mapping.get("EventSourceMappingArn") or arn)))
    if url:
        auth = str(url.get("AuthType") or "AWS_IAM")
        yield Trigger("function-url", str(url.get("FunctionUrl") or name), Loc(arn), public=True, authenticated=auth != "NONE")


# -- APIs -----------------------------------------------------------------------------------


def _api_name(api_id: str, name: Any, taken: set[str]) -> str:
    """The API's name, or ``name (id)`` when two APIs of the region share it."""
    text = str(name or api_id)
    return text if text not in taken else f"{text} ({api_id})"


def _rest_apis(snap: Snapshot, names: dict[str, str]) -> Iterator[Api]:
    plans: dict[str, tuple[float | None, float | None]] = {}
    for plan in snap.usage_plans:
        throttle = plan.get("throttle") or {}
        for stage in plan.get("apiStages") or []:
            plans[str(stage.get("apiId"))] = (_float(throttle.get("rateLimit")), _float(throttle.get("burstLimit")))
    counts: dict[str, int] = {}
    for api in snap.rest_apis:
        counts[str(api.get("name"))] = counts.get(str(api.get("name")), 0) + 1
    for api in snap.rest_apis:
        api_id = str(api["id"])
        name = str(api.get("name") or api_id)
        ident = name if counts.get(name, 0) <= 1 else f"{name} ({api_id})"
        base = f"arn:{snap.partition}:apigateway:{snap.region}::/restapis/{api_id}"
        authorizers = {str(a.get("id")): str(a.get("type") or "CUSTOM") for a in api.get("authorizers") or []}
        validators = {
            str(v.get("id")): bool(v.get("validateRequestBody") or v.get("validateRequestParameters"))
            for v in api.get("validators") or []
        }
        routes = []
        for resource in api.get("resources") or []:
            for method, spec in sorted((resource.get("resourceMethods") or {}).items()):
                if not isinstance(spec, dict):
                    continue
                auth = str(spec.get("authorizationType") or "NONE").upper()
                if auth == "NONE" and str(spec.get("authorizerId")) in authorizers:
                    auth = "CUSTOM"
                integration = spec.get("methodIntegration") or {}
                uri = str(integration.get("uri") or "")
                match = _FUNCTION_IN_URI.search(uri)
                in_region = f":function:{match.group(1)}" in uri and f":lambda:{snap.region}:" in uri if match else False
                function = match.group(1) if match and in_region and match.group(1) in names.values() else None
                validator = spec.get("requestValidatorId")
                routes.append(
                    Route(
                        method=str(method).upper(),
                        path=str(resource.get("path") or "/"),
                        function=function,
                        authorization=auth,
                        api_key_required=bool(spec.get("apiKeyRequired")),
                        request_validator=validators.get(str(validator), False) if validator else False,
                        loc=Loc(f"{base}/resources/{resource.get('id')}/methods/{str(method).upper()}"),
                        integration=_integration_kind(integration.get("type"), function, uri) if integration else None,
                    )
                )
        stages = api.get("stages")
        logging = tracing = throttling = stage_loc = data_trace = data_trace_loc = None
        for stage in stages or []:
            has_log = bool((stage.get("accessLogSettings") or {}).get("destinationArn"))
            logging = has_log if logging is None else logging and has_log
            traced = bool(stage.get("tracingEnabled"))
            tracing = traced if tracing is None else tracing and traced
            stage_arn = Loc(f"{base}/stages/{stage.get('stageName')}")
            traced_data = any(bool(s.get("dataTraceEnabled")) for s in (stage.get("methodSettings") or {}).values())
            data_trace = traced_data or bool(data_trace)
            if traced_data and data_trace_loc is None:
                data_trace_loc = stage_arn
            for setting in (stage.get("methodSettings") or {}).values():
                rate, burst = _float(setting.get("throttlingRateLimit")), _float(setting.get("throttlingBurstLimit"))
                if rate is not None or burst is not None:
                    throttling = throttling or (rate, burst)
            stage_loc = stage_loc or stage_arn
        types = (api.get("endpointConfiguration") or {}).get("types") or []
        yield Api(
            id=ident,
            kind="rest",
            loc=Loc(base),
            routes=tuple(routes),
            access_logging=logging,
            tracing=tracing,
            throttling=throttling or plans.get(api_id),
            stage_loc=stage_loc,
            has_usage_plan=api_id in plans,
            endpoint_type=str(types[0]).upper() if types else None,
            data_trace=data_trace,
            data_trace_loc=data_trace_loc,
        )


def _http_apis(snap: Snapshot, names: dict[str, str]) -> Iterator[Api]:
    counts: dict[str, int] = {}
    for api in snap.http_apis:
        counts[str(api.get("Name"))] = counts.get(str(api.get("Name")), 0) + 1
    for api in snap.http_apis:
        api_id = str(api["ApiId"])
        name = str(api.get("Name") or api_id)
        ident = name if counts.get(name, 0) <= 1 else f"{name} ({api_id})"
        base = f"arn:{snap.partition}:apigateway:{snap.region}::/apis/{api_id}"
        integrations: dict[str, str] = {}
        kinds: dict[str, str | None] = {}
        for integ in api.get("integrations") or []:
            uri = str(integ.get("IntegrationUri") or "")
            match = _FUNCTION_IN_URI.search(uri)
            function = match.group(1) if match and f":lambda:{snap.region}:" in uri and match.group(1) in names.values() else None
            if function:
                integrations[str(integ.get("IntegrationId"))] = function
            kinds[str(integ.get("IntegrationId"))] = _integration_kind(integ.get("IntegrationType"), function, uri)
        routes = []
        for route in api.get("routes") or []:
            key = str(route.get("RouteKey") or "$default")
            method, _, path = key.partition(" ")
            target = _INTEGRATION_TARGET.match(str(route.get("Target") or ""))
            routes.append(
                Route(
                    method=method if path else "ANY",
                    path=path or key,
                    function=integrations.get(target.group(1)) if target else None,
                    authorization=str(route.get("AuthorizationType") or "NONE").upper(),
                    api_key_required=bool(route.get("ApiKeyRequired")),
                    request_validator=None,
                    loc=Loc(f"{base}/routes/{route.get('RouteId')}"),
                    integration=kinds.get(target.group(1)) if target else None,
                )
            )
        logging = throttling = stage_loc = None
        for stage in api.get("stages") or []:
            has_log = bool((stage.get("AccessLogSettings") or {}).get("DestinationArn"))
            logging = has_log if logging is None else logging and has_log
            default = stage.get("DefaultRouteSettings") or {}
            rate, burst = _float(default.get("ThrottlingRateLimit")), _float(default.get("ThrottlingBurstLimit"))
            if rate is not None or burst is not None:
                throttling = throttling or (rate, burst)
            stage_loc = stage_loc or Loc(f"{base}/stages/{stage.get('StageName')}")
        protocol = str(api.get("ProtocolType") or "HTTP").upper()
        yield Api(
            id=ident,
            kind="websocket" if protocol == "WEBSOCKET" else "http",
            loc=Loc(base),
            routes=tuple(routes),
            access_logging=logging,
            tracing=None,
            throttling=throttling,
            stage_loc=stage_loc,
        )


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None and not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


# -- logs and alarms ------------------------------------------------------------------------


def _log_groups(snap: Snapshot) -> Iterator[LogGroup]:
    owner = {}
    for fn in snap.functions:
        group = (fn.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{fn['FunctionName']}"
        owner[str(group)] = str(fn["FunctionName"])
    for group in snap.log_groups:
        name = str(group["logGroupName"])
        arn = str(group.get("arn") or snap.arn("logs", f"log-group:{name}")).removesuffix(":*")
        yield LogGroup(
            id=name,
            name=name,
            retention_days=group.get("retentionInDays"),
            kms_key=group.get("kmsKeyId") or None,
            loc=Loc(arn),
            function=owner.get(name),
        )


def _alarms(snap: Snapshot, names: dict[str, str]) -> Iterator[Alarm]:
    known = set(names.values())
    for alarm in snap.alarms:
        dims = list(alarm.get("Dimensions") or [])
        for metric in alarm.get("Metrics") or []:
            dims.extend(((metric.get("MetricStat") or {}).get("Metric") or {}).get("Dimensions") or [])
        function = next((str(d.get("Value")) for d in dims if d.get("Name") == "FunctionName" and d.get("Value") in known), None)
        if function is None:
            continue
        yield Alarm(
            str(alarm.get("AlarmName")),
            alarm.get("MetricName") or None,
            alarm.get("Namespace") or None,
            function,
            Loc(str(alarm.get("AlarmArn") or snap.arn("cloudwatch", f"alarm:{alarm.get('AlarmName')}"))),
        )


# -- network --------------------------------------------------------------------------------


def _security_groups(snap: Snapshot) -> dict[str, SecurityGroup]:
    out = {}
    for group in snap.security_groups:
        group_id = str(group["GroupId"])
        loc = Loc(str(group.get("SecurityGroupArn") or snap.arn("ec2", f"security-group/{group_id}")))
        rules = []
        for direction, key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
            for perm in group.get(key) or []:
                cidrs = [r.get("CidrIp") for r in perm.get("IpRanges") or []]
                cidrs += [r.get("CidrIpv6") for r in perm.get("Ipv6Ranges") or []]
                if perm.get("UserIdGroupPairs") or perm.get("PrefixListIds") or not cidrs:
                    cidrs.append(None)
                for cidr in cidrs:
                    rules.append(
                        SecurityGroupRule(
                            direction=direction,
                            protocol=str(perm.get("IpProtocol", "-1")).lower(),
                            from_port=perm.get("FromPort"),
                            to_port=perm.get("ToPort"),
                            cidr=str(cidr) if cidr else None,
                            loc=loc,
                        )
                    )
        # The API lists the egress rules that exist, AWS's default allow-all included.
        out[group_id] = SecurityGroup(group_id, loc, tuple(rules), egress_declared=True)
    return out


def _subnets(snap: Snapshot) -> dict[str, Subnet]:
    public_tables, main_public, explicit = set(), set(), {}
    for table in snap.route_tables:
        routed = any(
            str(r.get("GatewayId") or "").startswith("igw-")
            and (r.get("DestinationCidrBlock") == "0.0.0.0/0" or r.get("DestinationIpv6CidrBlock") == "::/0")
            for r in table.get("Routes") or []
        )
        for assoc in table.get("Associations") or []:
            if assoc.get("SubnetId"):
                explicit[str(assoc["SubnetId"])] = routed
            if assoc.get("Main") and routed:
                main_public.add(str(table.get("VpcId")))
        if routed:
            public_tables.add(str(table.get("RouteTableId")))
    known_tables = bool(snap.route_tables)
    out = {}
    for subnet in snap.subnets:
        sid = str(subnet["SubnetId"])
        vpc = str(subnet.get("VpcId")) if subnet.get("VpcId") else None
        public = explicit.get(sid, known_tables and vpc in main_public)
        arn = str(subnet.get("SubnetArn") or snap.arn("ec2", f"subnet/{sid}"))
        out[sid] = Subnet(sid, Loc(arn), vpc, bool(public), bool(subnet.get("MapPublicIpOnLaunch")))
    return out


def _vpc_endpoints(snap: Snapshot) -> Iterator[VpcEndpoint]:
    for ep in snap.vpc_endpoints:
        ep_id = str(ep["VpcEndpointId"])
        yield VpcEndpoint(
            ep_id,
            Loc(snap.arn("ec2", f"vpc-endpoint/{ep_id}")),
            str(ep.get("VpcId")) if ep.get("VpcId") else None,
            str(ep.get("ServiceName") or "").rsplit(".", 1)[-1].lower(),
            str(ep.get("VpcEndpointType") or "Gateway"),
        )


# -- tags -----------------------------------------------------------------------------------


def _tags(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, list):
        return {str(t.get("Key")): str(t.get("Value", "")) for t in value if isinstance(t, dict)}
    return {}


def _skip_by_tag(app: Application, name: str, tags: dict[str, str]) -> None:
    """A ``faasguard:ignore`` tag on a function or role: the live counterpart of an inline suppression."""
    if IGNORE_TAG not in tags:
        return
    ids = frozenset(part.upper() for part in re.split(r"[\s/+,]+", tags[IGNORE_TAG]) if part)
    app.skipped[name] = ids
