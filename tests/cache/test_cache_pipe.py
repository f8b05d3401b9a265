"""A model the parse cache holds as a pickle of its own travels from a worker to the scan process as those bytes:
pickled once on a first scan, not pickled again on a warm one, and the same report either way."""

from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest

from faasguard import cache, parallel
from faasguard.model import Application

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")

SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  {name}:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - Statement:
            - {{Effect: Allow, Action: 's3:*', Resource: '*'}}
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionUri: {definition}
"""
TF = 'resource "aws_lambda_function" "fn" {\n  function_name = "tf"\n  handler = "app.handler"\n  runtime = "python3.7"\n}\n'


def _counting(log: Path) -> Any:
    """An ``__reduce_ex__`` that writes the process id to ``log`` each time it pickles an object."""
    plain = object.__reduce_ex__

    def reduce_ex(self: Any, protocol: int) -> Any:
        with log.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return plain(self, protocol)

    return reduce_ex


def _by_workers(log: Path) -> int:
    """How many objects processes other than this one pickled (and forget them)."""
    if not log.exists():
        return 0
    pids = log.read_text().split()
    log.unlink()
    return sum(pid != str(os.getpid()) for pid in pids)


def test_a_worker_pickles_each_model_once_on_a_first_scan_and_not_at_all_on_a_warm_one(tmp_path, monkeypatch):
    """The applications of three SAM templates and a Terraform module are pickled once each by the workers of a
    first scan (for the cache; the pipe sends those bytes), and never by those of a warm scan (which send the
    bytes they read). The report is the one a scan without workers and without cache makes, every time; the
    DefinitionUri refused for leaving the root is reported on the warm scan too."""
    from faasguard.scan import ScanOptions, scan
    from tests.test_speed import _report

    project = tmp_path / "p"
    files = {"infra/main.tf": TF, "infra/app.py": "def handler(e, c):\n    pass\n"}
    for i, definition in enumerate(("api.yaml", "../../outside.yaml", "api.yaml")):
        files[f"svc{i}/template.yaml"] = SAM.format(name=f"Fn{i}", definition=definition)
        files[f"svc{i}/src/app.py"] = "import os\n\ndef handler(event, context):\n    return os.environ\n"
        files[f"svc{i}/api.yaml"] = "openapi: 3.0.1\npaths: {}\n"
    for rel, text in files.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text)
    (tmp_path / "outside.yaml").write_text("openapi: 3.0.1\npaths: {}\n")
    monkeypatch.setattr("faasguard.scan.PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 2)
    expected = _report(scan(project, ScanOptions(jobs=1)))
    assert expected["scanned"]["functions"] == 4
    assert any("DefinitionUri" in error["message"] for error in expected["errors"])

    log = tmp_path / "pickled"
    monkeypatch.setattr(Application, "__reduce_ex__", _counting(log), raising=False)
    cache_dir = tmp_path / "cache"
    assert _report(scan(project, ScanOptions(jobs=2, cache_dir=cache_dir))) == expected
    assert _by_workers(log) == 4  # twice each when the pipe pickled them again
    for _ in range(2):
        assert _report(scan(project, ScanOptions(jobs=2, cache_dir=cache_dir))) == expected
        assert _by_workers(log) == 0  # once each when a worker pickled what it had read


class _Item:
    def __init__(self, number: int) -> None:
        self.number = number

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Item) and other.number == self.number


def _sealed_and_plain(number: int) -> tuple[_Item, _Item, _Item]:
    """A value stored as the cache stores a sealed one, returned twice, and a value of its class that is not."""
    sealed = _Item(number)
    pickle.dumps(cache.Sealed(sealed))
    return sealed, sealed, _Item(-number)


def test_fork_map_sends_a_sealed_value_as_its_pickle_and_others_as_usual(tmp_path, monkeypatch):
    log = tmp_path / "pickled"
    monkeypatch.setattr(_Item, "__reduce_ex__", _counting(log), raising=False)
    results = parallel.fork_map(_sealed_and_plain, list(range(1, 41)), jobs=2, min_items=2)
    assert [(a.number, c.number) for a, _, c in results] == [(n, -n) for n in range(1, 41)]
    assert all(a is b for a, b, _ in results)  # one object in the worker, one here
    assert _by_workers(log) == 80  # each value once: the sealed one for the cache, the other for the pipe
    assert cache._KEPT is None  # nothing is kept outside a worker's batch


def test_a_sealed_value_read_from_the_cache_is_kept_with_the_bytes_it_was_read_from():
    stored = pickle.dumps(cache.Sealed([_Item(1)]))
    with cache.pickles_kept() as kept:
        read = pickle.loads(stored)
        assert read.value == [_Item(1)]
        assert list(kept.values()) == [(read.value, pickle.dumps(read.value, protocol=pickle.HIGHEST_PROTOCOL))]
    assert pickle.loads(stored).value == [_Item(1)]  # outside a batch: read, not kept
    assert cache._KEPT is None
