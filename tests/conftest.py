"""Shared test helpers: write a small project into a temp dir, scan it, look at findings."""

from __future__ import annotations

import os
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from faasguard.findings import Finding
from faasguard.scan import ScanOptions, ScanResult, scan

ScanFiles = Callable[..., ScanResult]

# Runtime deprecation findings depend on the date; tests see the same day whenever they run.
os.environ.setdefault("FAASGUARD_TODAY", "2026-11-29")
# `faasguard scan` caches parse results under the user cache directory: never the real one in tests.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="faasguard-test-cache-")


@pytest.fixture
def scan_files(tmp_path: Path) -> ScanFiles:
    """``scan_files({"template.yaml": "...", "src/app.py": "..."}, rules={"FG-IAM-001"})``."""

    def run(files: dict[str, str], rules: set[str] | None = None, **options: object) -> ScanResult:
        for name, text in files.items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return scan(tmp_path, ScanOptions(rules=rules, jobs=1, **options))  # type: ignore[arg-type]

    return run


def by_rule(result: ScanResult, rule_id: str) -> list[Finding]:
    return [f for f in result.findings if f.rule_id == rule_id]
