"""Terraform files parsed with tree-sitter-hcl into the dict shape of python-hcl2 7.x.

The Terraform loader reads the structure python-hcl2 7.3 gives (``hcl2.loads(text,
with_meta=True)``): a body is a dict; blocks are lists of dicts carrying
``__start_line__``/``__end_line__``; literals are Python values; every other expression
is its text wrapped in ``${…}``, written the way python-hcl2's transformer writes it
(``jsonencode({"a": 1})`` with JSON inside, ``[for k , v in m : v]``, ``x ? True : 1``).
:mod:`.refs` re-reads that text (``jsonencode`` arguments, ``var``/``local`` references),
so this module reproduces python-hcl2's rendering rule for rule, quirks included, rather
than inventing a second dialect. One key is added: each block's ``__attribute_lines__``
maps its attributes and nested blocks to the line they start on, which python-hcl2 did
not know (the loader searched the block's text for them). ``tests/loaders/test_hcl_tree.py``
compares the two on every corpus ``.tf`` file and on the test fixtures.

tree-sitter parses in C and keeps every node's position; walking its tree costs a
fraction of building lark's parse tree. Where python-hcl2 rejected valid Terraform
(one-letter heredoc markers, ``${~ x ~}`` strip markers), this parser reads it. Syntax
errors give the line and column of the first error, never the text there (it may be a
private key).
"""

from __future__ import annotations

import json
import re
from typing import Any

from tree_sitter import Node

START_LINE = "__start_line__"
END_LINE = "__end_line__"
ATTRIBUTE_LINES = "__attribute_lines__"  # not in python-hcl2's shape: {attribute or nested block name: its line}
# Nested blocks and expressions converted; deeper is an error entry. Python's frames are the real
# bound (about five per level); Terraform seldom nests past 15, python-hcl2 gave up near 250.
MAX_NESTING = 100

TOO_DEEP = "nesting too deep to parse; skipped"
_HEREDOC = re.compile(r"<<([a-zA-Z][a-zA-Z0-9._-]*)\n([\s\S]*)\1", re.S)
_HEREDOC_TRIM = re.compile(r"<<-([a-zA-Z][a-zA-Z0-9._-]*)\n([\s\S]*)\1", re.S)
_INTERPOLATED_KEY = re.compile(r".*?(\${).*}.*")
_IN_INTERPOLATION = re.compile(r"\$\{(.*)}")
_TYPE_KEYWORDS = frozenset({"bool", "number", "string"})
_POSTFIX = frozenset({"get_attr", "index", "splat"})

_parser: Any = None


class HclError(Exception):
    """The file is not HCL this parser can read; the message never quotes the file."""

    def __init__(self, message: str, line: int | None = None, too_deep: bool = False):
        super().__init__(message)
        self.line = line
        self.too_deep = too_deep


def parse(text: str) -> dict[str, Any]:
    """``text`` as python-hcl2 7.x's ``loads(text, with_meta=True)`` gives it; :class:`HclError` when invalid."""
    try:
        source = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise HclError(f"not UTF-8 text (character at offset {exc.start})") from None
    tree = _get_parser().parse(source)
    root = tree.root_node
    if root.has_error:
        raise _syntax_error(root)
    try:
        return _Converter(source).config(root)
    except RecursionError:
        raise HclError(TOO_DEEP, too_deep=True) from None
    except (IndexError, StopIteration, TypeError, ValueError) as exc:  # a tree shape the converter does not know
        raise HclError(f"syntax faasguard cannot read yet ({type(exc).__name__})") from None


def _get_parser() -> Any:
    global _parser
    if _parser is None:
        import tree_sitter_hcl
        from tree_sitter import Language, Parser

        _parser = Parser(Language(tree_sitter_hcl.language()))
    return _parser


def _syntax_error(root: Node) -> HclError:
    """Where the first error or missing token is: its line and column, and the kind of token missing."""
    cursor = root.walk()
    while True:
        node = cursor.node
        assert node is not None
        if node.is_missing or node.type == "ERROR":
            # An ERROR node often wraps the whole statement; the token tree-sitter had to invent inside it
            # (a missing or empty one) is nearer to where the text went wrong.
            point = (_first_invented(node) or node).start_point
            line, column = point.row + 1, point.column + 1
            if node.is_missing and node.type in _CLOSING:
                what = f"missing {_CLOSING[node.type]}"
            elif node.start_byte >= root.end_byte:
                what = "unexpected end of file"
            else:
                what = "unexpected text"
            return HclError(f"{what}, column {column}", line)
        if node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return HclError("not valid HCL")


