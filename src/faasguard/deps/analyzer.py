"""The dependency analyzer: which packages each function ships, and what the advisory data says.

1. Parse every manifest and lock file discovery found (one source module per format).
2. Group them into *dependency sets*: one per directory and ecosystem, with the
   lock as the truth about installed versions and the manifests as declarations.
3. Attach each set to the functions that ship it: the function's code directory
   holds the set, or the set is the nearest one above the code directory (a
   monorepo root ``package.json`` bundled by esbuild). Only sets of the
   function's language are attached when its runtime is known.
4. Audit every shipped, exactly-versioned registry package with the vulnerability
   service; anything that could not be audited is recorded as such.

Sets no function ships are still checked, in an ``Application(format="manifest")``.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from faasguard import cache, installed, limits
from faasguard.deps import installed_dist, source_for, source_for_path
from faasguard.deps.facts import DependencySet, Installed
from faasguard.deps.interface import (
    INSTALLED,
    Ecosystem,
    Manifest,
    PackageAudit,
    ParseError,
    VulnerabilityService,
    normalize,
)
from faasguard.deps.osv_local import LocalOsvService
from faasguard.deps.typosquat import imitates
from faasguard.interfaces import AnalysisResult
from faasguard.model import Application, Function
from faasguard.parallel import fork_map

MAX_MANIFEST_BYTES = 50 * 2**20
Parsed = tuple[Manifest | None, AnalysisResult]  # one file's manifest (None: not read), and what to report
# When a directory has several locks, the one its tool would use; the others are reported as extra. Packages
# installed into the directory itself (pip install -t) are what ships from it, whatever a lock says.
LOCK_PRIORITY = (INSTALLED, "package-lock", "pnpm-lock", "yarn-lock", "poetry-lock", "uv-lock", "pipfile-lock")
MANIFEST_PRIORITY = ("package-json", "pyproject", "requirements")


def advisory_service(advisory_db: Path | None = None, online: bool = False, api: str | None = None) -> VulnerabilityService:
    """The advisory source the user chose: a local OSV directory (default), or the OSV API with ``--online``."""
    if online:
        from faasguard.deps.osv_online import DEFAULT_API, OsvOnlineService

        return OsvOnlineService(api or DEFAULT_API)
    return LocalOsvService(advisory_db)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _runtime_ecosystem(fn: Function) -> Ecosystem | None:
    runtime = (fn.runtime or "").lower()
    if runtime.startswith("python"):
        return "PyPI"
    if runtime.startswith("node"):
        return "npm"
    return None


class DependencyAnalyzer:
    name = "dependencies"

    def __init__(self, service: VulnerabilityService, jobs: int | None = 1) -> None:
        self.service = service
        self.jobs = jobs

    def analyze(
        self, apps: list[Application], root: Path, files: list[Path], read: Sequence[Parsed] | None = None
    ) -> AnalysisResult:
        """``read``: :meth:`read` of each of :meth:`to_read`'s files, when the caller ran it (see
        :class:`faasguard.interfaces.FileReader`); otherwise they are read here."""
        result = AnalysisResult()
        manifests = _without_left_overs(root, self._parse_all(root, files, result, read), result)
        if not manifests:
            return result
        sets = self._group(manifests)
        owners = self._attach(apps, root, sets)
        service = self.service
        sets = self._audit(sets, service)
        status = service.status()
        for message in status.warnings:
            result.warnings.append(("advisories", message))
        unaudited = sum(1 for s in sets.values() for i in s.installed if i.audit is None or not i.audit.audited)
        if unaudited:
            result.warnings.append(
                ("advisories", f"{unaudited} shipped packages could NOT be checked for known vulnerabilities "
                 "(see the FG-SUP-012 findings for which and why)")
            )
        for key, dep_set in sorted(sets.items()):
            users = owners.get(key, [])
            if not users:
                app = Application(root=root, format="manifest", source=dep_set.anchor.path)
                app.dependencies[""] = (dep_set,)
                result.applications.append(app)
                continue
            for app, fn in users:
                shipped = replace(dep_set, functions=tuple(sorted({f.name for a, f in users if a is app})))
                app.dependencies[fn.name] = (*app.dependencies.get(fn.name, ()), shipped)
        return result

    # -- 1. parse --------------------------------------------------------------------------
    def to_read(self, root: Path, files: list[Path]) -> list[Path]:
        """The manifests and lock files among ``files``."""
        named: dict[str, bool] = {}  # whether a source wants each file name (most files are none's)
        wanted = []
        for path in files:
            maybe = named.get(path.name)
            if maybe is None:
                maybe = named[path.name] = source_for(path.name) is not None
            if maybe and source_for_path(path) is not None:
                wanted.append(path)
        return wanted

    def read(self, root: Path, path: Path) -> Parsed:
        """One manifest or lock file parsed (None when it could not be), with its errors, warnings and the files it read."""
        return _parse_one(root, path)

    def _parse_all(
        self, root: Path, files: list[Path], result: AnalysisResult, read: Sequence[Parsed] | None = None
    ) -> list[Manifest]:
        if read is None:  # parsed on every core; each worker returns its file's manifest (or None) and what to report
            read = fork_map(lambda path: _parse_one(root, path), self.to_read(root, files), self.jobs, min_items=64)
        out = []
        for manifest, parsed in read:
            result.errors.extend(parsed.errors)
            result.warnings.extend(parsed.warnings)
            result.files_read.update(parsed.files_read)
            if manifest is not None:
                out.append(manifest)
        # A requirements file included by another one is part of that one, not a project of its own.
        included = {inc for m in out for inc in m.includes}
        return [m for m in out if m.path not in included]

    # -- 2. group --------------------------------------------------------------------------
    def _group(self, manifests: list[Manifest]) -> dict[tuple[str, str], DependencySet]:
        by_dir: dict[tuple[str, str], list[Manifest]] = defaultdict(list)
        for manifest in manifests:
            by_dir[(manifest.directory, manifest.ecosystem)].append(manifest)
        # A layer's packages are installed into its python/ folder (the layout sam build makes) or its
        # python/lib/python3.X/site-packages/, beside the requirements they come from: they are what those
        # requirements ship, so they join that folder's set.
        for directory, ecosystem in list(by_dir):
            layer = installed.layer_of(directory)
            if layer is None:
                continue
            parent = (layer, ecosystem)
            group = by_dir[(directory, ecosystem)]
            if parent in by_dir and all(m.kind == INSTALLED for m in group) and all(m.kind != INSTALLED for m in by_dir[parent]):
                by_dir[parent].extend(by_dir.pop((directory, ecosystem)))
        sets = {}
        for (directory, ecosystem), group in by_dir.items():
            pip_installed = [m for m in group if m.kind == INSTALLED]
            if pip_installed:  # one metadata file per distribution: together, the lock of the folder they were installed into
                group = [m for m in group if m.kind != INSTALLED] + [installed_dist.merge(pip_installed)]
            locks = sorted((m for m in group if m.is_lock), key=lambda m: LOCK_PRIORITY.index(m.kind))
            declared = sorted(
                (m for m in group if not m.is_lock), key=lambda m: (MANIFEST_PRIORITY.index(m.kind), m.path)
            )
            lock = locks[0] if locks else None
            eco: Ecosystem = "PyPI" if ecosystem == "PyPI" else "npm"
            sets[(directory, ecosystem)] = DependencySet(
                directory, eco, tuple(declared), lock, (), extra_locks=tuple(locks[1:])
            )
        return sets

    # -- 3. attach -------------------------------------------------------------------------
    def _attach(
        self, apps: list[Application], root: Path, sets: dict[tuple[str, str], DependencySet]
    ) -> dict[tuple[str, str], list[tuple[Application, Function]]]:
        owners: dict[tuple[str, str], list[tuple[Application, Function]]] = defaultdict(list)
        attached: set[tuple[tuple[str, str], int, int]] = set()
        index = _SetIndex(sets)
        for app in apps:
            for fn in app.functions:
                # What the function ships: its own code, and the content of every layer it uses.
                shipped = [fn.code_dir, *(app.layers[layer] for layer in fn.layers if layer in app.layers)]
                wanted = _runtime_ecosystem(fn)
                for directory in shipped:
                    if directory is None:
                        continue
                    code = _rel(directory, root)
                    if code.startswith("/") or code.startswith(".."):
                        continue  # code outside the scanned tree
                    code = "" if code == "." else code
                    for ecosystem in ("PyPI", "npm"):
                        if wanted is not None and wanted != ecosystem:
                            continue
                        for key in index.sets_for(code, ecosystem):
                            if (key, id(app), id(fn)) not in attached:
                                attached.add((key, id(app), id(fn)))
                                owners[key].append((app, fn))
        return owners

    # -- 4. audit --------------------------------------------------------------------------
    def _audit(
        self, sets: dict[tuple[str, str], DependencySet], service: VulnerabilityService
    ) -> dict[tuple[str, str], DependencySet]:
        shipped: dict[tuple[str, str], list[Installed]] = {}
        queries: list[tuple[Ecosystem, str, str]] = []
        for key, dep_set in sets.items():
            shipped[key] = _shipped(dep_set)
            queries += [
                (i.dependency.ecosystem, i.dependency.name, i.dependency.version)
                for i in shipped[key]
                if not i.unaudited_reason and i.dependency.version
            ]
        answers = service.audit(queries) if queries else {}
        out = {}
        for key, dep_set in sets.items():
            installed = []
            for item in shipped[key]:
                dep = item.dependency
                audit: PackageAudit | None = None
                if not item.unaudited_reason and dep.version:
                    audit = answers.get((dep.ecosystem, normalize(dep.ecosystem, dep.name), dep.version))
                reason = item.unaudited_reason or (audit.reason if audit is not None and not audit.audited else "")
                installed.append(Installed(dep, item.manifest, audit, reason))  # every field: cheaper than replace()
            squats = sorted(
                {(i.dependency.name, target) for i in installed if (target := imitates(dep_set.ecosystem, i.dependency.name))}
            )
            out[key] = replace(dep_set, installed=tuple(installed), typosquats=tuple(squats))
        return out


def _without_left_overs(root: Path, manifests: list[Manifest], result: AnalysisResult) -> list[Manifest]:
    """``pip install -t DIR --upgrade`` leaves the old version's metadata beside the new one's (pypa/pip#13763).
    When the RECORD of exactly one of them matches the files in DIR, that one is installed and the others are
    left-overs, named in a warning; when none or several match, all stay (and :func:`_shipped` says which one is
    installed is unknown)."""
    by_name: dict[tuple[str, str], list[Manifest]] = defaultdict(list)
    for manifest in manifests:
        if manifest.kind == INSTALLED:
            by_name[(manifest.directory, normalize("PyPI", manifest.dependencies[0].name))].append(manifest)
    left_over: set[str] = set()
    for (directory, name), group in sorted(by_name.items()):
        if len({m.dependencies[0].version for m in group}) < 2:
            continue
        current = installed.current_of([(root / m.path).parent for m in group])
        if current is None:
            continue
        kept = next(m for m in group if (root / m.path).parent == current)
        for manifest in group:
            if manifest is not kept:
                left_over.add(manifest.path)
                folder = manifest.path.rpartition("/")[0]
                result.warnings.append((manifest.path, (
                    f"left over from an earlier install: {name} {kept.dependencies[0].version} is what is installed in "
                    f"{directory or '.'} (the files there are those its RECORD lists), not "
                    f"{manifest.dependencies[0].version}; delete {folder} so that no tool reports the old version")))
    return [m for m in manifests if m.path not in left_over]


def _parse_one(root: Path, path: Path) -> Parsed:
    """One manifest or lock file parsed, with its errors, warnings and the files it read."""
    result = AnalysisResult()
    source = source_for_path(path)
    assert source is not None
    rel = _rel(path, root)
    if not limits.inside(path, root):
        result.errors.append((rel, limits.outside_message(rel, "file")))
        return None, result
    try:
        text = limits.read_text(path, MAX_MANIFEST_BYTES)  # looks before it reads: a regular file, not too big
    except limits.NotRegularFile as exc:  # before OSError: a named pipe is both
        result.errors.append((rel, str(exc)))
        return None, result
    except limits.LimitExceeded:
        result.errors.append((rel, f"over {MAX_MANIFEST_BYTES // 2**20} MB; not read as a {source.kind}"))
        return None, result
    except OSError as exc:
        result.errors.append((rel, f"could not be read: {exc.strerror or exc}"))
        return None, result
    except UnicodeDecodeError:
        result.errors.append((rel, f"not valid UTF-8; not read as a {source.kind}"))
        return None, result
    result.files_read.add(rel)
    try:
        with limits.time_budget():
            if source.reads_other_files:
                manifest = source.parse(path, text, rel)
            else:
                manifest = cache.memo("deps", f"{source.kind}\0{rel}\0{text}", lambda: source.parse(path, text, rel))
    except limits.FileTimeout:
        result.errors.append((rel, limits.timeout_message() + "; its dependencies were not checked"))
        return None, result
    except ParseError as exc:
        result.errors.append((rel, f"{exc}; its dependencies were not checked"))
        return None, result
    except RecursionError:
        result.errors.append((rel, "nesting too deep to analyse; its dependencies were not checked"))
        return None, result
    except Exception as exc:  # a parser bug must not end the scan
        message = f"internal error while reading dependencies ({type(exc).__name__}: {exc}); please report it"
        result.errors.append((rel, message))
        return None, result
    result.files_read.update(manifest.includes)
    result.warnings.extend((rel, w) for w in manifest.warnings)
    return manifest, result


class _SetIndex:
    """Which dependency sets a function with code directory ``code`` ships: those inside it (only the
    shallowest level: deeper sets usually belong to nested tools, e.g. tests/, cdk/), or else the
    nearest one above it. The directories of each ecosystem are kept sorted, so the sets inside a
    directory are one slice of them."""

    def __init__(self, sets: dict[tuple[str, str], DependencySet]) -> None:
        self.keys = set(sets)
        self.installed = {key for key, dep_set in sets.items() if dep_set.lock is not None and dep_set.lock.kind == INSTALLED}
        self.sorted: dict[str, list[str]] = defaultdict(list)
        for directory, ecosystem in sorted(sets):
            self.sorted[ecosystem].append(directory)

    def sets_for(self, code: str, ecosystem: str) -> list[tuple[str, str]]:
        directories = self.sorted.get(ecosystem, [])
        if code == "":
            inside = directories
        else:
            inside = [code] if (code, ecosystem) in self.keys else []
            prefix = code + "/"
            start = bisect.bisect_left(directories, prefix)
            for directory in itertools.islice(directories, start, None):
                if not directory.startswith(prefix):
                    break
                inside.append(directory)
        if inside:
            depth = min(d.count("/") + (d != "") for d in inside)
            chosen = [(d, ecosystem) for d in inside if d.count("/") + (d != "") == depth]
            # Packages pip installed anywhere in the code directory are in its zip, however deep (a layer's python/).
            return chosen + [(d, ecosystem) for d in inside if (d, ecosystem) in self.installed and (d, ecosystem) not in chosen]
        parts = code.split("/") if code else []
        while parts:
            parts.pop()
            parent = "/".join(parts)
            if (parent, ecosystem) in self.keys:
                return [(parent, ecosystem)]
        return []


def _shipped(dep_set: DependencySet) -> list[Installed]:
    """The packages a function gets: the lock's non-dev entries, or the manifests' pins when there is no lock."""
    declared = {normalize(dep_set.ecosystem, d.name) for m in dep_set.manifests for d in m.dependencies}
    out: list[Installed] = []
    seen: set[tuple[str, str | None]] = set()
    if dep_set.lock is not None:
        source = dep_set.lock
        deps = [
            d if d.direct or normalize(d.ecosystem, d.name) not in declared else replace(d, direct=True)
            for d in source.dependencies
        ]
        pairs = [(d, source) for d in deps if not d.dev]
    else:
        pairs = [(d, m) for m in dep_set.manifests for d in m.dependencies if not d.dev]
    versions: dict[str, set[str]] = defaultdict(set)  # of each package installed with pip install -t
    folder = ""
    if dep_set.lock is not None and dep_set.lock.kind == INSTALLED:
        folder = dep_set.lock.directory or "."
        for dep in dep_set.lock.dependencies:
            versions[normalize(dep.ecosystem, dep.name)].add(dep.version or "")
    for dep, manifest in pairs:
        ident = (normalize(dep.ecosystem, dep.name), dep.version)
        if ident in seen:
            continue
        seen.add(ident)
        reason = ""
        if len(versions.get(ident[0], ())) > 1:
            reason = (f"metadata of {len(versions[ident[0]])} versions ({', '.join(sorted(versions[ident[0]]))}) is installed "
                      f"in {folder} and whose files are there could not be told")
        elif dep.origin != "registry":
            reason = f"installed from {dep.origin} ({dep.url}), not from the registry: no advisory data applies"
        elif not dep.version:
            reason = f"no exact version ({dep.spec or 'any version'}) and no lock file"
        out.append(Installed(dep, manifest, None, reason))
    return sorted(out, key=lambda i: (i.dependency.name.lower(), i.dependency.version or ""))

