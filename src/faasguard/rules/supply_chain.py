"""Rules of the `supply-chain` category: what the function runs on and ships with.

Configuration-level rules (FG-SUP-001…009) read the runtime and layers from the
model; runtime lifecycles come from :mod:`faasguard.runtimes`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from faasguard import runtimes
from faasguard.deps.facts import DependencySet, Installed, dependency_sets, public_functions, shipped_by, single_function
from faasguard.deps.interface import Advisory, Dependency
from faasguard.deps.versions import satisfies
from faasguard.findings import Related, Severity
from faasguard.model import Application, Loc
from faasguard.registry import Hit, rule
from faasguard.rules.wording import cdk_runtime, fix, sls_function, tf_function


@rule("FG-SUP-001", category="supply-chain", severity=Severity.HIGH, title="Function runtime is deprecated")
def deprecated_runtime(app: Application) -> Iterator[Hit]:
    """
    The function runs on a runtime its provider has deprecated, or will deprecate
    within about six months.

    A deprecated runtime no longer receives security patches for the language
    or the operating system under it, so known vulnerabilities in the
    interpreter and system libraries stay exploitable; soon after, the provider
    refuses to create or update functions on it, which turns the next urgent fix
    into a migration. High once the deprecation date has passed, medium while it
    is coming.

    Bad:

    ```yaml
    Runtime: python3.8   # deprecated by AWS on 2024-10-14
    ```

    Fix: move to a supported runtime of the same language (`python3.13`,
    `nodejs22.x` …), run the tests, and redeploy. The dates come from the
    providers' published schedules (`faasguard/data/runtimes.json`); pin the scan
    date with `FAASGUARD_TODAY=YYYY-MM-DD` for reproducible reports.
    """
    today = runtimes.today()
    for fn in app.functions:
        entry = runtimes.lifecycle(fn.provider, fn.runtime)
        if entry is None:
            continue
        stage = entry.stage(today)
        if stage is runtimes.Stage.SUPPORTED:
            continue
        target = runtimes.recommended(entry, today)
        move = f"Move {fn.name} to {target}" if target else f"Move {fn.name} to a supported runtime"
        if target and fn.provider == "aws":
            setting = f'runtime = "{target}"'
            move = fix(
                app.format,
                cfn=move,
                cdk=f"Set runtime: lambda.Runtime.{cdk_runtime(target)} on the lambda.Function {fn.name}",
                terraform=f"Set {tf_function(fn.name, setting, setting)}",
                serverless=f"Set {sls_function(fn.name, 'runtime')} (or provider.runtime) to {target}",
            )
        if stage is runtimes.Stage.DEPRECATED:
            message = (
                f"Function {fn.name} runs on {entry.runtime} ({entry.name}), deprecated by {fn.provider.upper()} "
                f"on {entry.deprecated.isoformat()}: it no longer receives security patches"
            )
            severity = Severity.HIGH
        else:
            days = (entry.deprecated - today).days
            message = (
                f"Function {fn.name} runs on {entry.runtime} ({entry.name}), which {fn.provider.upper()} deprecates "
                f"on {entry.deprecated.isoformat()} (in {days} days)"
            )
            severity = Severity.MEDIUM
        yield Hit(
            loc=fn.runtime_loc or fn.loc,
            message=message,
            remediation=f"{move}, run its tests and redeploy before the provider blocks updates on {entry.runtime}",
            resource=fn.name,
            function=fn.name,
            severity=severity,
            key=f"{entry.runtime}:{stage.value}",
        )


# --- Dependencies (FG-SUP-010…039): facts from faasguard.deps.analyzer ------------------------

_SEVERITY = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "medium": Severity.MEDIUM, "low": Severity.LOW}


def _raised(severity: Severity) -> Severity:
    return Severity(min(severity + 1, Severity.CRITICAL))


def _advisory_text(adv: Advisory) -> str:
    aliases = f" ({', '.join(adv.aliases)})" if adv.aliases else ""
    rating = f"CVSS {adv.score} {adv.severity}" if adv.score is not None else (adv.severity or "severity not rated")
    return f"{adv.id}{aliases}{': ' + adv.summary if adv.summary else ''} [{rating}]"


def _upgrade(item: Installed, adv: Advisory, dep_set: DependencySet) -> str:
    dep = item.dependency
    manifest = dep_set.manifests[0].path if dep_set.manifests else item.manifest.path
    where = f"{manifest}" + (f" and regenerate {dep_set.lock.path}" if dep_set.lock else "")
    if adv.fixed:
        how = f"Upgrade {dep.name} to {adv.fixed[0]} or later in {where}"
        if not dep.direct and dep_set.lock is not None:
            how += f" (it is a transitive dependency: upgrade the package that pulls it in, or add an override for {dep.name})"
        return how
    return f"No fixed version of {dep.name} is published: remove or replace it, or mitigate {adv.id} as the advisory describes"


@rule(
    "FG-SUP-010",
    category="supply-chain",
    severity=Severity.HIGH,
    title="Function ships a dependency with a known vulnerability",
)
def vulnerable_dependency(app: Application) -> Iterator[Hit]:
    """
    A package the function ships (from its lock file, or an exact pin) is affected by
    a published advisory (OSV: GHSA, PYSEC, CVE…).

    The package runs inside the function with the function's role, so a flaw in it
    (prototype pollution, deserialization, path traversal…) is a flaw in the
    function. Severity comes from the advisory's CVSS vector (or its database's
    rating) and is raised one level when a function shipping the package has a
    public trigger (API route, function URL).

    Bad (`package-lock.json`):

    ```json
    "node_modules/lodash": { "version": "4.17.15" }
    ```

    Fix: upgrade to the first fixed version the finding names (`npm install lodash@^4.17.21`,
    `poetry add 'jinja2>=2.11.3'`), regenerate the lock file and redeploy. Advisory data
    comes from `faasguard advisories update` (offline) or `--online`.
    """
    for dep_set in dependency_sets(app):
        public = public_functions(app, dep_set)
        for item in dep_set.installed:
            if item.audit is None:
                continue
            for adv in item.audit.advisories:
                if adv.malicious:
                    continue
                severity = _SEVERITY.get(adv.severity or "", Severity.MEDIUM)
                exposure = ""
                if public:
                    severity = _raised(severity)
                    exposure = f" ({', '.join(public)} behind a public trigger)"
                fixed = f"; first fixed in {adv.fixed[0]}" if adv.fixed else "; no fixed version published"
                yield Hit(
                    loc=item.loc,
                    message=f"{item.dependency.name} {item.dependency.version} is affected by {_advisory_text(adv)}{fixed}; "
                    f"{shipped_by(dep_set)}{exposure}",
                    remediation=_upgrade(item, adv, dep_set),
                    resource=item.label,
                    function=single_function(dep_set),
                    severity=severity,
                    key=f"{item.label}:{adv.id}",
                )


@rule("FG-SUP-011", category="supply-chain", severity=Severity.CRITICAL, title="Function ships a known malicious package")
def malicious_dependency(app: Application) -> Iterator[Hit]:
    """
    A package the function ships is listed as malicious (OSV `MAL-` records: typosquats,
    hijacked maintainer accounts, packages that steal credentials on install or import).

    Such a package was published to attack its users; it typically reads environment
    variables (the function's AWS credentials), exfiltrates data, or opens a shell.

    Fix: remove the package, rotate every credential the function and the build machines
    that installed it could reach, and check the lock file for how it got in.
    """
    for dep_set in dependency_sets(app):
        for item in dep_set.installed:
            if item.audit is None:
                continue
            for adv in item.audit.advisories:
                if not adv.malicious:
                    continue
                yield Hit(
                    loc=item.loc,
                    message=f"{item.dependency.name} {item.dependency.version} is a known malicious package "
                    f"({_advisory_text(adv)}); {shipped_by(dep_set)}",
                    remediation=f"Remove {item.dependency.name} from {item.manifest.path}, rotate the credentials of the "
                    "function's role and of every machine that installed it, and find which dependency pulled it in",
                    resource=item.label,
                    function=single_function(dep_set),
                    key=f"{item.label}:{adv.id}",
                )


@rule(
    "FG-SUP-012",
    category="supply-chain",
    severity=Severity.LOW,
    title="Shipped dependencies could not be checked for vulnerabilities",
)
def unaudited_dependencies(app: Application) -> Iterator[Hit]:
    """
    Some packages a function ships were **not** checked against advisory data, so the
    absence of vulnerability findings says nothing about them.

    Causes: no advisory data for the ecosystem (run `faasguard advisories update`),
    the online service could not be reached, the package has no exact version (no lock
    file), or it comes from git, a URL or a local path rather than the registry.

    Fix: fetch advisory data, commit a lock file, and install from the registry, so that
    every shipped package can be audited.
    """
    for dep_set in dependency_sets(app):
        missing = [i for i in dep_set.installed if i.unaudited_reason]
        if not missing:
            continue
        by_reason: dict[str, list[str]] = {}
        for item in missing:
            reason = item.unaudited_reason.split(" (", 1)[0] if item.dependency.origin != "registry" else item.unaudited_reason
            by_reason.setdefault(reason, []).append(item.label)
        parts = []
        for reason, labels in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
            shown = ", ".join(labels[:6]) + (f" and {len(labels) - 6} more" if len(labels) > 6 else "")
            parts.append(f"{reason}: {shown}")
        yield Hit(
            loc=Loc(dep_set.anchor.path, 1),
            message=f"{len(missing)} of {len(dep_set.installed)} packages in {dep_set.anchor.path} were NOT checked for "
            f"known vulnerabilities ({'; '.join(parts)}); {shipped_by(dep_set)}",
            remediation="Run `faasguard advisories update` (or scan with --online), commit a lock file, "
            "and install packages from the registry so every shipped package can be audited",
            resource=dep_set.anchor.path,
            function=single_function(dep_set),
            key=f"{dep_set.anchor.path}:unaudited",
        )


@rule(
    "FG-SUP-020",
    category="supply-chain",
    severity=Severity.MEDIUM,
    title="Dependencies are not pinned and there is no lock file",
)
def unpinned_dependencies(app: Application) -> Iterator[Hit]:
    """
    A manifest declares version ranges (`requests>=2`, `"lodash": "^4.17.0"`, no version
    at all) and no lock file pins what gets installed.

    Every build may ship different code: a compromised or broken new release (the
    event-stream and ua-parser-js incidents) reaches the function on the next deploy
    without any change in the repository, and nothing can be audited because the
    installed versions are unknown.

    Bad (`requirements.txt`): `requests>=2.20`

    Fix: commit a lock file (`npm install` writes `package-lock.json`; `poetry lock`,
    `uv lock`, `pip-compile --generate-hashes`), or pin exact versions (`requests==2.32.3`).
    """
    for dep_set in dependency_sets(app):
        if dep_set.lock is not None:
            continue
        for manifest in dep_set.manifests:
            loose = [d for d in manifest.shipped if d.origin == "registry" and not d.version]
            if not loose:
                continue
            first = loose[0]
            names = ", ".join(f"{d.name} {d.spec or '(any version)'}" for d in loose[:6])
            more = f" and {len(loose) - 6} more" if len(loose) > 6 else ""
            yield Hit(
                loc=Loc(first.file or manifest.path, first.line),
                message=f"{manifest.path} leaves {len(loose)} dependencies unpinned with no lock file ({names}{more}); "
                f"{shipped_by(dep_set)}",
                remediation="Commit a lock file next to the manifest (package-lock.json, poetry.lock, uv.lock) "
                "or pin exact versions with hashes (pip-compile --generate-hashes)",
                resource=manifest.path,
                function=single_function(dep_set),
                related=tuple(Related(d.file or manifest.path, d.line, f"{d.name} {d.spec or 'unpinned'}") for d in loose[1:20]),
                key=f"{manifest.path}:unpinned",
            )


_SYNC_PAIRS = {"package-json": {"package-lock", "yarn-lock", "pnpm-lock"}, "pyproject": {"poetry-lock", "uv-lock"}}


@rule("FG-SUP-021", category="supply-chain", severity=Severity.MEDIUM, title="Lock file is out of sync with its manifest")
def lock_out_of_sync(app: Application) -> Iterator[Hit]:
    """
    A dependency the manifest declares is missing from the lock file, or the lock pins a
    version outside the declared range.

    The manifest was edited without regenerating the lock: `npm ci` refuses such a
    lock, while `npm install` or `pip install -r` silently resolve something else, so
    what is deployed is neither what was reviewed nor what was audited.

    Fix: regenerate the lock (`npm install`, `poetry lock`, `uv lock`) and commit both files together.
    """
    for dep_set in dependency_sets(app):
        lock = dep_set.lock
        if lock is None:
            continue
        for manifest in dep_set.manifests:
            if lock.kind not in _SYNC_PAIRS.get(manifest.kind, set()):
                continue
            for dep in manifest.dependencies:
                if dep.origin != "registry":
                    continue
                locked = dep_set.locked_versions(dep.name)
                if not locked:
                    if dep.optional:
                        continue  # optional and peer dependencies may legitimately be absent
                    problem = f"declares {dep.name} {dep.spec or ''}".rstrip() + f" but {lock.path} does not lock it"
                elif dep.spec and not any(satisfies(dep_set.ecosystem, v, dep.spec) for v in locked):
                    problem = f"declares {dep.name} {dep.spec} but {lock.path} locks {', '.join(sorted(set(locked)))}"
                else:
                    continue
                yield Hit(
                    loc=Loc(manifest.path, dep.line),
                    message=f"{manifest.path} {problem}; {shipped_by(dep_set)}",
                    remediation=f"Regenerate {lock.path} from {manifest.path} and commit both together",
                    resource=dep.name,
                    function=single_function(dep_set),
                    key=f"{manifest.path}:{dep.name}:sync",
                )


@rule("FG-SUP-022", category="supply-chain", severity=Severity.LOW, title="Dependency runs an install script")
def install_script(app: Application) -> Iterator[Hit]:
    """
    The lock file marks a package with `hasInstallScript` (npm) or `requiresBuild` (pnpm):
    its `preinstall`/`install`/`postinstall` script runs on every machine that installs it.

    Install scripts are the usual payload of malicious and hijacked packages: they run
    with the build machine's credentials (often deploy credentials) before any code
    review or test.

    Fix: install with `npm ci --ignore-scripts` (or `pnpm install --ignore-scripts`) and
    allow scripts only for packages that need them, after reviewing them.
    """
    for dep_set in dependency_sets(app):
        if dep_set.lock is None:
            continue
        for dep in dep_set.lock.dependencies:
            if not dep.install_script:
                continue
            label = f"{dep.name}@{dep.version}" if dep.version else dep.name
            yield Hit(
                loc=Loc(dep_set.lock.path, dep.line),
                message=f"{label} runs an install script on every `npm install`/`npm ci` of {dep_set.lock.path} "
                f"({'dev dependency; ' if dep.dev else ''}{shipped_by(dep_set)})",
                remediation=f"Install with --ignore-scripts and allow the script of {dep.name} only after reviewing it",
                resource=label,
                function=single_function(dep_set),
                key=f"{dep_set.lock.path}:{dep.name}:script",
            )


def _direct_sources(dep_set: DependencySet) -> Iterator[tuple[Dependency, str]]:
    seen: set[str] = set()
    files = [*dep_set.manifests, *([dep_set.lock] if dep_set.lock else [])]
    for manifest in files:
        for dep in manifest.dependencies:
            if dep.origin in ("git", "url") or (dep.url or "").lower().startswith("http://"):
                if dep.name in seen:
                    continue
                seen.add(dep.name)
                yield dep, manifest.path


@rule(
    "FG-SUP-023",
    category="supply-chain",
    severity=Severity.MEDIUM,
    title="Dependency is installed from git or a URL, not a registry",
)
def url_dependency(app: Application) -> Iterator[Hit]:
    """
    A dependency is fetched from a git repository or an arbitrary URL instead of the
    package registry.

    Such code has no registry version, so no advisory applies to it and nothing is
    audited; a branch or tag can be moved to new code at any time, and the repository's
    owner (or whoever takes it over) decides what the function ships.

    Fix: depend on a published release from the registry; if a fork is unavoidable,
    pin the full commit hash and publish it to a private registry.
    """
    for dep_set in dependency_sets(app):
        for dep, path in _direct_sources(dep_set):
            url = dep.url or ""
            if url.lower().startswith("http://"):
                continue  # FG-SUP-024
            pinned = bool(re.search(r"[#@/][0-9a-f]{40}\b", url))
            yield Hit(
                loc=Loc(dep.file or path, dep.line),
                message=f"{dep.name} is installed from {dep.origin} {url or '(unknown source)'}"
                f"{' pinned to a commit' if pinned else ' without a commit pin'}, outside the registry and its advisories; "
                f"{shipped_by(dep_set)}",
                remediation=f"Depend on a published release of {dep.name} from the registry, or pin the full commit hash",
                resource=dep.name,
                function=single_function(dep_set),
                severity=Severity.LOW if pinned else None,
                key=f"{path}:{dep.name}:url",
            )


@rule("FG-SUP-024", category="supply-chain", severity=Severity.HIGH, title="Dependency is downloaded over plain HTTP")
def http_dependency(app: Application) -> Iterator[Hit]:
    """
    A dependency (or the registry it resolves from) is fetched over `http://`.

    Anyone on the network path of the build machine can replace the package with
    their own code, which then ships in the function.

    Fix: use an `https://` URL (and a lock file with integrity hashes).
    """
    for dep_set in dependency_sets(app):
        registries: dict[tuple[str, str], list[tuple[Dependency, str]]] = {}
        for dep, path in _direct_sources(dep_set):
            url = dep.url or ""
            if not url.lower().startswith("http://"):
                continue
            if dep.origin == "registry":
                # A whole registry over HTTP: one finding per lock file and host, not one per package.
                host = url.split("/")[2] if url.count("/") >= 2 else url
                registries.setdefault((path, host), []).append((dep, path))
                continue
            yield Hit(
                loc=Loc(dep.file or path, dep.line),
                message=f"{dep.name} is downloaded over plain HTTP ({url}); {shipped_by(dep_set)}",
                remediation=f"Fetch {dep.name} over https:// and keep an integrity hash in the lock file",
                resource=dep.name,
                function=single_function(dep_set),
                key=f"{path}:{dep.name}:http",
            )
        for (path, host), deps in sorted(registries.items()):
            first = deps[0][0]
            names = ", ".join(d.name for d, _ in deps[:5]) + (f" and {len(deps) - 5} more" if len(deps) > 5 else "")
            yield Hit(
                loc=Loc(path, first.line),
                message=f"{len(deps)} packages in {path} resolve from the registry http://{host} over plain HTTP "
                f"({names}); {shipped_by(dep_set)}",
                remediation=f"Point the registry at https://{host} (.npmrc / pip.conf) and regenerate {path}",
                resource=f"http://{host}",
                function=single_function(dep_set),
                key=f"{path}:{host}:http-registry",
            )


@rule(
    "FG-SUP-025",
    category="supply-chain",
    severity=Severity.MEDIUM,
    title="Dependency name is one typo away from a popular package",
)
def typosquat(app: Application) -> Iterator[Hit]:
    """
    A shipped package's name differs by a single character (added, missing, changed or
    swapped) from a very popular package, e.g. `reqeusts` for `requests` or `lodahs` for `lodash`.

    Typosquats are a common way to get malicious code installed: the name is typed
    wrong once, the attacker's package installs and usually works like the real one.

    Fix: check that the package is the one intended; if it is a typo, replace it with
    the popular package and rotate any credentials the function or build machine held.
    """
    for dep_set in dependency_sets(app):
        items = {i.dependency.name: i for i in dep_set.installed}
        for name, target in dep_set.typosquats:
            item = items.get(name)
            if item is None:
                continue
            yield Hit(
                loc=item.loc,
                message=f"{name} is one edit away from the popular package {target}: possible typosquat; {shipped_by(dep_set)}",
                remediation=f"Confirm that {name} is intended; if not, replace it with {target} and rotate exposed credentials",
                resource=item.label,
                function=single_function(dep_set),
                key=f"{dep_set.anchor.path}:{name}:typo",
            )


@rule("FG-SUP-026", category="supply-chain", severity=Severity.LOW, title="Function bundles the whole AWS SDK for JavaScript v2")
def aws_sdk_v2(app: Application) -> Iterator[Hit]:
    """
    The function's `package.json` depends on `aws-sdk`, the monolithic v2 SDK, instead
    of the modular v3 clients (`@aws-sdk/client-s3` …).

    v2 reached end of support in September 2025 (no more security fixes), and bundling
    all of it adds tens of megabytes to the deployment package, which slows cold starts.

    Fix: replace `aws-sdk` with the v3 clients the code uses, e.g.
    `import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3"`.
    """
    for dep_set in dependency_sets(app):
        if dep_set.ecosystem != "npm":
            continue
        for manifest in dep_set.manifests:
            for dep in manifest.shipped:
                if dep.name != "aws-sdk":
                    continue
                yield Hit(
                    loc=Loc(manifest.path, dep.line),
                    message=f"{manifest.path} bundles the whole AWS SDK for JavaScript v2 "
                    f"(aws-sdk {dep.spec or dep.version or ''}); {shipped_by(dep_set)}",
                    remediation="Replace aws-sdk with the modular v3 clients the code calls (@aws-sdk/client-s3, "
                    "@aws-sdk/client-dynamodb …)",
                    resource="aws-sdk",
                    function=single_function(dep_set),
                    key=f"{manifest.path}:aws-sdk",
                )
