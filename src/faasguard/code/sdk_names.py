"""AWS SDK naming: boto3 method names, aws-sdk v2 class names and v3 packages → botocore service and operation.

Loading all 445 botocore service models takes seconds, so the irregular names are
generated once into ``faasguard/data/sdk_names.json`` (run this module to
regenerate it after a botocore bump: ``python -m faasguard.code.sdk_names``).
At scan time only that small file is read. Regular names need no table:
``list_objects_v2`` → ``ListObjectsV2`` and ``getObject`` → ``GetObject``; the table
holds the 3 % whose acronyms break that (``describe_db_instances`` → ``DescribeDBInstances``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from faasguard.code.modeldata import shared

DATA = Path(__file__).resolve().parent.parent / "data" / "sdk_names.json"

# The naming tables (shared.toml): aws-sdk v2 class names whose lower-cased form is not the serviceId without spaces,
# @aws-sdk/lib-dynamodb commands → DynamoDB operations, boto3 injected methods, boto3 client attributes that are no call.
V2_CLASSES: dict[str, str] = dict(shared()["sdk_v2_classes"])
LIB_DYNAMODB: dict[str, str] = dict(shared()["lib_dynamodb"])
BOTO3_INJECTED: dict[str, dict[str, str]] = {service: dict(rows) for service, rows in shared()["boto3_injected"].items()}
BOTO3_NON_CALLS = frozenset(shared()["boto3_non_calls"])


@cache
def _data() -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return {"v3": {}, "ops": {}, "services": []}


def pascal(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


def boto3_operation(service: str, method: str) -> str | None:
    """``("s3", "list_objects_v2")`` → ``"ListObjectsV2"``; None for helpers that call no API."""
    injected = BOTO3_INJECTED.get(service, {}).get(method)
    if injected is not None:
        return injected
    if method in BOTO3_NON_CALLS or method.startswith("_") or not method.islower():
        return None
    return str(_data()["ops"].get(service, {}).get(method) or pascal(method))


def v2_service(class_name: str) -> str | None:
    key = class_name.lower()
    if key in V2_CLASSES:
        return V2_CLASSES[key]
    v3 = _data()["v3"]
    for slug, service in v3.items():
        if slug.replace("-", "") == key:
            return str(service)
    return None


def v3_service(package: str) -> str | None:
    """``@aws-sdk/client-secrets-manager`` → ``secretsmanager``; lib-dynamodb → dynamodb."""
    if package in ("@aws-sdk/lib-dynamodb", "@aws-sdk/util-dynamodb"):
        return "dynamodb"
    if package.startswith("@aws-sdk/lib-storage"):
        return "s3"
    prefix = "@aws-sdk/client-"
    if not package.startswith(prefix):
        return None
    slug = package[len(prefix) :]
    found = _data()["v3"].get(slug)
    return str(found) if found else slug


def v2_operation(method: str) -> str:
    return method[:1].upper() + method[1:]


def generate(target: Path = DATA) -> None:
    """Regenerate the table from the pinned botocore models (a maintenance step, not run at scan time)."""
    import botocore
    import botocore.session

    session = botocore.session.get_session()
    loader = session.get_component("data_loader")
    v3: dict[str, str] = {}
    ops: dict[str, dict[str, str]] = {}
    services = sorted(session.get_available_services())
    for service in services:
        model = loader.load_service_model(service, "service-2")
        v3[model["metadata"].get("serviceId", service).lower().replace(" ", "-")] = service
        for operation in model["operations"]:
            method = botocore.xform_name(operation)
            if pascal(method) != operation:
                ops.setdefault(service, {})[method] = operation
    payload = {"botocore": botocore.__version__, "services": services, "v3": dict(sorted(v3.items())), "ops": ops}
    target.write_text(json.dumps(payload, indent=0, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    generate()
