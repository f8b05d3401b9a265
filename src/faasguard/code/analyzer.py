"""The code analyzer: for every function, read its handler source and record :class:`CodeFacts`.

Each source file is read and parsed once per scan, however many functions share
it; the per-function work is the walk from that function's handler through the
local modules it imports. Source and config files that no function points at are
still searched for literal credentials and reported as ``format="source"``
applications. Nothing scanned is imported or executed.
"""

from __future__ import annotations

import ast
import errno
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from faasguard import cache as parse_cache
from faasguard import limits, parallel
from faasguard.code import resolve, taint_model, webapps
from faasguard.code.facts import AuthCheck, CodeFacts, LibraryUse, LoggingFacts, SecretLiteral, TaintFlow
from faasguard.code.javascript import JsFunc, JsInterp, JsModule
from faasguard.code.jsmodule import compile_queries, grammar_of
from faasguard.code.libraries import used_libraries
from faasguard.code.python import PyInterp, PyModule
from faasguard.code.values import Collector, Val
from faasguard.interfaces import AnalysisResult
from faasguard.model import Application, Function, Loc
from faasguard.parallel import collector_paused, fork_map
from faasguard.secret_patterns import HIGH_ENTROPY, PASSWORD_LIKE, find_known_secrets, find_secret

MAX_SOURCE_BYTES = 2 * 1024 * 1024
GENERIC_KINDS = {PASSWORD_LIKE, HIGH_ENTROPY}
CONFIG_NAMES = re.compile(r"^(\.env(\..+)?|.*\.env|config\.json|secrets?\.json|.*\.properties|settings\.py|local_settings\.py|"
                          r"\.npmrc|credentials|appsettings(\..+)?\.json|local\.settings\.json)$", re.IGNORECASE)
TEST_PARTS = {"test", "tests", "__tests__", "fixtures", "__fixtures__", "spec", "testdata", "mocks", "__mocks__"}
TEST_FILE = re.compile(r"(^test_.*\.py$|_test\.py$|\.(test|spec)\.[cm]?[jt]sx?$|^conftest\.py$)", re.IGNORECASE)
# The value is stripped in code: a lazy ``(.*?)\s*$`` retries the trailing spaces from every position.
ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*[=:]\s*(.*)$")

Module = PyModule | JsModule
T = TypeVar("T")
OUTSIDE = b"outside"  # the stamp of a path that leads outside the root (see _Cache._source)
HANDLER_PARAMS = {("event", "context"), ("event", "_context"), ("event", "ctx"), ("evt", "context"), ("event", "lambda_context")}
JS_HANDLER_HINT = re.compile(rb"exports\.\w+\s*=|export\s+(?:const|async|function|default)|functions-framework")


