"""Helpers for the hostile-input regression tests: every case is generated here, never committed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
"""
HANDLER = "def handler(event, context):\n    return 1\n"
ACCESS_KEY = "AKIAQWERTYUIOPASDFGH"  # a well-formed, made-up access key id
SECRET_KEY = "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"
CREDENTIALS = f"[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A home directory beside the scanned repository, holding credentials."""
    home = tmp_path / "home"
    write(home, {".aws/credentials": CREDENTIALS, ".aws/stolen.py": f'KEY = "{ACCESS_KEY}"\n' + HANDLER})
    return home


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    return root


def report_text(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    return captured.out + captured.err


def json_report(text: str) -> dict:
    return json.loads(text)
