"""Input and output trouble ends in a sentence and exit 2 (usage/IO error), never a traceback or exit 1."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from faasguard.cli import main
from faasguard.scan import ScanOptions, scan
from tests.hostile.conftest import HANDLER, SAM, write

SECRET_ENV = "      Environment:\n        Variables:\n          DB_PASSWORD: Zq8kLm2pX4vB9nR7\n"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("config.json", "[" * 1_000 + "]" * 1_000),
        ("local.settings.json", '{"Values":' + "[" * 100_000 + "]" * 100_000 + "}"),
        ("appsettings.json", '{"a":' * 5_000 + "1" + "}" * 5_000),
    ],
)
def test_deep_json_config_files_are_one_error(tmp_path: Path, name: str, text: str) -> None:
    write(tmp_path, {name: text, "template.yaml": SAM + SECRET_ENV, "src/app.py": HANDLER})
    result = scan(tmp_path, ScanOptions(jobs=1))
    assert dict(result.errors)[name].startswith("nested too deeply")
    assert "FG-SEC-001" in {f.rule_id for f in result.findings}  # the rest of the scan went on


@pytest.mark.skipif(os.name != "posix", reason="POSIX file names are bytes")
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "html"])
def test_latin1_file_names(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    directory = tmp_path / os.fsdecode(b"caf\xe9")
    write(directory, {"template.yaml": SAM + SECRET_ENV, "src/app.py": HANDLER})
    out = tmp_path / f"report.{fmt}"
    assert main(["scan", str(tmp_path), "--quiet", "--format", fmt, "-o", str(out)]) == 1
    text = out.read_text(encoding="utf-8")
    assert "caf\\xe9/template.yaml" in text or "caf%E9/template.yaml" in text or "caf\\udce9/template.yaml" in text
    if fmt == "json":
        assert json.loads(text)["findings"][0]["fingerprint"]


def test_report_into_a_directory(tmp_path, capsys) -> None:
    write(tmp_path, {"template.yaml": SAM, "src/app.py": HANDLER})
    assert main(["scan", str(tmp_path), "--quiet", "-o", str(tmp_path)]) == 2
    assert "it is a directory" in capsys.readouterr().err


def test_sbom_into_a_directory(tmp_path, capsys) -> None:
    write(tmp_path, {"template.yaml": SAM, "src/app.py": HANDLER})
    assert main(["scan", str(tmp_path), "--quiet", "--sbom", "cyclonedx", str(tmp_path)]) == 2
    assert "it is a directory" in capsys.readouterr().err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("option", [["-o", "/dev/full"], ["--sbom", "cyclonedx", "/dev/full"]])
def test_a_full_device(tmp_path, capsys, option) -> None:
    write(tmp_path, {"template.yaml": SAM, "src/app.py": HANDLER})
    assert main(["scan", str(tmp_path), "--quiet", *option]) == 2
    assert "No space left on device" in capsys.readouterr().err


def test_a_report_written_normally_still_works(tmp_path, capsys) -> None:
    write(tmp_path, {"template.yaml": SAM, "src/app.py": HANDLER})
    out = tmp_path / "out" / "report.json"
    assert main(["scan", str(tmp_path), "--quiet", "--format", "json", "-o", str(out), "--fail-on", "none"]) == 0
    assert json.loads(out.read_text())["scanned"]["functions"] == 1