def _python_handler_shape(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """def handler(event, context), @functions_framework.http, def main(req: func.HttpRequest)."""
    params = [a.arg for a in node.args.posonlyargs + node.args.args]
    if tuple(params[:2]) in HANDLER_PARAMS:
        return True
    if any("functions_framework" in ast.unparse(d) for d in node.decorator_list):
        return True
    first = (node.args.posonlyargs + node.args.args)[:1]
    return bool(first) and first[0].annotation is not None and "HttpRequest" in ast.unparse(first[0].annotation)


def _js_handler_shape(name: str, val: Val) -> bool:
    """exports.handler / export const handler, or an exported function whose first parameter is the event."""
    func = val.func
    if not isinstance(func, JsFunc):
        return False
    params = func.node.child_by_field_name("parameters")
    first = params.named_children[0] if params is not None and params.named_children \
        else func.node.child_by_field_name("parameter")
    first_name = (first.text or b"").decode("utf-8", "replace").split(":")[0].strip() if first is not None else ""
    return name.lower().endswith("handler") or first_name in ("event", "evt")


@dataclass(frozen=True)
class _FileFacts:
    """What one source file says by itself, kept in the parse cache."""

    secrets: tuple[SecretLiteral, ...]
    error: str | None  # the parse error reported for the file
    handler_shaped: bool  # a loose file worth analysing as a handler (see _loose_handlers)
    sure: bool  # no limit cut the parse short: the facts are the text's


def _code_secrets(rel: str, mod: Module | None) -> tuple[SecretLiteral, ...]:
    """Literal secrets of a parsed source file; a signing key's own finding replaces "password-like" on its line."""
    if isinstance(mod, PyModule):
        found = list(_literal_secrets(rel, _chain(mod.string_literals(), _known_in_text(mod.text))))
        signs = "secret_key" in mod.text.lower()
        keys = [SecretLiteral(kind, name, Loc(rel, line), shown) for kind, name, shown, line
                in webapps.signing_key_facts(mod.tree if signs else None, mod.quote_lines() if signs else None)]
    elif mod is not None:
        source = mod.source.decode("utf-8", "replace")
        found = list(_literal_secrets(rel, _chain(mod.string_literals(), _known_in_text(source))))
        keys = [SecretLiteral(kind, name, Loc(rel, line), shown) for kind, name, shown, line
                in webapps.js_signing_key_facts(mod.source, mod.root)]  # session({secret: "…"})
    else:
        return ()
    lines = {k.loc.line for k in keys}
    return tuple([f for f in found if f.loc.line not in lines or f.kind not in GENERIC_KINDS] + keys)


def _handler_shaped(mod: Module | None) -> bool:
    """Whether :meth:`CodeAnalyzer._loose_handlers` has something to analyse in the file."""
    if isinstance(mod, PyModule):
        return mod.tree is not None and any(_python_handler_shape(node) for node in mod.functions.values())
    return mod is not None and JS_HANDLER_HINT.search(mod.source) is not None


@dataclass(frozen=True)
class Analysis:
    """One function's code analysis (or a loose handler file's), kept in the parse cache with all it depended on.

    The key of the entry names the inputs known before the walk (the function's name, its entry file and handler,
    its code directory, the root, the configuration's taint models); faasguard's own code and tables are in the
    cache's salt. What the walk found out on its way is recorded here and checked before the entry is used: every
    source file it asked for, with its stamp (see ``_Cache._source``: the bytes' digest, or why they were not
    read), and every import it resolved, with the answer (a file that appears or disappears changes one). The
    errors and warnings the walk reported, and those about the files it read, are replayed with the result."""

    files: tuple[tuple[str, bytes], ...]
    probes: tuple[tuple[tuple[Any, ...], str | None], ...]
    errors: tuple[tuple[str, str], ...]
    warnings: tuple[tuple[str, str], ...]
    files_read: tuple[str, ...]
    value: Any
    kind: str = ""  # what analysed() computed it as ("function", "loose"): an entry of another kind is not used


class _NotCached(Exception):
    """An analysis the parse cache does not hold (see ``_Cache.cached_only``)."""


@dataclass
class _Cache:
    root: Path
    result: AnalysisResult
    modules: dict[Path, Module | None] = field(default_factory=dict)
    secrets: dict[Path, tuple[SecretLiteral, ...]] = field(default_factory=dict)
    facts: dict[Path, _FileFacts] = field(default_factory=dict)  # of the files file_secrets parsed or found cached
    unsure: set[Path] = field(default_factory=set)  # files a limit cut short: their facts are not cached
    links: set[Path] = field(default_factory=set)  # files that are symbolic links (seen by :meth:`real`)
    models: str = ""  # a digest of the configuration's taint models, part of every cached analysis's key
    stamps: dict[Path, bytes] = field(default_factory=dict)  # of the files :meth:`text` read (see :meth:`_source`)
    notes: dict[Path, list[tuple[str, str]]] = field(default_factory=dict)  # the errors reported about each file
    twins: dict[tuple[str, bool, str], _FileFacts] = field(default_factory=dict)  # by (language, tsx, text)
    checked: dict[Path, bytes] = field(default_factory=dict)  # stamps of files looked at only to check an Analysis
    recording: set[Path] | None = None  # the files asked for while an analysis runs (see :meth:`analysed`)
    cached_only: bool = False  # :meth:`analysed` raises _NotCached instead of computing

    def rel(self, path: Path) -> str:
        prefix: str | None = self.__dict__.get("_prefix")
        if prefix is None:
            prefix = self.__dict__["_prefix"] = os.path.join(str(self.root), "")
        name = str(path)
        if name.startswith(prefix) and os.sep == "/":  # what relative_to gives, without building paths
            return name[len(prefix) :]
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return limits.display(path, self.root)

    def real(self, path: Path) -> str:
        """``os.path.realpath(path)``, with the real path of each directory resolved once (every file reads them).
        A file that is itself a symbolic link is noted in ``links``. Each path is looked at once per scan (the
        loose-file pass, then the read, ask for most of them twice)."""
        reals: dict[Path, str] = self.__dict__.setdefault("_reals", {})
        real = reals.get(path)
        if real is not None:
            return real
        folder, name = os.path.split(str(path))  # path.parent and path.name, without making a Path of the folder
        real = os.path.join(self._real_dir(folder), name)
        if name in ("", ".", ".."):
            real = os.path.realpath(real)
        elif os.path.islink(real):
            self.links.add(path)
            real = os.path.realpath(real)
        reals[path] = real
        return real

    def resolved(self, path: Path) -> Path:
        """``path.resolve()``, through :meth:`real` (a file that is a link resolves as pathlib does it)."""
        real = self.real(path)
        return path.resolve() if path in self.links else Path(real)

    def _real_dir(self, folder: str) -> str:
        """``os.path.realpath(folder)``, once per folder (:func:`limits.real_folder`). Folders are text, split by
        :func:`os.path.split` (a Path's parent is a new Path to make and hash for every file)."""
        return limits.real_folder(folder, self.__dict__.setdefault("_real_dirs", {}))

    def inside(self, path: Path) -> bool:
        """:func:`limits.inside`, through :meth:`real`."""
        return self.contains(self.real(path))

    def contains(self, real: str) -> bool:
        """Whether a real path (see :meth:`real`) is the root or under it."""
        return limits.within(real, self._real_dir(str(self.root)))

    def text(self, path: Path) -> str | None:
        rel = self.rel(path)
        stamp, text, error = self._source(path, rel)
        if stamp != OUTSIDE:
            self.result.files_read.add(rel)
        if self.stamps.setdefault(path, stamp) != stamp:  # changed between two reads: nothing of it is kept
            self.unsure.add(path)
        if error is not None:
            self.error(path, rel, error)
        return text

    def _source(self, path: Path, rel: str) -> tuple[bytes, str | None, str | None]:
        """What :meth:`text` makes of a file: (its stamp, its text or None, the error to report or None). The stamp
        stands for all the outcome depends on (whether the path leads outside the root, the size, the bytes): two
        reads with the same stamp give the same text and error."""
        if not self.inside(path):
            return OUTSIDE, None, limits.outside_message(rel, "file")
        try:
            size = path.stat().st_size
            if size > MAX_SOURCE_BYTES:
                message = f"source file is {size / 1e6:.1f} MB, over the 2 MB limit for code analysis; skipped"
                return b"size %d" % size, None, message
            data = limits.read_bytes(path, MAX_SOURCE_BYTES)
        except limits.LimitExceeded as exc:  # before OSError: a named pipe is both
            return b"limit " + str(exc).encode(), None, str(exc)
        except OSError as exc:
            message = f"could not be read: {exc.strerror or exc}"
            return b"error " + message.encode("utf-8", "replace"), None, message
        stamp = b"sha256 " + hashlib.sha256(data).digest()
        if b"\x00" in data[:8192]:
            return stamp, None, "binary file, not source code; skipped"
        try:
            return stamp, data.decode("utf-8-sig"), None
        except UnicodeDecodeError as exc:
            return stamp, None, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); skipped"

    def error(self, path: Path, rel: str, message: str) -> None:
        """An error about one file, kept with the file too (:meth:`analysed` replays those of the files it read)."""
        self.result.errors.append((rel, message))
        self.notes.setdefault(path, []).append((rel, message))

    def analysed(self, kind: str, key: str, result: AnalysisResult, compute: Callable[[], T]) -> T:
        """``compute()``, an analysis that reports into ``result`` and reads files only through :meth:`module` and
        :meth:`file_secrets` and resolves imports only through :mod:`resolve`; or its :class:`Analysis` from the parse
        cache when every file and import it depended on is as it was. A computation that met a file a limit cut
        short, or one that changed while it was read, is not kept."""
        if not parse_cache.enabled():
            return compute()
        entry = parse_cache.recall(kind, key)
        if isinstance(entry, Analysis) and entry.kind == kind and self._holds(entry):
            result.errors.extend(entry.errors)
            result.warnings.extend(entry.warnings)
            result.files_read.update(entry.files_read)
            return entry.value  # type: ignore[no-any-return]
        if self.cached_only:
            raise _NotCached
        errors, warnings = len(result.errors), len(result.warnings)
        paths: set[Path] = set()
        self.recording = paths
        try:
            with resolve.recording() as probes:
                value = compute()
        finally:
            self.recording = None
        kept = self._analysis(kind, paths, probes, result.errors[errors:], result.warnings[warnings:], value)
        if kept is not None:
            parse_cache.remember(kind, key, kept)
        return value

    def _analysis(self, kind: str, paths: set[Path], probes: dict[tuple[Any, ...], str | None], errors: list[tuple[str, str]],
                  warnings: list[tuple[str, str]], value: Any) -> Analysis | None:
        files: list[tuple[str, bytes]] = []
        found = set(errors)
        read: set[str] = set()
        for path in sorted(paths):
            stamp = self.stamps.get(path)
            if path in self.unsure or (stamp is None) != (resolve.language_of(path) is None):
                return None  # cut short by a limit, changed while read, or read in a way the check would not repeat
            files.append((str(path), stamp or b"-"))
            found.update(self.notes.get(path, ()))
            if stamp is not None and stamp != OUTSIDE:
                read.add(self.rel(path))
        return Analysis(tuple(files), tuple(sorted(probes.items(), key=repr)), tuple(sorted(found)),
                        tuple(sorted(set(warnings))), tuple(sorted(read)), value, kind)

    def _holds(self, entry: Analysis) -> bool:
        """Whether every import ``entry`` resolved resolves the same way and every file it read has the same stamp."""
        if not all(resolve.answer(key) == answer for key, answer in entry.probes):
            return False
        for name, stamp in entry.files:
            path = Path(name)
            now = self.stamps.get(path) or self.checked.get(path)
            if now is None:
                now = self.checked[path] = self._source(path, self.rel(path))[0] if resolve.language_of(path) else b"-"
            if now != stamp:
                return False
        return True

    def module(self, path: Path) -> Module | None:
        if self.recording is not None:
            self.recording.add(path)
        if path in self.modules:
            return self.modules[path]
        language = resolve.language_of(path)
        text = self.text(path) if language else None
        mod = self._parse(path, text, language or "") if text is not None else None
        self.modules[path] = mod
        return mod

    def _parse(self, path: Path, text: str, language: str) -> Module | None:
        """The file's module; a file cut short by a limit (time, nesting) is noted in ``unsure``."""
        rel = self.rel(path)
        mod: Module | None = None
        try:
            with limits.time_budget():
                if language == "python":
                    mod = PyModule.parse(path, rel, text)
                else:
                    mod = JsModule.parse(path, rel, text, language)
        except limits.FileTimeout:
            self.error(path, rel, limits.timeout_message())
            self.unsure.add(path)
        except RecursionError:
            self.error(path, rel, "nested too deeply to parse; skipped")
            self.unsure.add(path)
        if mod is not None and mod.error:
            self.error(path, rel, mod.error)
            if mod.error.startswith("could not be parsed"):  # RecursionError, MemoryError: not a property of the text
                self.unsure.add(path)
        return mod

    def release(self, path: Path) -> None:
        """Let go of a loose file's parse once its facts are known, when it has no handler to walk: most loose files
        are vendored libraries nothing imports, and their trees were two thirds of a worker's memory (the page faults
        of filling it a tenth of its time). A file a later walk imports is parsed again (a few files per scan), as
        the first time: only a parse that gave no error and no limit cut short is let go."""
        facts = self.facts.get(path)
        mod = self.modules.get(path)
        if facts is not None and not facts.handler_shaped and mod is not None and mod.error is None and path not in self.unsure:
            del self.modules[path]

    def py(self, path: Path) -> PyModule | None:
        mod = self.module(path)
        return mod if isinstance(mod, PyModule) else None

    def js(self, path: Path) -> JsModule | None:
        mod = self.module(path)
        return mod if isinstance(mod, JsModule) else None

    def _file_facts(self, path: Path, rel: str, text: str, language: str) -> _FileFacts:
        # Vendored libraries and copied helpers repeat whole files: a text already read under another name has the
        # same facts but for the path in their locations (its parse is skipped, as for facts from the parse cache).
        # A handler-shaped file is parsed all the same: its handlers are walked.
        twin_key = (language, path.suffix.lower() == ".tsx", text)

        def compute() -> _FileFacts:
            twin = self.twins.get(twin_key)
            if twin is not None and not twin.handler_shaped:
                return _FileFacts(tuple(_moved(s, rel) for s in twin.secrets), twin.error, False, path not in self.unsure)
            mod = self.modules[path] = self._parse(path, text, language)
            facts = _FileFacts(_code_secrets(rel, mod), mod.error if mod is not None else None,
                               _handler_shaped(mod), path not in self.unsure)
            if facts.sure:
                self.twins.setdefault(twin_key, facts)
            return facts

        facts = parse_cache.memo("code", f"{language}\0{rel}\0{text}", compute, keep=lambda f: f.sure)
        if path not in self.modules and facts.error:  # from the cache: the parse it stands for was skipped
            self.error(path, rel, facts.error)
        self.facts[path] = facts
        return facts

    def file_secrets(self, path: Path) -> tuple[SecretLiteral, ...]:
        """The literal secrets of one file. They, the file's parse error and whether it has a handler-shaped
        function are a function of its path and text: through the parse cache a warm scan skips the parse."""
        if self.recording is not None:
            self.recording.add(path)
        if path in self.secrets:
            return self.secrets[path]
        rel = self.rel(path)
        if _is_test_file(rel):
            self.secrets[path] = ()
            return ()
        language = resolve.language_of(path)
        if language and path in self.modules:  # parsed already (a function's file): only the search is left
            found = _code_secrets(rel, self.modules[path])
        elif language:
            text = self.text(path)
            if text is None:
                self.modules[path] = None
                found = ()
            else:
                found = self._file_facts(path, rel, text, language).secrets
        else:
            text = self.text(path)
            found = ()
            if text is not None:
                def search() -> tuple[tuple[SecretLiteral, ...], bool]:
                    try:
                        with limits.time_budget():
                            return tuple(_config_secrets(rel, path.name, text)), True
                    except RecursionError:
                        self.result.errors.append((rel, "nested too deeply to read; not searched for secrets"))
                    except limits.FileTimeout:
                        self.result.errors.append((rel, limits.timeout_message()))
                    return (), False

                found = parse_cache.memo("config", f"{rel}\0{text}", search, keep=lambda r: r[1])[0]
        self.secrets[path] = tuple(found)
        return self.secrets[path]


