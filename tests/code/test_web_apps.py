"""Web apps on a function, end to end through the command line: the real application behind serverless-wsgi,
Mangum, serverless-http and functions_framework is found, its routes' requests are sources, its session key a secret,
and a JWT decoded without verification does not authenticate the route."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from faasguard.cli import main

FLASK_SLS = """
service: notes
frameworkVersion: '3'
custom:
  wsgi:
    app: notes/app.app
provider:
  name: aws
  runtime: python3.12
functions:
  api:
    handler: wsgi_handler.handler
    events:
      - httpApi: '*'
plugins:
  - serverless-wsgi
  - serverless-python-requirements
"""

FLASK_APP = """
import os
import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)
app.secret_key = "n0tes-app-s3ssion-k3y-2026"
conn = sqlite3.connect("/tmp/notes.db")


@app.route("/notes/<int:note_id>")
def note(note_id):
    return jsonify(conn.execute("SELECT * FROM notes WHERE id = %d" % note_id).fetchone())


@app.route("/notes")
def search():
    term = request.args.get("q", "")
    return jsonify(conn.execute("SELECT * FROM notes WHERE body LIKE '%" + term + "%'").fetchall())
"""

SAM_FASTAPI = """
Transform: AWS::Serverless-2016-10-31
Resources:
  ReportsFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: handler.handler
      Runtime: python3.12
      Events:
        Proxy:
          Type: HttpApi
          Properties:
            Path: /{proxy+}
            Method: ANY
"""

FASTAPI_MAIN = """
import subprocess

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/render/{fmt}")
async def render(fmt: str, pages: int = 1):
    subprocess.run(f"pandoc -t {fmt} report.md --pages {pages}", shell=True)
    return {"ok": True}


handler = Mangum(app, lifespan="off")
"""

EXPRESS_SLS = """
service: shop
provider:
  name: aws
  runtime: nodejs22.x
functions:
  esm:
    handler: esm/handler.handler
    events:
      - httpApi: '*'
  cjs:
    handler: cjs/index.handler
    events:
      - httpApi: '*'
"""

EXPRESS_APP = """
import express from "express";
import { exec } from "node:child_process";

export const app = express();

app.post("/thumbs", (req, res) => {
  exec(`convert ${req.query.src} -resize 64x64 /tmp/out.png`, () => res.sendStatus(204));
});
"""

EXPRESS_HANDLER = """
import serverless from "serverless-http";
import { app } from "./app.mjs";

export const handler = serverless(app);
"""

EXPRESS_CJS = """
const serverless = require("serverless-http");
const express = require("express");
const { Client } = require("pg");

const app = express();
const db = new Client();

app.get("/items/:sku", async (req, res) => {
  res.json(await db.query("SELECT * FROM items WHERE sku = '" + req.params.sku + "'"));
});

const wrapped = serverless(app);
exports.handler = async (event, context) => wrapped(event, context);
"""

GCF_TF = """
data "archive_file" "src" {
  type        = "zip"
  source_dir  = "${path.module}/fn"
  output_path = "${path.module}/fn.zip"
}

resource "google_storage_bucket_object" "src" {
  name   = "fn.zip"
  bucket = "sources"
  source = data.archive_file.src.output_path
}

resource "google_cloudfunctions2_function" "resize" {
  name     = "resize"
  location = "europe-west1"
  build_config {
    runtime     = "python312"
    entry_point = "resize"
    source {
      storage_source {
        bucket = "sources"
        object = google_storage_bucket_object.src.name
      }
    }
  }
}
"""

GCF_MAIN = """
import subprocess

import functions_framework


@functions_framework.http
def resize(request):
    size = request.args.get("size", "64")
    subprocess.run("convert in.png -resize " + size + " out.png", shell=True)
    return "ok"
"""

JWT_SAM = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Me:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: me.handler
      Runtime: python3.12
      Events:
        Get:
          Type: Api
          Properties: {Path: /me, Method: get}
"""

