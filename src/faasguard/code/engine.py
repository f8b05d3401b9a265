"""The taint engine both language adapters share: what a walk does at a call, a return, a branch and an SDK request.

The adapters (:mod:`faasguard.code.python` on :mod:`ast`, :mod:`faasguard.code.javascript`
on tree-sitter) read their syntax and give each expression an abstract
:class:`~faasguard.code.values.Val`. Everything that does not depend on the syntax
lives here, once:

- :class:`Engine` (one per function's code): the files and their globals, the call
  memo — a function is walked once per *shape* of its arguments, and later calls
  with the same shape reuse its summary (the returned value), so the cost stays
  linear in the code's size — and per-handler reachability.
- :class:`Walker` (one per function body being walked): the environment, the facts a
  call produces once the adapter has evaluated it (model sinks, verifiers, logging,
  per-invocation set-up), the AWS SDK request step (query sinks, DynamoDB
  expressions, secrets, assumed-role credentials, second-order sources), the HTML
  response check on return, and the merges of alternative branches and allow-list
  guards.

What the engine looks names up in is data: the sink/sanitizer/pass/source rows and
the per-language ``[tables]`` of ``data/taint/<language>.toml``, and the SDK tables of
``data/taint/shared.toml`` (:func:`tables`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from faasguard.code.facts import AuthCheck, LogLeak, PerInvocation, SdkCall
from faasguard.code.modeldata import bundled
from faasguard.code.reach import ModuleUnits, identifiers, reachable
from faasguard.code.taint_model import CallSite, Models, html_response, models, sdk_sinks, sdk_source, shared, verifiers
from faasguard.code.values import UNKNOWN, Collector, SdkObj, Taint, Val, cleaned
from faasguard.model import Loc
from faasguard.secret_patterns import shannon_entropy

SSRF_ONLY = frozenset({"ssrf"})


@dataclass(frozen=True)
class Tables:
    """The ``[tables]`` of one language's model file: names the engine looks up."""

    string_methods: frozenset[str]  # a tainted receiver's method whose result carries the data on (Python)
    predicates: frozenset[str]  # methods whose result is a bool or a number: the data stops
    callbacks: frozenset[str]  # calls that run a function they are given on the items of a collection
    db_connect: frozenset[str]  # database connections (per invocation when made in the handler)
    log_libraries: tuple[str, ...]
    log_methods: frozenset[str]
    logger_names: frozenset[str]  # receivers named like a logger (logger.info(event))
    print_calls: frozenset[str]  # print / console.log: a plain line, not a structured log
    stream_writes: frozenset[str]  # sys.stdout.write: a log call that is not a print
    structured_dumps: frozenset[str]  # print(json.dumps({...})) is a structured log line
    subscript_clients: tuple[str, ...]  # client["db"]["collection"] stays a client of this module
    route_decorators: frozenset[str]
    route_methods: frozenset[str]
    web_apps: tuple[str, ...]
    web_wrappers: tuple[str, ...]


@cache
def tables(language: str) -> Tables:
    raw: dict[str, Any] = bundled(f"{language}.toml").get("tables", {})

    def names(key: str) -> frozenset[str]:
        return frozenset(raw.get(key, ()))

    def prefixes(key: str) -> tuple[str, ...]:
        return tuple(raw.get(key, ()))

    return Tables(names("string_methods"), names("predicates"), names("callbacks"), names("db_connect"),
                  prefixes("log_libraries"), names("log_methods"), names("logger_names"), names("print_calls"),
                  names("stream_writes"), names("structured_dumps"), prefixes("subscript_clients"),
                  names("route_decorators"), names("route_methods"), prefixes("web_apps"), prefixes("web_wrappers"))


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
    document_client: dict[str, str]  # aws-sdk v2 DocumentClient get → GetItem
    signed_methods: frozenset[str]  # client.generate_presigned_url(…): the role used outside a recorded request
    signed_session_methods: frozenset[str]  # boto3.Session().get_credentials()
    signed_callables: dict[str, frozenset[str]]  # by language: AWSV4SignerAuth, aws4.sign, getSignedUrl(client, cmd)

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
        dict(doc["document_client"]),
        frozenset(doc["signed_outside_sdk"]["client_methods"]),
        frozenset(doc["signed_outside_sdk"]["session_methods"]),
        {lang: frozenset(doc["signed_outside_sdk"][lang]) for lang in ("python", "javascript")},
    )


