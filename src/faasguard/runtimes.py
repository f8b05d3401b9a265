"""Function runtime lifecycles: which runtimes a provider has deprecated, and when.

The dates live in ``data/runtimes.json`` (AWS Lambda, Google Cloud Functions,
Azure Functions), copied from the providers' published schedules, so updating
them is a data change, not a code change. Rules and the dependency analysis ask
:func:`lifecycle` for a runtime and :func:`status` for where it stands *today*.

"Today" is the scan date, or the ISO date in the ``FAASGUARD_TODAY`` environment
variable when set: a CI job that needs byte-identical reports over time, and the
tests, pin it there.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from functools import cache
from importlib import resources

# How far ahead a coming deprecation is worth a warning: about the time a team needs to migrate.
WARNING_WINDOW = timedelta(days=183)
# Within this many days a coming deprecation is urgent (medium); between it and WARNING_WINDOW, low.
SOON = timedelta(days=90)
TODAY_VARIABLE = "FAASGUARD_TODAY"


class Stage(Enum):
    SUPPORTED = "supported"
    DEPRECATING = "deprecating"  # deprecation within WARNING_WINDOW
    DEPRECATED = "deprecated"


@dataclass(frozen=True)
class Lifecycle:
    provider: str  # aws | gcp | azure
    runtime: str  # the provider's identifier: python3.9, python39, python:3.9
    name: str  # what people call it: "Python 3.9"
    deprecated: date  # no more security patches / support from this day
    decommissioned: date | None = None  # deployments refused (GCP)
    successor: str | None = None  # explicit move target when not the newest of the family
    block_create: date | None = None  # AWS refuses to create functions on it from this day
    block_update: date | None = None  # ... and to update them (except to move to another runtime)

    def stage(self, today: date) -> Stage:
        if today >= self.deprecated:
            return Stage.DEPRECATED
        if today >= self.deprecated - WARNING_WINDOW:
            return Stage.DEPRECATING
        return Stage.SUPPORTED


_pinned: list[date] = []


@contextmanager
def pinned_today(when: date | None) -> Iterator[None]:
    """Judge deprecations against ``when`` (``faasguard scan --today``) inside the block."""
    if when is None:
        yield
        return
    _pinned.append(when)
    try:
        yield
    finally:
        _pinned.pop()


def today() -> date:
    """The scan date: ``--today`` (see :func:`pinned_today`), else ``FAASGUARD_TODAY`` (YYYY-MM-DD)
    when set, otherwise the local date."""
    if _pinned:
        return _pinned[-1]
    pinned = os.environ.get(TODAY_VARIABLE, "").strip()
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            pass  # a malformed pin must not break a scan; fall back to the real date
    return date.today()


@cache
def all_lifecycles() -> dict[tuple[str, str], Lifecycle]:
    """Every known runtime, keyed by (provider, identifier)."""
    text = resources.files("faasguard").joinpath("data/runtimes.json").read_text(encoding="utf-8")
    data = json.loads(text)
    out: dict[tuple[str, str], Lifecycle] = {}
    for provider in ("aws", "gcp", "azure"):
        for runtime, entry in data.get(provider, {}).items():
            optional = {
                key: date.fromisoformat(entry[key]) for key in ("decommissioned", "block_create", "block_update") if key in entry
            }
            out[(provider, runtime)] = Lifecycle(
                provider=provider,
                runtime=runtime,
                name=entry["name"],
                deprecated=date.fromisoformat(entry["deprecated"]),
                successor=entry.get("successor"),
                **optional,
            )
    return out


def lifecycle(provider: str, runtime: str | None) -> Lifecycle | None:
    """The lifecycle of ``runtime`` on ``provider``, or None when it is unknown (or not given)."""
    if not runtime:
        return None
    return all_lifecycles().get((provider, runtime.strip().lower()))


@cache
def family(runtime: str) -> str:
    """The language part of an identifier: ``nodejs18.x`` → ``nodejs``, ``python:3.9`` → ``python``."""
    match = re.match(r"[a-z-]+", runtime.lower())
    return match.group(0).rstrip("-") if match else runtime


@cache
def recommended(entry: Lifecycle, when: date) -> str | None:
    """The runtime to move to: the explicit successor, else the newest supported one of the same language."""
    if entry.successor:
        return entry.successor
    candidates = [
        other
        for (provider, runtime), other in all_lifecycles().items()
        if provider == entry.provider and family(runtime) == family(entry.runtime) and other.stage(when) is Stage.SUPPORTED
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c.deprecated, c.runtime)).runtime
