"""The application model: what every loader produces and every rule reads.

A loader (SAM, CloudFormation, later Serverless Framework, Terraform, a live
account) turns its source into one :class:`Application`. Rules never see the
source format, only these frozen dataclasses, so a rule written once applies to
every format. Every object keeps the file and line it came from in ``loc``.

Values a loader could not resolve (a parameter, an import, an SSM reference)
are kept as ``Unresolved`` text such as ``"${Ref:Stage}"`` with
``resolved=False`` where it matters: rules must treat them as unknown, never
as literals.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Provider = Literal["aws", "azure", "gcp"]
_REFERENCE = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class Loc:
    """A place in a scanned file: POSIX path relative to the scan root, 1-based lines."""

    path: str
    line: int | None = None
    end_line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str | None  # the literal text, or None when the value is not a literal
    literal: bool  # False for references: Ref, GetAtt, {{resolve:...}}, ${ssm:...}
    loc: Loc
    ref: str | None = None  # for a reference to one resource of the same source: its logical id (!Ref MyTable)
    ref_attr: str | None = None  # the attribute it reads: None for Ref, "Arn" for !GetAtt MyTable.Arn
    reference: str | None = None  # the text of a deploy-time reference ({{resolve:...}}, ${ssm:...}), when it has one


@dataclass(frozen=True)
class Statement:
    """One IAM policy statement, normalised: single values become tuples."""

    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()  # "*", "AWS:arn...", "Service:s3.amazonaws.com"
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (operator, key, values)
    sid: str | None = None
    policy: str = ""  # the policy that holds it (logical id or name)
    loc: Loc = field(default_factory=lambda: Loc(""))

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    def condition_keys(self) -> set[str]:
        return {key.lower() for _, key, _ in self.conditions}

    @property
    def identity(self) -> str:
        """What names this statement across edits: its Sid, else its content (never its line)."""
        if self.sid:
            return self.sid
        content = "|".join(
            (
                self.effect,
                ",".join(self.actions),
                ",".join(self.not_actions),
                ",".join(self.resources),
                ",".join(self.not_resources),
            )
        )
        return hashlib.sha256(content.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class ManagedPolicy:
    arn: str  # an ARN, or a bare name when the template gave one that is not known
    loc: Loc

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class RoleGrant:
    """A role held at a scope: an Azure role assignment, a GCP IAM role on a project or resource."""

    role: str  # "Contributor", "roles/editor"
    scope: str  # "/subscriptions/…", "projects/my-project", or the resource it is granted on
    scope_kind: str  # management-group | subscription | resource-group | resource | organization | folder | project
    member: str | None  # who holds it, as the source names it
    loc: Loc


@dataclass(frozen=True)
class Setting:
    """A provider-specific function setting, with the place it is set (or the resource, for a default)."""

    name: str
    value: Any
    loc: Loc
    explicit: bool = True  # False: the provider default applies, the source does not set it


@dataclass(frozen=True)
class ServiceAccess:
    """IAM's last-accessed data for one service a role's policies grant (a live account only)."""

    namespace: str  # the IAM prefix: s3, dynamodb
    name: str  # the service's display name: Amazon S3
    days_since: int | None  # days since the role last used it; None: never within IAM's tracking window


@dataclass(frozen=True)
class AccessReport:
    """What IAM knows of a role's use of its services, and over how many days it looked."""

    window_days: int  # the user's threshold: a service unused this long is reported
    tracked_days: int  # how many days of history exist (the role's age, at most IAM's tracking period)
    services: tuple[ServiceAccess, ...] = ()


@dataclass(frozen=True)
class Role:
    id: str
    loc: Loc
    statements: tuple[Statement, ...] = ()
    managed_policies: tuple[ManagedPolicy, ...] = ()
    trust: tuple[Statement, ...] = ()
    permissions_boundary: str | None = None
    external: bool = False  # the role is referenced by ARN and defined elsewhere
    grants: tuple[RoleGrant, ...] = ()  # Azure role assignments / GCP IAM roles held by this identity
    kind: str = "role"  # role | user | group: every IAM principal of the source is read into Application.roles
    last_accessed: AccessReport | None = None  # a live account's IAM last-accessed data, when collected


@dataclass(frozen=True)
class VpcConfig:
    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    loc: Loc


