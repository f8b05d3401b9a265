"""Update the AWS rows of ``src/faasguard/data/runtimes.json`` from AWS's runtime page.

Input: the Markdown version of the Lambda runtimes page, saved to a file
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.md, the same page as
``lambda-runtimes.html``). Its "Supported runtimes" and "Deprecated runtimes" tables
have the columns ``Name | Identifier | Operating system | Deprecation date |
Block function create | Block function update``, dates written ``Apr 30, 2027`` and
``Not scheduled`` when AWS has not set one::

    curl -sSf -o /tmp/lambda-runtimes.md https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.md
    python scripts/build_runtimes.py /tmp/lambda-runtimes.md --source-date 2026-12-01

The per-language pages (lambda-python, lambda-nodejs, lambda-java, lambda-csharp,
lambda-ruby, runtimes-provided) carry the same table for their supported runtimes, so
a file holding those tables works too. ``scripts/data/lambda-runtimes.md`` is the
input the committed data was generated from (the tables only, with where each came
from); regenerate the committed file with::

    python scripts/build_runtimes.py scripts/data/lambda-runtimes.md --source-date 2026-12-01

(its ``<!-- how: ... -->`` line says where the tables came from and is recorded with the date).

Every row with an identifier and a deprecation date sets that runtime's name,
``deprecated`` date and, when the page has them, ``block_create`` and
``block_update`` (from those days AWS refuses to create, then to update, functions
on it); a row "Not scheduled" keeps what the file had (or adds nothing).
Runtimes the page no longer lists (long-retired ones) and the fields the page does
not carry (``successor``) stay as they are. The page's date goes to
``source_dates.aws``, so a reader knows how old the table is. The GCP and Azure
rows are untouched. Then review ``git diff`` as for any data change.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

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


class Row(NamedTuple):
    name: str
    deprecated: date | None
    block_create: date | None = None
    block_update: date | None = None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_rows(markdown: str) -> dict[str, Row]:
    """Identifier → (name, deprecation date, block-create date, block-update date) from every
    runtime table on the page (the block dates are None when the table has no such column)."""
    rows: dict[str, Row] = {}
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
            for key, title in (("block_create", "block function create"), ("block_update", "block function update")):
                if title in lowered:
                    columns[key] = lowered.index(title)
            continue
        if columns is None or all(set(c) <= set(":- ") for c in cells):
            continue  # not in a runtime table, or the header's --- row
        if len(cells) <= max(columns.values()):
            continue
        identifier = cells[columns["identifier"]].strip("` ").lower()
        if not re.fullmatch(r"[a-z][a-z0-9.\-]*", identifier):
            continue
        name = re.sub(r"\s+", " ", cells[columns["name"]].strip("*` "))
        dates = {key: parse_date(cells[i]) for key, i in columns.items() if key not in ("name", "identifier")}
        rows[identifier] = Row(name, dates["deprecated"], dates.get("block_create"), dates.get("block_update"))
    return rows


FIELDS = ("name", "deprecated", "block_create", "block_update", "decommissioned", "successor")


def update(data: dict[str, Any], rows: dict[str, Row], source_date: date, how: str = "") -> list[str]:
    """Apply the page's rows to ``data`` in place; return a line per change for the log."""
    aws: dict[str, dict[str, Any]] = data.setdefault("aws", {})
    changes = []
    for identifier, row in sorted(rows.items()):
        entry = aws.get(identifier)
        if row.deprecated is None:
            continue  # not scheduled: nothing to judge against; keep any date we had
        name = (entry or {}).get("name", "")
        if not name.lower().startswith(row.name.lower()):  # keep "OS-only runtime (Amazon Linux 2)" for "OS-only Runtime"
            name = row.name or name or identifier
        new = {**(entry or {}), "name": name, "deprecated": row.deprecated.isoformat()}
        for key in ("block_create", "block_update"):
            when = getattr(row, key)
            if when is not None:
                new[key] = when.isoformat()
        if new != entry:
            changed = ", ".join(f"{k} {(entry or {}).get(k, 'absent')} -> {new.get(k)}" for k in FIELDS
                                if (entry or {}).get(k) != new.get(k))
            changes.append(f"{identifier}: {changed}")
            aws[identifier] = {k: new[k] for k in FIELDS if k in new}
    data.setdefault("source_dates", {})["aws"] = {
        "as_of": source_date.isoformat(),
        "how": how or f"scripts/build_runtimes.py from the Markdown of {PAGE}",
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
    parser.add_argument("--how", default="", help="where the page came from, recorded next to the date")
    parser.add_argument("--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text = args.page.read_text(encoding="utf-8")
    rows = parse_rows(text)
    how = args.how or next(iter(re.findall(r"^<!-- how: (.*) -->$", text, re.MULTILINE)), "")
    if not rows:
        print(f"{args.page}: no runtime table found (expected | Name | Identifier | … | Deprecation date |)",
              file=sys.stderr)
        return 2
    data = json.loads(args.output.read_text(encoding="utf-8"))
    for line in update(data, rows, args.source_date, how):
        print(line)
    args.output.write_text(dumps(data), encoding="utf-8")
    print(f"{len(rows)} rows read; wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