_CLOSING = {"}": "'}'", "]": "']'", ")": "')'", "block_end": "'}'", "object_end": "'}'", "tuple_end": "']'",
            "quoted_template_end": "closing quote", "template_interpolation_end": "'}' of a ${…}",
            "heredoc_identifier": "closing heredoc marker"}


def _first_invented(node: Node) -> Node | None:
    for child in node.children:
        if child.is_missing or child.start_byte == child.end_byte:
            return child
        found = _first_invented(child) if child.child_count else None
        if found is not None:
            return found
    return None


def _kids(node: Node) -> tuple[list[Node], list[str]]:
    """A node's children other than comments, and their types (each node's type is read once: the binding
    builds a new string on every read). tree-sitter never makes a comment a node's first or last child."""
    kids: list[Node] = []
    kinds: list[str] = []
    for child in node.children:
        kind = child.type
        if kind != "comment":
            kids.append(child)
            kinds.append(kind)
    return kids, kinds


# -- python-hcl2's DictTransformer, value for value ------------------------------------------


def _to_string_dollar(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value.startswith("${") and value.endswith("}"):
        return value
    if value.startswith('"') and value.endswith('"'):
        return _escapes(value[1:-1])
    if value in _TYPE_KEYWORDS:
        return value
    return f"${{{value}}}"


def _strip_quotes(value: str) -> str:
    if value.startswith('"') and value.endswith('"'):
        return _escapes(value[1:-1])
    return value


def _escapes(value: str) -> str:
    if "\\" not in value:  # every escape starts with one
        return value
    return value.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t").replace('\\"', '"').replace("\\\\", "\\")


def _unwrap(value: str) -> str:
    return value[2:-1] if value.startswith("${") and value.endswith("}") else value


def _nulls(values: list[Any]) -> list[Any]:
    return ["null" if v is None else v for v in values]


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return _IN_INTERPOLATION.sub(lambda m: m.group(0).replace('\\"', '"'), json.dumps(value))
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return "None"


def _number(text: str) -> Any:
    if "e" in text:
        return f"${{{text}}}"
    if "." in text or "E" in text:
        return float(text)
    return int(text)


def _binary(lhs: Any, op: str, rhs: Any) -> str:
    term = " ".join(_inline(v) for v in _nulls([op, rhs]))
    return f"{_unwrap(_inline(lhs))} {_unwrap(term)}"


def _conditional(condition: Any, yes: Any, no: Any) -> str:
    c, y, n = _nulls([condition, yes, no])
    return f"{c} ? {y} : {n}"


class _Op:
    """An operator, ``?`` or ``:`` in a flattened operator chain."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class _Converter:
    """One file's tree → python-hcl2's dict. Reads each node's type once and passes it along, and takes a
    node's first and last child without filtering comments (tree-sitter never puts an extra there)."""

    def __init__(self, source: bytes):
        self.src = source
        self.depth = 0

    def text(self, node: Node) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise HclError(TOO_DEEP, too_deep=True)

    # -- bodies and blocks

    def config(self, root: Node) -> dict[str, Any]:
        for child in root.children:
            if child.type == "body":
                return self.body(child)
        return {}

    def body(self, node: Node, lines: dict[str, int] | None = None) -> dict[str, Any]:
        """A body's attributes and blocks; ``lines`` gets the line of each attribute and of each block's first."""
        self.enter()
        result: dict[str, Any] = {}
        attributes: set[str] = set()
        for child in node.children:
            kind = child.type
            if kind == "attribute":  # name = expression
                kids = child.children
                key = self.text(kids[0])
                if key in result:
                    raise HclError(f"attribute {key} defined twice", child.start_point.row + 1)
                result[key] = _to_string_dollar(self.value(kids[-1]))
                attributes.add(key)
            elif kind == "block":
                key, value = self.block(child)
                if key in attributes:
                    raise HclError(f"{key} defined both as an attribute and a block", child.start_point.row + 1)
                result.setdefault(key, []).append(value)
            else:
                continue
            if lines is not None:
                lines.setdefault(key, child.start_point.row + 1)
        self.depth -= 1
        return result

    def block(self, node: Node) -> tuple[str, dict[str, Any]]:
        kids = node.children  # type, labels, {, body, }
        body: dict[str, Any] = {}
        labels: list[str] = []
        lines: dict[str, int] = {}
        for child in kids[1:]:
            kind = child.type
            if kind == "body":
                body = self.body(child, lines)
            elif kind == "identifier":
                labels.append(self.text(child))
            elif kind == "string_lit":
                labels.append(_strip_quotes(self.text(child)))
        body[START_LINE] = node.start_point.row + 1
        body[END_LINE] = node.end_point.row + 1
        body[ATTRIBUTE_LINES] = lines
        result: dict[str, Any] = body
        for label in reversed(labels):
            result = {label: result}
        return self.text(kids[0]), result

    # -- expressions

    def value(self, node: Node) -> Any:
        """An ``expression`` node as python-hcl2's transformer returns it (before ``to_string_dollar``)."""
        self.enter()
        kids = node.children
        if len(kids) == 1 and (kind := kids[0].type) != "conditional":
            value = self.base(kids[0], kind)  # one term without operators: most expressions
        else:
            items = self.flatten(*_kids(node))
            value = self.chain(items, 0)[0] if len(items) > 1 else items[0]
        self.depth -= 1
        return value

    def flatten(self, kids: list[Node], kinds: list[str]) -> list[Any]:
        """Terms and operators of a chain, in source order (lark nests them to the right, tree-sitter by precedence)."""
        items: list[Any] = []
        i = 0
        while i < len(kids):
            node, kind = kids[i], kinds[i]
            if kind == "conditional":
                parts = _kids(node)[0]
                items += [*self.flatten(*_kids(parts[0])), _Op("?")]
                items += [*self.flatten(*_kids(parts[2])), _Op(":")]
                items += self.flatten(*_kids(parts[4]))
                i += 1
            elif kind == "operation" and (inner := node.children[0]).type == "binary_operation":
                items += self.flatten(*_kids(inner))
                i += 1
            else:
                term, i = self.term(kids, kinds, i)
                items.append(term)
            if i < len(kids):
                items.append(_Op(kinds[i]))
                i += 1
        return items

    def chain(self, items: list[Any], i: int) -> tuple[Any, int]:
        """python-hcl2's right-nested reading of ``a op b op c`` and ``a ? b : c``."""
        left = items[i]
        i += 1
        if i < len(items) and items[i].text == "?":
            yes, i = self.chain(items, i + 1)
            no, i = self.chain(items, i + 1)  # items[i] is ":"
            left = _conditional(left, yes, no)
        elif i < len(items) and items[i].text != ":":
            op = items[i].text
            right, i = self.chain(items, i + 1)
            left = _binary(left, op, right)
        return left, i

    def term(self, kids: list[Node], kinds: list[str], i: int) -> tuple[Any, int]:
        """One expression term starting at ``kids[i]`` with its postfix operators; the value and the next index."""
        if kinds[i] == "(":
            value: Any = "(" + str(self.value(kids[i + 1])) + ")"
            i += 3
        else:
            value = self.base(kids[i], kinds[i])
            i += 1
        while i < len(kids) and kinds[i] in _POSTFIX:
            value = f"{value}{self.postfix(kids[i], kinds[i])}"
            i += 1
        return value, i

    def base(self, node: Node, kind: str) -> Any:
        if kind == "literal_value":
            return self.literal(node.children[0])
        if kind == "variable_expr":
            return self.text(node)
        if kind == "collection_value":
            return self.collection(node.children[0])
        if kind == "template_expr":
            return self.template(node.children[0])
        if kind == "function_call":
            return self.call(node)
        if kind == "for_expr":
            return self.for_expr(node.children[0])
        if kind == "operation":
            return self.operation(node.children[0])
        if kind == "expression":
            return self.value(node)
        raise HclError(f"unsupported expression ({kind})", node.start_point.row + 1)

    def literal(self, node: Node) -> Any:
        kind = node.type
        if kind == "numeric_lit":
            return _number(self.text(node))
        if kind == "bool_lit":
            return self.text(node) == "true"
        if kind == "null_lit":
            return None
        return self.text(node)  # a string without interpolation, quotes and escapes as written

    def postfix(self, node: Node, kind: str) -> str:
        if kind == "get_attr":  # . name
            return "." + self.text(node.children[-1])
        if kind == "index":
            inner = node.children[0]
            if inner.type == "legacy_index":  # python-hcl2 keeps the first digit of `.10`
                return f"[{self.text(inner).lstrip('.')[:1]}]"
            expr = next(c for c in inner.children if c.type == "expression")
            return f"[{self.value(expr)}]"
        splat = node.children[0]
        lead = ".*" if splat.type == "attr_splat" else "[*]"
        kids, kinds = _kids(splat)
        return lead + "".join(self.postfix(c, k) for c, k in zip(kids[1:], kinds[1:], strict=True))

    def operation(self, node: Node) -> Any:
        kids, kinds = _kids(node)
        if node.type == "binary_operation":
            return self.chain(self.flatten(kids, kinds), 0)[0]
        op, operand = kids[0], kids[1]
        if (
            kinds[0] == "-"
            and len(kids) == 2
            and kinds[1] == "literal_value"
            and operand.children[0].type == "numeric_lit"
            and op.end_byte == operand.start_byte
            and not self.line_start(op.start_byte)
        ):
            return _number("-" + self.text(operand))  # `-1` is one number token for python-hcl2 ...
        value, _ = self.term(kids, kinds, 1)  # ... except first on a line or after a comment, where its lexer saw "-"
        return "".join(_inline(v) for v in _nulls([kinds[0], value]))

    def line_start(self, offset: int) -> bool:
        """Whether only blanks stand between ``offset`` and the previous newline or comment."""
        before = self.src[:offset].rstrip(b" \t")
        return before.endswith((b"\n", b"*/"))

    def template(self, node: Node) -> str:
        """A quoted template as python-hcl2 writes it: raw text, each ``${…}`` rewritten, directives kept as written."""
        if node.type == "heredoc_template":
            return self.heredoc(node)
        kids = node.children
        out: list[str] = []
        position = kids[0].end_byte
        for interpolation in _interpolations(node):
            out.append(self.src[position : interpolation.start_byte].decode("utf-8"))
            expr = next((c for c in interpolation.children if c.type == "expression"), None)
            out.append("${" + (str(self.value(expr)) if expr is not None else "") + "}")
            position = interpolation.end_byte
        out.append(self.src[position : kids[-1].start_byte].decode("utf-8"))
        return '"' + "".join(out) + '"'

    def heredoc(self, node: Node) -> str:
        raw = self.text(node)
        trim = raw.startswith("<<-")
        match = (_HEREDOC_TRIM if trim else _HEREDOC).match(raw)
        if not match:
            raise HclError("heredoc without its marker line", node.start_point.row + 1)
        text = match.group(2).rstrip("\n\t ")
        if trim:
            lines = text.split("\n")
            indent = min(len(line) - len(line.lstrip(" ")) for line in lines)
            text = "\n".join(line[indent:] for line in lines)
        return f'"{text}"'

    def call(self, node: Node) -> str:
        kids = node.children  # name ( arguments )
        name = self.text(kids[0])
        args = next((c for c in kids if c.type == "function_arguments"), None)
        values = [self.value(c) for c in args.children if c.type == "expression"] if args is not None else []
        return f"{name}({', '.join(_inline(v) for v in _nulls(values))})"

    def collection(self, node: Node) -> Any:
        if node.type == "tuple":
            value: Any = [_to_string_dollar(self.value(c)) for c in node.children if c.type == "expression"]
        else:
            value = {}
            for elem in node.children:
                if elem.type == "object_elem":  # key = expression
                    kids = elem.children
                    value[self.key(kids[0])] = _to_string_dollar(self.value(kids[-1]))
        return value

    def key(self, node: Node) -> str:
        """An object key as python-hcl2 writes it: bare names and dotted names as written, strings unquoted."""
        kids, kinds = _kids(node)
        first = kids[0]
        if kinds[0] == "(":
            inner = self.value(kids[1])
            return str(_to_string_dollar("(" + str(inner) + ")"))
        if kinds[0] == "literal_value" and len(kids) == 1:
            lit = first.children[0]
            kind = lit.type
            if kind == "numeric_lit":
                return str(_number(self.text(lit)))
            if kind == "string_lit":
                return _strip_quotes(self.text(lit))
            return self.text(lit)
        if kinds[0] == "variable_expr":
            return "".join(self.text(c) for c in kids)
        key = str(self.value(node))
        return key if _INTERPOLATED_KEY.match(key) else _strip_quotes(key)

    def for_expr(self, node: Node) -> str:
        parts: list[str] = []
        kids, kinds = _kids(node)
        for child, kind in zip(kids[1:-1], kinds[1:-1], strict=True):
            if kind == "for_intro":
                words = zip(*_kids(child), strict=True)
                intro = [self.text(c) if k != "expression" else _inline(self.value(c)) for c, k in words]
                parts.append(" ".join(intro))
            elif kind == "for_cond":
                parts.append("if " + _inline(self.value(child.children[-1])))
            elif kind == "expression":
                parts.append(_inline(self.value(child)))
            else:  # "=>", "..."
                parts.append(self.text(child))
        inner = " ".join(parts)
        return f"[{inner}]" if node.type == "for_tuple_expr" else f"{{{inner}}}"


def _interpolations(node: Node) -> list[Node]:
    """The ``${…}`` nodes of a template in source order, directives included (not nested ones)."""
    found: list[Node] = []
    for child in node.children:
        if child.type == "template_interpolation":
            found.append(child)
        elif child.child_count:
            found += _interpolations(child)
    return found
