"""The parse cache's database when several processes open it at once."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from faasguard import cache
from faasguard.cache import ParseCache


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks processes")
def test_processes_opening_a_new_cache_together_keep_it_and_every_entry(tmp_path, monkeypatch):
    """Workers (or two scans) that open a new cache at the same moment: one switches the database to the
    write-ahead log, the others are refused with SQLITE_BUSY at once. That is no reason to remove the files
    under the others (it was taken for a damaged database, in about one round in four): the database stays,
    and every process's entries are there afterwards."""
    removals = tmp_path / "removed"
    monkeypatch.setattr(cache, "_remove_database", lambda path: removals.open("a").write(f"{path}\n"))
    lost = []
    for round_ in range(25):
        directory = tmp_path / f"cache{round_}"
        shared = ParseCache(directory)  # as a scan's workers share it: made here, the database opened by each
        start = time.time() + 0.05
        pids = []
        for worker in range(3):
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                code = 1
                try:
                    while time.time() < start:
                        pass
                    for i in range(20):
                        shared.remember("loose", f"{worker}-{i}", (worker, i))
                    shared.flush()
                    code = 0
                finally:
                    os._exit(code)
            pids.append(pid)
        assert all(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0 for pid in pids)
        reader = ParseCache(directory)
        lost += [(round_, w, i) for w in range(3) for i in range(20) if reader.recall("loose", f"{w}-{i}") != (w, i)]
    assert lost == []
    assert not removals.exists()


def test_a_file_that_is_not_a_database_is_replaced_but_a_busy_one_is_not(tmp_path, monkeypatch):
    removed: list[Path] = []
    remove = cache._remove_database
    monkeypatch.setattr(cache, "_remove_database", lambda path: (removed.append(path), remove(path)))
    monkeypatch.setattr(cache, "BUSY_SECONDS", 0.2)
    directory = tmp_path / "c"
    directory.mkdir(mode=0o700)
    # Another process holds a new database (not yet switched to the log) past the busy timeout.
    holder = sqlite3.connect(directory / cache.DATABASE, isolation_level=None)
    holder.execute("CREATE TABLE entries (key BLOB PRIMARY KEY, value BLOB NOT NULL)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert ParseCache(directory).recall("yaml", "a") is None  # no cache for now: slower, never wrong
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert removed == []
    later = ParseCache(directory)
    later.remember("yaml", "a", 1)
    later.flush()
    assert ParseCache(directory).recall("yaml", "a") == 1

    (tmp_path / "d").mkdir(mode=0o700)
    (tmp_path / "d" / cache.DATABASE).write_bytes(b"not a database" * 100)
    ParseCache(tmp_path / "d").recall("yaml", "a")
    assert removed == [tmp_path / "d" / cache.DATABASE]


def test_the_scan_process_sets_the_database_up_before_any_worker_opens_it(tmp_path):
    ParseCache(tmp_path / "c")
    with sqlite3.connect(tmp_path / "c" / cache.DATABASE) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("SELECT count(*) FROM entries").fetchone() == (0,)
