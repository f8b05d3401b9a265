"""What the pipeline's stages hand each other: the user's scan options, what an analyzer
returns, the scan's result, and the analyzer and reporter protocols.

This module stands below every stage: loaders, analyzers and reporters import it, and
:mod:`faasguard.scan` (the wiring) imports them. It holds data and protocols only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from faasguard.findings import Finding
from faasguard.model import Application


@dataclass
class ScanOptions:
    categories: set[str] | None = None
    skip_categories: set[str] = field(default_factory=set)
    rules: set[str] | None = None
    skip_rules: set[str] = field(default_factory=set)
    jobs: int | None = None
    baseline: set[str] | None = None  # fingerprints of known findings to leave out
    advisory_db: Path | None = None  # local OSV directory (default: ~/.cache/faasguard/advisories)
    online: bool = False  # ask the OSV API instead (network, only when the user says so)
    osv_api: str | None = None  # base URL of the OSV API for --online
    exclude: tuple[str, ...] = ()  # path globs, relative to the scanned directory, never scanned
    variables: dict[str, str] = field(default_factory=dict)  # --var KEY=VALUE, for loaders' variables (${env:KEY})
    # Where reported paths start (the repository root); default: the scanned directory.
    root: Path | None = None
    # Ruff-style per-file-ignores from the configuration: (the configuration's folder relative to
    # root, "" or "services/a/"; a .gitignore-style pattern relative to it; rule ids, empty: all).
    path_ignores: tuple[tuple[str, str, frozenset[str]], ...] = ()
    cache_dir: Path | None = None  # the parse cache (faasguard.cache); None: parse everything afresh
    # Extra taint model rows from the configuration's taint-models (faasguard.code.taint_model, docs/taint-models.md).
    taint_models: dict[str, Any] = field(default_factory=dict)
    # Opt-in rules the configuration turns on (faasguard.config.SWITCHES, e.g. require-code-signing: true).
    enable_rules: set[str] = field(default_factory=set)


# Kinds of suppression: an inline comment, the configuration's per-file-ignores, the baseline,
# the source's own metadata (CloudFormation ``Metadata: faasguard: skip``).
SUPPRESSION_KINDS = ("inline", "config", "baseline", "source")


@dataclass(frozen=True)
class Suppressed:
    """A finding left out of the report, by what (one of SUPPRESSION_KINDS) and why."""

    finding: Finding
    kind: str
    justification: str = ""


@dataclass
class IgnoreComment:
    """A ``faasguard:ignore[...]`` comment in a scanned file."""

    path: str
    line: int
    rules: frozenset[str]  # empty: every rule
    reason: str
    used: set[str] = field(default_factory=set)  # rule ids it suppressed in this run


@dataclass
class ScanResult:
    root: Path
    files: int
    applications: list[Application]
    findings: list[Finding]
    errors: list[tuple[str, str]]
    warnings: list[tuple[str, str]]
    duration_s: float
    suppressed: int = 0
    suppressions: list[Suppressed] = field(default_factory=list)
    ignore_comments: list[IgnoreComment] = field(default_factory=list)
    rules_run: set[str] = field(default_factory=set)  # the rule ids this scan ran
    targets: list[str] = field(default_factory=list)  # the paths the user asked to scan, as given
    # Files pip installed into the tree (listed in a package's RECORD): read as dependencies, not scanned as code.
    installed_files: int = 0

    @property
    def suppressed_by(self) -> dict[str, int]:
        """How many findings each kind of suppression left out (inline, config, baseline, source)."""
        counts = dict.fromkeys(SUPPRESSION_KINDS, 0)
        for s in self.suppressions:
            counts[s.kind] += 1
        return counts

    @property
    def functions(self) -> int:
        return sum(len(app.functions) for app in self.applications)


@dataclass
class AnalysisResult:
    applications: list[Application] = field(default_factory=list)  # new, e.g. loose source files
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    files_read: set[str] = field(default_factory=set)  # relative paths, for the scanned-files count


class Analyzer(Protocol):
    """After loading, reads what the model points at and adds facts to it.

    An analyzer gets every loaded application and every file discovery saw. It may read files
    (rules may not), and it records what it learns on the applications (``Application.code``,
    ``Application.dependencies``). Files no function points at can be wrapped in an
    application of their own (``format="source"``) so their facts still reach the rules. Bad
    input becomes an error entry, never an exception. What it needs from the user's choices
    (an advisory service…) it is given when it is built, by the caller that wires the scan.
    """

    name: str

    def analyze(self, apps: list[Application], root: Path, files: list[Path]) -> AnalysisResult:
        """Add facts to ``apps``; return new applications, errors, warnings and the files read."""


class FileReader(Analyzer, Protocol):
    """An analyzer whose first step reads files one at a time, whatever the loaded model says (the dependency
    analyzer's manifests and lock files).

    :func:`faasguard.scan.scan` runs :meth:`read` on each file :meth:`to_read` names in the processes that
    load the files, while they load (no pool of its own, and no wait for the slowest template), and hands
    the results to :meth:`analyze`, in the order of :meth:`to_read`. Without them, :meth:`analyze` reads
    the files itself.
    """

    def to_read(self, root: Path, files: list[Path]) -> list[Path]:
        """The files among ``files`` that :meth:`read` reads."""

    def read(self, root: Path, path: Path) -> Any:
        """What one file says; picklable (it comes back from a worker). Bad input is in the value, never raised."""

    def analyze(
        self, apps: list[Application], root: Path, files: list[Path], read: Sequence[Any] | None = None
    ) -> AnalysisResult:
        """:meth:`Analyzer.analyze`, with ``read`` the result of :meth:`read` on each of :meth:`to_read`'s files."""


class ApplicationAnalyzer(Analyzer, Protocol):
    """An analyzer whose facts about an application depend on that application alone (IAM).

    :func:`faasguard.scan.scan` runs its :meth:`analyze_application` after every other
    analyzer, once per application, in the worker that then runs the rules on that
    application: the work is spread over the cores and its facts are never copied between
    processes. Its :meth:`analyze` does the same for every application, in this process.
    Bad input is an error ``(path, message)``, never an exception.
    """

    def analyze_application(self, app: Application) -> list[tuple[str, str]]:
        """Add facts to ``app``; return its errors."""


class PreparedAnalyzer(ApplicationAnalyzer, Protocol):
    """An :class:`ApplicationAnalyzer` whose per-application work reads tables it builds once per process (the
    IAM analyzer's action index and managed policies). :func:`faasguard.scan.run_rules` calls :meth:`prepare`
    before it forks the workers, so they find the tables built instead of each building its own copy.
    """

    def prepare(self, apps: list[Application]) -> None:
        """Build, in this process, what :meth:`analyze_application` will read for ``apps``; change nothing else."""



class Reporter(Protocol):
    """A scan result in, one string out."""

    def __init__(self, **options: object) -> None: ...

    def format(self, result: ScanResult) -> str:
        """Render the whole result; deterministic for the same input (but for durations)."""
