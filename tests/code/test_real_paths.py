"""``_Cache.real`` is ``os.path.realpath`` with each folder's real path found once, from its parent's; ``resolved``
is ``Path.resolve``. Checked over a tree of folders and files with links among them (to folders, to files, to links,
out of the tree, dangling, through ``..``), by absolute and relative paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from faasguard.code.analyzer import _Cache
from faasguard.interfaces import AnalysisResult

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")


def _tree(base: Path) -> list[Path]:
    for folder in ("root/a/b/c", "root/d", "outside/e"):
        (base / folder).mkdir(parents=True)
    for file in ("root/a/b/c/x.py", "root/a/y.py", "root/d/z.js", "outside/e/w.py"):
        (base / file).write_text("x = 1\n")
    links = {"root/link_dir": "a/b", "root/a/up": "..", "root/d/to_out": "../../outside/e", "root/d/file_link.py": "../a/y.py",
             "root/d/link_link.py": "file_link.py", "root/d/dangling.py": "nowhere.py", "root/abs": str(base / "root/a/b/c")}
    for link, target in links.items():
        (base / link).symlink_to(target)
    names = ["a/b/c/x.py", "a/y.py", "d/z.js", "link_dir/c/x.py", "a/up/d/z.js", "d/to_out/w.py", "d/file_link.py",
             "d/link_link.py", "d/dangling.py", "abs/x.py", "a/../d/z.js", "a/b/../y.py", "link_dir/../y.py", "a/up/a/up/a/y.py",
             "missing/q.py", "a", ".", "a/.."]
    return [base / "root" / name for name in names]


def test_real_is_realpath_and_resolved_is_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _tree(tmp_path)
    cache = _Cache(tmp_path / "root", AnalysisResult())
    for path in paths:
        assert cache.real(path) == os.path.realpath(path), path
        assert cache.resolved(path) == path.resolve(), path
        assert cache.real(path) == os.path.realpath(path), path  # asked again: from what it kept
    assert {p.name for p in cache.links} == {"file_link.py", "link_link.py", "dangling.py"}
    monkeypatch.chdir(tmp_path / "root" / "a")
    relative = _Cache(Path("..").resolve(), AnalysisResult())
    for name in ("y.py", "b/c/x.py", "up/d/z.js", "../d/file_link.py", "../link_dir/c/x.py", ".", "..", "b/.."):
        assert relative.real(Path(name)) == os.path.realpath(name), name
