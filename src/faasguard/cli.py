"""The ``faasguard`` command line. It only parses options and wires the packages together."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from faasguard import __version__
from faasguard.findings import CATEGORIES, Severity

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FAIL_ON = ("critical", "high", "medium", "low", "none")


def _csv(value: str) -> set[str]:
    return {part.strip() for part in value.split(",") if part.strip()}


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

    scan = sub.add_parser("scan", help="scan a directory or a file")
    scan.add_argument("path", type=Path)
    scan.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    scan.add_argument("--output", "-o", type=Path, help="write the report to FILE instead of stdout")
    scan.add_argument(
        "--fail-on", choices=FAIL_ON, default="high", help="exit 1 when a finding is at or above this severity (default: high)"
    )
    scan.add_argument("--category", action="append", type=_csv, default=[], help=f"only these categories ({', '.join(CATEGORIES)})")
    scan.add_argument("--skip-category", action="append", type=_csv, default=[], help="leave these categories out")
    scan.add_argument("--rule", action="append", type=_csv, default=[], help="only these rule ids (comma-separated)")
    scan.add_argument("--skip-rule", action="append", type=_csv, default=[], help="leave these rule ids out")
    scan.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no warnings")
    scan.add_argument("--baseline", type=Path, help="a previous JSON report: leave out the findings it already holds")
    scan.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: one per core)")
    scan.add_argument(
        "--var", action="append", type=_key_value, default=[], metavar="KEY=VALUE",
        help="a value for ${env:KEY} in serverless.yml (opt:stage=prod sets ${opt:stage}); repeatable. "
        "The environment of the scan itself is never read",
    )

    rules = sub.add_parser("rules", help="list the rules, or show one rule's documentation")
    rules.add_argument("rule_id", nargs="?")
    rules.add_argument("--format", choices=("text", "markdown"), default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "rules":
            return _rules(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    parser.error(f"unknown command {args.command}")
    return EXIT_USAGE


def _flatten(groups: list[set[str]]) -> set[str]:
    return {item for group in groups for item in group}


def _scan(args: argparse.Namespace) -> int:
    from faasguard.registry import all_rules
    from faasguard.report import REPORTERS
    from faasguard.scan import ScanOptions, scan

    if not args.path.exists():
        print(f"faasguard: {args.path}: no such file or directory", file=sys.stderr)
        return EXIT_USAGE
    categories = _flatten(args.category)
    skip_categories = _flatten(args.skip_category)
    unknown = (categories | skip_categories) - set(CATEGORIES)
    if unknown:
        print(f"faasguard: unknown category {', '.join(sorted(unknown))}; choose from {', '.join(CATEGORIES)}", file=sys.stderr)
        return EXIT_USAGE
    known_ids = {r.id for r in all_rules()}
    rules = {r.upper() for r in _flatten(args.rule)}
    skip_rules = {r.upper() for r in _flatten(args.skip_rule)}
    if (rules | skip_rules) - known_ids:
        print(f"faasguard: unknown rule {', '.join(sorted((rules | skip_rules) - known_ids))}; see `faasguard rules`", file=sys.stderr)
        return EXIT_USAGE
    baseline = None
    if args.baseline:
        from faasguard.suppress import BaselineError, load_baseline

        try:
            baseline = load_baseline(args.baseline)
        except BaselineError as exc:
            print(f"faasguard: {exc}", file=sys.stderr)
            return EXIT_USAGE
    options = ScanOptions(
        categories=categories or None,
        skip_categories=skip_categories,
        rules=rules or None,
        skip_rules=skip_rules,
        jobs=args.jobs,
        baseline=baseline,
        variables=dict(args.var),
    )

    result = scan(args.path, options, None if args.quiet else _progress_factory())
    if result.files == 0:
        print(f"faasguard: nothing to scan under {args.path}: no template, configuration or source file found", file=sys.stderr)
        return EXIT_USAGE
    if not result.applications and result.errors and len(result.errors) == result.files:
        print(f"faasguard: none of the {result.files} files could be scanned", file=sys.stderr)
        _emit(REPORTERS[args.format], result, args)
        return EXIT_USAGE
    _emit(REPORTERS[args.format], result, args)
    if args.fail_on == "none":
        return EXIT_OK
    threshold = Severity.parse(args.fail_on)
    return EXIT_FINDINGS if any(f.severity >= threshold for f in result.findings) else EXIT_OK


def _emit(reporter_cls: type, result: object, args: argparse.Namespace) -> None:
    to_terminal = args.output is None and sys.stdout.isatty()
    options = {"color": to_terminal, "quiet": args.quiet} if args.format == "text" else {}
    if args.format == "text" and to_terminal:
        import shutil

        options["width"] = shutil.get_terminal_size((100, 24)).columns
    text = reporter_cls(**options).format(result)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def _progress_factory() -> Callable[[int], Callable[[int], None] | None] | None:
    if not sys.stderr.isatty():
        return None

    def factory(total: int) -> Callable[[int], None] | None:
        if total < 20:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        progress = Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True), transient=True,
        )
        task = progress.add_task("scanning", total=total)
        progress.start()
        done = [0]

        def advance(n: int) -> None:
            done[0] += n
            progress.update(task, advance=n)
            if done[0] >= total:
                progress.stop()

        return advance

    return factory


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
