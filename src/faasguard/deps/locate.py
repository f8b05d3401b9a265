"""Find where an entry of a lock file is written, for findings that point at its line.

``json`` and ``tomllib`` give values without positions, so after the real parse
we locate entries in the text: TOML ``[[package]]`` tables by their ``name`` line,
and pretty-printed JSON object keys by a single pass that tracks the key path by
indentation (npm, pipenv and composer all write two-space indented JSON). When a
file is minified, lines are simply unknown.
"""

from __future__ import annotations

import re

_TOML_NAME = re.compile(r'^name\s*=\s*"([^"]+)"\s*$')
_TOML_VERSION = re.compile(r'^version\s*=\s*"([^"]+)"\s*$')
_JSON_KEY = re.compile(r'^(\s*)"((?:[^"\\]|\\.)*)"\s*:\s*([{\[]?)')


def toml_package_lines(text: str) -> dict[tuple[str, str | None], int]:
    """``(name, version) -> line`` of each ``[[package]]`` table's ``name = …`` line (and ``(name, None)``)."""
    out: dict[tuple[str, str | None], int] = {}
    in_package = False
    name: str | None = None
    name_line = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("["):
            in_package = line == "[[package]]"
            name = None
            continue
        if not in_package:
            continue
        match = _TOML_NAME.match(line)
        if match and name is None:
            name, name_line = match.group(1), number
            out.setdefault((name, None), number)
            continue
        match = _TOML_VERSION.match(line)
        if match and name is not None:
            out.setdefault((name, match.group(1)), name_line)
    return out


def json_key_lines(text: str, max_depth: int | None = None, objects_only: bool = False) -> dict[tuple[str, ...], int]:
    """``key path -> line`` for the object keys of a pretty-printed JSON document.

    ``max_depth`` skips deeper keys and ``objects_only`` keeps only keys whose value
    is an object: a 1 MB lock file has ~30,000 key lines and callers need a few.
    """
    out: dict[tuple[str, ...], int] = {}
    stack: list[tuple[int, str]] = []  # (indent, key) of the open containers
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.lstrip()
        if not stripped.startswith('"'):
            continue
        indent = len(raw) - len(stripped)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if max_depth is not None and len(stack) >= max_depth:
            continue
        if objects_only and not raw.rstrip().endswith("{"):
            continue
        match = _JSON_KEY.match(raw)
        if not match:
            continue
        key = match.group(2)
        path = (*(k for _, k in stack), key)
        out.setdefault(path, number)
        if match.group(3):
            stack.append((indent, key))
    return out
