"""Findings, severities and categories: what rules produce and reporters print."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from enum import IntEnum

CATEGORIES = (
    "iam",
    "secrets",
    "monitoring",
    "injection",
    "supply-chain",
    "resources",
    "network",
    "attack-path",
)


class Severity(IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        return cls[text.upper()]

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Related:
    path: str
    line: int | None
    note: str


@dataclass(frozen=True)
class Finding:
    rule_id: str
    category: str
    severity: Severity
    title: str
    message: str
    path: str
    line: int | None
    end_line: int | None
    resource: str | None
    function: str | None
    remediation: str
    related: tuple[Related, ...] = ()
    fingerprint: str = ""
    # A stable identity of the problem that does not move when lines move: rules
    # set it to what names the problem (resource, env var, action…); defaults to the message.
    key: str = field(default="", compare=False)

    def with_fingerprint(self) -> Finding:
        identity = "\x1f".join(
            (self.rule_id, self.path, self.resource or "", self.function or "", self.key or self.message)
        )
        return replace(self, fingerprint=hashlib.sha256(identity.encode()).hexdigest()[:32])

    def sort_key(self) -> tuple[object, ...]:
        return (self.path, self.line or 0, self.rule_id, self.resource or "", self.message)
