"""What a loader is: something that recognises a source and turns it into applications."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from faasguard.model import Application


@dataclass
class LoadResult:
    applications: list[Application] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, sentence)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # loaded, but only partly understood
    # Files this source includes and models itself (serverless.yml ``${file(resources.yml)}``): the scan
    # drops the applications those files produce on their own, so a finding is not reported twice.
    included: list[str] = field(default_factory=list)


class Loader(Protocol):
    name: str

    def wants(self, filename: str) -> bool:
        """By (lower-case) file name alone: might this file be ours? Decides what gets read."""

    def claims(self, path: Path, text: str) -> bool:
        """Cheap test on the file's name and text: is this source ours?"""

    def load(self, path: Path, text: str, root: Path) -> LoadResult:
        """Turn the file into applications; never raise for bad input, report it instead."""


# Values the user gave with ``--var KEY=VALUE`` for a loader's own variables (``${env:KEY}`` in a
# serverless.yml …). Set once per process by the scan before loading; never the scanner's environment.
_VARIABLES: dict[str, str] = {}


def set_variables(values: Mapping[str, str]) -> None:
    _VARIABLES.clear()
    _VARIABLES.update(values)


def variables() -> Mapping[str, str]:
    return dict(_VARIABLES)