@dataclass(frozen=True)
class Trigger:
    """Something that invokes a function: an API route, a queue, a schedule…"""

    kind: str  # api | http-api | websocket | function-url | sqs | sns | s3 | schedule | eventbridge | dynamodb | kinesis | other
    source: str | None  # logical id of the queue/topic/bucket/api, when known
    loc: Loc
    asynchronous: bool = False  # invoked with InvocationType=Event (s3, sns, eventbridge, schedule …)
    public: bool = False  # reachable from the internet (API route, function URL)
    authenticated: bool | None = None  # for public triggers: is there an authorizer/IAM/key
    route: str | None = None  # "GET /orders/{id}"


@dataclass(frozen=True)
class Function:
    name: str  # logical id / function key as the source names it
    loc: Loc
    provider: Provider = "aws"
    runtime: str | None = None
    runtime_loc: Loc | None = None
    handler: str | None = None
    code_dir: Path | None = None  # absolute path of the function's code on disk
    package_type: str = "Zip"
    memory: int | None = None
    memory_loc: Loc | None = None
    timeout: int | None = None
    timeout_loc: Loc | None = None
    reserved_concurrency: int | None = None
    tracing: str | None = None  # Active | PassThrough | None (off)
    tracing_loc: Loc | None = None
    environment: tuple[EnvVar, ...] = ()
    env_kms_key: str | None = None
    role_id: str | None = None  # key into Application.roles
    vpc: VpcConfig | None = None
    dead_letter_target: str | None = None
    on_failure_destination: str | None = None
    on_success_destination: str | None = None  # asynchronous invocations' on-success destination (Lambda sends to it)
    triggers: tuple[Trigger, ...] = ()
    layers: tuple[str, ...] = ()
    url_auth_type: str | None = None  # function URL AuthType, when it has one
    url_loc: Loc | None = None
    source_resource: str = ""  # the resource that defines it, e.g. AWS::Serverless::Function
    # Azure/GCP settings with no AWS field (https_only, min_tls_version, ftps_state, cors_origins,
    # ingress, app_insights …); see faasguard.loaders.terraform.azure / .gcp for the names.
    settings: tuple[Setting, ...] = ()
    code_signing_config: str | None = None  # CodeSigningConfigArn / code_signing_config_arn, as written

    def setting(self, name: str) -> Setting | None:
        return next((s for s in self.settings if s.name == name), None)

    @property
    def is_public(self) -> bool:
        return any(t.public for t in self.triggers)

    @property
    def is_async(self) -> bool:
        return any(t.asynchronous for t in self.triggers)


@dataclass(frozen=True)
class Permission:
    """A resource-based policy statement on a function (AWS::Lambda::Permission)."""

    id: str
    function: str | None  # logical id of the function, when it is in the template
    action: str
    principal: str
    source_arn: str | None
    source_account: str | None
    loc: Loc
    function_url_auth_type: str | None = None


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    function: str | None
    authorization: str | None  # NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS, JWT, or None if unknown
    api_key_required: bool
    request_validator: bool | None  # REST only; None when the concept does not apply
    loc: Loc
    # What the route calls: lambda | http | mock | aws (another service) | None (unknown / not in the source)
    integration: str | None = None


@dataclass(frozen=True)
class Api:
    id: str
    kind: str  # rest | http | websocket
    loc: Loc
    routes: tuple[Route, ...] = ()
    access_logging: bool | None = None  # None: no stage found
    tracing: bool | None = None
    throttling: tuple[float | None, float | None] | None = None  # (rate, burst) when set
    stage_loc: Loc | None = None
    has_usage_plan: bool = False
    endpoint_type: str | None = None  # EDGE | REGIONAL | PRIVATE (REST); None: not set (EDGE) or not REST
    # Data trace: the stage logs full requests and responses (MethodSettings DataTraceEnabled).
    data_trace: bool | None = None  # None: no stage settings found
    data_trace_loc: Loc | None = None

    @property
    def private(self) -> bool:
        """A private REST API: only callers through a VPC interface endpoint its resource policy allows reach it."""
        return self.endpoint_type == "PRIVATE"


@dataclass(frozen=True)
class ApiDomain:
    """A custom domain name of API Gateway, with the TLS policy it negotiates."""

    id: str
    kind: str  # rest | http (API Gateway v2 domain names serve HTTP and WebSocket APIs)
    loc: Loc
    security_policy: str | None  # TLS_1_0 | TLS_1_2 | SecurityPolicy_TLS13_… ; None: not set
    name: str | None = None  # the domain name (api.example.com), when literal


@dataclass(frozen=True)
class LogGroup:
    id: str
    name: str | None
    retention_days: int | None
    kms_key: str | None
    loc: Loc
    function: str | None = None  # the function whose logs it holds


