import json
from datetime import date
from importlib import resources

import pytest

from faasguard import runtimes


def test_every_entry_has_a_name_and_an_iso_date():
    data = json.loads(resources.files("faasguard").joinpath("data/runtimes.json").read_text(encoding="utf-8"))
    for provider in ("aws", "gcp", "azure"):
        assert data[provider], provider
        for runtime, entry in data[provider].items():
            assert set(entry) <= {"name", "deprecated", "decommissioned", "successor"}, runtime
            date.fromisoformat(entry["deprecated"])
            if "successor" in entry:
                assert (provider, entry["successor"]) in runtimes.all_lifecycles(), runtime


@pytest.mark.parametrize(
    ("runtime", "deprecated"),
    [
        ("python3.6", "2022-07-18"),
        ("python3.8", "2024-10-14"),
        ("python3.9", "2025-12-15"),
        ("nodejs16.x", "2024-06-12"),
        ("go1.x", "2024-01-08"),
        ("java8", "2024-01-08"),
        ("dotnetcore3.1", "2023-04-03"),
        ("ruby2.7", "2023-12-07"),
    ],
)
def test_published_aws_deprecation_dates(runtime, deprecated):
    entry = runtimes.lifecycle("aws", runtime)
    assert entry is not None
    assert entry.deprecated == date.fromisoformat(deprecated)


def test_stage_is_relative_to_the_given_day():
    entry = runtimes.lifecycle("aws", "python3.9")
    assert entry is not None
    assert entry.stage(date(2025, 1, 1)) is runtimes.Stage.SUPPORTED
    assert entry.stage(date(2025, 8, 1)) is runtimes.Stage.DEPRECATING
    assert entry.stage(date(2025, 12, 15)) is runtimes.Stage.DEPRECATED


def test_unknown_and_missing_runtimes_have_no_lifecycle():
    assert runtimes.lifecycle("aws", "provided.al2099") is None
    assert runtimes.lifecycle("aws", None) is None
    assert runtimes.lifecycle("gcp", "python39") is not None
    assert runtimes.lifecycle("azure", "python:3.9") is not None


def test_recommendation_is_the_newest_supported_runtime_of_the_language():
    entry = runtimes.lifecycle("aws", "nodejs16.x")
    assert entry is not None
    assert runtimes.recommended(entry, date(2025, 1, 15)) == "nodejs24.x"


def test_today_can_be_pinned(monkeypatch):
    monkeypatch.setenv("FAASGUARD_TODAY", "2024-02-29")
    assert runtimes.today() == date(2024, 2, 29)
    monkeypatch.setenv("FAASGUARD_TODAY", "not a date")
    assert runtimes.today() == date.today()
