"""Python files for the engine: parsed once with :mod:`ast` (never imported, never run).

:class:`PyModule` is one parsed file, shared by every function that uses it, with the facts
that do not depend on the function: its functions and classes, its reachability units
(functions, classes, module-level names, routes), print calls and named string literals
(one walk of the whole tree). :mod:`faasguard.code.python` walks the functions.
"""

from __future__ import annotations

import ast
import itertools
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from faasguard.code.engine import tables
from faasguard.code.modeldata import shared
from faasguard.code.pysyntax import downlevel_fstrings
from faasguard.code.reach import ModuleUnits, Unit, identifiers
from faasguard.model import Loc

FuncNode = ast.FunctionDef | ast.AsyncFunctionDef
TABLES = tables("python")

# Names find_secret treats as password-like all contain one of these words (shared.toml sensitive_words); files
# without any are not walked for literals.
SENSITIVE_WORDS = tuple(shared()["sensitive_words"])
SENSITIVE_HINT = re.compile("(?i)" + "|".join(re.escape(word) for word in SENSITIVE_WORDS))


@dataclass(eq=False)
class PyModule:
    """One parsed Python file and the facts about it that do not depend on the function."""

    path: Path
    rel: str
    tree: ast.Module | None
    error: str | None = None
    functions: dict[str, FuncNode] = field(default_factory=dict)
    classes: dict[str, dict[str, FuncNode]] = field(default_factory=dict)
    log_library: bool = False
    uses_sdk: bool = False  # imports boto3/botocore: functions must be walked for SDK calls
    text: str = ""
    split: list[str] | None = None  # the lines of the file, made when first asked for (see :attr:`lines`)
    rewritten: bool = False  # the tree is of the text with its f-strings rewritten (see :func:`_newer_syntax`)

    @property
    def lines(self) -> list[str]:
        if self.split is None:
            self.split = self.text.splitlines()
        return self.split

    @classmethod
    def parse(cls, path: Path, rel: str, text: str) -> PyModule:
        rewritten = False
        try:
            tree = ast.parse(text, filename=rel, type_comments=False)
        except SyntaxError as exc:
            newer = _newer_syntax(text, rel)
            if newer is None:
                return cls(path, rel, None, f"Python syntax error at line {exc.lineno}: {exc.msg}; the file was not analysed",
                           split=text.splitlines())
            tree = newer
            rewritten = True
        except (ValueError, RecursionError, MemoryError) as exc:
            return cls(path, rel, None, f"could not be parsed as Python ({type(exc).__name__}); the file was not analysed",
                       split=text.splitlines())
        module = cls(path, rel, tree, text=text, rewritten=rewritten)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                module.functions[node.name] = node
            elif isinstance(node, ast.ClassDef):
                module.classes[node.name] = {
                    item.name: item for item in node.body if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                }
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                if any(n.split(".")[0] in TABLES.log_libraries for n in names):
                    module.log_library = True
                if any(n.split(".")[0] in TABLES.sdk_modules for n in names):
                    module.uses_sdk = True
        if not module.uses_sdk and any(name in text for name in TABLES.sdk_modules):
            module.uses_sdk = True  # imported inside a function
        return module

    def loc(self, node: ast.AST) -> Loc:
        line = getattr(node, "lineno", None)
        return Loc(self.rel, line, getattr(node, "end_lineno", None) or line)

    def snippet(self, node: ast.AST) -> str:
        line = getattr(node, "lineno", 0)
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""

    def print_calls(self) -> Iterator[Loc]:
        yield from self._tree_facts()[0]

    def text_of(self, node: ast.AST) -> str:
        first, last = getattr(node, "lineno", 1), getattr(node, "end_lineno", None) or getattr(node, "lineno", 1)
        return "\n".join(self.lines[first - 1 : last])

    def units(self) -> ModuleUnits:
        """Functions, classes and module-level names, for :func:`faasguard.code.reach.reachable`."""
        cached = self.__dict__.get("_units")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        out = ModuleUnits()
        for node in self.tree.body if self.tree is not None else []:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                out.units.append(Unit(node.name, self.text_of(node), (id(node),)))
                if any(_route_decorator(d) for d in node.decorator_list):
                    out.roots.add(node.name)
                    out.routes[id(node)] = next((_decorator_base(d) for d in node.decorator_list if _route_decorator(d)), "")
            elif isinstance(node, ast.ClassDef):
                methods = tuple(id(m) for m in node.body if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef))
                out.units.append(Unit(node.name, self.text_of(node), methods))
            elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                text = self.text_of(node)
                lambdas = [n for n in ast.walk(node) if isinstance(n, ast.Lambda)] if "lambda" in text else []
                out.lambdas.extend(lambdas)
                for target in targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            out.units.append(Unit(name.id, text, tuple(id(n) for n in lambdas)))
            elif not isinstance(node, ast.Import | ast.ImportFrom):
                out.roots |= identifiers(self.text_of(node))  # top-level code runs at import: what it names is reached
        self.__dict__["_units"] = out
        return out

    def string_literals(self) -> Iterator[tuple[str | None, str, int]]:
        """(name it is assigned to, value, line) for string literals under a name, for the secret scanner.

        Provider formats (keys, tokens) are found in the whole text by the caller, so the tree is
        only walked when some name in the file could hold a password."""
        yield from self._tree_facts()[1]

    def imports(self) -> Iterator[tuple[str, int]]:
        """(module name, line) of every absolute import, anywhere in the file; ``from a.b import c`` gives
        ``a.b`` and ``a.b.c`` (c may be a submodule)."""
        if self.tree is None:
            return
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, node.lineno
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield node.module, node.lineno
                for alias in node.names:
                    yield f"{node.module}.{alias.name}", node.lineno

    def _tree_facts(self) -> tuple[list[Loc], list[tuple[str | None, str, int]]]:
        """One walk of the whole tree for both print calls and named literals (walks dominate the cost)."""
        cached = self.__dict__.get("_facts")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        want_prints = "print" in self.text
        want_literals = _sensitive_hint(self.text)
        facts: tuple[list[Loc], list[tuple[str | None, str, int]]] = ([], [])
        if self.tree is not None and (want_prints or want_literals):
            hints = None if self.rewritten else _hinted_lines(self.tree, self.text, want_prints, want_literals)
            if want_literals:  # every line with a quote is hinted: good for quote_lines too
                self.__dict__["_quote_lines"] = hints
            facts = _walk_facts(self.tree, want_prints, want_literals, self.loc, hints)
        self.__dict__["_facts"] = facts
        return facts

    def stored_names(self, body: list[ast.stmt]) -> set[str]:
        """The names the statements of ``body`` (a list in this module's tree) assign to, at any depth (kept by the id of
        its first statement: every function walked asks it of the same bodies)."""
        kept: dict[int, set[str]] = self.__dict__.setdefault("_stores", {})
        names = kept.get(id(body[0]))
        if names is None:
            names = kept[id(body[0])] = _stored_names(body)
        return names

    def quote_lines(self) -> list[int] | None:
        """Hints for :func:`walk` that leave out only statements without a string or bytes literal (their lines
        hold no quote; those with ``print`` may be kept too), or None when the lines cannot tell."""
        if "_quote_lines" not in self.__dict__:
            self.__dict__["_quote_lines"] = None if self.rewritten or self.tree is None else \
                _hinted_lines(self.tree, self.text, False, True)
        return self.__dict__["_quote_lines"]  # type: ignore[no-any-return]


