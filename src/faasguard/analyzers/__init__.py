"""Analyzers: after loading, read what the model points at and add facts to it.

An analyzer gets every loaded application and every file discovery saw. It may
read files (rules may not), and it records what it learns on the applications
(``Application.code``, ``Application.dependencies``). Files no function points
at can be wrapped in an application of their own (``format="source"``) so their
facts still reach the rules. Bad input becomes an error entry, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from faasguard.model import Application

if TYPE_CHECKING:
    from faasguard.scan import ScanOptions


@dataclass
class AnalysisResult:
    applications: list[Application] = field(default_factory=list)  # new, e.g. loose source files
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    files_read: set[str] = field(default_factory=set)  # relative paths, for the scanned-files count


class Analyzer(Protocol):
    name: str

    def analyze(self, apps: list[Application], root: Path, files: list[Path], options: ScanOptions) -> AnalysisResult:
        """Add facts to ``apps``; ``options`` carries the user's choices (advisory source, jobs…)."""


ANALYZERS: list[Analyzer] = []

from faasguard.code.analyzer import CodeAnalyzer  # noqa: E402  (after AnalysisResult: the analyzer imports it)

ANALYZERS.append(CodeAnalyzer())

from faasguard.deps.analyzer import DEPENDENCY_ANALYZER  # noqa: E402  (after AnalysisResult: the analyzer imports it)

ANALYZERS.append(DEPENDENCY_ANALYZER)
