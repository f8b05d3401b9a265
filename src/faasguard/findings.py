"""Findings, severities and categories: what rules produce and reporters print."""

from __future__ import annotations

import hashlib
import re
from dataclasses import MISSING, dataclass, field, fields
from enum import IntEnum
from operator import attrgetter
from typing import Any

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


def relative_to(text: str, base: str) -> str:
    """``text`` with every path in it made relative to the folder ``base`` ("services/a/"): the
    finding's path, and paths inside its message, key or resource ("first at src/app.py:9")."""
    return re.sub(rf"(?<![\w./-]){re.escape(base)}", "", text) if base else text


def fingerprint(identity: str) -> str:
    """A finding's fingerprint from its identity (rule, path, resource, function and key joined by ``\\x1f``)."""
    digest = _SHA256.copy()  # a copy of an empty one: hashlib.sha256() looks the algorithm up again each time
    digest.update(identity.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


_SHA256 = hashlib.sha256()


def finding_fingerprint(rule_id: str, path: str, resource: str | None, function: str | None, key: str,
                        base: str = "") -> str:
    """The fingerprint of a finding of ``rule_id`` at ``path`` (``key``: what names the problem, else its message).
    ``base`` ("services/a/") is the scanned folder relative to the root paths start from: it is left out, so
    scanning a folder gives the fingerprints it always gave, whether paths are reported from the repository
    root or not."""
    identity = "\x1f".join((rule_id, path, resource or "", function or "", key))
    if base:
        identity = relative_to(identity, base)
    return fingerprint(identity)


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
    # The application (template, serverless.yml, Terraform root…) the finding came from, relative to
    # the root: two functions of the same name in different folders stay apart in reports.
    source: str = field(default="", compare=False)
    # One finding for one root cause (see faasguard.root_cause): the functions it affects, and the
    # fingerprints the per-function findings had, so baselines written before grouping still match.
    functions: tuple[str, ...] = field(default=(), compare=False)
    fingerprints: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, **values: Any) -> Finding:
        """``Finding(**values)`` at a third of the cost (a frozen dataclass's ``__init__`` sets each of its fields
        through ``object.__setattr__``; rules make tens of thousands of findings): no ``__post_init__`` to run."""
        if len(values) != len(_FIELDS):  # a caller that gives every field (the registry) hands over its dict as is
            values = {**_DEFAULTS, **values}
        if values.keys() != _FIELDS:
            raise TypeError(f"Finding fields missing or unknown: {sorted(_FIELDS ^ values.keys())}")
        made = object.__new__(cls)
        object.__setattr__(made, "__dict__", values)  # ``values`` is this call's own dict (``**`` made it)
        return made

    @classmethod
    def adopt(cls, values: dict[str, Any]) -> Finding:
        """The finding whose fields are ``values``, a new dict that holds every field and nothing else (the registry
        builds one per finding): :meth:`of` without its check, for the one caller that makes every finding."""
        made = object.__new__(cls)
        object.__setattr__(made, "__dict__", values)
        return made

    def but(self, **changes: Any) -> Finding:
        """``dataclasses.replace(self, **changes)`` at a tenth of the cost (every finding is copied twice or more
        on its way to the report): a Finding has no ``__post_init__``, so copying its fields is the same."""
        unknown = changes.keys() - self.__dict__.keys()
        if unknown:
            raise TypeError(f"Finding has no field {', '.join(sorted(unknown))}")
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(changes)
        return copy

    @property
    def all_fingerprints(self) -> tuple[str, ...]:
        """Its own fingerprint and those of the findings it stands for."""
        return (self.fingerprint, *self.fingerprints)

    def sort_key(self) -> tuple[object, ...]:
        return (self.path, self.line or 0, self.rule_id, self.resource or "", self.message)


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    """``sorted(findings, key=Finding.sort_key)`` (stable: ties keep their order), with the keys made in C passes:
    ``line or 0`` and ``resource or ""`` as dict lookups that give back any other value (an int line, a resource
    name) as it is. A big scan sorts 25k findings."""
    lines, resources = list(map(_LINE, findings)), list(map(_RESOURCE, findings))
    keys = list(zip(
        map(_PATH, findings), map(_NO_LINE.get, lines, lines), map(_RULE, findings),
        map(_NO_RESOURCE.get, resources, resources), map(_MESSAGE, findings),
    ))
    return list(map(findings.__getitem__, sorted(range(len(findings)), key=keys.__getitem__)))


_PATH, _LINE, _RULE, _RESOURCE, _MESSAGE = map(attrgetter, ("path", "line", "rule_id", "resource", "message"))
_NO_LINE: dict[object, object] = {None: 0, 0: 0}
_NO_RESOURCE: dict[object, object] = {None: "", "": ""}


_FIELDS = frozenset(f.name for f in fields(Finding))
_DEFAULTS = {f.name: f.default for f in fields(Finding) if f.default is not MISSING}
