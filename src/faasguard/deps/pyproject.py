"""``pyproject.toml``: PEP 621 ``[project]`` dependencies, PEP 735 groups, and Poetry's tables.

Poetry's ``^``/``~`` constraints are translated to PEP 440 specifiers so that the
lock-sync check can test locked versions with ``packaging`` like any other range.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from faasguard.deps.interface import Dependency, Manifest, Origin, as_dict, as_list
from faasguard.deps.poetry_lock import load_toml
from faasguard.deps.requirements import exact_version

_TABLE = re.compile(r"^\[+\s*([^\]]+?)\s*\]+")
_KEY = re.compile(r'^\s*"?([A-Za-z0-9_.\-]+)"?\s*=')


def poetry_constraint(text: str) -> str | None:
    """Poetry's version constraint as a PEP 440 specifier (None when it cannot be expressed)."""
    text = text.strip()
    if text in ("", "*"):
        return ""
    if "||" in text or "|" in text:
        return None
    parts = [p.strip() for p in re.split(r"\s*,\s*|\s+(?=[<>=!~^])", text) if p.strip()]
    out: list[str] = []
    for part in parts:
        if part[0] in "^~" and not part.startswith("~="):
            caret = part[0] == "^"
            numbers = part[1:].strip().split(".")
            try:
                ints = [int(re.match(r"\d+", n).group()) for n in numbers if re.match(r"\d+", n)]  # type: ignore[union-attr]
            except AttributeError:
                return None
            if not ints:
                return None
            if caret:
                first = next((i for i, n in enumerate(ints) if n != 0), len(ints) - 1)
                upper = [*ints[:first], ints[first] + 1]
            else:
                upper = [ints[0] + 1] if len(ints) == 1 else [ints[0], ints[1] + 1]
            out += [f">={part[1:].strip()}", f"<{'.'.join(map(str, upper))}"]
        elif part[0].isdigit():
            out.append(f"=={part}")
        else:
            out.append(part)
    spec = ",".join(out)
    try:
        SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    return spec


class _Lines:
    """Where each dependency of each table is written."""

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str, str], int] = {}
        self.strings: list[tuple[str, int, str]] = []  # (table, line, text)
        table = ""
        for number, raw in enumerate(text.splitlines(), start=1):
            match = _TABLE.match(raw.strip())
            if match:
                table = match.group(1).replace('"', "").replace(" ", "")
                continue
            key = _KEY.match(raw)
            if key:
                self.keys.setdefault((table, key.group(1).lower()), number)
            self.strings.append((table, number, raw))

    def key(self, table: str, name: str) -> int | None:
        return self.keys.get((table, name.lower()))

    def string(self, table: str, requirement: str) -> int | None:
        for tbl, number, raw in self.strings:
            if tbl == table and (f'"{requirement}"' in raw or f"'{requirement}'" in raw):
                return number
        return None


class PyprojectSource:
    kind = "pyproject"
    reads_other_files = False

    def wants(self, filename: str) -> bool:
        return filename == "pyproject.toml"

    def parse(self, path: Path, text: str, rel: str) -> Manifest:
        doc = load_toml(text, "pyproject.toml")
        lines = _Lines(text)
        deps: list[Dependency] = []
        warnings: list[str] = []
        project = as_dict(doc.get("project"))
        for item in as_list(project.get("dependencies")):
            deps += _pep508(item, "project", lines, warnings, rel)
        for extra, items in as_dict(project.get("optional-dependencies")).items():
            for item in as_list(items):
                deps += _pep508(item, "project.optional-dependencies", lines, warnings, rel, optional=True, extra=extra)
        for items in as_dict(doc.get("dependency-groups")).values():
            for item in as_list(items):
                if isinstance(item, str):
                    deps += _pep508(item, "dependency-groups", lines, warnings, rel, dev=True)
        poetry = as_dict(doc.get("tool")).get("poetry") or {}
        if isinstance(poetry, dict):
            deps += _poetry_table(poetry.get("dependencies"), "tool.poetry.dependencies", lines, dev=False)
            deps += _poetry_table(poetry.get("dev-dependencies"), "tool.poetry.dev-dependencies", lines, dev=True)
            for group, body in as_dict(poetry.get("group")).items():
                if isinstance(body, dict):
                    table = f"tool.poetry.group.{group}.dependencies"
                    deps += _poetry_table(body.get("dependencies"), table, lines, dev=group != "main")
        return Manifest(rel, self.kind, "PyPI", False, tuple(deps), warnings=tuple(warnings))


def _pep508(
    item: object, table: str, lines: _Lines, warnings: list[str], rel: str,
    optional: bool = False, dev: bool = False, extra: str = "",
) -> list[Dependency]:
    if not isinstance(item, str):
        return []
    try:
        req = Requirement(item)
    except InvalidRequirement as exc:
        warnings.append(f"{rel}: not a valid requirement {item!r} ({str(exc).splitlines()[0]})")
        return []
    line = lines.string(table if not extra else f"{table}", item)
    if req.url:
        origin: Origin = "git" if req.url.startswith("git+") else "url" if req.url.startswith("http") else "path"
        return [Dependency(req.name, "PyPI", line=line, origin=origin, url=req.url, optional=optional, dev=dev)]
    return [
        Dependency(
            req.name, "PyPI", version=exact_version(req), spec=str(req.specifier) or None, line=line,
            optional=optional, dev=dev, extras=tuple(sorted(req.extras)), marker=str(req.marker) if req.marker else None,
        )
    ]


def _poetry_table(table_value: Any, table: str, lines: _Lines, dev: bool) -> list[Dependency]:
    if not isinstance(table_value, dict):
        return []
    out: list[Dependency] = []
    for name, value in table_value.items():
        if name.lower() == "python":
            continue
        entries = value if isinstance(value, list) else [value]
        for entry in entries[:1]:  # several entries are alternatives by marker; the first is enough
            spec_text: str | None = entry if isinstance(entry, str) else None
            origin: Origin = "registry"
            url = None
            optional = False
            marker = None
            if isinstance(entry, dict):
                spec_text = str(entry["version"]) if "version" in entry else None
                optional = bool(entry.get("optional"))
                marker = str(entry["markers"]) if entry.get("markers") else None
                if "git" in entry:
                    origin, url = "git", str(entry["git"])
                elif "url" in entry:
                    origin, url = "url", str(entry["url"])
                elif "path" in entry:
                    origin, url = "path", str(entry["path"])
            spec = poetry_constraint(spec_text) if spec_text is not None else None
            version = None
            if spec and spec.startswith("==") and "," not in spec and "*" not in spec:
                version = spec[2:]
            out.append(
                Dependency(
                    name, "PyPI", version=version, spec=spec if spec else None, line=lines.key(table, name),
                    dev=dev, optional=optional, origin=origin, url=url, marker=marker,
                )
            )
    return out
