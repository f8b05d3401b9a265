"""Terraform expressions, as python-hcl2 7.x prints them, resolved as far as a static reader honestly can.

The parser (:mod:`.hcl_tree`, which writes what python-hcl2 7.x wrote) keeps every
expression that is not a plain literal as text wrapped in ``${…}``: ``role =
aws_iam_role.lambda.arn`` arrives as ``"${aws_iam_role.lambda.arn}"``, ``jsonencode({...})``
as ``"${jsonencode({\"Version\": …})}"``. This module answers the questions the
Terraform model builder asks of such values:

* *what is it?* (:meth:`Scope.value`) — ``var.*`` defaults, ``local.*`` values,
  ``path.module``, ``jsonencode(…)`` and ``file(…)`` of a file inside the scan root are
  resolved; everything else (resource attributes, data sources, function calls,
  conditionals, ``each.*``) stays as its ``${…}`` text, unknown and never guessed;
* *is it a literal the author typed?* (:meth:`Scope.is_literal`) — only if nothing
  unresolved is left in it;
* *which resource does it name?* (:func:`target`) — ``aws_iam_role.lambda.arn`` names
  ``aws_iam_role.lambda``.

Nothing here executes anything; the only file access is ``file("…")`` of a path inside
the scan root.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from faasguard.loaders import looks

META_KEYS = frozenset({"__start_line__", "__end_line__", "__attribute_lines__"})
_MAX_DEPTH = 24
# Characters in one resolved string: ``l0 = "${local.l1}${local.l1}"`` over 23 locals doubles to 8 MB.
MAX_TEXT = 100_000
_TRAVERSAL = re.compile(r"^(var|local)\.([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[\s*(?:\d+|\"[^\"]*\"|'[^']*')\s*\])*)$")
_SEGMENT = re.compile(r"\.([A-Za-z_][\w-]*)|\[\s*(\d+|\"[^\"]*\"|'[^']*')\s*\]")
_ADDRESS = re.compile(r"^(?:(data)\.)?([a-z][a-z0-9]*_[a-z0-9_]+)\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?(?:\.|\[|$)")
_MODULE = re.compile(r"^module\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])?(?:\.|\[|$)")
_CALL = re.compile(r"^([a-z][a-z0-9_]*)\((.*)\)$", re.DOTALL)
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


class Unresolved(str):
    """Text of an expression that could not be resolved (still contains ``${…}``)."""


# -- scanning python-hcl2's ${…} text ----------------------------------------------------


# Where the scanners below stop; they jump from one such place to the next instead of reading every character.
_STRING_STOP = re.compile(r'[\\"]|\$\{')  # an escape, the closing quote, an interpolation
_INTERPOLATION_STOP = re.compile(r'["{}]')
_PIECE_STOP = re.compile(r"\$\$?\{")  # "$${" (a literal "${") or "${"


def _skip_string(s: str, i: int) -> int:
    """``s[i]`` is a double quote; the index just after the string it opens."""
    i += 1
    while (stop := _STRING_STOP.search(s, i)) is not None:
        i = stop.start()
        c = s[i]
        if c == "\\":
            i += 2
        elif c == '"':
            return i + 1
        else:
            i = _skip_interpolation(s, i)
    return len(s)


def _skip_interpolation(s: str, i: int) -> int:
    """``s[i:i+2]`` is ``${``; the index just after its matching ``}``."""
    depth = 0
    i += 1
    while (stop := _INTERPOLATION_STOP.search(s, i)) is not None:
        i = stop.start()
        c = s[i]
        if c == '"':
            i = _skip_string(s, i)
            continue
        if c == "{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(s)


def pieces(s: str) -> list[tuple[bool, str]]:
    """Split a string into literal text and ``${…}`` expressions: ``[(is_expression, text)]``."""
    out: list[tuple[bool, str]] = []
    i, start = 0, 0
    while (stop := _PIECE_STOP.search(s, i)) is not None:
        i = stop.start()
        if s.startswith("$${", i):  # an escaped, literal "${"
            i += 3
            continue
        if i > start:
            out.append((False, s[start:i]))
        end = _skip_interpolation(s, i)
        out.append((True, s[i + 2 : end - 1]))
        i = start = end
    if start < len(s):
        out.append((False, s[start:]))
    return out


def single_expression(s: str) -> str | None:
    """``EXPR`` when the whole string is one ``${EXPR}``."""
    if not s.startswith("${"):
        return None
    parts = pieces(s)
    return parts[0][1].strip() if len(parts) == 1 and parts[0][0] else None


def target(value: Any) -> str | None:
    """The address of the resource, data source or module a value refers to, if exactly one.

    ``${aws_iam_role.lambda.arn}`` → ``aws_iam_role.lambda``; ``${data.archive_file.zip.output_path}``
    → ``data.archive_file.zip``; ``${module.lambda.lambda_function_arn}`` → ``module.lambda``.
    """
    if not isinstance(value, str) or not value.startswith("${"):
        return None
    # What address_in reads of a single ${EXPR} is EXPR, i.e. value[2:-1]: asked first, it spares finding the
    # end of the expression in the long texts that name nothing (a jsonencode policy).
    found = address_in(value[2:-1])
    return found if found is not None and single_expression(value) is not None else None


def address_in(expr: str) -> str | None:
    expr = expr.strip()
    for prefix in ("tolist(", "toset(", "tostring(", "one("):
        if expr.startswith(prefix) and expr.endswith(")"):
            expr = expr[len(prefix) : -1].strip()
    match = _MODULE.match(expr)
    if match:
        return f"module.{match.group(1)}"
    match = _ADDRESS.match(expr)
    if not match or match.group(2) in ("var", "local", "each", "count", "path", "self", "terraform"):
        return None
    data, kind, name = match.groups()
    return f"data.{kind}.{name}" if data else f"{kind}.{name}"


def addresses_in(text: str) -> list[str]:
    """Every resource address named anywhere in a string, in order."""
    out = []
    for is_expr, part in pieces(text):
        if is_expr:
            found = address_in(part)
            if found:
                out.append(found)
    return out


# -- python-hcl2's JSON-ish rendering of object expressions -----------------------------


_JSON_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


class _JsonishParser:
    """JSON as python-hcl2 prints ``jsonencode`` arguments: quotes inside ``${…}`` are not escaped."""

    def __init__(self, text: str):
        self.s = text
        self.i = 0

    def parse(self) -> Any:
        value = self._value()
        self._ws()
        if self.i != len(self.s):
            raise ValueError(f"unexpected text at offset {self.i}")
        return value

    def _ws(self) -> None:
        while self.i < len(self.s) and self.s[self.i] in " \t\r\n":
            self.i += 1

    def _value(self) -> Any:
        self._ws()
        if self.i >= len(self.s):
            raise ValueError("unexpected end")
        c = self.s[self.i]
        if c == "{":
            return self._object()
        if c == "[":
            return self._array()
        if c == '"':
            return self._string()
        match = _JSON_SCALAR.match(self.s, self.i)
        if not match:
            raise ValueError(f"unexpected {c!r} at offset {self.i}")
        self.i = match.end()
        return json.loads(match.group(0))

    def _string(self) -> str:
        end = _skip_string(self.s, self.i)
        raw = self.s[self.i + 1 : end - 1]
        self.i = end
        if "${" not in raw:
            try:
                return str(json.loads(f'"{raw}"'))
            except ValueError:
                return raw
        # Unescape only the literal parts; an expression's own quoting is kept as printed.
        out = []
        for is_expr, part in pieces(raw):
            if is_expr:
                out.append("${" + part + "}")
            else:
                try:
                    out.append(str(json.loads(f'"{part}"')))
                except ValueError:
                    out.append(part)
        return "".join(out)

    def _object(self) -> dict[str, Any]:
        self.i += 1
        out: dict[str, Any] = {}
        while True:
            self._ws()
            if self.s.startswith("}", self.i):
                self.i += 1
                return out
            key = self._value()
            self._ws()
            if not self.s.startswith(":", self.i):
                raise ValueError(f"expected ':' at offset {self.i}")
            self.i += 1
            out[str(key)] = self._value()
            self._ws()
            if self.s.startswith(",", self.i):
                self.i += 1

    def _array(self) -> list[Any]:
        self.i += 1
        out: list[Any] = []
        while True:
            self._ws()
            if self.s.startswith("]", self.i):
                self.i += 1
                return out
            out.append(self._value())
            self._ws()
            if self.s.startswith(",", self.i):
                self.i += 1


def parse_jsonish(text: str) -> Any:
    """Parse python-hcl2's rendering of an HCL object/tuple expression; ``ValueError`` if it is not one."""
    return _JsonishParser(text.strip()).parse()


