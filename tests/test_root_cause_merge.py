"""root_cause.merge against the plain way it was first written: the same findings, merged and ordered the same."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable

from faasguard import root_cause
from faasguard.findings import Finding, Related, Severity, finding_fingerprint


def plain_merge(findings: Iterable[Finding], locations: root_cause.FunctionLocations, base: str = "") -> list[Finding]:
    """Group by place, then by group key; sort by (sort key, index of the first member)."""
    places: dict[tuple[object, ...], list[tuple[int, Finding]]] = defaultdict(list)
    for i, f in enumerate(findings):
        places[(f.rule_id, f.severity, f.source, f.path, f.line, f.end_line)].append((i, f))
    out: list[tuple[int, Finding]] = []
    for at_place in places.values():
        groups: dict[tuple[object, ...], list[tuple[int, Finding]]] = defaultdict(list)
        for i, f in at_place:
            groups[root_cause._group_key(f)].append((i, f))
        for members in groups.values():
            merged = members[0][1] if len(members) == 1 else root_cause._merged([f for _, f in members], locations, base)
            out.append((members[0][0], merged))
    out.sort(key=lambda item: (item[1].sort_key(), item[0]))
    return [f for _, f in out]


def _findings(seed: int, count: int) -> list[Finding]:
    pick = random.Random(seed).choice
    made = []
    for _ in range(count):
        function = pick(["Orders", "Users", "orders-api", None])
        rule_id, path, line = pick(["FG-SUP-001", "FG-IAM-010"]), pick(["a/t.yaml", "b/serverless.yml"]), pick([3, 7, None])
        shape = pick([0, 1, 2, pick([0, 1, 2])])  # the fields of one shape differ only by the function's name
        resource = [function, "Role", None, pick([function, None])][pick([shape, shape, 3])]
        message = [f"Function {function} runs on python3.8", "Role grants s3:*", f"{function}: same text"][shape]
        related = [(), (Related(path, 9, f"function {function}"),), (Related(path, 2, "statement"),)][shape]
        made.append(Finding.of(
            rule_id=rule_id, category="iam", severity=pick([Severity.HIGH, Severity.LOW]), title="t",
            message=message, path=path, line=line, end_line=line, resource=resource, function=function,
            remediation=[f"Move {function} to python3.13", "Remove it", pick(["Remove it", "Keep it"])][shape], related=related,
            fingerprint=finding_fingerprint(rule_id, path, resource, function, message), source=pick(["a", "b"]),
        ))
    return made


def test_merge_gives_what_the_plain_grouping_gives() -> None:
    locations = {(s, n): (f"{s}/t.yaml", 4) for s in "ab" for n in ("Orders", "Users", "orders-api")}
    merged_some = 0
    for seed in range(200):
        findings = _findings(seed, random.Random(-seed).randint(0, 40))
        got = root_cause.merge(findings, locations, "")
        assert [f.__dict__ for f in got] == [f.__dict__ for f in plain_merge(findings, locations)]
        merged_some += any(f.functions for f in got)
    assert merged_some > 40  # the cases do merge findings


def test_ties_keep_the_order_of_first_appearance() -> None:
    one = _findings(1, 1)[0]
    two = one.but(fingerprint="x", source="c")  # another application: the same sort key, never merged
    assert one.sort_key() == two.sort_key()
    assert [f.fingerprint for f in root_cause.merge([two, one])] == [two.fingerprint, one.fingerprint]


def test_a_name_is_taken_out_where_the_regular_expression_took_it_out() -> None:
    """without_name against the expression it replaces: generated texts and names, and every character beside a name."""
    import re

    def by_expression(text: str, name: str, placeholder: str) -> str:
        return re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", placeholder, text) if name else text

    pieces = ["a", "b", "-", "_", " ", ".", "1", "é", "٣", "Ⅻ", "\u0300", "(", "*", "ab", "a-b", "\n", "ª", "²", "\udce9", "$"]
    pick = random.Random(7)
    for _ in range(20000):
        name = "".join(pick.choice(pieces) for _ in range(pick.randint(0, 3)))
        text = "".join(pick.choice(pieces) for _ in range(pick.randint(0, 12)))
        if name and pick.random() < 0.6:
            middle = len(text) // 2
            text = text[:middle] + name + text[middle:] + pick.choice(["", name, " " + name, name + name])
        assert root_cause.without_name(text, name, "\x00fn\x00") == by_expression(text, name, "\x00fn\x00"), (text, name)
    for code in range(0, 0x110000, 23):
        char = chr(code)
        for text in (f"{char}Orders{char}", f"Orders{char}", f"{char}Orders"):
            assert root_cause.without_name(text, "Orders", "#") == by_expression(text, "Orders", "#"), hex(code)
    text = "Orders and Orders-api, not OrdersX: Orders"
    assert root_cause.without_name(text, "Orders", "#") == "# and Orders-api, not OrdersX: #"
