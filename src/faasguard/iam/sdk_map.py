"""SDK call → the IAM actions it needs, for boto3, JavaScript v2 and JavaScript v3.

The bulk of the map is generated from botocore's models and the IAM database by
``scripts/build_sdk_map.py`` into ``data/sdk_iam_map.json``; the hand-kept rows live in
:mod:`faasguard.iam.sdk_overrides`. Names are accepted the way each SDK spells them:
botocore ``ListObjectsV2``, boto3 ``list_objects_v2``, JS v2 ``listObjectsV2``,
JS v3 ``ListObjectsV2Command``, and DynamoDB document-client ``GetCommand``/``get``.
An operation the map does not know comes back with status ``unknown``: the caller
must say the policy is incomplete, never silently drop the call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from faasguard.iam.sdk_overrides import BOTO3_HELPERS, DOCUMENT_CLIENT, JS_V2_CLASSES, JS_V3_HELPERS

DATA = Path(__file__).resolve().parent.parent / "data" / "sdk_iam_map.json"


@dataclass(frozen=True)
class Mapping:
    """What one SDK call needs."""

    service: str  # botocore service name
    operation: str  # the canonical operation (or helper) name
    actions: tuple[str, ...]  # IAM actions, empty when none is needed (unsigned) or unknown
    status: str  # direct | mapped | helper | unsigned | unknown

    @property
    def known(self) -> bool:
        return self.status != "unknown"


class SdkMap:
    def __init__(self, data: dict[str, Any]):
        self.services: dict[str, dict[str, Any]] = data["services"]
        self.botocore_version = str(data.get("botocore", ""))
        self._ops: dict[str, dict[str, str]] = {}  # service → {lower op: Op}
        self._by_v3: dict[str, str] = {}
        self._by_v2: dict[str, str] = {}
        for name, svc in self.services.items():
            ops = [*svc["direct"], *svc.get("mapped", {}), *svc.get("unsigned", []), *svc.get("unknown", [])]
            self._ops[name] = {op.lower(): op for op in ops}
            self._by_v3[svc["js_v3"]] = name
            self._by_v2.setdefault(str(svc["js_v2"]).lower(), name)
        for cls, name in JS_V2_CLASSES.items():
            self._by_v2[cls.lower()] = name

    # -- names --------------------------------------------------------------------------
    def service(self, name: str) -> str | None:
        """A botocore service name from a boto3 name, a JS v3 package or a JS v2 class name."""
        if name in self.services:
            return name
        if name.startswith("@aws-sdk/"):
            pkg = name if name.startswith("@aws-sdk/client-") else None
            if name == "@aws-sdk/lib-dynamodb":
                return "dynamodb"
            if name == "@aws-sdk/lib-storage":
                return "s3"
            return self._by_v3.get(pkg) if pkg else None
        bare = name.removeprefix("AWS.").split(".")[0]
        return self._by_v2.get(bare.lower()) or (bare.lower() if bare.lower() in self.services else None)

    def operation(self, service: str, name: str) -> str | None:
        """The botocore operation for ``ListObjectsV2`` / ``list_objects_v2`` / ``listObjectsV2`` / ``…Command``."""
        ops = self._ops.get(service)
        if not ops:
            return None
        text = name.removesuffix("Command") if name.endswith("Command") and name[:-7].lower() in ops else name
        return ops.get(text.replace("_", "").lower())

    # -- actions ------------------------------------------------------------------------
    def actions(self, service: str, operation: str, via: str = "client") -> Mapping:
        """The IAM actions one call needs; ``service`` may be any SDK's spelling."""
        svc_name = self.service(service) or service
        if via == "document-client" or (svc_name == "dynamodb" and _is_document_command(operation)):
            base = operation.removesuffix("Command")
            doc = DOCUMENT_CLIENT.get(base[:1].upper() + base[1:])
            if doc:
                return self._lookup("dynamodb", doc)
        helper = BOTO3_HELPERS.get((svc_name, operation)) or JS_V3_HELPERS.get((svc_name, operation))
        if helper is not None or (svc_name, operation) in BOTO3_HELPERS:
            return Mapping(svc_name, operation, helper or (), "helper")
        op = self.operation(svc_name, operation)
        if op is None:
            return Mapping(svc_name, operation, (), "unknown")
        return self._lookup(svc_name, op)

    def _lookup(self, service: str, op: str) -> Mapping:
        svc = self.services[service]
        if op in svc.get("mapped", {}):
            return Mapping(service, op, tuple(svc["mapped"][op]), "mapped")
        if op in svc["direct"]:
            return Mapping(service, op, (f"{svc['prefix']}:{op}",), "direct")
        if op in svc.get("unsigned", ()):
            return Mapping(service, op, (), "unsigned")
        return Mapping(service, op, (), "unknown")

    def prefix(self, service: str) -> str | None:
        svc = self.services.get(self.service(service) or service)
        return svc["prefix"] if svc else None

    def coverage(self) -> dict[str, int]:
        out = {"operations": 0, "direct": 0, "mapped": 0, "unsigned": 0, "unknown": 0}
        for svc in self.services.values():
            for key in ("direct", "mapped", "unsigned", "unknown"):
                out[key] += len(svc.get(key, ()))
        out["operations"] = sum(out[k] for k in ("direct", "mapped", "unsigned", "unknown"))
        return out


def _is_document_command(name: str) -> bool:
    base = name.removesuffix("Command")
    return name.endswith("Command") and base in DOCUMENT_CLIENT and base not in ("Query", "Scan", "ExecuteStatement")


@cache
def sdk_map() -> SdkMap:
    return SdkMap(json.loads(DATA.read_text(encoding="utf-8")))
