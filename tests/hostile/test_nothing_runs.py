"""A full scan opens no socket and imports or executes nothing it scans."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from faasguard.scan import ScanOptions, scan
from tests.hostile.conftest import SAM, write


def test_a_scan_imports_nothing_and_opens_no_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "IMPORTED"
    payload = f"open({str(marker)!r}, 'w').write('x')\n"
    write(tmp_path / "repo", {
        "template.yaml": SAM + "      Environment:\n        Variables:\n          DB_PASSWORD: Zq8kLm2pX4vB9nR7\n",
        "src/app.py": payload + "import helper\ndef handler(event, context):\n    return helper.x\n",
        "src/helper.py": payload + "x = 1\n",
        "src/setup.py": payload,
        "src/conftest.py": payload,
        "src/index.js": f"require('fs').writeFileSync({str(marker)!r}, 'x');\n",
        "src/requirements.txt": "requests==2.32.0\n",
    })

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a socket was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    result = scan(tmp_path / "repo", ScanOptions(jobs=1))
    assert not marker.exists()
    assert result.files >= 5 and result.findings  # the files were read and analysed
