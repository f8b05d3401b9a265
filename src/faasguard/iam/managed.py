"""What AWS managed policies grant, by name or ARN, from generated offline data.

``data/aws_managed_policies.json`` is built by ``scripts/build_managed_policies.py``
from moto's bundled copy of the AWS-published documents (1,221 policies that a
function's role can hold). Only AWS managed policies are known here; a customer
managed policy ARN (with an account id) is defined elsewhere and comes back ``None``,
which callers must treat as "unknown", not as "grants nothing".
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import orjson

from faasguard.model import Loc, Statement

DATA = Path(__file__).resolve().parent.parent / "data" / "aws_managed_policies.json"
_AWS_ARN_MARKERS = (":iam::aws:policy/",)


@cache
def _data() -> dict[str, Any]:
    loaded = orjson.loads(DATA.read_bytes())  # 1.8 MB, read by every worker process: json.loads takes twice as long
    policies: dict[str, Any] = loaded["policies"]
    return policies


@lru_cache(maxsize=1024)  # asked twice for every attached policy of every role
def policy_name(arn_or_name: str) -> str | None:
    """The AWS managed policy name an ARN or bare name refers to, or None for a customer policy."""
    text = arn_or_name.strip()
    if text.startswith("arn:"):
        if not any(marker in text for marker in _AWS_ARN_MARKERS):
            return None
        name = text.rsplit("/", 1)[-1]
    elif text.startswith("${"):
        return None  # a parameter or a policy defined in the template: not an AWS managed policy
    else:
        name = text.rsplit("/", 1)[-1]
    return name if name in _data() else None


def statements(arn_or_name: str, loc: Loc) -> tuple[Statement, ...] | None:
    """The policy's statements as model statements located at ``loc`` (where it is attached)."""
    name = policy_name(arn_or_name)
    if name is None:
        return None
    return tuple(_statement(fields, loc) for fields in _fields(name))


def _statement(fields: dict[str, Any], loc: Loc) -> Statement:
    """``Statement(**fields, loc=loc)`` without a frozen dataclass's ``object.__setattr__`` per field (every role that
    attaches a managed policy gets its statements; a Statement has no ``__post_init__``)."""
    made = object.__new__(Statement)
    made.__dict__.update(fields)
    made.__dict__["loc"] = loc
    return made


@cache
def _fields(name: str) -> tuple[dict[str, Any], ...]:
    """The fields of each statement of a managed policy but its place: read once (every role that attaches the
    policy gets statements with the same tuples, which the caches of action expansions find at once)."""
    return tuple(
        {
            "effect": "Deny" if row.get("e") == "D" else "Allow",
            "actions": tuple(row.get("a", ())),
            "not_actions": tuple(row.get("na", ())),
            "resources": tuple(row.get("r", ())),
            "not_resources": tuple(row.get("nr", ())),
            "principals": (),
            # The condition's content is not kept: mark the statement as conditional.
            "conditions": (("Managed", "condition", ("…",)),) if row.get("c") else (),
            "sid": f"{name}#{index}",
            "policy": name,
        }
        for index, row in enumerate(_data()[name]["s"])
    )


def names() -> list[str]:
    return sorted(_data())
