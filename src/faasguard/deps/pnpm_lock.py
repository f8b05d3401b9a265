"""``pnpm-lock.yaml``, lockfile versions 5, 6 and 9.

Package keys changed between versions: ``/name/1.0.0_peer@2`` (5.x),
``/name@1.0.0(peer@2)`` (6.x) and ``name@1.0.0`` with a separate ``snapshots``
section (9.x). Version 9 dropped the per-package ``dev`` flag, so there shipped
packages are those reachable from the importers' non-dev dependencies.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from faasguard.deps.interface import Dependency, Manifest, Origin, ParseError, as_dict
from faasguard.loaders.located_yaml import LDict, LoadFailure, loads

_PEERS = re.compile(r"\(.*\)$")


def split_key(key: str, version: float) -> tuple[str, str]:
    """A package key → (name, version)."""
    key = key.lstrip("/")
    key = _PEERS.sub("", key)
    if version < 6:
        key = key.split("_", 1)[0] if "_" in key and not key.startswith("_") else key
        name, _, ver = key.rpartition("/")
        return name, ver
    at = key.find("@", 1)
    if at < 0:
        return key, ""
    return key[:at], key[at + 1 :]


def _lock_version(doc: dict[str, Any]) -> float:
    match = re.match(r"(\d+)(?:\.(\d+))?", str(doc.get("lockfileVersion", "6")))
    return float(f"{match.group(1)}.{match.group(2) or 0}") if match else 6.0


class PnpmLockSource:
    kind = "pnpm-lock"
    reads_other_files = False

    def wants(self, filename: str) -> bool:
        return filename == "pnpm-lock.yaml"

    def parse(self, path: Path, text: str, rel: str) -> Manifest:
        try:
            doc = loads(text)
        except (LoadFailure, ValueError) as exc:
            raise ParseError(f"not valid YAML for a pnpm lock ({exc})") from None
        if not isinstance(doc, dict):
            raise ParseError("a pnpm-lock.yaml must be a YAML mapping")
        lock_version = _lock_version(doc)
        packages = doc.get("packages") or {}
        if not isinstance(packages, dict):
            raise ParseError("`packages` in pnpm-lock.yaml must be a mapping")
        shipped = _shipped_v9(doc) if lock_version >= 9 else None
        direct = _direct_names(doc)
        deps = []
        for key, entry in packages.items():
            if not isinstance(entry, dict):
                entry = {}
            name, version = split_key(str(key), lock_version)
            name = str(entry.get("name") or name)
            version = str(entry.get("version") or version)
            resolution = as_dict(entry.get("resolution"))
            origin: Origin = "registry"
            url = None
            if resolution.get("type") == "git" or "repo" in resolution:
                origin, url = "git", str(resolution.get("repo", ""))
            elif "tarball" in resolution:
                url = str(resolution["tarball"])
                origin = "path" if url.startswith("file:") else "url" if "integrity" not in resolution else "registry"
                if origin == "registry" and not url.startswith("http://"):
                    url = None
            elif "directory" in resolution:
                origin, url = "path", str(resolution["directory"])
            dev = bool(entry.get("dev")) if shipped is None else str(key) not in shipped
            deps.append(
                Dependency(
                    name,
                    "npm",
                    version=version or None,
                    line=packages.line_of(key) if isinstance(packages, LDict) else None,
                    direct=name in direct,
                    dev=dev,
                    optional=bool(entry.get("optional")),
                    origin=origin,
                    url=url,
                    install_script=bool(entry.get("requiresBuild")),
                    hashed=bool(resolution.get("integrity")),
                )
            )
        return Manifest(rel, self.kind, "npm", True, tuple(deps))


def _importers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    importers = doc.get("importers")
    if isinstance(importers, dict):
        return [v for v in importers.values() if isinstance(v, dict)]
    return [doc]  # lockfile 5 and single-project 6.x keep the root's dependencies at top level


def _direct_names(doc: dict[str, Any]) -> set[str]:
    return {
        str(name)
        for imp in _importers(doc)
        for section in ("dependencies", "devDependencies", "optionalDependencies")
        for name in as_dict(imp.get(section))
    }


def _shipped_v9(doc: dict[str, Any]) -> set[str]:
    """Snapshot keys reachable from the importers' dependencies and optionalDependencies."""
    snapshots = as_dict(doc.get("snapshots"))
    todo: list[str] = []
    for imp in _importers(doc):
        for section in ("dependencies", "optionalDependencies"):
            for name, info in as_dict(imp.get(section)).items():
                version = info.get("version") if isinstance(info, dict) else info
                todo.append(f"{name}@{version}")
    seen: set[str] = set()
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        snap = snapshots.get(key) or {}
        if isinstance(snap, dict):
            for section in ("dependencies", "optionalDependencies"):
                for name, version in as_dict(snap.get(section)).items():
                    todo.append(f"{name}@{version}")
    return {_PEERS.sub("", key) for key in seen}
