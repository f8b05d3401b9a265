"""A pull-request comment: counts, the top findings in a table, every finding in collapsible details.

GitHub-flavoured Markdown, as GitHub, GitLab and Bitbucket render it in comments. Every value
that comes from the scanned files is escaped (Markdown and HTML both: a comment is rendered as
HTML, and a message holding ``</details>`` must not close the section). The comment stays under
``max_chars`` (GitHub refuses comments over 65,536 characters): when the details would not fit,
the last findings are left out and the comment says how many, so nothing is silently dropped.
"""

from __future__ import annotations

import re
from collections import Counter

from faasguard import __version__
from faasguard.findings import CATEGORIES, Finding, Severity
from faasguard.interfaces import ScanResult
from faasguard.registry import Rule, all_rules
from faasguard.report.escape import for_terminal
from faasguard.report.grouping import PART_OF_PATH, SAME_PLACE, Group, affected, group

ICONS = {
    Severity.CRITICAL: "🔴",
    Severity.HIGH: "🟠",
    Severity.MEDIUM: "🟡",
    Severity.LOW: "🔵",
    Severity.INFO: "⚪",
}
SEVERITIES = sorted(Severity, reverse=True)
# Lets a CI job find its previous comment and update it instead of adding one per push.
MARKER = "<!-- faasguard-report -->"
MAX_NOTES = 10  # warnings or unreadable files listed by name; a monorepo can have hundreds
_INLINE_SPECIALS = "\\`*_[]|~"
_BLOCK_START = re.compile(r"^(\d*)([#+=.)-])")


