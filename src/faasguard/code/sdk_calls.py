"""The AWS SDK step of the engine: clients made, requests sent, what they return (boto3, aws-sdk v2 and v3).

The adapters hand the walker a neutral :class:`~faasguard.code.taint_model.CallSite`
(callee with aliases resolved, receiver, method, argument values); :class:`SdkSteps`
decides whether it makes a client (``boto3.client("s3")``, ``new S3Client()``,
``DynamoDBDocumentClient.from(…)``), sends a request (``s3.get_object(…)``,
``client.send(new GetObjectCommand(…))``, ``doc.query(…).promise()``), or navigates
the SDK's objects (``resource.Table("t")``, ``client.meta.client``). Requests are
recorded for least privilege, their query parameters checked against the SDK sink
rows, and their results are secrets, another principal's credentials or
second-order data (shared.toml).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from typing import Protocol

from faasguard.code.facts import PerInvocation, SdkCall
from faasguard.code.modeldata import shared
from faasguard.code.sdk_names import LIB_DYNAMODB, boto3_operation, v2_operation, v2_service, v3_service
from faasguard.code.taint_model import CallSite, sdk_sinks, sdk_source
from faasguard.code.values import UNKNOWN, Collector, SdkObj, Taint, Val
from faasguard.model import Loc
from faasguard.secret_patterns import shannon_entropy

TEMPORARY_CREDENTIALS = "<temporary credentials>"  # the qual of an sts.assume_role() result and of its members
BOTO3_PACKAGES = ("boto3", "aioboto3", "botocore")
JS_CLIENT_NON_CALLS = frozenset({"promise", "then", "destroy", "config", "middlewareStack", "on", "createPresignedPost",
                                 "getSignedUrl", "getSignedUrlPromise"})  # aws-sdk client members that send no request


@dataclass(frozen=True)
class SdkTables:
    """AWS SDK facts both languages use (``shared.toml``)."""

    secret_operations: frozenset[tuple[str, str]]
    credential_operations: frozenset[tuple[str, str]]
    credential_parameters: frozenset[str]
    resource_keys: tuple[str, ...]
    dynamo_expressions: tuple[str, ...]
    resource_factories: dict[str, tuple[str, str]]  # boto3 resource.Table(…) → ("table", "dynamodb")
    resource_methods: dict[str, dict[str, str]]  # boto3 bucket.upload_file → PutObject, by object kind
    resource_identifiers: dict[str, tuple[str, ...]]  # boto3 s3.Object(b, k) → ("Bucket", "Key")
    document_client: dict[str, str]  # aws-sdk v2 DocumentClient get → GetItem
    signed_methods: frozenset[str]  # client.generate_presigned_url(…): the role used outside a recorded request
    signed_session_methods: frozenset[str]  # boto3.Session().get_credentials()
    signed_callables: dict[str, frozenset[str]]  # by language: AWSV4SignerAuth, aws4.sign, getSignedUrl(client, cmd)
    file_parameters: dict[str, dict[str, tuple[str, ...]]]  # boto3 client.download_file(Bucket, Key, Filename), by kind

    def signs_outside_sdk(self, language: str, qual: str) -> bool:
        """``AWSV4SignerAuth(creds, region)``, ``aws4.sign(req)``, ``boto3.Session().get_credentials()``:
        the function's role leaves the SDK, so least privilege cannot know what it needs."""
        if qual in self.signed_callables[language]:
            return True
        head, _, last = qual.rpartition(".")
        return language == "python" and last in self.signed_session_methods and head.startswith(("boto3", "botocore"))


@cache
def sdk_tables() -> SdkTables:
    doc = shared()
    return SdkTables(
        frozenset((s, o) for s, o in doc["secret_operations"]),
        frozenset((s, o) for s, o in doc["credential_operations"]),
        frozenset(doc["credential_parameters"]),
        tuple(doc["resource_keys"]),
        tuple(doc["dynamo_expressions"]),
        {name: (kind, service) for name, (kind, service) in doc["boto3_resource_factories"].items()},
        {kind: dict(methods) for kind, methods in doc["boto3_resource_methods"].items()},
        {name: tuple(params) for name, params in doc["boto3_resource_identifiers"].items()},
        dict(doc["document_client"]),
        frozenset(doc["signed_outside_sdk"]["client_methods"]),
        frozenset(doc["signed_outside_sdk"]["session_methods"]),
        {lang: frozenset(doc["signed_outside_sdk"][lang]) for lang in ("python", "javascript")},
        {kind: {m: tuple(names) for m, names in methods.items()} for kind, methods in doc["boto3_file_parameters"].items()},
    )


