"""A self-contained HTML report: one file, inline CSS, no script, every value escaped."""

from __future__ import annotations

from collections import Counter, defaultdict

from jinja2 import Environment, PackageLoader, select_autoescape

from faasguard import __version__
from faasguard.findings import CATEGORIES, Finding, Severity
from faasguard.interfaces import ScanResult

NO_FUNCTION = "(not tied to one function)"


class HtmlReporter:
    def __init__(self, **options: object) -> None:
        self.options = options
        self.env = Environment(
            loader=PackageLoader("faasguard.report", "templates"),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def format(self, result: ScanResult) -> str:
        groups: dict[str, list[Finding]] = defaultdict(list)
        for f in result.findings:
            groups[f.function or NO_FUNCTION].append(f)
        ordered = sorted(groups.items(), key=lambda kv: (kv[0] == NO_FUNCTION, -max(f.severity for f in kv[1]), kv[0]))
        counts = Counter((f.category, f.severity) for f in result.findings)
        severities = sorted(Severity, reverse=True)
        summary = [
            (category, [counts.get((category, s), 0) for s in severities])
            for category in CATEGORIES
            if any(counts.get((category, s), 0) for s in severities)
        ]
        return self.env.get_template("report.html.j2").render(
            version=__version__,
            result=result,
            groups=[(name, sorted(fs, key=lambda f: (-f.severity, f.path, f.line or 0))) for name, fs in ordered],
            severities=[str(s) for s in severities],
            summary=summary,
        )
