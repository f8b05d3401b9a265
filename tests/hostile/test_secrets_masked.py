"""A secret found in the scanned files appears masked, never whole, in every output faasguard writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from faasguard.cli import main
from tests.hostile.conftest import ACCESS_KEY, SAM, SECRET_KEY, report_text, write

ENV_SECRET = "Zq8kLm2pX4vB9nR7"
CODE_SECRET = "wJ7rT2xKp9QmZ4vL8nB3cY6dF1gH5jS0"
SECRETS = (ENV_SECRET, CODE_SECRET, ACCESS_KEY, SECRET_KEY)


@pytest.fixture
def leaky(tmp_path: Path) -> Path:
    return write(tmp_path, {
        "template.yaml": SAM + f"      Environment:\n        Variables:\n          DB_PASSWORD: {ENV_SECRET}\n",
        "src/app.py": (
            "import boto3\n"
            f'API_TOKEN = "{CODE_SECRET}"\n'
            f'session = boto3.Session(aws_access_key_id="{ACCESS_KEY}", aws_secret_access_key="{SECRET_KEY}")\n'
            "def handler(event, context):\n"
            "    session.client('s3').head_object(Bucket='b', Key=API_TOKEN)\n"
            # with the function's own role (a client with its own keys is no need of the role: issue 10)
            "    return boto3.client('s3').get_object(Bucket='b', Key=API_TOKEN)\n"
        ),
        ".env": f"DB_PASSWORD={ENV_SECRET}\nAWS_SECRET_ACCESS_KEY={SECRET_KEY}\n",
    })


def _assert_masked(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret
        assert secret[4:-4] not in text, secret  # nor a long slice of it


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "text", "--verbose"], ["--format", "json"], ["--format", "json", "--show-facts"], ["--format", "sarif"],
        ["--format", "junit"], ["--format", "html"], ["--format", "markdown"],
    ],
    ids=["text", "json", "show-facts", "sarif", "junit", "html", "markdown"],
)
def test_every_scan_format_masks_the_secrets(leaky: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    main(["scan", str(leaky), "--jobs", "1", *args])
    text = report_text(capsys)
    _assert_masked(text)
    assert "FG-SEC" in text or "DB_PASSWORD" in text  # the secrets were found and reported


@pytest.mark.parametrize("fmt", ["json", "yaml", "cfn", "terraform"])
def test_the_policy_command_masks_them_too(leaky: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    main(["policy", str(leaky), "--format", fmt])
    text = report_text(capsys)
    _assert_masked(text)
    assert "s3:GetObject" in text
