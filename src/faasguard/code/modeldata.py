"""The bundled taint data files (``data/taint/*.toml``), read once: below every module of :mod:`faasguard.code`."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def bundled(name: str) -> dict[str, Any]:
    """One file of ``data/taint`` (python.toml, javascript.toml, shared.toml), parsed."""
    return tomllib.loads(resources.files("faasguard").joinpath(f"data/taint/{name}").read_text(encoding="utf-8"))


def shared() -> dict[str, Any]:
    return bundled("shared.toml")


def source_label(source: str) -> str:
    """``event["Records"][0]["Sns"]["Message"]`` → ``… (SNS message)``, from the shared source_label rows."""
    low = source.lower().replace('"', "").replace("'", "").replace("[", ".").replace("]", "")
    for row in shared().get("source_label", []):
        if all(word in low for word in row["words"]):
            return f"{source} ({row['label']})"
    return source
