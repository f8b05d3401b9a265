"""Parse every manifest and lock file of the shared corpus and report packages per second.

Usage: ``python bench/deps_bench.py [CORPUS_DIR] [--repeat N]``. The corpus index
(``INDEX.tsv``: path, format, size) selects the formats read by faasguard.deps;
a file that fails to parse must fail with a ParseError (an error entry for the
user), never with any other exception: those are counted as crashes and make
the script exit 1.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from faasguard.deps import source_for
from faasguard.deps.interface import ParseError

FORMATS = {"package-lock", "pipfile-lock", "poetry-lock", "requirements", "package-json", "yarn-lock", "pnpm-lock", "uv-lock"}
DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes (the best is reported)")
    args = parser.parse_args()
    index = args.corpus / "INDEX.tsv"
    rows = [line.split("\t") for line in index.read_text(encoding="utf-8").splitlines() if line.strip()]
    files = [(args.corpus / rel, rel, fmt) for rel, fmt, *_ in rows if fmt in FORMATS]
    texts = []
    for path, rel, fmt in files:
        texts.append((path, rel, fmt, path.read_bytes().decode("utf-8-sig", errors="replace")))

    best = float("inf")
    packages = 0
    per_format: Counter[str] = Counter()
    parse_errors: list[str] = []
    crashes: list[str] = []
    for _ in range(max(1, args.repeat)):
        packages = 0
        per_format.clear()
        parse_errors.clear()
        crashes.clear()
        started = time.perf_counter()
        for path, rel, fmt, text in texts:
            source = source_for(path.name)
            if source is None:
                crashes.append(f"{rel}: no source for {fmt}")
                continue
            try:
                manifest = source.parse(path, text, rel)
            except ParseError as exc:
                parse_errors.append(f"{rel}: {exc}")
                continue
            except Exception as exc:
                crashes.append(f"{rel}: {type(exc).__name__}: {exc}")
                continue
            packages += len(manifest.dependencies)
            per_format[fmt] += len(manifest.dependencies)
        best = min(best, time.perf_counter() - started)

    print(f"files: {len(texts)} ({', '.join(f'{k} {v}' for k, v in sorted(Counter(f for *_, f, _ in texts).items()))})")
    print(f"packages: {packages} ({', '.join(f'{k} {v}' for k, v in sorted(per_format.items()))})")
    print(f"best of {args.repeat}: {best:.3f} s, {packages / best:,.0f} packages/s, {len(texts) / best:,.0f} files/s")
    print(f"parse errors (reported to the user): {len(parse_errors)}")
    for line in parse_errors:
        print(f"  {line}")
    print(f"crashes: {len(crashes)}")
    for line in crashes:
        print(f"  {line}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