def _stored_names(body: list[ast.stmt]) -> set[str]:
    return {n.id for stmt in body for n in walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _newer_syntax(text: str, rel: str) -> ast.Module | None:
    """A file only a newer Python parses (PEP 701 f-strings under 3.11): parse it with its f-strings rewritten."""
    if sys.version_info >= (3, 12) or "f" not in text:
        return None
    rewritten = downlevel_fstrings(text)
    if rewritten is None:
        return None
    try:
        return ast.parse(rewritten, filename=rel, type_comments=False)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


# The characters beyond ASCII that re's ``(?i)`` matches to an ASCII letter: dotted and dotless I to i, the Kelvin
# sign to k, the long s to s. With them folded, no other character lowers to one (a test checks all of Unicode).
_FOLD_TO_ASCII = {"\u0130": "i", "\u0131": "i", "\u212a": "k", "\u017f": "s"}
_FOLD_TABLE = str.maketrans(_FOLD_TO_ASCII)


def _sensitive_hint(text: str) -> bool:
    """``SENSITIVE_HINT.search(text)``, without a case-insensitive regex over the whole file (the words are lower-case
    ASCII letters: a character matches one under ``(?i)`` exactly when it lowers to it, once folded)."""
    if not text.isascii() and any(char in text for char in _FOLD_TO_ASCII):
        text = text.translate(_FOLD_TABLE)
    lowered = text.lower()
    return any(word in lowered for word in SENSITIVE_WORDS)


# Fields that never hold a node, or only nodes that cannot contain a call, an assignment, a dict or a comparison.
_SKIP_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "arg", "asname", "module", "level", "type_comment", "kind",
                          "conversion", "is_async", "simple", "kwd_attrs", "rest", "tag", "lineno", "type_ignores"})
