"""One finding per root cause: a setting inherited by N functions is one finding, not N.

A ``provider.runtime`` line, a SAM ``Globals`` setting, a statement of a role shared
by several functions or a generated log policy make rules fire once per function,
at the same file and line, with messages that differ only by the function's name.
Those findings are merged into one that lists the functions (``functions`` and a
``related`` location per function). Findings that differ in anything else
(severity, the actions named, the fix) stay apart: only what is provably the same
problem is merged.

Fingerprints: a merged finding gets a fingerprint of its own (from the rule, the
file and the message with the function names taken out, so adding a function
does not change it) and keeps the fingerprints of the findings it merged
(``fingerprints``), so a baseline written before the merge still covers it.
A finding that stands alone keeps exactly the fingerprint it always had.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from itertools import compress
from operator import attrgetter

from faasguard.findings import Finding, Related, relative_to, sorted_findings

PLACEHOLDER = "\x00fn\x00"

# (application source, function name) → (path, line) of the function's definition
FunctionLocations = Mapping[tuple[str, str], tuple[str, int | None]]


def _without(text: str, name: str) -> str:
    return without_name(text, name, PLACEHOLDER)


def without_name(text: str, name: str, placeholder: str) -> str:
    r"""``re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", placeholder, text)`` (``name`` where it stands as a whole
    name, not inside a longer one) with ``str.find``: a regular expression compiled for each function name cost
    a big scan a tenth of a second, in the scan process."""
    if not name or name not in text:
        return text
    size = len(name)
    pieces: list[str] = []
    done = 0
    at = text.find(name)
    while at >= 0:
        end = at + size
        if (at == 0 or not _joins(text[at - 1])) and (end == len(text) or not _joins(text[end])):
            pieces += (text[done:at], placeholder)
            done = end
            at = text.find(name, end)
        else:
            at = text.find(name, at + 1)
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _joins(char: str) -> bool:
    r"""Whether ``char`` continues a name: what ``[\w-]`` matches in a regular expression over text."""
    return char.isalnum() or char == "_" or char == "-"


def _group_key(f: Finding) -> tuple[object, ...]:
    name = f.function or ""
    return (
        f.rule_id, f.severity, f.source, f.path, f.line, f.end_line,
        _without(f.message, name), _without(f.remediation, name),
        _without(f.resource or "", name), tuple((r.path, r.line, _without(r.note, name)) for r in f.related),
    )


# Where findings can share a root cause (the first fields of _group_key).
_PLACE = attrgetter("rule_id", "severity", "source", "path", "line", "end_line")


def merge(findings: Iterable[Finding], locations: FunctionLocations | None = None, base: str = "") -> list[Finding]:
    """The findings with every root cause reported once; sorted like the input's sort key, ties in the order of
    first appearance (a merged finding stands where its first member was)."""
    found: list[Finding | None] = list(findings)
    places = list(map(_PLACE, found))
    counts = Counter(places)
    if len(counts) < len(found):
        # Findings can only share a root cause at the same place: the names are taken out of the messages (the
        # costly part of the key) only where several findings share one.
        shared: dict[tuple[object, ...], list[int]] = defaultdict(list)
        for at in compress(range(len(found)), map((1).__lt__, map(counts.__getitem__, places))):
            shared[places[at]].append(at)
        for at_place in shared.values():
            groups: dict[tuple[object, ...], list[Finding]] = defaultdict(list)
            first: dict[tuple[object, ...], int] = {}
            for at in at_place:
                f = found[at]
                assert f is not None
                key = _group_key(f)
                groups[key].append(f)
                if key in first:
                    found[at] = None  # merged into the finding at first[key]
                else:
                    first[key] = at
            for key, members in groups.items():
                if len(members) > 1:
                    found[first[key]] = _merged(members, locations or {}, base)
    return sorted_findings([f for f in found if f is not None])


def _merged(members: list[Finding], locations: FunctionLocations, base: str) -> Finding:
    members = sorted(members, key=lambda f: (f.function or "", f.fingerprint))
    first = members[0]
    names = sorted({f.function for f in members if f.function})
    others = [n for n in names if n != first.function]
    message = first.message
    if others:
        message += f"; the same holds for function{'s' if len(others) > 1 else ''} {', '.join(others)}"
    related = list(first.related)
    if len(names) > 1:
        for name in names:
            where = locations.get((first.source, name))
            if where is not None:
                related.append(Related(where[0], where[1], f"function {name}"))
    identity = relative_to("\x1f".join(
        ("root-cause", first.rule_id, first.path, _without(first.resource or "", first.function or ""),
         _without(first.key or first.message, first.function or ""))
    ), base)
    return replace(
        first,
        message=message,
        related=tuple(related),
        function=first.function if len(names) <= 1 else None,
        resource=first.resource if len(names) <= 1 or first.resource not in names else None,
        functions=tuple(names) if len(names) > 1 else (),
        fingerprint=hashlib.sha256(identity.encode()).hexdigest()[:32],
        fingerprints=tuple(sorted({fp for f in members for fp in f.all_fingerprints})),
    )