def resource_request(names: tuple[str, ...], args: list[Val], kwargs: Mapping[str, Val]) -> tuple[tuple[str, Val], ...]:
    """The request parameters a boto3 resource's identifiers give (``s3.Object(b, key=k)`` → Bucket, Key)."""
    lower = {name.lower(): val for name, val in kwargs.items()}  # bucket_name=…, key=…
    given = [args[i] if i < len(args) else lower.get(name.lower()) or lower.get(f"{name.lower()}_name")
             for i, name in enumerate(names)]
    return tuple((name, val) for name, val in zip(names, given) if val is not None)


def explicit_credentials(keys: Iterable[str], splat: Iterable[Val] = ()) -> bool:
    """A client built with credentials of its own: keys such as aws_access_key_id/credentials, or ``**`` of them."""
    names = sdk_tables().credential_parameters
    if any(key in names for key in keys):
        return True
    return any(v.qual == TEMPORARY_CREDENTIALS or any(k in names for k, _ in v.items or ()) for v in splat)


def sdk_attribute(sdk: SdkObj, attr: str) -> Val:
    """``resource.meta``, ``resource.meta.client``, ``bucket.objects`` (boto3), ``client.some_method`` (called next)."""
    if sdk.sdk == "boto3":
        if attr == "meta":
            return Val(sdk=replace(sdk, kind="meta"))
        if sdk.kind == "meta" and attr == "client":
            return Val(sdk=replace(sdk, kind="client"))
        if sdk.kind == "bucket" and attr == "objects":
            return Val(sdk=replace(sdk, kind="bucket-objects"))
    return Val(sdk=sdk, qual=f"sdk.{attr}")


class _Interp(Protocol):
    """What the SDK step needs of :class:`~faasguard.code.engine.Engine`."""

    out: Collector
    sdk_tables: SdkTables
    param_format: str


