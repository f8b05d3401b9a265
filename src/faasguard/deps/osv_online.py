"""``--online``: the OSV query API, with an on-disk cache that expires.

Uses the two documented endpoints: ``POST /v1/querybatch`` (which answers, per
package version, only the ids of the matching records, possibly over several
pages) and ``GET /v1/vulns/{id}`` for each full record. Records are then matched
locally with the same code as the offline database, so both sources agree on
what "affected" and "first fixed" mean. Answers are cached under
``~/.cache/faasguard/osv-online`` for ``max_age`` seconds. A package whose query
failed is reported as not audited, never as clean.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from faasguard import __version__
from faasguard.deps.interface import Ecosystem, PackageAudit, ServiceStatus, normalize
from faasguard.deps.osv import affected_by, merge_aliases, parse_version, to_advisory
from faasguard.deps.osv_local import write_json_atomic

DEFAULT_API = "https://api.osv.dev"
BATCH = 1000  # the API's limit of queries per batch
MAX_PAGES = 20


def default_cache() -> Path:
    return Path.home() / ".cache" / "faasguard" / "osv-online"


class OnlineError(Exception):
    pass


class OsvOnlineService:
    name = "OSV API"

    def __init__(
        self, api: str = DEFAULT_API, cache_dir: Path | None = None, max_age: float = 24 * 3600, timeout: float = 30.0
    ) -> None:
        self.api = api.rstrip("/")
        self.cache_dir = (cache_dir or default_cache()).expanduser()
        self.max_age = max_age
        self.timeout = timeout
        self.failures: list[str] = []

    # -- HTTP ---------------------------------------------------------------------------------
    def _request(self, path: str, body: Any | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.api + path,
            data=data,
            method="POST" if data is not None else "GET",
            headers={"Content-Type": "application/json", "User-Agent": f"faasguard/{__version__}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise OnlineError(f"{self.api}{path} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise OnlineError(f"{self.api}{path} could not be queried ({reason})") from None

    # -- cache --------------------------------------------------------------------------------
    def _cache_path(self, kind: str, key: str) -> Path:
        digest = hashlib.sha256(f"{self.api}\x1f{key}".encode()).hexdigest()[:32]
        return self.cache_dir / kind / f"{digest}.json"

    def _cached(self, kind: str, key: str) -> Any | None:
        path = self._cache_path(kind, key)
        try:
            entry = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or time.time() - float(entry.get("fetched", 0)) > self.max_age:
            return None
        return entry.get("data")

    def _store(self, kind: str, key: str, data: Any) -> None:
        path = self._cache_path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_json_atomic(path, {"fetched": time.time(), "key": key, "data": data})
        except OSError:
            pass

    # -- the service --------------------------------------------------------------------------
    def status(self) -> ServiceStatus:
        status = ServiceStatus(self.name, covered={"PyPI", "npm"})
        status.warnings.extend(self.failures)
        return status

    def _query_ids(self, queries: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], list[str]]:
        out: dict[tuple[str, str, str], list[str]] = {}
        for start in range(0, len(queries), BATCH):
            chunk = queries[start : start + BATCH]
            pending = {i: None for i in range(len(chunk))}  # index -> page token
            ids: dict[int, list[str]] = {i: [] for i in range(len(chunk))}
            for _ in range(MAX_PAGES):
                if not pending:
                    break
                order = list(pending)
                body = {"queries": [_query(chunk[i], pending[i]) for i in order]}
                answer = self._request("/v1/querybatch", body)
                results = answer.get("results") if isinstance(answer, dict) else None
                if not isinstance(results, list) or len(results) != len(order):
                    raise OnlineError(f"{self.api}/v1/querybatch gave an answer of an unexpected shape")
                pending = {}
                for i, result in zip(order, results, strict=True):
                    result = result or {}
                    ids[i] += [str(v["id"]) for v in result.get("vulns") or [] if isinstance(v, dict) and "id" in v]
                    if result.get("next_page_token"):
                        pending[i] = result["next_page_token"]
            for i, query in enumerate(chunk):
                out[query] = sorted(set(ids[i]))
        return out

    def _record(self, vuln_id: str) -> dict[str, Any]:
        cached = self._cached("vulns", vuln_id)
        if isinstance(cached, dict):
            return cached
        record = self._request(f"/v1/vulns/{vuln_id}")
        if not isinstance(record, dict):
            raise OnlineError(f"{self.api}/v1/vulns/{vuln_id} gave an answer of an unexpected shape")
        self._store("vulns", vuln_id, record)
        return record

    def audit(self, packages: Iterable[tuple[Ecosystem, str, str]]) -> dict[tuple[str, str, str], PackageAudit]:
        out: dict[tuple[str, str, str], PackageAudit] = {}
        todo: list[tuple[str, str, str]] = []
        known: dict[tuple[str, str, str], list[str]] = {}
        names: dict[tuple[str, str, str], str] = {}
        for ecosystem, name, version in packages:
            key: tuple[str, str, str] = (ecosystem, normalize(ecosystem, name), version)
            if key in names:
                continue
            names[key] = name
            if parse_version(ecosystem, version) is None:
                out[key] = PackageAudit(ecosystem, name, version, False, reason=f"{version!r} is not a valid {ecosystem} version")
                continue
            cached = self._cached("queries", "\x1f".join(key))
            if isinstance(cached, list):
                known[key] = [str(i) for i in cached]
            else:
                todo.append(key)
        if todo:
            try:
                fetched = self._query_ids(todo)
            except OnlineError as exc:
                self.failures.append(f"{exc}: {len(todo)} packages were NOT checked for known vulnerabilities")
                fetched = {}
            for query, ids in fetched.items():
                self._store("queries", "\x1f".join(query), ids)
                known[query] = ids
        for key in names:
            if key in out:
                continue
            eco_name, norm, version = key
            eco: Ecosystem = "PyPI" if ecosystem == "PyPI" else "npm"
            if key not in known:
                out[key] = PackageAudit(eco, names[key], version, False, reason="the OSV API could not be queried")
                continue
            found = []
            try:
                for vuln_id in known[key]:
                    record = self._record(vuln_id)
                    hit, fixed = affected_by(record, eco_name, norm, version)
                    if hit:
                        found.append(to_advisory(record, fixed))
            except OnlineError as exc:
                self.failures.append(str(exc))
                out[key] = PackageAudit(eco, names[key], version, False, reason="an advisory could not be fetched")
                continue
            out[key] = PackageAudit(eco, names[key], version, True, merge_aliases(found))
        return out


def _query(key: tuple[str, str, str], page_token: str | None) -> dict[str, Any]:
    ecosystem, name, version = key
    query: dict[str, Any] = {"package": {"name": name, "ecosystem": ecosystem}, "version": version}
    if page_token:
        query["page_token"] = page_token
    return query
