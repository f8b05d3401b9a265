"""Dependencies: read manifests and lock files, and match them against advisory data.

Shaped like pip-audit: :mod:`faasguard.deps.interface` defines the dependency
source and vulnerability service interfaces, with one module per manifest format
and one per advisory service beside it. :mod:`faasguard.deps.analyzer` wires them
into the scan.
"""

from pathlib import Path

from faasguard.deps.installed_dist import InstalledSource
from faasguard.deps.interface import DependencySource
from faasguard.deps.package_json import PackageJsonSource
from faasguard.deps.package_lock import PackageLockSource
from faasguard.deps.pipfile_lock import PipfileLockSource
from faasguard.deps.pnpm_lock import PnpmLockSource
from faasguard.deps.poetry_lock import PoetryLockSource
from faasguard.deps.pyproject import PyprojectSource
from faasguard.deps.requirements import RequirementsSource
from faasguard.deps.uv_lock import UvLockSource
from faasguard.deps.yarn_lock import YarnLockSource
from faasguard.installed import metadata_folder

SOURCES: list[DependencySource] = [
    RequirementsSource(),
    PoetryLockSource(),
    PipfileLockSource(),
    UvLockSource(),
    PyprojectSource(),
    PackageLockSource(),
    YarnLockSource(),
    PnpmLockSource(),
    PackageJsonSource(),
    InstalledSource(),
]


def source_for(filename: str) -> DependencySource | None:
    lower = filename.lower()
    return next((s for s in SOURCES if s.wants(lower)), None)


def source_for_path(path: Path) -> DependencySource | None:
    """:func:`source_for` the file; a distribution's metadata file must also sit in a ``.dist-info``/``.egg-info`` folder."""
    source = source_for(path.name)
    if source is not None and source.kind == InstalledSource.kind and not metadata_folder(path):
        return None
    return source


__all__ = ["SOURCES", "source_for", "source_for_path"]
