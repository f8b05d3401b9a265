"""Text from the scanned repository, made safe for each output syntax.

File, resource, function and variable names are chosen by whoever wrote the scanned files,
who may be an attacker: an ESC sequence in a resource name clears a terminal or retitles it,
a newline in a function name ends a comment in generated Terraform and starts live code,
a control character makes an XML report unreadable. Each output passes its text through
the function for its syntax; the text stays readable (``\\x1b``), never silently dropped.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from faasguard.interfaces import ScanResult

# C0 controls except tab and newline, DEL, C1 controls, line/paragraph separators, bidirectional
# overrides (text that reads differently than it runs), and lone surrogates (undecodable file names).
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")
# What XML 1.0 cannot carry at all (tab, newline and carriage return are allowed).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """``text`` with every control character except tab and newline shown as ``\\xNN``."""
    return _TERMINAL.sub(_visible, text)


def one_line(text: str) -> str:
    """``text`` for one line of output (a name, a path, a comment): no control character, no line break."""
    return terminal(_LINE_BREAKS.sub(_visible, text))


def xml(text: str) -> str:
    """``text`` with what XML 1.0 cannot hold shown as ``\\xNN`` (markup is escaped by the XML writer)."""
    return _NOT_XML.sub(_visible, text)


def uri(path: str) -> str:
    """A relative path as a URI reference: percent-encoded, ``/`` kept (SARIF ``artifactLocation.uri``)."""
    return quote(path.encode("utf-8", "surrogateescape"), safe="/")


def for_terminal(result: ScanResult) -> ScanResult:
    """A copy of ``result`` whose every text from the scanned files is safe for a terminal: names and
    paths on one line, messages without control characters. The text reporter prints only this."""
    from dataclasses import replace

    def _opt(value: str | None) -> str | None:
        return one_line(value) if value is not None else None

    findings = [
        replace(
            f, title=one_line(f.title), message=terminal(f.message), remediation=terminal(f.remediation),
            path=one_line(f.path), source=one_line(f.source), resource=_opt(f.resource), function=_opt(f.function),
            functions=tuple(one_line(n) for n in f.functions),
            related=tuple(replace(r, path=one_line(r.path), note=one_line(r.note)) for r in f.related),
        )
        for f in result.findings
    ]
    return replace(
        result, findings=findings,
        errors=[(one_line(p), terminal(m)) for p, m in result.errors],
        warnings=[(one_line(p), terminal(m)) for p, m in result.warnings],
    )


def _json_escape(char: str) -> str:
    """``char`` (not ASCII) as the ``\\uXXXX`` escape ``json.dumps`` writes (a UTF-16 surrogate pair above U+FFFF)."""
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


_ASCII_BYTES = bytes(range(0x80))
_CHUNK = 8192


def _ascii_text(raw: bytes) -> str:
    """UTF-8 ``raw`` (orjson's output, valid UTF-8) as ASCII text, each other character as its JSON escape: what
    ``raw.decode().encode("ascii", <json escapes>).decode("ascii")`` gives, without making the whole text in two
    bytes per character first (a report's few non-ASCII characters widen all of its 20 MB) and encoding it back.
    The characters' first bytes are looked for in the 8 kB chunks that are not ASCII: a report holds few."""
    if raw.isascii():
        return raw.decode("ascii")
    starts: list[int] = []
    view = memoryview(raw)
    for chunk in range(0, len(raw), _CHUNK):
        part = bytes(view[chunk : chunk + _CHUNK])
        if part.isascii():  # most of a report: the lead bytes are looked for in the other chunks only
            continue
        for lead in set(part.translate(None, _ASCII_BYTES)):  # the distinct bytes >= 0x80
            if lead >= 0xC0:  # a character's first byte (continuation bytes are 0x80-0xBF)
                needle = bytes((lead,))
                at = part.find(needle)
                while at >= 0:
                    starts.append(chunk + at)
                    at = part.find(needle, at + 1)
    starts.sort()
    pieces = []
    done = 0
    for at in starts:
        lead = raw[at]
        end = at + (2 if lead < 0xE0 else 3 if lead < 0xF0 else 4)
        pieces.append(raw[done:at].decode("ascii"))
        pieces.append(_json_escape(raw[at:end].decode("utf-8")))
        done = end
    pieces.append(raw[done:].decode("ascii"))
    return "".join(pieces)


def json_document(document: object) -> str:
    """``json.dumps(document, indent=2) + "\\n"``, byte for byte, at C speed: Python's own encoder
    falls back to pure Python whenever it indents (a second of a big scan's report). Floats are
    written as Python writes them (orjson's shortest form differs: ``1e-7`` for ``1e-07``), non-ASCII
    text is escaped, and text orjson refuses (a lone surrogate from an undecodable file name) goes
    through ``json.dumps``."""
    try:
        import orjson
    except ImportError:  # pragma: no cover - a dependency; the standard library gives the same bytes
        return json.dumps(document, indent=2) + "\n"
    if type(document) is not dict and type(document) is not list:  # a report is never a bare value
        return json.dumps(document, indent=2) + "\n"
    floats = _floats(document)
    if floats is None:
        return json.dumps(document, indent=2) + "\n"
    for container, key, value in floats:
        container[key] = orjson.Fragment(json.dumps(value))
    try:
        raw = orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except (orjson.JSONEncodeError, TypeError):
        raw = b""
    finally:
        for container, key, value in floats:
            container[key] = value
    if not raw:
        return json.dumps(document, indent=2) + "\n"
    text = _ascii_text(raw)  # json.dumps escapes all of it (ensure_ascii); orjson writes UTF-8
    # and DEL, which orjson leaves as it is. Outside strings orjson writes neither.
    return text.replace("\x7f", "\\u007f") if "\x7f" in text else text


_LEAVES = (str, int, bool, type(None))


def _floats(document: object) -> list[tuple[Any, Any, float]] | None:
    """Where ``document`` holds a float: (the dict or list, the key or index, the float); None
    when one sits where it cannot be swapped (a tuple) or a value is of a type neither encoder
    writes the same way. Subclasses of str and int (a located YAML string naming a function, an
    enum) are written as their value by both."""
    found: list[tuple[Any, Any, float]] = []
    stack = [document]
    while stack:
        container = stack.pop()
        items = container.items() if isinstance(container, dict) else enumerate(container)  # type: ignore[arg-type]
        for key, value in items:
            kind = type(value)
            if kind in _LEAVES:
                continue
            if kind is dict or kind is list or kind is tuple:
                stack.append(value)
            elif isinstance(value, float):
                if isinstance(container, tuple):
                    return None
                found.append((container, key, value))
            elif isinstance(value, dict | list):
                stack.append(value)
            elif not isinstance(value, str | int):
                return None
    return found
