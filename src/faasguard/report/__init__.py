"""Reporters: one module per output format, each a class with one ``format()`` method.

``REPORTERS`` maps a format name to its class and imports the module only when the
format is used: the HTML reporter pulls in jinja2, which a JSON run should not pay for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module

from faasguard.interfaces import Reporter

_CLASSES = {
    "text": ("faasguard.report.text", "TextReporter"),
    "json": ("faasguard.report.json", "JsonReporter"),
    "sarif": ("faasguard.report.sarif", "SarifReporter"),
    "junit": ("faasguard.report.junit", "JunitReporter"),
    "html": ("faasguard.report.html", "HtmlReporter"),
    "markdown": ("faasguard.report.markdown", "MarkdownReporter"),
}


class _Reporters(Mapping[str, type[Reporter]]):
    def __getitem__(self, name: str) -> type[Reporter]:
        module, cls = _CLASSES[name]
        reporter: type[Reporter] = getattr(import_module(module), cls)
        return reporter

    def __iter__(self) -> Iterator[str]:
        return iter(_CLASSES)

    def __len__(self) -> int:
        return len(_CLASSES)


REPORTERS: Mapping[str, type[Reporter]] = _Reporters()

# In the scan's warnings, what says that dependencies went unchecked (the exit code and the JUnit report read it).
UNCHECKED_MARKERS = ("NO dependency was checked", "could NOT be checked", "could not be queried")


def is_unchecked_warning(message: str) -> bool:
    """Whether a scan warning says that dependencies went unchecked (no advisory data, API down…)."""
    return any(marker in message for marker in UNCHECKED_MARKERS)


__all__ = ["REPORTERS", "UNCHECKED_MARKERS", "Reporter", "is_unchecked_warning"]
