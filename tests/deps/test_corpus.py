"""Every manifest and lock file of the shared corpus parses, or fails with a sentence: never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from faasguard.deps import source_for
from faasguard.deps.interface import ParseError

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
FORMATS = {"package-lock", "pipfile-lock", "poetry-lock", "requirements", "package-json"}


@pytest.mark.skipif(not (CORPUS / "INDEX.tsv").is_file(), reason="the shared corpus is not beside the checkout")
def test_corpus_manifests_parse_without_crashing():
    rows = [line.split("\t") for line in (CORPUS / "INDEX.tsv").read_text(encoding="utf-8").splitlines() if line]
    chosen = [(CORPUS / rel, rel) for rel, fmt, *_ in rows if fmt in FORMATS]
    assert len(chosen) > 800
    packages = 0
    failures = []
    for path, rel in chosen:
        source = source_for(path.name)
        assert source is not None, rel
        try:
            manifest = source.parse(path, path.read_bytes().decode("utf-8-sig", errors="replace"), rel)
        except ParseError as exc:
            failures.append((rel, str(exc)))
            continue
        packages += len(manifest.dependencies)
    assert packages > 15_000
    # The only invalid file is a package.json that starts with a // comment.
    assert [rel for rel, _ in failures] == [
        "aws-samples__serverless-samples/owasp-api-security-controls-demo/owasp-api-security-controls-demo/rewards/package.json"
    ]
