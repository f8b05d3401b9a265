"""A cache of parse results on disk, keyed by content: the second scan of a file skips the parse.

What is cached are pure functions of a file's text (or of a value built from it): the
located YAML/JSON tree of a file other loaders read, the dict of a ``.tf`` file, the SAM
translation of a prepared template, the dependencies of a lock file or manifest that pulls in
no other file, and what the code analyzer finds in one source file by itself (its literal
secrets, its parse error, whether it has a handler-shaped function; keyed by the file's path
under the root too, which the secrets name; so are lock files, whose findings name them).
Nothing that depends on the user's options (``--var``) is cached, so a cached value is right
however it is used.

A template's or a Terraform module's finished model (``template``, ``terraform``, and
``template-changed``/``terraform-changed`` for the second look-up) is cached with the questions
its loader asked of the files beside it and their answers (:mod:`faasguard.loaders.looks`),
and used only while every question gets the same answer again.

Nor is the code analysis of a function (``function``)
or of a loose handler file (``loose``), stored with :meth:`ParseCache.remember` and read with
:meth:`ParseCache.recall`. Its key names what is known before the walk (the function's name, entry
file, handler, code directory, the root, a digest of the configuration's ``taint-models``); the
entry (:class:`faasguard.code.analyzer.Analysis`) carries what the walk found out on its way: the
stamp (SHA-256 of the bytes, or why they were not read) of every source file it asked for, the
answer of every import resolution it made (so a module added where an import found nothing counts),
and the errors and warnings to replay. The analyzer uses an entry only after checking all of them
again; an analysis that met a file a limit cut short is not stored.

The key of an entry is a SHA-256 of

* what is cached (``yaml``, ``hcl``, ``sam``, ``template``, ``terraform``, ``deps``, ``code``, ``config``,
  ``function``, ``loose``) and the input's bytes (for ``function`` and ``loose``, the names of the inputs, see above),
* faasguard's version, the Python version, the versions of the parsing libraries, and a
  digest of the source of faasguard's loaders and code analyzer and of the data tables they
  read (a changed loader never reads an old entry).

Entries are pickles in one SQLite database written by this user under the user's cache
directory (``~/.cache/faasguard/parse/entries.sqlite3`` on Linux, per platformdirs;
``--cache-dir`` elsewhere, ``--no-cache`` for none). The directory is refused unless this
user owns it and nobody else may write to it, since a pickle is code. One database rather
than a file per entry: creating thousands of small files cost a cold scan more than the
parses it saved. Two scans, and every worker of each, may share it: SQLite's write-ahead
log lets readers go on while one writer commits, and entries are written in transactions (up
to 512 at a time, the rest when a worker ends and when the scan leaves the cache), so a
reader sees a whole entry or none. A worker that finds another one writing keeps its entries
and tries again later; it waits for the other only when it ends. Each
process reads the key index once, when it first looks: a key not in it is a miss without a
query (most lookups of a first scan). An unreadable entry, a busy or broken database, or a
full disk is a miss: the scan is slower, never wrong.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import multiprocessing.util
import os
import pickle
import sqlite3
import stat
import sys
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeVar

from faasguard import __version__

T = TypeVar("T")

FORMAT = 2  # bump when the layout of entries changes
DATABASE = "entries.sqlite3"
MAX_ENTRY_BYTES = 64 * 2**20
BUSY_SECONDS = 10.0  # how long a writer waits for another one before giving its entries up
# Pending entries are written together, in one transaction, when there are this many of them or this many bytes
# (see ParseCache._write). Each commit writes every page it touched again, among them the pages of the key
# index where random keys land: transactions of 32 entries (one per batch of work) cost a first corpus scan
# 0.17 CPU-s of SQLite, three times what transactions of 512 cost.
FLUSH_ENTRIES = 512
FLUSH_BYTES = 8 * 2**20
# A worker that finds another one writing does not wait for it: it keeps its entries and tries again once it
# has this many more (and waits only past PENDING_BYTES, or when it ends).
RETRY_ENTRIES = 128
PENDING_BYTES = 4 * FLUSH_BYTES
# Entries are never updated in place: a cache kept across many CI runs collects the parses of
# every version of every file. Past this size, a scan starts the database afresh.
MAX_DATABASE_BYTES = 512 * 2**20
# What SQLite says of a file that is not a database (or a damaged one): the only errors that replace it.
_NOT_A_DATABASE = frozenset({"SQLITE_NOTADB", "SQLITE_CORRUPT"})
_MISS = object()  # what ParseCache._load gives for a key without a usable entry
# The parsers whose output is cached (tree-sitter's grammars parse the code the analyzer walks).
_LIBRARIES = ("PyYAML", "aws-sam-translator", "tree-sitter", "tree-sitter-hcl", "tree-sitter-javascript",
              "tree-sitter-typescript", "tree-sitter-python")

# Connections a forked worker inherited from its parent: never used nor closed there (SQLite
# connections must not cross a fork), only kept from being finalized.
_INHERITED: list[sqlite3.Connection] = []
# The caches of this process, for the fork hook (see ParseCache._forked).
_CACHES: weakref.WeakSet[ParseCache] = weakref.WeakSet()


class CacheError(Exception):
    """The cache directory cannot be used; the message says why."""


def default_directory() -> Path:
    """The user's cache directory for faasguard's parse cache (XDG on Linux)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("faasguard", appauthor=False)) / "parse"


class ParseCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0
        self._salt = _salt()
        self._starts: dict[str, Any] = {}  # kind → the hash of the salt and the kind (see _key)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        # Entries written since the last flush (key → pickled value): one transaction per batch of
        # entries, not one per entry (each commit takes the database's write lock and log again).
        self._pending: dict[bytes, bytes] = {}
        self._pending_bytes = 0
        self._next_flush, self._next_flush_bytes = FLUSH_ENTRIES, FLUSH_BYTES  # when _write flushes next
        # In a worker process: its entries are written when it ends (see _write), not after each batch of work.
        self._process_known = self._flushed_at_exit = False
        # The keys the database held when this process first looked (one read of the key index):
        # a key not among them, nor written since, is a miss without a query (most lookups of a first
        # scan). Entries other processes write meanwhile are missed, and computed again.
        self._keys: set[bytes] | None = None
        _CACHES.add(self)
        _prepare(directory)
        with contextlib.suppress(OSError):
            if (directory / DATABASE).stat().st_size > MAX_DATABASE_BYTES:
                _remove_database(directory / DATABASE)
        # Set up here, in the scan process, before it forks workers: they open a database that is there. When
        # a corpus scan's two loading workers set up a new one together, one of them was refused at once in about
        # one round in four, and took it for a damaged database (see _db).
        with self._lock:
            db = self._db()
            try:
                # Whether a lookup can hit at all: a first scan skips the checks that only ask the cache.
                self.started_empty = db is None or db.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is None
            except sqlite3.Error:
                self.started_empty = False

    def memo(self, kind: str, data: bytes | str | Callable[[], bytes], compute: Callable[[], T],
             keep: Callable[[T], bool] | None = None) -> T:
        """``compute()``, or what it returned the last time for the same ``kind`` and ``data``
        (the input's text or bytes, or a function that gives them when there is a cache).
        A value ``keep`` refuses (one a time limit cut short) is returned but not stored."""
        if callable(data):
            data = data()
        key = self._key(kind, data)
        value = self._load(key)
        if value is not _MISS:
            self.hits += 1
            return value  # type: ignore[no-any-return]
        self.misses += 1
        value = compute()
        if keep is None or keep(value):
            self._write(key, value)
        return value  # type: ignore[no-any-return]

    def recall(self, kind: str, data: str) -> Any | None:
        """The value :meth:`remember` last stored for ``kind`` and ``data``, or None. Unlike :meth:`memo`, the caller
        must check that the value still holds (see :class:`faasguard.code.analyzer.Analysis`): ``data`` names the
        input, it does not contain all of it."""
        value = self._load(self._key(kind, data))
        return None if value is _MISS else value

    def remember(self, kind: str, data: str, value: Any) -> None:
        """Store ``value`` for :meth:`recall` under ``kind`` and ``data`` (replacing what was there)."""
        self._write(self._key(kind, data), value)

    def _key(self, kind: str, data: bytes | str) -> bytes:
        """SHA-256 of the salt, ``kind``, a zero byte and ``data`` (the salt and kind hashed once per kind,
        the input without copying it into one string with them)."""
        start = self._starts.get(kind)
        if start is None:
            start = self._starts[kind] = hashlib.sha256(self._salt + kind.encode() + b"\0")
        digest = start.copy()
        digest.update(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
        return digest.digest()

    def _load(self, key: bytes) -> Any:
        """The value stored under ``key``, or ``_MISS`` (none, or a foreign or damaged entry, which the
        next write replaces)."""
        blob = self._read(key)
        if blob is None:
            return _MISS
        try:
            return pickle.loads(blob)
        except Exception:
            return _MISS

    def entries(self) -> int:
        """How many entries the database holds (those pending written first)."""
        self.flush()
        with self._lock:
            db = self._db()
            return int(db.execute("SELECT count(*) FROM entries").fetchone()[0]) if db is not None else 0

    def _db(self) -> sqlite3.Connection | None:
        """This process's connection (a forked worker opens its own), or None when the database is unusable."""
        if self._connection is not None:
            return self._connection
        path = self.directory / DATABASE
        for attempt in range(2):
            try:
                # Created by this user, for this user only, before SQLite opens it.
                os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
                db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
                try:
                    _set_up(db)
                except sqlite3.Error:
                    db.close()
                    raise
                self._connection = db
                return db
            except sqlite3.Error as exc:
                # Only a file that is not a database is replaced. Busy (another process setting the same new
                # database up) or an I/O error is no reason: removing the files under a process that has them
                # open loses its entries and can pair its reads with another database's log.
                if attempt > 0 or getattr(exc, "sqlite_errorname", "") not in _NOT_A_DATABASE:
                    break
                self._keys = None
                _remove_database(path)
            except OSError:
                break
        return None

    def _read(self, key: bytes) -> bytes | None:
        with self._lock:
            pending = self._pending.get(key)
            if pending is not None:
                return pending
            try:
                db = self._db()
                if db is None:
                    return None
                if self._keys is None:
                    self._keys = {bytes(row[0]) for row in db.execute("SELECT key FROM entries")}
                if key not in self._keys:
                    return None
                row = db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error:
                return None
        return bytes(row[0]) if row is not None else None

    def _write(self, key: bytes, value: Any) -> None:
        try:
            blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        if len(blob) > MAX_ENTRY_BYTES:
            return
        with self._lock:
            self._pending[key] = blob
            self._pending_bytes += len(blob)
            full = len(self._pending) >= self._next_flush or self._pending_bytes >= self._next_flush_bytes
            if not self._process_known:
                self._process_known = True
                if multiprocessing.parent_process() is not None:
                    # A worker process of the scan: what it has pending is written when it ends (multiprocessing
                    # runs the finalizer after the worker's function returns), so that its entries go in a few
                    # large transactions rather than one per batch of work (see flush_active).
                    self._flushed_at_exit = True
                    multiprocessing.util.Finalize(self, _flush_at_exit, (weakref.ref(self),), exitpriority=10)
        if full:
            # Another process writing is no reason to wait here: the entries stay pending and are tried again.
            self.flush(wait=self._pending_bytes >= PENDING_BYTES)

    def _forked(self) -> None:
        """In a forked child: the parent's connection is not used (SQLite connections must not cross a fork) and
        its pending entries are not written (the parent writes them); a lock another thread held stays held."""
        if self._connection is not None:
            _INHERITED.append(self._connection)
            self._connection = None
        self._lock = threading.Lock()
        self._written()
        self._process_known = self._flushed_at_exit = False

    def _written(self) -> None:
        """Nothing pending."""
        self._pending.clear()
        self._pending_bytes, self._next_flush, self._next_flush_bytes = 0, FLUSH_ENTRIES, FLUSH_BYTES

    def flush(self, wait: bool = True) -> None:
        """Write the pending entries in one transaction. A failure (busy past the timeout, a full disk, a
        read-only cache) loses them: the next scan is slower, never wrong. Without ``wait``, a database
        another process is writing leaves them pending, to be tried again after RETRY_ENTRIES more."""
        with self._lock:
            rows = list(self._pending.items())
            if not rows:
                return
            try:
                db = self._db()
                if db is None:
                    self._written()
                    return
                if not _begin(db, wait):
                    self._next_flush = len(rows) + RETRY_ENTRIES
                    self._next_flush_bytes = self._pending_bytes + FLUSH_BYTES // 4
                    return
                self._written()
                try:
                    db.executemany("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", rows)
                    db.execute("COMMIT")
                    if self._keys is not None:
                        self._keys.update(key for key, _ in rows)
                except sqlite3.Error:
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.Error:
                self._written()


def _begin(db: sqlite3.Connection, wait: bool) -> bool:
    """Take the write lock (BEGIN IMMEDIATE): waiting for another writer up to the busy timeout, or, without
    ``wait``, False at once when another process holds it."""
    if wait:
        db.execute("BEGIN IMMEDIATE")
        return True
    db.execute("PRAGMA busy_timeout=0")
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if getattr(exc, "sqlite_errorname", "").startswith("SQLITE_BUSY"):
            return False
        raise
    finally:
        db.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
    return True


def _flush_at_exit(ref: weakref.ref[ParseCache]) -> None:
    """What a worker process has pending, written when it ends (a weak reference: the registry of finalizers does
    not keep a cache alive)."""
    cache = ref()
    if cache is not None:
        cache.flush()


def _after_fork_in_child() -> None:
    for cache in list(_CACHES):
        cache._forked()


os.register_at_fork(after_in_child=_after_fork_in_child)


def _set_up(db: sqlite3.Connection) -> None:
    """Page size, write-ahead log and table of a connection's database."""
    # Before the database has pages (it is fixed then): an entry of a few kB fits one page,
    # without a chain of overflow pages (a quarter less work to write the first scan's entries).
    db.execute("PRAGMA page_size=16384")
    _while_busy(db, "PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")  # a crash may lose entries, never corrupt them
    _while_busy(db, "CREATE TABLE IF NOT EXISTS entries (key BLOB PRIMARY KEY, value BLOB NOT NULL)")


def _while_busy(db: sqlite3.Connection, sql: str) -> None:
    """Run ``sql``, again while SQLite says busy, for up to BUSY_SECONDS. When workers or scans set a new
    database up together, switching it to the log and creating the table are refused at once (SQLITE_BUSY
    without the busy handler's wait, which could deadlock there) to all but one of them."""
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            db.execute(sql)
            return
        except sqlite3.OperationalError as exc:
            if not getattr(exc, "sqlite_errorname", "").startswith("SQLITE_BUSY") or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _remove_database(path: Path) -> None:
    """The database file and its write-ahead log, gone (what cannot be removed stays)."""
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.unlink(f"{path}{suffix}")


def _prepare(directory: Path) -> None:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.stat()
    except OSError as exc:
        raise CacheError(f"cache directory {directory} cannot be used ({exc.strerror or exc})") from None
    if not stat.S_ISDIR(info.st_mode):
        raise CacheError(f"cache directory {directory} is not a directory")
    if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
        raise CacheError(f"cache directory {directory} is not owned by this user or others may write to it; not used")


def _sources(package: Path) -> Iterator[Path]:
    """The code whose results are cached: the loaders, the code analyzer's parsers and secret search, their data."""
    yield from (package / "loaders").rglob("*.py")
    yield from (package / "code").rglob("*.py")
    yield from (package / "deps").rglob("*.py")
    yield from (package / "data" / "taint").glob("*.toml")
    # What the code analyzer's walk reads besides (its analyses are cached, see faasguard.code.analyzer.Analysis).
    yield package / "data" / "aws_libraries.toml"
    yield package / "data" / "sdk_names.json"
    yield from (package / name for name in ("limits.py", "findings.py", "interfaces.py"))
    yield package / "secret_patterns.py"
    yield package / "model.py"


def _salt() -> bytes:
    parts = [f"format={FORMAT}", f"faasguard={__version__}", f"python={sys.version_info[:2]}"]
    for name in _LIBRARIES:
        try:
            parts.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name}=-")
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for source in sorted(_sources(package)):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes())
    parts.append(f"sources={digest.hexdigest()}")
    return "\n".join(parts).encode() + b"\n"


