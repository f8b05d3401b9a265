"""Literal credentials in source and config files, including files no function points at."""

from faasguard.findings import Severity
from tests.code.conftest import template
from tests.conftest import by_rule

AWS_KEY = "AKIA" + "Z7QW3RTY5UIO2PLK"  # built here so this test file itself holds no key
SLACK = "xoxb-" + "2817364508-9182736450123-aZ8kQw3LmN5pR7sT9vX1yB2c"


def test_secrets_in_handler_source_and_loose_config_files(scan_files):
    files = {
        "template.yaml": template(("Mailer", "python3.12", "src/", "app.handler")),
        "src/app.py": f'''
import os

SLACK_TOKEN = "{SLACK}"
DB_PASSWORD = "Tr0ub4dor&3-orders"
PLACEHOLDER_PASSWORD = "changeme"
ORDER_ID = "123e4567-e89b-12d3-a456-426614174000"
TABLE = os.environ["TABLE"]


def handler(event, context):
    return {{"statusCode": 200}}
''',
        "scripts/.env": f"AWS_ACCESS_KEY_ID={AWS_KEY}\nDEBUG=true\nAPI_URL=https://api.example.com\n",
        "scripts/config.json": '{"db": {"user": "app", "password": "s3cr3t-Pa55w0rd!"}, "region": "eu-west-1"}\n',
        "scripts/app.properties": "db.url=jdbc:mysql://db/orders\ndb.password=${DB_PASSWORD}\n",
        "tests/test_app.py": f'FAKE_PASSWORD = "hunter2-for-tests"\nKEY = "{AWS_KEY}"\n',
    }
    result = scan_files(files, rules={"FG-SEC-010"})
    got = sorted((f.path, f.line, f.function) for f in by_rule(result, "FG-SEC-010"))
    assert got == [
        ("scripts/.env", 1, None),
        ("scripts/config.json", 1, None),
        ("src/app.py", 3, "Mailer"),
        ("src/app.py", 4, "Mailer"),
    ]
    slack = next(f for f in result.findings if f.line == 3)
    assert "SLACK_TOKEN" in slack.message and "Mailer" in slack.message and SLACK not in slack.message
    assert slack.severity == Severity.HIGH
    password = next(f for f in result.findings if f.path == "src/app.py" and f.line == 4)
    assert password.severity == Severity.MEDIUM and "DB_PASSWORD" in password.message
    loose = [app for app in result.applications if app.format == "source"]
    assert sorted(app.source for app in loose) == ["scripts/.env", "scripts/config.json"]
    assert result.files == 5  # template, handler and the three config files; test files are not searched


def test_a_file_copied_under_several_names_is_reported_at_each_of_them(scan_files):
    """Vendored copies share one parse (see _Cache._file_facts); every copy still gets its own findings and errors."""
    helper = f'DB_PASSWORD = "Tr0ub4dor&3-orders"\n\n\nSLACK_TOKEN = "{SLACK}"\n'
    broken = "def broken(:\n    pass\n"
    files = {
        "a/vendor/helper.py": helper, "b/vendor/helper.py": helper, "c/helper_copy.py": helper,
        "a/vendor/broken.py": broken, "b/broken.py": broken,
        "a/lib/util.js": f'const apiToken = "{SLACK}";\n', "b/lib/util.js": f'const apiToken = "{SLACK}";\n',
    }
    result = scan_files(files, rules={"FG-SEC-010"})
    got = sorted((f.path, f.line) for f in by_rule(result, "FG-SEC-010"))
    assert got == [("a/lib/util.js", 1), ("a/vendor/helper.py", 1), ("a/vendor/helper.py", 4),
                   ("b/lib/util.js", 1), ("b/vendor/helper.py", 1), ("b/vendor/helper.py", 4),
                   ("c/helper_copy.py", 1), ("c/helper_copy.py", 4)]
    errors = sorted(path for path, message in result.errors if "syntax error" in message)
    assert errors == ["a/vendor/broken.py", "b/broken.py"]


def test_copies_in_different_workers_are_parsed_once_and_reported_at_each(tmp_path, monkeypatch):
    """Two workers: the copies of a vendored file (one library in several Lambda layers) go to the same worker, which
    parses the text once; each copy keeps its own findings, as in one process."""
    import os
    import sys

    import pytest

    from faasguard.code import pymodule
    from faasguard.scan import ScanOptions, scan

    if sys.platform != "linux":
        pytest.skip("workers are forked on Linux only")
    helper = f'DB_PASSWORD = "Tr0ub4dor&3-orders"\n\n\nSLACK_TOKEN = "{SLACK}"\n'
    for layer in ("deps", "bedrock", "shared"):
        (tmp_path / layer / "python" / "lib").mkdir(parents=True)
        (tmp_path / layer / "python" / "lib" / "helper.py").write_text(helper)
        for n in range(12):  # files between the copies, so that the batches of a plain split differ
            (tmp_path / layer / "python" / f"mod{n}.py").write_text(f"VALUE_{layer.upper()}_{n} = {n}\n")
    parsed = tmp_path.parent / f"{tmp_path.name}-parsed.txt"
    real_parse = pymodule.PyModule.parse.__func__

    def counting_parse(cls, path, rel, text):  # type: ignore[no-untyped-def]
        with open(parsed, "a") as out:  # appended from each worker
            out.write(f"{os.getpid()} {rel}\n")
        return real_parse(cls, path, rel, text)

    monkeypatch.setattr(pymodule.PyModule, "parse", classmethod(counting_parse))
    monkeypatch.setattr("faasguard.parallel.MIN_PARALLEL_ITEMS", 2)
    monkeypatch.setattr("faasguard.scan.PARALLEL_THRESHOLD", 2)
    result = scan(tmp_path, ScanOptions(rules={"FG-SEC-010"}, jobs=2))
    got = sorted((f.path, f.line) for f in by_rule(result, "FG-SEC-010"))
    assert got == [(f"{layer}/python/lib/helper.py", line) for layer in ("bedrock", "deps", "shared") for line in (1, 4)]
    lines = parsed.read_text().splitlines()
    assert len({pid for pid, _ in (line.split() for line in lines)}) == 2  # the work was shared
    assert sum(line.endswith("/helper.py") for line in lines) == 1
    assert len(lines) == 1 + 3 * 12
