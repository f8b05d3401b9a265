"""The scanned repository's own .faasguard.yaml cannot turn faasguard against its user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faasguard.cli import main
from tests.hostile.conftest import HANDLER, SAM, write

SECRET_ENV = "      Environment:\n        Variables:\n          DB_PASSWORD: Zq8kLm2pX4vB9nR7\n"


def _laughs() -> str:
    lines = ["var:", '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  {name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


CASES: dict[str, tuple[dict[str, str | bytes], str]] = {
    "advisory-db outside": ({".faasguard.yaml": "advisory-db: ../outside\n"}, "advisory-db ../outside leaves the directory"),
    "baseline /dev/zero": ({".faasguard.yaml": "baseline: /dev/zero\n"}, "baseline /dev/zero leaves the directory"),
    "billion laughs": ({".faasguard.yaml": _laughs()}, "alias bomb"),
    "50k-deep": ({".faasguard.yaml": "var: " + "[" * 50_000 + "]" * 50_000 + "\n"}, "nesting"),
    "non-UTF-8": ({".faasguard.yaml": "fail-on: high # caf\xe9\n".encode("latin-1")}, "not UTF-8 text (byte 0xe9"),
    "100k-deep baseline": (
        {".faasguard.yaml": "baseline: b.json\n", "b.json": "[" * 100_000 + "]" * 100_000}, "nested too deeply"
    ),
    "over 1 MB": ({".faasguard.yaml": "# padding\n" * 120_000}, "larger than the 1 MB limit"),
    "nested var value": ({".faasguard.yaml": "var: {A: [1, 2]}\n"}, "var must be a mapping of NAME: value"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_hostile_configuration_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str) -> None:
    files, expected = CASES[case]
    write(tmp_path, {"template.yaml": SAM, "src/app.py": HANDLER, **files})
    assert main(["scan", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert not (tmp_path.parent / "outside").exists()


def test_baseline_on_the_command_line_must_be_a_file(tmp_path, capsys) -> None:
    write(tmp_path, {"template.yaml": SAM, "src/app.py": HANDLER})
    assert main(["scan", str(tmp_path), "--quiet", "--baseline", "/dev/zero"]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_paths_the_user_names_with_config_may_leave_the_directory(tmp_path, capsys) -> None:
    config = write(tmp_path / "ci", {"faasguard.yaml": "baseline: ../base.json\n"}) / "faasguard.yaml"
    write(tmp_path, {"base.json": json.dumps({"findings": []}), "repo/template.yaml": SAM, "repo/src/app.py": HANDLER})
    assert main(["scan", str(tmp_path / "repo"), "--quiet", "--config", str(config), "--fail-on", "none"]) == 0


def test_a_configuration_that_skips_everything_says_so(tmp_path, capsys) -> None:
    every = "[iam, secrets, network, monitoring, resources, injection, supply-chain]"
    write(tmp_path, {".faasguard.yaml": f"skip-categories: {every}\n", "template.yaml": SAM + SECRET_ENV, "src/app.py": HANDLER})
    assert main(["scan", str(tmp_path), "--quiet", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["findings"] == [] and report["scanned"]["suppressed_by"]["config"] >= 4
    main(["scan", str(tmp_path), "--quiet"])
    assert f"{report['scanned']['suppressed']} suppressed (config " in capsys.readouterr().out


def test_without_a_configuration_nothing_is_counted_as_silenced(tmp_path, capsys) -> None:
    write(tmp_path, {"template.yaml": SAM + SECRET_ENV, "src/app.py": HANDLER})
    assert main(["scan", str(tmp_path), "--quiet", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["scanned"]["suppressed_by"]["config"] == 0
    assert "FG-SEC-001" in {f["rule_id"] for f in report["findings"]}


def test_the_command_line_selection_still_counts_nothing_as_silenced(tmp_path, capsys) -> None:
    write(tmp_path, {"template.yaml": SAM + SECRET_ENV, "src/app.py": HANDLER})
    main(["scan", str(tmp_path), "--quiet", "--format", "json", "--category", "secrets"])
    report = json.loads(capsys.readouterr().out)
    assert report["scanned"]["suppressed_by"]["config"] == 0
    assert {f["category"] for f in report["findings"]} == {"secrets"}


@pytest.mark.parametrize(
    ("line", "suppressed"),
    [
        ('NOTE: "faasguard:ignore"', False),
        ("NOTE: 'see # faasguard:ignore'", False),
        ("# faasguard:ignore", True),
        ("NOTE: it's fine  # faasguard:ignore[FG-SEC-001]", True),
    ],
)
def test_ignore_only_in_a_comment(tmp_path, capsys, line: str, suppressed: bool) -> None:
    variables = f"          {line}\n          DB_PASSWORD: Zq8kLm2pX4vB9nR7\n"
    write(tmp_path, {"template.yaml": SAM + "      Environment:\n        Variables:\n" + variables, "src/app.py": HANDLER})
    main(["scan", str(tmp_path), "--quiet", "--format", "json", "--rule", "FG-SEC-001"])
    report = json.loads(capsys.readouterr().out)
    assert (report["findings"] == []) is suppressed


def test_an_advisory_database_given_as_input_is_never_written(tmp_path: Path, capsys) -> None:
    import hashlib

    from tests.deps.conftest import write_db

    db = write_db(tmp_path / "osv")

    def snapshot() -> dict[str, str]:
        files = sorted(p for p in db.rglob("*") if p.is_file())
        return {p.relative_to(db).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

    before = snapshot()
    write(tmp_path, {"repo/template.yaml": SAM, "repo/src/app.py": HANDLER, "repo/src/requirements.txt": "requests==2.19.0\n"})
    for _ in range(2):  # the second scan would use an index the first one built
        main(["scan", str(tmp_path / "repo"), "--quiet", "--format", "json", "--advisory-db", str(db), "--fail-on", "none"])
        assert "requests" in capsys.readouterr().out  # the database was read
        assert snapshot() == before
