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

import functools
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from itertools import compress
from operator import attrgetter

from faasguard.findings import Finding, Related, relative_to

PLACEHOLDER = "\x00fn\x00"

# (application source, function name) → (path, line) of the function's definition
FunctionLocations = Mapping[tuple[str, str], tuple[str, int | None]]


def _without(text: str, name: str) -> str:
    return _name_pattern(name).sub(PLACEHOLDER, text) if name and name in text else text


@functools.lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")


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
    kept = [f for f in found if f is not None]
    # Finding.sort_key of each, in C where it is the fields as they are (no line or no resource: made by the method)
    keys = list(map(_SORT_FIELDS, kept))
    for at in [at for at, key in enumerate(keys) if None in key]:
        keys[at] = kept[at].sort_key()
    # stable: ties stay in the order of first appearance
    return list(map(kept.__getitem__, sorted(range(len(kept)), key=keys.__getitem__)))


_SORT_FIELDS = attrgetter("path", "line", "rule_id", "resource", "message")  # Finding.sort_key without its `or`s


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
