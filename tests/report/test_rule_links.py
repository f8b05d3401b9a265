"""Every report names each finding's CWE ids and links its rule's section of docs/rules.md."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from faasguard.interfaces import ScanOptions
from faasguard.registry import RULES_DOC_URL
from faasguard.report import REPORTERS
from faasguard.scan import scan

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "vulnerable-orders-app"


@pytest.fixture(scope="module")
def sqli():
    result = scan(EXAMPLE, ScanOptions(jobs=1, rules={"FG-INJ-010", "FG-RES-011"}))
    assert {f.rule_id for f in result.findings} == {"FG-INJ-010", "FG-RES-011"}
    return result


def test_sarif_rules_carry_cwe_tags_and_the_rule_section(sqli):
    doc = json.loads(REPORTERS["sarif"]().format(sqli))
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert "external/cwe/cwe-089" in rules["FG-INJ-010"]["properties"]["tags"]
    assert rules["FG-INJ-010"]["helpUri"] == f"{RULES_DOC_URL}#fg-inj-010"
    # A reviewed "no CWE fits" adds no tag rather than a loose one.
    assert not [t for t in rules["FG-SUP-012"]["properties"]["tags"] if t.startswith("external/cwe/")]


def test_text_shows_cwe_and_rule_link_under_the_finding(sqli):
    text = REPORTERS["text"](width=200).format(sqli)
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "FG-INJ-010" in line)
    block = "\n".join(lines[at : at + 12])
    assert f"CWE-89 · {RULES_DOC_URL}#fg-inj-010" in block


def test_text_claims_no_cwe_for_a_rule_whose_row_is_empty(sqli):
    only_res = replace(sqli, findings=[f for f in sqli.findings if f.rule_id == "FG-RES-011"])
    text = REPORTERS["text"](width=200).format(only_res)
    assert f"{RULES_DOC_URL}#fg-res-011" in text
    assert "CWE-" not in text
