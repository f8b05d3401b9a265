"""Compare faasguard's dependency audit with pip-audit and npm audit on the same advisory data.

Neither reference tool can read a local OSV directory, so this script serves the
same OSV records from 127.0.0.1 in the form each tool asks for:

* pip-audit (``-s osv --osv-url``): ``POST /v1/query`` answered with the matching
  records, matched here with a separate, minimal PEP 440 implementation;
* npm audit (``--registry``): ``POST /-/npm/v1/security/advisories/bulk`` answered
  with npm's advisory shape, the OSV ranges rewritten as npm ``vulnerable_versions``
  ranges, so npm matches versions with its own semver code;
* faasguard reads the same records from an OSV directory (``--advisory-db``).

The advisory data is synthetic but shaped like OSV's: for the packages the chosen
manifests hold, each record affects versions below a "fixed" version picked from
the versions seen, so that about half of the packages match. Usage (pip-audit in
its own venv, never in the project's):

    python3 -m venv /tmp/pa && /tmp/pa/bin/pip install pip-audit==2.10.1
    .venv/bin/python bench/deps_compare.py --pip-audit /tmp/pa/bin/pip-audit
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from faasguard.deps import source_for

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
# Lockfile v2/v3 only: on a v1 lock npm first refetches every package's metadata from the registry.
NPM_LOCKS = [
    "aws-samples__serverless-samples/fargate-rest-api/javascript-rest-nlb-ecs-sam/src/api/authorizer/package-lock.json",
    "aws-samples__serverless-samples/apigw-eventbridge-schema-validation/lambda/package-lock.json",
    "aws-samples__serverless-samples/serverless-rest-api/javascript-http-sam/package-lock.json",
    "aws-samples__serverless-test-samples/typescript-test-samples/lambda-handler-dynamodb/package-lock.json",
]


def _pick(name: str) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)


def make_records(packages: dict[tuple[str, str], set[str]]) -> list[dict[str, Any]]:
    records = []
    for (ecosystem, name), versions in sorted(packages.items()):
        ordered = sorted(versions, key=lambda v: Version(v) if _valid(v) else Version("0"))
        if _pick(name) % 2:  # about half the packages get an advisory
            continue
        if len(ordered) > 1:
            fixed = ordered[-1]  # every older version seen is affected
        else:
            parts = ordered[0].split(".")
            if not parts[-1].isdigit():
                continue
            bump = _pick(name + "b") % 2  # half affected (fixed above), half not (fixed at the version)
            fixed = ".".join([*parts[:-1], str(int(parts[-1]) + bump)])
        ident = f"TEST-{ecosystem}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
        records.append({
            "id": ident, "modified": "2026-01-01T00:00:00Z", "aliases": [f"CVE-2099-{_pick(name) % 100000}"],
            "summary": f"synthetic advisory for {name}",
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],
            "affected": [{"package": {"ecosystem": ecosystem, "name": name},
                          "ranges": [{"type": "SEMVER" if ecosystem == "npm" else "ECOSYSTEM",
                                      "events": [{"introduced": "0"}, {"fixed": fixed}]}]}],
        })
    return records


def _valid(v: str) -> bool:
    try:
        Version(v)
        return True
    except InvalidVersion:
        return False


def serve(records: list[dict[str, Any]]) -> ThreadingHTTPServer:
    by_name: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in records:
        pkg = record["affected"][0]["package"]
        by_name.setdefault((pkg["ecosystem"], pkg["name"].lower()), []).append(record)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _json(self, data: Any) -> None:
            body = json.dumps(data).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            # npm asks for packuments to suggest fixes; "unknown" keeps it from retrying a 5xx for minutes.
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                import gzip

                raw = gzip.decompress(raw)
            body = json.loads(raw or b"{}")
            if self.path.startswith("/v1/query"):
                name, version = body["package"]["name"].lower().replace("_", "-"), Version(body["version"])
                hits = []
                for record in by_name.get(("PyPI", name), []):
                    events = record["affected"][0]["ranges"][0]["events"]
                    if version < Version(events[1]["fixed"]):
                        hits.append(record)
                return self._json({"vulns": hits} if hits else {})
            if self.path.endswith("/security/advisories/bulk"):
                out: dict[str, list[dict[str, Any]]] = {}
                for name in body:
                    for record in by_name.get(("npm", name.lower()), []):
                        fixed = record["affected"][0]["ranges"][0]["events"][1]["fixed"]
                        out.setdefault(name, []).append({
                            "id": _pick(record["id"]) % 10**7, "url": f"https://osv.dev/{record['id']}",
                            "title": record["summary"], "severity": "high", "vulnerable_versions": f"<{fixed}",
                            "cwe": [], "cvss": {"score": 7.5, "vectorString": record["severity"][0]["score"]},
                        })
                return self._json(out)
            self.send_response(404)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def faasguard_hits(target: Path, db: Path) -> set[tuple[str, str]]:
    out = subprocess.run(
        [sys.executable, "-m", "faasguard", "scan", str(target), "--format", "json", "-q", "--advisory-db", str(db),
         "--rule", "FG-SUP-010", "--fail-on", "none"], capture_output=True, text=True, check=False,
    )
    report = json.loads(out.stdout)
    return {(f["resource"].rsplit("@", 1)[0].lower(), f["resource"].rsplit("@", 1)[1]) for f in report["findings"]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pip-audit", default="pip-audit")
    parser.add_argument("--npm", default="npm")
    args = parser.parse_args()
    rows = [line.split("\t") for line in (CORPUS / "INDEX.tsv").read_text().splitlines() if line]
    req_files = []
    for rel, fmt, *_ in rows:
        if fmt != "requirements":
            continue
        m = source_for("requirements.txt").parse(CORPUS / rel, (CORPUS / rel).read_text(errors="replace"), rel)  # type: ignore[union-attr]
        if m.dependencies and all(d.version for d in m.dependencies) and not m.includes:
            req_files.append((rel, m))
    packages: dict[tuple[str, str], set[str]] = {}
    for _, m in req_files:
        for d in m.dependencies:
            packages.setdefault(("PyPI", d.name.lower().replace("_", "-")), set()).add(d.version or "")
    locks = []
    for rel in NPM_LOCKS:
        m = source_for("package-lock.json").parse(CORPUS / rel, (CORPUS / rel).read_text(), rel)  # type: ignore[union-attr]
        locks.append((rel, m))
        for d in m.dependencies:
            if d.version and d.origin == "registry":
                packages.setdefault(("npm", d.name), set()).add(d.version)
    records = make_records(packages)
    server = serve(records)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    work = Path(tempfile.mkdtemp(prefix="deps-compare-"))
    db = work / "db"
    for record in records:
        eco = record["affected"][0]["package"]["ecosystem"]
        (db / eco).mkdir(parents=True, exist_ok=True)
        (db / eco / f"{record['id']}.json").write_text(json.dumps(record))
    print(f"advisories: {sum(1 for r in records if 'PyPI' in r['id'])} PyPI, {sum(1 for r in records if 'npm' in r['id'])} npm")

    # pip-audit, one requirements file at a time
    agree = only_fg = only_pa = 0
    for rel, _ in req_files:
        target = work / "py" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / rel, target)
        ours = faasguard_hits(target.parent, db)
        # --no-deps and --disable-pip: audit exactly the pinned lines, as faasguard does
        run = subprocess.run(
            [args.pip_audit, "-r", str(target), "--no-deps", "--disable-pip", "-s", "osv", "--osv-url", f"{url}/v1/query",
             "-f", "json", "--progress-spinner", "off"], capture_output=True, text=True, check=False,
        )
        try:
            report = json.loads(run.stdout)
        except ValueError:
            print(f"pip-audit failed on {rel}: {run.stderr.strip()[:200]}")
            continue
        theirs = {(d["name"].lower().replace("_", "-"), d["version"]) for d in report["dependencies"] if d.get("vulns")}
        ours = {(n.replace("_", "-"), v) for n, v in ours}
        agree += len(ours & theirs)
        only_fg += len(ours - theirs)
        only_pa += len(theirs - ours)
        for item in sorted(ours ^ theirs):
            print(f"  differ in {rel}: {item} faasguard={item in ours} pip-audit={item in theirs}")
    print(f"pip-audit: {len(req_files)} requirements files, vulnerable packages: both {agree}, only faasguard {only_fg}, "
          f"only pip-audit {only_pa}")

    # npm audit, one lock at a time, on a copy of package.json + package-lock.json
    for rel, m in locks:
        target = work / "npm" / Path(rel).parent
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / rel, target / "package-lock.json")
        pkg_json = (CORPUS / rel).parent / "package.json"
        if pkg_json.is_file():
            shutil.copy(pkg_json, target / "package.json")
        ours_names = {n for n, _ in faasguard_hits(target, db)}
        run = subprocess.run(
            [args.npm, "audit", "--json", "--registry", url + "/", "--package-lock-only", "--omit=dev",
             "--fetch-retries=0"],
            cwd=target, capture_output=True, text=True, check=False, timeout=300,
        )
        try:
            report = json.loads(run.stdout)
        except ValueError:
            print(f"npm audit failed on {rel}: {run.stderr.strip()[:200]}")
            continue
        if "error" in report:
            print(f"npm audit error on {rel}: {report['error'].get('summary', '')[:200]}")
            continue
        # npm lists a package as vulnerable directly (via an advisory) or through a vulnerable dependency
        theirs = {name for name, v in report.get("vulnerabilities", {}).items()
                  if any(isinstance(via, dict) for via in v.get("via", []))}
        print(f"npm audit {rel} ({len(m.dependencies)} packages): vulnerable names both {len(ours_names & theirs)}, "
              f"only faasguard {len(ours_names - theirs)} {sorted(ours_names - theirs)[:8]}, "
              f"only npm {len(theirs - ours_names)} {sorted(theirs - ours_names)[:8]}")
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
