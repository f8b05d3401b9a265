"""The ``faasguard`` command line. It only parses options and wires the packages together."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faasguard import __version__
from faasguard import config as project_config
from faasguard.findings import CATEGORIES, Severity

if TYPE_CHECKING:
    from faasguard.interfaces import ScanOptions, ScanResult

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command ended by Ctrl-C
FAIL_ON = ("critical", "high", "medium", "low", "none")
SEVERITIES = ("info", "low", "medium", "high", "critical")
EXTENSIONS = {".json": "json", ".sarif": "sarif", ".xml": "junit", ".html": "html", ".htm": "html", ".md": "markdown",
              ".txt": "text"}
SCAN_EPILOG = """\
exit codes:
  0  no finding at or above --fail-on (default high)
  1  findings at or above --fail-on (or, with --fail-on-unchecked, dependencies that could not be checked)
  2  usage error, or nothing could be scanned

suppressing a finding:
  a comment `faasguard:ignore[FG-IAM-001] reason` on the finding's line or the line above;
  per-file-ignores in .faasguard.yaml; Metadata `faasguard: skip` in a template; --baseline REPORT.json

examples:
  faasguard scan .
  faasguard scan services/a services/b --min-severity medium
  faasguard scan . --format sarif:faasguard.sarif --format text
  faasguard scan . --write-baseline faasguard-baseline.json