_SKIP_BY_CLASS: dict[type, set[str]] = {ast.FunctionDef: {"name"}, ast.AsyncFunctionDef: {"name"}, ast.ClassDef: {"name"},
                                        ast.ExceptHandler: {"name"}, ast.MatchAs: {"name"}, ast.MatchStar: {"name"},
                                        ast.MatchSingleton: {"value"}}
# Nodes with no such descendant: the walk does not enter them.
_LEAVES = (ast.Constant, ast.Name, ast.Pass, ast.Break, ast.Continue, ast.Global, ast.Nonlocal, ast.Import, ast.ImportFrom,
           ast.alias, ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    """The fields of ``cls`` worth entering (computed once per node class; unknown classes keep all their fields)."""
    fields: tuple[str, ...] = ()
    if issubclass(cls, ast.AST) and not issubclass(cls, _LEAVES):
        skip = _SKIP_FIELDS | _SKIP_BY_CLASS.get(cls, set())
        fields = tuple(f for f in cls._fields if f not in skip)
    _CHILD_FIELDS[cls] = fields
    return fields


def walk(tree: ast.AST, hints: list[int] | None = None) -> Iterator[ast.AST]:
    """The nodes of ``tree`` in :func:`ast.walk` order, but for those no analysis looks at: expression contexts,
    operators, the aliases of an import and type-ignore comments (3x faster than ``ast.walk``: only fields
    that can hold nodes are read).

    With ``hints`` (see :func:`_hinted_lines`), without the statements none of whose lines is hinted, nor anything
    inside them; the nodes it gives keep their order. With hints of the lines that hold a quote, what it leaves out
    holds no string or bytes literal (every one starts and ends with a quote)."""
    child_fields, statement_lists = _CHILD_FIELDS, _STATEMENT_LISTS
    queue: list[ast.AST] = [tree]
    for node in queue:
        yield node
        cls = node.__class__
        fields = child_fields.get(cls)
        if fields is None:
            fields = _child_fields(cls)
        for field_name in fields:
            child = getattr(node, field_name, None)
            if child is None:
                continue
            if child.__class__ is not list:
                queue.append(child)
            elif hints is None or field_name not in statement_lists:
                queue.extend(child)
            else:
                queue.extend(_hinted_statements(child, hints))


def _hinted_statements(statements: list[ast.stmt], hints: list[int]) -> list[ast.stmt]:
    """The statements of a body some of whose lines are hinted (see :func:`_hinted_lines`), in their order."""
    decorated = _DECORATED
    kept = []
    for statement in statements:  # a definition's lines start at its first decorator, above its def
        decorators = statement.decorator_list if statement.__class__ in decorated else None  # type: ignore[attr-defined]
        first = decorators[0].lineno if decorators else statement.lineno
        if hints[statement.end_lineno] != hints[first - 1]:  # type: ignore[index]  # a statement has its end
            kept.append(statement)
    return kept


# The fields that hold a list of statements (of every node class that has one of these names as a list).
_STATEMENT_LISTS = frozenset({"body", "orelse", "finalbody"})
# Statements whose decorators are written above their first line: their lines start at the first decorator's.
_DECORATED = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef})


def _hinted_lines(tree: ast.Module, text: str, want_prints: bool, want_literals: bool) -> list[int] | None:
    """``counts[n]``: how many of the first ``n`` lines of ``text`` could hold a fact :func:`_walk_facts` wants (a
    quote, which starts and ends every string literal; the name ``print``). A statement whose lines hold none of
    them holds no such fact. None when that cannot be said from the text: a name may be written with other
    characters that Python normalises to ``print`` (not ASCII), or the lines are not those of the tree.

    Lines are counted as Python's tokenizer counts them (a ``\r\n`` or a lone ``\r`` ends a line as ``\n`` does;
    a form feed does not)."""
    if not text.isascii():
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if tree.body and (tree.body[-1].end_lineno or 0) > len(lines):
        return None
    if want_literals and want_prints:
        flags = ['"' in line or "'" in line or "print" in line for line in lines]
    elif want_literals:
        flags = ['"' in line or "'" in line for line in lines]
    else:
        flags = ["print" in line for line in lines]
    return [0, *itertools.accumulate(flags)]


