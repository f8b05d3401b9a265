"""Read one AWS account, region by region, into plain snapshots (read-only calls only).

Every collector is a task: it makes its calls through a :class:`~.session.Caller` and may
return follow-up tasks (listing the functions yields one task per function for its
resource policy, URL, concurrency…). :func:`collect` runs the tasks of every region of
one account on one bounded thread pool, so IAM roles (global) are read once even when
functions in several regions share them. Paginators everywhere; a failed call leaves
an error entry and a *gap* (what could not be checked), never a guess.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from faasguard.iam import managed
from faasguard.loaders.aws_live.session import Caller, Failed, Problems, chunks

Task = Callable[[], Any]  # a collector step; it may return more tasks (an iterable of them)
IAM_TRACKING_DAYS = 400  # how far back IAM's last-accessed data reaches
LAST_ACCESSED_TIMEOUT_S = 60.0


@dataclass
class Options:
    functions: frozenset[str] = frozenset()  # names or ARNs; empty: every function
    last_accessed_days: int | None = 90  # None: do not ask IAM for last-accessed data
    with_code: bool = False
    code_dir: Path | None = None  # where --with-code unpacks packages
    max_code_bytes: int = 250 * 2**20  # unzipped size limit of one package (Lambda's own limit)
    workers: int = 10


@dataclass
class Snapshot:
    """What one region of one account holds, as the APIs returned it."""

    account: str
    region: str
    partition: str = "aws"
    functions: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)  # function ARN → policy, url, concurrency, tags…
    event_source_mappings: list[dict[str, Any]] = field(default_factory=list)
    rest_apis: list[dict[str, Any]] = field(default_factory=list)  # each with resources, stages, authorizers, validators
    usage_plans: list[dict[str, Any]] = field(default_factory=list)
    http_apis: list[dict[str, Any]] = field(default_factory=list)  # each with stages, routes, integrations
    log_groups: list[dict[str, Any]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[dict[str, Any]] = field(default_factory=list)
    security_groups: list[dict[str, Any]] = field(default_factory=list)
    subnets: list[dict[str, Any]] = field(default_factory=list)
    route_tables: list[dict[str, Any]] = field(default_factory=list)
    vpc_endpoints: list[dict[str, Any]] = field(default_factory=list)
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)  # role ARN → role, policies, last accessed (shared)
    role_users: dict[str, set[str]] = field(default_factory=dict)  # role ARN → every function ARN seen using it (shared)
    layer_code: dict[str, Path] = field(default_factory=dict)  # layer version ARN → unpacked content
    selected: bool = False  # only some functions were asked for: resources that serve none of them are left out
    function_tags: dict[str, dict[str, str]] = field(default_factory=dict)  # function ARN → its faasguard:ignore tag
    # What could not be read, by topic ("log-groups", "concurrency"…): the names of the functions or
    # APIs it concerns, or "*" for the whole region. Rules that would claim an absence skip those.
    gaps: dict[str, set[str]] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def gap(self, topic: str, name: str = "*") -> None:
        with self._lock:
            self.gaps.setdefault(topic, set()).add(name)

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return f"arn:{self.partition}:{service}:{self.region if region else ''}:{self.account if account else ''}:{resource}"

    @property
    def scope(self) -> str:
        """Where an error about the whole region is reported."""
        return f"arn:{self.partition}:lambda:{self.region}:{self.account}"


def document(value: Any) -> dict[str, Any]:
    """A policy document as a dict, whether the API returned it parsed, JSON or URL-encoded JSON."""
    if isinstance(value, dict):
        return value
    if not isinstance(value, str) or not value.strip():
        return {}
    text = value if value.lstrip().startswith("{") else urllib.parse.unquote(value)
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


class AccountCollector:
    """The tasks that read one account (all its requested regions)."""

    def __init__(self, callers: dict[str, Caller], snapshots: dict[str, Snapshot], options: Options):
        self.callers = callers  # region → caller
        self.snapshots = snapshots  # region → snapshot
        self.options = options
        self.roles: dict[str, dict[str, Any]] = {}
        self.role_users: dict[str, set[str]] = {}
        self._roles_claimed: set[str] = set()
        self._lock = threading.Lock()
        for snap in snapshots.values():
            snap.roles = self.roles
            snap.role_users = self.role_users

    def start(self) -> list[Task]:
        tasks: list[Task] = []
        for region, snap in self.snapshots.items():
            c = self.callers[region]
            tasks += [
                partial(self.functions, c, snap),
                partial(self.event_sources, c, snap),
                partial(self.rest_apis, c, snap),
                partial(self.usage_plans, c, snap),
                partial(self.http_apis, c, snap),
                partial(self.alarms, c, snap),
                partial(self.ignore_tags, c, snap),
            ]
            if not self.options.functions:
                tasks.append(partial(self.secrets, c, snap))
        return tasks

    # -- Lambda -------------------------------------------------------------------------
    def functions(self, c: Caller, s: Snapshot) -> list[Task]:
        try:
            found = c.pages("lambda", "list_functions", "Functions", s.scope, "no function in this region was audited")
        except Failed:
            return []
        wanted = self.options.functions
        s.selected = bool(wanted)
        with self._lock:
            for fn in found:  # every function, selected or not: who else holds each role
                if isinstance(fn.get("Role"), str):
                    self.role_users.setdefault(fn["Role"], set()).add(str(fn["FunctionArn"]))
        s.functions = [f for f in found if not wanted or f.get("FunctionName") in wanted or f.get("FunctionArn") in wanted]
        tasks: list[Task] = []
        for fn in s.functions:
            arn = str(fn["FunctionArn"])
            env_error = (fn.get("Environment") or {}).get("Error")
            if env_error:  # Lambda could not decrypt the variables for us (the KMS key denies the auditor)
                s.problems.error(arn, f"its environment variables could not be read ({env_error.get('ErrorCode')}: "
                                 f"{env_error.get('Message')}), so they were not checked for secrets")
            detail: dict[str, Any] = {}
            s.details[arn] = detail
            tasks += [
                partial(self.function_policy, c, s, fn, detail),
                partial(self.function_url, c, s, fn, detail),
                partial(self.invoke_configs, c, s, fn, detail),
                partial(self.code_signing, c, s, fn, detail),
            ]
            if self.options.with_code:
                tasks.append(partial(self.function_code, c, s, fn, detail))
            else:
                tasks.append(partial(self.concurrency, c, s, fn, detail))
            role = fn.get("Role")
            if isinstance(role, str) and self._claim_role(role):
                tasks.append(partial(self.role, c, role))
        tasks.append(partial(self.log_groups, c, s))
        if any((fn.get("VpcConfig") or {}).get("SubnetIds") for fn in s.functions):
            tasks.append(partial(self.network, c, s))
        return tasks

    def function_policy(self, c: Caller, s: Snapshot, fn: dict[str, Any], d: dict[str, Any]) -> None:
        try:
            got = c.call("lambda", "get_policy", fn["FunctionArn"], "its resource policy (who may invoke it) was not read",
                         FunctionName=fn["FunctionArn"])
        except Failed:
            s.gap("policy", fn["FunctionName"])
            return
        d["Policy"] = document(got.get("Policy")) if got else {}

    def function_url(self, c: Caller, s: Snapshot, fn: dict[str, Any], d: dict[str, Any]) -> None:
        # moto 5.2.5 does not implement ListFunctionUrlConfigs (404); GetFunctionUrlConfig works on both.
        try:
            d["Url"] = c.call("lambda", "get_function_url_config", fn["FunctionArn"], "its function URL was not read",
                              FunctionName=fn["FunctionArn"])
        except Failed:
            s.gap("url", fn["FunctionName"])

    def invoke_configs(self, c: Caller, s: Snapshot, fn: dict[str, Any], d: dict[str, Any]) -> None:
        try:
            d["InvokeConfigs"] = c.pages(
                "lambda", "list_function_event_invoke_configs", "FunctionEventInvokeConfigs", fn["FunctionArn"],
                "its on-failure destination was not read", FunctionName=fn["FunctionArn"],
            )
        except Failed:
            s.gap("invoke-config", fn["FunctionName"])

    def code_signing(self, c: Caller, s: Snapshot, fn: dict[str, Any], d: dict[str, Any]) -> None:
        if fn.get("PackageType") == "Image":
            return
        try:
            got = c.call("lambda", "get_function_code_signing_config", fn["FunctionArn"],
                         "its code signing configuration was not read", FunctionName=fn["FunctionArn"])
        except Failed:
            return
        d["CodeSigningConfigArn"] = (got or {}).get("CodeSigningConfigArn")

    def concurrency(self, c: Caller, s: Snapshot, fn: dict[str, Any], d: dict[str, Any]) -> None:
        try:
            got = c.call("lambda", "get_function_concurrency", fn["FunctionArn"],
                         "its reserved concurrency was not read", FunctionName=fn["FunctionArn"])
        except Failed:
            s.gap("concurrency", fn["FunctionName"])
            return
        d["ReservedConcurrentExecutions"] = (got or {}).get("ReservedConcurrentExecutions")

    def ignore_tags(self, c: Caller, s: Snapshot) -> None:
        """The functions tagged ``faasguard:ignore``: one tagging-API query per region, not one call per function."""
        from faasguard.loaders.aws_live.build import IGNORE_TAG

        try:
            found = c.pages("resourcegroupstaggingapi", "get_resources", "ResourceTagMappingList", s.scope,
                            f"{IGNORE_TAG} tags on functions were not read (nothing is skipped by tag)",
                            ResourceTypeFilters=["lambda:function"], TagFilters=[{"Key": IGNORE_TAG}])
        except Failed:
            return
        for item in found:
            tags = item.get("Tags") or []
            s.function_tags[str(item.get("ResourceARN"))] = {str(t.get("Key")): str(t.get("Value", "")) for t in tags}

    def function_code(self, c: Caller, s: Snapshot, fn: dict[str, Any], d: dict[str, Any]) -> list[Task]:
        """``GetFunction`` gives the code location, the reserved concurrency and the tags in one call."""
        from faasguard.loaders.aws_live.package import PackageError, download_and_unpack, function_dir

        try:
            got = c.call("lambda", "get_function", fn["FunctionArn"], "its code and reserved concurrency were not read",
                         FunctionName=fn["FunctionArn"])
        except Failed:
            s.gap("concurrency", fn["FunctionName"])
            return []
        got = got or {}
        d["ReservedConcurrentExecutions"] = (got.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
        d["Tags"] = got.get("Tags") or {}
        location = (got.get("Code") or {}).get("Location")
        tasks: list[Task] = []
        if location and fn.get("PackageType", "Zip") == "Zip" and self.options.code_dir is not None:
            dest = function_dir(self.options.code_dir, fn["FunctionArn"])
            try:
                download_and_unpack(location, dest, self.options.max_code_bytes)
                d["CodeDir"] = dest
            except PackageError as exc:
                s.problems.error(fn["FunctionArn"], f"deployment package not analysed: {exc}")
        for layer in fn.get("Layers") or []:
            arn = layer.get("Arn")
            if isinstance(arn, str) and self._claim_role(f"layer:{arn}"):
                tasks.append(partial(self.layer_code, c, s, arn))
        return tasks

    def layer_code(self, c: Caller, s: Snapshot, arn: str) -> None:
        from faasguard.loaders.aws_live.package import PackageError, download_and_unpack, function_dir

        try:
            got = c.call("lambda", "get_layer_version_by_arn", arn, "the layer's content was not analysed", Arn=arn)
        except Failed:
            return
        location = ((got or {}).get("Content") or {}).get("Location")
        if location and self.options.code_dir is not None:
            dest = function_dir(self.options.code_dir, arn)
            try:
                download_and_unpack(location, dest, self.options.max_code_bytes)
            except PackageError as exc:
                s.problems.error(arn, f"layer content not analysed: {exc}")
                return
            for snap in self.snapshots.values():
                snap.layer_code[arn] = dest

    def event_sources(self, c: Caller, s: Snapshot) -> None:
        try:
            s.event_source_mappings = c.pages(
                "lambda", "list_event_source_mappings", "EventSourceMappings", s.scope, "event source mappings were not read"
            )
        except Failed:
            s.gap("event-sources")

    # -- IAM ----------------------------------------------------------------------------
    def _claim_role(self, key: str) -> bool:
        with self._lock:
            if key in self._roles_claimed:
                return False
            self._roles_claimed.add(key)
            return True

    def role(self, c: Caller, arn: str) -> list[Task]:
        name = arn.rsplit("/", 1)[-1]
        entry: dict[str, Any] = {"complete": True, "inline": {}, "attached": [], "documents": {}}
        what = f"role {name} was not fully read; rules that need all of its policies skip it"
        try:
            got = c.call("iam", "get_role", arn, what, RoleName=name)
        except Failed:
            got, entry["complete"] = None, False
        if got is None and entry["complete"]:
            entry["missing"] = True  # the function's role was deleted
        entry["role"] = (got or {}).get("Role") or {"Arn": arn, "RoleName": name}
        with self._lock:
            self.roles[arn] = entry
        if got is None:
            entry["complete"] = False
            return []
        try:
            for policy_name in c.pages("iam", "list_role_policies", "PolicyNames", arn, what, RoleName=name):
                doc = c.call("iam", "get_role_policy", arn, what, RoleName=name, PolicyName=policy_name)
                entry["inline"][policy_name] = document((doc or {}).get("PolicyDocument"))
            entry["attached"] = c.pages("iam", "list_attached_role_policies", "AttachedPolicies", arn, what, RoleName=name)
            for attached in entry["attached"]:
                policy_arn = str(attached.get("PolicyArn"))
                if managed.policy_name(policy_arn) is None:  # customer managed, or AWS managed but unknown offline
                    entry["documents"][policy_arn] = self.policy_document(c, policy_arn, what)
        except Failed:
            entry["complete"] = False
        if self.options.last_accessed_days is not None:
            return [partial(self.last_accessed, c, arn, entry)]
        return []

    def policy_document(self, c: Caller, arn: str, what: str) -> dict[str, Any]:
        policy = (c.call("iam", "get_policy", arn, what, PolicyArn=arn) or {}).get("Policy") or {}
        version = policy.get("DefaultVersionId")
        if not version:
            return {}
        got = c.call("iam", "get_policy_version", arn, what, PolicyArn=arn, VersionId=version) or {}
        return document((got.get("PolicyVersion") or {}).get("Document"))

    def last_accessed(self, c: Caller, arn: str, entry: dict[str, Any]) -> None:
        what = "its last-accessed data (services granted but unused) was not read"
        try:
            job = c.call("iam", "generate_service_last_accessed_details", arn, what, Arn=arn, Granularity="SERVICE_LEVEL")
            job_id = (job or {}).get("JobId")
            if not job_id:
                return
            deadline, delay = time.monotonic() + LAST_ACCESSED_TIMEOUT_S, 0.2
            services: list[dict[str, Any]] = []
            marker: str | None = None
            while True:
                params: dict[str, Any] = {"JobId": job_id}
                if marker:
                    params["Marker"] = marker
                got = c.call("iam", "get_service_last_accessed_details", arn, what, **params) or {}
                status = got.get("JobStatus")
                if status == "IN_PROGRESS":
                    if time.monotonic() > deadline:
                        waited = f"{LAST_ACCESSED_TIMEOUT_S:.0f} s"
                        c.problems.error(arn, f"IAM did not finish the last-accessed report within {waited}, so {what}")
                        return
                    time.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
                if status != "COMPLETED":
                    reason = (got.get("Error") or {}).get("Message", status)
                    c.problems.error(arn, f"IAM's last-accessed report failed ({reason}), so {what}")
                    return
                services.extend(got.get("ServicesLastAccessed") or [])
                if not got.get("IsTruncated"):
                    break
                marker = got.get("Marker")
            entry["last_accessed"] = {"services": services, "generated": got.get("JobCompletionDate")}
        except Failed:
            return

    # -- API Gateway ----------------------------------------------------------------------
    def rest_apis(self, c: Caller, s: Snapshot) -> list[Task]:
        try:
            apis = c.pages("apigateway", "get_rest_apis", "items", s.arn("apigateway", "/restapis", account=False),
                           "REST APIs were not read")
        except Failed:
            s.gap("apis")
            return []
        s.rest_apis = apis
        return [partial(self.rest_api, c, s, api) for api in apis]

    def rest_api(self, c: Caller, s: Snapshot, api: dict[str, Any]) -> None:
        api_id = api["id"]
        scope = s.arn("apigateway", f"/restapis/{api_id}", account=False)
        try:
            api["resources"] = c.pages("apigateway", "get_resources", "items", scope, "its routes were not read",
                                       restApiId=api_id, embed=["methods"])
        except Failed:
            api["resources"] = []
        try:
            api["stages"] = (c.call("apigateway", "get_stages", scope, "its stages (logging, throttling) were not read",
                                    restApiId=api_id) or {}).get("item") or []
        except Failed:
            s.gap("api-stages", api.get("name") or api_id)
        try:
            api["authorizers"] = c.pages("apigateway", "get_authorizers", "items", scope, "its authorizers were not read",
                                         restApiId=api_id)
        except Failed:
            api["authorizers"] = None
        try:
            api["validators"] = c.pages("apigateway", "get_request_validators", "items", scope,
                                        "its request validators were not read", restApiId=api_id)
        except Failed:
            api["validators"] = None

    def usage_plans(self, c: Caller, s: Snapshot) -> None:
        try:
            s.usage_plans = c.pages("apigateway", "get_usage_plans", "items", s.arn("apigateway", "/usageplans", account=False),
                                    "usage plans (API throttling) were not read")
        except Failed:
            s.gap("usage-plans")

    def http_apis(self, c: Caller, s: Snapshot) -> list[Task]:
        try:
            apis = c.pages("apigatewayv2", "get_apis", "Items", s.arn("apigateway", "/apis", account=False),
                           "HTTP and WebSocket APIs were not read")
        except Failed:
            s.gap("apis")
            return []
        s.http_apis = apis
        return [partial(self.http_api, c, s, api) for api in apis]

    def http_api(self, c: Caller, s: Snapshot, api: dict[str, Any]) -> None:
        api_id = api["ApiId"]
        scope = s.arn("apigateway", f"/apis/{api_id}", account=False)
        try:
            api["stages"] = c.pages("apigatewayv2", "get_stages", "Items", scope,
                                    "its stages (logging, throttling) were not read", ApiId=api_id)
        except Failed:
            api["stages"] = []
            s.gap("api-stages", api.get("Name") or api_id)
        try:
            api["routes"] = c.pages("apigatewayv2", "get_routes", "Items", scope, "its routes were not read", ApiId=api_id)
            api["integrations"] = c.pages("apigatewayv2", "get_integrations", "Items", scope,
                                          "its integrations were not read", ApiId=api_id)
        except Failed:
            api.setdefault("routes", [])
            api.setdefault("integrations", [])

    # -- logs, alarms, secrets ------------------------------------------------------------
    def log_groups(self, c: Caller, s: Snapshot) -> None:
        prefixes = {"/aws/lambda/"}
        for fn in s.functions:
            group = (fn.get("LoggingConfig") or {}).get("LogGroup")
            if isinstance(group, str) and not group.startswith("/aws/lambda/"):
                prefixes.add(group)
        found: dict[str, dict[str, Any]] = {}
        try:
            for prefix in sorted(prefixes):
                for group in c.pages("logs", "describe_log_groups", "logGroups", s.arn("logs", "log-group:*"),
                                     "log groups (retention) were not read", logGroupNamePrefix=prefix):
                    found[group["logGroupName"]] = group
        except Failed:
            s.gap("log-groups")
        s.log_groups = list(found.values())

    def alarms(self, c: Caller, s: Snapshot) -> None:
        try:
            s.alarms = c.pages("cloudwatch", "describe_alarms", "MetricAlarms", s.arn("cloudwatch", "alarm:*"),
                               "CloudWatch alarms were not read", AlarmTypes=["MetricAlarm"])
        except Failed:
            s.gap("alarms")

    def secrets(self, c: Caller, s: Snapshot) -> list[Task]:
        try:
            s.secrets = c.pages("secretsmanager", "list_secrets", "SecretList", s.arn("secretsmanager", "secret:*"),
                                "Secrets Manager secrets were not read")
        except Failed:
            return []
        return [partial(self.secret_policy, c, secret) for secret in s.secrets]

    def secret_policy(self, c: Caller, secret: dict[str, Any]) -> None:
        try:
            got = c.call("secretsmanager", "get_resource_policy", secret["ARN"], "its resource policy was not read",
                         SecretId=secret["ARN"])
        except Failed:
            return
        secret["ResourcePolicy"] = document((got or {}).get("ResourcePolicy"))

    # -- network --------------------------------------------------------------------------
    def network(self, c: Caller, s: Snapshot) -> None:
        groups = {g for fn in s.functions for g in (fn.get("VpcConfig") or {}).get("SecurityGroupIds") or []}
        subnets = {n for fn in s.functions for n in (fn.get("VpcConfig") or {}).get("SubnetIds") or []}
        scope = s.arn("ec2", "*")
        # Filters, not ids: one deleted group or subnet must not fail the whole call.
        s.security_groups = self._ec2(c, s, scope, groups, "describe_security_groups", "SecurityGroups", "group-id",
                                      "security-groups")
        s.subnets = self._ec2(c, s, scope, subnets, "describe_subnets", "Subnets", "subnet-id", "subnets")
        # The VPCs as the subnets name them (moto 5.2.5 puts a placeholder VpcId in the function's VpcConfig).
        vpcs = {str(n["VpcId"]) for n in s.subnets if n.get("VpcId")}
        s.route_tables = self._ec2(c, s, scope, vpcs, "describe_route_tables", "RouteTables", "vpc-id", "route-tables")
        s.vpc_endpoints = self._ec2(c, s, scope, vpcs, "describe_vpc_endpoints", "VpcEndpoints", "vpc-id", "vpc-endpoints")

    def _ec2(self, c: Caller, s: Snapshot, scope: str, ids: set[str], op: str, key: str, filter_name: str,
             topic: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        try:
            for part in chunks(ids, 100):
                items += c.pages("ec2", op, key, scope, f"the functions' {topic.replace('-', ' ')} were not read",
                                 Filters=[{"Name": filter_name, "Values": part}])
        except Failed:
            s.gap(topic)
        return items


def days_between(earlier: Any, later: datetime) -> int | None:
    if isinstance(earlier, str):
        try:
            earlier = datetime.fromisoformat(earlier.replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(earlier, datetime):
        return None
    if earlier.tzinfo is None:
        earlier = earlier.replace(tzinfo=UTC)
    return max(0, (later - earlier).days)



def collect(
    callers: dict[str, Caller],
    snapshots: dict[str, Snapshot],
    options: Options,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Run every collector of one account on one bounded pool; fills ``snapshots`` in place."""
    account = AccountCollector(callers, snapshots, options)
    with ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="faasguard-audit") as pool:
        run_tasks(pool, account.start(), progress, next(iter(snapshots.values())).problems if snapshots else Problems())


def run_tasks(
    pool: ThreadPoolExecutor, tasks: list[Task], progress: Callable[[int, int], None] | None, problems: Problems
) -> None:
    """Run tasks and the follow-up tasks they return until none is left."""

    def guarded(task: Task) -> list[Task]:
        try:
            return list(task() or [])
        except Failed:
            return []
        except Exception as exc:  # a collector bug must not end the audit
            problems.error("faasguard", f"internal error in a collector ({type(exc).__name__}: {exc}); please report it")
            return []

    # Completed tasks report through a queue: waiting on the whole pending set after every
    # completion would cost O(pending) each time (thousands of per-function calls).
    finished: queue.SimpleQueue[Future[list[Task]]] = queue.SimpleQueue()

    def submit(task: Task) -> None:
        pool.submit(guarded, task).add_done_callback(finished.put)

    for task in tasks:
        submit(task)
    outstanding = len(tasks)
    if progress:
        progress(0, len(tasks))
    while outstanding:
        more = finished.get().result()
        outstanding += len(more) - 1
        for task in more:
            submit(task)
        if progress:
            progress(1, len(more))
