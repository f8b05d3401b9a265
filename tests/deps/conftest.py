"""Fixtures for the dependency tests: a small OSV directory and a local OSV/export server."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from faasguard.deps.osv import affected_by

# Records in OSV's real schema (1.6), trimmed to the fields that matter.
LODASH = {
    "schema_version": "1.6.0",
    "id": "GHSA-p6mc-m468-83gw",
    "modified": "2024-03-01T00:00:00Z",
    "published": "2020-07-15T19:15:48Z",
    "aliases": ["CVE-2020-8203"],
    "summary": "Prototype Pollution in lodash",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H"}],
    "affected": [
        {
            "package": {"ecosystem": "npm", "name": "lodash", "purl": "pkg:npm/lodash"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "3.7.0"}, {"fixed": "4.17.19"}]}],
        }
    ],
    "references": [{"type": "ADVISORY", "url": "https://nvd.nist.gov/vuln/detail/CVE-2020-8203"}],
    "database_specific": {"severity": "HIGH", "cwe_ids": ["CWE-1321"]},
}
MINIMIST = {
    "id": "GHSA-xvch-5gv4-984h",
    "modified": "2024-01-01T00:00:00Z",
    "aliases": ["CVE-2021-44906"],
    "summary": "Prototype Pollution in minimist",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "affected": [
        {
            "package": {"ecosystem": "npm", "name": "minimist"},
            "ranges": [
                {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "0.2.4"}]},
                {"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"fixed": "1.2.6"}]},
            ],
        }
    ],
}
MALWARE = {
    "id": "MAL-2022-1234",
    "modified": "2024-01-01T00:00:00Z",
    "summary": "Malicious code in crossenv (npm)",
    "affected": [
        {"package": {"ecosystem": "npm", "name": "crossenv"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}
    ],
}
JINJA_PYSEC = {
    "id": "PYSEC-2019-217",
    "modified": "2024-01-01T00:00:00Z",
    "aliases": ["CVE-2019-10906", "GHSA-462w-v97r-4m45"],
    "details": "In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape.",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "jinja2"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.10.1"}]}],
            "versions": ["2.0", "2.10", "2.9.6"],
        }
    ],
}
JINJA_GHSA = {
    "id": "GHSA-462w-v97r-4m45",
    "modified": "2024-01-01T00:00:00Z",
    "aliases": ["CVE-2019-10906"],
    "summary": "Jinja2 sandbox escape via string formatting",
    "severity": [{"type": "CVSS_V3", "score": "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N"}],
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "Jinja2"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.10.1"}]}],
        }
    ],
    "database_specific": {"severity": "HIGH"},
}
REQUESTS = {
    "id": "GHSA-x84v-xcm2-53pg",
    "modified": "2024-01-01T00:00:00Z",
    "aliases": ["CVE-2018-18074"],
    "summary": "Insufficiently Protected Credentials in Requests",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "requests"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.20.0"}]}],
        }
    ],
    "database_specific": {"severity": "HIGH"},
}
WITHDRAWN = {
    "id": "GHSA-wdrn-0000-0000",
    "modified": "2024-01-01T00:00:00Z",
    "withdrawn": "2024-02-01T00:00:00Z",
    "summary": "Withdrawn: not a vulnerability",
    "affected": [
        {"package": {"ecosystem": "PyPI", "name": "requests"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}
    ],
}
RECORDS = [LODASH, MINIMIST, MALWARE, JINJA_PYSEC, JINJA_GHSA, REQUESTS, WITHDRAWN]


def write_db(db: Path, records: list[dict[str, Any]] = RECORDS) -> Path:
    for record in records:
        ecosystem = record["affected"][0]["package"]["ecosystem"]
        (db / ecosystem).mkdir(parents=True, exist_ok=True)
        (db / ecosystem / f"{record['id']}.json").write_text(json.dumps(record), encoding="utf-8")
    return db


@pytest.fixture
def osv_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_db(tmp_path_factory.mktemp("osv"))


@pytest.fixture(autouse=True)
def advisory_db(osv_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test here scans against the small OSV directory (the default database) unless it says otherwise."""
    monkeypatch.setenv("FAASGUARD_ADVISORY_DB", str(osv_db))
    return osv_db


def export_zip(records: list[dict[str, Any]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for record in records:
            zf.writestr(f"{record['id']}.json", json.dumps(record))
    return buffer.getvalue()


@dataclass
class FakeOsv:
    """What the local server serves, and what it was asked."""

    url: str
    records: list[dict[str, Any]]
    requests: list[str] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # paths that answer 500


@pytest.fixture
def osv_server() -> Iterator[FakeOsv]:
    """OSV on 127.0.0.1: ``/<Ecosystem>/all.zip``, ``POST /v1/querybatch`` and ``GET /v1/vulns/<id>``."""
    state = FakeOsv("", list(RECORDS))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            state.requests.append(f"GET {self.path}")
            if self.path in state.broken:
                return self._send(500, b"{}")
            if self.path.endswith("/all.zip"):
                ecosystem = self.path.strip("/").split("/")[0]
                chosen = [r for r in state.records if r["affected"][0]["package"]["ecosystem"] == ecosystem]
                return self._send(200, export_zip(chosen), "application/zip")
            if self.path.startswith("/v1/vulns/"):
                vuln_id = self.path.rsplit("/", 1)[1]
                for record in state.records:
                    if record["id"] == vuln_id:
                        return self._send(200, json.dumps(record).encode())
                return self._send(404, b'{"code":5,"message":"Bug not found."}')
            return self._send(404, b"{}")

        def do_POST(self) -> None:
            state.requests.append(f"POST {self.path}")
            if self.path in state.broken or self.path != "/v1/querybatch":
                return self._send(500, b"{}")
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            results = []
            for query in body["queries"]:
                package = query["package"]
                vulns = [
                    {"id": r["id"], "modified": r["modified"]}
                    for r in state.records
                    if not r.get("withdrawn") and affected_by(r, package["ecosystem"], package["name"], query["version"])[0]
                ]
                results.append({"vulns": vulns} if vulns else {})
            return self._send(200, json.dumps({"results": results}).encode())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
