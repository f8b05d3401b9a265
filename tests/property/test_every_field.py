"""Wrong types in every field, systematically: each node of each loader's base document (every key of
every resource, every list item, down to the leaves) is replaced in turn by each value of ``WRONG``
(``null``, a number, a string where a list is expected, a list, a nonsense intrinsic, a boolean), and
the whole scan must end in findings or ``errors`` entries, never in an exception or an "internal error".

Hypothesis (``test_iac.py``) draws combinations; this walks every single field. CI runs a fixed
sample (every ``STRIDE``-th replacement, the same on every run); ``FAASGUARD_EVERY_FIELD=1`` runs all
of them (about 4,000 scans; run one loader at a time with ``-k``).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.property.strategies import _paths, _set, scan_survives, to_hcl, to_json, to_yaml
from tests.property.test_iac import (
    BLOCKS,
    CDK,
    FUNCTION,
    HANDLER,
    HOST,
    PULUMI,
    PULUMI_EXPORT,
    SAM,
    SERVERLESS,
    SETTINGS,
    TERRAFORM,
)

WRONG: list[Any] = [None, 7, "s3:*", [1, None], {"Fn::GetAtt": 5}, True]
STRIDE = 1 if os.environ.get("FAASGUARD_EVERY_FIELD") else 71


def _azure(doc: Any) -> dict[str, str]:
    return {
        "app/host.json": to_json(doc["host"]),
        "app/HttpFn/function.json": to_json(doc["function"]),
        "app/local.settings.json": to_json(doc["settings"]),
        "app/HttpFn/__init__.py": "import azure.functions as func\ndef main(req):\n    return func.HttpResponse('x')\n",
    }


# The Google and Azure providers of the Serverless Framework, and Pulumi's gcp provider (bridged to the
# Terraform builder): the other clouds' loaders beside AWS's.
SERVERLESS_GOOGLE: dict[str, Any] = {
    "service": "g",
    "provider": {"name": "google", "runtime": "python312", "project": "p", "region": "us-central1",
                 "environment": {"API_KEY": "Zq8kLm2pX4vB9nR7"}},
    "plugins": ["serverless-google-cloudfunctions"],
    "functions": {
        "first": {"handler": "http", "events": [{"http": "path"}], "labels": {"team": "x"}, "memorySize": 512},
        "second": {"handler": "event", "events": [{"event": {
            "eventType": "providers/cloud.pubsub/eventTypes/topic.publish", "resource": "projects/p/topics/t"}}]},
    },
}
SERVERLESS_AZURE: dict[str, Any] = {
    "service": "a",
    "provider": {"name": "azure", "runtime": "python3.11", "region": "West US 2",
                 "environment": {"PASSWORD": "Zq8kLm2pX4vB9nR7"}},
    "plugins": ["serverless-azure-functions"],
    "functions": {
        "hello": {"handler": "src/handlers/hello.main", "events": [
            {"http": True, "methods": ["GET"], "authLevel": "anonymous"},
            {"http": True, "direction": "out", "name": "res"},
        ]},
        "timer": {"handler": "src/handlers/t.main", "events": [{"timer": True, "schedule": "0 */5 * * * *"}]},
    },
}
PULUMI_GCP: dict[str, Any] = {
    "name": "g",
    "runtime": "yaml",
    "resources": {
        "fn": {"type": "gcp:cloudfunctions:Function", "properties": {
            "runtime": "python312", "entryPoint": "main", "triggerHttp": True, "ingressSettings": "ALLOW_ALL",
            "environmentVariables": {"TOKEN": "Zq8kLm2pX4vB9nR7"}, "serviceAccountEmail": "x@y"}},
        "invoker": {"type": "gcp:cloudfunctions:FunctionIamMember", "properties": {
            "cloudFunction": "${fn.name}", "role": "roles/cloudfunctions.invoker", "member": "allUsers"}},
        "owner": {"type": "gcp:projects:IAMMember",
                  "properties": {"project": "p", "role": "roles/owner", "member": "serviceAccount:x@y"}},
    },
}
GCP_MAIN = "import functions_framework\n@functions_framework.http\ndef main(request):\n    return request.args.get('x')\n"


def _export(doc: Any) -> str:
    """A stack export the loader still recognises (it looks for a Pulumi URN), whatever was replaced."""
    text = to_json(doc)
    return text if "urn:pulumi:" in text else to_json({"replaced": doc, "urn": "urn:pulumi:dev::p::x::y"})


LOADERS: dict[str, tuple[Any, Callable[[Any], dict[str, str]]]] = {
    "sam-yaml": (SAM, lambda d: {"template.yaml": to_yaml(d), "src/app.py": HANDLER}),
    "cloudformation-json": (SAM, lambda d: {"template.json": to_json(d), "src/app.py": HANDLER}),
    "cdk-out": (CDK, lambda d: {"cdk.out/Stack.template.json": to_json(d), "cdk.out/manifest.json": '{"version": "36.0.0"}'}),
    "serverless": (SERVERLESS, lambda d: {"serverless.yml": to_yaml(d), "src/app.py": HANDLER}),
    "terraform-aws-azure-gcp": (TERRAFORM, lambda d: {"main.tf": to_hcl(d, BLOCKS), "app.py": HANDLER}),
    "pulumi-yaml": (PULUMI, lambda d: {"Pulumi.yaml": to_yaml(d), "src/app.py": HANDLER}),
    "pulumi-export": (PULUMI_EXPORT, lambda d: {"stack.json": _export(d)}),
    "azure-functions": ({"host": HOST, "function": FUNCTION, "settings": SETTINGS}, _azure),
    "serverless-google": (SERVERLESS_GOOGLE, lambda d: {"serverless.yml": to_yaml(d), "main.py": GCP_MAIN}),
    "serverless-azure": (SERVERLESS_AZURE, lambda d: {"serverless.yml": to_yaml(d), "src/handlers/hello.py": HANDLER}),
    "pulumi-gcp": (PULUMI_GCP, lambda d: {"Pulumi.yaml": to_yaml(d), "main.py": GCP_MAIN}),
}


def replacements(base: Any, write: Callable[[Any], dict[str, str]]) -> Iterator[tuple[tuple[Any, ...], Any, dict[str, str]]]:
    """(path, wrong value, files) for every node of ``base`` and every value of :data:`WRONG`."""
    for path in _paths(base):
        if not path:
            continue
        for value in WRONG:
            doc = copy.deepcopy(base)
            _set(doc, path, value)
            yield path, value, write(doc)


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_wrong_type_in_every_field(loader: str) -> None:
    base, write = LOADERS[loader]
    crashed, ran = [], 0
    for i, (path, value, files) in enumerate(replacements(base, write)):
        if i % STRIDE:
            continue
        ran += 1
        try:
            scan_survives(files)
        except Exception as exc:  # collect them all: one run names every field that crashes
            crashed.append(f"{'.'.join(map(str, path))} = {value!r}: {type(exc).__name__}: {str(exc)[:300]}")
    assert ran > 0
    assert not crashed, f"{len(crashed)} of {ran} replacements crashed:\n" + "\n".join(crashed)
    if os.environ.get("FAASGUARD_EVERY_FIELD"):
        print(f"{loader}: {ran} replacements, none crashed")
