"""CDK output: name model objects by the construct that defines them, not by logical id.

A synthesized CDK template (``cdk.out/*.template.json``) is plain CloudFormation
and goes through the CloudFormation builder unchanged. What a CDK user needs
from a finding is the construct to fix in their code, and logical ids such as
``ApiHandler5E7490E8`` only hint at it; every resource's ``aws:cdk:path``
metadata names it exactly (``MyStack/Api/Handler/Resource``).

:func:`name_by_construct` renames the built application after the fact:
every object id that is a logical id with a construct path becomes that path
(without the ``/Resource`` or ``/Default`` child CDK adds under an L2 construct),
and every field that refers to such an id is renamed with it, so joins between
functions, roles, APIs and log groups still hold. Rules then say "function
MyStack/Api/Handler" without knowing about the CDK. Templates without the
metadata (``--path-metadata false``) are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any

from faasguard.model import Application

CDK_PATH = "aws:cdk:path"
# Model fields that hold a logical id (or, for Function, its name) of something in the same template.
_ID_FIELDS = {"id", "function", "role_id", "source", "target", "vpc", "policy", "ref"}
_ID_TUPLE_FIELDS = {"subnet_ids", "security_group_ids"}
# Statement fields whose texts name resources of the template as ``${LogicalId}`` / ``${LogicalId.Arn}``.
_REF_TEXT_FIELDS = {"resources", "not_resources"}
_REF_IN_TEXT = re.compile(r"\$\{([^}.]+)((?:\.[^}]*)?)\}")
_DEFAULT_CHILDREN = ("/Resource", "/Default")
_LISTS = (
    "permissions", "apis", "log_groups", "alarms", "secrets", "kms_keys", "vpc_endpoints", "resource_policies", "data_stores",
    "api_domains",
)


def construct_paths(template: Mapping[str, Any]) -> dict[str, str]:
    """Logical id → construct path for every resource that records one; ambiguous paths are dropped."""
    resources = template.get("Resources")
    if not isinstance(resources, Mapping):
        return {}
    paths: dict[str, str] = {}
    for logical_id, resource in resources.items():
        meta = resource.get("Metadata") if isinstance(resource, Mapping) else None
        path = meta.get(CDK_PATH) if isinstance(meta, Mapping) else None
        if not isinstance(path, str) or not path.strip():
            continue
        for suffix in _DEFAULT_CHILDREN:
            if path.endswith(suffix) and path.count("/") > 1:
                path = path[: -len(suffix)]
                break
        paths[str(logical_id)] = path
    seen: dict[str, int] = {}
    for path in paths.values():
        seen[path] = seen.get(path, 0) + 1
    return {lid: path for lid, path in paths.items() if seen[path] == 1 and path not in resources}


def name_by_construct(app: Application, template: Mapping[str, Any]) -> Application:
    """Rename ``app``'s ids to construct paths, in place, and return it."""
    names = construct_paths(template)
    if not names:
        return app
    app.functions = [_renamed(fn, names, function=True) for fn in app.functions]
    app.roles = {names.get(k, k): _renamed(v, names) for k, v in app.roles.items()}
    app.security_groups = {names.get(k, k): _renamed(v, names) for k, v in app.security_groups.items()}
    app.subnets = {names.get(k, k): _renamed(v, names) for k, v in app.subnets.items()}
    app.skipped = {names.get(k, k): v for k, v in app.skipped.items()}
    for attr in _LISTS:
        setattr(app, attr, [_renamed(item, names) for item in getattr(app, attr)])
    return app


def _renamed(obj: Any, names: Mapping[str, str], function: bool = False) -> Any:
    """A copy of a model dataclass with its id fields (and those of the objects inside it) renamed."""
    if not is_dataclass(obj) or isinstance(obj, type):
        return obj
    changes: dict[str, Any] = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, str):
            if (f.name in _ID_FIELDS or (function and f.name == "name")) and value in names:
                changes[f.name] = names[value]
        elif isinstance(value, tuple) and value:
            if f.name in _ID_TUPLE_FIELDS:
                mapped = tuple(names.get(v, v) if isinstance(v, str) else v for v in value)
            elif f.name in _REF_TEXT_FIELDS:
                mapped = tuple(_renamed_refs(v, names) if isinstance(v, str) else v for v in value)
            else:
                mapped = tuple(_renamed(v, names) for v in value)
            if mapped != value:
                changes[f.name] = mapped
        elif is_dataclass(value):
            inner = _renamed(value, names)
            if inner is not value:
                changes[f.name] = inner
    return replace(obj, **changes) if changes else obj


def _renamed_refs(text: str, names: Mapping[str, str]) -> str:
    """``${UploadsBucket5E5E7C3D.Arn}/*`` → ``${MyStack/Uploads.Arn}/*``, so grants still join the renamed bucket."""

    def swap(match: re.Match[str]) -> str:
        logical = match.group(1)
        return "${" + names[logical] + match.group(2) + "}" if logical in names else match.group(0)

    return _REF_IN_TEXT.sub(swap, text)
