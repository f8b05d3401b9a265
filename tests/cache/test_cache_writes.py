"""How the parse cache writes its entries: few large transactions, no waiting for another writer mid-scan."""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from faasguard import cache, parallel
from faasguard.cache import DATABASE, ParseCache


def _rows(directory: Path) -> int:
    with sqlite3.connect(directory / DATABASE) as db:
        return int(db.execute("SELECT count(*) FROM entries").fetchone()[0])


def test_a_writer_that_finds_the_database_busy_keeps_its_entries_and_writes_them_later(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "FLUSH_ENTRIES", 4)
    monkeypatch.setattr(cache, "RETRY_ENTRIES", 2)
    directory = tmp_path / "c"
    shared = ParseCache(directory)
    holder = sqlite3.connect(directory / DATABASE, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another scan is writing
    started = time.monotonic()
    for i in range(5):
        assert shared.memo("yaml", f"doc {i}", lambda i=i: {"n": i}) == {"n": i}
    assert time.monotonic() - started < cache.BUSY_SECONDS / 2  # did not wait for the other writer
    holder.execute("ROLLBACK")
    assert _rows(directory) == 0
    # Still pending, so still read back in this process, and written once the other writer is done.
    assert shared.memo("yaml", "doc 2", lambda: pytest.fail("computed again although pending")) == {"n": 2}
    shared.memo("yaml", "doc 5", lambda: {"n": 5})  # 6 pending: tried again (4 + RETRY_ENTRIES)
    assert _rows(directory) == 6
    assert ParseCache(directory).memo("yaml", "doc 0", lambda: pytest.fail("not written")) == {"n": 0}


def test_a_writer_waits_for_the_other_once_it_holds_too_much(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "FLUSH_ENTRIES", 2)
    monkeypatch.setattr(cache, "PENDING_BYTES", 1)
    monkeypatch.setattr(cache, "BUSY_SECONDS", 0.3)
    directory = tmp_path / "c"
    shared = ParseCache(directory)
    holder = sqlite3.connect(directory / DATABASE, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    shared.memo("yaml", "a", lambda: 1)
    shared.memo("yaml", "b", lambda: 2)  # over PENDING_BYTES: waits for the lock, up to the busy timeout
    assert time.monotonic() - started >= 0.25
    holder.execute("ROLLBACK")
    # Busy past the timeout: the entries are given up (a slower next scan, never a wrong one), not kept forever.
    assert shared._pending == {}
    assert shared.memo("yaml", "a", lambda: "computed") == "computed"


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_a_worker_writes_its_entries_when_it_ends_not_after_each_batch(tmp_path, monkeypatch):
    """Each batch's flush was one transaction of a few entries; a worker's entries now go in transactions of
    FLUSH_ENTRIES, the rest when it ends, before the scan goes on."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 2)
    directory = tmp_path / "c"
    shared = ParseCache(directory)

    def work(i: int) -> tuple[int, int]:
        value = cache.memo("yaml", f"doc {i}", lambda: i * i)
        return value, _rows(directory)  # what the database holds while the workers run

    with cache.active(shared):
        results = parallel.fork_map(work, list(range(40)), jobs=2, min_items=2)
    assert [value for value, _ in results] == [i * i for i in range(40)]
    assert {seen for _, seen in results} == {0}  # nothing written after the workers' batches
    assert _rows(directory) == 40  # all of it when they ended
    warm = ParseCache(directory)
    assert [warm.memo("yaml", f"doc {i}", lambda: pytest.fail("not written")) for i in range(40)] == [
        i * i for i in range(40)]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks a process")
def test_a_forked_process_neither_writes_nor_drops_its_parents_pending_entries(tmp_path):
    directory = tmp_path / "c"
    shared = ParseCache(directory)
    shared.memo("yaml", "parent's", lambda: "p")
    shared._db()  # the parent's connection, inherited by the child and not used there
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        code = 1
        try:
            shared.memo("yaml", "child's", lambda: "c")
            shared.flush()
            code = 0 if _rows(directory) == 1 else 2  # its own entry only
        finally:
            os._exit(code)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    shared.flush()
    assert _rows(directory) == 2
    assert ParseCache(directory).memo("yaml", "parent's", lambda: pytest.fail("not written")) == "p"


SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: orders/
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - Statement:
            - {Effect: Allow, Action: '*', Resource: '*'}
"""
SLS = """\
service: billing
provider: {name: aws, runtime: python3.8}
functions:
  bill: {handler: handler.bill}
"""
TF = 'resource "aws_lambda_function" "fn" {\n  function_name = "tf"\n  handler = "app.handler"\n  runtime = "python3.7"\n}\n'


@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked on Linux only")
def test_what_the_workers_of_a_first_scan_write_is_all_a_warm_scan_needs(tmp_path, monkeypatch):
    """Every kind a first scan's workers compute (template, serverless.yml, Terraform module, lock file, source
    files, function and loose file analyses) is in the cache when the scan returns: a warm scan computes none
    again. (Leaving out the entries of any of these kinds but the .tf files', which only a changed module reads,
    fails this test.)"""
    from faasguard.scan import ScanOptions, scan
    from tests.test_speed import _report

    project = tmp_path / "p"
    for rel, text in {
        "template.yaml": SAM, "orders/app.py": "import os\n\ndef handler(event, context):\n    return os.environ\n",
        "billing/serverless.yml": SLS,
        "billing/handler.py": "def bill(event, context):\n    key = 'AKIAIOSFODNN7EXAMPLE'\n    return key\n",
        "billing/Pipfile.lock": '{"_meta": {}, "default": {"requests": {"version": "==2.19.0"}}, "develop": {}}\n',
        "infra/main.tf": TF, "infra/app.py": "def handler(e, c):\n    pass\n",
        "tools/loose.py": "import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n",
    }.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text)
    monkeypatch.setattr("faasguard.scan.PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(parallel, "MIN_PARALLEL_ITEMS", 2)
    expected = _report(scan(project, ScanOptions(jobs=1)))
    cache_dir = tmp_path / "cache"
    assert _report(scan(project, ScanOptions(jobs=2, cache_dir=cache_dir))) == expected
    written = _rows(cache_dir)
    from faasguard.code.analyzer import _Cache
    from faasguard.deps.pipfile_lock import PipfileLockSource
    from faasguard.loaders import located_yaml, template_loader
    from faasguard.loaders.terraform import loader

    def must_not_compute(*args, **kwargs):
        raise AssertionError("computed again although the first scan's workers cached it")

    for owner, name in ((located_yaml, "_loads"), (template_loader, "_load"), (loader, "_parse_hcl"),
                        (loader, "_load_module"), (PipfileLockSource, "parse"), (_Cache, "_parse")):
        monkeypatch.setattr(owner, name, must_not_compute)
    assert _report(scan(project, ScanOptions(jobs=2, cache_dir=cache_dir))) == expected
    assert _rows(cache_dir) == written


@pytest.mark.skipif(sys.platform != "linux", reason="forks a process")
def test_a_worker_process_does_not_keep_its_caches_alive(tmp_path):
    """In a process of multiprocessing that scans again and again (a library user's pool), each scan's cache
    is freed after it: the finalizer that writes a worker's entries when it ends holds it weakly."""
    import multiprocessing

    def child(queue) -> None:  # type: ignore[no-untyped-def]
        import gc
        import weakref

        refs = []
        for i in range(3):
            scan_cache = ParseCache(tmp_path / "c")
            scan_cache.memo("yaml", f"doc {i}", lambda i=i: i)
            scan_cache.flush()
            refs.append(weakref.ref(scan_cache))
            del scan_cache
        gc.collect()
        queue.put(([ref() is None for ref in refs], _rows(tmp_path / "c")))

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=child, args=(queue,))
    process.start()
    freed, rows = queue.get(timeout=30)
    process.join(30)
    assert freed == [True, True, True]
    assert rows == 3
