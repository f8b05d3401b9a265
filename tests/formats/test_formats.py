"""Each rule concept fires, at the same place and naming the same function, in every format it exists in."""

from __future__ import annotations

from pathlib import Path

import pytest

from faasguard.registry import get_rule
from faasguard.scan import ScanOptions, scan
from tests.formats.expectations import CONCEPTS, EXPECTATIONS, Expect, cases

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats"
CASES = cases()
IDS = [f"{fmt}-{concept}" for fmt, concept, _, _ in CASES]


@pytest.mark.parametrize(("fmt", "concept", "rule_id", "expect"), CASES, ids=IDS)
def test_fires_where_the_mistake_is_written(fmt: str, concept: str, rule_id: str, expect: Expect) -> None:
    result = scan(FIXTURES / fmt / concept / "fires", ScanOptions(rules={rule_id}, jobs=1))
    assert result.errors == []
    findings = [f for f in result.findings if f.rule_id == rule_id]
    assert [(f.path, f.line, f.function) for f in findings] == [(expect.path, expect.line, expect.function)]
    assert expect.message in findings[0].message


@pytest.mark.parametrize(("fmt", "concept", "rule_id", "expect"), CASES, ids=IDS)
def test_quiet_once_fixed(fmt: str, concept: str, rule_id: str, expect: Expect) -> None:
    result = scan(FIXTURES / fmt / concept / "quiet", ScanOptions(rules={rule_id}, jobs=1))
    assert result.errors == []
    assert result.functions >= 1  # the fixed twin still loads its function: quiet for the right reason
    assert [f for f in result.findings if f.rule_id == rule_id] == []


def test_table_and_fixtures_agree() -> None:
    for rule_id in CONCEPTS.values():
        assert get_rule(rule_id) is not None, f"{rule_id} is not a registered rule"
    on_disk = {(p.parent.parent.name, p.parent.name) for p in FIXTURES.glob("*/*/fires")}
    in_table = {(fmt, concept) for fmt, by_concept in EXPECTATIONS.items() for concept in by_concept}
    assert on_disk == in_table
    for fmt, concept in in_table:
        assert (FIXTURES / fmt / concept / "quiet").is_dir(), f"{fmt}/{concept} has no quiet twin"
