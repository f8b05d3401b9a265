"""Benchmark: scan the shared real-world corpus and print files/s per format.

    python bench/bench_corpus.py [CORPUS_DIR] [--jobs N] [--repeat N]

Every file listed in the corpus INDEX.tsv must load without a crash; the script
exits 1 when a file produced an internal error (a crash in a loader), and prints
the parse errors (genuinely broken files) separately.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from faasguard.scan import ScanOptions, scan

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    index = args.corpus / "INDEX.tsv"
    formats: dict[str, str] = {}
    if index.exists():
        for line in index.read_text().splitlines():
            path, fmt, _ = line.split("\t")
            formats[path] = fmt

    times = []
    result = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = scan(args.corpus, ScanOptions(jobs=args.jobs))
        times.append(time.perf_counter() - started)
    assert result is not None
    best, median = min(times), statistics.median(times)
    print(f"corpus: {args.corpus}")
    print(f"files read: {result.files}   functions: {result.functions}   findings: {len(result.findings)}")
    print(f"wall time: median {median:.2f} s, best {best:.2f} s over {args.repeat} runs -> {result.files / median:,.0f} files/s")

    per_format: Counter[str] = Counter()
    functions: Counter[str] = Counter()
    for app in result.applications:
        per_format[app.format] += 1
        functions[app.format] += len(app.functions)
    print("\napplications by loaded format:")
    for fmt, count in per_format.most_common():
        print(f"  {fmt:<16} {count:>6} applications {functions[fmt]:>6} functions")

    crashes = [(p, m) for p, m in result.errors if m.startswith("internal error")]
    print(f"\nerrors: {len(result.errors)} ({len(crashes)} internal), warnings: {len(result.warnings)}")
    by_format = Counter(formats.get(p, "?") for p, _ in result.errors)
    for fmt, count in by_format.most_common():
        print(f"  {fmt:<16} {count:>6} files with errors")
    for path, message in crashes[:20]:
        print(f"  CRASH {path}: {message}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
