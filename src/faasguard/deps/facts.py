"""The dependency facts the analyzer stores on the model and the supply-chain rules read.

``Application.dependencies[function name]`` holds a tuple of :class:`DependencySet`,
one per project directory and ecosystem the function ships (its ``package.json``
with its lock, its ``requirements.txt``…). An application made for manifests no
function points at keys its sets by ``""``. A set is shared by every function
that ships it, so rules report each problem once and name all those functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from faasguard.deps.interface import Dependency, Ecosystem, Manifest, PackageAudit, normalize
from faasguard.model import Application, Loc


@dataclass(frozen=True)
class Installed:
    """One package the set ships, with what the advisory data said about it."""

    dependency: Dependency
    manifest: Manifest  # the file that pins it (the lock, or the manifest when there is no lock)
    audit: PackageAudit | None  # None: nothing to audit it by (no exact version, not from a registry)
    unaudited_reason: str = ""

    @property
    def loc(self) -> Loc:
        return Loc(self.dependency.file or self.manifest.path, self.dependency.line)

    @property
    def label(self) -> str:
        dep = self.dependency
        return f"{dep.name}@{dep.version}" if dep.version else dep.name


@dataclass(frozen=True)
class DependencySet:
    directory: str  # POSIX, relative to the scan root ("" for the root)
    ecosystem: Ecosystem
    manifests: tuple[Manifest, ...]  # declarations: package.json, pyproject.toml, requirements*.txt
    lock: Manifest | None
    installed: tuple[Installed, ...]  # what is shipped (dev-only packages left out)
    functions: tuple[str, ...] = ()
    typosquats: tuple[tuple[str, str], ...] = ()  # (package, the popular name it imitates)
    extra_locks: tuple[Manifest, ...] = field(default=(), compare=False)  # a second lock of another tool

    @property
    def anchor(self) -> Manifest:
        return self.lock or self.manifests[0]

    def locked_versions(self, name: str) -> list[str]:
        if self.lock is None:
            return []
        wanted = normalize(self.ecosystem, name)
        return [d.version for d in self.lock.dependencies if d.version and normalize(self.ecosystem, d.name) == wanted]


def dependency_sets(app: Application) -> list[DependencySet]:
    """Every distinct set in the application, in a stable order."""
    seen: dict[tuple[str, str], DependencySet] = {}
    for sets in app.dependencies.values():
        if isinstance(sets, tuple):
            for item in sets:
                if isinstance(item, DependencySet):
                    seen.setdefault((item.directory, item.ecosystem), item)
    return [seen[key] for key in sorted(seen)]


def shipped_by(dep_set: DependencySet) -> str:
    """"shipped by function A" / "shipped by functions A, B" / "not shipped by any function found"."""
    if not dep_set.functions:
        return "not referenced by any function in the scanned templates"
    names = ", ".join(dep_set.functions)
    return f"shipped by function{'s' if len(dep_set.functions) > 1 else ''} {names}"


def single_function(dep_set: DependencySet) -> str | None:
    return dep_set.functions[0] if len(dep_set.functions) == 1 else None


def public_functions(app: Application, dep_set: DependencySet) -> list[str]:
    """The functions shipping the set that an internet-facing trigger invokes."""
    wanted = set(dep_set.functions)
    return sorted(fn.name for fn in app.functions if fn.name in wanted and fn.is_public)