class SdkSteps:
    """The SDK half of :class:`~faasguard.code.engine.Walker`."""

    interp: _Interp
    handler: str | None
    in_handler: bool
    lazy: int

    @property
    def out(self) -> Collector:
        return self.interp.out

    @property
    def per_invocation(self) -> bool:
        raise NotImplementedError

    def line_text(self, loc: Loc) -> str:
        """The source line at ``loc``, stripped (the adapter knows its file)."""
        raise NotImplementedError

    # ---- dispatch ------------------------------------------------------------------------------------------

    def sdk_call(self, site: CallSite, loc: Loc) -> Val | None:
        """What an SDK call returns, or None when the call is not the SDK's."""
        receiver, method, args = site.receiver, site.method, site.args
        if receiver is not None and receiver.sdk is not None and method is not None:
            sdk = receiver.sdk
            if sdk.sdk == "boto3":
                request = next((v for v in site.splat if v.taint is not None), None)
                if request is not None and sdk.service == "dynamodb":  # table.query(**json.loads(event["body"]))
                    self.out.flow("nosql", request.taint, f"DynamoDB {method}(**request from event data)", loc, self.handler)  # type: ignore[arg-type]
                return self.boto3_method(sdk, method, site, loc)
            return self.js_sdk_method(sdk, method, args, loc)
        if method == "send" and args and args[0].sdk is not None and args[0].sdk.kind == "command":
            return self.js_send(args[0].sdk, loc)
        qual = site.qual
        if qual is None:
            return None
        if qual.startswith(BOTO3_PACKAGES):
            return self.boto3_factory(qual, site.args, site.kwargs, loc, explicit_credentials(site.kwargs, site.splat))
        if site.new:
            return self.js_sdk_new(qual, args, loc)
        return self.js_sdk_function(qual, args, loc)

    # ---- requests (both SDKs) ------------------------------------------------------------------------------

    def client_created(self, what: str, loc: Loc) -> None:
        if self.per_invocation:
            self.out.invocation(PerInvocation("sdk-client", what, loc, self.handler or ""))

    def record(self, sdk: SdkObj, op: str, resource: str | None, env: str | None, loc: Loc, via: str,
               index: str | None = None, key_prefix: str | None = None) -> None:
        call = SdkCall(sdk.service, op, resource, env, loc, sdk.sdk, via, sdk.explicit_credentials, index, key_prefix)
        self.out.sdk(call)
        if self.in_handler and not self.lazy and (sdk.service, op) in self.interp.sdk_tables.secret_operations:
            self.out.invocation(PerInvocation("secret-fetch", f"{sdk.service}.{op}", loc, self.handler or ""))

    @staticmethod
    def index_arg(service: str, op: str, params: Mapping[str, Val], whole: bool) -> str | None:
        """A DynamoDB Query/Scan's IndexName: the name, "*" when computed, "" when none; None when unknown."""
        if service != "dynamodb" or op not in ("Query", "Scan") or not whole:
            return None
        if "IndexName" not in params:
            return ""
        name = params["IndexName"].const
        return str(name) if name else "*"

    @staticmethod
    def key_prefix_arg(service: str, params: Mapping[str, Val]) -> str | None:
        """The folders an S3 request's Key starts with ("clickstream/" of f"clickstream/{day}.json").

        Only whole folder names, and none that look like a credential: a key can be a token, and a
        suggested policy is printed. Event data after the constant start cannot leave it (S3 keys are
        not paths), so the start alone is a safe bound.
        """
        key = params.get("Key") if service == "s3" else None
        if key is None or key.secret:
            return None
        start = key.const if key.const is not None else key.prefix
        folders = str(start).rpartition("/")[0] + "/" if start and "/" in str(start) else ""
        if not folders.strip("/") or any(c in folders for c in "*?$"):
            return None
        if any(len(part) >= 16 and shannon_entropy(part) >= 3.5 for part in folders.split("/")):
            return None
        return folders

    def resource_arg(self, params: Mapping[str, Val]) -> Val:
        """The request parameter that names the resource (Bucket, TableName …), for least privilege."""
        for key in self.interp.sdk_tables.resource_keys:
            if key in params:
                return UNKNOWN if params[key].items else params[key]
        return UNKNOWN

    def sdk_request(self, service: str, op: str, params: Mapping[str, Val], loc: Loc, method: str, note: str) -> Val:
        """An SDK operation sent with ``params``: its query sinks and expressions, and what it returns.

        The result is a secret (GetSecretValue), another principal's credentials (AssumeRole), or, when the
        request names what the event chose (s3 GetObject of the event's key), data of a second-order source.
        """
        fmt = self.interp.param_format
        if service == "dynamodb":
            for key in self.interp.sdk_tables.dynamo_expressions:
                val = params.get(key)
                # "#a = " + event["v"], or the whole expression taken from the event: NoSQL injection (a dict of
                # legacy QueryFilter conditions holding event values is data, not an expression)
                if val is not None and val.taint is not None and (val.built or val.items is None):
                    self.out.flow("nosql", val.taint, f"DynamoDB {method}({fmt.format(key)})", loc, self.handler)
        for kind, tainted, param in sdk_sinks(service, op, params):
            self.out.flow(kind, tainted.taint, f"{service} {op}({fmt.format(param)})", loc, self.handler)  # type: ignore[arg-type]
        return self.sdk_result(service, op, params, loc, note)

    def sdk_result(self, service: str, op: str, params: Mapping[str, Val], loc: Loc, note: str) -> Val:
        sdk = self.interp.sdk_tables
        if (service, op) in sdk.secret_operations:
            return Val(secret=f"{service} {op} result")
        if (service, op) in sdk.credential_operations:
            return Val(qual=TEMPORARY_CREDENTIALS)
        taint = self.second_order(service, op, params, loc, note)
        return Val(taint=taint) if taint is not None else UNKNOWN

    def second_order(self, service: str, op: str, params: Mapping[str, Val], loc: Loc, note: str) -> Taint | None:
        second = sdk_source(service, op, params)
        if second is None:
            return None
        val, label = second
        taint = val.taint.step(loc, note)  # type: ignore[union-attr]
        return Taint(label.format(source=taint.source), loc, taint.steps)

    # ---- boto3 ---------------------------------------------------------------------------------------------

    def boto3_factory(self, qual: str, args: list[Val], kwargs: Mapping[str, Val], loc: Loc, explicit: bool) -> Val | None:
        last = qual.rsplit(".", 1)[-1]
        if last == "Session" and explicit:  # boto3.Session(aws_access_key_id=…): its clients use those credentials
            return Val(sdk=SdkObj("", "session", "boto3", explicit_credentials=True))
        if last not in ("client", "resource", "create_client"):
            return None
        name = args[0] if args else kwargs.get("service_name", UNKNOWN)
        kind = "resource" if last == "resource" else "client"
        self.client_created(f"{qual}({name.const!r})" if name.const else qual, loc)
        if name.const is None:
            self.out.dynamic_sdk.add(loc)
            return UNKNOWN
        return Val(sdk=SdkObj(name.const, kind, "boto3", explicit_credentials=explicit))

    def boto3_method(self, sdk: SdkObj, method: str, site: CallSite, loc: Loc) -> Val:
        args, kwargs = site.args, site.kwargs
        tables = self.interp.sdk_tables
        if method in tables.signed_methods or (sdk.kind == "session" and method in tables.signed_session_methods):
            if not sdk.explicit_credentials:
                self.out.signed.add(loc)
            return UNKNOWN
        if sdk.kind == "session":
            if method in ("client", "resource"):
                return self.boto3_factory(f"boto3.Session.{method}", args, kwargs, loc, True) or UNKNOWN
            return UNKNOWN
        if sdk.kind == "resource" or sdk.kind == "meta":
            if method in tables.resource_factories:
                kind, _service = tables.resource_factories[method]
                res = args[0] if args else next(iter(kwargs.values()), UNKNOWN)
                request = resource_request(tables.resource_identifiers.get(method, ()), args, kwargs)
                return Val(sdk=replace(sdk, kind=kind, resource=res.const, resource_env=res.env, request=request))
            if method in ("get_queue_by_name", "create_queue"):
                res = kwargs.get("QueueName", UNKNOWN)
                self._boto3_record(sdk, "GetQueueUrl" if method == "get_queue_by_name" else "CreateQueue", res, loc)
                return Val(sdk=replace(sdk, kind="queue", resource=res.const, resource_env=res.env))
            if method == "create_table":
                self._boto3_record(sdk, "CreateTable", kwargs.get("TableName", UNKNOWN), loc)
                return Val(sdk=replace(sdk, kind="table"))
            if sdk.kind == "resource":
                op = boto3_operation(sdk.service, method)
                if op:
                    self._boto3_record(sdk, op, self.resource_arg(kwargs), loc)
                return UNKNOWN
        if sdk.kind == "client":
            if method == "get_paginator" or method == "get_waiter":
                name = args[0] if args else UNKNOWN
                if name.const is None:
                    self.out.dynamic_sdk.add(loc)
                    return UNKNOWN
                if method == "get_waiter":
                    return UNKNOWN
                return Val(sdk=replace(sdk, kind="paginator", operation=boto3_operation(sdk.service, name.const)))
            op = boto3_operation(sdk.service, method)
            if op is None:
                return Val(sdk=sdk) if method == "meta" else UNKNOWN
            params = {**self.positional_params(sdk.kind, method, args), **kwargs}
            index = self.index_arg(sdk.service, op, params, site.whole)
            prefix = self.key_prefix_arg(sdk.service, params)
            self._boto3_record(sdk, op, self.resource_arg(params), loc, index=index, key_prefix=prefix)
            return self.sdk_request(sdk.service, op, params, loc, method, self.line_text(loc))
        if sdk.kind == "paginator":
            if method == "paginate" and sdk.operation:
                self._boto3_record(sdk, sdk.operation, self.resource_arg(kwargs), loc, via="paginator")
            return UNKNOWN
        if sdk.kind == "bucket-objects":
            if method in ("all", "filter", "limit", "page_size", "delete"):
                self._boto3_record(sdk, "DeleteObjects" if method == "delete" else "ListObjects", UNKNOWN, loc, via="resource")
            return Val(sdk=sdk) if method != "delete" else UNKNOWN
        table = tables.resource_methods.get(sdk.kind)
        if table is not None:
            if sdk.kind == "bucket" and method == "Object":  # the bucket's parameters, then the object's key
                ids = tables.resource_identifiers
                names = ids.get("Object", ())[len(ids.get("Bucket", ())):]
                return Val(sdk=replace(sdk, kind="object", request=sdk.request + resource_request(names, args, kwargs)))
            op = table.get(method) or (boto3_operation(sdk.service, method) if sdk.kind == "table" else None)
            if op:
                index = self.index_arg(sdk.service, op, kwargs, site.whole)
                self._boto3_record(sdk, op, Val(const=sdk.resource, env=sdk.resource_env), loc, via="resource", index=index)
                if method == "batch_writer":
                    return Val(sdk=replace(sdk, kind="batch-writer"))
                params = {**dict(sdk.request), **self.positional_params(sdk.kind, method, args), **kwargs}
                return self.sdk_request(sdk.service, op, params, loc, method, self.line_text(loc))
        return UNKNOWN

    def positional_params(self, kind: str, method: str, args: list[Val]) -> dict[str, Val]:
        """The request parameters a boto3 S3 transfer helper takes by position (download_file(b, k, "/tmp/" + k))."""
        names = self.interp.sdk_tables.file_parameters.get(kind, {}).get(method, ())
        return dict(zip(names, args))

    def _boto3_record(self, sdk: SdkObj, op: str, res: Val, loc: Loc, via: str | None = None, index: str | None = None,
                      key_prefix: str | None = None) -> None:
        resource = res.const if res.const is not None else (sdk.resource if res is UNKNOWN else None)
        env = res.env if res.env is not None else (sdk.resource_env if res is UNKNOWN else None)
        self.record(sdk, op, resource, env, loc, via or sdk.kind, index, key_prefix)

    # ---- aws-sdk v2 / v3 -----------------------------------------------------------------------------------

    def js_sdk_new(self, qual: str, args: list[Val], loc: Loc) -> Val | None:
        pkg, _, name = qual.rpartition(".")
        sdk: SdkObj | None = None
        # new S3Client({credentials: …}) / new AWS.S3({accessKeyId: …}): not the execution role's credentials
        explicit = bool(args) and explicit_credentials(k for k, _ in args[0].items or ())
        if qual.startswith("aws-sdk"):
            if qual in ("aws-sdk", "aws-sdk.default"):
                return None
            parts = qual.split(".")
            if parts[0].startswith("aws-sdk/clients/"):
                service = v2_service(parts[0].rsplit("/", 1)[1].replace("-", ""))
                cls = parts[0].rsplit("/", 1)[1]
                rest = parts[1:]
            else:
                rest = parts[1:]
                if rest and rest[0] == "default":
                    rest = rest[1:]
                if not rest:
                    return None
                cls = rest[0]
                rest = rest[1:]
                service = v2_service(cls)
            if service is None:
                return None
            if rest and rest[-1] == "DocumentClient":
                sdk = SdkObj("dynamodb", "document-client", "aws-sdk-v2", explicit_credentials=explicit)
            elif not rest:
                sdk = SdkObj(service, "client", "aws-sdk-v2", explicit_credentials=explicit)
            else:
                return None
            self.client_created(f"new AWS.{cls}()", loc)
            return Val(sdk=sdk)
        if pkg.startswith("@aws-sdk/"):
            service = v3_service(pkg)
            if service is None:
                return None
            if name.endswith("Command"):
                base = name[: -len("Command")]
                op = LIB_DYNAMODB.get(base, base) if pkg == "@aws-sdk/lib-dynamodb" else base
                params = args[0] if args else UNKNOWN
                request = dict(params.items or ())
                res = self.resource_arg(request)
                self._js_whole_request(service, op, params, loc)
                self.sdk_request(service, op, request, loc, name, "")
                # the command remembers what its result holds when the event chose it (GetObjectCommand of the event's key)
                second = self.second_order(service, op, request, loc, self.line_text(loc))
                return Val(sdk=SdkObj(service, "command", "aws-sdk-v3", res.const, res.env, op, source=second))
            if name.endswith("Client") or pkg != "@aws-sdk/lib-dynamodb":
                kind = "client" if name.endswith("Client") else "aggregated"
                if pkg == "@aws-sdk/lib-dynamodb":
                    kind = "document-client"
                self.client_created(f"new {name}()", loc)
                return Val(sdk=SdkObj(service, kind, "aws-sdk-v3", explicit_credentials=explicit))
        return None

    def js_sdk_function(self, qual: str, args: list[Val], loc: Loc) -> Val | None:
        pkg, _, name = qual.rpartition(".")
        if (pkg == "@aws-sdk/lib-dynamodb.DynamoDBDocumentClient" and name == "from") or \
                (pkg == "@aws-sdk/lib-dynamodb.DynamoDBDocument" and name == "from"):
            kind = "document-client" if pkg.endswith("DocumentClient") else "aggregated-document"
            explicit = bool(args) and args[0].sdk is not None and args[0].sdk.explicit_credentials
            return Val(sdk=SdkObj("dynamodb", kind, "aws-sdk-v3", explicit_credentials=explicit))
        if pkg.startswith("@aws-sdk/client-") and name.startswith("paginate"):
            service = v3_service(pkg)
            if service:
                res = self.resource_arg(dict(args[1].items or ())) if len(args) > 1 else UNKNOWN
                self.out.sdk(SdkCall(service, name[len("paginate") :], res.const, res.env, loc, "aws-sdk-v3", "paginator"))
            return UNKNOWN
        return None

    def js_send(self, cmd: SdkObj, loc: Loc, client: SdkObj | None = None) -> Val:
        if not cmd.operation:
            return UNKNOWN
        explicit = client is not None and client.explicit_credentials
        self.record(replace(cmd, explicit_credentials=explicit), cmd.operation, cmd.resource, cmd.resource_env, loc, "client")
        if cmd.source is not None:
            return Val(taint=cmd.source)  # s3.send(new GetObjectCommand({Key: event key})): the object is the uploader's
        return self.sdk_result(cmd.service, cmd.operation, {}, loc, "")

    def js_sdk_method(self, sdk: SdkObj, method: str, args: list[Val], loc: Loc) -> Val:
        if method in self.interp.sdk_tables.signed_methods:  # s3.getSignedUrl('putObject', …): used by whoever has the URL
            if not sdk.explicit_credentials:
                self.out.signed.add(loc)
            return UNKNOWN
        if method == "send":
            if args and args[0].sdk is not None and args[0].sdk.kind == "command":
                return self.js_send(args[0].sdk, loc, sdk)
            self.out.dynamic_sdk.add(loc)
            return UNKNOWN
        if method in JS_CLIENT_NON_CALLS:
            return Val(sdk=sdk) if method == "config" else UNKNOWN
        params = args[0] if args else UNKNOWN
        if sdk.kind in ("document-client", "aggregated-document"):
            op = self.interp.sdk_tables.document_client.get(method)
            if op is None and sdk.kind == "aggregated-document":
                op = v2_operation(method)
        elif sdk.kind in ("client", "aggregated") and (sdk.sdk == "aws-sdk-v2" or sdk.kind == "aggregated"):
            op = v2_operation(method)
        else:
            return UNKNOWN
        if op is None:
            return UNKNOWN
        if method == "upload" and sdk.service == "s3":
            op = "PutObject"
        request = dict(params.items or ())
        res = self.resource_arg(request)
        self.record(sdk, op, res.const, res.env, loc, sdk.kind)
        self._js_whole_request(sdk.service, op, params, loc)
        return self.sdk_request(sdk.service, op, request, loc, method, self.line_text(loc))

    def _js_whole_request(self, service: str, op: str, params: Val, loc: Loc) -> None:
        """A whole DynamoDB request parsed from the event (docClient.query(JSON.parse(event.body)))."""
        if service == "dynamodb" and params.taint is not None and params.taint.parsed and params.items is None:
            self.out.flow("nosql", params.taint, f"DynamoDB {op}(request from event data)", loc, self.handler)
