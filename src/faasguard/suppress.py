"""Suppressions and baselines: what acts between the rules and the reporters.

* Inline: a comment ``faasguard:ignore[FG-IAM-001,FG-SEC-001] reason`` (or
  ``faasguard:ignore`` for every rule; ``faasguard: ignore`` with a space works too)
  on the finding's line or the line above it, in any file format with comments
  (YAML, HCL, Python, JavaScript).
* Baseline: a previous JSON report; findings whose fingerprint it holds are known
  and left out, so CI fails only on new problems.
* Source metadata (``Metadata: faasguard: skip`` in a template) is applied by the
  scan itself and reported here under the kind ``source``.

Suppressed findings are not thrown away: reporters that can say "suppressed"
(SARIF ``suppressions``) keep them, and the text summary counts them by kind.
Every inline comment is also checked: an unknown rule id in it is a warning, and
``--report-unused-ignores`` lists the comments that suppressed nothing.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from faasguard import limits
from faasguard.findings import Finding
from faasguard.interfaces import SUPPRESSION_KINDS, IgnoreComment, Suppressed

_IGNORE = re.compile(r"faasguard:\s*ignore(?:\[([^\]\n]*)\])?(.*)")
_MARKER = re.compile(r"faasguard:\s*ignore")
KINDS = SUPPRESSION_KINDS


class BaselineError(Exception):
    """The baseline file cannot be used; the message is a sentence for the user."""


@dataclass
class Outcome:
    kept: list[Finding]
    suppressed: list[Suppressed]


def load_baseline(path: Path) -> set[str]:
    try:
        if not path.is_file():
            raise BaselineError(f"baseline {path} is not a regular file: give a JSON report written with --format json")
        doc = limits.json_loads(limits.read_bytes(path, limits.MAX_BASELINE_BYTES, "the baseline").decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path} could not be read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"baseline {path} is not JSON (line {exc.lineno}): write one with --format json") from None
    except limits.LimitExceeded as exc:
        raise BaselineError(f"baseline {path}: {exc}") from None
    findings = doc.get("findings") if isinstance(doc, dict) else None
    if not isinstance(findings, list):
        raise BaselineError(f"baseline {path} has no findings list: write one with `faasguard scan --format json`")
    known: set[str] = set()
    for f in findings:
        if not isinstance(f, dict):
            continue
        if isinstance(f.get("fingerprint"), str):
            known.add(f["fingerprint"])
        # A finding that stands for several (one root cause) lists the fingerprints it replaced.
        merged = f.get("fingerprints")
        if isinstance(merged, list):
            known.update(fp for fp in merged if isinstance(fp, str))
    return known


def parse_comment(path: str, number: int, line: str) -> IgnoreComment | None:
    match = _IGNORE.search(line)
    while match is not None and not _in_comment(line, match.start()):
        match = _IGNORE.search(line, match.end())
    if match is None:
        return None
    rules = frozenset(r.strip().upper() for r in (match.group(1) or "").split(",") if r.strip())
    reason = match.group(2).strip().strip("#-/*").strip()
    return IgnoreComment(path, number, rules, reason)


_COMMENT_STARTS = ("#", "//", "/*")


def _in_comment(line: str, position: int) -> bool:
    """Whether ``position`` lies in a comment: a ``#``, ``//`` or ``/*`` outside quotes comes before it.

    ``Description: "faasguard:ignore"`` is a string the scanned code controls, not a comment.
    """
    quote = ""
    i = 0
    while i < position:
        c = line[i]
        if quote:
            if c == "\\" and quote != "'":
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "\"'`" and not (i and line[i - 1].isalnum()):  # "don't" opens no string
            quote = c
        elif line.startswith(_COMMENT_STARTS, i):
            return True
        i += 1
    return False


def comments_in(path: str, data: bytes) -> dict[int, IgnoreComment]:
    """The ignore comments in ``data`` (the bytes of the file ``path``, relative to the root), by line."""
    comments: dict[int, IgnoreComment] = {}
    # Most files hold no marker: look for it in the bytes before decoding them.
    text = data.decode("utf-8-sig", "replace") if b"faasguard:" in data else ""
    if _MARKER.search(text):
        for number, line in enumerate(text.splitlines(), start=1):
            comment = parse_comment(path, number, line)
            if comment is not None:
                comments[number] = comment
    return comments


class CommentStore:
    """The ignore comments of each file, read once (``known``: those of files already read, by path)."""

    def __init__(self, root: Path, known: dict[str, dict[int, IgnoreComment]] | None = None) -> None:
        self.root = root
        self.by_file: dict[str, dict[int, IgnoreComment]] = dict(known or {})
        self._base = str(root)

    def of(self, path: str) -> dict[int, IgnoreComment]:
        comments = self.by_file.get(path)
        if comments is None:
            comments = self.by_file[path] = self.read(path)
        return comments

    def read(self, path: str) -> dict[int, IgnoreComment]:
        """The ignore comments of ``path`` read from its file (none when it cannot be read), without keeping them:
        what :meth:`of` keeps, for a worker process to send back."""
        try:
            data = limits.read_bytes(os.path.join(self._base, path))
        except (OSError, ValueError, limits.LimitExceeded):
            data = b""
        return comments_in(path, data)

    def all(self) -> list[IgnoreComment]:
        return [c for path in sorted(self.by_file) for _, c in sorted(self.by_file[path].items())]


def apply(
    findings: Iterable[Finding],
    root: Path,
    baseline: set[str] | None = None,
    comments: CommentStore | None = None,
    path_ignores: Sequence[tuple[str, str, frozenset[str]]] = (),
) -> Outcome:
    """Split findings into what is reported and what an inline comment, the configuration's
    ``per-file-ignores`` or the baseline suppresses."""
    comments = comments or CommentStore(root)
    specs = []
    if path_ignores:
        import pathspec  # here: only per-file-ignores need it, and its import is a tenth of a small scan's start-up

        specs = [(base, p, rules, pathspec.GitIgnoreSpec.from_lines([p])) for base, p, rules in path_ignores]
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    by_file = comments.by_file
    for f in findings:
        comment = None
        if f.line:  # _inline, without its calls for the many files that hold no comment
            in_file = by_file.get(f.path)
            if in_file is None:
                in_file = comments.of(f.path)
            if in_file:
                comment = _inline(f, comments)
        by_config = next(
            (p for base, p, rules, spec in specs
             if (not rules or f.rule_id in rules) and _under(f.path, base) and spec.match_file(f.path[len(base):])),
            None,
        ) if specs else None
        if comment is not None:
            comment.used.add(f.rule_id)
            suppressed.append(Suppressed(f, "inline", comment.reason))
        elif by_config is not None:
            suppressed.append(Suppressed(f, "config", f"per-file-ignores {by_config}"))
        elif baseline and any(fp in baseline for fp in f.all_fingerprints):
            suppressed.append(Suppressed(f, "baseline", "in the baseline"))
        else:
            kept.append(f)
    return Outcome(kept, suppressed)


def _under(path: str, base: str) -> bool:
    """Whether ``path`` is inside the folder ``base`` ("" or "services/a/", relative to the root)."""
    return not base or path.startswith(base)


def _inline(f: Finding, comments: CommentStore) -> IgnoreComment | None:
    if not f.line:
        return None
    in_file = comments.of(f.path)
    for number in (f.line, f.line - 1):
        comment = in_file.get(number)
        if comment is not None and (not comment.rules or f.rule_id in comment.rules):
            return comment
    return None


def check_comments(
    root: Path, paths: Iterable[str], known_rules: set[str], comments: CommentStore | None = None
) -> tuple[list[tuple[str, str]], list[IgnoreComment]]:
    """Warnings for unknown rule ids in ignore comments, and every comment of ``paths``."""
    comments = comments or CommentStore(root)
    for path in paths:
        comments.of(path)
    warnings = []
    every = comments.all()
    for c in every:
        unknown = sorted(c.rules - known_rules)
        if unknown:
            warnings.append((
                f"{c.path}:{c.line}",
                f"faasguard:ignore names unknown rule {', '.join(unknown)}; it suppresses nothing for it "
                "(`faasguard rules` lists the ids)",
            ))
    return warnings, every


def unused(comments: Iterable[IgnoreComment], selected_rules: set[str]) -> list[tuple[str, str]]:
    """Comments (or rule ids in them) that suppressed nothing in this run, as (place, message)."""
    out = []
    for c in comments:
        if not c.rules:
            if not c.used:
                out.append((f"{c.path}:{c.line}", "faasguard:ignore suppressed nothing; remove it"))
            continue
        idle = sorted(r for r in c.rules - c.used if r in selected_rules)
        if idle:
            out.append((f"{c.path}:{c.line}", f"faasguard:ignore[{', '.join(idle)}] suppressed nothing; remove "
                        f"{'them' if len(idle) > 1 else 'it'}"))
    return out


def new_comments(root: Path, known: dict[str, dict[int, IgnoreComment]] | None = None) -> CommentStore:
    """The ignore comments of the files under ``root``, read when first asked (``known``: see :class:`CommentStore`)."""
    return CommentStore(root, known)
