"""``poetry.lock``: every package Poetry resolved, with its version, group and source."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from faasguard.deps.interface import Dependency, Manifest, Origin, ParseError, as_dict
from faasguard.deps.locate import toml_package_lines

_SOURCE_ORIGIN: dict[str, Origin] = {"git": "git", "url": "url", "file": "path", "directory": "path"}


def load_toml(text: str, what: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParseError(f"not valid TOML for a {what} ({exc})") from None


class PoetryLockSource:
    kind = "poetry-lock"
    reads_other_files = False

    def wants(self, filename: str) -> bool:
        return filename == "poetry.lock"

    def parse(self, path: Path, text: str, rel: str) -> Manifest:
        doc = load_toml(text, "poetry.lock")
        packages = doc.get("package", [])
        if not isinstance(packages, list):
            raise ParseError("poetry.lock has no [[package]] list")
        lines = toml_package_lines(text)
        deps = []
        for pkg in packages:
            if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str):
                continue
            name, version = pkg["name"], str(pkg.get("version", "")) or None
            source = as_dict(pkg.get("source"))
            origin = _SOURCE_ORIGIN.get(str(source.get("type", "")), "registry")
            groups = pkg.get("groups")
            if isinstance(groups, list):
                dev = "main" not in groups
            else:
                dev = pkg.get("category") == "dev"
            files = pkg.get("files")
            deps.append(
                Dependency(
                    name,
                    "PyPI",
                    version=version,
                    line=lines.get((name, version)) or lines.get((name, None)),
                    direct=False,
                    dev=dev,
                    optional=bool(pkg.get("optional")),
                    origin=origin,
                    url=str(source.get("url")) if origin != "registry" and source.get("url") else None,
                    hashed=bool(files) and isinstance(files, list),
                )
            )
        return Manifest(rel, self.kind, "PyPI", True, tuple(deps))
