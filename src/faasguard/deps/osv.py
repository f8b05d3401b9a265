"""OSV records: does a record affect a package version, and what does a finding say about it.

Implements the OSV schema's evaluation: ``versions[]`` are exact matches; each
``ECOSYSTEM``/``SEMVER`` range is walked event by event in version order, a
version being affected from an ``introduced`` up to (not including) a ``fixed``,
or up to and including a ``last_affected``. PyPI versions compare with PEP 440
(``packaging``), npm versions with semver (``node-semver``). ``GIT`` ranges
name commits, not releases, and are skipped; withdrawn records never match.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import nodesemver
from packaging.version import InvalidVersion, Version

from faasguard.deps.cvss import base_score, rating
from faasguard.deps.interface import Advisory, as_dict, normalize

_DB_SEVERITY = {"critical": "critical", "high": "high", "moderate": "medium", "medium": "medium", "low": "low"}

Key = Callable[[str], Any]


@functools.lru_cache(maxsize=65536)
def _pep440(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


@functools.total_ordering
class _Npm:
    """A semver version with Python ordering (node-semver's SemVer only has ``compare``)."""

    __slots__ = ("semver",)

    def __init__(self, semver: nodesemver.SemVer) -> None:
        self.semver = semver

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Npm) and self.semver.compare(other.semver) == 0

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, _Npm):
            return NotImplemented
        return bool(self.semver.compare(other.semver) < 0)

    def __hash__(self) -> int:
        return hash(self.semver.version)


@functools.lru_cache(maxsize=65536)
def _semver(text: str) -> _Npm | None:
    try:
        return _Npm(nodesemver.make_semver(text, loose=True))
    except (ValueError, TypeError):
        return None


def parse_version(ecosystem: str, text: str) -> Any | None:
    """A comparable version object, or None when the text is not a valid version of the ecosystem."""
    if text == "0":
        return _ZERO
    return _pep440(text) if ecosystem == "PyPI" else _semver(text)


class _Zero:
    """OSV's ``introduced: "0"``: lower than every version."""

    def __lt__(self, other: object) -> bool:
        return not isinstance(other, _Zero)

    def __le__(self, other: object) -> bool:
        return True

    def __gt__(self, other: object) -> bool:
        return False

    def __ge__(self, other: object) -> bool:
        return isinstance(other, _Zero)


_ZERO = _Zero()


def _cmp(a: Any, b: Any) -> int:
    if isinstance(a, _Zero) or isinstance(b, _Zero):
        return 0 if type(a) is type(b) else (-1 if isinstance(a, _Zero) else 1)
    return -1 if a < b else (1 if a > b else 0)


def _in_range(version: Any, events: list[dict[str, str]], ecosystem: str) -> tuple[bool, str | None]:
    """(affected, the fixed version that ends the interval holding ``version``)."""
    parsed: list[tuple[Any, int, str, str]] = []
    for event in events:
        for kind, rank in (("introduced", 0), ("fixed", 1), ("last_affected", 2)):
            if kind in event:
                value = parse_version(ecosystem, str(event[kind]))
                if value is not None:
                    parsed.append((value, rank, kind, str(event[kind])))
    def order(x: tuple[Any, int, str, str], y: tuple[Any, int, str, str]) -> int:
        return _cmp(x[0], y[0]) or (x[1] - y[1])

    parsed.sort(key=functools.cmp_to_key(order))
    affected = False
    for index, (value, _, kind, _text) in enumerate(parsed):
        if kind == "introduced" and _cmp(version, value) >= 0:
            affected = True
        elif (kind == "fixed" and _cmp(version, value) >= 0) or (kind == "last_affected" and _cmp(version, value) > 0):
            affected = False
        if _cmp(value, version) > 0:
            if affected:
                fixed = next((t for _, _, k, t in parsed[index:] if k == "fixed"), None)
                return True, fixed
            return False, None
    return affected, None


