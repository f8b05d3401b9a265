"""``audit --with-code``: packages are downloaded, unpacked safely and analysed like a checkout.

moto's ``GetFunction`` returns a code location on a real S3 host name, which cannot be
reached offline; so ``GetFunction`` is a recorded response (botocore Stubber) whose location
points at a local HTTP server on 127.0.0.1 serving the zip. Every other call is moto's.
"""

from __future__ import annotations

import http.server
import io
import stat
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from faasguard.audit import audit
from faasguard.loaders.aws_live.package import PackageError, download_and_unpack, unpack
from tests.audit.conftest import REGION, audit_options, client, package

VULNERABLE = package({
    "app.py": (
        "import subprocess\n\n"
        "def handler(event, context):\n"
        "    subprocess.run('convert ' + event['queryStringParameters']['file'], shell=True)\n"
        "    return {'statusCode': 200}\n"
    ),
})


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, bytes]]:
    """A local server: ``served[name] = bytes`` is then at ``http://127.0.0.1:<port>/name``."""
    files: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = files.get(self.path.lstrip("/"))
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    files["__base__"] = f"http://127.0.0.1:{server.server_address[1]}/".encode()
    yield files
    server.shutdown()


def with_recorded_get_function(function_arn: str, location: str) -> Any:
    real = client("lambda")
    recorded = client("lambda")
    stub = Stubber(recorded)
    stub.add_response("get_function", {
        "Configuration": {"FunctionName": function_arn.rsplit(":", 1)[-1], "FunctionArn": function_arn},
        "Code": {"RepositoryType": "S3", "Location": location},
        "Tags": {}, "Concurrency": {"ReservedConcurrentExecutions": 5},
    }, {"FunctionName": function_arn})
    stub.activate()

    class OneOperationRecorded:
        """moto for everything but GetFunction."""

        def __getattr__(self, name: str) -> Any:
            return getattr(recorded if name == "get_function" else real, name)

    return OneOperationRecorded()


def test_injection_in_deployed_code_joins_the_public_api_into_an_attack_path(
    account: dict[str, str], served: dict[str, bytes]
) -> None:
    served["orders.zip"] = VULNERABLE
    lam = with_recorded_get_function(account["orders-api"], served["__base__"].decode() + "orders.zip")
    options = audit_options(functions=frozenset({"orders-api"}), with_code=True)
    options.regions = (REGION,)
    result = audit(options, clients=lambda a, r: {"lambda": lam})[0].result
    code = f"{account['orders-api']}/app.py"
    shell = [f for f in result.findings if f.rule_id == "FG-INJ-011"]
    assert shell and shell[0].path == code and shell[0].line == 4 and str(shell[0].severity) == "critical"
    chain = [f for f in result.findings if f.rule_id == "FG-ATK-001"]
    assert chain and chain[0].function == "orders-api" and "GET /orders" in chain[0].message
    assert not [f for f in result.findings if f.rule_id == "FG-RES-003"]  # GetFunction gave the reserved concurrency
    assert not result.errors
    # orders-role is also held by thumbnail, whose code was not read: no least-privilege advice that would break it.
    assert not [f for f in result.findings if f.rule_id == "FG-IAM-030"]
    assert any("FG-IAM-030 not checked for orders-role" in m for _, m in result.warnings)


def test_a_package_that_cannot_be_fetched_is_an_error_and_the_audit_goes_on(
    account: dict[str, str], served: dict[str, bytes]
) -> None:
    lam = with_recorded_get_function(account["orders-api"], served["__base__"].decode() + "missing.zip")
    options = audit_options(functions=frozenset({"orders-api"}), with_code=True)
    options.regions = (REGION,)
    result = audit(options, clients=lambda a, r: {"lambda": lam})[0].result
    assert any(p == account["orders-api"] and "deployment package not analysed" in m for p, m in result.errors)
    assert [f for f in result.findings if f.rule_id == "FG-SEC-001"]


# -- safe unpacking -----------------------------------------------------------------------


def zip_with(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return buf.getvalue()


def unpack_bytes(tmp_path: Path, data: bytes, limit: int = 10 * 2**20) -> tuple[Path, int]:
    archive = tmp_path / "pkg.zip"
    archive.write_bytes(data)
    dest = tmp_path / "out"
    dest.mkdir()
    return dest, unpack(archive, dest, limit)


@pytest.mark.parametrize("name", ["../evil.py", "/etc/cron.d/evil", "a/../../evil.py", "C:\\evil.py", "..\\evil.py"])
def test_paths_leaving_the_folder_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(PackageError, match=r"unsafe path|leaves its folder"):
        unpack_bytes(tmp_path, zip_with([("ok.py", b"x = 1\n"), (name, b"boom")]))
    assert not (tmp_path / "evil.py").exists()


def test_symlinks_are_never_created_and_files_are_not_executable(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("passwd")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    script = zipfile.ZipInfo("bin/run.sh")
    script.external_attr = (stat.S_IFREG | 0o755) << 16
    dest, written = unpack_bytes(tmp_path, zip_with([(link, b"/etc/passwd"), (script, b"#!/bin/sh\n"), ("app.py", b"x = 1\n")]))
    assert written == 2
    assert not (dest / "passwd").exists() and not (dest / "passwd").is_symlink()
    assert (dest / "bin/run.sh").stat().st_mode & 0o111 == 0
    assert (dest / "app.py").read_text() == "x = 1\n"


def test_size_is_counted_from_the_inflated_bytes(tmp_path: Path) -> None:
    bomb = zip_with([("zeros.bin", b"\0" * (3 * 2**20))])  # compresses to a few kB
    assert len(bomb) < 64 * 1024
    with pytest.raises(PackageError, match="more than 1 MB"):
        unpack_bytes(tmp_path, bomb, limit=2**20)


def test_not_a_zip_and_not_http(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="not a zip"):
        unpack_bytes(tmp_path, b"this is not a zip")
    with pytest.raises(PackageError, match="not an HTTP"):
        download_and_unpack("file:///etc/passwd", tmp_path / "x", 2**20)
