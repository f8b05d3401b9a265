"""JavaScript and TypeScript files for the engine, parsed with tree-sitter (never run).

The grammars are the official ``tree-sitter-javascript`` and ``tree-sitter-typescript``
wheels; tree-sitter recovers from syntax errors, so a file with a broken function still
yields facts for the rest. :class:`JsModule` is one parsed file with the facts that do not
depend on the function: string literals under a name, console calls and its reachability
units. :mod:`faasguard.code.javascript` walks the functions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Query, QueryCursor

from faasguard.code.engine import tables
from faasguard.code.reach import ModuleUnits, Unit, identifiers
from faasguard.model import Loc

JS = Language(tree_sitter_javascript.language())
TS = Language(tree_sitter_typescript.language_typescript())
TSX = Language(tree_sitter_typescript.language_tsx())

# One query per file for the facts that do not depend on the function: string literals under a name (for the
# secret scanner; provider formats such as keys and tokens are found in the whole text, as for Python) and
# console.* calls. Running it once costs little more than either half alone.
_FILE_FACTS = """
(variable_declarator name: (identifier) @name value: (string) @value)
(pair key: (_) @name value: (string) @value)
(assignment_expression left: (_) @name right: (string) @value)
(call_expression function: (member_expression object: (identifier) @obj property: (property_identifier) @method)
  (#eq? @obj "console"))
"""
# The package names a file imports: ESM import/export-from, require("x"), import("x").
_IMPORTS = """
(import_statement source: (string (string_fragment) @spec))
(export_statement source: (string (string_fragment) @spec))
(call_expression function: (identifier) @fn arguments: (arguments . (string (string_fragment) @spec)) (#eq? @fn "require"))
(call_expression function: (import) arguments: (arguments . (string (string_fragment) @spec)))
"""
_QUERIES: dict[tuple[int, str], Query] = {}


def _query(grammar: Language, text: str) -> Query:
    key = (id(grammar), text)
    query = _QUERIES.get(key)
    if query is None:
        query = _QUERIES[key] = Query(grammar, text)
    return query


def grammar_of(path: Path, language: str) -> Language:
    """The grammar a JavaScript or TypeScript file is parsed with."""
    return TSX if path.suffix.lower() == ".tsx" else TS if language == "typescript" else JS


def compile_queries(grammars: set[Language]) -> None:
    """Compile the per-file query of these grammars now (the scan does it before its workers fork: compiling a
    query costs more than parsing a file, and each worker would compile its own). The import query is left to the
    first file that asks for it (:meth:`JsModule.imports`: a dozen function files of the corpus name a library of
    the table), in the worker that has it."""
    for grammar in grammars:
        _query(grammar, _FILE_FACTS)


TABLES = tables("javascript")
CONSOLE = {call.split(".", 1)[1] for call in TABLES.print_calls}


def _text(node: Node | None) -> str:
    return node.text.decode("utf-8", "replace") if node is not None and node.text is not None else ""


def _string_value(node: Node) -> str:
    return "".join(_text(c) for c in node.named_children if c.type in ("string_fragment", "escape_sequence"))


@dataclass(eq=False)
class JsModule:
    """One parsed JavaScript/TypeScript file."""

    path: Path
    rel: str
    source: bytes
    root: Node
    language: str
    error: str | None = None
    log_library: bool = False
    lines: list[bytes] = field(default_factory=list)
    grammar: Language = JS
    uses_sdk: bool = False  # mentions aws-sdk / @aws-sdk: functions must be walked for SDK calls

    @classmethod
    def parse(cls, path: Path, rel: str, text: str, language: str) -> JsModule:
        lang = grammar_of(path, language)
        source = text.encode("utf-8")
        tree = Parser(lang).parse(source)
        root = tree.root_node
        error = None
        if root.has_error:
            bad = _first_error(root)
            line = bad.start_point[0] + 1 if bad is not None else "?"
            error = f"{language} syntax error near line {line}; the rest of the file was still analysed"
        mod = cls(path, rel, source, root, language, error, lines=source.split(b"\n"), grammar=lang)
        mod.log_library = any(lib.encode() in source for lib in TABLES.log_libraries)
        mod.uses_sdk = any(name.encode() in source for name in TABLES.sdk_modules)
        return mod

    def loc(self, node: Node) -> Loc:
        return Loc(self.rel, node.start_point[0] + 1, node.end_point[0] + 1)

    def snippet(self, node: Node) -> str:
        return self.snippet_at(self.loc(node))

    def snippet_at(self, loc: Loc) -> str:
        row = (loc.line or 1) - 1
        return self.lines[row].decode("utf-8", "replace").strip() if row < len(self.lines) else ""

    def console_calls(self) -> Iterator[Loc]:
        """console.* calls, found by query without walking the functions (for code with no SDK use)."""
        yield from self._file_facts()[1]

    def string_literals(self) -> Iterator[tuple[str | None, str, int]]:
        yield from self._file_facts()[0]

    def _file_facts(self) -> tuple[list[tuple[str | None, str, int]], list[Loc]]:
        cached = self.__dict__.get("_facts")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        query = _query(self.grammar, _FILE_FACTS)
        literals: list[tuple[str | None, str, int]] = []
        consoles: list[Loc] = []
        for _, caps in QueryCursor(query).matches(self.root):
            if "name" in caps and "value" in caps:
                name_node, value_node = caps["name"][0], caps["value"][0]
                name = _text(name_node)
                if name_node.type == "member_expression":
                    name = _text(name_node.child_by_field_name("property"))
                elif name_node.type == "string":
                    name = _string_value(name_node)
                literals.append((name, _string_value(value_node), value_node.start_point[0] + 1))
            elif "method" in caps:
                node = caps["method"][0]
                if _text(node) in CONSOLE and node.parent is not None and node.parent.parent is not None:
                    consoles.append(self.loc(node.parent.parent))
        self.__dict__["_facts"] = facts = (literals, consoles)
        return facts


    def imports(self) -> Iterator[tuple[str, int]]:
        """(package specifier, line) of every import and require with a literal name."""
        for _, caps in QueryCursor(_query(self.grammar, _IMPORTS)).matches(self.root):
            for node in caps.get("spec", ()):
                yield _text(node), node.start_point[0] + 1

    def units(self) -> ModuleUnits:
        """Functions, classes and module-level names, for :func:`faasguard.code.reach.reachable`."""
        cached = self.__dict__.get("_units")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        out = ModuleUnits()
        for node in self.root.named_children:
            _top_units(node, out)
        self.__dict__["_units"] = out
        return out


def _outer_functions(node: Node) -> tuple[int, ...]:
    """Ids of the function nodes in ``node`` that are not inside another function."""
    found: list[int] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in FUNCTION_TYPES:
            found.append(current.id)
            continue
        stack.extend(current.named_children)
    return tuple(found)


def _top_units(node: Node, out: ModuleUnits) -> None:
    t = node.type
    if t in ("function_declaration", "generator_function_declaration", "class_declaration"):
        name = _text(node.child_by_field_name("name"))
        out.units.append(Unit(name, _text(node), _outer_functions(node)))
    elif t in ("lexical_declaration", "variable_declaration"):
        for decl in node.named_children:
            if decl.type == "variable_declarator":
                name_node = decl.child_by_field_name("name")
                names = [n for n in _walk_named(name_node) if n.type in ("identifier", "shorthand_property_identifier_pattern")]
                for name_part in names:
                    out.units.append(Unit(_text(name_part), _text(decl), _outer_functions(decl)))
    elif t == "export_statement":
        declaration = node.child_by_field_name("declaration")
        if declaration is not None:
            _top_units(declaration, out)
        else:
            out.units.append(Unit("default", _text(node), _outer_functions(node)))
            out.roots |= identifiers(_text(node))  # export { a as handler }: the local names are what is exported
    elif t == "expression_statement" and node.named_children and node.named_children[0].type == "assignment_expression":
        assign = node.named_children[0]
        left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
        target = _text(left)
        if target in ("module.exports", "exports") and right is not None and right.type == "object":
            for prop in right.named_children:
                key = prop.child_by_field_name("key") or prop.child_by_field_name("name")
                name = _prop_name(key) if key is not None else _text(prop)
                out.units.append(Unit(name, _text(prop), _outer_functions(prop)))
        elif target.startswith(("module.exports.", "exports.")) and left is not None:
            out.units.append(Unit(_text(left.child_by_field_name("property")), _text(assign), _outer_functions(assign)))
        else:  # module.exports = handler, app.handler = …: run at load
            out.units.append(Unit("<top>", _text(node), _outer_functions(node)))
            out.roots.add("<top>")
    elif t not in ("import_statement", "comment", "empty_statement"):
        out.units.append(Unit("<top>", _text(node), _outer_functions(node)))  # app.get("/x", (req, res) => …) runs at load
        out.roots.add("<top>")


def _walk_named(node: Node | None) -> Iterator[Node]:
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.named_children)


def _first_error(node: Node) -> Node | None:
    cursor = node.walk()
    stack = [node]
    del cursor
    while stack:
        current = stack.pop()
        if current.type == "ERROR" or current.is_missing:
            return current
        if current.has_error:
            stack.extend(reversed(current.children))
    return None


FUNCTION_TYPES = {"function_declaration", "function_expression", "arrow_function", "function", "method_definition",
                  "generator_function_declaration", "generator_function"}


def _prop_name(node: Node) -> str:
    if node.type == "string":
        return _string_value(node)
    return _text(node)
