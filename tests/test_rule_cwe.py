"""``data/rule_cwe.toml`` and the registry agree: one reviewed row per registered rule, no stray rows."""

from __future__ import annotations

import re
from importlib import resources

from faasguard.registry import RULES_DOC_URL, all_rules, get_rule, rule_cwe_table

TABLE = "src/faasguard/data/rule_cwe.toml"


def test_every_registered_rule_has_a_row():
    missing = [r for r in all_rules() if r.id not in rule_cwe_table()]
    hint = "\n".join(f'"{r.id}" = [NNN]   # <CWE name> (rule: {r.title}); [] if no CWE fits' for r in missing)
    assert not missing, f"add these rows to {TABLE} under [cwe]:\n{hint}"


def test_every_row_names_a_registered_rule():
    registered = {r.id for r in all_rules()}
    stray = sorted(set(rule_cwe_table()) - registered)
    assert not stray, f"remove these rows from {TABLE} (no such rule is registered): {', '.join(stray)}"


def test_rows_are_sorted_positive_cwe_numbers_and_one_per_line():
    for rule_id, ids in rule_cwe_table().items():
        assert all(isinstance(n, int) and n > 0 for n in ids), rule_id
        assert len(set(ids)) == len(ids), rule_id
    text = resources.files("faasguard").joinpath("data", "rule_cwe.toml").read_text(encoding="utf-8")
    row_ids = re.findall(r'^"(FG-[A-Z]+-\d{3})" = \[', text, re.MULTILINE)
    assert row_ids == sorted(row_ids) and len(row_ids) == len(set(row_ids)), "one row per rule id, in id order"


def test_the_registry_joins_cwe_and_help_url():
    sqli = get_rule("FG-INJ-010")
    assert sqli is not None
    assert sqli.cwe == (89,) and sqli.cwe_tags == ["CWE-89"]
    assert sqli.help_uri == f"{RULES_DOC_URL}#fg-inj-010"
    assert get_rule("FG-SUP-012").cwe == ()  # a reviewed "no CWE fits"


def test_help_urls_point_at_sections_of_docs_rules_md():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "rules.md").read_text()
    for r in all_rules():
        anchor = r.help_uri.rsplit("#", 1)[1]
        # GitHub's anchor for the heading "### FG-IAM-001" is "fg-iam-001".
        assert f"\n### {r.id}\n" in doc and anchor == r.id.lower(), r.id