@dataclass(frozen=True)
class LogSubscription:
    """A subscription filter forwarding a log group somewhere (AWS::Logs::SubscriptionFilter)."""

    id: str
    loc: Loc
    log_group: str | None  # the LogGroup id it names, or the log group name as written
    function: str | None = None  # the function whose logs it forwards, when known


@dataclass(frozen=True)
class Alarm:
    id: str
    metric: str | None
    namespace: str | None
    function: str | None
    loc: Loc


@dataclass(frozen=True)
class Secret:
    id: str
    loc: Loc
    kms_key: str | None = None
    rotated: bool = False
    literal_value_loc: Loc | None = None  # SecretString given as a literal in the template


@dataclass(frozen=True)
class KmsKey:
    id: str
    loc: Loc
    rotation: bool


@dataclass(frozen=True)
class SecurityGroupRule:
    direction: str  # ingress | egress
    protocol: str  # "-1" for all
    from_port: int | None
    to_port: int | None
    cidr: str | None  # 0.0.0.0/0, ::/0, 10.0.0.0/8, or None (source SG / prefix list)
    loc: Loc

    def covers_port(self, port: int) -> bool:
        if self.protocol in ("-1", "all"):
            return True
        if self.from_port is None or self.to_port is None:
            return True
        low, high = sorted((self.from_port, self.to_port))
        return low <= port <= high or low == -1

    @property
    def from_anywhere(self) -> bool:
        return whole_internet(self.cidr)


def whole_internet(cidr: str | None) -> bool:
    """Is this CIDR every address? Any ``/0`` prefix is (``0.0.0.0/0``, ``10.0.0.1/0``, ``0:0:0:0:0:0:0:0/0``)."""
    if not cidr:
        return False
    address, slash, length = cidr.strip().partition("/")
    return bool(slash) and bool(address) and length.strip() in ("0", "00") and ("." in address or ":" in address)


@dataclass(frozen=True)
class SecurityGroup:
    id: str
    loc: Loc
    rules: tuple[SecurityGroupRule, ...] = ()
    egress_declared: bool = False  # False: AWS adds allow-all egress by default
    external: bool = False  # declared elsewhere; only rules added to it here are known (its other rules are not)


@dataclass(frozen=True)
class Subnet:
    id: str
    loc: Loc
    vpc: str | None
    public: bool  # routed to an internet gateway
    maps_public_ip: bool = False


@dataclass(frozen=True)
class NaclEntry:
    """One numbered entry of a network ACL."""

    number: int | None  # rule number: the lowest matching entry decides
    egress: bool
    allow: bool
    protocol: str  # "-1" for all, else the number or name (6 = tcp, 17 = udp)
    from_port: int | None
    to_port: int | None
    cidr: str | None
    loc: Loc

    def covers_port(self, port: int) -> bool:
        if self.protocol in ("-1", "all"):
            return True
        if self.protocol not in ("6", "tcp", "17", "udp"):
            return False
        if self.from_port is None or self.to_port is None:
            return True
        low, high = sorted((self.from_port, self.to_port))
        return low <= port <= high

    @property
    def all_traffic(self) -> bool:
        return self.protocol in ("-1", "all")


@dataclass(frozen=True)
class NetworkAcl:
    """A network ACL, its entries and the subnets it is associated with."""

    id: str
    loc: Loc
    entries: tuple[NaclEntry, ...] = ()
    subnets: tuple[str, ...] = ()  # subnet ids as VpcConfig.subnet_ids names them
    default: bool = False  # the VPC's default ACL (aws_default_network_acl)


@dataclass(frozen=True)
class WebEntry:
    """A public HTTP entry point a WAF web ACL can protect: a REST API, a CloudFront distribution, an AppSync API."""

    id: str
    kind: str  # rest | cloudfront | appsync
    loc: Loc
    web_acl: str | None  # the web ACL associated with it in the source; None: none
    behind: tuple[str, ...] = ()  # what a distribution forwards to: ids of APIs (and functions) among its origins


@dataclass(frozen=True)
class VpcEndpoint:
    id: str
    loc: Loc
    vpc: str | None
    service: str  # s3, dynamodb, secretsmanager …
    endpoint_type: str  # Gateway | Interface


@dataclass(frozen=True)
class ResourcePolicy:
    """A resource policy on a bucket, queue, topic or secret."""

    id: str
    target: str | None  # logical id of the bucket/queue/topic/secret
    kind: str  # s3 | sqs | sns | secretsmanager
    statements: tuple[Statement, ...]
    loc: Loc


