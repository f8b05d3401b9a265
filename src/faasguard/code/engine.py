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
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from faasguard.code.facts import AuthCheck, LogLeak, PerInvocation
from faasguard.code.modeldata import bundled
from faasguard.code.reach import ModuleUnits, identifiers, reachable
from faasguard.code.sdk_calls import TEMPORARY_CREDENTIALS, SdkSteps, SdkTables, explicit_credentials, sdk_attribute, sdk_tables
from faasguard.code.taint_model import CallSite, Models, html_response, models, trusted_source, verifiers
from faasguard.code.values import UNKNOWN, Collector, Taint, Val, cleaned, secret_like_name, whole_join
from faasguard.model import Loc

__all__ = ["PATH_ONLY", "SSRF_ONLY", "TEMPORARY_CREDENTIALS", "Engine", "SdkTables", "Tables", "Walker", "explicit_credentials",
           "parsed", "sdk_attribute", "sdk_tables", "tables"]

SSRF_ONLY = frozenset({"ssrf"})
PATH_ONLY = frozenset({"path"})


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
    getters: frozenset[str]  # event.get("body"): one member by name
    get_access: str  # how such a read is written in a source ('["{}"]', '.get("{}")')
    builders: frozenset[str]  # methods that assemble a string from a tainted receiver
    templates: frozenset[str]  # "{}".format(x): a constant receiver filled with the arguments
    joiners: frozenset[str]  # ",".join(parts): the arguments joined
    env_getters: frozenset[str]  # os.getenv("NAME")
    environ: frozenset[str]  # os.environ / process.env
    attribute_getters: frozenset[str]  # getattr(client, "op")
    stringify: frozenset[str]  # json.dumps / JSON.stringify
    whole_keepers: frozenset[str]  # str(event): still the whole event
    pass_prefixes: tuple[str, ...]  # os.path., path.: functions that return (part of) their argument
    identity_wrappers: frozenset[str]  # util.promisify(f) is f
    guard_calls: frozenset[str]
    guard_prefixes: tuple[str, ...]
    receiver_guards: frozenset[str]  # guard calls that test their receiver only (url.startsWith(…))
    host_prefix_calls: frozenset[str]
    host_attributes: frozenset[str]
    case_folds: frozenset[str]
    cache_decorators: frozenset[str]
    sdk_modules: tuple[str, ...]  # a file that names none of these makes no AWS SDK call
    parsed_members: frozenset[str]  # request.json / get_json(): the parsed body, may be an object ({"$ne": null})
    mutators: frozenset[str]  # parts.append(x): the argument goes into the receiver
    context_params: frozenset[str]  # a handler's first parameter that is the platform's context, not the event
    sdk_wrappers: frozenset[str]  # AWSXRay.captureAWSClient(client): the same client, traced
    number_members: frozenset[str]  # members read as a number (items.length): the data stops
    partials: frozenset[str]  # functools.partial(f, *args, **kwargs): f, with those arguments bound
    handler_registrations: frozenset[str]  # functions.http("name", fn): fn is the handler "name" (GCP Node)
    slash_removers: frozenset[str]  # key.replace("/", ""): no "/" is left, the value cannot leave a directory
    slash_splitters: frozenset[str]  # key.split("/")[-1]: a piece holds no "/" (Python subscripts)


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
                  names("route_decorators"), names("route_methods"), prefixes("web_apps"), prefixes("web_wrappers"),
                  names("getters"), str(raw.get("get_access", '["{}"]')), names("builders"), names("templates"),
                  names("joiners"), names("env_getters"), names("environ"), names("attribute_getters"), names("stringify"),
                  names("whole_keepers"), prefixes("pass_prefixes"), names("identity_wrappers"), names("guard_calls"),
                  prefixes("guard_prefixes"), names("receiver_guards"), names("host_prefix_calls"),
                  names("host_attributes"), names("case_folds"), names("cache_decorators"),
                  prefixes("sdk_modules"), names("parsed_members"), names("mutators"),
                  names("context_params"), names("sdk_wrappers"), names("number_members"),
                  names("partials"), names("handler_registrations"), names("slash_removers"), names("slash_splitters"))


@dataclass(frozen=True)
class Guard:
    """What an ``if`` test says about names, as the adapter read it from the syntax (see the adapters' ``guards``)."""

    inside: frozenset[str] = frozenset()  # clean inside the body: if x in ALLOWED
    hosts_inside: frozenset[str] = frozenset()  # URLs whose host the test fixes, inside the body
    after: frozenset[str] = frozenset()  # clean after a body that bails out: if x not in ALLOWED: return
    hosts_after: frozenset[str] = frozenset()
    lazy: bool = False  # if client is None: set-up in the body is done once, not per invocation


