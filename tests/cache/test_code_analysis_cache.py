"""A warm scan reuses a function's code analysis only while everything it depended on is unchanged.

Each test runs the command line twice (or more) with one ``--cache-dir``, changes one thing the
analysis of a function depended on between the runs, and checks what a user sees: the finding
appears or disappears exactly as a scan without the cache says. A stale analysis would hide an
injection, so every change below must reach the report.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from faasguard.cli import main
from tests.code.conftest import template

SAFE = "def run(command):\n    return command.strip()\n"
UNSAFE = "import os\n\n\ndef run(command):\n    os.system(command)\n"
HANDLER = "import helpers\n\n\ndef handler(event, context):\n    helpers.run(event['cmd'])\n"


def _scan(project: Path, cache_dir: Path | None, out: Path) -> dict:  # type: ignore[type-arg]
    where = ["--cache-dir", str(cache_dir)] if cache_dir is not None else ["--no-cache"]
    code = main(["scan", str(project), "-q", "--fail-on", "none", "--format", "json", "-o", str(out), *where])
    assert code == 0
    report: dict = json.loads(out.read_text())  # type: ignore[type-arg]
    report["scanned"].pop("duration_s", None)
    return report


class Runs:
    """The same project scanned with one cache, each report also checked against a scan without the cache."""

    def __init__(self, tmp_path: Path) -> None:
        self.project = tmp_path / "p"
        self.project.mkdir()
        self.cache_dir = tmp_path / "cache"
        self.out = tmp_path / "report.json"

    def write(self, files: dict[str, str]) -> None:
        for rel, text in files.items():
            path = self.project / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def scan(self) -> dict:  # type: ignore[type-arg]
        cached = _scan(self.project, self.cache_dir, self.out)
        assert cached == _scan(self.project, None, self.out)  # what the cache gives is what a fresh scan gives
        return cached

    def injections(self) -> list[tuple[str, int, str]]:
        """(path, line, function named in the message) of every command injection found."""
        found = [f for f in self.scan()["findings"] if f["rule_id"] == "FG-INJ-011"]
        return sorted((f["path"], f["line"], f["function"] or "") for f in found)


def _function(handler: str = "app.handler", name: str = "Worker") -> str:
    return template((name, "python3.12", "src/", handler))


@pytest.fixture
def runs(tmp_path: Path) -> Runs:
    return Runs(tmp_path)


def test_the_warm_scan_skips_the_walk(runs: Runs, monkeypatch: pytest.MonkeyPatch) -> None:
    runs.write({"template.yaml": _function(), "src/app.py": HANDLER, "src/helpers.py": UNSAFE})
    cold = runs.injections()
    assert cold == [("src/helpers.py", 5, "Worker")]
    from faasguard.code.analyzer import CodeAnalyzer

    def must_not_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("walked again although the cache holds the analysis")

    monkeypatch.setattr(CodeAnalyzer, "_walk", must_not_walk)
    assert sorted((f["path"], f["line"]) for f in _scan(runs.project, runs.cache_dir, runs.out)["findings"]
                  if f["rule_id"] == "FG-INJ-011") == [("src/helpers.py", 5)]


def test_editing_an_imported_module_adds_and_removes_the_finding(runs: Runs) -> None:
    runs.write({"template.yaml": _function(), "src/app.py": HANDLER, "src/helpers.py": SAFE})
    assert runs.injections() == []
    runs.write({"src/helpers.py": UNSAFE})
    assert runs.injections() == [("src/helpers.py", 5, "Worker")]
    runs.write({"src/helpers.py": SAFE})
    assert runs.injections() == []


def test_a_module_added_where_an_import_found_nothing_is_followed(runs: Runs) -> None:
    runs.write({"template.yaml": _function(), "src/app.py": HANDLER})
    assert runs.injections() == []  # `import helpers` is a third-party module as far as the walk knows
    runs.write({"src/helpers.py": UNSAFE})
    assert runs.injections() == [("src/helpers.py", 5, "Worker")]


def test_a_package_that_appears_first_in_the_import_order_wins(runs: Runs) -> None:
    # `import helpers` from src/lib/app.py: the code directory (src/) comes before the importer's folder.
    runs.write({"template.yaml": _function("lib/app.handler"), "src/lib/app.py": HANDLER, "src/lib/helpers.py": SAFE})
    assert runs.injections() == []
    runs.write({"src/helpers/__init__.py": UNSAFE})
    assert runs.injections() == [("src/helpers/__init__.py", 5, "Worker")]


def test_a_deleted_module_is_no_longer_followed(runs: Runs) -> None:
    runs.write({"template.yaml": _function(), "src/app.py": HANDLER, "src/helpers.py": UNSAFE})
    assert runs.injections() == [("src/helpers.py", 5, "Worker")]
    (runs.project / "src" / "helpers.py").unlink()
    assert runs.injections() == []


def test_a_new_javascript_module_is_followed(runs: Runs) -> None:
    handler = "const util = require('./util');\nexports.handler = async (event) => util.run(event.cmd);\n"
    unsafe = "const { execSync } = require('child_process');\nexports.run = (c) => execSync(c);\n"
    runs.write({"template.yaml": template(("Worker", "nodejs20.x", "src/", "index.handler")), "src/index.js": handler})
    assert runs.injections() == []
    runs.write({"src/util.ts": unsafe})
    assert runs.injections() == [("src/util.ts", 2, "Worker")]
    runs.write({"src/util.js": "exports.run = (c) => c;\n"})  # util.js comes before util.ts
    assert runs.injections() == []


def test_changing_the_handler_in_the_template(runs: Runs) -> None:
    app = "import os\n\n\ndef safe(event, context):\n    return 1\n\n\ndef unsafe(event, context):\n    os.system(event['cmd'])\n"
    runs.write({"template.yaml": _function("app.safe"), "src/app.py": app})
    assert runs.injections() == []
    runs.write({"template.yaml": _function("app.unsafe")})
    assert runs.injections() == [("src/app.py", 9, "Worker")]
    runs.write({"template.yaml": _function("app.missing")})
    report = runs.scan()
    assert any("handler function missing of Worker is not defined" in w["message"] for w in report["warnings"])


def test_two_functions_sharing_a_code_directory(runs: Runs) -> None:
    app = "import os\n\n\ndef safe(event, context):\n    return 1\n\n\ndef unsafe(event, context):\n    os.system(event['cmd'])\n"
    both = template(("Safe", "python3.12", "src/", "app.safe"), ("Unsafe", "python3.12", "src/", "app.unsafe"))
    runs.write({"template.yaml": both, "src/app.py": app})
    assert runs.injections() == [("src/app.py", 9, "Unsafe")]
    assert runs.injections() == [("src/app.py", 9, "Unsafe")]  # warm: each function its own entry
    swapped = template(("Safe", "python3.12", "src/", "app.unsafe"), ("Unsafe", "python3.12", "src/", "app.safe"))
    runs.write({"template.yaml": swapped})
    assert runs.injections() == [("src/app.py", 9, "Safe")]


def test_a_user_taint_model_in_the_configuration(runs: Runs) -> None:
    handler = "from shop import db\n\n\ndef handler(event, context):\n    db.run_cmd(event['cmd'])\n"
    runs.write({"template.yaml": _function(), "src/app.py": handler})
    assert runs.injections() == []
    runs.write({".faasguard.yaml": "taint-models:\n  python:\n    sink:\n"
                "      - {kind: shell, method: run_cmd, receiver: [shop.db], argument: [0]}\n"})
    assert runs.injections() == [("src/app.py", 5, "Worker")]
    runs.write({".faasguard.yaml": "taint-models:\n  python:\n    sink:\n"
                "      - {kind: shell, method: other, receiver: [shop.db], argument: [0]}\n"})
    assert runs.injections() == []


def test_a_loose_handler_file_and_its_import(runs: Runs) -> None:
    runs.write({"scripts/job.py": HANDLER, "scripts/helpers.py": SAFE})
    assert runs.injections() == []
    runs.write({"scripts/helpers.py": UNSAFE})
    assert runs.injections() == [("scripts/helpers.py", 5, "")]
    runs.write({"scripts/job.py": HANDLER.replace("helpers.run(event['cmd'])", "helpers.run('date')")})
    assert runs.injections() == []


def test_errors_about_the_files_a_function_reads_come_back_from_the_cache(runs: Runs) -> None:
    handler = "import broken\nimport helpers\n\n\ndef handler(event, context):\n    helpers.run(event['cmd'])\n"
    runs.write({"template.yaml": _function(), "src/app.py": handler, "src/helpers.py": UNSAFE, "src/broken.py": "def f(:\n"})
    cold = runs.scan()
    assert any(e["path"] == "src/broken.py" and "syntax error" in e["message"] for e in cold["errors"])
    assert runs.scan() == cold  # and Runs.scan checked both against a scan without the cache


def test_two_functions_one_broken_import_and_a_function_that_stops_reading_it(runs: Runs) -> None:
    # In one scan only the first function to read a file reports its parse error; the cache keeps it for each.
    runs.write({"template.yaml": template(("A", "python3.12", "src/", "a.handler"), ("B", "python3.12", "src/", "b.handler")),
                "src/a.py": "import broken\n\n\ndef handler(event, context):\n    return 1\n",
                "src/b.py": "import broken\n\n\ndef handler(event, context):\n    return 2\n",
                "src/broken.py": "def f(:\n"})
    cold = runs.scan()
    assert any(e["path"] == "src/broken.py" and "syntax error" in e["message"] for e in cold["errors"])
    runs.write({"src/a.py": "def handler(event, context):\n    return 1\n"})  # B's analysis comes from the cache
    warm = runs.scan()
    assert any(e["path"] == "src/broken.py" and "syntax error" in e["message"] for e in warm["errors"])


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_a_symlinked_module_that_is_pointed_elsewhere(runs: Runs, tmp_path: Path) -> None:
    runs.write({"template.yaml": _function(), "src/app.py": HANDLER, "src/impl/safe.py": SAFE, "src/impl/unsafe.py": UNSAFE})
    link = runs.project / "src" / "helpers.py"
    link.symlink_to("impl/safe.py")
    assert runs.injections() == []
    link.unlink()
    link.symlink_to("impl/unsafe.py")
    assert runs.injections() == [("src/helpers.py", 5, "Worker")]
    (tmp_path / "outside.py").write_text(UNSAFE)  # a link that leaves the root is refused, not read
    link.unlink()
    link.symlink_to(tmp_path / "outside.py")
    report = runs.scan()
    assert [f for f in report["findings"] if f["rule_id"] == "FG-INJ-011"] == []
    assert any(e["path"] == "src/helpers.py" and "leaves the scanned directory" in e["message"] for e in report["errors"])


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symbolic links")
def test_a_symlinked_code_directory_that_is_pointed_elsewhere(runs: Runs) -> None:
    runs.write({"v1/app.py": HANDLER, "v1/helpers.py": SAFE, "v2/app.py": HANDLER, "v2/helpers.py": UNSAFE,
                "template.yaml": template(("Worker", "python3.12", "current/", "app.handler"))})
    (runs.project / "current").symlink_to("v1")  # v2/app.py is analysed too, as a loose handler file
    assert [f for f in runs.injections() if f[2] == "Worker"] == []
    (runs.project / "current").unlink()
    (runs.project / "current").symlink_to("v2")
    assert [f for f in runs.injections() if f[2] == "Worker"] == [("v2/helpers.py", 5, "Worker")]


def test_the_walk_touches_the_file_system_only_where_it_is_recorded(runs: Runs, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cached analysis is checked against the files the walk read and the imports it resolved. A walk that looked
    at the disk any other way (a new probe, a file opened directly) would depend on something no check repeats: this
    test fails then, naming the caller, instead of a warm scan silently keeping a stale analysis."""
    import builtins
    import io
    import sys

    from faasguard.code import analyzer, resolve

    allowed = {(resolve.__file__, "_isfile"), (analyzer.__file__, "_source"), (analyzer.__file__, "_real_dir"),
               (analyzer.__file__, "real")}
    package = os.path.dirname(analyzer.__file__)
    # Python's imports, and faasguard's bundled tables loaded on first use (they are in the cache's salt).
    also = ("<frozen importlib.", "<frozen zipimport", *(os.path.join(package, f) for f in ("modeldata.py", "libraries.py",
                                                                                         "sdk_names.py")))
    loaders = also[2:]
    walking: list[bool] = []
    strays: list[str] = []
    looks: list[str] = []
    tables: set[Path] = set()

    def watched(original, name):  # type: ignore[no-untyped-def]
        def look(*args, **kwargs):  # type: ignore[no-untyped-def]
            if walking:
                frame = sys._getframe(1)
                while frame is not None:
                    code = frame.f_code
                    if (code.co_filename, code.co_name) in allowed or code.co_filename.startswith(also):
                        looks.append(str(args[0]))
                        if code.co_filename in loaders and name == "open":
                            tables.add(Path(args[0]).resolve())
                        break
                    frame = frame.f_back  # type: ignore[assignment]
                else:
                    strays.append(f"{original.__name__}({args[0]!r})")
            return original(*args, **kwargs)
        return look

    for owner, name in ((os, "stat"), (os, "lstat"), (os, "open"), (os, "listdir"), (os, "scandir"), (builtins, "open"),
                        (io, "open")):
        monkeypatch.setattr(owner, name, watched(getattr(owner, name), name))
    from faasguard import cache
    from faasguard.code import libraries, modeldata, sdk_names

    for loaded in (modeldata.bundled, libraries.libraries, sdk_names._data):  # read again, inside the walk
        loaded.cache_clear()
    for name in ("_walk", "_loose_walk"):
        original = getattr(analyzer.CodeAnalyzer, name)

        def during(*args, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            walking.append(True)
            try:
                return _original(*args, **kwargs)
            finally:
                walking.pop()

        monkeypatch.setattr(analyzer.CodeAnalyzer, name, staticmethod(during) if name == "_loose_walk" else during)
    handler_js = "const util = require('./util');\nexports.handler = async (event) => util.run(event.cmd);\n"
    runs.write({"template.yaml": template(("Worker", "python3.12", "src/", "app.handler"),
                                          ("Web", "nodejs20.x", "web/", "index.handler")),
                "src/app.py": "import helpers\nimport requests\nfrom .pkg import x\n\n\n" + HANDLER.split("\n", 1)[1],
                "src/helpers.py": UNSAFE, "web/index.js": handler_js, "web/util.js": "exports.run = (c) => c;\n",
                "scripts/job.py": HANDLER, "scripts/helpers.py": SAFE})
    _scan(runs.project, runs.cache_dir, runs.out)
    assert strays == []
    assert any(look.endswith("helpers.py") for look in looks)  # the watch was on while the walk read its files
    salted = {p.resolve() for p in cache._sources(Path(cache.__file__).parent)}
    assert tables and tables <= salted  # a table the walk reads changes the cache's salt


def test_an_entry_of_another_kind_under_the_key_is_computed_again(runs: Runs, monkeypatch: pytest.MonkeyPatch) -> None:
    # A loose handler file's analysis is a (handlers, flows, checks) tuple, a function's is its CodeFacts: whatever
    # the cache answers for one key, an entry made as the other kind is a miss, never a value of the wrong shape.
    loose = "import os\n\n\ndef handler(event, context):\n    os.system(event['cmd'])\n"
    runs.write({"template.yaml": _function(), "src/app.py": HANDLER, "src/helpers.py": SAFE, "scripts/job.py": loose})
    cold = runs.scan()
    assert ("scripts/job.py", 5) in {(f["path"], f["line"]) for f in cold["findings"] if f["rule_id"] == "FG-INJ-011"}
    from faasguard import cache
    from faasguard.code import analyzer

    recall = cache.recall
    functions: list[object] = []

    def crossed(kind: str, data: str) -> object:
        entry = recall(kind, data)
        if kind == "function" and isinstance(entry, analyzer.Analysis):
            functions.append(entry)
        if kind == "loose" and functions:
            return functions[0]  # what a key that named a function's entry would give: CodeFacts, not a tuple
        return entry

    monkeypatch.setattr(cache, "recall", crossed)
    warm = _scan(runs.project, runs.cache_dir, runs.out)
    assert functions
    assert warm == _scan(runs.project, None, runs.out)


def test_a_first_scan_resolves_each_handler_once_and_a_warm_scan_reads_the_cache(tmp_path, monkeypatch):
    """With an empty cache there is nothing to check before the walks: the scan process used to resolve every
    function's handler to look up an analysis no earlier scan wrote, then the walk resolved it again."""
    from faasguard.code import resolve

    runs = Runs(tmp_path)
    runs.write({"template.yaml": _function(), "src/app.py": HANDLER, "src/helpers.py": UNSAFE})
    calls: list[str] = []
    entry_file = resolve.entry_file
    monkeypatch.setattr(resolve, "entry_file", lambda *a: calls.append(a[1]) or entry_file(*a))
    first = _scan(runs.project, runs.cache_dir, runs.out)
    assert calls == ["app.handler"]
    assert any(f["rule_id"] == "FG-INJ-011" for f in first["findings"])
    calls.clear()
    assert _scan(runs.project, runs.cache_dir, runs.out) == first  # warm: checked in the scan process, not walked
    assert calls == ["app.handler"]
