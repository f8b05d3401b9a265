"""A cache of parse results on disk, keyed by content: the second scan of a file skips the parse.

What is cached are pure functions of a file's text (or of a value built from it): the
located YAML/JSON tree, python-hcl2's dict of a ``.tf`` file, and the SAM translation of a
prepared template. Nothing that depends on other files, on the scan root or on the user's
options (``--var``) is cached, so a cached value is right wherever and however it is used.

The key of an entry is a SHA-256 of

* what is cached (``yaml``, ``hcl``, ``sam``) and the input's bytes,
* faasguard's version, the Python version, the versions of the parsing libraries, and a
  digest of the source of faasguard's loaders (a changed loader never reads an old entry).

Entries are pickles written by this user under the user's cache directory
(``~/.cache/faasguard/parse`` on Linux, per platformdirs; ``--cache-dir`` elsewhere,
``--no-cache`` for none). The directory is refused unless this user owns it and nobody else
may write to it, since a pickle is code. Two scans may share it: each entry is written to a
temporary file and renamed into place (atomic on POSIX and Windows), so a reader sees a whole
entry or none; an unreadable entry is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeVar

from faasguard import __version__

T = TypeVar("T")

FORMAT = 1  # bump when the layout of entries changes
MAX_ENTRY_BYTES = 64 * 2**20
_LIBRARIES = ("PyYAML", "python-hcl2", "aws-sam-translator")


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
        _prepare(directory)

    def memo(self, kind: str, data: bytes | str | Callable[[], bytes], compute: Callable[[], T]) -> T:
        """``compute()``, or what it returned the last time for the same ``kind`` and ``data``
        (the input's text or bytes, or a function that gives them when there is a cache)."""
        if callable(data):
            data = data()
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        digest = hashlib.sha256(self._salt + kind.encode() + b"\0" + raw).hexdigest()
        path = self.directory / digest[:2] / digest[2:]
        try:
            with path.open("rb") as handle:
                value: T = pickle.load(handle)
            self.hits += 1
            return value
        except FileNotFoundError:
            pass
        except Exception:  # a torn or foreign entry: compute again and replace it
            pass
        self.misses += 1
        value = compute()
        self._write(path, value)
        return value

    def _write(self, path: Path, value: Any) -> None:
        try:
            blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return
        if len(blob) > MAX_ENTRY_BYTES:
            return
        try:
            path.parent.mkdir(mode=0o700, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(blob)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            pass  # a full disk or a read-only cache makes the scan slower, never wrong


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


def _salt() -> bytes:
    parts = [f"format={FORMAT}", f"faasguard={__version__}", f"python={sys.version_info[:2]}"]
    for name in _LIBRARIES:
        try:
            parts.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name}=-")
    loaders = Path(__file__).parent / "loaders"
    digest = hashlib.sha256()
    for source in sorted(loaders.rglob("*.py")):
        digest.update(source.relative_to(loaders).as_posix().encode() + b"\0" + source.read_bytes())
    parts.append(f"loaders={digest.hexdigest()}")
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


def memo(kind: str, data: bytes | str | Callable[[], bytes], compute: Callable[[], T]) -> T:
    """Through the active cache if there is one; otherwise just ``compute()``."""
    if _CURRENT is None:
        return compute()
    return _CURRENT.memo(kind, data, compute)
