"""A self-contained HTML report for people who triage: one file, no network, every value escaped.

The page lists attack paths first, then every finding as a card with its code snippet, fix,
CWE ids and a link to the rule's documentation; a summary and a table of contents lead to
them. A small inline script adds filters (category, severity, function, free text) and
sorting; without it the page is still complete. The page's Content-Security-Policy allows
only its own inline style and script (by hash), so it never loads anything from the network,
and a value that slipped past escaping could still not run.

Snippets come from the scanned files, with credentials masked (``secret_patterns``); the
findings about a credential in the code show no snippet at all.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from faasguard import __version__
from faasguard.findings import CATEGORIES, Finding, Related, Severity
from faasguard.interfaces import ScanResult
from faasguard.limits import home_relative
from faasguard.registry import all_rules
from faasguard.report.escape import terminal
from faasguard.report.grouping import PART_OF_PATH, affected, group
from faasguard.secret_patterns import find_known_secrets, find_secret, mask

NO_FUNCTION = "(not tied to one function)"


def _no_controls(value: object) -> object:
    """Every value the template prints, with control characters shown as ``\\xNN`` (markup kept markup)."""
    if isinstance(value, Markup):
        return Markup(terminal(str(value)))
    return terminal(value) if isinstance(value, str) else value
SEVERITIES = sorted(Severity, reverse=True)
# Findings whose reported line holds the credential itself: a snippet would repeat it.
WITHHOLD_SNIPPET = frozenset({"FG-SEC-001", "FG-SEC-004", "FG-SEC-010", "FG-SEC-012"})
CONTEXT_LINES = 2
# Past this many findings the rest show no snippet: a monorepo report stays a file a browser opens.
MAX_SNIPPETS = 2000
MAX_HIT_LINES = 6
MAX_LINE_CHARS = 240
MAX_FILE_BYTES = 2_000_000
# ``name = value`` / ``"name": "value"`` in a line. Linear in the line's length: a match starts only
# where a run of name characters starts (the lookbehind), its name at the run's first letter
# (``--db-password``), and the quantifiers are possessive, so no position of a 200k-character
# line is tried more than a few times. It matches what the plain pattern
# ``[A-Za-z_][\w.-]*["']?\s*[:=]\s*(["']?)[^"'\s,;#}]+`` matched, without its quadratic retries.
_ASSIGNMENT = re.compile(
    r"""(?<![\w.-])(?:[.-]|[^\W_A-Za-z])*+(?P<name>[A-Za-z_][\w.-]*+)["']?\s*+[:=]\s*+(?P<q>["']?)(?P<value>[^"'\s,;#}]++)"""
)


@dataclass(frozen=True)
class SnippetLine:
    number: int
    text: str
    hit: bool


@dataclass(frozen=True)
class Card:
    """One finding as the page shows it."""

    finding: Finding
    order: int
    help_uri: str | None
    cwe: tuple[int, ...]
    function: str
    snippet: tuple[SnippetLine, ...] | None
    snippet_note: str | None
    # One finding for several functions (root_cause): each function with where it is defined.
    affects: tuple[tuple[str, str], ...] = ()
    related: tuple[Related, ...] = ()  # the finding's related locations less the per-function ones
    parts: tuple[Finding, ...] = ()  # an attack path's links (report.grouping)
    part_of: Finding | None = None  # the attack path this finding is a link of



# The literal fallback of a Serverless Framework variable (``${ssm:/db/pw, 'hunter2'}``): a value that
# stands in for a parameter or secret, masked as the loader's warnings mask it. Bounded repeats keep
# the pattern linear on a hostile line.
_SLS_DEFAULT = re.compile(r"\$\{[a-zA-Z]+:[^'\"\n]{0,200}?,\s*(['\"])(?P<value>[^'\"\n]{1,200})\1")


def redact(line: str) -> str:
    """The line with every credential the secret patterns know replaced by its masked preview, and the
    literal fallback of a Serverless variable masked."""
    spans = [(m.start, m.end, m.preview) for m in find_known_secrets(line)]
    spans += [(m.start("value"), m.end("value"), mask(m.group("value"))) for m in _SLS_DEFAULT.finditer(line)]
    for m in _ASSIGNMENT.finditer(line):
        secret = find_secret(m.group("value"), m.group("name"))
        if secret is not None:
            start = m.start("value") + secret.start
            spans.append((start, m.start("value") + secret.end, secret.preview))
    out, at = [], 0
    for start, end, preview in sorted(spans):
        if start < at:
            continue
        out += [line[at:start], preview]
        at = end
    out.append(line[at:])
    return "".join(out)


