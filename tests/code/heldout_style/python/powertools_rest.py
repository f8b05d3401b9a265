# handlers: lambda_handler
# Powertools for AWS Lambda (Python): a REST API resolver; the routes read app.current_event.
import html
import os
import subprocess

import boto3
import psycopg2
import requests
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer()
app = APIGatewayRestResolver()
conn = psycopg2.connect(os.environ["DATABASE_URL"])
ALLOWED_REPORTS = {"daily", "weekly", "monthly"}


@app.get("/customers/<customer_id>")
@tracer.capture_method
def get_customer(customer_id: str):
    with conn.cursor() as cur:
        cur.execute(f"SELECT * FROM customers WHERE id = '{customer_id}'")  # expect: FG-INJ-010
        cur.execute("SELECT * FROM customers WHERE id = %s", (customer_id,))  # ok: FG-INJ-010
        return {"customer": cur.fetchone()}


@app.get("/search")
def search():
    term = app.current_event.get_query_string_value(name="q", default_value="")
    sort = app.current_event.query_string_parameters.get("sort", "name")
    with conn.cursor() as cur:
        cur.execute("SELECT id FROM products WHERE name LIKE '%%" + term + "%%'")  # expect: FG-INJ-010
        cur.execute("SELECT id FROM products ORDER BY " + sort)  # expect: FG-INJ-010
        cur.execute("SELECT id FROM products WHERE name LIKE %s", ("%" + term + "%",))  # ok: FG-INJ-010
        return {"items": cur.fetchall()}


@app.post("/reports")
def run_report():
    payload = app.current_event.json_body
    report = payload["report"]
    subprocess.run(f"/opt/bin/report --name {report}", shell=True, check=True)  # expect: FG-INJ-011
    if report not in ALLOWED_REPORTS:
        return Response(status_code=400, content_type=content_types.TEXT_PLAIN, body="bad report")
    subprocess.run(f"/opt/bin/report --name {report}", shell=True, check=True)  # ok: FG-INJ-011
    return {"started": report}


@app.post("/webhooks/test")
def test_webhook():
    body = app.current_event.json_body
    resp = requests.post(body["url"], json={"ping": True}, timeout=5)  # expect: FG-INJ-014
    requests.post("https://hooks.example.com/ping", json={"target": body["url"]}, timeout=5)  # ok: FG-INJ-014
    return {"status": resp.status_code}


@app.get("/hello")
def hello():
    name = app.current_event.query_string_parameters.get("name", "world")
    return Response(status_code=200, content_type=content_types.TEXT_HTML, body=f"<h1>Hello {name}</h1>")  # expect: FG-INJ-018


@app.get("/greet")
def greet():
    name = app.current_event.query_string_parameters.get("name", "world")
    return Response(status_code=200, content_type=content_types.TEXT_HTML, body=f"<h1>Hello {html.escape(name)}</h1>")  # ok: FG-INJ-018


@app.get("/files/<name>")
def read_file(name: str):
    with open(os.path.join("/opt/templates", name)) as fh:  # expect: FG-INJ-015
        text = fh.read()
    with open(os.path.join("/opt/templates", os.path.basename(name))) as fh:  # ok: FG-INJ-015
        text += fh.read()
    return {"text": text}


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
