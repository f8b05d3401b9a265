"""The JSON report, exactly as ``shared/spec/report-format.md`` describes it (format 1)."""

from __future__ import annotations

from typing import Any

from faasguard import __version__
from faasguard.findings import Finding, Severity
from faasguard.interfaces import ScanResult
from faasguard.report.escape import json_document

SCHEMA_VERSION = 1
_SEVERITY = {severity: str(severity) for severity in Severity}


def finding_dict(f: Finding) -> dict[str, Any]:
    d = f.__dict__  # its fields, read as dict items (25k findings on a big scan; an attribute costs more)
    related = d["related"]
    out: dict[str, Any] = {
        "rule_id": d["rule_id"],
        "category": d["category"],
        "severity": _SEVERITY[d["severity"]],
        "title": d["title"],
        "message": d["message"],
        "path": d["path"],
        "line": d["line"],
        "end_line": d["end_line"],
        "resource": d["resource"],
        "function": d["function"],
        "remediation": d["remediation"],
        "fingerprint": d["fingerprint"],
        "related": [{"path": r.path, "line": r.line, "note": r.note} for r in related] if related else [],
    }
    if d["functions"]:  # one finding for one root cause shared by several functions
        out["functions"] = list(d["functions"])
    if d["fingerprints"]:  # the fingerprints of the per-function findings it replaces (for baselines)
        out["fingerprints"] = list(d["fingerprints"])
    return out


class JsonReporter:
    def __init__(self, **options: object) -> None:
        self.options = options

    def document(self, result: ScanResult) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "faasguard", "version": __version__},
            "scanned": {
                "root": ".",
                "files": result.files,
                "functions": result.functions,
                "duration_s": round(result.duration_s, 3),
                "suppressed": result.suppressed,
                "suppressed_by": result.suppressed_by,
                **({"installed_files": result.installed_files} if result.installed_files else {}),
            },
            "findings": [finding_dict(f) for f in result.findings],
            "errors": [{"path": p, "message": m} for p, m in result.errors],
            "warnings": [{"path": p, "message": m} for p, m in result.warnings],
        }

    def format(self, result: ScanResult) -> str:
        document = self.document(result)
        if self.options.get("show_facts"):
            from faasguard.code.facts import facts_document

            document["functions"] = facts_document(result.applications)
        return json_document(document)
