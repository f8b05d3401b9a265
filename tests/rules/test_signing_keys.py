"""Session signing keys (Flask secret_key / SECRET_KEY, Flask-JWT-Extended, Flask-WTF, Django settings) written as
literals are FG-SEC-010; a well-known default at low, quiet when the value comes from the environment."""

from faasguard.findings import Severity
from tests.conftest import by_rule

SAM = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Web:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, CodeUri: src/, Handler: app.handler}
"""

LITERALS = '''
import awsgi
from flask import Flask

app = Flask(__name__)
app.secret_key = b"\\x8f\\x1c\\xa0\\x02\\x9d\\xbb\\x11\\x42\\x77\\x90\\x10\\x33\\x5e\\x6a\\x7b\\x8c"
app.config.update(JWT_SECRET_KEY="Zq8mP2vL9xR4tWk7")
app.config.update({"WTF_CSRF_SECRET_KEY": "csrf-signing-value-77"})


def handler(event, context):
    return awsgi.response(app, event, context)
'''

DEFAULT = '''
import awsgi
from flask import Flask

app = Flask(__name__)
app.config.from_mapping(SECRET_KEY="dev")


def handler(event, context):
    return awsgi.response(app, event, context)
'''

FROM_ENV = '''
import os

import awsgi
from flask import Flask

app = Flask(__name__)
app.config.from_mapping(SECRET_KEY="dev")
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
app.config["JWT_SECRET_KEY"] = os.environ.get("JWT_SECRET_KEY", "changeme")


def handler(event, context):
    return awsgi.response(app, event, context)
'''

DJANGO = '''
import os

ALLOWED_HOSTS = ["*"]
SECRET_KEY = "django-insecure-4p#q8@w!x2v$e7m^r9t&y3u*i6o(k1j)h5g-f0d+s"
'''


def _keys(result):
    return sorted((f.path, f.line, f.severity, f.resource) for f in by_rule(result, "FG-SEC-010"))


def test_literal_keys_in_every_spelling(scan_files):
    result = scan_files({"template.yaml": SAM, "src/app.py": LITERALS}, rules={"FG-SEC-010"})
    assert _keys(result) == [("src/app.py", 5, Severity.MEDIUM, "app.secret_key"),
                             ("src/app.py", 6, Severity.MEDIUM, "JWT_SECRET_KEY"),
                             ("src/app.py", 7, Severity.MEDIUM, "WTF_CSRF_SECRET_KEY")]
    messages = " ".join(f.message for f in by_rule(result, "FG-SEC-010"))
    assert "session signing key …(16 bytes) assigned to app.secret_key" in messages
    assert "Zq8m" not in messages and "csrf-signing" not in messages


def test_well_known_default_is_low(scan_files):
    result = scan_files({"template.yaml": SAM, "src/app.py": DEFAULT}, rules={"FG-SEC-010"})
    assert _keys(result) == [("src/app.py", 5, Severity.LOW, "SECRET_KEY")]
    assert "default session signing key" in by_rule(result, "FG-SEC-010")[0].message


def test_key_from_the_environment_is_quiet(scan_files):
    result = scan_files({"template.yaml": SAM, "src/app.py": FROM_ENV}, rules={"FG-SEC-010"})
    assert _keys(result) == []


def test_django_settings_key(scan_files):
    result = scan_files({"template.yaml": SAM, "src/app.py": DEFAULT.replace('"dev"', 'os.environ["K"]'),
                         "src/mysite/settings.py": DJANGO}, rules={"FG-SEC-010"})
    assert _keys(result) == [("src/mysite/settings.py", 4, Severity.MEDIUM, "SECRET_KEY")]
