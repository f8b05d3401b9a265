"""Suppressions and baselines: what acts between the rules and the reporters.

* Inline: a comment ``faasguard:ignore[FG-IAM-001,FG-SEC-001] reason`` (or
  ``faasguard:ignore`` for every rule) on the finding's line or the line above it,
  in any file format with comments (YAML, HCL, Python, JavaScript).
* Baseline: a previous JSON report; findings whose fingerprint it holds are known
  and left out, so CI fails only on new problems.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from faasguard.findings import Finding

_IGNORE = re.compile(r"faasguard:ignore(?:\[([A-Za-z0-9_,\- ]+)\])?")


class BaselineError(Exception):
    """The baseline file cannot be used; the message is a sentence for the user."""


def load_baseline(path: Path) -> set[str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path} could not be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline {path} is not JSON (line {exc.lineno}): write one with --format json") from None
    findings = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(findings, list):
        raise BaselineError(f"baseline {path} has no findings list: write one with `faasguard scan --format json`")
    return {f["fingerprint"] for f in findings if isinstance(f, dict) and isinstance(f.get("fingerprint"), str)}


def _ignored_rules(line: str) -> set[str] | None:
    """Rule ids a comment on this line ignores; an empty set means all; None means no comment."""
    match = _IGNORE.search(line)
    if match is None:
        return None
    return {r.strip().upper() for r in (match.group(1) or "").split(",") if r.strip()}


def apply(findings: Iterable[Finding], root: Path, baseline: set[str] | None = None) -> tuple[list[Finding], int]:
    """Drop suppressed and baselined findings; return what is left and how many were dropped."""
    lines_cache: dict[str, list[str]] = {}
    kept, dropped = [], 0
    for f in findings:
        if baseline and f.fingerprint in baseline:
            dropped += 1
            continue
        if f.line and _suppressed_inline(f, root, lines_cache):
            dropped += 1
            continue
        kept.append(f)
    return kept, dropped


def _suppressed_inline(f: Finding, root: Path, cache: dict[str, list[str]]) -> bool:
    lines = cache.get(f.path)
    if lines is None:
        try:
            text = (root / f.path).read_text(encoding="utf-8", errors="replace")
            lines = text.splitlines() if "faasguard:ignore" in text else []
        except OSError:
            lines = []
        cache[f.path] = lines
    if not lines or not f.line:
        return False
    for number in (f.line, f.line - 1):
        if 1 <= number <= len(lines):
            rules = _ignored_rules(lines[number - 1])
            if rules is not None and (not rules or f.rule_id in rules):
                return True
    return False
