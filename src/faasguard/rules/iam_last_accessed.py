"""Rules of the `iam` category that read what IAM itself recorded about a role's use.

Only a live-account audit (`faasguard audit`) fills :attr:`faasguard.model.Role.last_accessed`;
for templates these rules stay silent. They are the live counterpart of FG-IAM-030, which
compares a role with the SDK calls in the code.
"""

from __future__ import annotations

from collections.abc import Iterator

from faasguard.findings import Severity
from faasguard.model import Application
from faasguard.registry import Hit, rule

_LISTED = 12


@rule(
    "FG-IAM-033",
    category="iam",
    severity=Severity.MEDIUM,
    title="Role grants services it has not used in N days",
    providers=("aws",),
    over="roles",
)
def services_not_used(app: Application) -> Iterator[Hit]:
    """
    IAM's last-accessed data (`GenerateServiceLastAccessedDetails`) shows that a
    function's role is allowed to use a service that it has not called in the last
    N days (`faasguard audit --unused-days N`, 90 by default), or never within IAM's
    tracking period.

    Every granted but unused service is attack surface with no benefit: whoever
    gets code running in the function (an injection, a malicious dependency) holds
    it. This is the live counterpart of FG-IAM-030, which reads the function's code
    instead of IAM's records.

    faasguard only says this when IAM has watched the role for at least N days (a
    role created last week has no history to judge). Before removing a grant, check
    that no rare path (a yearly job, a disaster-recovery runbook) needs it.

    Bad: an execution role with `AmazonDynamoDBFullAccess` and `AmazonSQSFullAccess`
    whose function only ever reads DynamoDB. Fix: remove the SQS grant; scope the
    DynamoDB one to the actions and table the code uses (`faasguard policy`).
    """
    for role in sorted(app.roles.values(), key=lambda r: r.id):
        report = role.last_accessed
        if report is None or report.tracked_days < report.window_days:
            continue
        holders = sorted(f.name for f in app.functions_with_role(role.id))
        if not holders:
            continue
        unused = [s for s in report.services if s.days_since is None or s.days_since >= report.window_days]
        if not unused:
            continue
        shown = ", ".join(
            f"{s.namespace} ({'never used' if s.days_since is None else f'last used {s.days_since} days ago'})"
            for s in unused[:_LISTED]
        )
        more = f" and {len(unused) - _LISTED} more" if len(unused) > _LISTED else ""
        every = len(unused) == len(report.services)
        yield Hit(
            loc=role.loc,
            message=f"Role {role.id} of function {', '.join(holders)} is granted {len(unused)} service(s) it has not used "
            f"in {report.window_days} days according to IAM's last-accessed data: {shown}{more}",
            remediation=(
                f"Remove the statements (or detach the managed policies) of role {role.id} that grant "
                f"{', '.join(s.namespace for s in unused[:_LISTED])}{more}"
                + ("; the role was not used at all: check whether its functions are still needed" if every else "")
                + " (check first that no rare code path needs them)"
            ),
            resource=role.id,
            function=holders[0],
            key="last-accessed",
        )