def affected_by(record: dict[str, Any], ecosystem: str, name: str, version: str) -> tuple[bool, tuple[str, ...]]:
    """Does ``record`` affect ``name==version``? Also returns the first fixed versions that apply."""
    if record.get("withdrawn"):
        return False, ()
    wanted = normalize(ecosystem, name)
    parsed = parse_version(ecosystem, version)
    hit = False
    fixed: set[str] = set()
    for affected in record.get("affected") or []:
        package = affected.get("package") or {}
        if package.get("ecosystem") != ecosystem or normalize(ecosystem, str(package.get("name", ""))) != wanted:
            continue
        listed = [str(v) for v in affected.get("versions") or []]
        if version in listed or (parsed is not None and any(parse_version(ecosystem, v) == parsed for v in listed)):
            hit = True
        if parsed is None:
            continue
        for rng in affected.get("ranges") or []:
            if rng.get("type") not in ("ECOSYSTEM", "SEMVER"):
                continue
            inside, fix = _in_range(parsed, rng.get("events") or [], ecosystem)
            if inside:
                hit = True
                if fix:
                    fixed.add(fix)
        if hit and not fixed:
            # Exact-version listings carry no fix; take any fixed event above the version.
            for rng in affected.get("ranges") or []:
                for event in rng.get("events") or []:
                    fix_v = parse_version(ecosystem, str(event.get("fixed", ""))) if "fixed" in event else None
                    if fix_v is not None and _cmp(fix_v, parsed) > 0:
                        fixed.add(str(event["fixed"]))
    def order(a: str, b: str) -> int:
        return _cmp(parse_version(ecosystem, a), parse_version(ecosystem, b))

    return hit, tuple(sorted(fixed, key=functools.cmp_to_key(order)))


def to_advisory(record: dict[str, Any], fixed: tuple[str, ...]) -> Advisory:
    vector = None
    score = None
    for entry in record.get("severity") or []:
        if not isinstance(entry, dict):
            continue
        if str(entry.get("type", "")).startswith("CVSS_V3"):
            vector = str(entry.get("score", ""))
            score = base_score(vector)
            break
        if entry.get("type") == "CVSS_V4" and vector is None:
            vector = str(entry.get("score", ""))
    severity = rating(score) if score is not None else None
    if severity is None or severity == "none":
        sources = [record.get("database_specific"), *(a.get("ecosystem_specific") for a in record.get("affected") or [])]
        for source in sources:
            text = str(as_dict(source).get("severity", "")).lower()
            if text in _DB_SEVERITY:
                severity = _DB_SEVERITY[text]
                break
    if severity is None and str(record.get("id", "")).startswith("MAL-"):
        severity = "critical"
    url = next((str(r.get("url")) for r in record.get("references") or [] if r.get("type") == "ADVISORY" and r.get("url")), None)
    return Advisory(
        id=str(record.get("id", "")),
        aliases=tuple(sorted({str(a) for a in record.get("aliases") or []})),
        summary=_summary(record),
        severity=severity if severity != "none" else None,
        score=score,
        vector=vector,
        fixed=fixed,
        url=url or f"https://osv.dev/vulnerability/{record.get('id', '')}",
    )


def _summary(record: dict[str, Any]) -> str:
    text = str(record.get("summary") or record.get("details") or "").strip()
    return text.splitlines()[0][:200] if text else ""


_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}


def merge_aliases(advisories: Iterable[Advisory]) -> tuple[Advisory, ...]:
    """One advisory per vulnerability: records that alias each other (PYSEC ↔ GHSA ↔ CVE) are merged."""
    groups: list[list[Advisory]] = []
    for adv in sorted(advisories, key=lambda a: a.id):
        names = {adv.id, *adv.aliases}
        joined = [g for g in groups if any(names & {x.id, *x.aliases} for x in g)]
        merged = [adv]
        for group in joined:
            groups.remove(group)
            merged += group
        groups.append(merged)
    out = []
    for group in groups:
        # Prefer the record that carries a CVSS score, then a GHSA id (they carry ratings), then the id order.
        primary = sorted(group, key=lambda a: (a.score is None, a.severity is None, not a.id.startswith("GHSA"), a.id))[0]
        ids = {a.id for a in group}
        aliases = tuple(sorted(({x for a in group for x in a.aliases} | ids) - {primary.id}))
        fixed = tuple(dict.fromkeys(f for a in group for f in a.fixed))
        severity = max((a.severity for a in group if a.severity), key=lambda s: _RANK.get(s, 0), default=None)
        rated = primary.severity or severity
        out.append(Advisory(primary.id, aliases, primary.summary, rated, primary.score, primary.vector, fixed, primary.url))
    return tuple(sorted(out, key=lambda a: a.id))
