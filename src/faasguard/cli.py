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
    scan.add_argument("--format", choices=("text", "json", "sarif", "junit", "html", "markdown"), default="text")
    scan.add_argument("--output", "-o", type=Path, help="write the report to FILE instead of stdout")
    scan.add_argument(
        "--fail-on", choices=FAIL_ON, help="exit 1 when a finding is at or above this severity (default: high)"
    )
    scan.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="leave out paths matching GLOB (repeatable)")
    scan.add_argument("--config", type=Path, help="configuration file (default: .faasguard.yaml in the scanned directory)")
    scan.add_argument(
        "--category", action="append", type=_csv, default=[], help=f"only these categories ({', '.join(CATEGORIES)})"
    )
    scan.add_argument("--skip-category", action="append", type=_csv, default=[], help="leave these categories out")
    scan.add_argument("--rule", action="append", type=_csv, default=[], help="only these rule ids (comma-separated)")
    scan.add_argument("--skip-rule", action="append", type=_csv, default=[], help="leave these rule ids out")
    scan.add_argument("--quiet", "-q", action="store_true", help="no progress bar and no warnings")
    scan.add_argument("--baseline", type=Path, help="a previous JSON report: leave out the findings it already holds")
    scan.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: one per core)")
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "policy":
            return _policy(args)
        if args.command == "advisories":
            return _advisories(args)
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
    from faasguard import config as project_config

    try:
        config_path = args.config or project_config.find(args.path)
        cfg = project_config.load(config_path) if config_path else project_config.Config()
    except project_config.ConfigError as exc:
        print(f"faasguard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    args.fail_on = args.fail_on or cfg.fail_on or "high"
    args.baseline = args.baseline or cfg.baseline
    args.advisory_db = args.advisory_db or cfg.advisory_db
    categories = _flatten(args.category) or cfg.categories
    skip_categories = _flatten(args.skip_category) | cfg.skip_categories
    unknown = (categories | skip_categories) - set(CATEGORIES)
    if unknown:
        print(f"faasguard: unknown category {', '.join(sorted(unknown))}; choose from {', '.join(CATEGORIES)}", file=sys.stderr)
        return EXIT_USAGE
    known_ids = {r.id for r in all_rules()}
    rules = {r.upper() for r in _flatten(args.rule)} or cfg.rules
    skip_rules = {r.upper() for r in _flatten(args.skip_rule)} | cfg.skip_rules
    if (rules | skip_rules) - known_ids:
        unknown_rules = ", ".join(sorted((rules | skip_rules) - known_ids))
        print(f"faasguard: unknown rule {unknown_rules}; see `faasguard rules`", file=sys.stderr)
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
        variables={**cfg.variables, **dict(args.var)},
        exclude=tuple(args.exclude) + tuple(cfg.exclude),
        advisory_db=args.advisory_db,
        online=args.online,
        osv_api=args.osv_api,
    )

    if args.sbom and args.sbom[0].lower() != "cyclonedx":
        print(f"faasguard: unknown SBOM format {args.sbom[0]}; the supported format is cyclonedx", file=sys.stderr)
        return EXIT_USAGE
    result = scan(args.path, options, None if args.quiet else _progress_factory())
    if args.sbom:
        from faasguard.deps.sbom import cyclonedx_json

        sbom_path = Path(args.sbom[1])
        sbom_path.parent.mkdir(parents=True, exist_ok=True)
        sbom_path.write_text(cyclonedx_json(result.applications), encoding="utf-8")
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
    if args.format == "json" and getattr(args, "show_facts", False):
        options["show_facts"] = True
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
    result = scan(args.path, ScanOptions(skip_categories=set(CATEGORIES), jobs=None))  # load and analyse; no rules
    policies = collect(result.applications, args.function)
    for path, message in result.errors:
        print(f"faasguard: {path}: {message}", file=sys.stderr)
    if not policies:
        what = f"no function named {args.function}" if args.function else "no function"
        print(f"faasguard: {what} found under {args.path}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.write(render(policies, args.format))
    return EXIT_OK
