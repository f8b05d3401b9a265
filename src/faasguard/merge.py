"""Join several results (audit shards, or JSON reports read back) into one, without duplicates.

``faasguard merge REPORT...`` reads JSON reports (format 1, see the report spec) and writes
one report in any format. A finding is the same finding when its fingerprint is the same
(a role shared by functions in two regions, or two overlapping runs); errors and
warnings are joined, counts add up, and the duration is the longest shard's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faasguard.findings import Finding, Related, Severity, sorted_findings
from faasguard.interfaces import ScanResult


class MergeError(Exception):
    """A report cannot be merged; the message is a sentence for the user."""


@dataclass
class MergedResult(ScanResult):
    """A result built from reports: it keeps their function count instead of the applications."""

    function_count: int = 0

    @property
    def functions(self) -> int:
        return self.function_count


def merge(results: Iterable[ScanResult]) -> MergedResult:
    items = list(results)
    seen: dict[str, Finding] = {}
    errors: set[tuple[str, str]] = set()
    warnings: set[tuple[str, str]] = set()
    for result in items:
        for f in result.findings:
            seen.setdefault(f.fingerprint, f)
        errors.update(result.errors)
        warnings.update(result.warnings)
    return MergedResult(
        root=items[0].root if items else Path("."),
        files=sum(r.files for r in items),
        applications=[app for r in items for app in r.applications],
        findings=sorted_findings(list(seen.values())),
        errors=sorted(errors),
        warnings=sorted(warnings),
        duration_s=max((r.duration_s for r in items), default=0.0),
        suppressed=sum(r.suppressed for r in items),
        suppressions=[s for r in items for s in r.suppressions],
        rules_run=set().union(*(r.rules_run for r in items)),
        function_count=sum(r.functions for r in items),
    )


def read_report(path: Path) -> MergedResult:
    """A JSON report read back into a result."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MergeError(f"{path}: could not be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MergeError(f"{path}: not a JSON report (write shards with --format json)") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list) or doc.get("schema_version") != 1:
        raise MergeError(f"{path}: not a faasguard JSON report of format 1")
    raw = doc.get("scanned")
    scanned: dict[str, Any] = raw if isinstance(raw, dict) else {}
    try:
        findings = [_finding(item) for item in doc["findings"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise MergeError(f"{path}: a finding is malformed ({type(exc).__name__}: {exc})") from None
    return MergedResult(
        root=path.parent,
        files=int(scanned.get("files") or 0),
        applications=[],
        findings=findings,
        errors=[(str(e.get("path")), str(e.get("message"))) for e in doc.get("errors") or [] if isinstance(e, dict)],
        warnings=[(str(w.get("path")), str(w.get("message"))) for w in doc.get("warnings") or [] if isinstance(w, dict)],
        duration_s=float(scanned.get("duration_s") or 0.0),
        suppressed=int(scanned.get("suppressed") or 0),
        function_count=int(scanned.get("functions") or 0),
    )


def _finding(item: dict[str, Any]) -> Finding:
    return Finding(
        rule_id=str(item["rule_id"]),
        category=str(item["category"]),
        severity=Severity.parse(str(item["severity"])),
        title=str(item["title"]),
        message=str(item["message"]),
        path=str(item["path"]),
        line=item.get("line"),
        end_line=item.get("end_line"),
        resource=item.get("resource"),
        function=item.get("function"),
        remediation=str(item.get("remediation") or ""),
        related=tuple(Related(str(r["path"]), r.get("line"), str(r.get("note", ""))) for r in item.get("related") or []),
        fingerprint=str(item["fingerprint"]),
    )
