"""Generate ``src/faasguard/data/iam_risk.json``: the IAM risk lists faasguard builds on.

* Privilege-escalation methods and actions that return credentials: from cloudsplaining
  (BSD-3-Clause, Copyright (c) 2020, Salesforce.com, Inc.), read from a cloudsplaining
  wheel's ``cloudsplaining/shared/constants.py`` without importing it. The licence
  text travels with the data, as the licence requires.
* Resource-exposure and credentials-exposure actions: policy_sentry's
  ``shared/data/audit/*.txt`` (MIT), from the installed, pinned policy_sentry.

    pip download --no-deps cloudsplaining==0.9.1 -d /tmp/wheels
    .venv/bin/python scripts/build_risk_data.py /tmp/wheels/cloudsplaining-0.9.1-py3-none-any.whl

faasguard's own additions (the longer data-exfiltration list, infrastructure
modification) live in :mod:`faasguard.iam.risk`, not here.
"""

from __future__ import annotations

import ast
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "faasguard" / "data" / "iam_risk.json"
WANTED = ("PRIVILEGE_ESCALATION_METHODS", "ACTIONS_THAT_RETURN_CREDENTIALS", "PRIVILEGE_ESCALATION_PATHFINDING_PATHS")


def _constants(wheel_path: str) -> tuple[dict[str, Any], str, str]:
    with zipfile.ZipFile(wheel_path) as wheel:
        names = wheel.namelist()
        source = wheel.read("cloudsplaining/shared/constants.py").decode("utf-8")
        license_name = next(n for n in names if n.endswith("dist-info/licenses/LICENSE") or n.endswith("dist-info/LICENSE"))
        license_text = wheel.read(license_name).decode("utf-8")
        version = license_name.split("/")[0].split("-")[1].removesuffix(".dist-info")
    out: dict[str, Any] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in WANTED:
                    out[target.id] = ast.literal_eval(node.value)
    return out, license_text, version


def _audit_list(name: str) -> list[str]:
    import policy_sentry

    path = Path(policy_sentry.__file__).parent / "shared" / "data" / "audit" / name
    return sorted(
        {line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and ":" in line}
    )


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        raise SystemExit("usage: build_risk_data.py CLOUDSPLAINING_WHEEL")
    consts, license_text, version = _constants(argv[1])
    methods = {
        name: sorted(a.lower() for a in actions)
        for name, actions in consts["PRIVILEGE_ESCALATION_METHODS"].items()
        if isinstance(actions, list) and actions  # some entries are only links
    }
    from importlib.metadata import version as dist_version

    data = {
        "generated_by": "scripts/build_risk_data.py",
        "sources": {
            "cloudsplaining": f"cloudsplaining {version} cloudsplaining/shared/constants.py",
            "policy_sentry": f"policy_sentry {dist_version('policy_sentry')} shared/data/audit",
        },
        "cloudsplaining_license": license_text,
        "privilege_escalation": methods,
        "privilege_escalation_links": {
            k: v for k, v in consts.get("PRIVILEGE_ESCALATION_PATHFINDING_PATHS", {}).items() if k in methods and v
        },
        "credentials_exposure": sorted(
            {a.lower() for a in consts["ACTIONS_THAT_RETURN_CREDENTIALS"]} | set(_audit_list("credentials-exposure.txt"))
        ),
        "resource_exposure": _audit_list("resource-exposure.txt"),
    }
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"{OUT.relative_to(ROOT)}: {len(methods)} escalation methods, {len(data['credentials_exposure'])} credential actions, "
        f"{len(data['resource_exposure'])} exposure actions"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
