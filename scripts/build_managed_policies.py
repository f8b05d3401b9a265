"""Generate ``src/faasguard/data/aws_managed_policies.json``: what each AWS managed policy grants.

The documents come from moto's bundled copy (``moto/iam/aws_managed_policies.py``,
Apache-2.0, itself fetched from AWS). moto is not a faasguard dependency: pass the
path of a moto wheel or of that file, or have moto importable.

    pip download --no-deps moto==5.2.5 -d /tmp/wheels
    .venv/bin/python scripts/build_managed_policies.py /tmp/wheels/moto-5.2.5-py3-none-any.whl

Only what evaluation needs is kept: per policy its path and, per statement, effect,
Action/NotAction, Resource/NotResource and whether a Condition applies. Policies under
``/aws-service-role/`` are left out: only service-linked roles can hold them.
"""

from __future__ import annotations

import ast
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "faasguard" / "data" / "aws_managed_policies.json"
MEMBER = "moto/iam/aws_managed_policies.py"


def _source(arg: str | None) -> tuple[str, str]:
    if arg and arg.endswith(".whl"):
        with zipfile.ZipFile(arg) as wheel:
            version = next(
                (n.split("-")[1].removesuffix(".dist-info") for n in wheel.namelist() if n.endswith(".dist-info/METADATA")), "?"
            )
            return wheel.read(MEMBER).decode("utf-8"), f"moto {version}"
    if arg:
        return Path(arg).read_text(encoding="utf-8"), f"file {Path(arg).name}"
    import moto  # type: ignore[import-not-found]

    return (Path(moto.__file__).parent / "iam" / "aws_managed_policies.py").read_text(
        encoding="utf-8"
    ), f"moto {moto.__version__}"


def _documents(source: str) -> dict[str, Any]:
    """The JSON string assigned to ``aws_managed_policies_data``, read without importing moto."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "aws_managed_policies_data" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            return json.loads(value)
    raise SystemExit("aws_managed_policies_data not found")


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def compact(policies: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, policy in sorted(policies.items()):
        if policy.get("Path") == "/aws-service-role/":
            continue  # only service-linked roles can hold these; a function's role never does
        doc = policy.get("Document") or {}
        raw = doc.get("Statement")
        stmts = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
        rows = []
        for s in stmts:
            if not isinstance(s, dict):
                continue
            row: dict[str, Any] = {"e": "D" if s.get("Effect") == "Deny" else "A"}
            for key, short in (("Action", "a"), ("NotAction", "na"), ("Resource", "r"), ("NotResource", "nr")):
                if key in s:
                    row[short] = _list(s[key])
            if s.get("Condition"):
                row["c"] = 1
            rows.append(row)
        out[name] = {"path": policy.get("Path", "/"), "s": rows}
    return out


def main(argv: list[str]) -> int:
    source, origin = _source(argv[1] if len(argv) > 1 else None)
    policies = compact(_documents(source))
    data = {
        "generated_by": "scripts/build_managed_policies.py",
        "source": f"{origin}, moto/iam/aws_managed_policies.py (Apache-2.0); documents published by AWS",
        "policies": policies,
    }
    OUT.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(policies)} policies, {OUT.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
