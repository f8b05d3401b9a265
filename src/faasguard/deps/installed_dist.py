"""A distribution installed into the scanned tree: ``<name>-<version>.dist-info/METADATA`` or ``<name>.egg-info/PKG-INFO``.

``pip install -r requirements.txt -t DIR`` (how many Lambda functions and layers are built) leaves one such
file per installed distribution in ``DIR``; its ``Name`` and ``Version`` headers are what is installed
there, whatever a requirements file says. The headers are read with :func:`packaging.metadata.parse_email`
(the core-metadata email format ``importlib.metadata`` reads too); the package is never imported. Each
file is a one-entry lock of the folder the distribution was installed into (:attr:`Manifest.directory`),
and the dependency analyzer merges those of one folder into one lock (:func:`merge`).
"""

from __future__ import annotations

import re
from pathlib import Path

from packaging.utils import InvalidName, canonicalize_name
from packaging.version import InvalidVersion, Version

from faasguard.deps.interface import INSTALLED, Dependency, Manifest, ParseError

_VERSION_LINE = re.compile(r"^Version:", re.IGNORECASE)
# pip's folder names: name and version with "-" turned into "_" (PEP 491), or a legacy egg-info name.
_FOLDER = re.compile(r"^(?P<name>[^-]+)-(?P<version>[^-]+?)(?:-py\d[\d.]*)?\.(?:dist|egg)-info$", re.IGNORECASE)


class InstalledSource:
    kind = INSTALLED
    reads_other_files = False

    def wants(self, filename: str) -> bool:
        # By name alone a README called METADATA would match: the analyzer also checks the folder
        # (faasguard.installed.metadata_folder) before it hands a file to this source.
        return filename in ("metadata", "pkg-info")

    def parse(self, path: Path, text: str, rel: str) -> Manifest:
        # Imported here: only a tree pip installed into holds metadata files, and the module (with the email
        # package it reads headers with) is a twentieth of every scan's start-up.
        from packaging.metadata import parse_email

        raw, unparsed = parse_email(text)
        name, version = raw.get("name"), raw.get("version")
        if not name or not version:
            missing = " and ".join(h for h, v in (("Name", name), ("Version", version)) if not v)
            problem = "has no " + missing if not (unparsed.get("name") or unparsed.get("version")) else "repeats Name or Version"
            raise ParseError(f"distribution metadata {problem} header; what is installed here is unknown")
        try:
            canonicalize_name(name, validate=True)
            Version(version)
        except (InvalidName, InvalidVersion):
            raise ParseError(f"distribution metadata names {name!r} version {version!r}, which is not a valid "
                             "package name and version; what is installed here is unknown") from None
        warnings: tuple[str, ...] = ()
        folder = _FOLDER.match(path.parent.name)
        if folder and _differs(folder.group("name"), folder.group("version"), name, version):
            warnings = (f"its folder {path.parent.name} names another distribution than its metadata ({name} {version}); "
                        "the metadata is taken as what is installed",)
        line = _header_line(text)
        dependency = Dependency(name, "PyPI", version=version, line=line, file=rel, direct=False)
        return Manifest(rel, self.kind, "PyPI", True, (dependency,), warnings=warnings)


def _header_line(text: str) -> int | None:
    """The line of the ``Version:`` header (the headers end at the first empty line)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            return None
        if _VERSION_LINE.match(line):
            return number
    return None


def _differs(folder_name: str, folder_version: str, name: str, version: str) -> bool:
    if canonicalize_name(folder_name) != canonicalize_name(name):
        return True
    try:
        return Version(folder_version) != Version(version)
    except InvalidVersion:
        return False


def merge(manifests: list[Manifest]) -> Manifest:
    """The distributions installed into one folder, as one lock: the first metadata file (in path order) names it,
    and each package keeps its own metadata file and ``Version:`` line."""
    ordered = sorted(manifests, key=lambda m: m.path)
    dependencies = tuple(d for m in ordered for d in m.dependencies)
    return Manifest(ordered[0].path, INSTALLED, "PyPI", True, dependencies)