@dataclass(frozen=True)
class DataStore:
    """A bucket, table, queue or topic: data a function may reach."""

    id: str
    kind: str  # s3 | dynamodb | sqs | sns
    loc: Loc
    name: str | None = None
    encrypted: bool | None = None


@dataclass(frozen=True)
class LoadError:
    path: str
    message: str


@dataclass
class Application:
    """One deployable unit: a CloudFormation stack, a Terraform module, a service.

    Ids (function names, role ids, security group ids) are unique within it.
    Mutable while a loader fills it; rules receive it read-only.
    """

    root: Path
    functions: list[Function] = field(default_factory=list)
    roles: dict[str, Role] = field(default_factory=dict)
    permissions: list[Permission] = field(default_factory=list)
    apis: list[Api] = field(default_factory=list)
    log_groups: list[LogGroup] = field(default_factory=list)
    alarms: list[Alarm] = field(default_factory=list)
    secrets: list[Secret] = field(default_factory=list)
    kms_keys: list[KmsKey] = field(default_factory=list)
    security_groups: dict[str, SecurityGroup] = field(default_factory=dict)
    subnets: dict[str, Subnet] = field(default_factory=dict)
    vpc_endpoints: list[VpcEndpoint] = field(default_factory=list)
    resource_policies: list[ResourcePolicy] = field(default_factory=list)
    data_stores: list[DataStore] = field(default_factory=list)
    api_domains: list[ApiDomain] = field(default_factory=list)
    network_acls: list[NetworkAcl] = field(default_factory=list)
    web_entries: list[WebEntry] = field(default_factory=list)
    log_subscriptions: list[LogSubscription] = field(default_factory=list)
    # Facts that analyzers add after loading, keyed by function name: what the code does
    # (faasguard.code) and what it ships (faasguard.deps). Rules read them; loaders never set them.
    code: dict[str, Any] = field(default_factory=dict)
    layers: dict[str, Path] = field(default_factory=dict)  # layer id (as Function.layers names it) → its content on disk
    # Rules the source says to skip for a resource or function (CloudFormation Metadata); empty set: all.
    skipped: dict[str, frozenset[str]] = field(default_factory=dict)
    dependencies: dict[str, Any] = field(default_factory=dict)
    iam: Any = None  # the IAM analysis (faasguard.iam.least_privilege.AppIam), added by the IAM analyzer
    source: str = ""  # the file (or directory) it was loaded from, relative to root
    format: str = ""  # sam | cloudformation | serverless | terraform | cdk …

    def route_triggers(self, function: str) -> Iterator[Trigger]:
        """The API routes that invoke ``function``, as its triggers.

        A route of a private REST API is not public: only callers inside a VPC, through an
        interface endpoint the API's resource policy allows, reach it.
        """
        for api in self.apis:
            for route in api.routes:
                if route.function == function:
                    yield Trigger(
                        kind={"rest": "api", "http": "http-api"}.get(api.kind, api.kind),
                        source=api.id,
                        loc=route.loc,
                        public=not api.private,
                        authenticated=(route.authorization not in (None, "NONE")) or route.api_key_required,
                        route=f"{route.method} {route.path}",
                    )

    def referenced_ids(self, text: str | None) -> set[str]:
        """Ids of this application's resources that ``text`` refers to.

        Loaders keep references as ``${…}``: ``${Bucket}`` and ``${Bucket.Arn}`` (CloudFormation),
        ``${aws_s3_bucket.uploads.arn}`` (Terraform), ``${MyStack/Uploads.Arn}`` (CDK construct
        paths). The reference is tried as an id, then without its last ``.attribute``.
        """
        if not text or "${" not in text:
            return set()
        known = self._ids()
        found = set()
        for inner in _REFERENCE.findall(text):
            candidate = inner
            while candidate:
                if candidate in known:
                    found.add(candidate)
                    break
                candidate = candidate.rpartition(".")[0]
        return found

    def _ids(self) -> set[str]:
        ids = {f.name for f in self.functions} | set(self.roles) | set(self.security_groups) | set(self.subnets)
        for items in (self.data_stores, self.apis, self.log_groups, self.secrets, self.kms_keys, self.resource_policies):
            ids.update(item.id for item in items)
        return ids

    def role_of(self, function: Function) -> Role | None:
        return self.roles.get(function.role_id) if function.role_id else None

    def functions_with_role(self, role_id: str) -> list[Function]:
        return [f for f in self.functions if f.role_id == role_id]
