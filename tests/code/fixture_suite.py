"""The annotated taint fixtures: run every handler, compare flows with the ``expect:`` / ``ok`` line comments.

Each file under ``tests/code/fixtures/<language>/`` names its handlers on its first
line (``# handlers: a b``); a line that must produce a finding ends with
``# expect: FG-INJ-011`` (several ids separated by commas), a line that must stay
quiet with ``# ok``. A flow on a line with no annotation counts as a false positive.

    python -m tests.code.fixture_suite      # prints recall and false positives per language and rule
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
EXPECT = re.compile(r"(?:#|//)\s*expect:\s*(FG-[A-Z]+-\d+(?:\s*,\s*FG-[A-Z]+-\d+)*)")
OK = re.compile(r"(?:#|//)\s*ok\b")
HANDLERS = re.compile(r"^(?:#|//)\s*handlers:\s*(.+)$")
RUNTIME = {"python": "python3.12", "javascript": "nodejs20.x"}


@dataclass
class Score:
    expected: int = 0
    found: int = 0
    ok_lines: int = 0
    false_positives: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def annotations(path: Path) -> tuple[list[str], dict[int, set[str]], set[int]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    match = HANDLERS.match(lines[0]) if lines else None
    handlers = match.group(1).split() if match else []
    expect: dict[int, set[str]] = {}
    ok: set[int] = set()
    for number, line in enumerate(lines, 1):
        m = EXPECT.search(line)
        if m:
            expect[number] = {x.strip() for x in m.group(1).split(",")}
        elif OK.search(line):
            ok.add(number)
    return handlers, expect, ok


def flows_of(path: Path, language: str, handlers: list[str]) -> set[tuple[int, str]]:
    """(line, rule id) of every flow any of the file's handlers reports."""
    root = path.parent
    result = AnalysisResult()
    cache = _Cache(root.resolve(), result)
    found: set[tuple[int, str]] = set()
    for name in handlers:
        fn = Function(name=name, loc=Loc(path.name, 1), runtime=RUNTIME[language], handler=f"{path.stem}.{name}",
                      code_dir=root)
        facts = CodeAnalyzer()._function(fn, cache, result)
        for flow in facts.flows if facts is not None else ():
            if flow.sink_loc.path == path.name:
                found.add((flow.sink_loc.line or 0, RULE_OF_KIND.get(flow.kind, flow.kind)))
    return found


def run() -> dict[tuple[str, str], Score]:
    scores: dict[tuple[str, str], Score] = defaultdict(Score)
    for language_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        language = language_dir.name
        for path in sorted(language_dir.iterdir()):
            if not path.is_file():
                continue
            handlers, expect, ok = annotations(path)
            found = flows_of(path, language, handlers)
            for line, rules in expect.items():
                for rule_id in rules:
                    score = scores[(language, rule_id)]
                    score.expected += 1
                    if (line, rule_id) in found:
                        score.found += 1
                    else:
                        score.missed.append(f"{path.name}:{line}")
            for _line in ok:
                rule_id = RULE_OF_KIND.get(path.stem, path.stem)
                scores[(language, rule_id)].ok_lines += 1
            for line, rule_id in sorted(found):
                if rule_id not in expect.get(line, set()):
                    scores[(language, rule_id)].false_positives.append(f"{path.name}:{line}")
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
    results = run()
    print(table(results))
    for (language, rule_id), s in sorted(results.items()):
        for where in s.missed:
            print(f"missed {language} {rule_id} {where}")
        for where in s.false_positives:
            print(f"false positive {language} {rule_id} {where}")