def _walk_facts(tree: ast.AST, want_prints: bool, want_literals: bool, loc: Callable[[ast.AST], Loc],
                hints: list[int] | None = None) -> tuple[list[Loc], list[tuple[str | None, str, int]]]:
    """Print calls and named string literals, in :func:`ast.walk` order (:func:`walk`, breadth-first like
    ``ast.walk``: the order decides which name a literal found twice on a line keeps). Dispatch is on the
    exact node class.

    The walk is :func:`walk` written out in the loop (a generator's resumption and the lookups of the node classes
    on :mod:`ast` for each node were a third of the time): every node is looked at in the order walk yields it.

    With ``hints`` (:func:`_hinted_lines`), a statement none of whose lines could hold a wanted fact is not
    entered (more than half the nodes of a library). What it leaves out holds nothing the walk keeps, and the
    nodes it visits keep their order."""
    prints: list[Loc] = []
    literals: list[tuple[str | None, str, int]] = []
    call, assign, ann_assign, dict_, compare, constant = ast.Call, ast.Assign, ast.AnnAssign, ast.Dict, ast.Compare, ast.Constant
    name_, attribute = ast.Name, ast.Attribute
    wanted = {call} if not want_literals else {call, assign, ann_assign, dict_, compare}
    child_fields, statement_lists = _CHILD_FIELDS, _STATEMENT_LISTS
    queue: list[ast.AST] = [tree]
    for node in queue:
        cls = node.__class__
        fields = child_fields.get(cls)
        if fields is None:
            fields = _child_fields(cls)
        for field_name in fields:
            child = getattr(node, field_name, None)
            if child is None:
                continue
            if child.__class__ is not list:
                queue.append(child)
            elif hints is None or field_name not in statement_lists:
                queue.extend(child)
            else:
                queue.extend(_hinted_statements(child, hints))
        if cls not in wanted:
            continue
        if cls is call:
            if want_prints:
                func = node.func  # type: ignore[attr-defined]
                if func.__class__ is name_ and func.id == "print":
                    prints.append(loc(node))
            if want_literals:
                for kw in node.keywords:  # type: ignore[attr-defined]
                    value = kw.value
                    if kw.arg and value.__class__ is constant and isinstance(value.value, str):
                        literals.append((kw.arg, value.value, value.lineno))
        elif cls is assign or cls is ann_assign:
            value = node.value  # type: ignore[attr-defined]
            if value.__class__ is constant and isinstance(value.value, str):
                for target in node.targets if cls is assign else [node.target]:  # type: ignore[attr-defined]
                    name = _target_name(target)
                    if name:
                        literals.append((name, value.value, value.lineno))
        elif cls is dict_:
            for key, value in zip(node.keys, node.values):  # type: ignore[attr-defined]
                if (key.__class__ is constant and isinstance(key.value, str)
                        and value.__class__ is constant and isinstance(value.value, str)):
                    literals.append((key.value, value.value, value.lineno))
        else:  # a comparison
            left = node.left  # type: ignore[attr-defined]
            if (left.__class__ is name_ or left.__class__ is attribute) and len(node.comparators) == 1:  # type: ignore[attr-defined]
                # `if password == "hunter2"` compares against a literal credential.
                other = node.comparators[0]  # type: ignore[attr-defined]
                name = _target_name(left)
                if name and other.__class__ is constant and isinstance(other.value, str):
                    literals.append((name, other.value, other.lineno))
    return prints, literals


def _target_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    return None



def _route_decorator(node: ast.expr) -> bool:
    """``@app.get("/items")``, ``@functions_framework.http``: the framework calls the function, not a handler."""
    return decorator_name(node) in TABLES.route_decorators and isinstance(node, ast.Call | ast.Attribute)


def _decorator_base(node: ast.expr) -> str:
    """``@app.get("/x")`` → ``app``: the object the route belongs to."""
    if isinstance(node, ast.Call):
        node = node.func
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def decorator_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""