# -- resolution within one module -------------------------------------------------------


class Scope:
    """What a module's expressions can be resolved against: its variables, locals and files."""

    def __init__(self, variables: Mapping[str, Any], locals_: Mapping[str, Any], module_dir: Path, root: Path):
        self.variables = variables
        self.locals = locals_
        self.module_dir = module_dir
        self.root = looks.current().real(root)
        # Each variable and local is resolved once: a local used twice by the next one and so on
        # (``"${local.next}${local.next}"``) would otherwise cost 2**levels evaluations.
        self._memo: dict[tuple[str, str], Any] = {}
        self._cut = 0  # how often the depth limit cut a resolution short (those are not memoised)
        self.too_large: str | None = None  # the first expression whose value grew over MAX_TEXT

    def value(self, raw: Any, depth: int = 0) -> Any:
        """``raw`` with every resolvable expression resolved; unresolvable strings become :class:`Unresolved`."""
        if depth > _MAX_DEPTH:
            self._cut += 1
            return Unresolved("${…}")
        if isinstance(raw, str):
            return self._string(raw, depth)
        if isinstance(raw, list):
            return [self.value(v, depth + 1) for v in raw]
        if isinstance(raw, Mapping):
            return {k: self.value(v, depth + 1) for k, v in raw.items() if k not in META_KEYS}
        return raw

    def _string(self, raw: str, depth: int) -> Any:
        if "${" not in raw:
            return raw
        expr = single_expression(raw)
        if expr is not None:
            ok, value = self._expression(expr, depth)
            return value if ok else Unresolved(raw)
        out, resolved = [], True
        for is_expr, part in pieces(raw):
            if not is_expr:
                out.append(part)
                continue
            ok, value = self._expression(part.strip(), depth)
            if ok and isinstance(value, bool):
                out.append("true" if value else "false")
            elif ok and isinstance(value, str | int | float) and not isinstance(value, Unresolved):
                out.append(str(value))
            else:
                resolved = False
                out.append("${" + part + "}")
        if sum(len(part) for part in out) > MAX_TEXT:
            if self.too_large is None:
                self.too_large = raw[:80]
            return Unresolved(raw)
        text = "".join(out)
        return text.replace("$${", "${") if resolved else Unresolved(text)

    def _expression(self, expr: str, depth: int) -> tuple[bool, Any]:
        if _NUMBER.match(expr):
            return True, json.loads(expr)
        if expr in ("true", "false"):
            return True, expr == "true"
        if expr == "path.module" or expr == "path.root":
            return True, "."
        if len(expr) >= 2 and expr[0] == expr[-1] == '"' and "${" not in expr:
            try:
                return True, json.loads(expr)
            except ValueError:
                return False, None
        match = _TRAVERSAL.match(expr)
        if match:
            return self._traverse(match.group(1), match.group(2), match.group(3), depth)
        call = _CALL.match(expr)
        if call:
            return self._call(call.group(1), call.group(2), depth)
        return False, None

    def _traverse(self, kind: str, name: str, path: str, depth: int) -> tuple[bool, Any]:
        source = self.variables if kind == "var" else self.locals
        if name not in source:
            return False, None
        memo_key = (kind, name)
        if memo_key in self._memo:
            value = self._memo[memo_key]
        else:
            cut = self._cut
            value = self.value(source[name], depth + 1)
            if self._cut == cut:
                self._memo[memo_key] = value
        for attr, index in _SEGMENT.findall(path):
            key: Any = attr or index.strip("\"'")
            if isinstance(value, Mapping) and key in value:
                value = value[key]
            elif isinstance(value, list) and str(key).isdigit() and int(key) < len(value):
                value = value[int(key)]
            else:
                return False, None
        if isinstance(value, Unresolved):
            return False, None
        return True, value

    def _call(self, name: str, args: str, depth: int) -> tuple[bool, Any]:
        if name == "jsonencode":
            try:
                parsed = parse_jsonish(args)
            except ValueError:
                return False, None
            return True, self.value(parsed, depth + 1)
        if name in ("tostring", "tonumber", "tolist", "toset", "tomap"):
            return self._expression_text(args, depth)
        if name == "file":
            ok, value = self._expression_text(args, depth)
            if not ok or not isinstance(value, str):
                return False, None
            return self._read(value)
        return False, None

    def _expression_text(self, args: str, depth: int) -> tuple[bool, Any]:
        """Resolve a function argument as python-hcl2 prints it (``"text"``, ``var.x``, ``{…}``)."""
        args = args.strip()
        if args.startswith(("{", "[")) or (args.startswith('"') and _skip_string(args, 0) == len(args)):
            try:
                value = self.value(parse_jsonish(args), depth + 1)
            except ValueError:
                return False, None
            return (not _has_unresolved(value)), value
        return self._expression(args, depth + 1)

    def _read(self, relative: str) -> tuple[bool, Any]:
        try:
            seen = looks.current()
            candidate = seen.real(self.module_dir / relative)
            if not candidate.is_relative_to(self.root) or not seen.is_file(candidate) or seen.size(candidate) > 1_000_000:
                return False, None
            return True, seen.text(candidate)
        except (OSError, UnicodeDecodeError, ValueError):
            return False, None

    def is_literal(self, raw: Any) -> bool:
        """True when the value, once resolved, contains nothing unknown."""
        return not _has_unresolved(self.value(raw))

    def text(self, raw: Any) -> str:
        """A display/comparison string for a value (unresolved parts keep their ``${…}`` text)."""
        return display_text(self.value(raw))

    def scalar(self, raw: Any) -> Any:
        """A resolved scalar, or None when the value is unknown or not a scalar."""
        value = self.value(raw)
        if isinstance(value, (Unresolved, list | dict)):
            return None
        return value

    def texts(self, raw: Any) -> list[str]:
        value = self.value(raw)
        if value is None:
            return []
        if isinstance(value, list):
            return [self.text(v) for v in value if v is not None]
        return [self.text(value)]


def _has_unresolved(value: Any) -> bool:
    if isinstance(value, Unresolved):
        return True
    if isinstance(value, list):
        return any(_has_unresolved(v) for v in value)
    if isinstance(value, Mapping):
        return any(_has_unresolved(v) for v in value.values())
    return False


def as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def display_text(value: Any) -> str:
    """A resolved value as Terraform would print it: booleans in lower case, collections as sorted JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, sort_keys=True)
