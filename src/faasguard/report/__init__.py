"""Reporters: one module per output format, each a class with one ``format()`` method."""

from faasguard.report.html import HtmlReporter
from faasguard.report.interface import Reporter
from faasguard.report.json import JsonReporter
from faasguard.report.junit import JunitReporter
from faasguard.report.sarif import SarifReporter
from faasguard.report.text import TextReporter

REPORTERS: dict[str, type[Reporter]] = {
    "text": TextReporter,
    "json": JsonReporter,
    "sarif": SarifReporter,
    "junit": JunitReporter,
    "html": HtmlReporter,
}

__all__ = ["REPORTERS", "Reporter"]
