"""Rules of the ``iam`` category: functions that hold more permission than they should."""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.findings import Severity
from faasguard.model import Application
from faasguard.registry import Hit, rule


@rule("FG-IAM-001", category="iam", severity=Severity.HIGH, title="Function role allows every action on a service")
def wildcard_actions(app: Application) -> Iterator[Hit]:
    """
    An `Allow` statement in a function's role grants `*` or `service:*`.

    A function compromised through its event (injection, a vulnerable dependency)
    can then do anything the service allows: `s3:*` includes `s3:DeleteBucket` and
    `s3:PutBucketPolicy`; `*` is full administrator access.

    Bad:

    ```yaml
    Policies:
      - Statement:
          - Effect: Allow
            Action: s3:*
            Resource: "*"
    ```

    Fix: list the actions the code calls (`s3:GetObject`), or use a SAM policy
    template such as `S3ReadPolicy` scoped to one bucket.
    """
    for fn in app.functions:
        role = app.role_of(fn)
        if role is None:
            continue
        for stmt in role.statements:
            if not stmt.allows:
                continue
            wild = [a for a in stmt.actions if a == "*" or a.endswith(":*")]
            if not wild:
                continue
            resources = ", ".join(stmt.resources) or "*"
            yield Hit(
                loc=stmt.loc,
                message=f"Role {role.id} of function {fn.name} allows {', '.join(wild)} on {resources} (policy {stmt.policy})",
                remediation="Replace the wildcard with the specific actions the function calls, "
                "e.g. s3:GetObject on the one bucket it reads",
                resource=role.id,
                function=fn.name,
                severity=Severity.CRITICAL if "*" in wild else None,
                key=f"{stmt.policy}:{','.join(sorted(wild))}",
            )
