"""``yarn.lock``: Yarn classic (its own indented format) and Yarn berry (YAML).

Classic entries look like ``"lodash@^4.17.0", lodash@^4.17.21:`` followed by
indented ``version "4.17.21"`` / ``resolved "…"`` fields; berry entries are YAML
mappings keyed by descriptors such as ``"lodash@npm:^4.17.21"``. A lock records
no dev/direct flags; the analyzer takes those from ``package.json``.
"""

from __future__ import annotations

from pathlib import Path

from faasguard.deps.interface import Dependency, Manifest, ParseError
from faasguard.deps.package_lock import npm_origin
from faasguard.loaders.located_yaml import LDict, LoadFailure, loads


def descriptor_name(descriptor: str) -> tuple[str, str]:
    """``"@scope/pkg@npm:^1.0"`` → (``"@scope/pkg"``, ``"npm:^1.0"``)."""
    descriptor = descriptor.strip().strip('"').strip("'")
    at = descriptor.find("@", 1)
    if at < 0:
        return descriptor, ""
    return descriptor[:at], descriptor[at + 1 :]


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


class YarnLockSource:
    kind = "yarn-lock"
    reads_other_files = False

    def wants(self, filename: str) -> bool:
        return filename == "yarn.lock"

    def parse(self, path: Path, text: str, rel: str) -> Manifest:
        if "__metadata:" in text:
            deps = self._berry(text)
        else:
            deps = self._classic(text)
        return Manifest(rel, self.kind, "npm", True, tuple(deps))

    def _classic(self, text: str) -> list[Dependency]:
        deps: list[Dependency] = []
        entry: dict[str, str] = {}
        names: list[str] = []
        line_no = 0

        def flush() -> None:
            if names:
                hashed = bool(entry.get("integrity"))
                deps.append(_dependency(names[0], entry.get("version"), entry.get("resolved"), line_no, hashed))

        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            if not raw[0].isspace():
                flush()
                if not raw.rstrip().endswith(":"):
                    raise ParseError(f"line {number}: expected an entry such as `lodash@^4.17.0:`, found {raw.strip()[:60]!r}")
                descriptors = [_unquote(d) for d in raw.rstrip()[:-1].split(",")]
                names = sorted({descriptor_name(d)[0] for d in descriptors if d})
                entry, line_no = {}, number
                continue
            if raw.startswith("  ") and not raw.startswith("   "):
                key, _, value = raw.strip().partition(" ")
                entry[_unquote(key)] = _unquote(value)
        flush()
        return deps

    def _berry(self, text: str) -> list[Dependency]:
        try:
            doc = loads(text)
        except (LoadFailure, ValueError) as exc:
            raise ParseError(f"not valid YAML for a Yarn berry lock ({exc})") from None
        if not isinstance(doc, dict):
            raise ParseError("a Yarn berry lock must be a YAML mapping")
        deps = []
        for key, entry in doc.items():
            if key == "__metadata" or not isinstance(entry, dict):
                continue
            name, _ = descriptor_name(str(key).split(",")[0])
            resolution = str(entry.get("resolution", ""))
            _, how = descriptor_name(resolution)
            if how.startswith("workspace:") or (entry.get("linkType") == "soft" and how.startswith(("link:", "portal:"))):
                continue  # the project itself or a local workspace
            line = doc.line_of(key) if isinstance(doc, LDict) else None
            version = entry.get("version")
            resolved = how if not how.startswith("npm:") else None
            version_text = str(version) if version is not None else None
            deps.append(_dependency(name, version_text, resolved, line, bool(entry.get("checksum"))))
        return deps


def _dependency(name: str, version: str | None, resolved: str | None, line: int | None, hashed: bool) -> Dependency:
    origin, url = npm_origin(resolved, None)
    return Dependency(
        name, "npm", version=version, line=line, direct=False, origin=origin, url=url, hashed=hashed
    )
