"""Python syntax newer than the host interpreter: PEP 701 f-strings under Python 3.11.

Handlers for python3.12 and later may nest the same quotes inside an f-string
(``f"{item["name"]}"``), which Python 3.11's :mod:`ast` rejects. For such a file only,
:func:`downlevel_fstrings` rewrites every f-string with a replacement field into an
equivalent concatenation that 3.11 parses (``("" + str(item["name"]))``), keeping every
line where it was, so findings still point at the right lines. The f-strings are found
with the tree-sitter Python grammar, which follows the newest syntax; nothing is run.
"""

from __future__ import annotations

from functools import cache

from tree_sitter import Language, Node, Parser


@cache
def _parser() -> Parser | None:
    try:
        import tree_sitter_python
    except ImportError:  # the fallback is optional: without the grammar the syntax error stands
        return None
    return Parser(Language(tree_sitter_python.language()))


def downlevel_fstrings(text: str) -> str | None:
    """``text`` with its f-strings written for Python 3.11, or None when the grammar is missing or nothing changed."""
    parser = _parser()
    if parser is None:
        return None
    source = text.encode("utf-8")
    root = parser.parse(source).root_node
    out = _rewrite(root, source)
    return out.decode("utf-8") if out != source else None


def _rewrite(node: Node, source: bytes) -> bytes:
    """The source of ``node`` with every outermost f-string inside it replaced."""
    start, end = node.start_byte, node.end_byte
    pieces: list[bytes] = []
    cursor = start
    stack = [node]
    found: list[Node] = []
    while stack:
        current = stack.pop()
        if _is_fstring(current):
            found.append(current)
            continue
        stack.extend(reversed(current.children))
    for fstring in sorted(found, key=lambda n: n.start_byte):
        pieces.append(source[cursor : fstring.start_byte])
        pieces.append(_concatenation(fstring, source))
        cursor = fstring.end_byte
    pieces.append(source[cursor:end])
    return b"".join(pieces)


def _is_fstring(node: Node) -> bool:
    if node.type != "string" or not node.children:
        return False
    head = node.children[0]
    return head.type == "string_start" and b"f" in (head.text or b"").lower() and \
        any(c.type == "interpolation" for c in node.children)


def _concatenation(node: Node, source: bytes) -> bytes:
    head, tail = node.children[0], node.children[-1]
    opening = source[head.start_byte : head.end_byte]
    prefix = bytes(c for c in opening if chr(c).isalpha() and chr(c).lower() != "f")
    quote = opening.lstrip(b"rRbBuUfF")
    parts: list[bytes] = []
    cursor = head.end_byte
    for child in node.children[1:-1]:
        if child.type != "interpolation":
            continue
        literal = source[cursor : child.start_byte].replace(b"{{", b"{").replace(b"}}", b"}")
        if literal:
            parts.append(prefix + quote + literal + quote)
        expression = child.child_by_field_name("expression")
        if expression is not None:
            parts.append(b"str(" + _rewrite(expression, source) + b")")
        cursor = child.end_byte
    literal = source[cursor : tail.start_byte].replace(b"{{", b"{").replace(b"}}", b"}")
    if literal:
        parts.append(prefix + quote + literal + quote)
    body = b" + ".join(parts) or b'""'
    lost = source[node.start_byte : node.end_byte].count(b"\n") - body.count(b"\n")
    return b"(" + body + b"\n" * max(lost, 0) + b")"
