"""One Terraform module directory, parsed: its blocks with their files and lines.

Terraform reads every ``.tf`` file of a directory as one module, and references cross
files, so the unit faasguard loads is the directory. The parser gives each block its
first and last line and the line of each of its attributes, so findings point at
``runtime = "python3.7"`` rather than at the resource (:meth:`Block.attr_loc`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faasguard.loaders.terraform.refs import META_KEYS, Scope, target
from faasguard.model import Loc

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')


@dataclass
class SourceFile:
    path: str  # relative to the scan root
    lines: list[str]


@dataclass
class Block:
    """A resource, data source, module call or nested block, with where it is written."""

    kind: str  # resource type ("aws_lambda_function"), "module", or the nested block's name
    name: str
    body: Mapping[str, Any]
    file: SourceFile
    start: int
    end: int
    address: str = ""

    @property
    def path(self) -> str:
        return self.file.path

    def loc(self) -> Loc:
        return Loc(self.file.path, self.start or None, self.end or None)

    def get(self, name: str, default: Any = None) -> Any:
        return self.body.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.body

    def blocks(self, name: str) -> list[Block]:
        """Nested blocks called ``name`` (``environment``, ``statement``, ``ingress`` …)."""
        raw = self.body.get(name)
        out = []
        for item in raw if isinstance(raw, list) else []:
            if isinstance(item, Mapping) and "__start_line__" in item:
                out.append(Block(name, "", item, self.file, int(item["__start_line__"]), int(item["__end_line__"]), self.address))
        return out

    def entries(self, name: str) -> list[Block]:
        """Nested blocks called ``name``, or the objects of an attribute list ``name = [{…}, …]``.

        Terraform accepts both for ``ingress``/``egress`` (attributes as blocks); list items
        have no lines of their own in the parsed dict, so they are placed on the attribute's line.
        """
        found = self.blocks(name)
        raw = self.body.get(name)
        if found or not isinstance(raw, list):
            return found
        line = self.attr_line(name) or self.start
        return [Block(name, "", item, self.file, line, line, self.address) for item in raw if isinstance(item, Mapping)]

    def block(self, name: str) -> Block | None:
        found = self.blocks(name)
        return found[0] if found else None

    def attr_line(self, name: str) -> int | None:
        """The line where attribute (or nested block) ``name`` is written directly in this block.

        The parser records it (``__attribute_lines__``); for a name it did not record (a body
        built by the Pulumi loader, or a name only nested deeper) the block's lines are searched.
        """
        exact = self.body.get("__attribute_lines__")
        if isinstance(exact, Mapping) and name in exact:
            return int(exact[name])
        pattern = re.compile(rf'^\s*"?{re.escape(name)}"?\s*(=|\{{)')
        depth, fallback = 0, None
        for number in range(self.start, min(self.end, len(self.file.lines)) + 1):
            line = self.file.lines[number - 1]
            if number > self.start and pattern.match(line):
                if depth == 1:
                    return number
                fallback = fallback or number
            bare = _STRINGS.sub('""', line.split("#", 1)[0] if '"' not in line else line)
            depth += bare.count("{") + bare.count("[") + bare.count("(") - bare.count("}") - bare.count("]") - bare.count(")")
        return fallback

    def attr_loc(self, name: str) -> Loc:
        line = self.attr_line(name)
        return Loc(self.file.path, line, line) if line else self.loc()

    def key_loc(self, key: str, after: int | None = None) -> Loc:
        """The line of a map key (``DB_PASSWORD = …``) inside this block, at or after line ``after``."""
        pattern = re.compile(rf'^\s*["\']?{re.escape(key)}["\']?\s*[=:]')
        for number in range(after or self.start, min(self.end, len(self.file.lines)) + 1):
            if pattern.match(self.file.lines[number - 1]):
                return Loc(self.file.path, number, number)
        return self.attr_loc(key) if after is None else Loc(self.file.path, after, after)

    def find_lines(self, pattern: re.Pattern[str], start: int | None = None) -> list[int]:
        first = start or self.start
        return [n for n in range(first, min(self.end, len(self.file.lines)) + 1) if pattern.search(self.file.lines[n - 1])]


@dataclass
class Module:
    """Every block of one module directory, by address."""

    directory: Path
    rel: str
    resources: dict[str, Block] = field(default_factory=dict)  # "aws_lambda_function.api"
    data: dict[str, Block] = field(default_factory=dict)  # "data.aws_iam_policy_document.x"
    modules: dict[str, Block] = field(default_factory=dict)  # "module.lambda"
    variables: dict[str, Any] = field(default_factory=dict)  # name → default (only when it has one)
    locals: dict[str, Any] = field(default_factory=dict)
    scope: Scope = field(init=False)

    def of_type(self, *types: str) -> Iterator[Block]:
        for block in self.resources.values():
            if block.kind in types:
                yield block

    def data_of_type(self, *types: str) -> Iterator[Block]:
        for block in self.data.values():
            if block.kind in types:
                yield block

    def lookup(self, address: str | None) -> Block | None:
        if not address:
            return None
        return self.resources.get(address) or self.data.get(address) or self.modules.get(address)

    def target(self, raw: Any) -> str | None:
        """The address a value refers to; through ``local.x`` too, when the local is a plain reference."""
        found = target(raw)
        if found is None and isinstance(raw, str) and raw.startswith("${local."):
            value = self.scope.value(raw)
            found = target(value) if isinstance(value, str) else None
        return found

    def target_type(self, raw: Any) -> str | None:
        block = self.lookup(self.target(raw))
        return block.kind if block else None


def add_file(module: Module, file: SourceFile, parsed: Mapping[str, Any]) -> None:
    """Add the blocks parsed from one file (:func:`.hcl_tree.parse`) to the module."""
    for entry in _entries(parsed.get("resource")):
        for kind, named in entry.items():
            for name, body in _named(named):
                module.resources[f"{kind}.{name}"] = _block(kind, name, body, file, f"{kind}.{name}")
    for entry in _entries(parsed.get("data")):
        for kind, named in entry.items():
            for name, body in _named(named):
                module.data[f"data.{kind}.{name}"] = _block(kind, name, body, file, f"data.{kind}.{name}")
    for entry in _entries(parsed.get("module")):
        for name, body in _named(entry):
            module.modules[f"module.{name}"] = _block("module", name, body, file, f"module.{name}")
    for entry in _entries(parsed.get("variable")):
        for name, body in _named(entry):
            if "default" in body:
                module.variables[name] = body["default"]
    for entry in _entries(parsed.get("locals")):
        for name, value in entry.items():
            if name not in META_KEYS:
                module.locals[name] = value


def _entries(raw: Any) -> list[Mapping[str, Any]]:
    return [e for e in raw if isinstance(e, Mapping)] if isinstance(raw, list) else []


def _named(raw: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(raw, Mapping):
        for name, body in raw.items():
            if name not in META_KEYS and isinstance(body, Mapping):
                yield str(name), body


def _block(kind: str, name: str, body: Mapping[str, Any], file: SourceFile, address: str) -> Block:
    start = int(body.get("__start_line__") or 0)
    end = int(body.get("__end_line__") or start)
    return Block(kind, name, body, file, start, end, address)
