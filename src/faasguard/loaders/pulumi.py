"""Pulumi programs → the application model, through the Terraform AWS builder.

Pulumi's AWS provider is generated from the Terraform provider: a resource type token names a
Terraform resource (``aws:lambda/function:Function`` is ``aws_lambda_function``) and its inputs
are the Terraform arguments in camelCase (``memorySize`` is ``memory_size``, a nested
``tracingConfig: {mode: Active}`` is the block ``tracing_config { mode = "Active" }``). So, as
``cdk.out`` goes through the CloudFormation builder, a Pulumi program becomes a Terraform module
(:class:`~faasguard.loaders.terraform.module.Module`) and goes through
:class:`~faasguard.loaders.terraform.aws.AwsBuilder`: every rule that reads Terraform reads Pulumi,
and findings name the Pulumi resource (``aws_lambda_function.orders`` for the resource ``orders``).

Two sources are read:

* a **Pulumi YAML program** (``Pulumi.yaml`` with ``runtime: yaml`` and a ``resources:`` map, or
  ``Main.yaml`` next to it): ``${orders.arn}`` references become Terraform references to the
  resource; ``fn::toJSON`` policies become JSON; ``variables`` and config are not evaluated;
* a **``pulumi stack export``** file (JSON with ``deployment.resources``): each resource's
  ``inputs``; a value equal to another resource's ``arn``/``id``/``name`` output becomes a reference
  to it, so a function still finds its role and its security groups.

Types faasguard does not know (``data/pulumi_types.toml``) are left out; programs in TypeScript,
Python or Go are not read (run ``pulumi stack export`` and scan the file).
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from faasguard.loaders import located_yaml
from faasguard.loaders.interface import NO_VARIABLES, LoadResult
from faasguard.loaders.located_yaml import LDict, LList, LoadFailure
from faasguard.loaders.terraform.aws import AwsBuilder
from faasguard.loaders.terraform.gcp import build_gcp
from faasguard.loaders.terraform.module import Block, Module, SourceFile
from faasguard.loaders.terraform.refs import Scope
from faasguard.model import Application

YAML_NAMES = {"pulumi.yaml", "pulumi.yml", "main.yaml", "main.yml"}
_TYPES = Path(__file__).resolve().parents[1] / "data" / "pulumi_types.toml"
_REFERENCE = re.compile(r"\$\{([A-Za-z_][\w-]*)((?:\.[A-Za-z_]\w*)*)\}")
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
# Inputs whose keys are the user's data, not argument names: keep them as written.
_USER_MAPS = {"variables", "tags", "tags_all", "environment_variables", "app_settings", "dimensions", "stage_variables"}
_OUTPUT_KEYS = ("arn", "id", "name", "invokeArn", "bucket", "url")


@functools.cache
def _table() -> dict[str, Any]:
    return tomllib.loads(_TYPES.read_text(encoding="utf-8"))


def pulumi_types() -> dict[str, str]:
    """Pulumi type token (``aws:lambda/function:Function``) → Terraform resource type."""
    return {str(k): str(v) for k, v in _table()["types"].items()}


def argument(kind: str, name: str) -> str:
    """The Terraform argument of a (snake_case) Pulumi input of a resource of Terraform type ``kind``."""
    return str(_table()["renames"].get(f"{kind}.{name}", name))


def terraform_type(token: str) -> str | None:
    """The Terraform type of a Pulumi token, long (``aws:lambda/function:Function``) or short (``aws:lambda:Function``)."""
    types = pulumi_types()
    if token in types:
        return types[token]
    parts = token.split(":")
    if len(parts) == 3 and "/" not in parts[1]:
        resource = parts[2]
        long = f"{parts[0]}:{parts[1]}/{resource[:1].lower()}{resource[1:]}:{resource}"
        return types.get(long)
    return None


def snake(name: str) -> str:
    return _CAMEL.sub(r"_\1", name).lower()


class PulumiLoader:
    name = "pulumi"

    def wants(self, filename: str) -> bool:
        return filename in YAML_NAMES or filename.endswith(".json")

    def claims(self, path: Path, text: str) -> bool:
        name = path.name.lower()
        if name in YAML_NAMES:
            if name.startswith("main."):  # a YAML program's Main.yaml sits beside its Pulumi.yaml
                return "resources:" in text and any((path.parent / n).is_file() for n in ("Pulumi.yaml", "Pulumi.yml"))
            return "resources:" in text and re.search(r"^runtime:\s*(yaml|\{?\s*name:\s*yaml)", text, re.MULTILINE) is not None
        return '"urn:pulumi:' in text and '"deployment"' in text

    def load(self, path: Path, text: str, root: Path, variables: Mapping[str, str] = NO_VARIABLES) -> LoadResult:
        result = LoadResult()
        rel = _rel(path, root)
        try:
            document = located_yaml.loads(text)
        except LoadFailure as exc:
            result.errors.append((rel, f"not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}"))
            return result
        if not isinstance(document, Mapping):
            return result
        lines = text.splitlines()
        module = Module(path.parent, rel)
        source = SourceFile(rel, lines)
        if path.suffix.lower() == ".json":
            fmt = "pulumi"
            _add_export(module, source, document)
        else:
            fmt = "pulumi"
            _add_program(module, source, document)
        module.scope = Scope({}, {}, path.parent, root)
        app = Application(root=path.parent, source=rel, format=fmt)
        AwsBuilder(module, app).build()
        build_gcp(module, app)  # the Google provider is bridged from Terraform's too
        if module.resources:
            result.applications.append(app)
        return result


# -- Pulumi YAML programs ----------------------------------------------------------------------------


def _add_program(module: Module, source: SourceFile, document: Mapping[str, Any]) -> None:
    resources = document.get("resources")
    if not isinstance(resources, Mapping):
        return
    addresses = {}
    for name, spec in resources.items():
        kind = terraform_type(str(spec.get("type", ""))) if isinstance(spec, Mapping) else None
        if kind:
            addresses[str(name)] = f"{kind}.{name}"
    for name, spec in resources.items():
        address = addresses.get(str(name))
        if address is None or not isinstance(spec, LDict):
            continue
        props = spec.get("properties")
        props = props if isinstance(props, LDict) else LDict()
        kind, _, resource_name = address.partition(".")
        body = _body(props, addresses, spec, kind)
        module.resources[address] = _PulumiBlock(
            kind, resource_name, body, source, spec.line or 0, spec.end_line or spec.line or 0, address, _key_lines(props, kind)
        )


def _body(props: LDict, addresses: Mapping[str, str], owner: LDict, kind: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for key, value in props.items():
        name = argument(kind, snake(str(key)))
        body[name] = _convert(value, addresses, name, props.line_of(key))
    body["__start_line__"] = owner.line
    body["__end_line__"] = owner.end_line or owner.line
    return body


def _convert(value: Any, addresses: Mapping[str, str], name: str, line: int) -> Any:
    """A Pulumi input value as python-hcl2 would give the Terraform argument."""
    if isinstance(value, Mapping):
        if len(value) == 1 and str(next(iter(value))).lower() in ("fn::tojson", "fn::tojson:"):
            return json.dumps(_plain(next(iter(value.values())), addresses))
        if name in _USER_MAPS:
            return {str(k): _convert(v, addresses, str(k), line) for k, v in value.items()}
        inner = {snake(str(k)): _convert(v, addresses, snake(str(k)), line) for k, v in value.items()}
        block_line = getattr(value, "line", 0) or line
        inner["__start_line__"] = block_line
        inner["__end_line__"] = getattr(value, "end_line", 0) or block_line
        return [inner]  # a nested block, as python-hcl2 lists them
    if isinstance(value, list):
        out = []
        for index, item in enumerate(value):
            converted = _convert(item, addresses, name, value.line_of(index) if isinstance(value, LList) else line)
            out.extend(converted if isinstance(item, Mapping) and isinstance(converted, list) else [converted])
        return out
    if isinstance(value, str):
        return _references(value, addresses)
    return value


def _plain(value: Any, addresses: Mapping[str, str]) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v, addresses) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, addresses) for v in value]
    return _references(value, addresses) if isinstance(value, str) else value


def _references(text: str, addresses: Mapping[str, str]) -> str:
    """``${orders.arn}`` → ``${aws_lambda_function.orders.arn}`` when ``orders`` is a resource of the program."""

    def swap(match: re.Match[str]) -> str:
        address = addresses.get(match.group(1))
        if address is None:
            return match.group(0)
        attrs = "".join("." + snake(a) for a in match.group(2).split(".") if a)
        return "${" + address + attrs + "}"

    return _REFERENCE.sub(swap, text)


def _key_lines(props: LDict, kind: str) -> dict[str, int]:
    return {argument(kind, snake(str(k))): props.line_of(k) for k in props}


class _PulumiBlock(Block):
    """A Block whose argument lines come from the YAML/JSON keys (``memorySize:``), not from HCL syntax."""

    def __init__(
        self, kind: str, name: str, body: Mapping[str, Any], file: SourceFile, start: int, end: int, address: str,
        key_lines: Mapping[str, int],
    ) -> None:  # fmt: skip
        super().__init__(kind, name, body, file, start, end, address)
        self.key_lines = dict(key_lines)

    def attr_line(self, name: str) -> int | None:
        return self.key_lines.get(name) or None


# -- pulumi stack export -------------------------------------------------------------------------------


def _add_export(module: Module, source: SourceFile, document: Mapping[str, Any]) -> None:
    deployment = document.get("deployment")
    resources = deployment.get("resources") if isinstance(deployment, Mapping) else None
    if not isinstance(resources, list):
        return
    addresses: dict[str, str] = {}
    outputs: dict[str, str] = {}  # an output value (ARN, id, name) → the address it belongs to
    entries = []
    for entry in resources:
        if not isinstance(entry, LDict) or entry.get("custom") is False:
            continue
        kind = terraform_type(str(entry.get("type", "")))
        urn = str(entry.get("urn", ""))
        name = urn.rsplit("::", 1)[-1] if "::" in urn else ""
        if not kind or not name:
            continue
        address = f"{kind}.{_identifier(name)}"
        addresses[name] = address
        outs = entry.get("outputs")
        for key in _OUTPUT_KEYS:
            value = outs.get(key) if isinstance(outs, Mapping) else None
            if isinstance(value, str) and len(value) > 3:
                outputs.setdefault(value, f"${{{address}.{snake(key)}}}")
        entries.append((entry, address))
    for entry, address in entries:
        inputs = entry.get("inputs")
        inputs = inputs if isinstance(inputs, LDict) else LDict()
        kind, _, resource_name = address.partition(".")
        body = _link_outputs(_body(inputs, addresses, entry, kind), outputs, address)
        start, end = entry.line or 0, entry.end_line or entry.line or 0
        module.resources[address] = _PulumiBlock(
            kind, resource_name, body, source, start, end, address, _key_lines(inputs, kind)
        )


def _link_outputs(value: Any, outputs: Mapping[str, str], own: str) -> Any:
    if isinstance(value, dict):
        return {k: (v if k.startswith("__") else _link_outputs(v, outputs, own)) for k, v in value.items()}
    if isinstance(value, list):
        return [_link_outputs(v, outputs, own) for v in value]
    if isinstance(value, str) and value in outputs and not outputs[value].startswith("${" + own + "."):
        return outputs[value]
    return value


def _identifier(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
