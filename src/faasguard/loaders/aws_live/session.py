"""boto3 sessions, clients and calls for an audit: retries, bounded concurrency, denied calls.

Credentials and endpoints come from boto3's normal chain (environment, ``--profile``,
SSO, instance roles; ``AWS_ENDPOINT_URL`` for emulators and private endpoints). Every
client retries throttling with botocore's ``standard`` mode (exponential backoff with
jitter). A call that is denied does not stop the audit: :class:`Caller` records an
error entry that names the IAM action to grant, and the collector goes on without it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

POLICY_FILE = "docs/audit-policy.json"
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "Forbidden",
        "ForbiddenException",
    }
)
MISSING_CODES = frozenset({"ResourceNotFoundException", "NoSuchEntity", "NotFoundException", "NoSuchEntityException"})


def client_config(workers: int) -> Config:
    """Retries with backoff on throttling and 5xx, and a connection pool as large as the worker pool."""
    return Config(
        retries={"mode": "standard", "max_attempts": 8},
        max_pool_connections=max(10, workers),
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra="faasguard-audit",
    )


def open_session(
    profile: str | None = None, role_arn: str | None = None, external_id: str | None = None, region: str | None = None
) -> boto3.Session:
    """A session from boto3's credential chain; with ``role_arn``, one that has assumed that role."""
    base = boto3.Session(profile_name=profile, region_name=region)
    if not role_arn:
        return base
    params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": "faasguard-audit", "DurationSeconds": 3600}
    if external_id:
        params["ExternalId"] = external_id
    creds = base.client("sts", config=client_config(1)).assume_role(**params)["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region or base.region_name,
    )


def iam_action(service: str, operation: str) -> str:
    """The IAM action a boto3 call needs (``apigateway`` GetStages → ``apigateway:GET``)."""
    from faasguard.iam.sdk_map import sdk_map

    mapping = sdk_map().actions(service, operation)
    return mapping.actions[0] if mapping.actions else f"{service}:{operation}"


@dataclass
class Problems:
    """Errors and denied permissions of one shard, collected from many threads."""

    errors: list[tuple[str, str]] = field(default_factory=list)
    denied: set[str] = field(default_factory=set)  # IAM actions that were refused
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def error(self, path: str, message: str) -> None:
        with self._lock:
            self.errors.append((path, message))

    def deny(self, action: str, scope: str, what: str) -> None:
        with self._lock:
            self.denied.add(action)
            self.errors.append(
                (
                    scope,
                    f"AccessDenied: the audit may not call {action}, so {what}; grant {action} to the auditing identity "
                    f"({POLICY_FILE} lists every permission the audit needs)",
                )
            )


class Failed(Exception):
    """A call failed (denied, or an error already reported); the caller goes on without its data."""


class Caller:
    """Calls one account's APIs in one region: cached clients, recorded failures.

    ``clients`` may be given (tests pass botocore-stubbed clients); otherwise they are
    created from ``session`` on first use. boto3 clients are thread-safe.
    """

    def __init__(
        self,
        session: boto3.Session | None,
        region: str,
        problems: Problems,
        config: Config | None = None,
        clients: dict[str, Any] | None = None,
    ):
        self.session = session
        self.region = region
        self.problems = problems
        self.config = config or client_config(10)
        self._clients: dict[str, Any] = dict(clients or {})
        self._lock = threading.Lock()
        self.calls = 0
        self.operations: set[tuple[str, str]] = set()  # (service, operation) of every call made

    def client(self, service: str) -> Any:
        with self._lock:
            found = self._clients.get(service)
            if found is None:
                assert self.session is not None, f"no client for {service}"
                region = "us-east-1" if service == "iam" else self.region
                found = self._clients[service] = self.session.client(service, region_name=region, config=self.config)
            return found

    def call(self, service: str, operation: str, scope: str, what: str, **params: Any) -> dict[str, Any] | None:
        """One API call. ``None`` when the resource does not exist; :class:`Failed` when it failed."""
        client = self.client(service)
        self.operations.add((service, _op_name(client, operation)))
        try:
            self.calls += 1
            result: dict[str, Any] = getattr(client, operation)(**params)
            return result
        except ClientError as exc:
            self._failed(exc, service, operation, scope, what)
            return None
        except BotoCoreError as exc:
            self.problems.error(scope, f"{service} {_op_name(client, operation)} failed ({exc}), so {what}")
            raise Failed from None

    def pages(self, service: str, operation: str, key: str, scope: str, what: str, **params: Any) -> list[Any]:
        """Every item under ``key`` of a paginated call (or of one call, when the API has no paginator)."""
        client = self.client(service)
        self.operations.add((service, _op_name(client, operation)))
        items: list[Any] = []
        try:
            if client.can_paginate(operation):
                for page in client.get_paginator(operation).paginate(**params):
                    self.calls += 1
                    items.extend(page.get(key) or [])
            else:
                self.calls += 1
                items.extend(getattr(client, operation)(**params).get(key) or [])
        except ClientError as exc:
            if self._failed(exc, service, operation, scope, what):
                return []
        except BotoCoreError as exc:
            self.problems.error(scope, f"{service} {_op_name(client, operation)} failed ({exc}), so {what}")
            raise Failed from None
        return items

    def _failed(self, exc: ClientError, service: str, operation: str, scope: str, what: str) -> bool:
        """True when the resource is simply missing; otherwise record the problem and raise :class:`Failed`."""
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in MISSING_CODES:
            return True
        op = _op_name(self.client(service), operation)
        if code in DENIED_CODES or status == 403:
            self.problems.deny(iam_action(service, op), scope, what)
        else:
            message = str(error.get("Message") or code or status)
            self.problems.error(scope, f"{service} {op} failed ({code or status}: {message[:200]}), so {what}")
        raise Failed from None


def _op_name(client: Any, method: str) -> str:
    return str(client.meta.method_to_api_mapping.get(method, method))


def chunks(items: Iterable[str], size: int) -> list[list[str]]:
    seq = sorted(set(items))
    return [seq[i : i + size] for i in range(0, len(seq), size)]
