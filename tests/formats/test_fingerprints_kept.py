"""Findings that existed before resources were checked on their own keep their function and fingerprint.

``fingerprints-before-issue-11.json`` was written by the scanner as it was before issue 11
(commit 93ba85d) over ``tests/fixtures/formats``, for the rules whose loaders or checks that
change touched: every one must still be found, naming the same function, so a baseline
made before still matches.
"""

from __future__ import annotations

import json
from pathlib import Path

from faasguard.scan import ScanOptions, scan

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parents[0] / "fixtures" / "formats"


def test_baselines_made_before_still_match() -> None:
    before = {tuple(row) for row in json.loads((HERE / "fingerprints-before-issue-11.json").read_text())}
    rules = {row[0] for row in before}
    result = scan(FIXTURES, ScanOptions(rules=rules, jobs=1))
    now = {(f.rule_id, f.path, f.function or "", f.fingerprint) for f in result.findings}
    missing = sorted(before - now)
    assert missing == [], f"{len(missing)} findings changed fingerprint or function, e.g. {missing[:3]}"
