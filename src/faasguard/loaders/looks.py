"""What a loader sees of the file system beside the file it loads, so that its result can be cached.

A template's or a Terraform module's model is a function of its text, its path, the scan root
and a few looks beside it: the real path of a ``CodeUri`` or ``source_dir``, whether a folder
exists, the text of an OpenAPI definition or of a ``file()``. A loader asks those questions
through a :class:`Looks`, which writes each question down with its answer; :func:`cached` keeps
them with the result in the parse cache and uses a cached result only while every question gets
the same answer again (a symbolic link changed, a definition edited: loaded again). When an
answer changed, the result is looked up once more under today's answers, so going back and
forth between two states of the tree reads the cache both times.

A question that raised (a symbolic-link loop, an unreadable file) is not answered the same way
twice for sure: a result that saw one is not cached.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from faasguard import cache, limits

T = TypeVar("T")
Seen = list[tuple[str, str, str]]  # (question, where, answer)


def _inside(where: str) -> str:
    path, root = where.split("\0", 1)
    return "1" if limits.inside(path, Path(root)) else ""


_QUESTIONS: dict[str, Callable[[str], str]] = {
    # Path.resolve without its symbolic-link-loop error: a loop stays in the path, and reading below it fails
    # later with an error for that one path (a CodeUri into a loop cost the whole template before).
    "real": os.path.realpath,
    "dir": lambda where: "1" if Path(where).is_dir() else "",
    "file": lambda where: "1" if Path(where).is_file() else "",
    "size": lambda where: str(os.stat(where).st_size),
    "text": lambda where: Path(where).read_text(encoding="utf-8"),
    "inside": _inside,
}


class Looks:
    """The questions one load asked of the file system, with their answers, in order."""

    def __init__(self) -> None:
        self.seen: Seen = []
        self.unsure = False  # a question raised: do not cache

    def _ask(self, question: str, where: str) -> str:
        try:
            answer = _QUESTIONS[question](where)
        except BaseException:
            self.unsure = True
            raise
        self.seen.append((question, where, answer))
        return answer

    def real(self, path: Path) -> Path:
        return Path(self._ask("real", str(path)))

    def is_dir(self, path: Path) -> bool:
        return bool(self._ask("dir", str(path)))

    def is_file(self, path: Path) -> bool:
        return bool(self._ask("file", str(path)))

    def size(self, path: Path) -> int:
        return int(self._ask("size", str(path)))

    def text(self, path: Path) -> str:
        """The file's text (UTF-8), as ``Path.read_text`` gives it and raises."""
        return self._ask("text", str(path))

    def inside(self, path: Path, root: Path) -> bool:
        """:func:`faasguard.limits.inside`."""
        return bool(self._ask("inside", f"{path}\0{root}"))


def answers(seen: Seen) -> list[str] | None:
    """Today's answers to the questions of an earlier load (None when one cannot be answered)."""
    try:
        return [_QUESTIONS[question](where) for question, where, _ in seen]
    except Exception:
        return None


_CURRENT: Looks | None = None


def current() -> Looks:
    """The looks of the load under way (:func:`cached`), or ones nobody reads."""
    return _CURRENT if _CURRENT is not None else Looks()


@contextlib.contextmanager
def _watching(looks: Looks) -> Iterator[None]:
    global _CURRENT
    previous, _CURRENT = _CURRENT, looks
    try:
        yield
    finally:
        _CURRENT = previous


def cached(kind: str, key: str, compute: Callable[[Looks], T]) -> T:
    """``compute(looks)`` through the parse cache under ``kind`` and ``key`` (the text, path and root
    it depends on), while the file system answers its questions as it did; :func:`current` gives
    ``looks`` to code that ``compute`` calls."""
    looks = Looks()

    def run() -> tuple[Seen, Any]:
        looks.seen, looks.unsure = [], False
        with _watching(looks):
            return looks.seen, compute(looks)

    def keep(entry: tuple[Seen, Any]) -> bool:
        return not looks.unsure

    for stage in (kind, kind + "-changed"):
        seen, value = cache.memo(stage, key, run, keep)
        if seen is looks.seen:  # computed just now
            return value  # type: ignore[no-any-return]
        today = answers(seen)
        if today is None:
            break
        if today == [answer for _, _, answer in seen]:
            return value  # type: ignore[no-any-return]
        key = "".join(f"{len(answer)}:{answer}" for answer in today) + key
    return run()[1]  # type: ignore[no-any-return]
