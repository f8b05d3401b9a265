"""Property: every least-privilege suggestion is a subset of what is granted and covers what the code calls.

For every application of the test suite (the per-format fixtures, the bundled examples) and a
sample of the real-world corpus, for every role statement FG-IAM-030/032 would replace:

* each suggested action is an action the statement grants, each suggested resource is one
  the statement names or one it surely covers: applying the fix never widens access;
* every call the holders make through that statement keeps an action and a resource that
  may cover it: applying the fix never breaks the code.

And every function's whole policy (``faasguard policy``) grants each of its needs.

The corpus lives outside the repository (``/work/shared/corpus``, or ``$FAASGUARD_CORPUS``);
without it that part is skipped. CI checks a fixed sample of 24 application directories so
the test stays under ten seconds; ``FAASGUARD_CORPUS_FULL=1`` checks every one (about a minute).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

from faasguard.findings import CATEGORIES
from faasguard.iam.evaluate import arn_may_match
from faasguard.iam.least_privilege import analyse, replacement_for, statement_use
from faasguard.model import Application
from faasguard.scan import ScanOptions, scan

ROOT = Path(__file__).resolve().parents[2]
SUITE = sorted(
    {p.parent for p in (ROOT / "tests" / "fixtures" / "formats").glob("*/*/*/*") if p.is_file()}
    | {p for p in (ROOT / "examples").glob("*-orders-app") if p.is_dir()}
)
CORPUS = Path(os.environ.get("FAASGUARD_CORPUS", "/work/shared/corpus"))
CORPUS_SAMPLE = 24


def corpus_dirs() -> list[Path]:
    index = CORPUS / "INDEX.tsv"
    if not index.is_file():
        return []
    dirs = sorted(
        {
            (CORPUS / line.split("\t")[0]).parent
            for line in index.read_text(encoding="utf-8").splitlines()
            if line.split("\t")[1:2] and line.split("\t")[1] in ("sam", "cloudformation", "serverless", "terraform")
        }
    )
    if os.environ.get("FAASGUARD_CORPUS_FULL"):
        return dirs
    step = max(1, len(dirs) // CORPUS_SAMPLE)
    return dirs[::step][:CORPUS_SAMPLE]


@cache
def applications(path: Path) -> list[Application]:
    return scan(path, ScanOptions(skip_categories=set(CATEGORIES), jobs=1)).applications


def check(app: Application) -> int:
    """Assert the property on one application; return how many statements were checked."""
    iam = analyse(app)
    checked = 0
    for role_id, perms in iam.permissions.items():
        for use in statement_use(iam, role_id) or ():
            replacement = replacement_for(use, perms)
            if replacement is None:
                continue
            checked += 1
            grant = use.grant
            where = f"{app.source}: {role_id} {grant.statement.policy} {grant.statement.loc}"
            for stmt in replacement:
                for action in stmt.actions:
                    assert action in perms.effective(grant), f"{where}: suggests {action}, not granted"
                    for resource in stmt.resources:
                        assert resource in grant.statement.resources or grant.covers(action, resource, perms.resolve), (
                            f"{where}: suggests {action} on {resource}, wider than {grant.statement.resources}"
                        )
            for need in use.needs:
                if need.action not in use.used or need.action not in grant.actions or need.optional:
                    continue
                keeps = [s for s in replacement if need.action in s.actions]
                assert keeps, f"{where}: drops {need.action} ({need.why})"
                if not need.platform:
                    assert any(arn_may_match(perms.resolve(r) if perms.resolve else r, need.resource) for s in keeps
                               for r in s.resources), f"{where}: {need.action} on {need.resource} no longer covered"
    for policy in iam.policies.values():
        granted = {(a, r) for s in policy.statements for a in s.actions for r in s.resources}
        for need in policy.needs:
            if need.dependent:  # depends on the request: named, never granted on every resource
                assert any(m.startswith(need.action + " (") for m in policy.may_also_need), need
                continue
            assert (need.action, need.resource) in granted or (need.action, "*") in granted, (
                f"{app.source}: policy of {policy.function} misses {need.action} on {need.resource}"
            )
    return checked


@pytest.mark.parametrize("path", SUITE, ids=lambda p: str(p.relative_to(ROOT)))
def test_suggestions_never_widen_and_never_break_on_the_test_suite(path):
    for app in applications(path):
        check(app)


def test_the_suite_exercises_the_property():
    # Not vacuous: the suite has statements a fix would replace.
    assert sum(check(app) for path in SUITE for app in applications(path)) >= 10


@pytest.mark.skipif(not corpus_dirs(), reason="the real-world corpus is not on this machine")
def test_suggestions_never_widen_and_never_break_on_the_corpus():
    checked = 0
    for path in corpus_dirs():
        for app in applications(path):
            checked += check(app)
    assert checked > 0