JWT_UNVERIFIED = """
import os

import jwt


def handler(event, context):
    token = event["headers"]["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, os.environ["JWT_KEY"], algorithms=["HS256"], options={"verify_signature": False})
    os.system("id " + event["queryStringParameters"]["user"])
    return {"statusCode": 200, "body": claims["sub"]}
"""


def scan_json(capsys, tmp_path: Path, files: dict[str, str]) -> tuple[dict, list[tuple[str, str, int, str]]]:
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    main(["scan", str(tmp_path), "--format", "json", "--fail-on", "none", "--advisory-db", str(tmp_path / "no-db")])
    report = json.loads(capsys.readouterr().out)
    found = [(f["rule_id"], f["path"], f["line"], f["severity"]) for f in report["findings"]]
    return report, found


def test_flask_on_serverless_wsgi_is_analysed_from_custom_wsgi_app(capsys, tmp_path):
    report, found = scan_json(capsys, tmp_path, {"serverless.yml": FLASK_SLS, "notes/app.py": FLASK_APP})
    assert ("FG-INJ-010", "notes/app.py", 19, "critical") in found
    assert not any(rule == "FG-INJ-010" and line == 13 for rule, _, line, _ in found)  # <int:note_id> is a number
    assert ("FG-SEC-010", "notes/app.py", 7, "medium") in found
    [key] = [f for f in report["findings"] if f["rule_id"] == "FG-SEC-010"]
    assert "session signing key n0te…(26 chars) assigned to app.secret_key" in key["message"]
    assert "s3ssion" not in key["message"]
    assert not any("wsgi_handler" in w["message"] for w in report.get("warnings", []))


def test_fastapi_behind_mangum_is_a_handler_not_a_warning(capsys, tmp_path):
    files = {"template.yaml": SAM_FASTAPI, "src/api/__init__.py": "", "src/api/main.py": FASTAPI_MAIN,
             "src/handler.py": "from api.main import handler  # noqa: F401\n"}
    report, found = scan_json(capsys, tmp_path, files)
    assert ("FG-INJ-011", "src/api/main.py", 11, "critical") in found
    assert ("FG-ATK-001", "src/api/main.py", 11, "critical") in found
    assert not any("not defined" in w["message"] or "not found" in w["message"] for w in report.get("warnings", []))


def test_express_behind_serverless_http_esm_and_commonjs(capsys, tmp_path):
    files = {"serverless.yml": EXPRESS_SLS, "esm/app.mjs": EXPRESS_APP, "esm/handler.mjs": EXPRESS_HANDLER,
             "cjs/index.js": EXPRESS_CJS}
    _, found = scan_json(capsys, tmp_path, files)
    assert ("FG-INJ-011", "esm/app.mjs", 7, "critical") in found
    assert ("FG-INJ-010", "cjs/index.js", 9, "critical") in found


def test_cloud_function_entry_point_resolves_to_main_py(capsys, tmp_path):
    report, found = scan_json(capsys, tmp_path, {"main.tf": GCF_TF, "fn/main.py": GCF_MAIN})
    # ingress defaults to all traffic and nothing restricts the invoker: an open HTTP trigger
    assert ("FG-INJ-011", "fn/main.py", 9, "critical") in found
    assert not any("was not found" in w["message"] for w in report.get("warnings", []))


def test_unverified_jwt_does_not_authenticate_the_route(capsys, tmp_path):
    report, found = scan_json(capsys, tmp_path, {"template.yaml": JWT_SAM, "src/me.py": JWT_UNVERIFIED})
    assert ("FG-INJ-001", "template.yaml", 10, "medium") in found
    assert ("FG-ATK-001", "src/me.py", 9, "critical") in found
    route = next(f for f in report["findings"] if f["rule_id"] == "FG-INJ-001")
    assert "authenticates in code" not in route["message"]


