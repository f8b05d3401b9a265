"""``package-lock.json`` and ``npm-shrinkwrap.json``, lockfile versions 1, 2 and 3.

Versions 2 and 3 list every installed package under ``packages`` keyed by its
``node_modules/…`` path (nested copies included); version 1 nests
``dependencies`` objects. Either way every transitive package is read, with its
install-script flag, dev/optional flags and where it was resolved from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from faasguard.deps.interface import Dependency, Manifest, Origin, ParseError, as_dict
from faasguard.deps.locate import json_key_lines

_TARBALL = re.compile(r"/-/[^/]+\.tgz(?:[#?].*)?$")


def npm_origin(resolved: str | None, version: str | None = None) -> tuple[Origin, str | None]:
    """Where npm fetched a package from: (origin, url worth showing)."""
    for text in (resolved, version):
        if not text or not isinstance(text, str):
            continue
        lower = text.lower()
        if lower.startswith(("git+", "git:", "github:", "gitlab:", "bitbucket:", "gist:")) or ".git#" in lower:
            return "git", text
        if lower.startswith(("file:", "link:", "workspace:")):
            return "path", text
        if lower.startswith(("http://", "https://")):
            if _TARBALL.search(lower):
                # A registry tarball; only plain-HTTP registries are worth naming.
                return "registry", text if lower.startswith("http://") else None
            return "url", text
    return "registry", None


class PackageLockSource:
    kind = "package-lock"
    reads_other_files = False

    def wants(self, filename: str) -> bool:
        return filename in ("package-lock.json", "npm-shrinkwrap.json")

    def parse(self, path: Path, text: str, rel: str) -> Manifest:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(f"not valid JSON for a package-lock.json (line {exc.lineno}: {exc.msg})") from None
        if not isinstance(doc, dict):
            raise ParseError("a package-lock.json must be a JSON object")
        packages = doc.get("packages")
        if isinstance(packages, dict) and packages:
            deps = list(self._packages(packages, json_key_lines(text, max_depth=2)))
        else:
            lines = json_key_lines(text, objects_only=True)
            root = as_dict(doc.get("dependencies"))
            deps = list(self._v1(root, ("dependencies",), lines, depth=0))
        return Manifest(rel, self.kind, "npm", True, tuple(deps))

    def _packages(self, packages: dict[str, Any], lines: dict[tuple[str, ...], int]) -> Iterator[Dependency]:
        root = as_dict(packages.get(""))
        direct = {name for key in ("dependencies", "optionalDependencies", "devDependencies", "peerDependencies")
                  for name in as_dict(root.get(key))}
        for key, entry in packages.items():
            if not key or not isinstance(entry, dict) or entry.get("link"):
                continue
            if "node_modules/" not in key:
                continue  # a workspace's own folder: the project's code, not a dependency
            name = entry.get("name") or key.rsplit("node_modules/", 1)[1]
            version = entry.get("version")
            origin, url = npm_origin(entry.get("resolved"), version)
            yield Dependency(
                str(name),
                "npm",
                version=str(version) if version else None,
                line=lines.get(("packages", key)),
                direct=key == f"node_modules/{name}" and name in direct,
                dev=bool(entry.get("dev")),
                optional=bool(entry.get("optional") or entry.get("devOptional")),
                origin=origin,
                url=url,
                install_script=bool(entry.get("hasInstallScript")),
                hashed=bool(entry.get("integrity")),
            )

    def _v1(
        self, deps: dict[str, Any], path: tuple[str, ...], lines: dict[tuple[str, ...], int], depth: int
    ) -> Iterator[Dependency]:
        if depth > 64:
            return
        for name, entry in deps.items():
            if not isinstance(entry, dict):
                continue
            version = str(entry.get("version", "")) or None
            origin, url = npm_origin(entry.get("resolved"), version)
            if origin == "registry" and version and version.startswith("npm:"):
                version = version.rpartition("@")[2]  # an alias: "npm:real-name@1.2.3"
            yield Dependency(
                name,
                "npm",
                version=version if origin == "registry" else None,
                line=lines.get((*path, name)),
                direct=depth == 0,  # v1 cannot tell hoisted transitive packages from direct ones
                dev=bool(entry.get("dev")),
                optional=bool(entry.get("optional")),
                origin=origin,
                url=url,
                install_script=bool(entry.get("hasInstallScript")),
                hashed=bool(entry.get("integrity")),
            )
            nested = entry.get("dependencies")
            if isinstance(nested, dict):
                yield from self._v1(nested, (*path, name, "dependencies"), lines, depth + 1)
