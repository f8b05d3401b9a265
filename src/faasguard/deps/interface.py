"""What a dependency source and a vulnerability service are, and the records they exchange.

The shape follows pip-audit: a *dependency source* turns one manifest or lock file
into a :class:`Manifest` of :class:`Dependency` records (one module per format
beside this one), and a :class:`VulnerabilityService` answers, for a batch of
resolved packages, which advisories affect them (a local OSV directory, or the
OSV API with ``--online``). The analyzer joins the two and stores the result on
the model, where the supply-chain rules read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from packaging.utils import canonicalize_name

Ecosystem = Literal["PyPI", "npm"]
Origin = Literal["registry", "git", "url", "path"]
INSTALLED = "installed"  # the kind of a distribution's metadata file in the tree (faasguard.deps.installed_dist)


class ParseError(Exception):
    """The file is not a valid manifest of its kind; the message is a sentence for the user."""


def as_dict(value: object) -> dict[str, Any]:
    """``value`` when it is a mapping, else an empty one: lock files are untrusted input."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """``value`` when it is a list, else an empty one: lock files are untrusted input."""
    return value if isinstance(value, list) else []


def normalize(ecosystem: str, name: str) -> str:
    """The name under which the ecosystem (and OSV) files a package."""
    return str(canonicalize_name(name)) if ecosystem == "PyPI" else name.strip()


@dataclass(frozen=True)
class Dependency:
    """One package a manifest declares or a lock file pins."""

    name: str
    ecosystem: Ecosystem
    version: str | None = None  # the exact installed version, when pinned or locked
    spec: str | None = None  # the declared range (">=2,<3", "^4.17.0"), for manifests
    line: int | None = None
    file: str | None = None  # the file that declares it, when not the manifest itself (requirements -r)
    direct: bool = True  # declared by the project itself, not pulled in by another package
    dev: bool = False  # only for development/tests: not shipped to the function
    optional: bool = False
    origin: Origin = "registry"
    url: str | None = None  # for git/url/path dependencies
    install_script: bool = False  # npm: the package runs preinstall/install/postinstall
    hashed: bool = False  # pinned with a hash (--hash, lock integrity)
    extras: tuple[str, ...] = ()
    marker: str | None = None  # PEP 508 environment marker text

    @property
    def key(self) -> tuple[str, str]:
        return (self.ecosystem, normalize(self.ecosystem, self.name))

    @property
    def purl(self) -> str:
        if self.ecosystem == "PyPI":
            base = f"pkg:pypi/{normalize('PyPI', self.name)}"
        else:
            scope, _, bare = self.name.rpartition("/")
            base = f"pkg:npm/{scope.replace('@', '%40')}/{bare}" if scope else f"pkg:npm/{bare}"
        return f"{base}@{self.version}" if self.version else base


@dataclass(frozen=True)
class Manifest:
    """One parsed manifest or lock file."""

    path: str  # POSIX, relative to the scan root
    kind: str  # the source's kind: requirements, poetry-lock, package-lock, yarn-lock …
    ecosystem: Ecosystem
    is_lock: bool
    dependencies: tuple[Dependency, ...] = ()
    includes: tuple[str, ...] = ()  # other files it pulled in (requirements -r/-c), relative paths
    warnings: tuple[str, ...] = ()  # lines or entries it could not understand

    @property
    def directory(self) -> str:
        if self.kind == INSTALLED:  # DIR/<name>-<version>.dist-info/METADATA: the folder pip installed it into
            return self.path.rsplit("/", 2)[0] if self.path.count("/") >= 2 else ""
        return self.path.rpartition("/")[0]

    @property
    def shipped(self) -> tuple[Dependency, ...]:
        return tuple(d for d in self.dependencies if not d.dev)


class DependencySource(Protocol):
    """One manifest or lock format."""

    kind: str
    # Whether parse() reads files besides the one it is given; when not, its result is a
    # function of the text and the relative path alone, and the parse cache keeps it.
    reads_other_files: bool

    def wants(self, filename: str) -> bool:
        """By file name alone (lower case): is this file of our format?"""

    def parse(self, path: Path, text: str, rel: str) -> Manifest:
        """Parse the file; raise :class:`ParseError` for invalid input, never anything else."""


@dataclass(frozen=True)
class Advisory:
    """One OSV record, reduced to what a finding needs."""

    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    severity: str | None = None  # critical | high | medium | low, from CVSS or the database's own rating
    score: float | None = None  # CVSS base score when a v3 vector was given
    vector: str | None = None
    fixed: tuple[str, ...] = ()  # first fixed versions of the affected ranges that match
    url: str | None = None

    @property
    def malicious(self) -> bool:
        return self.id.startswith("MAL-")


@dataclass(frozen=True)
class PackageAudit:
    """What the service could say about one resolved package."""

    ecosystem: Ecosystem
    name: str
    version: str
    audited: bool  # False: the data did not cover it, so "no advisory" means nothing
    advisories: tuple[Advisory, ...] = ()
    reason: str = ""  # why it could not be audited


@dataclass
class ServiceStatus:
    """How trustworthy the answers are: what the scan must warn about."""

    name: str
    covered: set[str] = field(default_factory=set)  # ecosystems with data
    warnings: list[str] = field(default_factory=list)


class VulnerabilityService(Protocol):
    name: str

    def status(self) -> ServiceStatus:
        """Which ecosystems the data covers, and what is wrong with it (missing, empty, stale)."""

    def audit(self, packages: Iterable[tuple[Ecosystem, str, str]]) -> dict[tuple[str, str, str], PackageAudit]:
        """Audit ``(ecosystem, name, version)`` triples; keys are ``(ecosystem, normalized name, version)``."""
