"""The human report: what to act on first, then the rest by function, then a summary.

Order: attack paths, then critical and high findings, then medium and low findings
grouped by function (a function is named with the file that defines it, so two
functions of the same name in different folders stay apart). Low and info
monitoring findings are one line per rule ("FG-MON-003: 12 functions …") unless
``verbose``. The summary says why the exit code is what it is and how many
findings were suppressed, and by what.

On a terminal, long lines wrap under their own indentation at the terminal's
width; piped or written to a file (``wrap=False``) a line is never broken, so
``grep FG-IAM-030 report.txt`` finds the whole finding.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Iterable

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from faasguard.findings import CATEGORIES, Finding, Severity
from faasguard.interfaces import ScanResult
from faasguard.registry import all_rules
from faasguard.report.escape import for_terminal
from faasguard.report.grouping import PART_OF_PATH, Group, group, summarised
from faasguard.root_cause import without_name

STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
NO_FUNCTION = "(not tied to one function)"
INDENT = 6


def _without(text: str, name: str | None) -> str:
    return without_name(text, name, "\x00") if name else text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class TextReporter:
    def __init__(
        self,
        color: bool = False,
        width: int = 80,
        quiet: bool = False,
        verbose: bool = False,
        wrap: bool = True,
        verdict: str = "",
        hidden: int = 0,
        min_severity: str = "",
        **options: object,
    ) -> None:
        self.color = color
        self.width = max(40, width)
        self.quiet = quiet
        self.verbose = verbose
        self.wrap = wrap
        self.verdict = verdict  # "exit 1: 3 findings at or above high", from the command line
        self.hidden = hidden  # findings below --min-severity, not shown
        self.min_severity = min_severity

    def format(self, result: ScanResult) -> str:
        result = for_terminal(result)  # names from the scanned files never drive the terminal
        buffer = io.StringIO()
        self.console = Console(
            file=buffer, force_terminal=self.color, no_color=not self.color, width=self.width, highlight=False,
            emoji=False, markup=False,
        )
        self.rules = {r.id: r for r in all_rules()}
        if self.verbose:
            self._everything(result.findings)
        else:
            self._grouped(group(result.findings))
        for path, message in result.errors:
            self._note("error:", f"{path}: {message}", "red")
        if not self.quiet:
            for path, message in result.warnings:
                self._note("warning:", f"{path}: {message}", "yellow")
        if result.errors or (result.warnings and not self.quiet):
            self.console.print()
        self._summary(result)
        text = buffer.getvalue()
        if not self.color:  # rich pads wrapped lines to the width; nobody wants trailing blanks in a file
            text = "\n".join(line.rstrip() for line in text.split("\n"))
        return text

    def _everything(self, findings: list[Finding]) -> None:
        """--verbose: every finding in full, attack paths and critical/high first, the rest by function."""
        attack = [f for f in findings if f.category == "attack-path"]
        urgent = [f for f in findings if f.category != "attack-path" and f.severity >= Severity.HIGH]
        others = [f for f in findings if f.category != "attack-path" and f.severity < Severity.HIGH]
        if attack:
            self._heading(f"Attack paths ({len(attack)})")
            self._findings(attack)
        if urgent:
            self._heading(f"Critical and high ({len(urgent)})")
            self._findings(urgent)
        if others:
            self._by_function(others)

    def _grouped(self, groups: list[Group]) -> None:
        """The default view: attack paths with their links under them, then one block per rule
        (critical and high, then medium and low) with what fires at the same line under each
        place, then low monitoring findings one line per rule (see report.grouping)."""
        paths = [g for g in groups if g.via == PART_OF_PATH]
        urgent = [g for g in groups if g.via != PART_OF_PATH and g.lead.severity >= Severity.HIGH]
        others = [g for g in groups if g.via != PART_OF_PATH and g.lead.severity < Severity.HIGH
                  and not summarised(g.lead)]
        folded = [g.lead for g in groups if g.via != PART_OF_PATH and g.lead.severity < Severity.HIGH
                  and summarised(g.lead)]
        if paths:
            self._heading(f"Attack paths ({len(paths)}; the findings they are made of are listed under each)")
            for g in sorted(paths, key=lambda g: (-g.lead.severity, g.lead.path, g.lead.line or 0)):
                self._finding(g.lead, g)
            self.console.print()
        if urgent:
            self._by_rule(urgent, f"Critical and high ({len(urgent)})")
        if others:
            self._by_rule(others, f"Medium and low ({len(others)}; by rule, --verbose shows each in full)")
        if folded:
            self._folded(folded)

    def _members(self, g: Group, indent: int) -> None:
        """An attack path's links under "made of:", one line each; other rules at the same line as
        "also here:" lines."""
        if g.via == PART_OF_PATH and g.members:
            self._line(Text("made of:", style="dim"), indent)
        for f in g.members:
            severity = Text(f"{str(f.severity).upper():<8}" if g.via == PART_OF_PATH else str(f.severity).upper(),
                            style=STYLES[f.severity])
            line = Text(f.rule_id) if g.via == PART_OF_PATH else severity + Text(f" {f.rule_id}")
            if g.via == PART_OF_PATH:
                line.append(f" {f.path}:{f.line}" if f.line else f" {f.path}", style="dim")
            line.append(f"  {f.title}")
            if f.function != g.lead.function and (f.function or f.functions):
                line.append(f" (function{'s' if f.functions else ''} {', '.join(f.functions) or f.function})", style="dim")
            if g.via == PART_OF_PATH:
                self._hanging(severity, line, indent + 2)
            else:
                self._hanging(Text("also here:", style="dim"), line, indent)

    # -- pieces ------------------------------------------------------------------------------------

    def _line(self, text: Text, indent: int) -> None:
        if self.wrap:
            self.console.print(Padding(text, (0, 0, 0, indent), expand=False))
        else:
            self.console.print(Text(" " * indent) + text, soft_wrap=True)

    def _note(self, label: str, text: str, style: str) -> None:
        self._hanging(Text(label, style=style), Text(text, style=style), 0)

    def _hanging(self, label: Text, text: Text, indent: int) -> None:
        """``label text`` on one line when piped; on a terminal, wrapped lines hang under the text."""
        if not self.wrap:
            self._line(label + Text(" ") + text, indent)
            return
        hang = indent + label.cell_len + 1
        for i, line in enumerate(text.wrap(self.console, max(20, self.width - hang), overflow="fold")):
            line.rstrip()
            lead = Text(" " * indent) + label + Text(" ") if i == 0 else Text(" " * hang)
            self.console.print(lead + line, soft_wrap=True)

    def _heading(self, title: str) -> None:
        self._line(Text(title, style="bold underline"), 0)

    def _findings(self, findings: Iterable[Finding]) -> None:
        for f in sorted(findings, key=lambda f: (-f.severity, f.path, f.line or 0, f.rule_id)):
            self._finding(f)
        self.console.print()

    def _finding(self, f: Finding, g: Group | None = None) -> None:
        self._hanging(Text(f"{str(f.severity).upper():<8}", style=STYLES[f.severity]),
                      Text(f"{f.rule_id}  {f.title}", style="bold"), 2)
        where = f"{f.path}:{f.line}" if f.line else f.path
        if f.functions:
            where += f" · functions {', '.join(f.functions)}"
        elif f.function:
            where += f" · function {f.function}"
        self._line(Text(where, style="dim"), INDENT)
        self._line(Text(f.message), INDENT)
        self._line(Text(f"Fix: {f.remediation}", style="green"), INDENT)
        for r in f.related:
            place = f"{r.path}:{r.line}" if r.line else r.path
            self._hanging(Text("↳", style="dim"), Text(f"{place} {r.note}", style="dim"), INDENT)
        if g is not None:
            self._members(g, INDENT)
        self._references(f.rule_id)

    def _references(self, rule_id: str) -> None:
        """The rule's CWE ids and its documentation link."""
        rule = self.rules.get(rule_id)
        if rule is not None:
            refs = [", ".join(rule.cwe_tags), rule.help_uri] if rule.cwe else [rule.help_uri]
            self._line(Text(" · ".join(refs), style="dim"), INDENT)

    def _by_function(self, findings: list[Finding]) -> None:
        groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for f in findings:
            if f.function:
                groups[(f.function, f.source or f.path)].append(f)
            else:
                groups[(NO_FUNCTION, "")].append(f)
        order = sorted(groups, key=lambda g: (g[0] == NO_FUNCTION, -max(f.severity for f in groups[g]), g))
        for name, source in order:
            members = groups[(name, source)]
            title = NO_FUNCTION if name == NO_FUNCTION else f"Function {name} · {source}"
            self._heading(f"{title}  ({_plural(len(members), 'finding')})")
            self._findings(members)

    def _by_rule(self, groups: list[Group], heading: str) -> None:
        """One block per rule: a rule that fires for five functions is one thing to decide about,
        with one line per place and the fix once when it is the same (--verbose shows each in full).
        What else fires at a place is listed under it."""
        self._heading(heading)
        by_rule: dict[str, list[Group]] = defaultdict(list)
        for g in groups:
            by_rule[g.lead.rule_id].append(g)
        order = sorted(by_rule, key=lambda r: (-max(g.lead.severity for g in by_rule[r]), -len(by_rule[r]), r))
        for rule_id in order:
            members = sorted(by_rule[rule_id], key=lambda g: (-g.lead.severity, g.lead.path, g.lead.line or 0))
            if len(members) == 1:
                self._finding(members[0].lead, members[0])
                continue
            first = members[0].lead
            mixed = len({g.lead.severity for g in members}) > 1
            self._hanging(Text(f"{str(first.severity).upper():<8}", style=STYLES[first.severity]),
                          Text(f"{first.rule_id}  {first.title} ({len(members)})", style="bold"), 2)
            fixes = {_without(g.lead.remediation, g.lead.function) for g in members}
            shared_fix = len(fixes) == 1
            if shared_fix:
                self._line(Text(f"Fix: {first.remediation}" + ("" if len({g.lead.remediation for g in members}) == 1
                                                               else " (likewise for each)"), style="green"), INDENT)
            for g in members:
                f = g.lead
                where = f"{f.path}:{f.line}" if f.line else f.path
                line = Text()
                if mixed:
                    line.append(f"{str(f.severity).upper()} ", style=STYLES[f.severity])
                line.append(f"{where}: {f.message}")
                self._line(line, INDENT)
                if not shared_fix:
                    self._line(Text(f"Fix: {f.remediation}", style="green"), INDENT + 2)
                self._members(g, INDENT + 2)
            self._references(first.rule_id)
        self.console.print()

    def _folded(self, findings: list[Finding]) -> None:
        self._heading(f"Monitoring, low ({len(findings)}; --verbose lists each)")
        by_rule: dict[str, list[Finding]] = defaultdict(list)
        for f in findings:
            by_rule[f.rule_id].append(f)
        for rule_id in sorted(by_rule):
            members = by_rule[rule_id]
            names = sorted({n for f in members for n in (f.functions or ((f.function,) if f.function else ()))})
            what = _plural(len(names), "function") if names else _plural(len(members), "finding")
            line = Text(f"{what}: {members[0].title.lower()}")
            if names:
                shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
                line.append(f" ({shown})", style="dim")
            self._hanging(Text(f"{rule_id}:", style=STYLES[members[0].severity]), line, 2)
        self.console.print()

    def _summary(self, result: ScanResult) -> None:
        counts = Counter((f.category, f.severity) for f in result.findings)
        head = (
            f"{_plural(len(result.findings), 'finding')} in {result.files} files, "
            f"{result.functions} functions, {_plural(len(result.errors), 'error')} ({result.duration_s:.2f} s)"
        )
        if not result.findings:
            self._line(Text(f"No findings. {head}", style="bold green"), 0)
        else:
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
            self.console.print(table, soft_wrap=not self.wrap)
        if self.hidden:
            self._line(Text(f"{_plural(self.hidden, 'finding')} below {self.min_severity} not shown (--min-severity)"), 0)
        if result.installed_files:
            files = _plural(result.installed_files, "file")
            self._line(Text(f"{files} of installed packages (pip RECORD) read as dependencies, not scanned as code"), 0)
        if result.suppressions:
            kinds = ", ".join(f"{kind} {n}" for kind, n in result.suppressed_by.items() if n)
            self._line(Text(f"{len(result.suppressions)} suppressed ({kinds})"), 0)
        if self.verdict:
            self._line(Text(self.verdict, style="bold"), 0)
