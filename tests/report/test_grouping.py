"""The default views' grouping (report.grouping): every finding is shown exactly once, an attack
path carries the findings it is made of, other rules at one line go under its most severe one."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from faasguard.findings import Finding, Related, Severity
from faasguard.interfaces import ScanResult
from faasguard.registry import all_rules
from faasguard.report import REPORTERS
from faasguard.report.grouping import PART_OF_PATH, SAME_PLACE, TAINT_RULES, flatten, group
from faasguard.report.text import TextReporter

from .test_html import scan_example


def finding(rule: str, severity: Severity, path: str, line: int, function: str | None, category: str = "iam",
            related: tuple[Related, ...] = (), functions: tuple[str, ...] = ()) -> Finding:
    return Finding(rule, category, severity, f"title of {rule}", f"{rule} in {function}", path, line, None, None,
                   function, "fix it", related, fingerprint=f"{rule}:{path}:{line}:{function}", functions=functions)


PATH = finding("FG-ATK-001", Severity.CRITICAL, "src/app.py", 12, "Api", "attack-path", related=(
    Related("template.yaml", 40, "entry: POST /x invokes Api without authentication"),
    Related("src/app.py", 9, "source: event['body']"),
    Related("template.yaml", 60, "role ApiRole grants s3:* on *"),
))
SINK = finding("FG-INJ-011", Severity.CRITICAL, "src/app.py", 12, "Api", "injection")
OTHER_SINK = finding("FG-INJ-014", Severity.HIGH, "src/app.py", 30, "Api", "injection")  # the path names every kind
ENTRY = finding("FG-INJ-001", Severity.MEDIUM, "template.yaml", 40, "Api", "injection")
SAME_ROUTE = finding("FG-INJ-002", Severity.LOW, "template.yaml", 40, "Api", "injection")
GRANT = finding("FG-IAM-001", Severity.HIGH, "template.yaml", 60, "Api")
OTHER_GRANT = finding("FG-IAM-001", Severity.HIGH, "template.yaml", 70, "Api")  # a statement the path does not name
UNUSED = finding("FG-IAM-030", Severity.MEDIUM, "template.yaml", 70, "Api")
ELSEWHERE = finding("FG-INJ-011", Severity.CRITICAL, "src/jobs.py", 5, "Jobs", "injection")  # another function
NO_ALARM = finding("FG-MON-003", Severity.LOW, "template.yaml", 70, "Api", "monitoring")
LOGS_EVENT = finding("FG-SEC-011", Severity.MEDIUM, "src/app.py", 9, "Api", "secrets")  # at the path's source line
ALL = [PATH, SINK, OTHER_SINK, ENTRY, SAME_ROUTE, GRANT, OTHER_GRANT, UNUSED, ELSEWHERE, NO_ALARM, LOGS_EVENT]


def test_taint_rules_exist():
    ids = {r.id for r in all_rules()}
    assert ids >= TAINT_RULES and all(i.startswith("FG-INJ-") for i in TAINT_RULES)


def test_every_finding_once():
    groups = group(ALL)
    assert Counter(f.fingerprint for f in flatten(groups)) == Counter(f.fingerprint for f in ALL)


def test_an_attack_path_carries_its_links():
    [path] = [g for g in group(ALL) if g.via == PART_OF_PATH]
    assert path.lead is PATH
    # the sink, every taint finding of the function, the entry route (and what else fires on it), the named grant
    assert {f.fingerprint for f in path.members} == {
        f.fingerprint for f in (SINK, OTHER_SINK, ENTRY, SAME_ROUTE, GRANT)
    }


def test_what_the_path_does_not_name_stays_at_the_top():
    groups = {g.lead.fingerprint: g for g in group(ALL) if g.via != PART_OF_PATH}
    assert ELSEWHERE.fingerprint in groups, "a taint finding of another function is not this path's"
    assert NO_ALARM.fingerprint in groups, "low monitoring findings are summarised per rule, never folded"
    assert LOGS_EVENT.fingerprint in groups, "a line the tainted data passes through is not a link of the path"
    other = groups[OTHER_GRANT.fingerprint]
    assert other.via == SAME_PLACE and other.members == (UNUSED,)


def test_a_rule_shown_anyway_keeps_all_its_places():
    # FG-IAM-030 is shown at the top level for another line, so the one at line 70 stays in its block too
    lone = finding("FG-IAM-030", Severity.MEDIUM, "template.yaml", 90, "Jobs")
    groups = group([OTHER_GRANT, UNUSED, lone])
    assert {g.lead.fingerprint for g in groups} == {OTHER_GRANT.fingerprint, UNUSED.fingerprint, lone.fingerprint}
    assert all(not g.members for g in groups)


def test_text_lists_links_under_the_path_and_verbose_shows_each_in_full():
    result = ScanResult(root=Path("."), files=1, applications=[], findings=ALL, errors=[], warnings=[], duration_s=0.1)
    text = TextReporter(width=200).format(result)
    lines = text.splitlines()
    made_of = lines.index("      made of:")
    assert "        CRITICAL FG-INJ-011 src/app.py:12  title of FG-INJ-011" in lines[made_of:]
    assert "        MEDIUM   FG-INJ-001 template.yaml:40  title of FG-INJ-001" in lines[made_of:]
    assert "also here: MEDIUM FG-IAM-030  title of FG-IAM-030" in text
    assert text.count("FG-INJ-011 in Api") == 0, "a link of a path is one line, not its full message again"
    verbose = TextReporter(width=200, verbose=True).format(result)
    assert "made of:" not in verbose and "also here" not in verbose
    assert verbose.count("FG-INJ-011 in Api") == 1


def test_machine_formats_keep_every_finding_with_its_fingerprint():
    example = scan_example()
    assert any(g.members for g in group(example.findings))
    data = json.loads(REPORTERS["json"]().format(example))
    assert sorted(f["fingerprint"] for f in data["findings"]) == sorted(f.fingerprint for f in example.findings)
    sarif = json.loads(REPORTERS["sarif"]().format(example))
    assert len(sarif["runs"][0]["results"]) == len(example.findings)
