"""The annotated taint fixtures: run every handler, compare flows with the ``expect:`` / ``ok`` line comments.

Each file under ``tests/code/fixtures/<language>/`` names its handlers on its first
line (``# handlers: a b``); a line that must produce a finding ends with
``# expect: FG-INJ-011`` (several ids separated by commas), a line that must stay
quiet with ``# ok`` (``# ok: FG-INJ-010`` names its rule; otherwise the file's name is the kind). A flow on a
line with no annotation counts as a false positive. Files without a ``handlers:`` line are helper modules the
handlers import (in subdirectories too): their annotations count, and a handler's flows into them are compared.

Three groups: ``fixtures/`` (written with the engine), ``heldout_style/`` (written afterwards, in the styles
real teams use: Powertools, middy, classes, helper modules, TypeScript; measured before the engine knew them) and
``blind/`` (written by someone who had read neither the engine nor the other groups; held at its measured figures).

    python -m tests.code.fixture_suite      # prints recall and false positives per group, language and rule
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from faasguard.code.analyzer import CodeAnalyzer, _Cache
from faasguard.code.facts import RULE_OF_KIND
from faasguard.interfaces import AnalysisResult
from faasguard.model import Function, Loc

FIXTURES = Path(__file__).parent / "fixtures"
HELDOUT_STYLE = Path(__file__).parent / "heldout_style"
BLIND = Path(__file__).parent / "blind"
GROUPS = {"fixtures": FIXTURES, "heldout-style": HELDOUT_STYLE, "blind": BLIND}
SOURCE_SUFFIXES = {".py", ".js", ".mjs", ".cjs", ".ts", ".mts"}
EXPECT = re.compile(r"(?:#|//)\s*expect:\s*(FG-[A-Z]+-\d+(?:\s*,\s*FG-[A-Z]+-\d+)*)")
OK = re.compile(r"(?:#|//)\s*ok\b(?::\s*(FG-[A-Z]+-\d+))?")
HANDLERS = re.compile(r"^(?:#|//)\s*handlers:\s*(.+)$")
RUNTIME = {"python": "python3.12", "javascript": "nodejs20.x"}


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    ok_lines: int = 0
    false_positives: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def annotations(path: Path) -> tuple[list[str], dict[int, set[str]], dict[int, str]]:
    """The file's handlers, its ``expect:`` lines (line → rule ids) and its ``ok`` lines (line → rule id)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    match = HANDLERS.match(lines[0]) if lines else None
    handlers = match.group(1).split() if match else []
    expect: dict[int, set[str]] = {}
    ok: dict[int, str] = {}
    for number, line in enumerate(lines, 1):
        m = EXPECT.search(line)
        if m:
            expect[number] = {x.strip() for x in m.group(1).split(",")}
        elif (o := OK.search(line)) is not None:
            ok[number] = o.group(1) or RULE_OF_KIND.get(path.stem, path.stem)
    return handlers, expect, ok


def flows_of(path: Path, language: str, handlers: list[str], root: Path | None = None) -> set[tuple[str, int, str]]:
    """(file relative to root, line, rule id) of every flow any of the file's handlers reports."""
    root = root or path.parent
    result = AnalysisResult()
    cache = _Cache(root.resolve(), result)
    found: set[tuple[str, int, str]] = set()
    module = path.relative_to(root).with_suffix("").as_posix()
    for name in handlers:
        fn = Function(name=name, loc=Loc(path.name, 1), runtime=RUNTIME[language], handler=f"{module}.{name}",
                      code_dir=root)
        facts = CodeAnalyzer()._function(fn, cache, result)
        for flow in facts.flows if facts is not None else ():
            found.add((flow.sink_loc.path, flow.sink_loc.line or 0, RULE_OF_KIND.get(flow.kind, flow.kind)))
    return found


def run(root: Path = FIXTURES) -> dict[tuple[str, str], Score]:
    scores: dict[tuple[str, str], Score] = defaultdict(Score)
    for language_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        language = language_dir.name
        files = sorted(p for p in language_dir.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES)
        found: set[tuple[str, int, str]] = set()
        notes = {}
        for path in files:
            rel = path.relative_to(language_dir).as_posix()
            notes[rel] = handlers, _, _ = annotations(path)
            if handlers:
                found |= flows_of(path, language, handlers, language_dir)
        for rel, (_, expect, ok) in notes.items():
            for line, rules in expect.items():
                for rule_id in rules:
                    score = scores[(language, rule_id)]
                    score.expected += 1
                    if (rel, line, rule_id) in found:
                        score.found += 1
                    else:
                        score.missed.append(f"{rel}:{line}")
            for rule_id in ok.values():
                scores[(language, rule_id)].ok_lines += 1
        for rel, line, rule_id in sorted(found):
            expect = notes[rel][1] if rel in notes else {}
            if rule_id not in expect.get(line, set()):
                scores[(language, rule_id)].false_positives.append(f"{rel}:{line}")
    return dict(scores)


def table(scores: dict[tuple[str, str], Score]) -> str:
    rows = [f"{'language':11s} {'rule':11s} {'recall':>12s} {'false pos.':>16s}"]
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (language, rule_id), s in sorted(scores.items()):
        rows.append(f"{language:11s} {rule_id:11s} {s.found:4d}/{s.expected:<4d}{_pct(s.found, s.expected):>5s} "
                    f"{len(s.false_positives):4d} ({s.ok_lines} ok lines)")
        t = totals[language]
        t[0] += s.found
        t[1] += s.expected
        t[2] += len(s.false_positives)
        t[3] += s.ok_lines
    for language, (found, expected, fps, ok_lines) in sorted(totals.items()):
        rows.append(f"{language:11s} {'all':11s} {found:4d}/{expected:<4d}{_pct(found, expected):>5s} "
                    f"{fps:4d} ({ok_lines} ok lines)")
    return "\n".join(rows)


def _pct(a: int, b: int) -> str:
    return f"{100 * a // b}%" if b else "-"


if __name__ == "__main__":
    for group, group_root in GROUPS.items():
        results = run(group_root)
        print(f"== {group} ({group_root.name}/)")
        print(table(results))
        for (language, rule_id), s in sorted(results.items()):
            for where in s.missed:
                print(f"missed {language} {rule_id} {where}")
            for where in s.false_positives:
                print(f"false positive {language} {rule_id} {where}")
