"""Rules of the `supply-chain` category: what the function runs on and ships with.

Configuration-level rules (FG-SUP-001…009) read the runtime and layers from the
model; runtime lifecycles come from :mod:`faasguard.runtimes`.
"""

from __future__ import annotations

from collections.abc import Iterator

from faasguard import runtimes
from faasguard.findings import Severity
from faasguard.model import Application
from faasguard.registry import Hit, rule


@rule("FG-SUP-001", category="supply-chain", severity=Severity.HIGH, title="Function runtime is deprecated")
def deprecated_runtime(app: Application) -> Iterator[Hit]:
    """
    The function runs on a runtime its provider has deprecated, or will deprecate
    within about six months.

    A deprecated runtime no longer receives security patches for the language
    or the operating system under it, so known vulnerabilities in the
    interpreter and system libraries stay exploitable; soon after, the provider
    refuses to create or update functions on it, which turns the next urgent fix
    into a migration. High once the deprecation date has passed, medium while it
    is coming.

    Bad:

    ```yaml
    Runtime: python3.8   # deprecated by AWS on 2024-10-14
    ```

    Fix: move to a supported runtime of the same language (`python3.13`,
    `nodejs22.x` …), run the tests, and redeploy. The dates come from the
    providers' published schedules (`faasguard/data/runtimes.json`); pin the scan
    date with `FAASGUARD_TODAY=YYYY-MM-DD` for reproducible reports.
    """
    today = runtimes.today()
    for fn in app.functions:
        entry = runtimes.lifecycle(fn.provider, fn.runtime)
        if entry is None:
            continue
        stage = entry.stage(today)
        if stage is runtimes.Stage.SUPPORTED:
            continue
        target = runtimes.recommended(entry, today)
        move = f"Move {fn.name} to {target}" if target else f"Move {fn.name} to a supported runtime"
        if stage is runtimes.Stage.DEPRECATED:
            message = (
                f"Function {fn.name} runs on {entry.runtime} ({entry.name}), deprecated by {fn.provider.upper()} "
                f"on {entry.deprecated.isoformat()}: it no longer receives security patches"
            )
            severity = Severity.HIGH
        else:
            days = (entry.deprecated - today).days
            message = (
                f"Function {fn.name} runs on {entry.runtime} ({entry.name}), which {fn.provider.upper()} deprecates "
                f"on {entry.deprecated.isoformat()} (in {days} days)"
            )
            severity = Severity.MEDIUM
        yield Hit(
            loc=fn.runtime_loc or fn.loc,
            message=message,
            remediation=f"{move}, run its tests and redeploy before the provider blocks updates on {entry.runtime}",
            resource=fn.name,
            function=fn.name,
            severity=severity,
            key=f"{entry.runtime}:{stage.value}",
        )
