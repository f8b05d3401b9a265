"""Taint models as data: the rows of ``data/taint/*.toml`` and the one function that matches a call against them.

The interpreters (:mod:`faasguard.code.python`, :mod:`faasguard.code.javascript`)
know how values flow; these tables say where event data must not arrive (sinks),
what makes it safe for which kind of sink (sanitizers), what passes it on, and
which objects besides the event hold attacker data (sources). A row names its
callee by qualified name (import aliases are resolved by the interpreter) or by
method name, the argument by position *and* keyword, and an optional named
condition (``shell-true``, ``loader-not-safe`` …) that :func:`_holds` checks:
the condition is a feature of the row, not an ``if`` in the interpreter.

Users add rows for their own wrappers in ``.faasguard.yaml`` (``taint_models``,
see ``docs/taint-models.md``); they are merged with the bundled rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from faasguard.code.facts import TaintKind
from faasguard.code.modeldata import bundled, shared
from faasguard.code.values import UNKNOWN, Val, cleaned

LANGUAGES = ("python", "javascript")
SHELLS = frozenset(shared()["shell_programs"])
SHELL_FLAGS = frozenset(shared()["shell_flags"])
FIXED_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#{}$]+[/?#]")
HTML = re.compile(r"<[A-Za-z!/]")
CONDITIONS = {"shell-true", "shell-option", "loader-not-safe", "host-not-fixed", "receiver-is-path", "receiver-is-built-path",
              "receiver-not-sdk", "parsed", "parsed-query", "built", "not-a-function", "unsafe-yaml-schema",
              "express-response-html", "html-content-type",
              "receiver-is-request"}


class ModelError(ValueError):
    """A model row that cannot be used (unknown kind, condition or column)."""


@dataclass(frozen=True)
class SinkRow:
    kind: TaintKind
    calls: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()
    receivers: tuple[str, ...] = ()
    arguments: tuple[int | str, ...] = (0,)
    when: str | None = None
    label: str | None = None
    origin: str = ""  # "python.toml #3": where the row comes from, for errors and the row-coverage test


@dataclass(frozen=True)
class CallSite:
    """One call as an adapter hands it to the engine: the callee, the abstract values of its receiver and arguments,
    and the few facts of its syntax that models and the SDK step need. Nothing in it depends on the parser."""

    qual: str | None  # qualified callee with aliases resolved, "()" marks removed; None when not an import
    method: str | None  # the name after the last dot, when called on a receiver
    receiver: Val | None
    args: list[Val]
    kwargs: Mapping[str, Val]
    shell: bool = False  # shell= is present and not a literal false
    splat: tuple[Val, ...] = ()  # **kwargs spread into the call
    whole: bool = True  # every argument is written out (no **params, no *args)
    new: bool = False  # new X(…)
    callee: Val = UNKNOWN  # the callee's own value (qual with "()" marks, SDK objects)
    syntax: object = None  # the adapter's node, for the adapter's own hooks (verifier options)


@dataclass
class Models:
    language: str
    sinks: list[SinkRow] = field(default_factory=list)
    by_call: dict[str, list[SinkRow]] = field(default_factory=dict)
    globs: dict[str, list[tuple[re.Pattern[str], SinkRow]]] = field(default_factory=dict)
    by_method: dict[str, list[SinkRow]] = field(default_factory=dict)
    sanitizers: dict[str, frozenset[str]] = field(default_factory=dict)
    pass_through: dict[str, bool] = field(default_factory=dict)  # call → parses (JSON.parse: may be an object)
    sources: dict[str, str] = field(default_factory=dict)  # qualified name → label
    aliases: dict[str, str] = field(default_factory=dict)
    normals: dict[str, str] = field(default_factory=dict)  # normal() of each name met so far

    def add_sink(self, row: SinkRow) -> None:
        self.sinks.append(row)
        for call in row.calls:
            if "*" in call:
                pattern = re.compile("^" + ".*".join(re.escape(p) for p in call.split("*")) + "$")
                self.globs.setdefault(call.rsplit(".", 1)[-1], []).append((pattern, row))
            else:
                self.by_call.setdefault(call, []).append(row)
        for method in row.methods:
            self.by_method.setdefault(method, []).append(row)

    def normal(self, qual: str) -> str:
        """child_process/promises.exec → child_process.exec; node:fs.readFile → fs.readFile."""
        known = self.normals.get(qual)
        if known is None:
            if len(self.normals) > 100_000:
                self.normals.clear()
            known = self.normals[qual] = self._normal(qual)
        return known

    def _normal(self, qual: str) -> str:
        if qual.startswith("node:"):
            qual = qual[5:]
        if not self.aliases:
            return qual
        head, dot, rest = qual.partition(".")
        for alias, target in self.aliases.items():
            if qual == alias or qual.startswith(alias + "."):
                return target + qual[len(alias) :]
        return head + dot + rest

    def sink_rows(self, site: CallSite) -> Iterator[SinkRow]:
        if site.qual is not None:
            qual = self.normal(site.qual)
            yield from self.by_call.get(qual, ())
            for pattern, row in self.globs.get(qual.rsplit(".", 1)[-1], ()):
                if pattern.match(qual):
                    yield row
        if site.method is not None and site.receiver is not None and site.receiver.sdk is None:
            rows = self.by_method.get(site.method, ())
            rq = self.normal(site.receiver.qual or "")
            known = [row for row in rows if row.receivers and rq.startswith(row.receivers)]
            # a row for this very library wins over the generic ones (Cosmos items.query is not a SQL driver's query)
            yield from known or [row for row in rows if not row.receivers]

    def may_sink(self, qual: str | None, method: str | None) -> bool:
        """A cheap test before :meth:`sinks_for`: could any row match this callee or method name at all?"""
        if method is not None and method in self.by_method:
            return True
        if qual is None:
            return False
        qual = self.normal(qual)
        return qual in self.by_call or qual.rsplit(".", 1)[-1] in self.globs

    def sinks_for(self, site: CallSite) -> Iterator[tuple[SinkRow, Val, str]]:
        """(row, the tainted value that reaches it, the sink's name) for each model row the call matches."""
        for row in self.sink_rows(site):
            for val in _selected(row, site):
                if val.taint is None or row.kind in val.taint.cleaned or not _holds(row.when, site, val):
                    continue
                label = (row.label or "{call}").format(call=site.qual or site.method or "", method=site.method or "")
                yield row, val, label
                break

    def sanitizes(self, qual: str | None) -> frozenset[str] | None:
        return self.sanitizers.get(self.normal(qual)) if qual else None

    def sanitized(self, qual: str | None, args: list[Val]) -> Val | None:
        """The result of calling sanitizer ``qual`` on ``args`` (its first tainted one), or None when
        ``qual`` is not a sanitizer: both language adapters propagate through sanitizers this way."""
        kinds = self.sanitizes(qual)
        if kinds is None:
            return None
        tainted = next((a for a in args if a.taint is not None), None)
        return cleaned(Val(taint=tainted.taint), kinds) if tainted is not None else UNKNOWN


OBJECT_SINKS = {TaintKind.NOSQL, TaintKind.DESERIALIZATION}


def _selected(row: SinkRow, site: CallSite) -> Iterator[Val]:
    args = site.args
    whole_objects = row.kind in OBJECT_SINKS and not any(isinstance(a, str) and "." in a for a in row.arguments)
    for selector in row.arguments:
        if isinstance(selector, int) or selector == "last":
            index = -1 if selector == "last" else int(selector)
            if index < len(args) and args and (args[index].items is None or whole_objects):
                yield args[index]  # an object literal is not query text: its members are (selectors "0.sql")
        elif selector == "receiver":
            if site.receiver is not None:
                yield site.receiver
        elif selector == "program":
            first = args[0] if args else site.kwargs.get("args") or site.kwargs.get("program")
            if first is None:
                continue
            if first.items:
                yield first.items[0][1]
            elif not first.built:
                yield first
        elif selector == "shell-c":
            yield from _after_shell_flag(args, site.kwargs)
        elif "." in selector and selector.split(".", 1)[0].isdigit():
            position, member = selector.split(".", 1)
            if int(position) < len(args):
                yield from (v for k, v in args[int(position)].items or () if k == member)
        elif selector in site.kwargs:
            yield site.kwargs[selector]


def _after_shell_flag(args: list[Val], kwargs: Mapping[str, Val]) -> Iterator[Val]:
    """The command after ``-c`` when the program is a shell: ["bash", "-c", cmd] or ("sh", ["-c", cmd])."""
    words: list[Val] = []
    first = args[0] if args else kwargs.get("args")
    if first is None:
        return
    if first.items:
        words = [v for _, v in first.items]
    else:
        words = [first]
        for more in args[1:]:
            words.extend(v for _, v in more.items) if more.items else words.append(more)
    if not words or words[0].const is None or words[0].const.rsplit("/", 1)[-1] not in SHELLS:
        return
    for i, word in enumerate(words[:-1]):
        if word.const in SHELL_FLAGS:
            yield words[i + 1]
            return


def _holds(when: str | None, site: CallSite, val: Val) -> bool:
    if when is None:
        return True
    taint = val.taint
    if when == "shell-true":
        return site.shell
    if when == "shell-option":
        return any(k == "shell" and v.const not in (None, "false") for a in site.args[1:] for k, v in a.items or ())
    if when == "loader-not-safe":
        loader = site.args[1] if len(site.args) > 1 else site.kwargs.get("Loader")
        return loader is None or not (loader.qual and loader.qual.rsplit(".", 1)[-1] in
                                      {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
    if when == "host-not-fixed":
        return not (val.prefix and FIXED_HOST.match(val.prefix))
    if when == "receiver-is-path":
        return site.receiver is val and val.qual is None
    if when == "receiver-is-built-path":
        return site.receiver is val and val.qual is None and val.built
    if when == "receiver-not-sdk":
        return site.receiver is not None and site.receiver.sdk is None
    if when == "parsed":
        return taint is not None and taint.parsed
    if when == "parsed-query":
        rq = (site.receiver.qual or "") if site.receiver is not None else ""
        return taint is not None and taint.parsed and (rq.startswith(("mongodb", "mongoose", "monk"))
                                                       or site.method != "find" or val.items is not None)
    if when == "built":
        return val.built and val.items is None
    if when == "not-a-function":
        return val.func is None
    if when == "unsafe-yaml-schema":
        if site.qual is None or not site.qual.startswith("js-yaml"):
            return True
        options = site.args[1].items or () if len(site.args) > 1 else ()
        return any(k == "schema" and "DEFAULT_FULL" in (v.qual or "") for k, v in options)  # js-yaml 3 full schema
    if when == "receiver-is-request":  # the route's own request/context object (Hono's c), not a value read from it
        return site.receiver is not None and site.receiver.taint is not None and site.receiver.taint.whole
    if when == "html-content-type":  # Response(body, content_type=content_types.TEXT_HTML / mimetype="text/html")
        kinds = [site.kwargs.get(k) for k in ("content_type", "mimetype", "media_type")]
        return any(v is not None and ("html" in (v.const or "").lower() or (v.qual or "").endswith("TEXT_HTML"))
                   for v in kinds)
    if when == "express-response-html":
        text = val.prefix or val.const or ""
        return site.receiver is not None and site.receiver.qual == "express.response" and bool(HTML.search(text))
    raise ModelError(f"unknown condition {when}")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ModelError(f"{where}: expected a string or a list of strings, got {value!r}")


SINK_COLUMNS = {"kind", "call", "method", "receiver", "argument", "when", "label"}


def sink_row(raw: Mapping[str, Any], origin: str) -> SinkRow:
    unknown = set(raw) - SINK_COLUMNS
    if unknown:
        raise ModelError(f"{origin}: unknown column(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(SINK_COLUMNS))}")
    try:
        kind = TaintKind(str(raw.get("kind")))
    except ValueError:
        raise ModelError(f"{origin}: unknown kind {raw.get('kind')!r}; known: {', '.join(k.value for k in TaintKind)}") from None
    when = raw.get("when")
    if when is not None and when not in CONDITIONS:
        raise ModelError(f"{origin}: unknown condition {when!r}; known: {', '.join(sorted(CONDITIONS))}")
    calls, methods = _strings(raw.get("call"), origin), _strings(raw.get("method"), origin)
    if not calls and not methods:
        raise ModelError(f"{origin}: a sink row needs call or method")
    argument = raw.get("argument", [0])
    argument = argument if isinstance(argument, list) else [argument]
    if not all(isinstance(a, int | str) for a in argument):
        raise ModelError(f"{origin}: argument must list positions and keyword names")
    label = raw.get("label")
    return SinkRow(kind, calls, methods, _strings(raw.get("receiver"), origin), tuple(argument), when,
                   str(label) if label is not None else None, origin)


def build(language: str, documents: list[tuple[str, Mapping[str, Any]]]) -> Models:
    models = Models(language)
    for name, doc in documents:
        models.aliases.update(doc.get("aliases", {}))
        for i, raw in enumerate(doc.get("sink", []), 1):
            models.add_sink(sink_row(raw, f"{name} sink #{i}"))
        for i, raw in enumerate(doc.get("sanitizer", []), 1):
            kinds = frozenset(_strings(raw.get("kinds", ["*"]), f"{name} sanitizer #{i}"))
            bad = kinds - {"*"} - {k.value for k in TaintKind}
            if bad:
                raise ModelError(f"{name} sanitizer #{i}: unknown kind(s) {', '.join(sorted(bad))}")
            for call in _strings(raw.get("call"), f"{name} sanitizer #{i}"):
                models.sanitizers[call] = models.sanitizers.get(call, frozenset()) | kinds
        for i, raw in enumerate(doc.get("pass", []), 1):
            for call in _strings(raw.get("call"), f"{name} pass #{i}"):
                models.pass_through[call] = bool(raw.get("parsed", False))
        for i, raw in enumerate(doc.get("source", []), 1):
            for call in _strings(raw.get("name"), f"{name} source #{i}"):
                models.sources[call] = str(raw.get("label", call))
    return models


_USER: dict[str, list[Mapping[str, Any]]] = {}


def check_user_models(rows: Mapping[str, Any]) -> None:
    """Raise :class:`ModelError` for rows of the configuration's ``taint-models`` that cannot be used."""
    for language, doc in rows.items():
        if language not in LANGUAGES:
            raise ModelError(f"taint-models: unknown language {language!r}; known: {', '.join(LANGUAGES)}")
        if not isinstance(doc, dict):
            raise ModelError(f"taint-models.{language}: expected sink, sanitizer, pass and source lists")
        unknown = set(doc) - {"sink", "sanitizer", "pass", "source"}
        if unknown:
            raise ModelError(f"taint-models.{language}: unknown table(s) {', '.join(sorted(unknown))}; "
                             "known: pass, sanitizer, sink, source")
        build(language, [(f"taint-models.{language}", doc)])


def set_user_models(rows: Mapping[str, Any] | None) -> None:
    """Rows from the configuration file (``taint-models: {python: {sink: [...]}, javascript: {...}}``), added to
    the bundled ones for the next analyses (an empty mapping restores the bundled models alone)."""
    rows = rows or {}
    check_user_models(rows)
    if {k: [v] for k, v in rows.items()} == _USER:
        return
    _USER.clear()
    for language, doc in rows.items():
        _USER[language] = [doc]
    models.cache_clear()


@cache
def models(language: str) -> Models:
    language = "javascript" if language in ("typescript", "javascript") else "python"
    docs: list[tuple[str, Mapping[str, Any]]] = [(f"{language}.toml", bundled(f"{language}.toml"))]
    docs += [(f"taint-models.{language}", doc) for doc in _USER.get(language, [])]
    return build(language, docs)


@lru_cache(maxsize=8192)
def trusted_source(source: str) -> bool:
    """``trusted_field(field_path(source))``, once per source text: a walk reads the same event fields again and again."""
    return trusted_field(field_path(source))


def trusted_field(path: str) -> bool:
    """``methodArn``, ``requestContext.accountId``: set by the platform, not the caller."""
    return any(path == f or path.startswith(f + ".") for f in shared()["trusted_event_fields"])


_SEGMENT = re.compile(r"""\[\s*["']([^"']*)["']\s*\]|\.([A-Za-z_$][\w$]*)|\[[^\]]*\]""")


def field_path(source: str) -> str:
    """``event["requestContext"]["accountId"]`` → ``requestContext.accountId`` (index and computed parts dropped)."""
    start = re.match(r"[A-Za-z_$][\w$]*", source)
    rest = source[start.end() :] if start else source
    parts = [m.group(1) or m.group(2) for m in _SEGMENT.finditer(rest) if m.group(1) or m.group(2)]
    return ".".join(parts)


@dataclass(frozen=True)
class SdkRow:
    service: str
    operations: tuple[str, ...]
    parameters: tuple[str, ...]
    kind: str = ""  # sink rows: the TaintKind
    label: str = ""  # source rows: how the finding names the data


@cache
def sdk_rows() -> tuple[tuple[SdkRow, ...], tuple[SdkRow, ...]]:
    """(sinks, sources) of shared.toml: SDK operations that take query text, or return attacker data."""
    doc = shared()
    sinks = tuple(SdkRow(r["service"], tuple(r["operation"]), tuple(r["parameter"]), kind=TaintKind(str(r["kind"])).value)
                  for r in doc.get("sdk_sink", []))
    sources = tuple(SdkRow(r["service"], tuple(r["operation"]), tuple(r["parameter"]), label=r["label"])
                    for r in doc.get("sdk_source", []))
    return sinks, sources


def sdk_sinks(service: str, operation: str, params: Mapping[str, Val]) -> Iterator[tuple[str, Val, str]]:
    """(kind, tainted value, parameter) for a tainted query parameter of an SDK call."""
    for row in sdk_rows()[0]:
        if row.service == service and operation in row.operations:
            for name in row.parameters:
                val = params.get(name)
                if val is not None and val.taint is not None and row.kind not in val.taint.cleaned:
                    yield row.kind, val, name
                    break


def sdk_source(service: str, operation: str, params: Mapping[str, Val]) -> tuple[Val, str] | None:
    """(the tainted parameter, label) when an SDK call returns data the event controls (s3 GetObject of an event key)."""
    for row in sdk_rows()[1]:
        if row.service == service and operation in row.operations:
            for name in row.parameters:
                val = params.get(name)
                if val is not None and val.taint is not None:
                    return val, row.label
    return None


def html_response(val: Val, tuples: bool = False) -> Val | None:
    """The tainted body of a Lambda proxy response served as HTML ({"headers": {"Content-Type": "text/html"}, "body": …}),
    or with ``tuples``, of a Flask / functions_framework response tuple: (body, status, headers) or (body, headers)."""
    items = dict(val.items or ())
    body, headers = items.get("body"), items.get("headers")
    if tuples and body is None and headers is None and len(items) in (2, 3) and set(items) == {str(i) for i in range(len(items))}:
        body, headers = items["0"], items[str(len(items) - 1)]
    if body is None or body.taint is None or TaintKind.XSS.value in body.taint.cleaned or headers is None:
        return None
    for key, value in headers.items or ():
        if key.lower() == "content-type" and value.const is not None and "html" in value.const.lower():
            return body
    return None


@cache
def verifiers(language: str) -> dict[str, str]:
    """Qualified call → what it verifies ("JWT verification"), from shared.toml's verifier rows."""
    language = "javascript" if language in ("typescript", "javascript") else "python"
    return {call: row["label"] for row in shared().get("verifier", []) if row["language"] == language for call in row["call"]}
