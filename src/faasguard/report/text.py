"""The human report: findings grouped by function, then a summary per category and severity."""

from __future__ import annotations

import io
from collections import Counter, defaultdict

from rich.console import Console
from rich.table import Table
from rich.text import Text

from faasguard.findings import CATEGORIES, Finding, Severity
from faasguard.interfaces import ScanResult
from faasguard.registry import all_rules

STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
NO_FUNCTION = "(not tied to one function)"


class TextReporter:
    def __init__(self, color: bool = False, width: int = 100, quiet: bool = False, **options: object) -> None:
        self.color = color
        self.width = width
        self.quiet = quiet

    def format(self, result: ScanResult) -> str:
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=self.color, no_color=not self.color, width=self.width, highlight=False)
        groups: dict[str, list[Finding]] = defaultdict(list)
        for f in result.findings:
            groups[f.function or NO_FUNCTION].append(f)
        rules = {r.id: r for r in all_rules()}
        order = sorted(groups, key=lambda g: (g == NO_FUNCTION, -max(f.severity for f in groups[g]), g))
        for group in order:
            findings = sorted(groups[group], key=lambda f: (-f.severity, f.path, f.line or 0, f.rule_id))
            title = group if group == NO_FUNCTION else f"Function {group}"
            console.print(Text(f"{title}  ({len(findings)} finding{'s' if len(findings) != 1 else ''})", style="bold underline"))
            for f in findings:
                head = Text()
                head.append(f"  {str(f.severity).upper():<8}", style=STYLES[f.severity])
                head.append(f" {f.rule_id}  {f.title}", style="bold")
                console.print(head)
                where = f"{f.path}:{f.line}" if f.line else f.path
                console.print(Text(f"      {where}", style="dim"))
                console.print(Text(f"      {f.message}"))
                console.print(Text(f"      Fix: {f.remediation}", style="green"))
                for r in f.related:
                    console.print(Text(f"      ↳ {r.path}:{r.line} {r.note}", style="dim"))
                if (rule := rules.get(f.rule_id)) is not None:
                    refs = [", ".join(rule.cwe_tags), rule.help_uri] if rule.cwe else [rule.help_uri]
                    console.print(Text(f"      {' · '.join(refs)}", style="dim"))
            console.print()
        for path, message in result.errors:
            console.print(Text(f"error: {path}: {message}", style="red"))
        if not self.quiet:
            for path, message in result.warnings:
                console.print(Text(f"warning: {path}: {message}", style="yellow"))
        if result.errors or (result.warnings and not self.quiet):
            console.print()
        console.print(self._summary(result))
        return buffer.getvalue()

    def _summary(self, result: ScanResult) -> Table | Text:
        counts = Counter((f.category, f.severity) for f in result.findings)
        head = (
            f"{len(result.findings)} findings in {result.files} files, {result.functions} functions, "
            f"{len(result.errors)} errors ({result.duration_s:.2f} s)"
        )
        if not result.findings:
            return Text(f"No findings. {head}", style="bold green")
        severities = sorted(Severity, reverse=True)
        table = Table(title=head, title_justify="left", show_lines=False)
        table.add_column("category")
        for s in severities:
            table.add_column(str(s), justify="right", style=STYLES[s])
        table.add_column("total", justify="right", style="bold")
        for category in CATEGORIES:
            row = [counts.get((category, s), 0) for s in severities]
            if sum(row):
                table.add_row(category, *[str(n) if n else "-" for n in row], str(sum(row)))
        totals = [sum(counts.get((c, s), 0) for c in CATEGORIES) for s in severities]
        table.add_row("all", *[str(n) for n in totals], str(len(result.findings)), style="bold")
        return table