"""


def _csv(value: str) -> set[str]:
    return {part.strip() for part in value.split(",") if part.strip()}


def _csv_lower(value: str) -> set[str]:
    return {part.lower() for part in _csv(value)}


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}") from None


def _key_value(value: str) -> tuple[str, str]:
    key, sep, rest = value.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {value!r}")
    return key.strip(), rest


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faasguard",
        description="Find the security mistakes of serverless applications in IaC, code and dependencies.",
    )
    parser.add_argument("--version", action="version", version=f"faasguard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    scan = sub.add_parser(
        "scan",
        help="scan directories or files",
        description="Scan serverless applications (IaC, function code, dependencies) for security mistakes.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=SCAN_EPILOG,
    )
    scan.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH",
        help="directories or files to scan; paths in reports are relative to the repository root (git top-level)",
    )
    scan.add_argument(
        "--format", "--output-format", action="append", default=[], metavar="FORMAT[:FILE]", dest="formats",
        help="report format: text, json, sarif, junit, html, markdown; FORMAT:FILE writes that "
        "report to FILE; repeat for several reports in one run (default: text)",
    )
    scan.add_argument(
        "--output", "-o", action="append", default=[], type=Path, metavar="FILE", dest="outputs",
        help="write the report to FILE instead of stdout; repeatable (pairs with --format in order; an extra FILE "
        "takes its format from its extension: .json, .sarif, .xml, .html, .md, .txt)",
    )
    scan.add_argument(
        "--fail-on", type=str.lower, choices=FAIL_ON,
        help="exit 1 when a finding is at or above this severity (default: high); none never fails",
    )
    scan.add_argument(
        "--min-severity", type=str.lower, choices=SEVERITIES, metavar="LEVEL",
        help="show only findings at or above LEVEL in every format (info, low, medium, high, critical); "
        "--fail-on still decides the exit code",
    )
    scan.add_argument(
        "--verbose", "-v", action="store_true",
        help="text: every finding in full, grouped by function, low monitoring ones included (default: one "
        "block per rule, low monitoring one line per rule)",
    )
    scan.add_argument(
        "--exclude", action="append", default=[], metavar="PATTERN",
        help="leave out paths matching PATTERN, with .gitignore semantics (tests, /legacy, **/fixtures/*.json); "
        "repeatable; a pattern that matches nothing is a warning",
    )
    scan.add_argument(
        "--config", type=Path,
        help="configuration file (default: the nearest .faasguard.yaml or pyproject.toml with [tool.faasguard], "
        "from the scanned path up to the repository root)",
    )
    scan.add_argument(
        "--category", action="append", type=_csv_lower, default=[], help=f"only these categories ({', '.join(CATEGORIES)})"
    )
    scan.add_argument("--skip-category", action="append", type=_csv_lower, default=[], help="leave these categories out")
    scan.add_argument("--rule", action="append", type=_csv, default=[], help="only these rule ids (comma-separated)")
    scan.add_argument("--skip-rule", action="append", type=_csv, default=[], help="leave these rule ids out")
    scan.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no warnings, no summary on stderr")
    scan.add_argument("--baseline", type=Path, help="a previous JSON report: leave out the findings it already holds")
    scan.add_argument(
        "--write-baseline", type=Path, metavar="FILE",
        help="write every current finding to FILE as a baseline (JSON) and exit 0",
    )
    scan.add_argument(
        "--report-unused-ignores", action="store_true",
        help="warn about faasguard:ignore comments that suppressed nothing",
    )
    scan.add_argument(
        "--fail-on-unchecked", action="store_true",
        help="exit 1 when some shipped dependency could not be checked for known vulnerabilities "
        "(no advisory database, API unreachable, no exact version)",
    )
    scan.add_argument(
        "--today", type=_iso_date, metavar="YYYY-MM-DD",
        help="the date runtime deprecations are judged against (default: $FAASGUARD_TODAY, else today): "
        "pins reports for reproducible CI runs",
    )
    scan.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: one per core)")
    scan.add_argument("--cache-dir", type=Path, metavar="DIR",
                      help="where parse results are cached by content (default: the user cache directory)")
    scan.add_argument("--no-cache", action="store_true", help="parse every file afresh and cache nothing")
    scan.add_argument(
        "--sarif-root-uri", action="store_true",
        help="with --format sarif: also write the scanned directory's absolute file:// URI (originalUriBaseIds); "
        "by default every uri is relative to %%SRCROOT%% and the report does not say where it ran",
    )
    scan.add_argument("--show-facts", action="store_true", help="with --format json: add each function's code facts "
                      "(SDK calls, taint flows, secrets) under \"functions\"")
    scan.add_argument(
        "--var", action="append", type=_key_value, default=[], metavar="KEY=VALUE",
        help="a value for ${env:KEY} in serverless.yml (opt:stage=prod sets ${opt:stage}); repeatable. "
        "The environment of the scan itself is never read",
    )

    scan.add_argument(
        "--advisory-db", type=Path, metavar="DIR",
        help="OSV advisory directory (default: ~/.cache/faasguard/advisories, filled by `faasguard advisories update`)",
    )
    scan.add_argument("--online", action="store_true", help="query the OSV API for advisories (cached on disk for a day)")
    scan.add_argument("--osv-api", metavar="URL", help="base URL of the OSV API for --online (default: https://api.osv.dev)")
    scan.add_argument(
        "--sbom", nargs=2, metavar=("FORMAT", "FILE"),
        help="also write an SBOM of every function's dependencies (FORMAT: cyclonedx)",
    )

    advisories = sub.add_parser("advisories", help="manage the offline advisory database")
    advisories_sub = advisories.add_subparsers(dest="advisories_command", required=True)
    update = advisories_sub.add_parser("update", help="download OSV's PyPI and npm exports into the advisory database")
    update.add_argument(
        "--advisory-db", type=Path, metavar="DIR", help="where to store them (default: ~/.cache/faasguard/advisories)"
    )
    update.add_argument(
        "--base-url", metavar="URL", help="where the <Ecosystem>/all.zip exports are served (default: OSV's bucket)"
    )

    rules = sub.add_parser("rules", help="list the rules, or show one rule's documentation")
    rules.add_argument("rule_id", nargs="?")
    rules.add_argument("--format", choices=("text", "markdown"), default="text")

    policy = sub.add_parser("policy", help="print the least-privilege IAM policy each function's code needs")
    policy.add_argument("path", type=Path)
    policy.add_argument("--function", help="only this function (its logical id / name)")
    policy.add_argument("--format", choices=("json", "yaml", "cfn", "terraform"), default="json")
    policy.add_argument(
        "--var", action="append", type=_key_value, default=[], metavar="KEY=VALUE",
        help="a value for ${env:KEY} / ${opt:KEY} in serverless.yml, as for scan; repeatable",
    )
    _add_audit_parsers(sub)
    return parser


# Set by run(): the process ends when main returns (see main).
_LEAVING = False
# What a scan made, kept by the command until it leaves: os._exit drops it at once (see run).
_KEPT: list[object] = []


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            from faasguard.parallel import collector_paused

            # Paused through the report too: re-enabled after the scan, the collector's first full
            # passes re-scan the whole model (over a second of a corpus scan, all of it serial).
            # The command (run) leaves the process right after: the collector stays off, or its
            # first pass after the scan would still look at every object made during it (0.04-0.1 s
            # of a corpus scan).
            if _LEAVING:
                gc.disable()
            with collector_paused():
                return _scan(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "policy":
            return _policy(args)
        if args.command == "advisories":
            return _advisories(args)
        if args.command in ("audit", "merge"):
            return _audit(args) if args.command == "audit" else _merge(args)
    except KeyboardInterrupt:  # Ctrl-C: the workers are already stopped (parallel.fork_map)
        print("faasguard: interrupted (Ctrl-C); the scan stopped before it finished", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except OutputError as exc:
        print(f"faasguard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


def run() -> None:
    """The ``faasguard`` command: :func:`main`, then leave at once.

    Everything the command writes is written by then: the report and its files are closed, the
    parse cache has committed, the workers have exited. What is left is freeing the scanned
    model object by object, a fifth of a second on a large repository for memory the operating
    system takes back anyway; so the process ends without it, as mypy does. The scan's results
    are kept (``_KEPT``) until then: freed when :func:`_scan` returns, they would cost the same
    (0.06 CPU-s of a corpus scan) before the exit.
    """
    global _LEAVING
    _LEAVING = True
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream: nothing more to say
            stream.flush()
    os._exit(code)


def _flatten(groups: list[set[str]]) -> set[str]:
    return {item for group in groups for item in group}


class UsageError(Exception):
    """A mistake on the command line or in the configuration; the message is for the user."""


@dataclass
class Output:
    format: str
    path: Path | None  # None: stdout


def _outputs(args: argparse.Namespace, known: Sequence[str]) -> list[Output]:
    """``--format F[:FILE]`` and ``-o FILE`` into a list of reports to write."""
    outputs: list[Output] = []
    for spec in args.formats or []:
        name, sep, file = spec.partition(":")
        outputs.append(Output(name.strip().lower(), Path(file) if sep and file else None))
    files = list(args.outputs)
    for out in outputs:
        if out.path is None and files:
            out.path = files.pop(0)
    for file in files:
        outputs.append(Output(EXTENSIONS.get(file.suffix.lower(), "text"), file))
    if not outputs:
        outputs.append(Output("text", None))
    for out in outputs:
        if out.format not in known:
            raise UsageError(f"unknown format {out.format}; choose from {', '.join(known)}")
    if sum(1 for o in outputs if o.path is None) > 1:
        raise UsageError("only one report can go to stdout; give the others a file (--format FORMAT:FILE or -o FILE)")
    sbom = [Path(args.sbom[1])] if getattr(args, "sbom", None) else []
    for path in [o.path for o in outputs if o.path is not None] + sbom:
        if path.is_dir():  # found before the scan runs, not after
            raise UsageError(f"cannot write to {path}: it is a directory; give a file name")
    return outputs


@dataclass
class _Settings:
    """What one configuration (file or none) says, merged with the command line."""

    config: project_config.Config
    options: ScanOptions
    fail_on: str
    # The selection of command line and configuration together. The scan runs the command line's
    # selection; what the configuration file (usually in the scanned repository) leaves out on top
    # is counted as suppressed by "config", so that a file skipping everything cannot pass silently.
    selection: tuple[set[str], set[str], set[str], set[str]] = (set(), set(), set(), set())


def _settings(args: argparse.Namespace, cfg: project_config.Config, root: Path, known_ids: set[str]) -> _Settings:
    from faasguard.interfaces import ScanOptions

    categories = _flatten(args.category) or cfg.categories
    skip_categories = _flatten(args.skip_category) | cfg.skip_categories
    unknown = (categories | skip_categories) - set(CATEGORIES)
    if unknown:
        raise UsageError(f"unknown category {', '.join(sorted(unknown))}; choose from {', '.join(CATEGORIES)}")
    rules = {r.upper() for r in _flatten(args.rule)} or cfg.rules
    skip_rules = {r.upper() for r in _flatten(args.skip_rule)} | cfg.skip_rules
    if (rules | skip_rules) - known_ids:
        unknown_rules = ", ".join(sorted((rules | skip_rules) - known_ids))
        raise UsageError(f"unknown rule {unknown_rules}; see `faasguard rules`")
    baseline_path = args.baseline or cfg.baseline
    baseline = None
    if baseline_path:
        from faasguard.suppress import BaselineError, load_baseline

        try:
            baseline = load_baseline(baseline_path)
        except BaselineError as exc:
            raise UsageError(str(exc)) from None
    base = ""
    if cfg.path is not None:
        try:
            base = cfg.path.parent.resolve().relative_to(root).as_posix()
            base = "" if base == "." else base + "/"
        except ValueError:
            base = ""
    options = ScanOptions(
        categories=_flatten(args.category) or None,
        skip_categories=_flatten(args.skip_category),
        rules={r.upper() for r in _flatten(args.rule)} or None,
        skip_rules={r.upper() for r in _flatten(args.skip_rule)},
        jobs=args.jobs,
        baseline=baseline,
        variables={**cfg.variables, **dict(args.var)},
        exclude=tuple(args.exclude) + tuple(cfg.exclude),
        advisory_db=args.advisory_db or cfg.advisory_db,
        online=args.online,
        osv_api=args.osv_api,
        root=root,
        path_ignores=tuple((base, pattern, rules) for pattern, rules in cfg.path_ignores),
        cache_dir=None if args.no_cache else _cache_dir(args.cache_dir),
        taint_models=cfg.taint_models,
        enable_rules=cfg.enable_rules,
    )
    selection = (categories, skip_categories, rules, skip_rules)
    return _Settings(cfg, options, args.fail_on or cfg.fail_on or "high", selection)


def _config_selection(result: ScanResult, settings: _Settings) -> ScanResult:
    """Move the findings the configuration file's selection leaves out to the suppressed ones."""
    from faasguard.interfaces import Suppressed

    categories, skip_categories, rules, skip_rules = settings.selection
    if not (categories or skip_categories or rules or skip_rules):
        return result  # nothing to move (the loop below asks each finding four questions)
    shown = settings.config.path.name if settings.config.path is not None else "the configuration"
    kept = []
    for f in result.findings:
        why = (
            f"{shown}: categories" if categories and f.category not in categories
            else f"{shown}: skip-categories" if f.category in skip_categories
            else f"{shown}: rules" if rules and f.rule_id not in rules
            else f"{shown}: skip-rules" if f.rule_id in skip_rules
            else ""
        )
        if why:
            result.suppressions.append(Suppressed(f, "config", why))
            result.suppressed += 1
        else:
            kept.append(f)
    result.findings = kept
    return result


