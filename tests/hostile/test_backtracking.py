"""Regular expressions stay linear on hostile text: each file below took 60-130 s (quadratic in its
size) before the patterns were rewritten; now each scan finishes well under the limit."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from faasguard.scan import ScanOptions, scan
from faasguard.secret_patterns import find_known_secrets, find_secret, is_placeholder

LIMIT_S = 2.5  # the quadratic versions needed 60 s and more; a scan of these files takes ~0.2 s

SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
"""

CASES = {
    "env-spaces": {".env": "A=x" + " " * 150_000 + "y\n"},
    "jwt-repeats": {".env": "T=" + "-eyJ" * 90_000 + "\n"},
    "openai-repeats": {".env": "T=" + "-sk-" * 120_000 + "T3BlbkFJ\n"},
    "password-then-users": {".env": "X=password=x" + "user=" * 150_000 + "\n"},
    "password-braces": {".env": "DB_PASSWORD=" + "{{" * 60_000 + "\n"},
    "sub-openers": {
        "template.yaml": SAM + '      Environment:\n        Variables:\n          X: !Sub "' + "${" * 60_000 + '"\n',
        "src/app.py": "def handler(event, context):\n    return 1\n",
    },
    "requirements-spaces": {
        "template.yaml": SAM,
        "src/app.py": "def handler(event, context):\n    return 1\n",
        "src/requirements.txt": "requests" + " " * 100_000 + "x\n",
    },
}


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One ordinary scan first, so the timings below measure matching, not first imports."""
    root = tmp_path_factory.mktemp("warm")
    (root / "src").mkdir()
    (root / "template.yaml").write_text(SAM + "      Environment:\n        Variables:\n          X: !Sub x\n")
    (root / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (root / "src" / "requirements.txt").write_text("requests==2.32.0\n")
    (root / ".env").write_text("A=b\n")
    scan(root, ScanOptions(jobs=1))


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_text_scans_in_linear_time(tmp_path: Path, case: str, warm: None) -> None:
    for name, text in CASES[case].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    started = time.process_time()  # CPU time: a loaded CI machine stretches wall time, not this
    result = scan(tmp_path, ScanOptions(jobs=1))
    elapsed = time.process_time() - started
    assert elapsed < LIMIT_S, f"{case}: {elapsed:.1f} s"
    assert not [e for e in result.errors if "limit per file" in e[1]]


@pytest.mark.parametrize(
    "text",
    [
        "-eyJ" * 90_000,
        "-sk-" * 120_000 + "T3BlbkFJ",
        "password=x" + "user=" * 150_000,
        "{{" * 60_000,
        "${" * 60_000,
        "%(" * 60_000 + ")s" * 10,
        "x" + " " * 150_000 + "y",
    ],
)
def test_secret_patterns_are_linear(text: str) -> None:
    started = time.process_time()
    list(find_known_secrets(text))
    find_secret(text, "DB_PASSWORD")
    is_placeholder(text)
    assert time.process_time() - started < 2.0  # ~0.3 s alone; the quadratic versions took minutes


def test_the_rewritten_patterns_still_find_what_they_found() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    assert [m.kind for m in find_known_secrets(f"Authorization: Bearer {jwt}")] == ["JSON Web Token"]
    key = "sk-proj-" + "a1B2c3D4e5F6g7H8i9J0" + "T3BlbkFJ" + "k1L2m3N4o5P6q7R8s9T0"
    assert [m.kind for m in find_known_secrets(f'OPENAI_API_KEY="{key}"')] == ["OpenAI API key"]
    conn = "Server=db.internal;User Id=app;Password=Zq8#kLm2pX;"
    assert [m.kind for m in find_known_secrets(conn)] == ["password in connection string"]
    assert not list(find_known_secrets("Password=Zq8#kLm2pX"))  # no server or user beside it
    for placeholder in ("${DB_PASSWORD}", "{{ db_password }}", "#{secret}", "%(password)s", "$(PASS)", "<your-key>"):
        assert is_placeholder(placeholder), placeholder
    for secret in ("Zq8#kLm2pX{{", "s3cr3t}}x${", "a%(b"):
        assert not is_placeholder(secret), secret


@pytest.mark.parametrize(
    "line",
    [
        "a" * 200_000,  # one name that is never assigned: each start position re-read the rest of the line
        "-a" * 100_000,
        "x." * 100_000,
        "a = " + " " * 200_000 + "b",
        "a " * 100_000,
        "password:" + '"' * 200_000,
    ],
)
def test_the_html_snippet_redaction_is_linear(line: str) -> None:
    from faasguard.report.html import redact

    started = time.process_time()
    redact(line)
    assert time.process_time() - started < 1.0  # ~0.01 s; "a" * 20_000 alone took 7 s before


def test_the_html_snippet_redaction_still_masks() -> None:
    from faasguard.report.html import redact

    for line in ("DB_PASSWORD=Zq8kLm2pX4vB9nR7", '"db_password": "Zq8kLm2pX4vB9nR7"', "--db-password=Zq8kLm2pX4vB9nR7",
                 "1.password: Zq8kLm2pX4vB9nR7", "  password = 'Zq8kLm2pX4vB9nR7' # x"):
        shown = redact(line)
        assert "Zq8kLm2pX4vB9nR7" not in shown and "(16 chars)" in shown, line


def test_a_generated_key_is_not_a_placeholder_for_a_two_letter_piece() -> None:
    """"Na" is a camel-case piece of many random keys: only the whole value "na" is filler."""
    assert find_secret("NaTmbB7qXQR3XMPskyXkPMA", "API_KEY") is not None
    assert is_placeholder("na") and is_placeholder("NA")
    assert is_placeholder("TestPassword") and is_placeholder("mockToken")  # longer fillers still count


def test_the_html_snippet_masks_the_literal_fallback_of_a_serverless_variable() -> None:
    from faasguard.report.html import redact

    shown = redact("      DB: ${ssm:/db/${opt:region}/pw, 'Zq8kLm2pX4vB9nR7'}")
    assert shown == "      DB: ${ssm:/db/${opt:region}/pw, 'Zq8k…(16 chars)'}"
    assert redact("X: ${self:custom.stage}") == "X: ${self:custom.stage}"  # no fallback: nothing to mask
    started = time.process_time()
    redact("${ssm:" * 60_000)
    redact("${a:" + "x" * 150_000 + ',"')
    assert time.process_time() - started < 1.0


def test_an_html_report_on_a_file_with_a_200k_character_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from faasguard.cli import main

    template = SAM.replace("Resources:\n", "Resources:\n  # " + "a" * 200_000 + "\n")
    template += "      Environment:\n        Variables:\n          DB_PASSWORD: Zq8kLm2pX4vB9nR7\n"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (tmp_path / "template.yaml").write_text(template)
    started = time.process_time()
    main(["scan", str(tmp_path), "--format", "html", "--jobs", "1", "--no-cache"])
    assert time.process_time() - started < 10
    page = capsys.readouterr().out
    assert "FG-SEC-001" in page and "Zq8kLm2pX4vB9nR7" not in page
    assert "a" * 200 in page  # the long line is in a snippet, cut short