TEMPORARY_CREDENTIALS = "<temporary credentials>"  # the qual of an sts.assume_role() result and of its members


def shape(val: Val) -> object:
    """What of an argument decides what a function does with it: the key of the call memo."""
    taint = val.taint
    return (taint is not None, taint.parsed if taint is not None else False, val.sdk, val.secret is not None, val.qual,
            val.const)


class Engine:
    """The analysis of one function's code: files, globals, the call memo, reachability (one per language adapter)."""

    MAX_DEPTH = 4
    language = ""
    param_format = "{}=…"  # how an SDK request parameter is written in a finding: Key=… (Python), Key: … (JavaScript)

    def __init__(self, load: Callable[[Path], Any], code_dir: Path | None, out: Collector) -> None:
        self.load = load
        self.code_dir = code_dir
        self.out = out
        self.files: dict[Path, Any] = {}
        self.globals: dict[Path, dict[str, Val]] = {}
        self.analysed: set[tuple[int, object]] = set()
        self.returns: dict[tuple[int, object], Val] = {}  # function summaries: what a call with this shape returns
        self.done: set[int] = set()  # functions walked in some context
        self.handler_text: str | None = None  # set by analyse_handler: analyse_rest then walks only what it reaches
        self.models: Models = models(self.language)
        self.verifiers = verifiers(self.language)
        self.tables = tables(self.language)
        self.sdk_tables = sdk_tables()

    def memo_key(self, node_id: int, args: Iterable[Val], kwargs: Mapping[str, Val], in_handler: bool,
                 closure: Mapping[str, Val] | None) -> tuple[int, object]:
        closed = tuple(sorted(k for k, v in closure.items() if v.taint is not None)) if closure else ()
        kw = tuple(sorted((k, shape(v)) for k, v in kwargs.items())) if kwargs else ()
        return node_id, (tuple(shape(a) for a in args), kw, in_handler, closed)

    def summary(self, key: tuple[int, object]) -> Val | None:
        """The value a call already walked with this shape returned (None: walk it now, and remember that)."""
        if key in self.analysed:
            return self.returns.get(key, UNKNOWN)
        self.analysed.add(key)
        self.done.add(key[0])
        return None

    def units(self) -> list[ModuleUnits]:
        return [mod.units() for mod in self.files.values()]

    def reachable(self) -> set[int] | None:
        """Ids of the functions the handler can reach (None: no handler, every function counts)."""
        if self.handler_text is None:
            return None
        return reachable(identifiers(self.handler_text), self.units())


