"""The analyzers a scan runs, built from the user's options.

An analyzer (:class:`faasguard.interfaces.Analyzer`) reads what the loaded model points
at and adds facts to it. Each is given what it needs when it is built here, as pip-audit
hands its ``Auditor`` the vulnerability service: nothing reads the options back later.
"""

from __future__ import annotations

from faasguard.code.analyzer import CodeAnalyzer
from faasguard.deps.analyzer import DependencyAnalyzer, advisory_service
from faasguard.iam.analyzer import IamAnalyzer
from faasguard.interfaces import AnalysisResult, Analyzer, ScanOptions

__all__ = ["AnalysisResult", "Analyzer", "default_analyzers"]


def default_analyzers(options: ScanOptions) -> list[Analyzer]:
    """Function code first (taint, SDK calls, secrets), then dependencies and their advisories, then IAM
    (least privilege reads the code's SDK calls)."""
    advisories = advisory_service(options.advisory_db, options.online, options.osv_api)
    return [CodeAnalyzer(options.jobs, options.taint_models), DependencyAnalyzer(advisories, options.jobs), IamAnalyzer()]
