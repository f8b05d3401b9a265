"""Handler files no template points at are recognised by shape and analysed as functions of unknown trigger."""

from faasguard.code import analyzer, pymodule
from faasguard.findings import Severity
from tests.conftest import by_rule

PY = '''
import os


def handler(event, context):
    os.system("convert " + event["queryStringParameters"]["name"])


def helper(value):
    os.system("convert " + value)
'''

JS = '''
const { execSync } = require("child_process");

export const handler = async (event) => {
  execSync("convert " + event.queryStringParameters.name);
};

export function format(value) {
  execSync("convert " + value);
}
'''


def test_loose_python_and_javascript_handlers_are_analysed(scan_files):
    result = scan_files({"services/thumbs/app.py": PY, "services/render/index.mjs": JS}, rules={"FG-INJ-011"})
    found = sorted((f.path, f.line, f.severity) for f in by_rule(result, "FG-INJ-011"))
    assert found == [("services/render/index.mjs", 4, Severity.MEDIUM), ("services/thumbs/app.py", 5, Severity.MEDIUM)]
    messages = " ".join(f.message for f in by_rule(result, "FG-INJ-011"))
    assert "handler handler; no template names its trigger" in messages


def test_files_without_handler_shape_and_test_files_stay_quiet(scan_files):
    plain = "import os\n\n\ndef run(value):\n    os.system('convert ' + value)\n"
    test_file = PY
    result = scan_files({"lib/run.py": plain, "tests/test_app.py": test_file}, rules={"FG-INJ-011"})
    assert by_rule(result, "FG-INJ-011") == []


SHELL = """
import os

password = "Zq8#vL2!pR9w"


def run(command):
    return os.popen(command).read()
"""
APP = """
from a_shell import run


def handler(event, context):
    return run("convert " + event["queryStringParameters"]["name"])
"""


def test_a_released_loose_file_is_parsed_again_when_a_later_walk_imports_it(scan_files, monkeypatch):
    """A loose file without a handler lets go of its parse (``_Cache.release``); the handler after it imports it,
    and the walk parses it again: the findings are those of a scan that keeps every parse (fails if the released
    file were lost to the walk)."""
    files = {"svc/a_shell.py": SHELL, "svc/b_app.py": APP}

    def findings() -> list[tuple[str, str, int | None, str]]:
        result = scan_files(files)
        return sorted((f.rule_id, f.path, f.line, f.message) for f in result.findings)

    parses: list[str] = []
    original_parse = pymodule.PyModule.parse.__func__  # type: ignore[attr-defined]

    def counted(cls, path, rel, text):  # type: ignore[no-untyped-def]
        parses.append(rel)
        return original_parse(cls, path, rel, text)

    monkeypatch.setattr(pymodule.PyModule, "parse", classmethod(counted))
    released = findings()
    assert parses.count("svc/a_shell.py") == 2 and parses.count("svc/b_app.py") == 1
    monkeypatch.setattr(analyzer._Cache, "release", lambda self, path: None)  # the plain way: every parse kept
    parses.clear()
    kept = findings()
    assert parses.count("svc/a_shell.py") == 1
    assert released == kept
    assert ("FG-SEC-010", "svc/a_shell.py", 3) in [(rule, path, line) for rule, path, line, _ in released]
    assert ("FG-INJ-011", "svc/a_shell.py", 7) in [(rule, path, line) for rule, path, line, _ in released]
