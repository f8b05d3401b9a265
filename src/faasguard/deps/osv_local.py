"""The default advisory source: a local directory of OSV JSON records.

Layout ``<db>/<Ecosystem>/<ID>.json`` — what OSV's per-ecosystem export zips
unpack to and what ``faasguard advisories update`` writes. An ``index.json``
maps package names to record files so a scan reads only the records of the
packages it ships; it is rebuilt whenever records were added after it. A scan
never writes into the directory it is given (it may belong to the scanned
repository): a rebuilt index is saved under the user cache directory
(``~/.cache/faasguard/advisory-index``); only ``advisories update`` writes ``index.json``. ``faasguard-db.json`` records when the
data was last updated, so that stale data can be reported as such.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from faasguard import limits
from faasguard.deps.interface import Ecosystem, PackageAudit, ServiceStatus, normalize
from faasguard.deps.osv import affected_by, merge_aliases, parse_version, to_advisory

ECOSYSTEMS: tuple[Ecosystem, ...] = ("PyPI", "npm")
INDEX = "index.json"
META = "faasguard-db.json"
INDEX_VERSION = 1
STALE_AFTER_DAYS = 7


def user_cache() -> Path:
    """``$XDG_CACHE_HOME/faasguard`` (default ``~/.cache/faasguard``): where faasguard writes its caches."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "faasguard"


def default_db() -> Path:
    return Path(os.environ.get("FAASGUARD_ADVISORY_DB") or Path.home() / ".cache" / "faasguard" / "advisories")