def _link_loop(path: Path) -> bool:
    """Whether following ``path``'s symbolic links never ends (a missing folder is not a loop)."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def _twin_groups(loose: list[tuple[Path, Path]]) -> list[list[int]]:
    """The indexes of ``loose``, files that may be twins together (same name and size), in order of first index.

    A worker reads a twin's facts off the first copy it parsed (see ``_Cache._file_facts``); twins handed to different
    workers were each parsed (vendored libraries copied into several Lambda layers: a fifth of serverless-patterns'
    Python). Which worker does which file changes no result: the grouping only spares work."""
    groups: dict[tuple[str, int] | int, list[int]] = {}
    for index, (_, resolved) in enumerate(loose):
        try:
            key: tuple[str, int] | int = (resolved.name, os.stat(resolved).st_size)
        except OSError:
            key = index  # reported when read
        groups.setdefault(key, []).append(index)
    return list(groups.values())


def _grouped_map(fn: Callable[[Any], T], items: list[Any], groups: list[list[int]], jobs: int | None) -> list[T]:
    """``[fn(item) for item in items]``, each group of indexes done in one worker (see :func:`fork_map`)."""
    # In parallel when the items would be (each group is one item to fork_map, however many files it holds).
    done = fork_map(lambda group: [fn(items[i]) for i in group], groups, jobs if len(items) >= parallel.MIN_PARALLEL_ITEMS else 1,
                    min_items=1)
    out: list[T] = [None] * len(items)  # type: ignore[list-item]
    for group, results in zip(groups, done, strict=True):
        for index, result in zip(group, results, strict=True):
            out[index] = result
    return out


def _merge(into: AnalysisResult, part: AnalysisResult) -> None:
    into.errors.extend(part.errors)  # a file two workers both read may be reported twice: the scan keeps one
    into.warnings.extend(part.warnings)
    into.files_read |= part.files_read


def _moved(secret: SecretLiteral, rel: str) -> SecretLiteral:
    """The same literal in file ``rel`` (see ``_Cache._file_facts``)."""
    loc = secret.loc
    return SecretLiteral(secret.kind, secret.name, Loc(rel, loc.line, loc.end_line), secret.redacted)


def _chain(*parts: Iterator[tuple[str | None, str, int]]) -> Iterator[tuple[str | None, str, int]]:
    for part in parts:
        yield from part


def _known_in_text(text: str) -> Iterator[tuple[str | None, str, int]]:
    """Provider-format secrets anywhere in the file (strings, comments), as unnamed literals."""
    for match in find_known_secrets(text):
        yield None, text[match.start : match.end], text.count("\n", 0, match.start) + 1


AUTHORIZER_ANSWER = re.compile(r"""["']?(?:policyDocument|isAuthorized)["']?\]?\s*[:=]""")


def _answers_authorizer(mod: Module | None) -> bool:
    """The file builds an API Gateway authorizer's answer: an IAM policy document or a simple isAuthorized."""
    text = mod.text if isinstance(mod, PyModule) else mod.source.decode("utf-8", "replace") if mod is not None else ""
    # Every match holds one of the two words: looking for them first spares the regex (which may start at any quote).
    return ("policyDocument" in text or "isAuthorized" in text) and AUTHORIZER_ANSWER.search(text) is not None


def _is_test_file(rel: str) -> bool:
    parts = rel.lower().split("/")
    return bool(TEST_PARTS & set(parts[:-1])) or bool(TEST_FILE.search(parts[-1]))


def _literal_secrets(rel: str, literals: Iterator[tuple[str | None, str, int]]) -> Iterator[SecretLiteral]:
    seen: set[tuple[int, str]] = set()
    for name, value, line in literals:
        if name is None:
            for known in find_known_secrets(value):
                if (line, known.kind) not in seen:
                    seen.add((line, known.kind))
                    yield SecretLiteral(known.kind, None, Loc(rel, line), known.preview)
            continue
        match = find_secret(value, name)
        if match is not None and (line, match.kind) not in seen:
            seen.add((line, match.kind))
            yield SecretLiteral(match.kind, name, Loc(rel, line), match.preview)


def _config_secrets(rel: str, filename: str, text: str) -> Iterator[SecretLiteral]:
    if filename.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if data is not None:
            lines = text.splitlines()
            yield from _literal_secrets(rel, ((k, v, _line_of(lines, v)) for k, v in _json_pairs(data)))
            return
    pairs = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith(("#", "!", ";", "//")):
            continue
        m = ENV_LINE.match(line)
        if m:
            value = m.group(2).rstrip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            pairs.append((m.group(1), value, number))
        elif line.strip():
            pairs.append((None, line, number))  # type: ignore[arg-type]
    yield from _literal_secrets(rel, iter(pairs))


def _json_pairs(data: object, key: str | None = None) -> Iterator[tuple[str | None, str]]:
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _json_pairs(v, str(k))
    elif isinstance(data, list):
        for v in data:
            yield from _json_pairs(v, key)
    elif isinstance(data, str):
        yield key, data


def _line_of(lines: list[str], value: str) -> int:
    needle = json.dumps(value)[1:-1]
    for number, line in enumerate(lines, 1):
        if needle in line:
            return number
    return 1


class CodeAnalyzer:
    """Reads function code: taint flows, SDK calls, secrets, logging and per-invocation set-up.

    Applications are analysed on every core (``jobs``), each worker with its own parse cache;
    then the source files no function reads are searched for literal secrets, also in parallel.
    """

    name = "code"

    def __init__(self, jobs: int | None = 1, taint_models: dict[str, Any] | None = None) -> None:
        self.jobs = jobs
        self.taint_models = taint_models or {}  # the configuration's taint-models rows, added to the bundled ones

    def analyze(self, apps: list[Application], root: Path, files: list[Path]) -> AnalysisResult:
        taint_model.set_user_models(self.taint_models)
        with collector_paused():
            return self._analyze(apps, root, files)

    def _analyze(self, apps: list[Application], root: Path, files: list[Path]) -> AnalysisResult:
        result = AnalysisResult()
        resolve.forget()  # files may have changed since the last scan in this process
        models = json.dumps(self.taint_models, sort_keys=True, default=repr)
        cache = _Cache(root.resolve(), result, models=hashlib.sha256(models.encode("utf-8", "surrogatepass")).hexdigest())

        def app_facts(app: Application) -> tuple[dict[str, CodeFacts], AnalysisResult]:
            cache.result = found = AnalysisResult()
            facts = {}
            for fn in app.functions:
                fn_facts = self._function(fn, cache, found)
                if fn_facts is not None:
                    facts[fn.name] = fn_facts
            return facts, found

        def cached_app_facts(app: Application) -> tuple[dict[str, CodeFacts], AnalysisResult] | None:
            """What :func:`app_facts` gives when the parse cache holds every function's analysis; else None."""
            cache.cached_only = True
            try:
                return app_facts(app)
            except _NotCached:
                return None
            finally:
                cache.cached_only = False

        compile_queries({grammar_of(path, language) for path in files
                         if (language := resolve.language_of(path)) in ("javascript", "typescript")})
        # Here what the cache answers (checking an entry costs little); to the workers only what must be walked.
        known = [cached_app_facts(app) for app in apps] if parse_cache.holds_any() else [None] * len(apps)
        walked = iter(fork_map(app_facts, [app for app, k in zip(apps, known, strict=True) if k is None], self.jobs))
        claimed: set[Path] = set()
        for app, answer in zip(apps, known, strict=True):
            facts, found = answer if answer is not None else next(walked)
            _merge(result, found)
            for name, fn_facts in facts.items():
                app.code[name] = fn_facts
                claimed.update(cache.resolved(cache.root / f) for f in fn_facts.files)
        loose: list[tuple[Path, Path]] = []
        for path in files:
            if not (resolve.language_of(path) or CONFIG_NAMES.match(path.name)):
                continue  # neither source nor configuration: nothing below is about it
            try:
                real = cache.real(path)
            except (OSError, ValueError):
                real = ""
            if not real or not cache.contains(real):
                shown = limits.display(path, root)
                result.errors.append((shown, limits.outside_message(shown, "file")))
                continue
            try:
                resolved = path.resolve() if path in cache.links else Path(real)
            except (OSError, RuntimeError):  # a symlink loop: the loaders report the files they read, this the code
                if resolve.language_of(path):
                    result.errors.append((cache.rel(path), f"could not be read: {os.strerror(errno.ELOOP)}"))
                continue
            if resolved not in claimed:
                loose.append((path, resolved))

        def loose_facts(paths: tuple[Path, Path]) -> tuple[tuple[SecretLiteral, ...], list[str], tuple[TaintFlow, ...],
                                                            tuple[AuthCheck, ...], bool, AnalysisResult]:
            cache.result = found = AnalysisResult()
            resolved = paths[1]
            secrets = cache.file_secrets(resolved)
            handlers, flows, auth = self._loose_handlers(resolved, cache.rel(resolved), cache)
            authorizer = bool(auth) and _answers_authorizer(cache.module(resolved))  # parsed here already
            cache.release(resolved)
            return secrets, handlers, flows, auth, authorizer, found

        for (path, resolved), (secrets, handlers, flows, auth, authorizer, found) in zip(
            loose, _grouped_map(loose_facts, loose, _twin_groups(loose), self.jobs), strict=True
        ):
            _merge(result, found)
            if secrets or flows or (authorizer and not any(a.verified for a in auth)):
                rel = cache.rel(resolved)
                language = resolve.language_of(path) or "config"
                app = Application(root=root, format="source", source=rel)
                function = f"{rel} (handler {', '.join(handlers)}; no template names its trigger)" if handlers else rel
                app.code[rel] = CodeFacts(function=function, entry=rel, handler=handlers[0] if handlers else None,
                                          files=(rel,), secrets=secrets, flows=flows, language=language,
                                          auth_checks=auth, authorizer=authorizer)
                result.applications.append(app)
        cache.result = result
        return result

    def _loose_handlers(self, path: Path, rel: str, cache: _Cache) -> tuple[list[str], tuple[TaintFlow, ...],
                                                                          tuple[AuthCheck, ...]]:
        """A handler file no template points at (a CDK app before synth, a repo deployed by script): find its
        handlers by shape and analyse them as functions of unknown trigger. Returns (handlers, taint flows, the
        token checks they make)."""
        language = resolve.language_of(path)
        facts = cache.facts.get(path)
        if language is None or _is_test_file(rel) or (facts is not None and not facts.handler_shaped):
            return [], (), ()
        key = json.dumps([rel, str(path), str(cache.root), cache.models])  # a list: no field can run into the next
        return cache.analysed("loose", key, cache.result, lambda: self._loose_walk(path, cache))

    @staticmethod
    def _loose_walk(path: Path, cache: _Cache) -> tuple[list[str], tuple[TaintFlow, ...], tuple[AuthCheck, ...]]:
        mod = cache.module(path)
        out = Collector()
        found: list[str] = []
        if isinstance(mod, PyModule) and mod.tree is not None:
            names = [name for name, node in mod.functions.items() if _python_handler_shape(node)]
            if not names:
                return [], (), ()
            py = PyInterp(cache.py, path.parent, out)
            for name in names:
                if py.analyse_handler(path, name):
                    found.append(name)
        elif isinstance(mod, JsModule):
            if not JS_HANDLER_HINT.search(mod.source):
                return [], (), ()
            js = JsInterp(cache.js, path.parent, out)
            js.module(path)
            for name, val in js.exports.get(path, {}).items():
                if (_js_handler_shape(name, val) or name in js.registered.get(path, ())) and js.analyse_handler(path, name):
                    found.append(name)
        flows = tuple(sorted(out.flows.values(), key=lambda f: (f.sink_loc.path, f.sink_loc.line or 0, f.kind)))
        return found, flows, tuple(sorted(out.auth.values(), key=lambda a: (a.loc.path, a.loc.line or 0)))

    def _function(self, fn: Function, cache: _Cache, result: AnalysisResult) -> CodeFacts | None:
        if fn.code_dir is None or not fn.handler or fn.package_type.lower() == "image":
            return None
        wsgi = fn.setting("wsgi_app")  # serverless-wsgi: the generated wsgi_handler.handler serves custom.wsgi.app
        found = resolve.entry_file(fn.code_dir, str(wsgi.value), fn.runtime) if wsgi is not None else None
        found = found or resolve.entry_file(fn.code_dir, fn.handler, fn.runtime)
        if found is None:
            if fn.code_dir.is_dir():
                result.warnings.append((cache.rel(fn.code_dir), f"handler {fn.handler} of function {fn.name} was not found "
                                        f"under {cache.rel(fn.code_dir)}; its code was not analysed"))
            elif _link_loop(fn.code_dir):
                result.warnings.append((cache.rel(fn.code_dir), f"code directory {cache.rel(fn.code_dir)} of function {fn.name} "
                                        "is a loop of symbolic links; its code was not analysed"))
            return None
        entry, handler = found
        entry = cache.resolved(entry)
        code_dir = cache.resolved(fn.code_dir)
        key = json.dumps([fn.name, str(cache.root), str(entry), handler, str(code_dir), cache.models])
        return cache.analysed("function", key, result, lambda: self._walk(fn.name, entry, handler, code_dir, cache, result))

    def _walk(self, name: str, entry: Path, handler: str, code_dir: Path, cache: _Cache, result: AnalysisResult) -> CodeFacts:
        """The code facts of function ``name``: the walk from ``handler`` in ``entry`` through the files it imports."""
        out = Collector()
        language = resolve.language_of(entry)
        files: list[Path]
        if language == "python":
            py = PyInterp(cache.py, code_dir, out)
            if not (py.analyse_handler(entry, handler) or webapps.python_app_entry(py, entry, handler)) \
                    and cache.py(entry) is not None and cache.py(entry).tree is not None:  # type: ignore[union-attr]
                result.warnings.append((cache.rel(entry), f"handler function {handler} of {name} is not defined in this file"))
            webapps.mount_routers(py)
            webapps.django_views(py, entry)
            py.analyse_rest()
            files = list(py.files)
        else:
            js = JsInterp(cache.js, code_dir, out)
            if not (js.analyse_handler(entry, handler) or webapps.js_wrapped_entry(js, entry, handler)) \
                    and cache.js(entry) is not None:
                result.warnings.append((cache.rel(entry), f"handler {handler} of {name} is not exported by this file"))
            js.analyse_rest()
            files = list(js.files)
        if entry not in files:
            files.insert(0, entry)
        else:
            files.remove(entry)
            files.insert(0, entry)
        secrets: list[SecretLiteral] = []
        aws_libraries: list[LibraryUse] = []
        for path in files:
            secrets.extend(cache.file_secrets(path))
            mod = cache.module(path)
            if mod is not None:
                aws_libraries.extend(u for u in used_libraries(mod) if all(u.name != seen.name for seen in aws_libraries))
        calls = sorted(out.sdk_calls.values(), key=lambda c: (c.loc.path, c.loc.line or 0, c.service, c.operation))
        return CodeFacts(
            function=name,
            entry=cache.rel(entry),
            handler=handler,
            files=tuple(cache.rel(p) for p in files),
            sdk_calls=tuple(calls),
            dynamic_sdk=tuple(sorted(out.dynamic_sdk, key=lambda loc: (loc.path, loc.line or 0))),
            signed_outside_sdk=tuple(sorted(out.signed, key=lambda loc: (loc.path, loc.line or 0))),
            flows=tuple(sorted(out.flows.values(), key=lambda f: (f.sink_loc.path, f.sink_loc.line or 0, f.kind))),
            secrets=tuple(secrets),
            log_leaks=tuple(sorted(out.log_leaks.values(), key=lambda x: (x.loc.path, x.loc.line or 0, x.kind))),
            per_invocation=tuple(sorted(out.per_invocation.values(), key=lambda x: (x.loc.path, x.loc.line or 0, x.kind))),
            logging=LoggingFacts(tuple(sorted(out.prints, key=lambda loc: (loc.path, loc.line or 0))), out.structured),
            language=language,
            auth_checks=tuple(sorted(out.auth.values(), key=lambda a: (a.loc.path, a.loc.line or 0))),
            authorizer=_answers_authorizer(cache.module(entry)),
            aws_libraries=tuple(aws_libraries),
        )
