"""SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Written as plain dicts (sarif-om has no serializer). Each rule carries its
documentation as help text and a ``security-severity`` score so code scanning
ranks the alerts; each result carries a physical location and a stable
``partialFingerprints`` entry so alerts survive unrelated edits.
"""

from __future__ import annotations

from typing import Any

from faasguard import __version__
from faasguard.findings import Finding, Severity
from faasguard.interfaces import ScanResult, Suppressed
from faasguard.registry import PROJECT_URL, Rule, all_rules
from faasguard.report.escape import json_document, uri

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# Every artifactLocation's uri is relative to this base id (the name SARIF's own examples and CodeQL use).
SRCROOT = "%SRCROOT%"
ROOT_DESCRIPTION = "The directory faasguard scanned; every uri is relative to it."
INFO_URI = PROJECT_URL
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def _rule_descriptor(r: Rule) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": r.check.__name__.title().replace("_", ""),
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.doc.split("\n\n", 1)[0].replace("\n", " ")},
        "help": {"text": r.doc, "markdown": r.doc},
        "helpUri": r.help_uri,
        "defaultConfiguration": {"level": LEVELS[r.severity]},
        "properties": {
            # GitHub code scanning reads CWE ids from tags of this form (as CodeQL writes them).
            "tags": ["security", r.category, *(f"external/cwe/cwe-{n:03d}" for n in r.cwe)],
            "security-severity": SECURITY_SEVERITY[r.severity],
            "precision": "high",
        },
    }


def _location(path: str, line: int | None, end_line: int | None, message: str | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri(path), "uriBaseId": SRCROOT}}
    if line:
        physical["region"] = {"startLine": line, "endLine": max(end_line or line, line)}
    loc: dict[str, Any] = {"physicalLocation": physical}
    if message:
        loc["message"] = {"text": message}
    return loc


def _result(f: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index[f.rule_id],
        "level": LEVELS[f.severity],
        "message": {"text": f"{f.message}. Fix: {f.remediation}"},
        "locations": [_location(f.path, f.line, f.end_line)],
        "partialFingerprints": {"faasguard/v1": f.fingerprint},
        "properties": {
            "severity": str(f.severity),
            "category": f.category,
            "security-severity": SECURITY_SEVERITY[f.severity],
        },
    }
    if f.resource:
        result["properties"]["resource"] = f.resource
    if f.function:
        result["properties"]["function"] = f.function
    if f.functions:  # one root cause shared by several functions
        result["properties"]["functions"] = list(f.functions)
    if f.related:
        result["relatedLocations"] = [
            {"id": i, **_location(r.path, r.line, r.line, r.note)} for i, r in enumerate(f.related, start=1)
        ]
        if f.category in ("injection", "attack-path"):
            steps = [*f.related, None]
            result["codeFlows"] = [
                {
                    "threadFlows": [
                        {
                            "locations": [
                                {"location": _location(r.path, r.line, r.line, r.note)}
                                if r is not None
                                else {"location": _location(f.path, f.line, f.end_line, f.message)}
                                for r in steps
                            ]
                        }
                    ]
                }
            ]
    return result


# How each kind of suppression is expressed in SARIF: in the scanned source, or outside it.
SUPPRESSION_KINDS = {"inline": "inSource", "source": "inSource", "config": "external", "baseline": "external"}


def _suppressed(s: Suppressed, rule_index: dict[str, int]) -> dict[str, Any]:
    """A suppressed finding stays in the log, marked, so code scanning can show it as dismissed."""
    result = _result(s.finding, rule_index)
    suppression: dict[str, Any] = {"kind": SUPPRESSION_KINDS.get(s.kind, "external"), "status": "accepted"}
    if s.justification:
        suppression["justification"] = s.justification
    suppression["properties"] = {"faasguard-kind": s.kind}
    result["suppressions"] = [suppression]
    return result


class SarifReporter:
    def __init__(self, **options: object) -> None:
        self.options = options

    def _root(self, result: ScanResult) -> dict[str, Any]:
        """What %SRCROOT% stands for: a description, and the absolute ``file://`` URI only when asked
        (``--sarif-root-uri``). SARIF 2.1.0 lets an ``originalUriBaseIds`` entry leave ``uri`` out
        (a consumer then resolves the base id itself, as GitHub code scanning does with the
        checkout); an absolute local path would tell every reader of the report the runner's
        directory layout (home directory, user name, workspace path)."""
        root: dict[str, Any] = {"description": {"text": ROOT_DESCRIPTION}}
        context = self.options.get("context")
        if getattr(context, "sarif_root_uri", False):
            root["uri"] = result.root.as_uri() + "/"
        return root

    def document(self, result: ScanResult) -> dict[str, Any]:
        rules = all_rules()
        rule_index = {r.id: i for i, r in enumerate(rules)}
        notifications = [
            {
                "level": "error",
                "message": {"text": message},
                "locations": [_location(path, None, None)],
            }
            for path, message in result.errors
        ] + [
            # Warnings too (e.g. "advisory database missing"): a SARIF consumer must not read silence as clean.
            {"level": "warning", "message": {"text": message}, "locations": [_location(path, None, None)]}
            for path, message in result.warnings
        ]
        return {
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "faasguard",
                            "version": __version__,
                            "semanticVersion": __version__,
                            "informationUri": INFO_URI,
                            "rules": [_rule_descriptor(r) for r in rules],
                        }
                    },
                    "originalUriBaseIds": {SRCROOT: self._root(result)},
                    "invocations": [
                        {"executionSuccessful": True, "toolExecutionNotifications": notifications}
                    ],
                    "results": [_result(f, rule_index) for f in result.findings]
                    + [_suppressed(s, rule_index) for s in result.suppressions],
                }
            ],
        }

    def format(self, result: ScanResult) -> str:
        return json_document(self.document(result))