def record_packages(record: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """(ecosystem, normalized name) of every package a record names."""
    for affected in record.get("affected") or []:
        package = affected.get("package") if isinstance(affected, dict) else None
        if isinstance(package, dict) and package.get("ecosystem") in ECOSYSTEMS and package.get("name"):
            yield str(package["ecosystem"]), normalize(str(package["ecosystem"]), str(package["name"]))


def record_files(db: Path) -> list[Path]:
    """The record files: ``<db>/*.json`` and ``<db>/<Ecosystem>/*.json`` (not an update's staging folders)."""
    top = [p for p in db.glob("*.json") if p.name not in (INDEX, META)]
    nested = [p for p in db.glob("*/*.json") if not p.parent.name.endswith((".new", ".old"))]
    return sorted(top) + sorted(nested)


def build_index(db: Path) -> dict[str, Any]:
    """Read every record once and map package names to record files."""
    packages: dict[str, dict[str, list[str]]] = {eco: {} for eco in ECOSYSTEMS}
    counts: dict[str, int] = dict.fromkeys(ECOSYSTEMS, 0)
    for path in record_files(db):
        try:
            record = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        if not isinstance(record, dict):
            continue
        rel = path.relative_to(db).as_posix()
        names = set(record_packages(record))
        for eco, name in names:
            packages[eco].setdefault(name, []).append(rel)
        for eco in {eco for eco, _ in names}:
            counts[eco] += 1
    return {"version": INDEX_VERSION, "records": counts, "packages": packages}


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two scans at once each write their own
    tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


class LocalOsvService:
    name = "local OSV directory"

    def __init__(
        self, db: Path | None = None, stale_after_days: int = STALE_AFTER_DAYS, now: float | None = None,
        owner: bool = False,
    ) -> None:
        """``owner``: this process maintains ``db`` (``advisories update``) and may write its index there."""
        self.db = (db or default_db()).expanduser()
        self.owner = owner
        self.stale_after_days = stale_after_days
        self.now = now if now is not None else time.time()
        self._index: dict[str, Any] | None = None
        self._records: dict[str, dict[str, Any] | None] = {}

    # -- the index --------------------------------------------------------------------------
    def _fingerprint(self) -> str:
        """Changes when records are added or removed, and is the same in every clone of a directory.

        A database written by ``advisories update`` is identified by its update time; a
        hand-made one (tests, the bundled example) by the names and sizes of its records.
        """
        try:
            meta = json.loads((self.db / META).read_bytes())
            if isinstance(meta, dict) and meta.get("updated"):
                return f"updated:{meta['updated']}"
        except (OSError, ValueError):
            pass
        digest = hashlib.sha256()
        for path in record_files(self.db):
            digest.update(f"{path.relative_to(self.db).as_posix()}\x1f{path.stat().st_size}\n".encode())
        return f"records:{digest.hexdigest()[:32]}"

    def _newest_change(self) -> float:
        newest = self.db.stat().st_mtime
        for child in self.db.iterdir():
            if child.is_dir():
                newest = max(newest, child.stat().st_mtime)
        return newest

    def index(self) -> dict[str, Any]:
        if self._index is not None:
            return self._index
        if not self.db.is_dir():
            self._index = {"version": INDEX_VERSION, "records": {}, "packages": {}}
            return self._index
        fingerprint = self._fingerprint()
        cached = self._cached_index()
        for path in (self.db / INDEX, cached):
            try:
                if path.is_file():
                    loaded = json.loads(path.read_bytes())
                    current = loaded.get("version") == INDEX_VERSION and loaded.get("fingerprint") == fingerprint
                    if isinstance(loaded, dict) and current:
                        self._index = loaded
                        return loaded
            except (OSError, ValueError, RecursionError, AttributeError):
                pass
        self._index = build_index(self.db)
        self._index["fingerprint"] = fingerprint
        with contextlib.suppress(OSError):  # a read-only cache still works, only slower
            target = self.db / INDEX if self.owner else cached
            target.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(target, self._index)
        return self._index

    def _cached_index(self) -> Path:
        """Where a scan saves the index it built for ``db``: the user cache, keyed by the directory."""
        key = hashlib.sha256(os.fsencode(os.path.realpath(self.db))).hexdigest()[:24]
        return user_cache() / "advisory-index" / f"{key}.json"

    def _record(self, rel: str) -> dict[str, Any] | None:
        if rel not in self._records:
            try:
                loaded = json.loads((self.db / rel).read_bytes())
                self._records[rel] = loaded if isinstance(loaded, dict) else None
            except (OSError, ValueError):
                self._records[rel] = None
        return self._records[rel]

    # -- the service ------------------------------------------------------------------------
    def updated_at(self) -> float | None:
        try:
            meta = json.loads((self.db / META).read_bytes())
            return datetime.fromisoformat(str(meta["updated"])).timestamp()
        except (OSError, ValueError, KeyError, TypeError):
            pass
        try:
            return self._newest_change() if self.db.is_dir() else None
        except OSError:
            return None

    def status(self) -> ServiceStatus:
        status = ServiceStatus(self.name)
        counts = self.index().get("records", {})
        status.covered = {eco for eco, count in counts.items() if count}
        db = limits.home_relative(self.db)  # never the user's home directory in a report
        hint = f"run `faasguard advisories update --advisory-db {db}` (needs internet) or pass --online"
        if not self.db.is_dir():
            status.warnings.append(
                f"advisory database {db} does not exist: NO dependency was checked for known vulnerabilities; {hint}"
            )
            return status
        if not status.covered:
            status.warnings.append(
                f"advisory database {db} holds no OSV records: NO dependency was checked for known vulnerabilities; {hint}"
            )
            return status
        updated = self.updated_at()
        if updated is not None and self.now - updated > self.stale_after_days * 86400:
            age = int((self.now - updated) // 86400)
            when = datetime.fromtimestamp(updated, UTC).strftime("%Y-%m-%d")
            status.warnings.append(
                f"advisory database {db} is {age} days old (updated {when}): advisories published since are missed; {hint}"
            )
        for eco in ECOSYSTEMS:
            if eco not in status.covered:
                status.warnings.append(f"advisory database {db} has no {eco} records: {eco} packages are not audited")
        return status

    def audit(self, packages: Iterable[tuple[Ecosystem, str, str]]) -> dict[tuple[str, str, str], PackageAudit]:
        index = self.index()
        covered = {eco for eco, count in index.get("records", {}).items() if count}
        out: dict[tuple[str, str, str], PackageAudit] = {}
        for ecosystem, name, version in packages:
            norm = normalize(ecosystem, name)
            key = (ecosystem, norm, version)
            if key in out:
                continue
            if ecosystem not in covered:
                out[key] = PackageAudit(ecosystem, name, version, False, reason=f"no {ecosystem} advisory data")
                continue
            if parse_version(ecosystem, version) is None:
                out[key] = PackageAudit(ecosystem, name, version, False, reason=f"{version!r} is not a valid {ecosystem} version")
                continue
            found = []
            for rel in index.get("packages", {}).get(ecosystem, {}).get(norm, []):
                record = self._record(rel)
                if record is None:
                    continue
                hit, fixed = affected_by(record, ecosystem, norm, version)
                if hit:
                    found.append(to_advisory(record, fixed))
            out[key] = PackageAudit(ecosystem, name, version, True, merge_aliases(found))
        return out
