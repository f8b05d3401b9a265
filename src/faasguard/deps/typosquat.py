"""Names one edit away from a very popular package: the classic typosquat.

One edit is an insertion, a deletion, a substitution or a swap of two adjacent
characters (Damerau–Levenshtein distance 1), compared on the ecosystem's
normalized names, and for npm also with the scope removed. The popular names
and a list of known-legitimate near-neighbours are data
(``faasguard/data/popular_packages.json``), not code.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

from faasguard.deps.interface import normalize

MIN_LENGTH = 5  # shorter names are one edit from too many real packages


@functools.cache
def _data() -> dict[str, dict[str, list[str]]]:
    text = resources.files("faasguard").joinpath("data", "popular_packages.json").read_text(encoding="utf-8")
    loaded: dict[str, dict[str, list[str]]] = json.loads(text)
    return loaded


@functools.cache
def popular(ecosystem: str) -> frozenset[str]:
    return frozenset(normalize(ecosystem, n) for n in _data().get(ecosystem, {}).get("popular", []))


@functools.cache
def _allowed(ecosystem: str) -> frozenset[str]:
    return frozenset(normalize(ecosystem, n) for n in _data().get(ecosystem, {}).get("legitimate", []))


@functools.cache
def _by_length(ecosystem: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for name in popular(ecosystem):
        out.setdefault(len(name), []).append(name)
    return out


def one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one insertion, deletion, substitution or adjacent swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


@functools.lru_cache(maxsize=65536)
def imitates(ecosystem: str, name: str) -> str | None:
    """The popular package ``name`` is one edit away from, or None."""
    norm = normalize(ecosystem, name)
    if norm in popular(ecosystem) or norm in _allowed(ecosystem):
        return None
    candidates = [norm]
    if ecosystem == "npm" and norm.startswith("@") and "/" in norm:
        candidates.append(norm.split("/", 1)[1])
    for candidate in candidates:
        if len(candidate) < MIN_LENGTH:
            continue
        if candidate != norm and candidate in popular(ecosystem):
            continue  # "@acme/lodash" is a scoped fork, not a typo
        near = _near(ecosystem)
        # The popular names that share the candidate or one of its one-deletion variants; one edit apart
        # or not, the first in the order of :func:`_by_length` (shorter first) is the answer.
        targets = {t for key in _deletions(candidate) for t in near.get(key, ())}
        matches = [t for t in targets if one_edit(candidate, t) and not _same_scope(candidate, t)]
        if matches:
            rank = _rank(ecosystem)
            return min(matches, key=rank.__getitem__)
    return None


def _deletions(name: str) -> set[str]:
    """``name`` and every string one deletion away from it. Two names one edit apart always share one of these
    (a substitution or a swap: the same deletion of both; an insertion: the shorter name itself)."""
    return {name, *(name[:i] + name[i + 1 :] for i in range(len(name)))}


@functools.cache
def _near(ecosystem: str) -> dict[str, tuple[str, ...]]:
    """Each popular name under itself and under each of its one-deletion variants."""
    index: dict[str, list[str]] = {}
    for names in _by_length(ecosystem).values():
        for name in names:
            for key in _deletions(name):
                index.setdefault(key, []).append(name)
    return {key: tuple(names) for key, names in index.items()}


@functools.cache
def _rank(ecosystem: str) -> dict[str, tuple[int, int]]:
    """The order in which the popular names are tried: by length, then as :func:`_by_length` lists them."""
    return {name: (length, i) for length, names in _by_length(ecosystem).items() for i, name in enumerate(names)}


def _same_scope(a: str, b: str) -> bool:
    """npm scopes belong to one owner: ``@aws-sdk/client-sso`` cannot squat ``@aws-sdk/client-ssm``."""
    return a.startswith("@") and b.startswith("@") and a.split("/", 1)[0] == b.split("/", 1)[0]