class _Sources:
    """Reads the scanned files once each, for snippets."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, list[str] | None] = {}

    def lines(self, rel: str) -> list[str] | None:
        if rel not in self.cache:
            path = self.root / rel
            try:
                self.cache[rel] = (
                    path.read_text(encoding="utf-8", errors="replace").splitlines()
                    if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES
                    else None
                )
            except OSError:
                self.cache[rel] = None
        return self.cache[rel]

    def snippet(self, f: Finding) -> tuple[SnippetLine, ...] | None:
        lines = self.lines(f.path) if f.line else None
        if not lines or not f.line or f.line > len(lines):
            return None
        last_hit = min(max(f.end_line or f.line, f.line), f.line + MAX_HIT_LINES - 1)
        first, last = max(1, f.line - CONTEXT_LINES), min(len(lines), last_hit + CONTEXT_LINES)
        out = []
        for n in range(first, last + 1):
            text = redact(lines[n - 1].rstrip())
            if len(text) > MAX_LINE_CHARS:
                text = text[:MAX_LINE_CHARS] + "…"
            out.append(SnippetLine(n, text, f.line <= n <= last_hit))
        return tuple(out)


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


class HtmlReporter:
    def __init__(self, generated: str | None = None, **options: object) -> None:
        self.generated = generated
        self.options = options
        self.env = Environment(
            loader=PackageLoader("faasguard.report", "templates"),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
            # Names come from the scanned files: autoescape neutralises HTML, this control characters.
            finalize=_no_controls,
        )
        self.env.filters["home_relative"] = home_relative

    def format(self, result: ScanResult) -> str:
        rules = {r.id: r for r in all_rules()}
        sources = _Sources(result.root)
        ordered = sorted(
            result.findings,
            key=lambda f: (-f.severity, f.category != "attack-path", f.function or "\uffff", f.path, f.line or 0, f.rule_id),
        )
        chains = [g for g in group(ordered) if g.via == PART_OF_PATH]
        links = {id(m): g.lead for g in chains for m in g.members}
        parts = {id(g.lead): g.members for g in chains}
        cards = []
        for i, f in enumerate(ordered):
            rule = rules.get(f.rule_id)
            withheld = f.rule_id in WITHHOLD_SNIPPET
            note = "snippet withheld: the line holds the credential" if withheld and f.line else None
            if i >= MAX_SNIPPETS and not withheld:
                withheld, note = True, f"no snippet: the report holds more than {MAX_SNIPPETS:,} findings"
            affects, related = affected(f)
            cards.append(
                Card(
                    finding=f,
                    order=i,
                    help_uri=rule.help_uri if rule else None,
                    cwe=rule.cwe if rule else (),
                    function=f.function or NO_FUNCTION,
                    snippet=None if withheld else sources.snippet(f),
                    snippet_note=note,
                    affects=affects,
                    related=related,
                    parts=parts.get(id(f), ()),
                    part_of=links.get(id(f)),
                )
            )
        paths = [c for c in cards if c.finding.category == "attack-path"]
        others = [c for c in cards if c.finding.category != "attack-path"]

        by_function: dict[str, Counter[Severity]] = defaultdict(Counter)
        for c in cards:
            for name in c.finding.functions or (c.function,):
                by_function[name][c.finding.severity] += 1
        functions = sorted(
            by_function.items(), key=lambda kv: (kv[0] == NO_FUNCTION, -max(kv[1]), -sum(kv[1].values()), kv[0])
        )
        counts = Counter((f.category, f.severity) for f in result.findings)
        totals = Counter(f.severity for f in result.findings)
        columns = [s for s in SEVERITIES if totals[s]]  # a column of dashes only takes room on a phone
        summary = [
            (category, {s: counts.get((category, s), 0) for s in columns})
            for category in CATEGORIES
            if any(counts.get((category, s), 0) for s in columns)
        ]

        templates = resources.files("faasguard.report").joinpath("templates")
        style = templates.joinpath("report.css").read_text(encoding="utf-8")
        script = templates.joinpath("report.js").read_text(encoding="utf-8")
        csp = (
            f"default-src 'none'; style-src {_csp_hash(style)}; script-src {_csp_hash(script)}; "
            "img-src data:; base-uri 'none'; form-action 'none'"
        )
        return self.env.get_template("report.html.j2").render(
            version=__version__,
            result=result,
            scan_path=home_relative(result.root),  # a report is shared: not the user's home spelled out
            generated=self.generated or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            attack_paths=paths,
            findings=others,
            total=len(cards),
            functions=[(name, [c[s] for s in SEVERITIES], sum(c.values())) for name, c in functions],
            categories=[c for c in CATEGORIES if any(counts.get((c, s), 0) for s in SEVERITIES)],
            severities=SEVERITIES,
            totals=[totals.get(s, 0) for s in SEVERITIES],
            columns=columns,
            by_severity=totals,
            summary=summary,
            no_function=NO_FUNCTION,
            style=style,
            script=script,
            csp=csp,
        )