# The cache of the scan under way: set by :func:`active` around loading, inherited by forked workers.
_CURRENT: ParseCache | None = None


@contextlib.contextmanager
def active(cache: ParseCache | None) -> Iterator[ParseCache | None]:
    global _CURRENT
    previous, _CURRENT = _CURRENT, cache
    try:
        yield cache
    finally:
        _CURRENT = previous
        if cache is not None:
            cache.flush()


def flush_active() -> None:
    """Write what the active cache has pending. Forked workers call it after each batch of items; in a worker of
    :mod:`multiprocessing` it writes nothing: the worker's entries are written in transactions of FLUSH_ENTRIES,
    and the rest when it ends (see :meth:`ParseCache._write`)."""
    if _CURRENT is not None and not _CURRENT._flushed_at_exit:
        _CURRENT.flush()


def memo(kind: str, data: bytes | str | Callable[[], bytes], compute: Callable[[], T],
         keep: Callable[[T], bool] | None = None) -> T:
    """Through the active cache if there is one; otherwise just ``compute()``."""
    if _CURRENT is None:
        return compute()
    return _CURRENT.memo(kind, data, compute, keep)


def recall(kind: str, data: str) -> Any | None:
    """:meth:`ParseCache.recall` of the active cache; None without one."""
    return _CURRENT.recall(kind, data) if _CURRENT is not None else None


def remember(kind: str, data: str, value: Any) -> None:
    """:meth:`ParseCache.remember` in the active cache, if there is one."""
    if _CURRENT is not None:
        _CURRENT.remember(kind, data, value)


def enabled() -> bool:
    """Whether a cache is active (so that recording what a computation read is worth its cost)."""
    return _CURRENT is not None


def holds_any() -> bool:
    """Whether a cache is active and held entries when the scan made it: when not, every lookup of an entry
    written by an earlier scan misses, and work that only asks the cache (the scan process's check of every
    function's cached analysis) can be skipped."""
    return _CURRENT is not None and not _CURRENT.started_empty
