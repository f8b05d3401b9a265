# handlers: handler
import os
import subprocess

import requests
import serverless_wsgi
from flask import Flask, jsonify, request, send_file
from markupsafe import escape

app = Flask(__name__)
EXPORT_DIR = "/tmp/exports"


@app.route("/export/<name>")
def export(name):
    return send_file(os.path.join(EXPORT_DIR, name))  # expect: FG-INJ-015


@app.route("/proxy")
def proxy():
    target = request.args.get("target")
    r = requests.get(target, timeout=3)  # expect: FG-INJ-014
    return jsonify(status=r.status_code)


@app.route("/convert", methods=["POST"])
def convert():
    payload = request.get_json(force=True)
    fmt = payload.get("format", "pdf")
    subprocess.run(f"libreoffice --convert-to {fmt} /tmp/in.docx", shell=True, check=True)  # expect: FG-INJ-011
    return jsonify(ok=True)


@app.route("/hello")
def hello():
    who = request.args.get("who", "world")
    return f"<p>Hello, {escape(who)}!</p>"  # ok: FG-INJ-018


def handler(event, context):
    return serverless_wsgi.handle_request(app, event, context)