def test_verified_jwt_still_authenticates(capsys, tmp_path):
    verified = JWT_UNVERIFIED.replace(', options={"verify_signature": False}', "")
    _, found = scan_json(capsys, tmp_path, {"template.yaml": JWT_SAM, "src/me.py": verified})
    assert ("FG-INJ-001", "template.yaml", 10, "info") in found
    assert not any(rule == "FG-ATK-001" for rule, *_ in found)


def test_serverless_wsgi_before_1_7_used_wsgi_handler(capsys, tmp_path):
    old = FLASK_SLS.replace("wsgi_handler.handler", "wsgi.handler")
    _, found = scan_json(capsys, tmp_path, {"serverless.yml": old, "notes/app.py": FLASK_APP})
    assert ("FG-INJ-010", "notes/app.py", 19, "critical") in found


DJANGO_SLS = FLASK_SLS.replace("app: notes/app.app", "app: mysite.wsgi.application")
DJANGO_FILES = {
    "mysite/__init__.py": "",
    "mysite/wsgi.py": """
        import os

        from django.core.wsgi import get_wsgi_application

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
        application = get_wsgi_application()
        """,
    "mysite/settings.py": """
        import os

        SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
        ROOT_URLCONF = "mysite.urls"
        """,
    "mysite/urls.py": """
        from django.urls import include, path

        urlpatterns = [path("blog/", include("blog.urls"))]
        """,
    "blog/__init__.py": "",
    "blog/urls.py": """
        from django.urls import path, re_path

        from . import views

        urlpatterns = [
            path("<int:pk>/", views.detail),
            path("search/", views.search),
            re_path(r"^tags/(?P<tag>[a-z-]+)/$", views.tagged),
        ]
        """,
    "blog/views.py": """
        import subprocess

        from django.db import connection
        from django.http import JsonResponse


        def detail(request, pk):
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM blog_post WHERE id = %s" % pk)
                return JsonResponse({"post": cursor.fetchone()})


        def search(request):
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM blog_post WHERE title LIKE '%" + request.GET["q"] + "%'")
                return JsonResponse({"posts": cursor.fetchall()})


        def tagged(request, tag):
            return JsonResponse({"files": subprocess.check_output("ls /tags/" + tag, shell=True).decode()})
        """,
}


def test_django_on_serverless_wsgi_follows_settings_and_urlconf_to_the_views(capsys, tmp_path):
    _, found = scan_json(capsys, tmp_path, {"serverless.yml": DJANGO_SLS, **DJANGO_FILES})
    injections = sorted((rule, path, line, severity) for rule, path, line, severity in found if rule.startswith("FG-INJ-01"))
    assert injections == [("FG-INJ-010", "blog/views.py", 15, "critical"), ("FG-INJ-011", "blog/views.py", 20, "critical")]


def test_django_class_based_views_are_followed(capsys, tmp_path):
    files = dict(DJANGO_FILES)
    files["blog/urls.py"] = """
        from django.urls import path

        from blog.views import Archive, PostDetail

        urlpatterns = [path("archive/", Archive.as_view()), path("<int:pk>/", PostDetail.as_view())]
        """
    files["blog/views.py"] = """
        import subprocess

        from django.db import connection
        from django.http import JsonResponse
        from django.views import View


        class Archive(View):
            def get(self, request):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT * FROM blog_post WHERE year = '" + request.GET["year"] + "'")
                    return JsonResponse({"posts": cursor.fetchall()})

            def post(self, request):
                return JsonResponse({"out": subprocess.getoutput("archive " + request.POST["name"])})


        class PostDetail(View):
            def get(self, request, pk):
                with connection.cursor() as cursor:
                    cursor.execute("SELECT * FROM blog_post WHERE id = %s" % pk)
                    return JsonResponse({"post": cursor.fetchone()})
        """
    _, found = scan_json(capsys, tmp_path, {"serverless.yml": DJANGO_SLS, **files})
    injections = sorted((rule, path, line) for rule, path, line, _ in found if rule.startswith("FG-INJ-01"))
    assert injections == [("FG-INJ-010", "blog/views.py", 11), ("FG-INJ-011", "blog/views.py", 15)]
