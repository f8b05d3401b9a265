"""What Lambda itself does with a function's role, from ``data/platform_permissions.toml``.

Each row of the table is one platform need: the function setting that creates it (logs
always, tracing, a VPC, an event source, a dead-letter queue, a destination…), the actions
Lambda calls and on which resource. :func:`rows_for` answers "which rows apply to this
function"; rows keyed on a policy name (``policy:…``) or on nothing faasguard models
(``granted``) apply to a statement instead (:func:`statement_rows`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

from faasguard.model import Function

DATA = Path(__file__).resolve().parent.parent / "data" / "platform_permissions.toml"


@dataclass(frozen=True)
class PlatformRow:
    id: str
    when: str
    actions: tuple[str, ...]
    resource: str  # "target" | "logs" | "*"
    why: str
    exempt: bool = False  # never called unused by FG-IAM-030

    @cached_property  # asked for every row of every function
    def kind(self) -> str:
        return self.when.split(":", 1)[0]

    @cached_property
    def argument(self) -> str:
        return self.when.split(":", 1)[1] if ":" in self.when else ""

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """The argument as a regular expression (``policy:`` and ``resource:`` rows), compiled once."""
        return re.compile(self.argument)


@cache
def rows() -> tuple[PlatformRow, ...]:
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    return tuple(
        PlatformRow(
            str(r["id"]), str(r["when"]), tuple(r["actions"]), str(r["resource"]), str(r["why"]), bool(r.get("exempt", False))
        )
        for r in data["need"]
    )


@cache
def exempt_actions() -> frozenset[str]:
    """Actions FG-IAM-030 never calls unused (rows marked ``exempt``), lower-case."""
    return frozenset(a.lower() for row in rows() if row.exempt for a in row.actions)


_TARGET_SERVICES = (
    (":sqs:", "sqs"), (":sns:", "sns"), (":lambda:", "lambda"), (":events:", "events"), ("event-bus", "events"),
    (":s3:", "s3"), ("aws_sqs_queue", "sqs"), ("aws_sns_topic", "sns"), ("aws_lambda_function", "lambda"),
    ("aws_s3_bucket", "s3"), ("aws_cloudwatch_event_bus", "events"),
)  # fmt: skip


def service_of(target: str, kinds: dict[str, str]) -> str | None:
    """The service a dead-letter or destination target is: sqs, sns, lambda, events or s3."""
    match = re.fullmatch(r"\$\{([^}]+)\}", target.strip())
    candidate = match.group(1) if match else ""
    while candidate:
        if candidate in kinds:
            return kinds[candidate]
        candidate = candidate.rpartition(".")[0]
    for needle, service in _TARGET_SERVICES:
        if needle in target.lower():
            return service
    return None


def rows_for(fn: Function, kinds: dict[str, str]) -> list[tuple[PlatformRow, str | None]]:
    """(row, target) for every platform need of ``fn``; target is the setting's own value, when the row has one.
    In table order; only the rows of the settings ``fn`` has are looked at (asked for every function)."""
    by_kind = _rows_by_kind()
    found: list[tuple[int, PlatformRow, str | None]] = [(i, row, None) for i, row, _ in by_kind.get("always", ())]
    if fn.tracing in ("Active", "PassThrough"):
        found += [(i, row, None) for i, row, _ in by_kind.get("tracing", ())]
    if fn.vpc is not None:
        found += [(i, row, None) for i, row, _ in by_kind.get("vpc", ())]
    if fn.layers:
        found += [(i, row, None) for i, row, arg in by_kind.get("layer", ()) if any(arg in layer for layer in fn.layers)]
    for trig in fn.triggers:
        found += [(i, row, trig.source) for i, row, arg in by_kind.get("trigger", ()) if trig.kind == arg]
    for kind, target in (("dead-letter", fn.dead_letter_target), ("on-failure", fn.on_failure_destination),
                         ("on-success", fn.on_success_destination)):
        if target:
            service = service_of(target, kinds)
            found += [(i, row, target) for i, row, arg in by_kind.get(kind, ()) if service == arg]
    if fn.env_kms_key:
        found += [(i, row, fn.env_kms_key) for i, row, _ in by_kind.get("env-kms", ())]
    found.sort(key=_first)  # stable: a row's triggers stay in the function's order
    return [(row, target) for _, row, target in found]


def _first(item: tuple[int, PlatformRow, str | None]) -> int:
    return item[0]


@cache
def _rows_by_kind() -> dict[str, tuple[tuple[int, PlatformRow, str], ...]]:
    """kind → (position in the table, row, argument) of each row of that kind."""
    out: dict[str, list[tuple[int, PlatformRow, str]]] = {}
    for i, row in enumerate(rows()):
        out.setdefault(row.kind, []).append((i, row, row.argument))
    return {kind: tuple(entries) for kind, entries in out.items()}


@lru_cache(maxsize=1024)  # the same policies and resources come back for every function of a source
def statement_rows(policy: str, resources: tuple[str, ...] = ()) -> tuple[PlatformRow, ...]:
    """Rows that apply to a statement whatever the function: ``exempt``, ``granted``, by policy name or Resource text."""
    out = []
    for row in rows():
        if (
            row.exempt
            or row.kind == "granted"
            or (row.kind == "policy" and row.pattern.search(policy))
            or (row.kind == "resource" and any(row.pattern.search(r) for r in resources))
        ):
            out.append(row)
    return tuple(out)
