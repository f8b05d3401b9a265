"""Handler files no template points at are recognised by shape and analysed as functions of unknown trigger."""

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
