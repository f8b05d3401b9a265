"""The IAM analyzer: after the code analysis, computes every application's IAM facts once.

It adds :class:`~faasguard.iam.least_privilege.AppIam` to ``Application.iam``: each role's,
user's and group's permissions (wildcards, NotAction and AWS managed policies expanded) and
each function's least-privilege policy from its SDK calls. The IAM rules read it; none of
them computes it. Applications with no AWS function and no IAM principal are skipped, so the
IAM database is never loaded for them.
"""

from __future__ import annotations

from operator import attrgetter
from pathlib import Path

from faasguard.interfaces import AnalysisResult
from faasguard.model import Application


class IamAnalyzer:
    """An :class:`~faasguard.interfaces.ApplicationAnalyzer`: a scan runs it per application in the
    rule workers; :meth:`analyze` does all applications here (an audit, a single process)."""

    name = "iam"

    def analyze(self, apps: list[Application], root: Path, files: list[Path]) -> AnalysisResult:
        return AnalysisResult(errors=[e for app in apps for e in self.analyze_application(app)])

    def prepare(self, apps: list[Application]) -> None:
        """Build, in this process, the tables every application's analysis and the IAM rules read (the IAM action
        index, AWS managed policies and their expansions, the SDK map, the risk classes), when some application
        needs them. A caller that then forks workers for :meth:`analyze_application` calls it first: each worker
        finds them built instead of building its own copy (0.15-0.2 CPU-s each). Nothing else changes."""
        needed = [app for app in apps if _needs_iam(app)]
        if not needed:
            return
        _build_tables(needed)

    def analyze_application(self, app: Application) -> list[tuple[str, str]]:
        if not _needs_iam(app):
            return []
        from faasguard.iam.least_privilege import analyse

        try:
            analyse(app)
        except (ValueError, KeyError, TypeError) as exc:  # bad input must not stop the scan
            return [(app.source, f"IAM analysis failed: {exc}")]
        return []


def _needs_iam(app: Application) -> bool:
    """An AWS function or an IAM principal: what the analysis (and the IAM database) is for."""
    # any(fn.provider == "aws" ...) or any(not role.grants ...), in C: asked of every application, twice
    return "aws" in map(_PROVIDER, app.functions) or not all(map(_GRANTS, app.roles.values()))


_PROVIDER, _GRANTS = attrgetter("provider"), attrgetter("grants")


def _build_tables(apps: list[Application]) -> None:
    """What the analysis and the IAM rules of ``apps`` read whatever the application: each is cached for the process."""
    import faasguard.iam.render  # noqa: F401  (FG-IAM-030's fixes: its imports compile regular expressions)
    from faasguard.iam import actions, evaluate, managed, platform, risk, takeover
    from faasguard.iam.sdk_map import sdk_map

    index = actions.action_index()
    index.levels()
    index.expand("*")
    actions._extra_dependent_actions()
    sdk_map()
    platform.exempt_actions()
    platform._rows_by_kind()
    attached = {managed.policy_name(p.arn) for app in apps for role in app.roles.values() for p in role.managed_policies}
    for name in sorted(n for n in attached if n is not None):
        evaluate._managed_actions(name)
    risk._sorted_methods()
    risk._escalation_set()
    risk._listed_names()
    risk._infrastructure_names()
    takeover._changing_actions()