NO_GUARD = Guard()


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

    def call_function(self, func: Any, args: list[Val], kwargs: dict[str, Val], handler: str | None, depth: int,
                      in_handler: bool) -> Val:
        """Walk a function of the code with these arguments (the adapter binds its parameters)."""
        raise NotImplementedError

    def reachable(self) -> set[int] | None:
        """Ids of the functions the handler can reach (None: no handler, every function counts)."""
        if self.handler_text is None:
            return None
        return reachable(identifiers(self.handler_text), self.units())


class Walker(SdkSteps):
    """One function body (or module body) being walked; the adapters subclass it with their syntax."""

    interp: Engine

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
        self.globals_declared: set[str] = set()  # `global x`: assignments go to the module's names
        self.derived: dict[str, str] = {}  # host = urlparse(url).hostname: host → url (an allow-list of host vouches)

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
        html = html_response(val, self.interp.language == "python") if self.in_handler and self.depth == 0 and val.items \
            else None
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

    def enter_if(self, guard: Guard) -> dict[str, Val]:
        """Before an if's body: what its test vouches for holds inside (returns what :meth:`leave_if` restores)."""
        saved = self.vouch(guard.inside)
        saved.update({name: self.env[name] for name in guard.hosts_inside if name in self.env})
        self.clean(guard.hosts_inside, SSRF_ONLY)
        self.lazy += guard.lazy
        return saved

    def leave_if(self, guard: Guard, saved: Mapping[str, Val]) -> None:
        self.lazy -= guard.lazy
        self.unvouch(saved)

    def after_if(self, guard: Guard, bails: bool) -> None:
        """After the whole if: a body that bails out (return, raise, continue, break) leaves the test's opposite true."""
        if bails:
            self.clean(guard.after)
            self.clean(guard.hosts_after, SSRF_ONLY)

    # ---- names and members ---------------------------------------------------------------------------------

    def set_name(self, name: str, val: Val) -> None:
        self.env[name] = val
        if self.is_module or name in self.globals_declared:
            self.interp.globals[self.mod.path][name] = val

    def bind_name(self, name: str, val: Val, loc: Loc | None, snippet: str) -> None:
        """``name = val`` (also a parameter or a destructured part): the flow's step, and a name that says secret."""
        if val.taint is not None and loc is not None:
            val = val.with_taint(val.taint.step(loc, snippet))
        if val.secret is None and val.taint is None and val.const is None and val.func is None and val.sdk is None \
                and secret_like_name(name):
            val = replace(val, secret=f"variable {name}")
        self.set_name(name, val)

    def set_member(self, base: str, key: str | None, val: Val, loc: Loc | None, snippet: str) -> None:
        """``base[key] = val`` / ``base.key = val``: a known object's members stay known, and event data put into
        an object makes the object carry it."""
        old = self.env.get(base)
        if loc is not None and (old is None or key is None or old.items is None):
            self.lost_sdk(val, loc)  # self.table = boto3.resource(…).Table(…): not followed into the object
        if old is None:
            return
        if key is not None and old.items is not None:  # response["body"] = html
            old = self.env[base] = replace(old, items=(*((k, v) for k, v in old.items if k != key), (key, val)))
        if val.taint is not None and old.taint is None and loc is not None:
            self.env[base] = old.with_taint(val.taint.step(loc, snippet))

    def lost_sdk(self, val: Val, loc: Loc) -> None:
        """An SDK object stored or passed where the walk stops following it (``this.db = client``, ``wrap(client)``):
        the requests made through it are not seen, so least privilege must say "incomplete", never "never uses"."""
        if val.sdk is not None and val.sdk.kind != "command" and val.qual is None:  # not table.name, client.method
            self.out.dynamic_sdk.add(loc)

    # ---- calls ---------------------------------------------------------------------------------------------

    def call_facts(self, site: CallSite, loc: Loc, auth: AuthCheck | None = None, shown: str | None = None,
                   tainted: bool = True) -> None:
        """What a call to an import does besides returning a value: model sinks, set-up per invocation, and what it
        says about the caller (``auth``: a verification, or a token read without one; the adapter decides from the
        call's syntax). ``shown`` is how the call is written, when the models know it under another name."""
        interp = self.interp
        if tainted and interp.models.may_sink(site.qual, site.method):  # no event data in the call: no flow
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

    # ---- the call step: what a call means once the adapter has evaluated its parts -------------------------------

    def logger_wrapper(self, receiver_name: str, site: CallSite, loc: Loc) -> bool:
        """``logger = AppLogger(); logger.info("x", event)``: a method of the code's own logger class is a log call
        (reported where it is made, not inside the wrapper)."""
        t = self.interp.tables
        if site.method not in t.log_methods or receiver_name.lower() not in t.logger_names:
            return False
        self.log_call(None, Val(qual=receiver_name), site.method, [*site.args, *site.kwargs.values(), *site.splat], loc)
        return True

    def call_local(self, func: object, site: CallSite, loc: Loc, arg_note: str, kw_note: str) -> Val:
        """A call of a function of the code itself: walk it with these arguments (or reuse its summary)."""
        args, kwargs = site.args, site.kwargs
        if self.depth >= self.interp.MAX_DEPTH:
            return whole_join(args + list(kwargs.values())) if any(a.taint for a in args) else UNKNOWN
        stepped = [a.with_taint(a.taint.step(loc, arg_note)) if a.taint else a for a in args]
        stepped_kw = {k: v.with_taint(v.taint.step(loc, kw_note)) if v.taint else v for k, v in kwargs.items()}
        return self.interp.call_function(func, stepped, stepped_kw, self.handler, self.depth + 1, self.in_handler)

    def callback_feed(self, site: CallSite, methods_only: bool) -> Val:
        """What a function passed to this call receives: map(f, hosts) and hosts.map(f) feed f the items of hosts.

        ``methods_only``: only the table's methods feed their receiver (JavaScript), not any call on tainted data."""
        t = self.interp.tables
        feed = None
        if not methods_only and (site.qual in t.callbacks or site.qual is None):
            feed = next((v for v in site.args if v.taint is not None), None)
        receiver = site.receiver
        if feed is None and receiver is not None and receiver.taint is not None and (
                not methods_only or site.method in t.callbacks):
            feed = receiver
        return Val(taint=feed.taint) if feed is not None else UNKNOWN

    def is_route(self, site: CallSite) -> bool:
        """app.get("/x", (req, res) => …): the function is a route of a web app, called with the request."""
        t = self.interp.tables
        rq = site.receiver.qual if site.receiver is not None else None
        return site.method in t.route_methods and rq is not None and rq.startswith(t.web_apps)

    def verify(self, label: str | None, qual: str | None, site: CallSite, loc: Loc) -> AuthCheck | None:
        """What a verifier call says about the caller (the adapter reads its options from the syntax)."""
        return None

    def run_callbacks(self, site: CallSite) -> None:
        """Walk the functions passed to a call that is not the SDK's (the adapter knows its function values)."""

    def call_site(self, site: CallSite, loc: Loc) -> Val:
        """Every call that is not a function of the code: the SDK, sinks, logging, verifiers, and what it returns."""
        made = self.sdk_call(site, loc)
        if made is not None:
            return made
        interp, t = self.interp, self.interp.tables
        qual, receiver, method, args = site.qual, site.receiver, site.method, site.args
        if qual in t.attribute_getters and args and args[0].sdk is not None:  # getattr(client, "get_object")
            if len(args) > 1 and args[1].const is not None:
                return Val(sdk=args[0].sdk, qual=f"sdk.{args[1].const}")
            self.out.dynamic_sdk.add(loc)
            return UNKNOWN
        every = [*args, *site.kwargs.values(), *site.splat]
        normal = interp.models.normal(qual) if qual else None
        if normal is not None and interp.sdk_tables.signs_outside_sdk(interp.language, normal):
            self.out.signed.add(loc)  # AWSV4SignerAuth(…), getSignedUrl(client, new PutObjectCommand(…)), aws4.sign(…)
        self.log_call(qual, receiver, method, every, loc)
        label = interp.verifiers.get(normal or "") or interp.verifiers.get(site.callee.qual or "")
        check = self.verify(label, normal, site, loc) if self.handler is not None else None
        tainted = (receiver is not None and receiver.taint is not None) or any(v.taint is not None for v in every)
        self.call_facts(site if normal == qual else replace(site, qual=normal), loc, check, qual, tainted)
        self.run_callbacks(site)
        if check is not None and not check.verified:  # jwt.decode(t, verify_signature=False): the caller wrote the claims
            token = next((v.taint for v in [*every, receiver] if v is not None and v.taint is not None), None)
            if token is not None:
                return Val(taint=replace(token, parsed=True))
        if qual in t.env_getters and args and args[0].const is not None:
            return self.env_val(args[0].const)
        out = self.returned_by(site, every, loc)
        if out.sdk is None and loc not in self.out.signed:  # AWSXRay.captureAWSClient(client), Repo(client): lost
            for val in every:
                self.lost_sdk(val, loc)
        return out

    def returned_by(self, site: CallSite, every: list[Val], loc: Loc) -> Val:
        """What a call that is not a function of the code returns: sanitizers, pass-through, string methods."""
        interp, t = self.interp, self.interp.tables
        qual, receiver, method, args = site.qual, site.receiver, site.method, site.args
        clean = interp.models.sanitized(qual, every)
        if clean is not None:
            return clean
        if qual is not None and qual.rsplit(".", 1)[-1] in t.identity_wrappers and args and (args[0].qual or args[0].func):
            return args[0]  # util.promisify(exec) is exec
        if qual is not None and qual.rsplit(".", 1)[-1] in t.sdk_wrappers and args and args[0].sdk is not None:
            return args[0]  # AWSXRay.captureAWSv3Client(new DynamoDB({})) is that client, traced
        if qual in t.stringify and args and args[0].items is not None and not (args[0].taint and args[0].taint.whole):
            return Val(qual=f"{qual}()", secret=args[0].secret)
        passes = interp.models.pass_through
        if qual is not None and passes.get(interp.models.normal(qual)):  # json.loads: may be an object ({"$ne": null})
            taint = args[0].taint if args else None
            return Val(taint=replace(taint, parsed=True) if taint else None, secret=args[0].secret if args else None)
        if receiver is not None and method is not None and (receiver.taint is not None or (
                receiver.secret and (method in t.string_methods or not t.string_methods))):
            if method in t.getters and args and receiver.taint is not None and args[0].const is not None:
                if receiver.items is not None:
                    found = next((v for k, v in receiver.items if k == args[0].const), None)
                    if found is not None:
                        return found
                return self.field(receiver.taint, t.get_access.format(args[0].const), loc)
            if method in t.predicates:
                return UNKNOWN
            if method in t.slash_removers and len(args) == 2 and args[0].const == "/" and args[1].const is not None \
                    and "/" not in args[1].const and receiver.taint is not None:  # key.replace("/", "-")
                return cleaned(Val(taint=receiver.taint, built=True), PATH_ONLY)
            if method in t.parsed_members and receiver.taint is not None:  # request.get_json(): may be {"$ne": null}
                return parsed(Val(taint=receiver.taint))
            built = method in t.builders
            if receiver.taint is not None and receiver.taint.whole and method not in t.string_methods:
                part = self.field(receiver.taint, f".{method}(…)", loc)  # current_event.get_header_value(…): a part
                return Val(taint=part.taint, built=built)
            return Val(taint=receiver.taint, secret=receiver.secret, built=built, prefix=receiver.prefix if built else None)
        if receiver is not None and method in t.getters and receiver.items is not None and receiver.taint is None \
                and constant_items(receiver):
            return UNKNOWN  # SORT_COLUMNS.get(event["sort"], "created_at"): one of the table's own values
        if receiver is not None and receiver.const is not None and (method in t.templates or method in t.joiners):
            return whole_join([receiver, *every] if method in t.templates else every)
        if qual is None or qual in passes or qual.startswith(t.pass_prefixes):
            tainted = next((v for v in every if v.taint is not None), None)
            if tainted is not None and tainted.taint is not None:
                whole = tainted.taint.whole and (qual is None or qual in t.whole_keepers)
                return Val(taint=replace(tainted.taint, whole=whole), built=qual is None or qual not in passes,
                           prefix=tainted.prefix)
            secret = next((v.secret for v in every if v.secret), None)
            if secret:
                return Val(secret=secret)
        if receiver is not None and receiver.qual == TEMPORARY_CREDENTIALS and method in t.getters:
            return receiver
        if site.callee.qual is not None:
            return Val(qual=site.callee.qual + ("" if site.new else "()"))
        return UNKNOWN

    # ---- members: attributes, subscripts, the environment --------------------------------------------------------

    def source(self, qual: str, loc: Loc) -> Val | None:
        """flask.request and the like (source rows): attacker data wherever a route reads it."""
        if qual in self.interp.models.sources:
            return Val(taint=Taint(qual.rsplit(".", 1)[-1], loc, whole=True))
        return None

    def env_val(self, name: str) -> Val:
        return Val(env=name, secret=f"environment variable {name}" if secret_like_name(name) else None)

    def access(self, taint: Taint, text: str, loc: Loc) -> Taint:
        """event["body"] → a taint whose source names the most specific part of the event read here."""
        if taint.whole:
            return Taint(taint.source + text, loc, taint.steps, parsed=taint.parsed)
        if not taint.steps and taint.loc.line == loc.line and taint.loc.path == loc.path:
            return replace(taint, source=taint.source + text)
        return taint

    def field(self, taint: Taint, text: str, loc: Loc) -> Val:
        """event["body"]: tainted, except for fields the platform writes (event["methodArn"])."""
        out = self.access(taint, text, loc)
        if trusted_source(out.source):  # also in a helper the event was passed to
            return UNKNOWN
        return Val(taint=out)


def parsed(val: Val) -> Val:
    """The value as parsed JSON: it may be an object such as {"$ne": null}."""
    return val.with_taint(replace(val.taint, parsed=True)) if val.taint is not None else val


def constant_items(val: Val) -> bool:
    return bool(val.items) and all(v.const is not None for _, v in val.items or ())
