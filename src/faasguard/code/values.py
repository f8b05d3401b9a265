"""Abstract values shared by the Python and JavaScript interpreters, and the collector of facts.

Neither interpreter runs code. They walk the syntax tree once per analysis
context (the handler with its event parameter tainted, or any other function
with unknown parameters) and give each expression an abstract :class:`Val`:
what it may hold that matters for security — attacker-controlled data
(:class:`Taint`, with the path it took), an AWS SDK client and the resource it
is bound to, a literal, an environment variable, a secret, or the dotted name of
the imported thing it is (``subprocess.run``), which is how sinks are recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from faasguard.code.facts import AuthCheck, FlowStep, LogLeak, PerInvocation, SdkCall, TaintFlow
from faasguard.code.modeldata import source_label
from faasguard.model import Loc

MAX_STEPS = 12

SECRET_NAME = re.compile(
    r"(?i)(passw(or)?d|passwd|pwd|secret|token|api_?key|apikey|private_?key|credential|auth_?key|access_?key|signing_?key)"
)
NOT_SECRET_NAME = re.compile(
    r"(?i)(_?(arn|name|id|url|uri|path|file|env|var|param|length|len|type|header|field|prefix)$|^is_|^has_)"
)


def secret_like_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) and not NOT_SECRET_NAME.search(name)


@dataclass(frozen=True, slots=True)
class Taint:
    source: str  # e.g. event["queryStringParameters"]["url"]
    loc: Loc
    steps: tuple[FlowStep, ...] = ()
    parsed: bool = False  # parsed from JSON: may be an object such as {"$ne": null}
    whole: bool = False  # the whole event object
    cleaned: frozenset[str] = frozenset()  # sink kinds a sanitizer made it safe for (shlex.quote: shell)

    def step(self, loc: Loc, note: str) -> Taint:
        if len(self.steps) >= MAX_STEPS or (self.steps and self.steps[-1].loc == loc):
            return self
        return Taint(self.source, self.loc, (*self.steps, FlowStep(loc, note[:120])), self.parsed, self.whole, self.cleaned)


@dataclass(frozen=True, slots=True)
class SdkObj:
    service: str
    kind: str  # client | resource | table | bucket | object | queue | topic | paginator | bucket-objects | document-client
    sdk: str
    resource: str | None = None
    resource_env: str | None = None
    operation: str | None = None  # for paginators
    explicit_credentials: bool = False  # built with credentials of its own, not the execution role's
    source: Taint | None = None  # a command whose result is second-order data (GetObjectCommand of the event's key)
    request: tuple[tuple[str, Val], ...] = ()  # request parameters a boto3 resource stands for (s3.Object(b, k))


@dataclass(frozen=True, slots=True)
class Val:
    taint: Taint | None = None
    const: str | None = None
    env: str | None = None  # environment variable name
    qual: str | None = None  # dotted name of an imported module/function, "()" marks a call result
    sdk: SdkObj | None = None
    secret: str | None = None  # why it holds a secret
    built: bool = False  # a string assembled by concatenation/formatting
    func: object | None = None  # a local function reference (language-specific)
    items: tuple[tuple[str, Val], ...] | None = None  # object/dict literal members, when known
    prefix: str | None = None  # the constant start of a built string ("https://api.example/" + path)

    def with_taint(self, taint: Taint | None) -> Val:
        # dataclasses.replace, spelled out: this runs for every tainted assignment and costs three times less so
        return Val(taint, self.const, self.env, self.qual, self.sdk, self.secret, self.built, self.func, self.items,
                   self.prefix)


UNKNOWN = Val()


def join(*vals: Val) -> Val:
    """The value of an expression built from several parts: tainted if any part is, safe only for what all are."""
    tainted = [v.taint for v in vals if v.taint is not None]
    taint = tainted[0] if tainted else None
    if len(tainted) > 1 and taint is not None and taint.cleaned:
        cleaned = taint.cleaned.intersection(*(t.cleaned for t in tainted[1:]))
        if cleaned != taint.cleaned:
            taint = replace(taint, cleaned=cleaned)
    secret = next((v.secret for v in vals if v.secret), None)
    first = vals[0] if vals else UNKNOWN
    prefix = first.const if first.const is not None else first.prefix
    if first.const is not None and _IN_AUTHORITY.match(first.const):
        prefix = _url_head(first.const, vals[1:])
    return Val(taint=taint, secret=secret, built=True, prefix=prefix)


# A URL still in its scheme://host part: no "/", "?" or "#" after the "://" yet.
_IN_AUTHORITY = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*$")


def _url_head(text: str, rest: tuple[Val, ...]) -> str:
    """The start of a URL built from parts, with the parts of its host the caller does not control (an untainted
    variable: f"https://cognito-idp.{region}.amazonaws.com/{pool}") written as a placeholder label, so that a fixed
    host is seen as fixed; it stops at the first tainted part or once the host has ended."""
    for val in rest:
        if not _IN_AUTHORITY.match(text) or val.taint is not None:
            break
        text += val.const if val.const is not None else "h"
    return text


def whole_join(vals: list[Val]) -> Val:
    """:func:`join`, keeping the whole-event mark when the whole event is one of the parts (str(event), f"{event}")."""
    out = join(*vals)
    whole = next((v.taint for v in vals if v.taint is not None and v.taint.whole), None)
    return replace(out, taint=whole) if whole is not None else out


def cleaned(val: Val, kinds: frozenset[str]) -> Val:
    """The value after a sanitizer for ``kinds`` ("*": every kind)."""
    if "*" in kinds:
        return UNKNOWN
    if val.taint is None:
        return val
    return val.with_taint(replace(val.taint, cleaned=val.taint.cleaned | kinds, whole=False))


@dataclass
class Collector:
    """Facts found while analysing one function's files (deduplicated by location)."""

    sdk_calls: dict[tuple[Loc, str, str], SdkCall] = field(default_factory=dict)
    dynamic_sdk: set[Loc] = field(default_factory=set)
    signed: set[Loc] = field(default_factory=set)  # the role used outside a recorded SDK request (pre-signed URL, SigV4)
    flows: dict[tuple[Loc, str], TaintFlow] = field(default_factory=dict)
    log_leaks: dict[tuple[Loc, str], LogLeak] = field(default_factory=dict)
    per_invocation: dict[tuple[Loc, str], PerInvocation] = field(default_factory=dict)
    prints: set[Loc] = field(default_factory=set)
    structured: bool = False
    auth: dict[Loc, AuthCheck] = field(default_factory=dict)

    def sdk(self, call: SdkCall) -> None:
        key = (call.loc, call.service, call.operation)
        old = self.sdk_calls.get(key)
        if old is None or (old.resource is None and old.resource_env is None):
            self.sdk_calls[key] = call

    def flow(self, kind: str, taint: Taint, sink: str, loc: Loc, handler: str | None) -> None:
        if kind in taint.cleaned:
            return
        key = (loc, kind)
        if key not in self.flows or len(self.flows[key].steps) > len(taint.steps):
            self.flows[key] = TaintFlow(kind, source_label(taint.source), taint.loc, sink, loc, taint.steps, handler)

    def leak(self, leak: LogLeak) -> None:
        self.log_leaks.setdefault((leak.loc, leak.kind), leak)

    def invocation(self, item: PerInvocation) -> None:
        self.per_invocation.setdefault((item.loc, item.kind), item)
