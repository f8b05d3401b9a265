"""One scan, end to end: discover files → load them (in parallel) → analyze → run rules → filter.

This module only wires the pieces together and stands above them: loaders, analyzers,
rules and reporters live in their own packages, and what they hand each other
(:class:`ScanOptions`, :class:`ScanResult`, the analyzer protocol) lives below them all
in :mod:`faasguard.interfaces`. The analyzers are an argument of :func:`scan`; by
default they are built from the options by :func:`faasguard.analyzers.default_analyzers`.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeGuard

from faasguard import cache, installed, limits, root_cause, suppress
from faasguard.analyzers import default_analyzers
from faasguard.code import resolve
from faasguard.findings import Finding
from faasguard.interfaces import (
    Analyzer,
    ApplicationAnalyzer,
    FileReader,
    IgnoreComment,
    PreparedAnalyzer,
    ScanOptions,
    ScanResult,
)
from faasguard.loaders import LOADERS
from faasguard.loaders.interface import NO_VARIABLES, LoadResult
from faasguard.model import Application
from faasguard.parallel import collector_paused, fork_map
from faasguard.registry import Rule, all_rules, run_all

# Directories that hold dependencies, caches or build output, never the project's own sources.
SKIP_DIRS = {
    ".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", ".nox", "__pycache__",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".aws-sam", ".serverless", ".terraform",
    "site-packages", "dist-packages", ".idea", ".vscode", "bower_components", ".next", ".cache",
}
MAX_FILE_BYTES = 20 * 1024 * 1024
PARALLEL_THRESHOLD = 64  # below this many files, worker start-up costs more than it saves
# Below this much work (see _rule_work), checking the applications here is faster than in forked workers.
RULES_FORK_WORK = 10_000

__all__ = ["ScanOptions", "ScanResult", "discover", "load_all", "load_file", "run_rules", "scan", "selected_rules"]


def discover(
    target: Path, exclude: tuple[str, ...] = (), root: Path | None = None, matched: set[str] | None = None
) -> Iterator[Path]:
    """Every file under ``target`` a loader might want, skipping dependencies, build output and
    the user's ``exclude`` patterns. Patterns have ``.gitignore`` semantics (``tests`` is any
    folder or file named tests, ``/tests`` only the top one, ``**/fixtures/*.json``…) and are
    matched against the path relative to ``target`` and to ``root`` (the repository root).
    Patterns that excluded something are added to ``matched``."""
    if target.is_file():
        yield target
        return
    spec = None
    if exclude:
        import pathspec  # here: only --exclude needs it, and its import is a tenth of a small scan's start-up

        spec = pathspec.GitIgnoreSpec.from_lines(exclude)
    bases = [target] + ([root] if root is not None and root != target else [])

    def excluded(path: Path, is_dir: bool) -> bool:
        if spec is None:
            return False
        rels = [_rel(path, base) + ("/" if is_dir else "") for base in bases]
        rels = [r for r in rels if not r.startswith("/")]
        if not any(spec.match_file(r) for r in rels):
            return False
        if matched is not None:
            for pattern in exclude:
                if pattern not in matched and any(pathspec.GitIgnoreSpec.from_lines([pattern]).match_file(r) for r in rels):
                    matched.add(pattern)
        return True

    # os.walk(target, followlinks=False), top down, each folder's files then its sub-folders in name order, without
    # its lstat of every folder (whether a folder is a link comes with its parent's listing) nor a stat of pyvenv.cfg
    # in every folder (a virtualenv is known by its own listing, which the walk reads anyway): 7,000 system calls and
    # a fifth of discovering the corpus.
    pending: list[tuple[str, _Listing | None]] = [(str(target), _listing(str(target)))]
    while pending:
        dirpath, listing = pending.pop()
        if listing is None:
            continue  # unreadable: os.walk skips it too
        folders, filenames = listing
        below = []
        for entry in sorted(folders, key=_NAME):
            d = entry.name
            if d in SKIP_DIRS and not _layer_packages(dirpath, d):
                continue
            child = os.path.join(dirpath, d)
            if entry.is_symlink():  # listed, never followed; an --exclude pattern that names it still matched something
                if spec is not None and not _is_virtualenv(child):
                    excluded(Path(child), True)
                continue
            inside = _listing(child)
            if _is_virtualenv(child) if inside is None else _holds_virtualenv(child, inside[1]):
                continue
            if spec is not None and excluded(Path(child), True):
                continue
            below.append((child, inside))
        folder = Path(dirpath)  # a file's Path made from its folder's: cheaper than from the text of both
        for name in sorted(filenames):
            path = folder / name
            if spec is not None and excluded(path, False):
                continue
            yield path
        pending.extend(reversed(below))


# A folder's listing as os.walk reads it: its sub-folders (links to folders too) and the names of everything else.
_Listing = tuple[list[os.DirEntry[str]], list[str]]
_NAME = attrgetter("name")


def _listing(folder: str) -> _Listing | None:
    """What ``folder`` holds, as os.walk sorts it (an entry whose kind cannot be read is not a folder); None when it
    cannot be read to the end (os.walk then yields nothing of it)."""
    folders: list[os.DirEntry[str]] = []
    others: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                if is_dir:
                    folders.append(entry)
                else:
                    others.append(entry.name)
    except OSError:
        return None
    return folders, others


def _layer_packages(dirpath: str, name: str) -> bool:
    """A Lambda layer's python/lib/python3.X/site-packages: its packages ship with the layer, so they are audited.
    Any other site-packages is an environment on the developer's machine (a virtualenv's is skipped with it)."""
    return name == "site-packages" and installed.layer_of(Path(dirpath, name).as_posix()) is not None


def _is_virtualenv(folder: str) -> bool:
    return os.path.isfile(os.path.join(folder, "pyvenv.cfg"))


def _holds_virtualenv(folder: str, names: list[str]) -> bool:
    """:func:`_is_virtualenv` of a folder whose listing has these names (but its sub-folders'): a stat only where one is
    named pyvenv.cfg."""
    return "pyvenv.cfg" in names and _is_virtualenv(folder)


def _unit_entry(path: Path) -> Path:
    for loader in LOADERS:
        unit_entry = getattr(loader, "unit_entry", None)
        if unit_entry is not None and loader.wants(path.name.lower()):
            return Path(unit_entry(path))
    return path


def _candidate(path: Path, known: dict[str, bool]) -> bool:
    """Whether a loader might want ``path`` (by its name; ``known`` remembers the answer for each name)."""
    name = path.name.lower()
    wanted = known.get(name)
    if wanted is None:
        wanted = known[name] = any(loader.wants(name) for loader in LOADERS)
    return wanted


Comments = dict[int, IgnoreComment]


def load_file(
    path: Path, root: Path, variables: Mapping[str, str] = NO_VARIABLES, real_dirs: dict[str, str] | None = None,
    comments: list[Comments] | None = None,
) -> LoadResult:
    """Load one file with the first loader that claims it. Never raises.

    ``real_dirs`` remembers the real path of each folder (and of ``root``) for the files of one scan;
    ``comments`` gets the file's ignore comments when the file was read."""
    result, found = _load_file(path, root, variables, real_dirs)
    if comments is not None and found is not None:
        comments.append(found)
    return result


def _load_file(
    path: Path, root: Path, variables: Mapping[str, str], real_dirs: dict[str, str] | None
) -> tuple[LoadResult, Comments | None]:
    """:func:`load_file`, and the file's ignore comments when it was read (None when not)."""
    rel = _rel(path, root)
    if not _inside(path, root, real_dirs):
        return LoadResult(errors=[(rel, limits.outside_message(rel, "file"))]), None
    try:
        data = limits.read_bytes(path, MAX_FILE_BYTES)  # looks before it reads: a regular file, not too big
    except limits.NotRegularFile:
        return LoadResult(errors=[(rel, limits.NOT_REGULAR)]), None
    except limits.LimitExceeded as exc:
        try:
            size = path.stat().st_size
        except OSError:
            return LoadResult(errors=[(rel, str(exc))]), None
        limit = MAX_FILE_BYTES // 2**20
        return LoadResult(errors=[(rel, f"file is {size / 1e6:.0f} MB, over the {limit} MB limit; skipped")]), None
    except OSError as exc:
        return LoadResult(errors=[(rel, f"could not be read: {exc.strerror or exc}")]), None
    comments = suppress.comments_in(rel, data)  # read here, not again by the suppressions
    if b"\x00" in data[:8192]:
        return LoadResult(errors=[(rel, "binary file, not text; skipped")]), comments
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); skipped"
        return LoadResult(errors=[(rel, message)]), comments
    for loader in LOADERS:
        if loader.wants(path.name.lower()) and loader.claims(path, text):
            try:
                with limits.time_budget():
                    return loader.load(path, text, root, variables), comments
            except limits.FileTimeout:
                return LoadResult(errors=[(rel, limits.timeout_message())]), comments
            except limits.LimitExceeded as exc:
                return LoadResult(errors=[(rel, str(exc))]), comments
            except RecursionError:
                return LoadResult(errors=[(rel, "nesting too deep to analyse; skipped")]), comments
            except Exception as exc:
                message = f"internal error while loading ({type(exc).__name__}: {exc}); please report it"
                return LoadResult(errors=[(rel, message)]), comments
    return LoadResult(), comments


def _inside(path: Path, root: Path, real_dirs: dict[str, str] | None) -> bool:
    """:func:`limits.inside` for a file, with the real paths of its folder and of ``root`` remembered
    in ``real_dirs``: a file that is not itself a symbolic link is where its folder really is."""
    if real_dirs is None or path.name in ("", ".", "..") or path.is_symlink():
        return limits.inside(path, root)
    try:
        return limits.within(limits.real_folder(str(path.parent), real_dirs), limits.real_folder(str(root), real_dirs))
    except (OSError, ValueError):
        return False


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return limits.display(path, root)


def _rels(paths: Iterable[Path], root: Path) -> Iterator[str]:
    """:func:`_rel` of each path, by its text where it starts with the root's (all of a scan's discovered files)."""
    prefix = str(root).rstrip(os.sep) + os.sep
    for path in paths:
        text = str(path)
        yield text[len(prefix):] if os.sep == "/" and text.startswith(prefix) else _rel(path, root)


@dataclass
class Reading:
    """The files an analyzer reads by themselves (:class:`FileReader`), and, once :func:`load_all` read them, what each says."""

    reader: FileReader
    paths: list[Path]
    read: list[Any] = field(default_factory=list)


def load_all(
    paths: list[Path], root: Path, jobs: int | None = None, progress: Callable[[int], None] | None = None,
    variables: dict[str, str] | None = None, comments: dict[str, Comments] | None = None, reading: Sequence[Reading] = (),
) -> list[LoadResult]:
    """Every file loaded, in the order of ``paths``, on every core when there are enough of them.
    The ignore comments of each file read are added to ``comments`` (by path relative to ``root``).
    The files of each ``reading`` are read by its analyzer in the same processes, after the files to load
    (``progress`` counts both)."""
    values = variables or NO_VARIABLES
    real_dirs: dict[str, str] = {}  # each worker fills its own copy

    def load(item: tuple[int, Path]) -> Any:
        which, path = item
        if which >= 0:
            return reading[which].reader.read(root, path)
        found: list[Comments] = []
        return load_file(path, root, values, real_dirs, found), found[0] if found else None

    items = [(-1, path) for path in paths] + [(i, path) for i, r in enumerate(reading) for path in r.paths]
    done = fork_map(load, items, jobs, progress, PARALLEL_THRESHOLD)
    loaded: list[tuple[LoadResult, Comments | None]] = done[: len(paths)]
    start = len(paths)
    for r in reading:
        r.read[:] = done[start : start + len(r.paths)]
        start += len(r.paths)
    if comments is not None:
        comments.update((rel, found) for rel, (_, found) in zip(_rels(paths, root), loaded, strict=True) if found is not None)
    return [result for result, _ in loaded]


def _parse_cache(directory: Path | None) -> tuple[cache.ParseCache | None, str]:
    if directory is None:
        return None, ""
    try:
        return cache.ParseCache(directory), ""
    except cache.CacheError as exc:
        return None, f"{exc}; scanning without it"


def _confine_code(apps: list[Application], root: Path) -> list[tuple[str, str]]:
    """A function whose code directory leaves the scanned directory (``CodeUri: ../..``, an absolute
    ``source_dir``) keeps its configuration, but its code is not read: one error naming the path."""
    errors = []
    inside: dict[Path, bool] = {}  # many functions share a code directory
    real_dirs: dict[str, str] = {}  # and the folders above it
    base = limits.real_folder(str(root), real_dirs)
    for app in apps:
        for i, fn in enumerate(app.functions):
            if fn.code_dir is None:
                continue
            known = inside.get(fn.code_dir)
            if known is None:
                try:
                    known = limits.within(limits.real_folder(str(fn.code_dir), real_dirs), base)
                except ValueError:  # a NUL byte
                    known = False
                inside[fn.code_dir] = known
            if not known:
                shown = limits.display(fn.code_dir, root)
                message = f"code directory {shown} of function {fn.name} leaves the scanned directory; its code is not read"
                errors.append((fn.loc.path or app.source, message))
                app.functions[i] = replace(fn, code_dir=None)
    return errors


def selected_rules(options: ScanOptions) -> list[Rule]:
    chosen = []
    for r in all_rules():
        if options.categories and r.category not in options.categories:
            continue
        if r.category in options.skip_categories:
            continue
        if options.rules and r.id not in options.rules:
            continue
        if r.id in options.skip_rules:
            continue
        if r.opt_in and r.id not in options.enable_rules and not (options.rules and r.id in options.rules):
            continue  # a rule the team opts into (faasguard.config.SWITCHES)
        chosen.append(r)
    return chosen


def run_rules(
    apps: list[Application],
    rules: list[Rule],
    base: str = "",
    jobs: int | None = 1,
    analyzers: Sequence[ApplicationAnalyzer] = (),
    errors: list[tuple[str, str]] | None = None,
    comments: suppress.CommentStore | None = None,
    comment_paths: Iterable[str] = (),
) -> tuple[list[Finding], list[Finding]]:
    """Every finding once, one per root cause, sorted; and those the sources' own skip markers left out.
    ``base`` is the scanned folder relative to the root (see :func:`faasguard.findings.finding_fingerprint`).

    Applications are checked independently (on every core with ``jobs``), each first by the
    per-application ``analyzers`` (whose errors are added to ``errors``); a finding two
    applications share (a template and its CDK copy) is kept from the first, as in one process.
    The ignore comments of ``comment_paths`` that ``comments`` does not hold yet are read by the same
    processes and added to it (the function code the code analyzer read: 2,700 files of the corpus,
    which this process would otherwise read one after the other once the rules are done).
    """
    seen: dict[str, Finding] = {}
    skipped: list[Finding] = []
    locations = {(app.source, fn.name): (fn.loc.path, fn.loc.line) for app in apps for fn in app.functions}
    for analyzer in analyzers:
        if _prepares(analyzer):  # its tables built once here, not again in every worker
            analyzer.prepare(apps)
    plan = _RulePlan(rules)
    if _rule_work(apps) < RULES_FORK_WORK:
        jobs = 1
    unread = [p for p in comment_paths if p not in comments.by_file] if comments is not None else []

    def work(item: Application | str) -> Any:
        if isinstance(item, str):
            assert comments is not None
            return comments.read(item)
        return _check(item, plan, base, analyzers)

    items: list[Application | str] = [*apps, *unread]
    done = fork_map(work, items, jobs, min_items=PARALLEL_THRESHOLD)
    checked: list[tuple[list[Finding], list[Finding], list[tuple[str, str]]]] = done[: len(apps)]
    if comments is not None:
        comments.by_file.update(zip(unread, done[len(apps) :], strict=True))
    for found, left_out, problems in checked:
        skipped.extend(left_out)
        if errors is not None:
            errors.extend(problems)
        for finding in found:
            seen.setdefault(finding.fingerprint, finding)
    return root_cause.merge(seen.values(), locations, base), skipped


def _rule_work(apps: list[Application]) -> int:
    """How much checking ``apps`` costs, in units of about 50 µs here (fitted on the corpus): an application, a role and
    a statement are one each, a function four. Workers cost 0.1-0.2 CPU-s each to start (copied pages, their own
    tables) and their findings must be unpickled here: below :data:`RULES_FORK_WORK` (0.5 s of work) they save no
    time. The serverless-patterns repository (1,143 applications, 646 functions) is 6,000; the whole corpus 27,000."""
    return sum(
        1 + 4 * len(app.functions) + sum(1 + len(role.statements) for role in app.roles.values()) for app in apps
    )


def _per_application(analyzer: Analyzer) -> TypeGuard[ApplicationAnalyzer]:
    return callable(getattr(analyzer, "analyze_application", None))


def _prepares(analyzer: Analyzer) -> TypeGuard[PreparedAnalyzer]:
    return callable(getattr(analyzer, "prepare", None))


def _reads_files(analyzer: Analyzer) -> TypeGuard[FileReader]:
    return callable(getattr(analyzer, "to_read", None)) and callable(getattr(analyzer, "read", None))


class _RulePlan:
    """The rules to run on an application, in their order, without the ones whose ``over`` collection it has
    empty (see :meth:`faasguard.registry.Rule.applies`). Applications have few distinct patterns of empty
    collections, so each pattern's list is made once instead of asking every rule for every application."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.overs = tuple(sorted({r.over for r in rules if r.over is not None}))
        self._by_pattern: dict[tuple[bool, ...], list[Rule]] = {}

    def for_app(self, app: Application) -> list[Rule]:
        fields = app.__dict__
        pattern = tuple(map(bool, map(fields.__getitem__, self.overs)))
        active = self._by_pattern.get(pattern)
        if active is None:
            active = self._by_pattern[pattern] = [r for r in self.rules if r.applies(app)]
        return active


def _check(
    app: Application, plan: _RulePlan, base: str, analyzers: Sequence[ApplicationAnalyzer] = ()
) -> tuple[list[Finding], list[Finding], list[tuple[str, str]]]:
    problems = [e for analyzer in analyzers for e in analyzer.analyze_application(app)]
    hits = run_all(plan.for_app(app), app, app.source, base)
    if not app.skipped:  # only an application with skip markers in its source has findings to set aside
        return hits, [], problems
    found: list[Finding] = []
    skipped: list[Finding] = []
    for finding in hits:
        (skipped if _skipped_by_source(app, finding) else found).append(finding)
    return found, skipped, problems


def _skipped_by_source(app: Application, finding: Finding) -> bool:
    for name in (finding.resource, finding.function):
        ids = app.skipped.get(name) if name else None
        if ids is not None and (not ids or finding.rule_id in ids):
            return True
    return False


def scan(
    target: Path,
    options: ScanOptions | None = None,
    progress_factory: Callable[[int], Callable[[int], None] | None] | None = None,
    analyzers: list[Analyzer] | None = None,
) -> ScanResult:
    # The cyclic collector would re-scan the whole model (millions of objects without cycles)
    # again and again: a fifth of a scan's time. Reference counting still frees memory.
    with collector_paused():
        return _scan(target, options or ScanOptions(), progress_factory, analyzers)


def _scan(
    target: Path,
    options: ScanOptions,
    progress_factory: Callable[[int], Callable[[int], None] | None] | None,
    analyzers: list[Analyzer] | None,
) -> ScanResult:
    if analyzers is None:
        analyzers = default_analyzers(options)
    started = time.perf_counter()
    target = target.resolve()
    root = options.root.resolve() if options.root else target if target.is_dir() else target.parent
    matched: set[str] = set()
    every_file = list(itertools.islice(discover(target, options.exclude, root, matched), limits.MAX_FILES + 1))
    too_many = len(every_file) > limits.MAX_FILES
    if too_many:  # discovery walks in path order: the first MAX_FILES are scanned, the rest named as skipped
        every_file = every_file[: limits.MAX_FILES]
    # Files that pip installed into the tree (pip install -t) are dependencies: their metadata file is read
    # by the dependency analyzer; the rest is neither loaded nor analysed, and imports of it are third-party.
    third_party = installed.owned_files(every_file)
    resolve.set_installed(third_party)
    project_files = [p for p in every_file if p not in third_party] if third_party else every_file
    names: dict[str, bool] = {}
    paths = [p for p in project_files if _candidate(p, names)] if target.is_dir() else project_files
    if target.is_file():
        # One file of a multi-file unit (a .tf file of a Terraform module) is read as its unit.
        paths = [_unit_entry(p) for p in paths]
    # What analyzers read file by file (the manifests and lock files) is read while the files load, by the same workers.
    reading = {id(a): Reading(a, a.to_read(root, project_files)) for a in analyzers if _reads_files(a)}
    progress = progress_factory(len(paths) + sum(len(r.paths) for r in reading.values())) if progress_factory else None
    parse_cache, cache_warning = _parse_cache(options.cache_dir)
    known_comments: dict[str, Comments] = {}
    with cache.active(parse_cache):
        results = load_all(paths, root, options.jobs, progress, options.variables, known_comments, list(reading.values()))
    included = {rel for r in results for rel in r.included}
    apps = [app for r in results for app in r.applications if app.source not in included]
    errors = {e for r in results for e in r.errors}
    warnings = {w for r in results for w in r.warnings}
    if cache_warning:
        warnings.add(("cache", cache_warning))
    errors.update(_confine_code(apps, root))
    if too_many:
        message = (f"more than {limits.MAX_FILES:,} files: only the first {limits.MAX_FILES:,} in path order were scanned "
                   f"(the last was {_rel(every_file[-1], root)}); --exclude what need not be scanned")
        errors.add((".", message))
    read = set(_rels(paths, root))
    for pattern in options.exclude:
        if pattern not in matched and target.is_dir():
            warnings.add(("--exclude", f"pattern {pattern!r} matched nothing under {_rel(target, root) or '.'}"))
    per_application: list[ApplicationAnalyzer] = []
    for analyzer in analyzers:
        if _per_application(analyzer):
            per_application.append(analyzer)  # run with the rules, in their workers
            continue
        with cache.active(parse_cache):  # the code analyzer keeps what one file says by itself
            if _reads_files(analyzer) and id(analyzer) in reading:
                analysis = analyzer.analyze(apps, root, project_files, reading[id(analyzer)].read)
            else:
                analysis = analyzer.analyze(apps, root, project_files)
        apps.extend(analysis.applications)
        errors.update(analysis.errors)
        warnings.update(analysis.warnings)
        read |= analysis.files_read
    rules = selected_rules(options)
    scanned = _rel(target if target.is_dir() else target.parent, root)
    problems: list[tuple[str, str]] = []
    comments = suppress.new_comments(root, known_comments)
    read_paths = sorted(read)  # the function code read: its comments are read beside the rules, then checked
    found, skipped = run_rules(
        apps, rules, "" if scanned == "." else scanned + "/", options.jobs, per_application, problems, comments, read_paths
    )
    errors.update(problems)
    outcome = suppress.apply(found, root, options.baseline, comments, options.path_ignores)
    comment_warnings, every_comment = suppress.check_comments(root, read_paths, {r.id for r in all_rules()}, comments)
    warnings.update(comment_warnings)
    suppressions = [*outcome.suppressed, *(suppress.Suppressed(f, "source", "skipped in the source's metadata") for f in skipped)]
    return ScanResult(
        root, len(read), apps, outcome.kept, sorted(errors), sorted(warnings), time.perf_counter() - started,
        len(suppressions), suppressions, every_comment, {r.id for r in rules}, installed_files=len(third_party),
    )
