# handlers: lambda_handler
# Flask on Lambda through aws-wsgi, with jinja templates and a Mongo store.
import os
import subprocess

import awsgi
import jwt
from flask import Flask, Response, jsonify, render_template_string, request
from pymongo import MongoClient
from sqlalchemy import create_engine, text

app = Flask(__name__)
db = MongoClient(os.environ["MONGO_URL"]).shop
engine = create_engine(os.environ["DATABASE_URL"])


@app.route("/products", methods=["POST"])
def find_products():
    query = request.get_json(force=True)
    items = list(db.products.find(query))  # expect: FG-INJ-016
    items += list(db.products.find({"name": str(query.get("name"))}))  # ok: FG-INJ-016
    return jsonify(items)


@app.route("/welcome")
def welcome():
    name = request.args.get("name", "guest")
    return render_template_string(f"<h1>Welcome {name}</h1>")  # expect: FG-INJ-017


@app.route("/welcome2")
def welcome_safe():
    return render_template_string("<h1>Welcome {{ name }}</h1>", name=request.args.get("name"))  # ok: FG-INJ-017


@app.route("/reports/<int:year>/<region>")
def report(year, region):
    with engine.connect() as conn:
        conn.execute(text(f"SELECT * FROM sales WHERE year = {year}"))  # ok: FG-INJ-010
        conn.execute(text(f"SELECT * FROM sales WHERE region = '{region}'"))  # expect: FG-INJ-010
    return jsonify([])


@app.route("/ping")
def ping():
    host = request.headers.get("X-Target", "localhost")
    return subprocess.getoutput("ping -c 1 " + host)  # expect: FG-INJ-011


@app.route("/hello")
def hello_page():
    who = request.args.get("who", "")
    return Response(f"<p>Hi {who}</p>", mimetype="text/html")  # expect: FG-INJ-018


@app.route("/hello.txt")
def hello_text():
    return Response(f"Hi {request.args.get('who', '')}", mimetype="text/plain")  # ok: FG-INJ-018


def lambda_handler(event, context):
    return awsgi.response(app, event, context, base64_content_types={"image/png"})
