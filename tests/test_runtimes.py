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
            assert set(entry) <= {"name", "deprecated", "decommissioned", "successor", "block_create", "block_update"}, runtime
            deprecated = date.fromisoformat(entry["deprecated"])
            # AWS blocks creating, then updating, functions on a runtime after its deprecation
            create = date.fromisoformat(entry.get("block_create", entry["deprecated"]))
            assert deprecated <= create <= date.fromisoformat(entry.get("block_update", create.isoformat())), runtime
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


# --- scripts/build_runtimes.py: the AWS rows come from AWS's own page ------------------------

# A cut-down page in the format of docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.md
# (written for this test): two tables, backticked identifiers, "Not scheduled", padded cells.
AWS_PAGE = """\
# Lambda runtimes

## Supported runtimes

| Name | Identifier | Operating system | Deprecation date | Block function create | Block function update |
| --- | --- | --- | --- | --- | --- |
|  Node.js 24  |  `nodejs24.x`  |  Amazon Linux 2023  |   Apr 30, 2028   |   Jun 1, 2028   |   Jul 1, 2028   |
|  Python 3.14  |  `python3.14`  |  Amazon Linux 2023  |   Jun 30, 2029   |   Jul 31, 2029   |   Aug 31, 2029   |
|  Python 3.15  |  `python3.15`  |  Amazon Linux 2023  |   Not scheduled   |   Not scheduled   |   Not scheduled   |
|  Ruby 3.5  |  `ruby3.5`  |  Amazon Linux 2023  |   Mar 31, 2029   |   Apr 30, 2029   |   May 31, 2029   |

Some text between the tables.

## Deprecated runtimes

| Name | Identifier | Operating system | Deprecation date | Block function create | Block function update |
| --- | --- | --- | --- | --- | --- |
|  Python 3.9  |  `python3.9`  |  Amazon Linux 2  |   Dec 15, 2025   |   Feb 1, 2027   |   Mar 3, 2027   |
|  Go 1.x  |  `go1.x`  |  Amazon Linux  |   January 8, 2024   |   Feb 8, 2024   |   Mar 12, 2024   |
"""


def _script():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "build_runtimes.py"
    spec = importlib.util.spec_from_file_location("build_runtimes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_runtime_page_tables_are_parsed():
    rows = _script().parse_rows(AWS_PAGE)
    assert rows["nodejs24.x"] == ("Node.js 24", date(2028, 4, 30), date(2028, 6, 1), date(2028, 7, 1))
    assert rows["python3.9"] == ("Python 3.9", date(2025, 12, 15), date(2027, 2, 1), date(2027, 3, 3))
    assert rows["go1.x"] == ("Go 1.x", date(2024, 1, 8), date(2024, 2, 8), date(2024, 3, 12))
    assert rows["python3.15"] == ("Python 3.15", None, None, None)
    assert "some" not in " ".join(rows)


def test_generator_updates_dates_keeps_the_rest_and_records_the_source_date(tmp_path):
    script = _script()
    data = json.loads(resources.files("faasguard").joinpath("data/runtimes.json").read_text(encoding="utf-8"))
    out = tmp_path / "runtimes.json"
    out.write_text(script.dumps(data))
    page = tmp_path / "lambda-runtimes.md"
    page.write_text(AWS_PAGE.replace("Dec 15, 2025", "Jan 31, 2026"))
    assert script.main([str(page), "--source-date", "2026-12-01", "--output", str(out)]) == 0
    new = json.loads(out.read_text())
    assert new["aws"]["python3.9"] == {  # changed on the page
        "name": "Python 3.9", "deprecated": "2026-01-31", "block_create": "2027-02-01", "block_update": "2027-03-03"
    }
    assert new["aws"]["ruby3.5"] == {  # new on the page
        "name": "Ruby 3.5", "deprecated": "2029-03-31", "block_create": "2029-04-30", "block_update": "2029-05-31"
    }
    assert "python3.15" not in new["aws"]  # not scheduled: nothing to judge against
    assert new["aws"]["go1.x"]["successor"] == "provided.al2023"  # what the page does not carry stays
    assert new["aws"]["nodejs4.3"] == data["aws"]["nodejs4.3"]  # gone from the page, kept
    assert new["gcp"] == data["gcp"] and new["azure"] == data["azure"]
    assert new["source_dates"]["aws"]["as_of"] == "2026-12-01"
    # one runtime per line, like the file in the repository
    assert ('    "python3.9": {"name": "Python 3.9", "deprecated": "2026-01-31", "block_create": "2027-02-01", '
            '"block_update": "2027-03-03"},') in out.read_text().splitlines()


def test_generator_refuses_a_page_without_a_runtime_table(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text("# nothing here\n")
    assert _script().main([str(page), "--source-date", "2026-12-01", "--output", str(tmp_path / "x.json")]) == 2
    assert "no runtime table found" in capsys.readouterr().err


def test_the_data_file_is_in_the_generators_layout_and_says_how_old_it_is():
    text = resources.files("faasguard").joinpath("data/runtimes.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert _script().dumps(data) == text
    date.fromisoformat(data["source_dates"]["aws"]["as_of"])


def test_the_committed_aws_rows_are_what_the_script_makes_of_its_committed_input():
    """scripts/data/lambda-runtimes.md (AWS's runtime tables) regenerates the AWS rows unchanged."""
    from pathlib import Path

    script = _script()
    page = Path(__file__).resolve().parents[1] / "scripts" / "data" / "lambda-runtimes.md"
    rows = script.parse_rows(page.read_text(encoding="utf-8"))
    assert len(rows) >= 20 and {"python3.14", "nodejs24.x", "java25", "dotnet10", "ruby3.4", "provided.al2023"} <= set(rows)
    data = json.loads(resources.files("faasguard").joinpath("data/runtimes.json").read_text(encoding="utf-8"))
    source = dict(data["source_dates"]["aws"])
    assert script.update(data, rows, date.fromisoformat(source["as_of"]), source["how"]) == []
    assert "lambda-runtimes.md" in source["how"]
    entry = runtimes.lifecycle("aws", "python3.10")
    assert entry is not None and (entry.deprecated, entry.block_create, entry.block_update) == (
        date(2026, 10, 31), date(2026, 11, 30), date(2027, 1, 15)
    )
