"""OSV matching semantics, CVSS scoring and alias merging."""

from __future__ import annotations

import pytest

from faasguard.deps.cvss import base_score, rating
from faasguard.deps.osv import affected_by, merge_aliases, to_advisory
from tests.deps.conftest import JINJA_GHSA, JINJA_PYSEC, LODASH, MINIMIST, WITHDRAWN

RANGES = {
    "id": "TEST-1",
    "affected": [
        {
            "package": {"ecosystem": "PyPI", "name": "Some_Pkg"},
            "ranges": [
                {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0.1"}]},
                {"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"last_affected": "2.3"}]},
                {"type": "GIT", "repo": "https://github.com/x/y", "events": [{"introduced": "0"}, {"fixed": "abc"}]},
            ],
            "versions": ["3.0rc1"],
        }
    ],
}


@pytest.mark.parametrize(
    ("version", "hit", "fixed"),
    [
        ("0.9", True, ("1.0.1",)),
        ("1.0.1", False, ()),
        ("1.0.1.post1", False, ()),
        ("1.5", False, ()),
        ("2.0", True, ()),
        ("2.3", True, ()),  # last_affected is inclusive
        ("2.3.1", False, ()),
        ("3.0rc1", True, ()),  # listed explicitly
        ("not-a-version", False, ()),
    ],
)
def test_pep440_ranges(version, hit, fixed):
    assert affected_by(RANGES, "PyPI", "some-pkg", version) == (hit, fixed)


@pytest.mark.parametrize(
    ("version", "hit"),
    [("0.0.8", True), ("0.2.4", False), ("1.2.0", True), ("1.2.5", True), ("1.2.6", False), ("1.2.6-beta.1", True)],
)
def test_semver_ranges(version, hit):
    assert affected_by(MINIMIST, "npm", "minimist", version)[0] is hit


def test_first_fixed_is_the_one_closing_the_interval():
    assert affected_by(MINIMIST, "npm", "minimist", "1.2.0") == (True, ("1.2.6",))
    assert affected_by(MINIMIST, "npm", "minimist", "0.0.8") == (True, ("0.2.4",))


def test_other_package_or_ecosystem_does_not_match():
    assert affected_by(LODASH, "npm", "lodash-es", "4.17.15")[0] is False
    assert affected_by(LODASH, "PyPI", "lodash", "4.17.15")[0] is False


def test_withdrawn_record_never_matches():
    assert affected_by(WITHDRAWN, "PyPI", "requests", "2.0.0") == (False, ())


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H", 7.4),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:N/A:N", 8.6),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:N", 0.0),
        ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", None),
        ("CVSS:3.1/AV:X/AC:L", None),
    ],
)
def test_cvss3_base_score(vector, score):
    assert base_score(vector) == score


def test_rating_thresholds():
    assert [rating(s) for s in (9.0, 8.9, 7.0, 6.9, 4.0, 3.9, 0.1, 0.0)] == [
        "critical", "high", "high", "medium", "medium", "low", "low", "none"
    ]


def test_advisory_severity_from_vector_then_database_rating():
    lodash = to_advisory(LODASH, ("4.17.19",))
    assert (lodash.score, lodash.severity, lodash.fixed) == (7.4, "high", ("4.17.19",))
    pysec = to_advisory(JINJA_PYSEC, ())
    assert pysec.severity is None and pysec.summary.startswith("In Pallets Jinja before 2.10.1")


def test_aliases_merge_pysec_and_ghsa_into_one_advisory():
    [merged] = merge_aliases([to_advisory(JINJA_PYSEC, ("2.10.1",)), to_advisory(JINJA_GHSA, ("2.10.1",))])
    assert merged.id == "GHSA-462w-v97r-4m45"  # the record with a CVSS vector leads
    assert merged.aliases == ("CVE-2019-10906", "PYSEC-2019-217")
    assert merged.severity == "high" and merged.score == 8.6
