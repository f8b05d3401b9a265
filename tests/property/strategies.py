"""Hypothesis strategies for hostile documents, the serializers that write them, and the check.

A document starts as a small, valid file of its format (a SAM template, a serverless.yml, a
Terraform module...) and is *mutated*: a few nodes anywhere in it are replaced with values of
the wrong type (a number where a list is expected, ``null`` policies, statements as strings,
lists where maps are expected, intrinsic functions with nonsense arguments), or gain keys the
format knows. The whole scan runs on the result, and its reports are rendered: it must end in
findings or ``errors`` entries, never in an exception or an "internal error" entry.
"""

from __future__ import annotations

import copy
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from faasguard.interfaces import ScanResult
from faasguard.report import REPORTERS
from faasguard.scan import ScanOptions, scan

# Strings the loaders treat specially: references, ARNs, wildcards, placeholders, paths.
STRINGS = [
    "",
    "*",
    "s3:*",
    "iam:PassRole",
    "lambda:InvokeFunction",
    "Allow",
    "Deny",
    "arn:aws:s3:::bucket/*",
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "${AWS::Region}",
    "${Fn}",
    "${Fn.Arn}",
    "${self:custom.x}",
    "${opt:stage, 'dev'}",
    "${env:X}",
    "${file(x.yml)}",
    "${ssm:/a/b}",
    "${var.x}",
    "${local.y}",
    "Fn",
    "Role",
    "python3.12",
    "nodejs20.x",
    "app.handler",
    "src/",
    "../x",
    "/etc",
    "0.0.0.0/0",
    "Zq8kLm2pX4vB9nR7",
    "true",
    "AWS_IAM",
    "NONE",
    "Fn.Arn",
    "!Ref",
    "{{resolve:ssm:/x}}",
    "\x00",
    "a\nb",
]
INTRINSICS = [
    "Ref",
    "Fn::GetAtt",
    "Fn::Sub",
    "Fn::Join",
    "Fn::If",
    "Fn::Select",
    "Fn::Split",
    "Fn::ImportValue",
    "Fn::FindInMap",
    "Fn::Base64",
    "Fn::GetAZs",
    "Fn::Equals",
    "Fn::Not",
    "Fn::Transform",
    "Condition",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(STRINGS)
    | st.text(max_size=8)
)


def _children(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(STRINGS) | st.text(max_size=6), inner, max_size=3)
        | st.builds(lambda k, v: {k: v}, st.sampled_from(INTRINSICS), inner)
    )


values = st.recursive(scalars, _children, max_leaves=8)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _paths(child, (*prefix, i))


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


@st.composite
def mutated(draw: st.DrawFn, base: Any, keys: tuple[str, ...] = ()) -> Any:
    """``base`` with one to four nodes replaced by arbitrary values, or given a key of ``keys``."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        if keys and draw(st.booleans()):
            parent = doc
            for step in path[:-1]:
                parent = parent[step]
            if isinstance(parent, dict):
                parent[draw(st.sampled_from(keys))] = draw(values)
                continue
        _set(doc, path, draw(values))
    return doc


# -- writing documents -------------------------------------------------------------------


def to_yaml(doc: Any) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def to_json(doc: Any) -> str:
    return json.dumps(doc, indent=1)


def hcl_expr(value: Any) -> str:
    """A Terraform expression for a Python value; ``{"__call__": name, "arg": v}`` is ``name(v)`` and
    ``{"__ref__": text}`` is the bare reference ``text``."""
    if isinstance(value, dict) and set(value) == {"__call__", "arg"} and isinstance(value["__call__"], str):
        return f"{value['__call__']}({hcl_expr(value['arg'])})"
    if isinstance(value, dict) and set(value) == {"__ref__"} and isinstance(value["__ref__"], str):
        return value["__ref__"]
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value).replace("${{", "$${{").replace("%{", "%%{")
    if isinstance(value, list):
        return "[" + ", ".join(hcl_expr(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {hcl_expr(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def _hcl_body(body: Any, blocks: frozenset[str], indent: str) -> list[str]:
    if not isinstance(body, dict):
        return [f"{indent}# {json.dumps(str(body))}"]
    out = []
    for key, value in body.items():
        name = key if isinstance(key, str) and key.isidentifier() else "x"
        if name in blocks and isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                out += [f"{indent}{name} {{", *_hcl_body(item, blocks, indent + "  "), f"{indent}}}"]
        else:
            out.append(f"{indent}{name} = {hcl_expr(value)}")
    return out


def to_hcl(doc: Any, blocks: frozenset[str]) -> str:
    """Terraform text for ``{"resource": {type: {name: body}}, "variable": {name: body}, "locals": body}``;
    keys of ``blocks`` whose value is a list of maps are nested blocks, everything else an attribute."""
    if not isinstance(doc, dict):
        return f"# {json.dumps(str(doc))}\n"
    out = []
    for kind, content in doc.items():
        if kind in ("resource", "data") and isinstance(content, dict):
            for rtype, named in content.items():
                for name, body in named.items() if isinstance(named, dict) else [("x", named)]:
                    out += [f"{kind} {json.dumps(str(rtype))} {json.dumps(str(name))} {{", *_hcl_body(body, blocks, "  "), "}"]
        elif kind in ("variable", "output", "module", "provider") and isinstance(content, dict):
            for name, body in content.items():
                out += [f"{kind} {json.dumps(str(name))} {{", *_hcl_body(body, blocks, "  "), "}"]
        elif kind in ("locals", "terraform"):
            out += [f"{kind} {{", *_hcl_body(content, blocks, "  "), "}"]
    return "\n".join(out) + "\n"


def _toml_value(value: Any) -> str:
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def to_toml(doc: Any) -> str:
    """TOML for a mapping whose lists of maps are arrays of tables and whose maps are tables."""
    if not isinstance(doc, dict):
        return f"x = {_toml_value(doc)}\n"
    out, tables = [], []
    for key, value in doc.items():
        name = json.dumps(str(key))
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                tables += [f"[[{name}]]", *(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in item.items())]
        elif isinstance(value, dict):
            tables += [f"[{name}]", *(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())]
        else:
            out.append(f"{name} = {_toml_value(value)}")
    return "\n".join(out + tables) + "\n"


# -- the check -----------------------------------------------------------------------------


def scan_survives(files: dict[str, str]) -> ScanResult:
    """Scan a directory holding ``files`` and render every machine format: nothing may raise,
    and no file may end in an "internal error" (a loader's unexpected exception)."""
    with tempfile.TemporaryDirectory(prefix="faasguard-property-") as tmp:
        root = Path(tmp)
        for name, text in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        result = scan(root, ScanOptions(jobs=1))
        crashes = [(path, message) for path, message in result.errors if "internal error" in message]
        assert not crashes, crashes
        for fmt in ("json", "sarif", "text"):
            REPORTERS[fmt]().format(result)
    return result
