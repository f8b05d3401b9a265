"""JUnit XML, for CI systems that show test reports (GitLab, Jenkins, Azure DevOps).

One test suite per category and one test case per finding (named by rule and
place, so the same finding keeps its name across runs). Only findings at or
above ``--fail-on`` are failures, so the test view agrees with the job's exit
code; the others are skipped test cases that still carry the message and fix.
Files that could not be read are errored test cases of ``faasguard.errors``;
warnings (a missing advisory database above all) are test cases of
``faasguard.warnings``: skipped, or failed when ``--fail-on-unchecked`` makes
unchecked dependencies fail the job.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

from faasguard.findings import CATEGORIES, Finding, Severity
from faasguard.interfaces import ScanResult
from faasguard.report import is_unchecked_warning
from faasguard.report.escape import xml


class JunitReporter:
    def __init__(self, **options: object) -> None:
        self.options = options
        context: Any = options.get("context")
        self.fail_on = str(getattr(context, "fail_on", None) or options.get("fail_on") or "high")
        self.fail_on_unchecked = bool(getattr(context, "fail_on_unchecked", False))

    def _fails(self, f: Finding) -> bool:
        return self.fail_on != "none" and f.severity >= Severity.parse(self.fail_on)

    def format(self, result: ScanResult) -> str:
        by_category: dict[str, list[Finding]] = defaultdict(list)
        for f in result.findings:
            by_category[f.category].append(f)
        failing = sum(1 for f in result.findings if self._fails(f))
        warning_failures = [m for _, m in result.warnings if self.fail_on_unchecked and is_unchecked_warning(m)]
        root = ET.Element(
            "testsuites",
            name="faasguard",
            tests=str(len(result.findings) + len(result.errors) + len(result.warnings)),
            failures=str(failing + len(warning_failures)),
            errors=str(len(result.errors)),
            skipped=str(len(result.findings) - failing + len(result.warnings) - len(warning_failures)),
            time=f"{result.duration_s:.3f}",
        )
        for category in CATEGORIES:
            findings = by_category.get(category, [])
            if not findings:
                continue
            fails = sum(1 for f in findings if self._fails(f))
            suite = ET.SubElement(
                root, "testsuite", name=f"faasguard.{category}", tests=str(len(findings)), failures=str(fails),
                skipped=str(len(findings) - fails),
            )
            for f in findings:
                where = f"{f.path}:{f.line}" if f.line else f.path
                who = f.function or (", ".join(f.functions) if f.functions else "") or f.resource or ""
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"faasguard.{category}.{f.rule_id}",
                    name=f"{f.rule_id} {who} {where}".replace("  ", " "),
                    file=f.path,
                )
                if f.line:
                    case.set("line", str(f.line))
                details = f"{f.message}\nWhere: {where}\nFix: {f.remediation}\nFingerprint: {f.fingerprint}"
                if self._fails(f):
                    failure = ET.SubElement(case, "failure", type=str(f.severity), message=f"{f.title}: {f.message}")
                    failure.text = details
                else:
                    ET.SubElement(
                        case, "skipped",
                        message=f"{f.severity} is below --fail-on {self.fail_on}: {f.title}: {f.message}",
                    )
                    ET.SubElement(case, "system-out").text = details
        if result.errors:
            suite = ET.SubElement(
                root, "testsuite", name="faasguard.errors", tests=str(len(result.errors)), errors=str(len(result.errors))
            )
            for path, message in result.errors:
                case = ET.SubElement(suite, "testcase", classname="faasguard.errors", name=path, file=path)
                ET.SubElement(case, "error", message=message)
        if result.warnings:
            suite = ET.SubElement(
                root, "testsuite", name="faasguard.warnings", tests=str(len(result.warnings)),
                failures=str(len(warning_failures)), skipped=str(len(result.warnings) - len(warning_failures)),
            )
            for path, message in result.warnings:
                case = ET.SubElement(suite, "testcase", classname="faasguard.warnings", name=f"{path}: {message[:80]}")
                if self.fail_on_unchecked and is_unchecked_warning(message):
                    failure = ET.SubElement(case, "failure", type="unchecked", message=message)
                    failure.text = f"{message}\n(--fail-on-unchecked makes this fail the build)"
                else:
                    ET.SubElement(case, "skipped", message=f"warning: {message}")
                    ET.SubElement(case, "system-out").text = f"{path}: {message}"
        for element in root.iter():  # names and messages come from the scanned files
            element.text = xml(element.text) if element.text else element.text
            for key, value in element.attrib.items():
                element.set(key, xml(value))
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
