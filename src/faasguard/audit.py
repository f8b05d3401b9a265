"""One live-account audit, end to end: collect → build the model → analyse code → rules → filter.

The counterpart of :mod:`faasguard.scan` for ``faasguard audit``. Each account × region
is a *shard* with a normal :class:`~faasguard.interfaces.ScanResult` (and so a normal JSON
report); :func:`faasguard.merge.merge` joins shards into one result. Findings whose input
could not be read (a denied call) are held back with a warning instead of being guessed.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faasguard import suppress
from faasguard.findings import Finding
from faasguard.interfaces import ScanOptions, ScanResult
from faasguard.loaders.aws_live.collect import Options, Snapshot, collect
from faasguard.loaders.aws_live.session import Caller, Problems, client_config, open_session
from faasguard.model import Application
from faasguard.scan import run_rules, selected_rules

# What a rule would wrongly claim missing when a collector could not read it: topic → rule ids.
GAP_RULES: dict[str, frozenset[str]] = {
    "log-groups": frozenset({"FG-MON-002"}),
    "alarms": frozenset({"FG-MON-003"}),
    "invoke-config": frozenset({"FG-MON-004"}),
    "concurrency": frozenset({"FG-RES-003"}),
    "api-stages": frozenset({"FG-RES-004", "FG-MON-005", "FG-MON-006"}),
    "usage-plans": frozenset({"FG-RES-004"}),
    "vpc-endpoints": frozenset({"FG-NET-004"}),
    # Least-privilege advice for a role that functions outside this shard (another region, or not
    # selected with --function) or other services also use would break them.
    "role-shared": frozenset({"FG-IAM-030", "FG-IAM-032"}),
}


class AuditError(Exception):
    """The audit cannot start (no credentials, unknown profile, bad accounts file); a sentence for the user."""


@dataclass(frozen=True)
class Account:
    """One account to audit: the default credentials, or a role to assume in it."""

    account_id: str | None = None
    role_arn: str | None = None
    external_id: str | None = None
    regions: tuple[str, ...] = ()


@dataclass
class AuditOptions:
    profile: str | None = None
    regions: tuple[str, ...] = ()
    all_regions: bool = False
    accounts: tuple[Account, ...] = (Account(),)
    collect: Options = field(default_factory=Options)
    scan: ScanOptions = field(default_factory=ScanOptions)


@dataclass
class Shard:
    account: str
    region: str
    result: ScanResult
    calls: int = 0
    operations: frozenset[tuple[str, str]] = frozenset()  # (service, operation) called


Progress = Callable[[int, int], None]


def audit(
    options: AuditOptions,
    progress: Progress | None = None,
    clients: Callable[[str, str], dict[str, Any]] | None = None,
) -> list[Shard]:
    """Audit every account × region; one shard each. ``clients(account, region)`` lets tests inject stubbed clients."""
    shards: list[Shard] = []
    code_root = None
    if options.collect.with_code and options.collect.code_dir is None:
        code_root = tempfile.TemporaryDirectory(prefix="faasguard-audit-")
        options.collect.code_dir = Path(code_root.name)
    try:
        for account in options.accounts:
            shards.extend(_audit_account(account, options, progress, clients))
    finally:
        if code_root is not None:
            code_root.cleanup()
            options.collect.code_dir = None
    return shards


def _audit_account(
    account: Account, options: AuditOptions, progress: Progress | None, clients: Callable[[str, str], dict[str, Any]] | None
) -> list[Shard]:
    from botocore.exceptions import BotoCoreError, ClientError

    started = time.perf_counter()
    try:
        session = open_session(options.profile, account.role_arn, account.external_id)
        identity = session.client("sts", config=client_config(1)).get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        who = f"account {account.account_id} (role {account.role_arn})" if account.role_arn else "the default account"
        raise AuditError(f"cannot open a session for {who}: {exc}") from None
    account_id = str(identity["Account"])
    partition = str(identity.get("Arn", "arn:aws:")).split(":")[1] or "aws"
    if account.account_id and account.account_id != account_id:
        raise AuditError(f"the credentials for account {account.account_id} belong to account {account_id}")
    regions = account.regions or options.regions
    if options.all_regions and not account.regions:
        ec2 = session.client("ec2", region_name=session.region_name or "us-east-1", config=client_config(1))
        try:
            regions = tuple(sorted(r["RegionName"] for r in ec2.describe_regions()["Regions"]))
        except (BotoCoreError, ClientError) as exc:
            raise AuditError(f"--all-regions needs ec2:DescribeRegions ({exc}); name the regions with --region") from None
    if not regions:
        if not session.region_name:
            raise AuditError("no region: give --region (repeatable) or --all-regions, or set one in the profile")
        regions = (session.region_name,)
    config = client_config(options.collect.workers)
    snapshots = {r: Snapshot(account_id, r, partition, problems=Problems()) for r in regions}
    callers = {
        r: Caller(session, r, snapshots[r].problems, config, clients(account_id, r) if clients else None) for r in regions
    }
    collect(callers, snapshots, options.collect, progress)
    elapsed = time.perf_counter() - started
    return [
        Shard(
            account_id, r, shard_result(snapshots[r], options, elapsed / len(regions)), callers[r].calls,
            frozenset(callers[r].operations),
        )
        for r in regions
    ]


def shard_result(snap: Snapshot, options: AuditOptions, collect_s: float = 0.0) -> ScanResult:
    """Build the model of one snapshot, analyse its code (``--with-code``), run the rules, apply the filters."""
    from faasguard.loaders.aws_live.build import IGNORE_TAG, build

    started = time.perf_counter()
    root = options.collect.code_dir or Path.cwd()
    app = build(snap, root, options.collect.last_accessed_days)
    apps = [app]
    _shared_roles(snap, app)
    errors = set(snap.problems.errors)
    warnings: set[tuple[str, str]] = set()
    files_read = 0
    if options.collect.with_code and options.collect.code_dir is not None:
        files_read, more = _analyse_code(apps, options)
        for kind, path, message in more:
            (errors if kind == "error" else warnings).add((path, message))
    else:
        from faasguard.iam.analyzer import IamAnalyzer

        analysis = IamAnalyzer().analyze(apps, root, [])
        errors.update(analysis.errors)
    rules = selected_rules(options.scan)
    found, skipped = run_rules(apps, rules)
    found, gap_warnings = hold_back(found, snap)
    warnings.update(gap_warnings)
    outcome = suppress.apply(found, root, options.scan.baseline)
    suppressions = [
        *outcome.suppressed,
        *(suppress.Suppressed(f, "source", f"{IGNORE_TAG} tag on {f.resource or f.function}") for f in skipped),
    ]
    return ScanResult(
        root=root,
        files=_resources(app) + files_read,
        applications=apps,
        findings=outcome.kept,
        errors=sorted(errors),
        warnings=sorted(warnings),
        duration_s=collect_s + time.perf_counter() - started,
        suppressed=len(suppressions),
        suppressions=suppressions,
        rules_run={r.id for r in rules},
    )


def hold_back(findings: list[Finding], snap: Snapshot) -> tuple[list[Finding], set[tuple[str, str]]]:
    """Drop findings that would claim an absence where the collector could not look."""
    kept, warnings = [], set()
    for f in findings:
        topic = next(
            (
                t
                for t, names in snap.gaps.items()
                if f.rule_id in GAP_RULES.get(t, ())
                and ("*" in names or (f.function is not None and f.function in names) or (f.resource in names))
            ),
            None,
        )
        if topic is None:
            kept.append(f)
            continue
        what = topic.replace("-", " ")
        warnings.add((f.path, f"{f.rule_id} not checked for {f.resource or f.function}: the {what} could not be read"))
    return kept, warnings


def _shared_roles(snap: Snapshot, app: Application) -> None:
    here = {str(fn.loc.path) for fn in app.functions}
    for role in app.roles.values():
        others = snap.role_users.get(role.loc.path, set()) - here
        services = {p for s in role.trust for p in s.principals if p.startswith("Service:")} - {"Service:lambda.amazonaws.com"}
        if others or services:
            snap.gap("role-shared", role.id)


def _resources(app: Application) -> int:
    return (
        len(app.functions) + len(app.roles) + len(app.apis) + len(app.log_groups) + len(app.alarms) + len(app.secrets)
        + len(app.security_groups) + len(app.subnets) + len(app.vpc_endpoints)
    )


def _analyse_code(apps: list[Application], options: AuditOptions) -> tuple[int, list[tuple[str, str, str]]]:
    """Run the code and dependency analyzers on the unpacked packages, as ``scan`` does on a checkout."""
    from faasguard.analyzers import default_analyzers

    root = options.collect.code_dir
    assert root is not None
    mine = {str(fn.code_dir) for app in apps for fn in app.functions if fn.code_dir} | {
        str(p) for app in apps for p in app.layers.values()
    }
    files = [p for d in sorted(mine) for p in sorted(Path(d).rglob("*")) if p.is_file() and not p.is_symlink()]
    out: list[tuple[str, str, str]] = []
    for analyzer in default_analyzers(options.scan):
        result = analyzer.analyze(apps, root, files)
        apps.extend(result.applications)
        out += [("error", p, m) for p, m in result.errors] + [("warning", p, m) for p, m in result.warnings]
    return len(files), out


def load_accounts(path: Path) -> tuple[Account, ...]:
    """An accounts file (YAML or JSON): ``accounts: [{id, role, external_id?, regions: [...]}]``."""
    import yaml

    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AuditError(f"{path}: could not be read ({exc.strerror or exc})") from None
    except yaml.YAMLError:
        raise AuditError(f"{path}: not valid YAML or JSON") from None
    items = doc.get("accounts") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise AuditError(f"{path}: expected a list of accounts (id, role, regions) under `accounts:`")
    out = []
    for index, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise AuditError(f"{path}: account {index} is not a mapping of id, role, regions")
        account_id = str(item.get("id") or item.get("account_id") or "").strip() or None
        role = item.get("role") or item.get("role_arn")
        regions = item.get("regions") or []
        if isinstance(regions, str):
            regions = [regions]
        if account_id is not None and not (account_id.isdigit() and len(account_id) == 12):
            raise AuditError(f"{path}: account {index}: id {account_id!r} is not a 12-digit account id")
        if role is not None and not str(role).startswith("arn:"):
            raise AuditError(f"{path}: account {index}: role {role!r} is not a role ARN")
        if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
            raise AuditError(f"{path}: account {index}: regions must be a list of region names")
        out.append(Account(account_id, str(role) if role else None, item.get("external_id"), tuple(regions)))
    return tuple(out)
