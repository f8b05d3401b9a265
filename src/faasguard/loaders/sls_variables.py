"""Serverless Framework variables (``${self:…}``, ``${opt:…}``, ``${file(…)}`` …), resolved statically.

The Serverless Framework fills its configuration in at deploy time from many
sources. A scanner can honestly know only some of them: the configuration
itself (``self:``, ``param:``), the stage and region (``opt:``, ``sls:``,
``aws:region``), variables the user passes on the command line (``env:``), and
local YAML/JSON files (``file(…)``). Everything else — ``ssm:``, ``cf:``,
``s3:``, ``aws:accountId``, ``file()`` of JavaScript, plugin sources — stays in
the text as the ``${…}`` the author wrote, and :func:`has_reference` tells the
loader such a value is not a literal.

Resolution keeps locations: a variable that is the whole value is replaced by
the node it names (with that node's own line, and the file it came from in
``origin``); an interpolated string keeps the line of the string it was written
in. Nothing is ever executed. A cycle, a missing value without a default or a
file outside the scan root leaves the reference unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from faasguard import limits
from faasguard.loaders import located_yaml
from faasguard.loaders.located_yaml import LDict, LList, LoadFailure, LStr

# A Serverless variable: a source name followed by ":" or "(" (``self:``, ``file(``);
# ``${AWS::Region}`` and ``${Bucket}`` are CloudFormation Fn::Sub variables, not ours.
_SOURCE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*)(?:\(|:(?!:))")
_ANY_REFERENCE = re.compile(r"\$\{[^}]*\}|\{\{resolve:")
_QUOTED = re.compile(r"""^\s*(['"])(.*)\1\s*$""", re.S)
_NUMBER = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")
MAX_STEPS = 50_000  # variable evaluations per configuration; a guard against self-referential blow-ups
MAX_FILE_BYTES = 2_000_000
MAX_TEXT = 100_000  # characters in one resolved string
# Values (scalars and containers, counted as a tree) that variables may copy into the configuration
# in all: ``a0: [${self:custom.a1}, ${self:custom.a1}, …]`` over a few levels is a reference bomb.
MAX_EXPANDED = 200_000
DEFAULT_STAGE = "dev"
DEFAULT_REGION = "us-east-1"


class _Unresolved(Exception):
    """This variable has no value a static reader can know."""


_MISSING = object()


def has_reference(value: Any) -> bool:
    """True when a scalar still holds a variable or dynamic reference: not a literal the author typed."""
    return isinstance(value, str) and bool(_ANY_REFERENCE.search(value))


class Resolver:
    """Resolve the variables of one ``serverless.yml`` configuration."""

    def __init__(
        self,
        config: Any,
        service_dir: Path,
        root: Path,
        variables: Mapping[str, str] | None = None,
        origin: str = "",
    ):
        """``variables``: ``KEY=VALUE`` pairs from ``--var``; ``opt:NAME`` keys set CLI options, others ``env:``."""
        self.raw = config
        self.service_dir = service_dir
        self.root = root.resolve()
        self.origin = origin
        variables = variables or {}
        self.env = {k: v for k, v in variables.items() if not k.startswith("opt:")}
        self.options = {k[4:]: v for k, v in variables.items() if k.startswith("opt:")}
        self.unresolved: list[str] = []  # every reference left as written, for warnings
        self.files_read: set[str] = set()
        self.refused: list[str] = []  # ${file(…)} paths that leave the scan root, as shown to the user
        self._memo: dict[tuple[Any, ...], Any] = {}
        self._active: set[tuple[Any, ...]] = set()
        self._steps = 0
        self._sizes: dict[int, int] = {}  # id of a resolved container -> values in it, as a tree
        self._expanded = 0
        self.bomb: str | None = None  # the first reference refused because it expands too far

    # -- public -----------------------------------------------------------------------
    def resolve(self) -> Any:
        """The whole configuration with every resolvable variable replaced."""
        return self._full(("self",), self.raw)

    def stage(self) -> str:
        return self._setting("stage", DEFAULT_STAGE)

    def region(self) -> str:
        return self._setting("region", DEFAULT_REGION)

    # -- tree walking -----------------------------------------------------------------
    def _full(self, trail: tuple[Any, ...], node: Any) -> Any:
        """``node`` with every variable inside it resolved (memoised per position)."""
        if trail in self._memo:
            return self._memo[trail]
        if trail in self._active:
            return node  # a cycle: leave what is written
        self._active.add(trail)
        try:
            value = self._shallow(trail, node)
            if isinstance(value, dict | list) and id(value) in self._sizes:
                pass  # a variable's value, already resolved where it is defined: shared, not copied again
            elif isinstance(value, dict):
                out = LDict()
                _copy_location(value, out)
                out.key_lines = dict(getattr(value, "key_lines", {}))
                for key, child in value.items():
                    out[key] = self._full((*trail, str(key)), child)
                value = out
            elif isinstance(value, list):
                items = LList(self._full((*trail, index), child) for index, child in enumerate(value))
                _copy_location(value, items)
                items.item_lines = list(getattr(value, "item_lines", []))
                value = items
            if isinstance(value, dict | list):
                self._sizes[id(value)] = self._size(value)
        finally:
            self._active.discard(trail)
        self._memo[trail] = value
        return value

    def _shallow(self, trail: tuple[Any, ...], node: Any) -> Any:
        """Resolve ``node`` itself when it is a string with variables; containers are returned as they are."""
        if not isinstance(node, str) or "${" not in node:
            return node
        key = ("shallow", *trail)
        if key in self._memo:
            return self._memo[key]
        value = self._string(node)
        self._memo[key] = value
        return value

    def _lookup(self, root_trail: tuple[Any, ...], root: Any, path: list[str]) -> Any:
        """Walk ``path`` from ``root``, resolving only the nodes on the way (not whole subtrees)."""
        node, trail = root, root_trail
        for part in path:
            node = self._shallow(trail, node)
            step: str | int = part
            if isinstance(node, Mapping):
                if part not in node:
                    return _MISSING
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                step = int(part)
                node = node[step]
            else:
                return _MISSING
            trail = (*trail, step)
        if (trail in self._active) or any(t[: len(trail)] == trail for t in self._active if len(t) >= len(trail)):
            raise _Unresolved  # the value refers to itself, directly or through its children
        return self._full(trail, node)

    # -- strings ----------------------------------------------------------------------
    def _string(self, text: str) -> Any:
        """Resolve every ``${…}`` in ``text``, innermost first. Returns a node when the whole text is one variable."""
        spans = list(_variables(text))
        if not spans:
            return text
        if len(spans) == 1 and spans[0][0] == 0 and spans[0][1] == len(text):
            try:
                value = self._expression(text[2:-1])
            except _Unresolved:
                return text
            if isinstance(value, dict | list) and not self._expand(value, text):
                return text
            return _relocated(value, text) if isinstance(value, str) else value
        out, last = [], 0
        for start, end in spans:
            out.append(text[last:start])
            try:
                value = self._expression(text[start + 2 : end - 1])
            except _Unresolved:
                value = text[start:end]  # left as written; has_reference() tells the loader
            if isinstance(value, dict | list):
                value = text[start:end]
            out.append(_scalar_text(value))
            last = end
        out.append(text[last:])
        if sum(len(part) for part in out) > MAX_TEXT:
            self._note(text[2:-1] if text.startswith("${") else text[:80])
            return text  # a value that keeps doubling (a variable bomb): left as written
        joined = "".join(out)
        return _relocated(joined, text)

    def _expression(self, body: str) -> Any:
        """One variable body such as ``opt:stage, 'dev'`` or ``self:custom.${opt:stage}``."""
        self._steps += 1
        if self._steps > MAX_STEPS:
            raise _Unresolved
        if "${" in body:  # nested variables inside this one: resolve them first
            inner = self._string(body)
            if not isinstance(inner, str) or has_reference(inner):
                self._note(body)
                raise _Unresolved
            body = inner
        candidates = _split_top_level(body)
        for index, candidate in enumerate(candidates):
            candidate = candidate.strip()
            if not candidate:
                continue
            quoted = _QUOTED.match(candidate)
            if quoted:
                return quoted.group(2)
            if index > 0 and _NUMBER.match(candidate):
                return float(candidate) if "." in candidate else int(candidate)
            if index > 0 and candidate in ("true", "false", "null"):
                return {"true": True, "false": False, "null": None}[candidate]
            if index > 0 and not _SOURCE.match(candidate):
                return candidate  # an unquoted literal default (legacy syntax)
            source = _SOURCE.match(candidate)
            name = source.group(1) if source else ""
            if name not in _KNOWN:
                # The value lives outside the repository: unknown, and its default would be a guess.
                self._note(candidate)
                raise _Unresolved
            try:
                value = _KNOWN[name](
                    self, candidate[len(name) + 1 :].strip() if candidate[len(name)] == ":" else candidate[len(name) :]
                )
            except _Unresolved:
                if name == "aws" or (name == "sls" and not candidate.startswith("sls:stage")):
                    self._note(candidate)
                    raise
                continue
            if value is _MISSING or value is None:
                continue
            return value
        self._note(body)
        raise _Unresolved

    def _size(self, node: Any) -> int:
        """How many values ``node`` holds when walked as a tree (shared children counted each time)."""
        if not isinstance(node, dict | list):
            return 1
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        children = node.values() if isinstance(node, dict) else node
        return min(1 + sum(self._size(child) for child in children), MAX_EXPANDED + 1)

    def _expand(self, value: Any, text: str) -> bool:
        """Whether a container may replace the variable ``text``: the total copied stays in budget."""
        if self.bomb is not None:
            return False
        self._expanded += self._size(value)
        if self._expanded > MAX_EXPANDED:
            self.bomb = _masked(text[2:-1])[:120]
            self._note(text[2:-1])
            return False
        return True

    def _note(self, reference: str) -> None:
        text = _masked(reference)
        if text not in self.unresolved:
            self.unresolved.append(text)

    # -- sources ----------------------------------------------------------------------
    def _self(self, address: str) -> Any:
        path = [p for p in address.strip().split(".") if p]
        value = self._lookup(("self",), self.raw, path) if path else self._full(("self",), self.raw)
        if value is _MISSING:
            raise _Unresolved
        return value

    def _opt(self, address: str) -> Any:
        name = address.strip()
        if name in self.options:
            return self.options[name]
        raise _Unresolved

    def _env(self, address: str) -> Any:
        name = address.strip()
        if name in self.env:
            return self.env[name]
        raise _Unresolved

    def _sls(self, address: str) -> Any:
        if address.strip() == "stage":
            return self.stage()
        raise _Unresolved

    def _aws(self, address: str) -> Any:
        if address.strip() == "region":
            return self.region()
        raise _Unresolved  # accountId and the rest are only known to a deployment

    def _param(self, address: str) -> Any:
        """``${param:x}``: ``params.<stage>`` then ``params.default`` (v3), or ``stages.<stage>.params`` (v4)."""
        name, stage = address.strip(), self.stage()
        for path in (
            ["params", stage, name],
            ["stages", stage, "params", name],
            ["params", "default", name],
            ["stages", "default", "params", name],
        ):
            value = self._lookup(("self",), self.raw, path)
            if value is not _MISSING:
                return value
        raise _Unresolved

    def _file(self, address: str) -> Any:
        """``file(./x.yml)`` or ``file(./x.yml):key.path``; JavaScript and files outside the root stay unresolved."""
        match = re.match(r"^\(([^)]*)\)\s*(?::\s*(.*))?$", address.strip())
        if not match:
            raise _Unresolved
        name = match.group(1).strip().strip("'\"")
        target = (self.service_dir / name).resolve()
        if not limits.inside(target, self.root):
            shown = limits.display(target, self.root)
            if shown not in self.refused:
                self.refused.append(shown)
            raise _Unresolved  # never read outside the scan
        if target.suffix.lower() not in (".yml", ".yaml", ".json"):
            raise _Unresolved  # never run a .js/.ts file
        rel = target.relative_to(self.root).as_posix()
        trail: tuple[Any, ...] = ("file", rel)
        if ("file-raw", rel) not in self._memo:
            self._memo[("file-raw", rel)] = _read_config(target, rel)
            self.files_read.add(rel)
        loaded = self._memo[("file-raw", rel)]
        if loaded is _MISSING:
            raise _Unresolved
        path = [p for p in (match.group(2) or "").strip().split(".") if p]
        value = self._lookup(trail, loaded, path) if path else self._full(trail, loaded)
        if value is _MISSING:
            raise _Unresolved
        return value

    def _setting(self, name: str, default: str) -> str:
        if name in self.options:
            return self.options[name]
        key = ("setting", name)
        if key in self._memo:
            return str(self._memo[key])
        self._memo[key] = default  # while resolving, a self-reference sees the default
        try:
            value = self._lookup(("self",), self.raw, ["provider", name])
        except _Unresolved:
            value = _MISSING
        result = value if isinstance(value, str) and value and not has_reference(value) else default
        self._memo[key] = result
        return result


_KNOWN: dict[str, Callable[[Resolver, str], Any]] = {
    "self": Resolver._self,
    "opt": Resolver._opt,
    "env": Resolver._env,
    "sls": Resolver._sls,
    "aws": Resolver._aws,
    "param": Resolver._param,
    "file": Resolver._file,
}


def _masked(reference: str) -> str:
    """``${ssm:/db/pw, …}``: the variable as written for a warning, never its default, which may be a
    literal password (``${ssm:/db/pw, 'hunter2'}``)."""
    parts = [part.strip() for part in _split_top_level(reference)]
    if len(parts) > 1:  # fallbacks that are variables are shown; literal ones are not
        shown = [parts[0]] + [p if _SOURCE.match(p) or p.startswith("${") else "…" for p in parts[1:]]
        reference = ", ".join(shown)
    return "${" + reference + "}"


def _read_config(path: Path, rel: str) -> Any:
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return _MISSING
        value = located_yaml.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, LoadFailure):
        return _MISSING
    _mark_origin(value, rel)
    return value


def _mark_origin(node: Any, rel: str) -> None:
    """Remember which file a node came from, so locations name that file."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, LDict | LList | LStr):
            item.origin = rel  # type: ignore[union-attr]
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def origin_of(node: Any, default: str) -> str:
    return str(getattr(node, "origin", "") or default)


def _copy_location(source: Any, target: Any) -> None:
    target.line = getattr(source, "line", 0)
    target.end_line = getattr(source, "end_line", 0)
    if getattr(source, "origin", None):
        target.origin = source.origin


def _relocated(text: str, written: Any) -> LStr:
    out = LStr(text)
    _copy_location(written, out)
    return out


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _variables(text: str) -> list[tuple[int, int]]:
    """Top-level ``${…}`` spans of Serverless variables in ``text`` (nested ones stay inside)."""
    spans: list[tuple[int, int]] = []
    index = 0
    while True:
        start = text.find("${", index)
        if start < 0:
            return spans
        depth, pos = 0, start
        while pos < len(text):
            if text.startswith("${", pos):
                depth += 1
                pos += 2
                continue
            if text[pos] == "}":
                depth -= 1
                if depth == 0:
                    break
            pos += 1
        if depth != 0:
            return spans  # unbalanced: leave the rest as text
        end = pos + 1
        if _SOURCE.match(text[start + 2 : end - 1]):
            spans.append((start, end))
        index = end


def _split_top_level(body: str) -> list[str]:
    """Split ``a, b, 'c, d'`` on commas outside quotes, parentheses and nested variables."""
    parts, current, depth, quote = [], [], 0, ""
    for char in body:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
            continue
        if char in "'\"":
            quote = char
        elif char in "({":
            depth += 1
        elif char in ")}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts
