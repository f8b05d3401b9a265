"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure DevOps).

One test suite per category, one failed test case per finding (named by rule and
place, so the same finding keeps its name across runs); files that could not be
read are errored test cases of an extra ``faasguard.errors`` suite.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from faasguard.findings import CATEGORIES, Finding
from faasguard.interfaces import ScanResult


class JunitReporter:
    def __init__(self, **options: object) -> None:
        self.options = options

    def format(self, result: ScanResult) -> str:
        by_category: dict[str, list[Finding]] = defaultdict(list)
        for f in result.findings:
            by_category[f.category].append(f)
        root = ET.Element(
            "testsuites",
            name="faasguard",
            tests=str(len(result.findings) + len(result.errors)),
            failures=str(len(result.findings)),
            errors=str(len(result.errors)),
            time=f"{result.duration_s:.3f}",
        )
        for category in CATEGORIES:
            findings = by_category.get(category, [])
            if not findings:
                continue
            suite = ET.SubElement(
                root, "testsuite", name=f"faasguard.{category}", tests=str(len(findings)), failures=str(len(findings))
            )
            for f in findings:
                where = f"{f.path}:{f.line}" if f.line else f.path
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"faasguard.{category}.{f.rule_id}",
                    name=f"{f.rule_id} {f.function or f.resource or ''} {where}".replace("  ", " "),
                    file=f.path,
                )
                if f.line:
                    case.set("line", str(f.line))
                failure = ET.SubElement(case, "failure", type=str(f.severity), message=f"{f.title}: {f.message}")
                failure.text = f"{f.message}\nWhere: {where}\nFix: {f.remediation}\nFingerprint: {f.fingerprint}"
        if result.errors:
            suite = ET.SubElement(
                root, "testsuite", name="faasguard.errors", tests=str(len(result.errors)), errors=str(len(result.errors))
            )
            for path, message in result.errors:
                case = ET.SubElement(suite, "testcase", classname="faasguard.errors", name=path, file=path)
                ET.SubElement(case, "error", message=message)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
