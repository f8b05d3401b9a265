"""Two JSON reports of the same files, compared: the findings (every field), errors, warnings and counts.

    python bench/diff_reports.py BEFORE.json AFTER.json

For checking that a speed change changed nothing a user sees: exits 0 when the reports
are the same apart from the scan's duration, 1 (with the differences, at most 20 of each
kind) when they are not.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any


def _key(item: Any) -> str:
    return json.dumps(item, sort_keys=True)


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    out = []
    for section in ("findings", "errors", "warnings"):
        old = Counter(_key(x) for x in before.get(section, []))
        new = Counter(_key(x) for x in after.get(section, []))
        gone, added = old - new, new - old
        if gone or added:
            out.append(f"{section}: {sum(gone.values())} only before, {sum(added.values())} only after")
            out += [f"  - {k[:400]}" for k in list(gone)[:20]]
            out += [f"  + {k[:400]}" for k in list(added)[:20]]
        elif before.get(section) != after.get(section):
            out.append(f"{section}: the same entries in another order")
    scanned_before = {k: v for k, v in before.get("scanned", {}).items() if k != "duration_s"}
    scanned_after = {k: v for k, v in after.get("scanned", {}).items() if k != "duration_s"}
    if scanned_before != scanned_after:
        out.append(f"scanned: {scanned_before} before, {scanned_after} after")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    before, after = (json.loads(Path(p).read_text()) for p in argv)
    found = differences(before, after)
    print("\n".join(found) if found else f"same: {len(after.get('findings', []))} findings")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
