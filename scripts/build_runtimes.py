"""Update the AWS rows of ``src/faasguard/data/runtimes.json`` from AWS's runtime page.

Input: the Markdown version of the Lambda runtimes page, saved to a file
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.md, the same page as
``lambda-runtimes.html``). Its "Supported runtimes" and "Deprecated runtimes" tables
have the columns ``Name | Identifier | Operating system | Deprecation date |
Block function create | Block function update``, dates written ``Apr 30, 2027`` and
``Not scheduled`` when AWS has not set one::

    curl -sSf -o /tmp/lambda-runtimes.md https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.md
    python scripts/build_runtimes.py /tmp/lambda-runtimes.md --source-date 2026-12-01

Every row with an identifier and a deprecation date sets that runtime's name and
``deprecated`` date; a row "Not scheduled" keeps what the file had (or adds
nothing). Runtimes the page no longer lists (long-retired ones) and the fields
the page does not carry (``successor``) stay as they are. The page's date goes
to ``source_dates.aws``, so a reader knows how old the table is. The GCP and
Azure rows are untouched. Then review ``git diff`` as for any data change.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "faasguard" / "data" / "runtimes.json"
PAGE = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html"
_DATE_FORMATS = ("%b %d, %Y", "%B %d, %Y", "%Y-%m-%d")


def parse_date(text: str) -> date | None:
    """``Apr 30, 2027`` (or ``April 30, 2027``, ``2027-04-30``); None for "Not scheduled" and blanks."""
    cleaned = re.sub(r"[*_`]|\s+", " ", text).strip().rstrip(".")
    cleaned = re.sub(r"\s+,", ",", re.sub(r"\s+", " ", cleaned))
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_rows(markdown: str) -> dict[str, tuple[str, date | None]]:
    """Identifier → (name, deprecation date) from every runtime table on the page."""
    rows: dict[str, tuple[str, date | None]] = {}
    columns: dict[str, int] | None = None
    for line in markdown.splitlines():
        if not line.lstrip().startswith("|"):
            columns = None  # a table ends at its first non-table line
            continue
        cells = _cells(line)
        lowered = [c.lower() for c in cells]
        if "identifier" in lowered and any(c.startswith("deprecation") for c in lowered):
            columns = {
                "name": lowered.index("name") if "name" in lowered else 0,
                "identifier": lowered.index("identifier"),
                "deprecated": next(i for i, c in enumerate(lowered) if c.startswith("deprecation")),
            }
            continue
        if columns is None or all(set(c) <= set(":- ") for c in cells):
            continue  # not in a runtime table, or the header's --- row
        if len(cells) <= max(columns.values()):
            continue
        identifier = cells[columns["identifier"]].strip("` ").lower()
        if not re.fullmatch(r"[a-z][a-z0-9.\-]*", identifier):
            continue
        name = re.sub(r"\s+", " ", cells[columns["name"]].strip("*` "))
        rows[identifier] = (name, parse_date(cells[columns["deprecated"]]))
    return rows


def update(data: dict[str, Any], rows: dict[str, tuple[str, date | None]], source_date: date) -> list[str]:
    """Apply the page's rows to ``data`` in place; return a line per change for the log."""
    aws: dict[str, dict[str, Any]] = data.setdefault("aws", {})
    changes = []
    for identifier, (name, deprecated) in sorted(rows.items()):
        entry = aws.get(identifier)
        if deprecated is None:
            continue  # not scheduled: nothing to judge against; keep any date we had
        new = {**(entry or {}), "name": name or (entry or {}).get("name", identifier), "deprecated": deprecated.isoformat()}
        if new != entry:
            old = f"{entry.get('deprecated')}" if entry else "absent"
            changes.append(f"{identifier}: {old} -> {new['deprecated']}")
            aws[identifier] = {k: new[k] for k in ("name", "deprecated", "decommissioned", "successor") if k in new}
    data.setdefault("source_dates", {})["aws"] = {
        "as_of": source_date.isoformat(),
        "how": f"scripts/build_runtimes.py from the Markdown of {PAGE}",
    }
    return changes


def dumps(data: dict[str, Any]) -> str:
    """The file's own layout: one runtime per line, so a review reads one row per change."""
    out = ["{"]
    keys = list(data)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        value = data[key]
        if key in ("aws", "gcp", "azure"):
            out.append(f"  {json.dumps(key)}: {{")
            items = list(value.items())
            for j, (runtime, entry) in enumerate(items):
                out.append(f"    {json.dumps(runtime)}: {json.dumps(entry)}{',' if j < len(items) - 1 else ''}")
            out.append(f"  }}{comma}")
        else:
            body = json.dumps(value, indent=2).replace("\n", "\n  ")
            out.append(f"  {json.dumps(key)}: {body}{comma}")
    out.append("}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("page", type=Path, help="the saved lambda-runtimes.md")
    parser.add_argument("--source-date", type=date.fromisoformat, required=True,
                        help="the day the page was saved (YYYY-MM-DD), recorded in the data")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows = parse_rows(args.page.read_text(encoding="utf-8"))
    if not rows:
        print(f"{args.page}: no runtime table found (expected | Name | Identifier | … | Deprecation date |)",
              file=sys.stderr)
        return 2
    data = json.loads(args.output.read_text(encoding="utf-8"))
    for line in update(data, rows, args.source_date):
        print(line)
    args.output.write_text(dumps(data), encoding="utf-8")
    print(f"{len(rows)} rows read; wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