class Walker:
    """One function body (or module body) being walked; the adapters subclass it with their syntax."""

    def __init__(self, interp: Engine, mod: Any, env: dict[str, Val], handler: str | None, depth: int,
                 is_module: bool = False, in_handler: bool = False) -> None:
        self.interp = interp
        self.mod = mod
        self.env = env
        self.handler = handler
        self.depth = depth
        self.is_module = is_module
        self.in_handler = in_handler
        self.returned: Val = UNKNOWN
        self.lazy = 0  # inside `if client is None:` – set-up done once, not per invocation

    @property
    def out(self) -> Collector:
        return self.interp.out

    @property
    def per_invocation(self) -> bool:
        """Set-up done here runs on every invocation (the handler's own body, not guarded by a lazy check)."""
        return self.in_handler and not self.lazy and not self.is_module

    # ---- returns and branches ------------------------------------------------------------------------------

    def give_back(self, val: Val, loc: Loc) -> None:
        """A return statement: the handler's HTML response (reflected XSS), and the function's summary value."""
        html = html_response(val) if self.in_handler and self.depth == 0 and val.items else None
        if html is not None and html.taint is not None:
            self.out.flow("xss", html.taint, "HTML response body (Content-Type: text/html)", loc, self.handler)
        if val.taint is not None or self.returned is UNKNOWN or val.sdk is not None:
            self.returned = val

    def tainted(self, names: Iterable[str]) -> dict[str, Val]:
        env = self.env
        return {name: env[name] for name in names if name in env and env[name].taint is not None}

    def merge(self, before: Mapping[str, Val]) -> None:
        """After an alternative (else, except, catch): a name tainted on the other path stays tainted."""
        for name, val in before.items():
            now = self.env.get(name)
            if now is None or now.taint is None:
                self.env[name] = val

    def vouch(self, names: Iterable[str]) -> dict[str, Val]:
        """Inside ``if x in ALLOWED:`` x is clean; returns what to :meth:`unvouch` after the body."""
        saved = {name: self.env[name] for name in names if name in self.env}
        for name, val in saved.items():
            self.env[name] = val.with_taint(None)
        return saved

    def unvouch(self, saved: Mapping[str, Val]) -> None:
        for name, old in saved.items():
            now = self.env.get(name)
            if now is not None and (now.taint is None or now.taint.cleaned) and now.with_taint(None) == old.with_taint(None):
                self.env[name] = old

    def clean(self, names: Iterable[str], kinds: frozenset[str] | None = None) -> None:
        """After ``if x not in ALLOWED: return`` x is clean (for ``kinds`` only: a checked host is safe to fetch)."""
        for name in names:
            if name in self.env:
                self.env[name] = self.env[name].with_taint(None) if kinds is None else cleaned(self.env[name], kinds)

    # ---- calls ---------------------------------------------------------------------------------------------

    def call_facts(self, site: CallSite, loc: Loc, auth: AuthCheck | None = None, shown: str | None = None) -> None:
        """What a call to an import does besides returning a value: model sinks, set-up per invocation, and what it
        says about the caller (``auth``: a verification, or a token read without one; the adapter decides from the
        call's syntax). ``shown`` is how the call is written, when the models know it under another name."""
        interp = self.interp
        if interp.models.may_sink(site.qual, site.method):
            for row, val, label in interp.models.sinks_for(site):
                self.out.flow(row.kind, val.taint, label, loc, self.handler)  # type: ignore[arg-type]
        qual = site.qual
        if qual is not None and self.per_invocation and (qual in interp.tables.db_connect or shown in interp.tables.db_connect):
            self.out.invocation(PerInvocation("db-connection", shown or qual, loc, self.handler or ""))
        if auth is not None and self.handler is not None:
            self.out.auth.setdefault(loc, auth)

    def log_call(self, qual: str | None, receiver: Val | None, method: str | None, vals: list[Val], loc: Loc) -> None:
        """print/console.log/logger.info: a plain line, and what it writes (the whole event, a secret)."""
        t = self.interp.tables
        name: str | None = None
        if qual in t.print_calls:
            name = qual
            if len(vals) == 1 and vals[0].qual in t.structured_dumps:
                self.out.structured = True  # print(json.dumps({...})) is a structured log line
            else:
                self.out.prints.add(loc)
        elif qual in t.stream_writes or (qual and "()" not in qual and qual.startswith(t.log_libraries)
                                         and qual.rsplit(".", 1)[-1] in t.log_methods):
            name = qual  # logging.info(event); a method of a logger object made by a call is logger.info below
        elif method in t.log_methods and receiver is not None and (
            (receiver.qual or "").startswith(t.log_libraries) or (receiver.qual or "").lower() in t.logger_names
        ):
            name = f"logger.{method}"
        if name is None:
            return
        for val in vals:
            if val.taint is not None and val.taint.whole:
                self.out.leak(LogLeak("whole-event", val.taint.source, name, loc))
            elif val.secret:
                self.out.leak(LogLeak("secret", val.secret, name, loc))

    # ---- AWS SDK -------------------------------------------------------------------------------------------

    def client_created(self, what: str, loc: Loc) -> None:
        if self.per_invocation:
            self.out.invocation(PerInvocation("sdk-client", what, loc, self.handler or ""))

    def record(
        self,
        sdk: SdkObj,
        op: str,
        resource: str | None,
        env: str | None,
        loc: Loc,
        via: str,
        index: str | None = None,
        key_prefix: str | None = None,
    ) -> None:
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


def explicit_credentials(keys: Iterable[str], splat: Iterable[Val] = ()) -> bool:
    """A client built with credentials of its own: keys such as aws_access_key_id/credentials, or ``**`` of them."""
    names = sdk_tables().credential_parameters
    if any(key in names for key in keys):
        return True
    return any(v.qual == TEMPORARY_CREDENTIALS or any(k in names for k, _ in v.items or ()) for v in splat)
