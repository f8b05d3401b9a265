"""Benchmark per source format: does every corpus file of a format load, and how fast?

    python bench/formats_bench.py [CORPUS_DIR] [--format serverless --format cdk] [--repeat N]

For each format in :data:`FORMATS` the script loads every matching corpus file
through the scanner's own dispatch (:func:`faasguard.scan.load_file`: the first
loader that claims the file), runs every rule on the applications it produced,
and prints one row: files, functions found, findings, errors (internal errors,
i.e. loader crashes, counted apart), warnings and files/s (best of N runs,
loading and rules together, one process). It exits 1 when any file crashed a
loader.

To add a format, add one :class:`Format` entry; ``select`` picks its files
(by default the INDEX.tsv rows of the given corpus formats).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from faasguard.model import Application
from faasguard.registry import all_rules
from faasguard.scan import load_file, run_rules

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def indexed(*formats: str) -> Callable[[Path], list[Path]]:
    """Files whose INDEX.tsv format is one of ``formats``."""

    def select(corpus: Path) -> list[Path]:
        index = corpus / "INDEX.tsv"
        rows = (line.split("\t") for line in index.read_text(encoding="utf-8").splitlines() if line.strip())
        return [corpus / row[0] for row in rows if len(row) >= 2 and row[1] in formats]

    return select


def named(*names: str) -> Callable[[Path], list[Path]]:
    """Files with one of these names anywhere in the corpus (formats INDEX.tsv does not list)."""

    def select(corpus: Path) -> list[Path]:
        return sorted(p for name in names for p in corpus.rglob(name) if p.is_file())

    return select


@dataclass(frozen=True)
class Format:
    name: str
    select: Callable[[Path], list[Path]]
    # The Application.format values this source is expected to produce (others are reported, not hidden).
    app_formats: tuple[str, ...] = field(default_factory=tuple)


FORMATS: list[Format] = [
    Format("serverless", indexed("serverless"), ("serverless",)),
    Format("cdk", indexed("cdk"), ("cdk",)),
    Format("azure-functions", named("function.json", "host.json", "local.settings.json"), ("azure-functions",)),
    Format("terraform", indexed("terraform"), ("terraform",)),
]


@dataclass
class Row:
    files: int = 0
    applications: int = 0
    functions: int = 0
    findings: int = 0
    errors: int = 0
    crashes: int = 0
    warnings: int = 0
    seconds: float = 0.0
    other_formats: set[str] = field(default_factory=set)
    crashed: list[tuple[str, str]] = field(default_factory=list)


def measure(fmt: Format, corpus: Path, repeat: int) -> Row:
    paths = fmt.select(corpus)
    rules = all_rules()
    best: Row | None = None
    for _ in range(max(1, repeat)):
        row = Row(files=len(paths))
        started = time.perf_counter()
        apps: list[Application] = []
        for path in paths:
            result = load_file(path, corpus)
            apps.extend(result.applications)
            row.errors += len(result.errors)
            row.warnings += len(result.warnings)
            for where, message in result.errors:
                if message.startswith("internal error") or message.startswith("nesting too deep"):
                    row.crashes += 1
                    row.crashed.append((where, message))
        row.findings = len(run_rules(apps, rules)[0])
        row.seconds = time.perf_counter() - started
        row.applications = len(apps)
        row.functions = sum(len(app.functions) for app in apps)
        row.other_formats = {app.format for app in apps} - set(fmt.app_formats)
        if best is None or row.seconds < best.seconds:
            best = row
    assert best is not None
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--format", action="append", default=[], help="only these formats (repeatable)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    chosen = [f for f in FORMATS if not args.format or f.name in args.format]
    header = (
        f"{'format':<16} {'files':>6} {'apps':>6} {'functions':>9} {'findings':>8} "
        f"{'errors':>6} {'crashes':>7} {'warnings':>8} {'files/s':>8}"
    )
    print(header)
    print("-" * len(header))
    crashed = False
    for fmt in chosen:
        row = measure(fmt, args.corpus, args.repeat)
        rate = row.files / row.seconds if row.seconds else 0.0
        print(
            f"{fmt.name:<16} {row.files:>6} {row.applications:>6} {row.functions:>9} {row.findings:>8} "
            f"{row.errors:>6} {row.crashes:>7} {row.warnings:>8} {rate:>8.0f}"
        )
        if row.other_formats:
            print(f"  (also produced applications of format {', '.join(sorted(row.other_formats))})")
        for where, message in row.crashed:
            print(f"  CRASH {where}: {message}")
        crashed = crashed or bool(row.crashes)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