def escape(text: str) -> str:
    """Text safe in a Markdown paragraph or table cell: no markup, no HTML, one line, and no
    ``@name`` that would notify someone (a zero-width space follows the ``@``)."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "@\u200b")
    text = "".join(f"\\{c}" if c in _INLINE_SPECIALS else c for c in text)
    # A paragraph that starts like a heading, list or quote would be read as one.
    return _BLOCK_START.sub(r"\1\\\2", text, count=1)


def code(text: str) -> str:
    """An inline code span. HTML's <code> with escaped text, since a backtick in the value
    would end a Markdown span early and Markdown code spans do not take entities."""
    return "<code>" + " ".join(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split()) + "</code>"


def _where(f: Finding) -> str:
    return code(f"{f.path}:{f.line}" if f.line else f.path)


def _functions(f: Finding, most: int = 4) -> str:
    names = f.functions or ((f.function,) if f.function else ())
    shown = ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")
    return escape(shown)


def _order(f: Finding) -> tuple[object, ...]:
    # Attack paths lead at each severity: they are the joined story of several findings.
    return (-f.severity, f.category != "attack-path", f.path, f.line or 0, f.rule_id, f.message)


class MarkdownReporter:
    def __init__(self, top: int = 10, max_chars: int = 60_000, **options: object) -> None:
        self.top = top
        self.max_chars = max_chars
        self.options = options
        self.part_of: dict[int, Finding] = {}  # id of a finding → the attack path it is a link of
        self.parts: dict[int, tuple[Finding, ...]] = {}  # id of an attack path → its links

    def format(self, result: ScanResult) -> str:
        result = for_terminal(result)  # control characters in names shown as \xNN, as in the text report
        rules = {r.id: r for r in all_rules()}
        findings = sorted(result.findings, key=_order)
        head = self._head(result, findings)
        tail = self._notes(result)
        if not findings:
            return "\n".join([*head, *tail]).rstrip() + "\n"
        # The top table shows what to act on once: an attack path names the findings it is made of,
        # and what else fires at a line is counted on that line's row (report.grouping).
        groups = sorted(group(findings), key=lambda g: _order(g.lead))
        self.part_of = {id(m): g.lead for g in groups if g.via == PART_OF_PATH for m in g.members}
        self.parts = {id(g.lead): g.members for g in groups if g.via == PART_OF_PATH}
        top = self._top(groups[: self.top])
        budget = self.max_chars - sum(len(x) + 1 for x in [*head, *top, *tail]) - 400
        details = self._details(findings, rules, max(budget, 0))
        return "\n".join([*head, *top, *details, *tail]).rstrip() + "\n"

    def _head(self, result: ScanResult, findings: list[Finding]) -> list[str]:
        by_severity = Counter(f.severity for f in findings)
        scanned = (
            (f"{', '.join(code(t) for t in result.targets)}: " if result.targets else "")
            + f"{result.files} files, {result.functions} functions"
            + (f", {len(result.errors)} files could not be read" if result.errors else "")
            + (f", {result.suppressed} findings suppressed" if result.suppressed else "")
        )
        lines = [
            MARKER,
            f"### faasguard {__version__}: {len(findings)} finding{'s' if len(findings) != 1 else ''}",
            "",
        ]
        if not findings:
            return [*lines, f"No findings in {scanned}.", ""]
        lines.append(
            " · ".join(f"{ICONS[s]} {by_severity[s]} {s}" for s in SEVERITIES if by_severity[s]) + f" — {scanned}."
        )
        lines.append("")
        counts = Counter((f.category, f.severity) for f in findings)
        lines.append("| category | " + " | ".join(str(s) for s in SEVERITIES) + " | total |")
        lines.append("| --- | " + " | ".join("---:" for _ in SEVERITIES) + " | ---: |")
        for category in CATEGORIES:
            row = [counts.get((category, s), 0) for s in SEVERITIES]
            if sum(row):
                lines.append(f"| {category} | " + " | ".join(str(n) if n else "" for n in row) + f" | {sum(row)} |")
        lines.append("")
        return lines

    def _top(self, groups: list[Group]) -> list[str]:
        lines = [f"**Top {len(groups)}**", ""]
        lines += ["| severity | rule | where | function | finding |", "| --- | --- | --- | --- | --- |"]
        for g in groups:
            f = g.lead
            text = escape(f.message)
            if g.via == PART_OF_PATH and g.members:
                text += f" — made of {', '.join(sorted({m.rule_id for m in g.members}))}"
            elif g.via == SAME_PLACE:
                text += f" — also here: {', '.join(sorted({m.rule_id for m in g.members}))}"
            lines.append(
                f"| {ICONS[f.severity]} {f.severity} | {f.rule_id} | {_where(f)} | {_functions(f)} | {text} |"
            )
        lines.append("")
        return lines

    def _details(self, findings: list[Finding], rules: dict[str, Rule], budget: int) -> list[str]:
        blocks: list[str] = []
        used = 0
        for f in findings:
            block = self._finding(f, rules.get(f.rule_id))
            if used + len(block) > budget:
                break
            blocks.append(block)
            used += len(block) + 1
        left_out = len(findings) - len(blocks)
        lines = ["<details>", f"<summary>All {len(findings)} findings, with fixes</summary>", "", *blocks]
        if left_out:
            lines.append(
                f"*{left_out} more finding{'s' if left_out != 1 else ''} left out to keep this comment under "
                f"{self.max_chars:,} characters: see the full report (`--format html` or `sarif`).*"
            )
            lines.append("")
        lines += ["</details>", ""]
        return lines

    def _finding(self, f: Finding, rule: Rule | None) -> str:
        where = _where(f)
        if f.function:
            where += f" · function {escape(f.function)}"
        if f.resource:
            where += f" · resource {escape(f.resource)}"
        refs = []
        if rule is not None:
            refs += [f"[{t}](https://cwe.mitre.org/data/definitions/{n}.html)" for t, n in zip(rule.cwe_tags, rule.cwe)]
            refs.append(f"[rule docs]({rule.help_uri})")
        lines = [
            f"#### {ICONS[f.severity]} {f.severity} · {f.rule_id} {escape(f.title)}",
            "",
            where + (" · " + " · ".join(refs) if refs else ""),
            "",
            escape(f.message),
            "",
        ]
        affects, related = affected(f)
        if affects:
            lines.append(f"Affects {len(affects)} functions: " + ", ".join(
                escape(name) + (f" ({code(at)})" if at else "") for name, at in affects
            ))
            lines.append("")
        path = self.part_of.get(id(f))
        if path is not None:
            lines += [f"Part of the attack path {path.rule_id} at {_where(path)} ({escape(path.function or '')}).", ""]
        lines += [f"**Fix:** {escape(f.remediation)}", ""]
        if related:
            lines += [f"- {code(f'{r.path}:{r.line}' if r.line else r.path)} {escape(r.note)}" for r in related]
            lines.append("")
        parts = self.parts.get(id(f), ())
        if parts:
            lines.append(f"Made of {len(parts)} finding{'s' if len(parts) != 1 else ''}, each also listed here:")
            lines.append("")
            lines += [f"- {ICONS[p.severity]} {p.rule_id} {_where(p)} {escape(p.title)}" for p in parts]
            lines.append("")
        return "\n".join(lines)

    def _notes(self, result: ScanResult) -> list[str]:
        lines: list[str] = []
        for title, entries, icon in (
            ("Warnings", result.warnings, "⚠️ "),
            ("Files that could not be scanned", result.errors, ""),
        ):
            if not entries:
                continue
            lines += [f"**{title}**", ""]
            lines += [f"- {icon}{code(path)}: {escape(message)}" for path, message in entries[:MAX_NOTES]]
            if len(entries) > MAX_NOTES:
                lines.append(f"- … and {len(entries) - MAX_NOTES} more (see the full report)")
            lines.append("")
        return lines
