"""``Pipfile.lock``: pipenv's JSON lock, ``default`` (shipped) and ``develop`` sections."""

from __future__ import annotations

import json
from pathlib import Path

from faasguard.deps.interface import Dependency, Manifest, Origin, ParseError
from faasguard.deps.locate import json_key_lines


class PipfileLockSource:
    kind = "pipfile-lock"
    reads_other_files = False

    def wants(self, filename: str) -> bool:
        return filename == "pipfile.lock"

    def parse(self, path: Path, text: str, rel: str) -> Manifest:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(f"not valid JSON for a Pipfile.lock (line {exc.lineno}: {exc.msg})") from None
        if not isinstance(doc, dict):
            raise ParseError("a Pipfile.lock must be a JSON object")
        lines = json_key_lines(text, max_depth=2)
        deps: list[Dependency] = []
        shipped: set[str] = set()
        for section in ("default", "develop"):
            entries = doc.get(section) or {}
            if not isinstance(entries, dict):
                continue
            for name, entry in entries.items():
                if not isinstance(entry, dict) or (section == "develop" and name in shipped):
                    continue
                shipped.add(name)
                raw = str(entry.get("version", ""))
                version = raw[2:] if raw.startswith("==") else None
                origin: Origin = "registry"
                url = None
                if "git" in entry:
                    origin, url = "git", str(entry["git"])
                elif "file" in entry or "path" in entry:
                    url = str(entry.get("file") or entry.get("path"))
                    origin = "url" if url.startswith(("http://", "https://")) else "path"
                deps.append(
                    Dependency(
                        name,
                        "PyPI",
                        version=version,
                        line=lines.get((section, name)),
                        direct=False,
                        dev=section == "develop",
                        origin=origin,
                        url=url,
                        hashed=bool(entry.get("hashes")),
                        marker=str(entry["markers"]) if entry.get("markers") else None,
                    )
                )
        return Manifest(rel, self.kind, "PyPI", True, tuple(deps))
