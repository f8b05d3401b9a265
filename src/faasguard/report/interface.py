"""The reporter interface: a scan result in, one string out."""

from __future__ import annotations

from typing import Protocol

from faasguard.scan import ScanResult


class Reporter(Protocol):
    def __init__(self, **options: object) -> None: ...

    def format(self, result: ScanResult) -> str:
        """Render the whole result; deterministic for the same input (but for durations)."""
