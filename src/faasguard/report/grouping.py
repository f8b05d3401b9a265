"""What the default human views (text, HTML, Markdown) show once, and what they show under it.

The findings themselves never change here: JSON, SARIF and JUnit keep every finding with its
own fingerprint, so baselines and code-scanning alerts match as before. This only decides
*where* a reader sees a finding:

- **Part of an attack path.** An attack path (``attack-path`` category) is the chain of
  several findings: the unauthenticated entry, the injectable sink, the role's broad
  grant. The findings that are links of a path are listed under it, one line each, rather
  than again at the top level: the findings of the path's function that are at a place
  the path names (its sink, its entry point, its role's grants), and the function's taint
  findings, since the path's message names every kind of injection its handler has.
- **Same place.** Several rules firing at one line of one file (a role statement that is
  a wildcard action, reads data on every resource and grants unused actions; an API stage
  without logs and without throttling) are one thing to edit: the most severe leads and
  the others are listed under it, unless their rule is shown at the top level anyway
  (then they stay in that rule's block, which lists every place the rule fires).

``--verbose`` turns both off (every finding in full).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from faasguard.findings import Finding, Related, Severity

# The taint rules: one per kind of sink an attack path's message names ("whose handler has SQL injection, …").
TAINT_RULES = frozenset(f"FG-INJ-0{n}" for n in range(10, 19))
ATTACK_PATH = "attack-path"
PART_OF_PATH = "part of this path"
SAME_PLACE = "same line"


@dataclass(frozen=True)
class Group:
    """A finding shown at the top level and the findings shown under it (``via`` says why)."""

    lead: Finding
    members: tuple[Finding, ...] = ()
    via: str = ""


def summarised(f: Finding) -> bool:
    """Findings shown as one line per rule unless --verbose: low-value monitoring advice."""
    return f.category == "monitoring" and f.severity <= Severity.LOW


def _functions(f: Finding) -> set[str]:
    return set(f.functions) if f.functions else ({f.function} if f.function else set())


def _place(f: Finding) -> tuple[str, str, int] | None:
    return (f.source, f.path, f.line) if f.line else None


def _order(f: Finding) -> tuple[object, ...]:
    return (-f.severity, f.category == ATTACK_PATH, f.rule_id, f.path, f.line or 0, f.message)


def _named_places(path: Finding) -> set[tuple[str, int]]:
    """The path's sink, its entry point and its role's grants (not the lines the tainted data passes
    through: a handler that also logs the event there has a problem of its own)."""
    places = {(r.path, r.line) for r in path.related if r.line and r.note.startswith(("entry:", "role "))}
    if path.line:
        places.add((path.path, path.line))
    return places


def group(findings: Iterable[Finding]) -> list[Group]:
    """Every finding exactly once: as a lead, or as a member of one lead's group.

    Low monitoring findings (``summarised``) are never folded: the views summarise them per rule.
    """
    findings = list(findings)
    paths = sorted((f for f in findings if f.category == ATTACK_PATH), key=_order)
    rest = [f for f in findings if f.category != ATTACK_PATH]

    # Same place first: a place group moves as one (a route that is a path's entry brings its
    # "no request validation" finding along).
    by_place: dict[tuple[str, str, int], list[Finding]] = defaultdict(list)
    alone: list[list[Finding]] = []
    for f in rest:
        place = _place(f)
        if place is None or summarised(f):
            alone.append([f])
        else:
            by_place[place].append(f)
    blocks = [sorted(members, key=_order) for members in by_place.values()] + alone

    parts: dict[int, list[Finding]] = defaultdict(list)  # index in paths → its links
    leftover: list[list[Finding]] = []
    named = [_named_places(p) for p in paths]
    for block in blocks:
        owner = next((i for i, p in enumerate(paths) if any(_part_of(f, p, named[i]) for f in block)), None)
        if owner is None or any(summarised(f) for f in block):
            leftover.append(block)
        else:
            parts[owner].extend(block)

    out = [Group(p, tuple(sorted(parts[i], key=_order)), PART_OF_PATH) for i, p in enumerate(paths)]
    # A rule shown at the top level anyway keeps all its places in its own block: a finding goes
    # under another rule's line only when its rule would not otherwise be shown.
    shown = {block[0].rule_id for block in leftover}
    for block in leftover:
        under = tuple(f for f in block[1:] if f.rule_id not in shown)
        out.append(Group(block[0], under, SAME_PLACE if under else ""))
        out.extend(Group(f) for f in block[1:] if f.rule_id in shown)
    return out


def _part_of(f: Finding, path: Finding, places: set[tuple[str, int]]) -> bool:
    if f.source != path.source or not path.function or path.function not in _functions(f):
        return False
    if f.rule_id in TAINT_RULES:
        return True
    return f.line is not None and (f.path, f.line) in places


def flatten(groups: Sequence[Group]) -> list[Finding]:
    return [f for g in groups for f in (g.lead, *g.members)]


def affected(f: Finding) -> tuple[tuple[tuple[str, str], ...], tuple[Related, ...]]:
    """A merged finding's functions with their definitions ("template.yaml:31"), and the related
    locations that are not one of those definitions."""
    if not f.functions:
        return (), f.related
    notes = {f"function {name}": name for name in f.functions}
    where = {notes[r.note]: f"{r.path}:{r.line}" if r.line else r.path for r in f.related if r.note in notes}
    return tuple((name, where.get(name, "")) for name in f.functions), tuple(r for r in f.related if r.note not in notes)
