"""``uv.lock``: uv's universal lock file (TOML, ``[[package]]`` tables with a ``source``)."""

from __future__ import annotations

from pathlib import Path

from faasguard.deps.interface import Dependency, Manifest, Origin, as_dict, as_list
from faasguard.deps.locate import toml_package_lines
from faasguard.deps.poetry_lock import load_toml


def _origin(source: dict[str, object]) -> tuple[Origin, str | None, bool]:
    """(origin, url, is the project itself)."""
    if "git" in source:
        return "git", str(source["git"]), False
    if "url" in source:
        return "url", str(source["url"]), False
    if "editable" in source or "virtual" in source:
        return "path", str(source.get("editable") or source.get("virtual")), True
    if "path" in source or "directory" in source:
        return "path", str(source.get("path") or source.get("directory")), False
    return "registry", None, False


class UvLockSource:
    kind = "uv-lock"
    reads_other_files = False

    def wants(self, filename: str) -> bool:
        return filename == "uv.lock"

    def parse(self, path: Path, text: str, rel: str) -> Manifest:
        doc = load_toml(text, "uv.lock")
        lines = toml_package_lines(text)
        deps = []
        roots: set[str] = set()
        dev_only: set[str] = set()
        packages = [p for p in as_list(doc.get("package")) if isinstance(p, dict) and isinstance(p.get("name"), str)]
        for pkg in packages:
            source = as_dict(pkg.get("source"))
            if _origin(source)[2]:
                roots.add(pkg["name"])
                # The project's dev groups: packages only reachable from them are not shipped.
                for group in as_dict(pkg.get("dev-dependencies")).values():
                    dev_only.update(d["name"] for d in as_list(group) if isinstance(d, dict) and isinstance(d.get("name"), str))
                for dep in as_list(pkg.get("dependencies")):
                    if isinstance(dep, dict) and isinstance(dep.get("name"), str):
                        dev_only.discard(dep["name"])
        for pkg in packages:
            source = as_dict(pkg.get("source"))
            origin, url, is_root = _origin(source)
            if is_root:
                continue
            name, version = pkg["name"], str(pkg.get("version", "")) or None
            deps.append(
                Dependency(
                    name,
                    "PyPI",
                    version=version,
                    line=lines.get((name, version)) or lines.get((name, None)),
                    direct=False,
                    dev=name in dev_only,
                    origin=origin,
                    url=url,
                    hashed=bool(pkg.get("wheels") or pkg.get("sdist")),
                )
            )
        return Manifest(rel, self.kind, "PyPI", True, tuple(deps))
