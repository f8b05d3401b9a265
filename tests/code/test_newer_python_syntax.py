"""Handlers written for python3.12+ (PEP 701 f-strings) are analysed whatever Python faasguard runs on."""

from tests.code.conftest import template
from tests.conftest import by_rule

PEP701 = '''
import os


def handler(event, context):
    body = event["queryStringParameters"]
    label = f"{body["name"]} and {f"{body['x']!r:>4}"} {{literal}}"
    os.system(f"convert {body["file"]} /tmp/out.png")
    return {"statusCode": 200, "body": f"""
{label}
"""}


def later(event, context):
    os.system(event["cmd"])
'''


def test_pep701_handler_is_analysed_with_the_right_lines(scan_files):
    functions = (("Thumbs", "python3.12", "src/", "app.handler"), ("Later", "python3.12", "src/", "app.later"))
    files = {"template.yaml": template(*functions), "src/app.py": PEP701}
    result = scan_files(files, rules={"FG-INJ-011"})
    assert sorted((f.function, f.line) for f in by_rule(result, "FG-INJ-011")) == [("Later", 14), ("Thumbs", 7)]
    assert not [e for e in result.errors if "app.py" in e[0]]


def test_a_real_syntax_error_is_still_reported(scan_files):
    files = {"template.yaml": template(("Thumbs", "python3.12", "src/", "app.handler")),
             "src/app.py": "def handler(event, context):\n    return f'{event[\"x\"]'\n    print 'py2'\n"}
    result = scan_files(files, rules={"FG-INJ-011"})
    assert any("app.py" in path and "syntax error" in message for path, message in result.errors)
