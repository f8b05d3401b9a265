"""``faasguard advisories update``: fill the local OSV directory from OSV's per-ecosystem exports.

OSV publishes one zip per ecosystem (``<base>/PyPI/all.zip``, ``<base>/npm/all.zip``)
holding one JSON record per advisory. Each zip is streamed to a temporary file,
its records are checked and written to ``<db>/<Ecosystem>.new/``, and the new folder
replaces the old one only when the whole ecosystem succeeded, so a failed download
never leaves a half-empty database that would look clean. Member names are reduced
to their base name (no path traversal) and sizes are capped (no zip bombs).
"""

from __future__ import annotations

import json
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from faasguard import __version__
from faasguard.deps.osv_local import ECOSYSTEMS, INDEX, META, LocalOsvService, write_json_atomic

DEFAULT_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"
MAX_RECORD_BYTES = 16 * 2**20
MAX_TOTAL_BYTES = 8 * 2**30


class UpdateError(Exception):
    pass


@dataclass
class UpdateReport:
    records: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def _download(url: str, target: Path, timeout: float) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": f"faasguard/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, target.open("wb") as out:
            shutil.copyfileobj(response, out, length=1 << 20)
    except urllib.error.HTTPError as exc:
        raise UpdateError(f"{url} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise UpdateError(f"{url} could not be downloaded ({getattr(exc, 'reason', exc)})") from None


def _extract(archive: Path, target: Path, ecosystem: str) -> int:
    count = 0
    total = 0
    try:
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                name = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
                if info.is_dir() or not name.endswith(".json") or name.startswith(".") or name in (INDEX, META):
                    continue
                if info.file_size > MAX_RECORD_BYTES:
                    continue
                total += info.file_size
                if total > MAX_TOTAL_BYTES:
                    raise UpdateError(f"the {ecosystem} export expands to more than {MAX_TOTAL_BYTES // 2**30} GiB; refused")
                data = zf.read(info)
                try:
                    record = json.loads(data)
                except ValueError:
                    continue
                if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                    continue
                (target / name).write_bytes(data)
                count += 1
    except zipfile.BadZipFile:
        raise UpdateError(f"the {ecosystem} export is not a valid zip file") from None
    return count


def update(
    db: Path,
    base_url: str = DEFAULT_BASE_URL,
    ecosystems: tuple[str, ...] = ECOSYSTEMS,
    timeout: float = 120.0,
    progress: Callable[[str], None] | None = None,
) -> UpdateReport:
    """Download and install each ecosystem's export; errors are collected per ecosystem."""
    db = db.expanduser()
    db.mkdir(parents=True, exist_ok=True)
    report = UpdateReport()
    for ecosystem in ecosystems:
        url = f"{base_url.rstrip('/')}/{ecosystem}/all.zip"
        if progress:
            progress(f"downloading {url}")
        staging = db / f"{ecosystem}.new"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        try:
            with tempfile.TemporaryDirectory(dir=db) as tmp:
                archive = Path(tmp) / "all.zip"
                _download(url, archive, timeout)
                count = _extract(archive, staging, ecosystem)
            if count == 0:
                raise UpdateError(f"{url} held no OSV records")
        except UpdateError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            report.errors.append(str(exc))
            continue
        final = db / ecosystem
        old = db / f"{ecosystem}.old"
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        staging.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        report.records[ecosystem] = count
    if report.records:
        meta_path = db / META
        try:
            meta = json.loads(meta_path.read_bytes())
        except (OSError, ValueError):
            meta = {}
        now = datetime.now(UTC).isoformat(timespec="seconds")
        sources = meta.get("sources") if isinstance(meta.get("sources"), dict) else {}
        for ecosystem, count in report.records.items():
            sources[ecosystem] = {"url": f"{base_url.rstrip('/')}/{ecosystem}/all.zip", "records": count, "updated": now}
        # The database is as fresh as its oldest ecosystem.
        oldest = min(str(s.get("updated", now)) for s in sources.values())
        write_json_atomic(meta_path, {"updated": oldest, "sources": sources})
        (db / INDEX).unlink(missing_ok=True)
        LocalOsvService(db, owner=True).index()  # build and save the index now, not during the next scan
    return report