def project_root(targets: Sequence[Path]) -> Path:
    """Where report paths start: the git top-level holding every target, else the scanned folder
    (or the folder the targets share)."""
    resolved = [t.resolve() for t in targets]
    repos = {project_config.repository_root(t) for t in resolved}
    if len(repos) == 1 and None not in repos:
        (repo,) = repos
        if repo is not None:
            return repo
    folders = [t if t.is_dir() else t.parent for t in resolved]
    return Path(os.path.commonpath([str(f) for f in folders]))


def _distinct(targets: Sequence[Path]) -> list[Path]:
    """The targets without duplicates and without those inside another target."""
    resolved = sorted({t.resolve() for t in targets}, key=lambda p: (len(p.parts), str(p)))
    kept: list[Path] = []
    for t in resolved:
        if not any(k == t or k in t.parents for k in kept):
            kept.append(t)
    return kept


def _scan(args: argparse.Namespace) -> int:
    from faasguard import runtimes
    from faasguard.registry import all_rules
    from faasguard.report import REPORTERS
    from faasguard.scan import scan

    try:
        outputs = _outputs(args, list(REPORTERS))
        for target in args.paths:
            if not target.exists():
                raise UsageError(f"{target}: no such file or directory")
        targets = _distinct(args.paths)
        root = project_root(targets)
        known_ids = {r.id for r in all_rules()}
        settings: dict[Path | None, _Settings] = {}
        plan: list[tuple[Path, _Settings]] = []
        for target in targets:
            try:
                config_path = args.config or project_config.find(target)
                key = config_path.resolve() if config_path else None
                if key not in settings:
                    confine = args.config is None  # a file found in the scanned repository, not one the user named
                    cfg = project_config.load(config_path, confine=confine) if config_path else project_config.Config()
                    settings[key] = _settings(args, cfg, root, known_ids)
            except project_config.ConfigError as exc:
                raise UsageError(str(exc)) from None
            plan.append((target, settings[key]))
    except UsageError as exc:
        print(f"faasguard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.sbom and args.sbom[0].lower() != "cyclonedx":
        print(f"faasguard: unknown SBOM format {args.sbom[0]}; the supported format is cyclonedx", file=sys.stderr)
        return EXIT_USAGE
    fail_on = min((s.fail_on for s in settings.values()), key=FAIL_ON.index)  # the strictest one wins

    if args.show_facts and not any(o.format == "json" for o in outputs):
        print("faasguard: --show-facts adds to the JSON report only; add --format json (or json:FILE)", file=sys.stderr)
    progress = None if args.quiet else _progress()
    try:
        with runtimes.pinned_today(args.today):
            results = [
                _config_selection(scan(target, s.options, progress.factory if progress else None), s) for target, s in plan
            ]
    finally:
        if progress is not None:
            progress.stop()
    if _LEAVING:
        _KEPT.append(results)
    result = merge_results(results, root)
    result.targets = [str(p) for p in args.paths]
    if args.sbom:
        from faasguard.deps.sbom import cyclonedx_json

        _write(Path(args.sbom[1]), cyclonedx_json(result.applications), "SBOM")
    shown_paths = " ".join(str(p) for p in args.paths)
    if result.files == 0:
        print(f"faasguard: nothing to scan under {shown_paths}: no template, configuration or source file found",
              file=sys.stderr)
        return EXIT_USAGE
    if args.report_unused_ignores:
        from faasguard.suppress import unused

        result.warnings = sorted({*result.warnings, *unused(result.ignore_comments, result.rules_run)})

    if args.write_baseline:
        from faasguard.report.json import JsonReporter

        # a baseline refreshed while another one applies keeps what that one held
        known = [x.finding for x in result.suppressions if x.kind == "baseline"]
        every = replace(result, findings=sorted([*result.findings, *known], key=lambda f: f.sort_key()))
        _write(args.write_baseline, JsonReporter().format(every))
        if not args.quiet:
            print(f"faasguard: wrote a baseline of {_count(len(result.findings), 'finding')} to {args.write_baseline}; "
                  f"use it with --baseline {args.write_baseline}", file=sys.stderr)
        return EXIT_OK

    unchecked = _unchecked(result)
    code, verdict = _verdict(result, fail_on, unchecked if args.fail_on_unchecked else [])
    if not result.applications and result.errors and len(result.errors) == result.files:
        print(f"faasguard: none of the {result.files} files could be scanned", file=sys.stderr)
        code, verdict = EXIT_USAGE, f"exit {EXIT_USAGE}: none of the {result.files} files could be scanned"
    hidden = 0
    shown = result
    if args.min_severity:
        floor = Severity.parse(args.min_severity)
        kept = [f for f in result.findings if f.severity >= floor]
        hidden = len(result.findings) - len(kept)
        shown = replace(
            result, findings=kept, suppressions=[x for x in result.suppressions if x.finding.severity >= floor]
        )
    context = ReportContext(
        fail_on=fail_on, exit_code=code, verdict=verdict, hidden=hidden, min_severity=args.min_severity or "",
        verbose=args.verbose, quiet=args.quiet, show_facts=args.show_facts, sarif_root_uri=args.sarif_root_uri,
        fail_on_unchecked=args.fail_on_unchecked, unchecked=unchecked,
    )
    for out in outputs:
        _emit(REPORTERS[out.format], shown, out, context)
    if any(o.path is not None for o in outputs) and not args.quiet:
        print(_one_line(result, verdict, hidden, outputs), file=sys.stderr)
    return code


@dataclass
class ReportContext:
    """What the command line knows that reporters may show: the threshold, the verdict, what is hidden."""

    fail_on: str
    exit_code: int
    verdict: str
    hidden: int = 0
    min_severity: str = ""
    verbose: bool = False
    quiet: bool = False
    show_facts: bool = False
    sarif_root_uri: bool = False
    fail_on_unchecked: bool = False
    unchecked: list[str] = field(default_factory=list)


def merge_results(results: list[ScanResult], root: Path) -> ScanResult:
    if len(results) == 1:
        return results[0]
    from faasguard.findings import Finding, sorted_findings
    from faasguard.interfaces import ScanResult

    seen: dict[tuple[str, str], Finding] = {}
    for r in results:
        for f in r.findings:
            seen.setdefault((f.fingerprint, f.path), f)
    return ScanResult(
        root=root,
        files=sum(r.files for r in results),
        applications=[a for r in results for a in r.applications],
        findings=sorted_findings(list(seen.values())),
        errors=sorted({e for r in results for e in r.errors}),
        warnings=sorted({w for r in results for w in r.warnings}),
        duration_s=sum(r.duration_s for r in results),
        suppressed=sum(r.suppressed for r in results),
        suppressions=[s for r in results for s in r.suppressions],
        ignore_comments=[c for r in results for c in r.ignore_comments],
        rules_run=set().union(*(r.rules_run for r in results)),
    )


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _unchecked(result: ScanResult) -> list[str]:
    """Why dependencies went unchecked: the scan's own warnings about advisory data."""
    from faasguard.report import is_unchecked_warning

    return [m for _, m in result.warnings if is_unchecked_warning(m)]


def _verdict(result: ScanResult, fail_on: str, unchecked: list[str]) -> tuple[int, str]:
    if fail_on == "none":
        at = 0
        reason = "--fail-on none"
    else:
        threshold = Severity.parse(fail_on)
        at = sum(1 for f in result.findings if f.severity >= threshold)
        reason = f"{_count(at, 'finding')} at or above {fail_on}" if at else f"no finding at or above {fail_on}"
    if at:
        return EXIT_FINDINGS, f"exit {EXIT_FINDINGS}: {reason}"
    if unchecked:
        return EXIT_FINDINGS, f"exit {EXIT_FINDINGS}: some dependencies could not be checked (--fail-on-unchecked)"
    return EXIT_OK, f"exit {EXIT_OK}: {reason}"


def _one_line(result: ScanResult, verdict: str, hidden: int, outputs: list[Output]) -> str:
    counts = ", ".join(
        f"{n} {s}" for s in reversed(Severity) if (n := sum(1 for f in result.findings if f.severity == s))
    )
    files = ", ".join(f"{o.format} → {o.path}" for o in outputs if o.path is not None)
    parts = [f"faasguard: {_count(len(result.findings), 'finding')}" + (f" ({counts})" if counts else "")]
    if result.suppressions:
        parts.append(f"{len(result.suppressions)} suppressed")
    if hidden:
        parts.append(f"{hidden} below --min-severity")
    if result.errors:
        parts.append(_count(len(result.errors), "error"))
    return f"{'; '.join(parts)}; {verdict}; wrote {files}"


def _color(stream: object) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class OutputError(Exception):
    """A report or SBOM could not be written; the message is a sentence for the user (exit 2)."""


def _write(path: Path, text: str, what: str = "report") -> None:
    if path.is_dir():
        raise OutputError(f"cannot write the {what} to {path}: it is a directory; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # File names that are not UTF-8 (latin-1 on disk) arrive as surrogates: written as \udcXX escapes.
        with open(path, "w", encoding="utf-8", errors="backslashreplace") as out:
            out.write(text)
    except OSError as exc:
        raise OutputError(f"cannot write the {what} to {path}: {exc.strerror or exc}") from None


def _stdout(text: str) -> None:
    """Write to standard output; a full disk or a closed descriptor is an error sentence, not a traceback."""
    try:
        sys.stdout.write(text if text.isascii() else text.encode("utf-8", "backslashreplace").decode("utf-8"))
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        with contextlib.suppress(OSError, ValueError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  (the interpreter's final flush must not fail again)
        raise OutputError(f"cannot write the report to standard output: {exc.strerror or exc}") from None


def _emit(reporter_cls: type, result: ScanResult, out: Output, context: ReportContext) -> None:
    to_terminal = out.path is None and sys.stdout.isatty()
    options: dict[str, object] = {"context": context}
    if out.format == "text":
        import shutil

        options.update(
            color=to_terminal and _color(sys.stdout), quiet=context.quiet, verbose=context.verbose,
            wrap=to_terminal, verdict=context.verdict, hidden=context.hidden, min_severity=context.min_severity,
            width=shutil.get_terminal_size((80, 24)).columns if to_terminal else 80,
        )
    if out.format == "json" and context.show_facts:
        options["show_facts"] = True
    text = reporter_cls(**options).format(result)
    if out.path is not None:
        _write(out.path, text)
    else:
        _stdout(text)


def _cache_dir(given: Path | None) -> Path:
    from faasguard.cache import default_directory

    return given.expanduser() if given else default_directory()


class _Progress:
    """A bar on stderr while files load (a terminal only, 20 files or more), then a spinner while
    the code is analysed and the rules run, until :meth:`stop`: the screen never goes quiet."""

    def __init__(self) -> None:
        self.bars: list[Any] = []

    def factory(self, total: int) -> Callable[[int], None] | None:
        if total < 20:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        progress = Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True), transient=True,
        )
        task = progress.add_task("loading files", total=total)
        progress.start()
        self.bars.append(progress)
        done = [0]

        def advance(n: int) -> None:
            done[0] += n
            progress.update(task, advance=n)
            if done[0] >= total:
                # loading is over; analysis and rules follow: an indeterminate bar until stop()
                progress.update(task, visible=False)
                progress.add_task("analysing code and running rules", total=None)

        return advance

    def stop(self) -> None:
        for bar in self.bars:
            bar.stop()
        self.bars.clear()


def _progress() -> _Progress | None:
    return _Progress() if sys.stderr.isatty() else None


def _rules(args: argparse.Namespace) -> int:
    from faasguard.registry import all_rules, get_rule
    from faasguard.rules.docs import render_markdown, render_rule_text

    if args.rule_id:
        rule = get_rule(args.rule_id)
        if rule is None:
            print(f"faasguard: no rule {args.rule_id}; `faasguard rules` lists them", file=sys.stderr)
            return EXIT_USAGE
        print(render_rule_text(rule))
        return EXIT_OK
    if args.format == "markdown":
        sys.stdout.write(render_markdown(all_rules()))
        return EXIT_OK
    for r in all_rules():
        print(f"{r.id:<12} {r.category:<13} {r.severity!s:<9} {r.title}")
    return EXIT_OK


def _advisories(args: argparse.Namespace) -> int:
    from faasguard.deps.osv_local import default_db
    from faasguard.deps.update import DEFAULT_BASE_URL, update

    db = args.advisory_db or default_db()
    report = update(db, args.base_url or DEFAULT_BASE_URL, progress=lambda text: print(text, file=sys.stderr))
    for ecosystem, count in sorted(report.records.items()):
        print(f"{ecosystem}: {count} advisories installed in {db / ecosystem}")
    for error in report.errors:
        print(f"faasguard: {error}; the previous data for that ecosystem (if any) was kept", file=sys.stderr)
    return EXIT_OK if report.records and not report.errors else EXIT_USAGE if not report.records else EXIT_FINDINGS


def _policy(args: argparse.Namespace) -> int:
    from faasguard.iam.render import collect, render
    from faasguard.scan import ScanOptions, scan

    if not args.path.exists():
        print(f"faasguard: {args.path}: no such file or directory", file=sys.stderr)
        return EXIT_USAGE
    # load and analyse; no rules
    result = scan(args.path, ScanOptions(skip_categories=set(CATEGORIES), jobs=None, variables=dict(args.var)))
    policies = collect(result.applications, args.function)
    from faasguard.report.escape import one_line, terminal

    for path, message in result.errors:
        print(f"faasguard: {one_line(path)}: {terminal(message)}", file=sys.stderr)
    if not policies:
        what = f"no function named {args.function}" if args.function else "no function"
        print(f"faasguard: {what} found under {args.path}", file=sys.stderr)
        return EXIT_USAGE
    _stdout(render(policies, args.format))
    return EXIT_OK


# -- audit and merge: a live AWS account (faasguard.audit), and joining shard reports ---------------


def _add_audit_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    audit = sub.add_parser("audit", help="audit what is deployed in a live AWS account (read-only calls)")
    audit.add_argument("--profile", help="AWS profile (default: boto3's credential chain; AWS_ENDPOINT_URL is honoured)")
    audit.add_argument("--region", action="append", default=[], help="region to audit (repeatable; default: the profile's)")
    audit.add_argument("--all-regions", action="store_true", help="every region enabled in the account")
    audit.add_argument("--function", action="append", default=[], metavar="NAME", help="only this function (name or ARN)")
    audit.add_argument(
        "--accounts", type=Path, metavar="FILE", help="accounts to audit: id, role ARN to assume, regions (docs/audit.md)"
    )
    audit.add_argument("--shard-dir", type=Path, metavar="DIR", help="also write one JSON report per account and region")
    audit.add_argument("--with-code", action="store_true", help="download each package and analyse its code and dependencies")
    audit.add_argument(
        "--unused-days", type=int, default=90, metavar="N", help="report services a role has not used in N days (default: 90)"
    )
    audit.add_argument("--no-last-accessed", action="store_true", help="do not ask IAM for last-accessed data")
    audit.add_argument("--workers", type=int, default=10, help="concurrent API calls per account (default: 10)")
    merge = sub.add_parser("merge", help="combine JSON reports (audit shards) into one report")
    merge.add_argument("reports", nargs="+", type=Path, metavar="REPORT")
    for p in (audit, merge):
        p.add_argument("--format", action="append", default=[], metavar="FORMAT[:FILE]", dest="formats",
                       help="report format: text, json, sarif, junit, html…; FORMAT:FILE writes it to FILE (repeatable)")
        p.add_argument("--output", "-o", action="append", default=[], type=Path, metavar="FILE", dest="outputs",
                       help="write the report to FILE instead of stdout (repeatable, pairs with --format)")
        p.add_argument("--fail-on", type=str.lower, choices=FAIL_ON, help="exit 1 at or above this severity (default: high)")
        p.add_argument("--quiet", "-q", action="store_true", help="no progress bar, no warnings, no summary on stderr")
    audit.add_argument("--config", type=Path, help="configuration file (default: .faasguard.yaml in the current directory)")
    audit.add_argument("--baseline", type=Path, help="a previous JSON report: leave out the findings it already holds")
    audit.add_argument("--category", action="append", type=_csv, default=[], help="only these categories")
    audit.add_argument("--skip-category", action="append", type=_csv, default=[], help="leave these categories out")
    audit.add_argument("--rule", action="append", type=_csv, default=[], help="only these rule ids (comma-separated)")
    audit.add_argument("--skip-rule", action="append", type=_csv, default=[], help="leave these rule ids out")
    audit.add_argument("--advisory-db", type=Path, metavar="DIR", help="OSV advisory directory, for --with-code")


def _audit(args: argparse.Namespace) -> int:
    from faasguard.audit import AuditError, AuditOptions, audit, load_accounts
    from faasguard.interfaces import ScanOptions
    from faasguard.loaders.aws_live.collect import Options
    from faasguard.merge import merge
    from faasguard.registry import all_rules
    from faasguard.report.json import JsonReporter

    try:
        config_path = args.config or project_config.find(Path.cwd())
        cfg = project_config.load(config_path) if config_path else project_config.Config()
    except project_config.ConfigError as exc:
        print(f"faasguard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    args.fail_on = args.fail_on or cfg.fail_on or "high"
    categories = _flatten(args.category) or cfg.categories
    skip_categories = _flatten(args.skip_category) | cfg.skip_categories
    rules = {r.upper() for r in _flatten(args.rule)} or cfg.rules
    skip_rules = {r.upper() for r in _flatten(args.skip_rule)} | cfg.skip_rules
    unknown = sorted((categories | skip_categories) - set(CATEGORIES))
    unknown += sorted((rules | skip_rules) - {r.id for r in all_rules()})
    if unknown:
        print(f"faasguard: unknown category or rule {', '.join(unknown)}; see `faasguard rules`", file=sys.stderr)
        return EXIT_USAGE
    if args.workers < 1 or args.unused_days < 1:
        print("faasguard: --workers and --unused-days must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    baseline = None
    baseline_path = args.baseline or cfg.baseline
    if baseline_path:
        from faasguard.suppress import BaselineError, load_baseline

        try:
            baseline = load_baseline(baseline_path)
        except BaselineError as exc:
            print(f"faasguard: {exc}", file=sys.stderr)
            return EXIT_USAGE
    try:
        options = AuditOptions(
            profile=args.profile,
            regions=tuple(args.region),
            all_regions=args.all_regions,
            collect=Options(
                functions=frozenset(args.function),
                last_accessed_days=None if args.no_last_accessed else args.unused_days,
                with_code=args.with_code,
                workers=args.workers,
            ),
            scan=ScanOptions(
                categories=categories or None, skip_categories=skip_categories, rules=rules or None, skip_rules=skip_rules,
                baseline=baseline, advisory_db=args.advisory_db or cfg.advisory_db,
            ),
        )
        if args.accounts:
            options.accounts = load_accounts(args.accounts)
        shards = audit(options, None if args.quiet else _audit_progress())
    except AuditError as exc:
        print(f"faasguard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.shard_dir:
        args.shard_dir.mkdir(parents=True, exist_ok=True)
        for shard in shards:
            path = args.shard_dir / f"{shard.account}-{shard.region}.json"
            path.write_text(JsonReporter().format(shard.result), encoding="utf-8")
    return _report_merged(merge(s.result for s in shards), args)


def _merge(args: argparse.Namespace) -> int:
    from faasguard.merge import MergeError, merge, read_report

    try:
        results = [read_report(path) for path in args.reports]
    except MergeError as exc:
        print(f"faasguard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    args.fail_on = args.fail_on or "high"
    return _report_merged(merge(results), args)


def _report_merged(result: ScanResult, args: argparse.Namespace) -> int:
    """Write the reports ``--format``/``-o`` ask for, as ``scan`` does; the exit code of ``--fail-on``."""
    from faasguard.report import REPORTERS

    try:
        outputs = _outputs(args, list(REPORTERS))
    except UsageError as exc:
        print(f"faasguard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    code, verdict = _verdict(result, args.fail_on, [])
    context = ReportContext(fail_on=args.fail_on, exit_code=code, verdict=verdict, quiet=args.quiet)
    for out in outputs:
        _emit(REPORTERS[out.format], result, out, context)
    if any(o.path is not None for o in outputs) and not args.quiet:
        print(_one_line(result, verdict, 0, outputs), file=sys.stderr)
    return code


def _audit_progress() -> Callable[[int, int], None] | None:
    """A progress bar of API calls on a terminal; its total grows as collectors find more to read."""
    if not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    progress = Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    )
    task = progress.add_task("auditing", total=0)
    state = {"done": 0, "total": 0, "started": False}

    def advance(done: int, added: int) -> None:
        if not state["started"]:
            progress.start()
            state["started"] = True
        state["done"] += done
        state["total"] += added
        progress.update(task, completed=state["done"], total=state["total"])
        if state["done"] >= state["total"]:
            progress.stop()
            state["started"] = False

    return advance
