"""``package.json``: the npm manifest (dependencies, dev, optional, peer and bundled)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import nodesemver

from faasguard.deps.interface import Dependency, Manifest, ParseError
from faasguard.deps.locate import json_key_lines
from faasguard.deps.package_lock import npm_origin

_SECTIONS = (
    ("dependencies", False, False),
    ("optionalDependencies", False, True),
    ("peerDependencies", False, True),
    ("devDependencies", True, False),
)


@functools.lru_cache(maxsize=8192)
def is_range(spec: str) -> bool:
    return nodesemver.valid_range(spec, loose=True) is not None


@functools.lru_cache(maxsize=8192)
def exact_npm_version(spec: str) -> str | None:
    """The one version an npm range allows ("1.2.3", "=1.2.3", "v1.2.3"), else None."""
    text = spec.strip().lstrip("=").lstrip("v").strip()
    parsed = nodesemver.valid(text, loose=False)
    return str(parsed) if parsed else None


class PackageJsonSource:
    kind = "package-json"
    reads_other_files = False

    def wants(self, filename: str) -> bool:
        return filename == "package.json"

    def parse(self, path: Path, text: str, rel: str) -> Manifest:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(f"not valid JSON for a package.json (line {exc.lineno}: {exc.msg})") from None
        if not isinstance(doc, dict):
            raise ParseError("a package.json must be a JSON object")
        lines = json_key_lines(text, max_depth=2)
        deps: list[Dependency] = []
        seen: set[str] = set()
        for section, dev, optional in _SECTIONS:
            entries = doc.get(section)
            if not isinstance(entries, dict):
                continue
            for name, raw in entries.items():
                if name in seen or not isinstance(name, str):
                    continue
                seen.add(name)
                spec = str(raw) if isinstance(raw, str | int | float) else ""
                real_name = name
                if spec.startswith("npm:"):  # an alias: "lodash4": "npm:lodash@^4"
                    target = spec[4:]
                    at = target.rfind("@")
                    real_name, spec = (target[:at], target[at + 1 :]) if at > 0 else (target, "")
                origin, url = npm_origin(None, spec)
                if origin == "registry" and "/" in spec and not spec.startswith(("@", ".")) and ":" not in spec:
                    origin, url = "git", spec  # "user/repo" is GitHub shorthand
                if origin == "registry" and spec and not is_range(spec):
                    spec = ""  # a dist-tag such as "latest" or "next": whatever is newest
                deps.append(
                    Dependency(
                        real_name,
                        "npm",
                        version=exact_npm_version(spec) if origin == "registry" else None,
                        spec=spec if origin == "registry" and spec not in ("", "*", "latest", "x") else None,
                        line=lines.get((section, name)),
                        dev=dev,
                        optional=optional,
                        origin=origin,
                        url=url,
                    )
                )
        return Manifest(rel, self.kind, "npm", False, tuple(deps))
