"""The IAM analyzer: after the code analysis, computes every application's IAM facts once.

It adds :class:`~faasguard.iam.least_privilege.AppIam` to ``Application.iam``: each role's,
user's and group's permissions (wildcards, NotAction and AWS managed policies expanded) and
each function's least-privilege policy from its SDK calls. The IAM rules read it; none of
them computes it. Applications with no AWS function and no IAM principal are skipped, so the
IAM database is never loaded for them.
"""

from __future__ import annotations

from pathlib import Path

from faasguard.interfaces import AnalysisResult
from faasguard.model import Application


class IamAnalyzer:
    """An :class:`~faasguard.interfaces.ApplicationAnalyzer`: a scan runs it per application in the
    rule workers; :meth:`analyze` does all applications here (an audit, a single process)."""

    name = "iam"

    def analyze(self, apps: list[Application], root: Path, files: list[Path]) -> AnalysisResult:
        return AnalysisResult(errors=[e for app in apps for e in self.analyze_application(app)])

    def analyze_application(self, app: Application) -> list[tuple[str, str]]:
        aws = any(fn.provider == "aws" for fn in app.functions)
        principals = any(not role.grants for role in app.roles.values())
        if not (aws or principals):
            return []
        from faasguard.iam.least_privilege import analyse

        try:
            analyse(app)
        except (ValueError, KeyError, TypeError) as exc:  # bad input must not stop the scan
            return [(app.source, f"IAM analysis failed: {exc}")]
        return []
