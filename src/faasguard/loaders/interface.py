"""What a loader is: something that recognises a source and turns it into applications."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
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


NO_VARIABLES: Mapping[str, str] = MappingProxyType({})


class Loader(Protocol):
    name: str

    def wants(self, filename: str) -> bool:
        """By (lower-case) file name alone: might this file be ours? Decides what gets read."""

    # Optional: ``unit_entry(path) -> Path``, for formats whose unit spans several files (a
    # Terraform module): the file that loads the unit, used when the user scans one file of it.

    def claims(self, path: Path, text: str) -> bool:
        """Cheap test on the file's name and text: is this source ours?"""

    def load(self, path: Path, text: str, root: Path, variables: Mapping[str, str] = NO_VARIABLES) -> LoadResult:
        """Turn the file into applications; never raise for bad input, report it instead.

        ``variables`` are the values the user gave with ``--var KEY=VALUE`` for the source's own
        variables (``${env:KEY}`` in a serverless.yml …), never the scanner's environment.
        """
