"""Benchmark: scan the shared real-world corpus and print files/s per format.

    python bench/bench_corpus.py [CORPUS_DIR] [--jobs N] [--repeat N] [--cache none|cold|warm]

Times are wall and CPU (this process and its workers). ``--cache cold`` scans with an
empty parse cache each time, ``warm`` with one a first (unmeasured) scan filled, ``none``
(the default) without any.

Every file listed in the corpus INDEX.tsv must load without a crash; the script
exits 1 when a file produced an internal error (a crash in a loader), and prints
the parse errors (genuinely broken files) separately.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
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
    parser.add_argument("--cache", choices=("none", "cold", "warm"), default="none")
    args = parser.parse_args()

    index = args.corpus / "INDEX.tsv"
    formats: dict[str, str] = {}
    if index.exists():
        for line in index.read_text().splitlines():
            path, fmt, _ = line.split("\t")
            formats[path] = fmt

    times, cpus = [], []
    result = None
    scratch = Path(tempfile.mkdtemp(prefix="faasguard-bench-cache-"))
    if args.cache == "warm":
        scan(args.corpus, ScanOptions(jobs=args.jobs, cache_dir=scratch / "warm"))
    for index in range(args.repeat):
        cache_dir = {"none": None, "cold": scratch / f"cold-{index}", "warm": scratch / "warm"}[args.cache]
        started, cpu = time.perf_counter(), _cpu()
        result = scan(args.corpus, ScanOptions(jobs=args.jobs, cache_dir=cache_dir))
        times.append(time.perf_counter() - started)
        cpus.append(_cpu() - cpu)
    shutil.rmtree(scratch, ignore_errors=True)
    assert result is not None
    best, median = min(times), statistics.median(times)
    print(f"corpus: {args.corpus}   parse cache: {args.cache}")
    print(f"files read: {result.files}   functions: {result.functions}   findings: {len(result.findings)}")
    print(f"wall time: median {median:.2f} s, best {best:.2f} s over {args.repeat} runs -> {result.files / median:,.0f} files/s")
    print(f"CPU time (all processes): median {statistics.median(cpus):.2f} s")

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


def _cpu() -> float:
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


if __name__ == "__main__":
    sys.exit(main())
