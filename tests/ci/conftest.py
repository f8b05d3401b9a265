"""Shared helpers for the CI-integration checks: a ``faasguard`` command for this checkout."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


@pytest.fixture()
def faasguard_bin(tmp_path) -> Path:
    """A ``faasguard`` executable that runs this checkout's code (not whatever is installed)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "faasguard"
    exe.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT / "src"}" exec "{sys.executable}" -m faasguard "$@"\n')
    exe.chmod(0o755)
    return exe


@pytest.fixture()
def empty_advisories(tmp_path) -> Path:
    """An empty offline advisory directory, so no test depends on ~/.cache."""
    path = tmp_path / "advisories"
    path.mkdir()
    return path


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "FAASGUARD_", "PIP_"))}
    env.update(extra)
    return env
