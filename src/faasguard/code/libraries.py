"""Libraries that call AWS on the code's behalf (``data/aws_libraries.toml``).

The engine follows the SDK calls a handler makes itself. A DynamoDB ORM saving a
model, or a helper fetching an SSM parameter, makes calls of its own that the engine
does not see; a function importing one has an incomplete least-privilege analysis.
This module lists, per parsed file, the imports that match a row of the table.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from tree_sitter import Node, Query, QueryCursor

from faasguard.code.facts import LibraryUse
from faasguard.code.javascript import JsModule
from faasguard.code.python import PyModule
from faasguard.model import Loc


@dataclass(frozen=True)
class Library:
    language: str  # python | javascript (TypeScript files use the javascript rows)
    name: str  # Python module or npm package; the row matches it and everything under it
    calls: str  # what it calls, for the message

    def matches(self, imported: str) -> bool:
        sep = "." if self.language == "python" else "/"
        return imported == self.name or imported.startswith(self.name + sep)


@cache
def libraries() -> tuple[Library, ...]:
    text = resources.files("faasguard").joinpath("data/aws_libraries.toml").read_text(encoding="utf-8")
    return tuple(Library(row["language"], row["name"], row["calls"]) for row in tomllib.loads(text)["library"])


def _rows(language: str) -> tuple[Library, ...]:
    return tuple(lib for lib in libraries() if lib.language == language)


def used_libraries(mod: PyModule | JsModule) -> tuple[LibraryUse, ...]:
    """The imports of ``mod`` that name a library of the table, in line order."""
    if isinstance(mod, PyModule):
        rows = _rows("python")
        if mod.tree is None or not any(lib.name.split(".")[0] in mod.text for lib in rows):
            return ()
        imports = _python_imports(mod.tree)
    else:
        rows = _rows("javascript")
        if not any(lib.name.encode() in mod.source for lib in rows):
            return ()
        imports = _js_imports(mod)
    found: dict[str, LibraryUse] = {}
    for name, line in imports:
        lib = next((lib for lib in rows if lib.matches(name)), None)
        if lib is not None and lib.name not in found:
            found[lib.name] = LibraryUse(lib.name, lib.calls, Loc(mod.rel, line, line))
    return tuple(sorted(found.values(), key=lambda use: use.loc.line or 0))


def _python_imports(tree: ast.Module) -> Iterator[tuple[str, int]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module, node.lineno
            for alias in node.names:  # from aws_lambda_powertools.utilities import parameters
                yield f"{node.module}.{alias.name}", node.lineno


_IMPORTS = """
(import_statement source: (string (string_fragment) @spec))
(export_statement source: (string (string_fragment) @spec))
(call_expression function: (identifier) @fn arguments: (arguments . (string (string_fragment) @spec)) (#eq? @fn "require"))
(call_expression function: (import) arguments: (arguments . (string (string_fragment) @spec)))
"""
_QUERIES: dict[int, Query] = {}


def _js_imports(mod: JsModule) -> Iterator[tuple[str, int]]:
    key = id(mod.grammar)
    query = _QUERIES.get(key)
    if query is None:
        query = _QUERIES[key] = Query(mod.grammar, _IMPORTS)
    for _, captures in QueryCursor(query).matches(mod.root):
        for node in captures.get("spec", ()):
            yield _text(node), node.start_point[0] + 1


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")
