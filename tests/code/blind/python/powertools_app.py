# handlers: lambda_handler on_signup step_task ingest_csv
import csv
import io
import os
import subprocess

import boto3
import requests
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.data_classes import SQSEvent, event_source

app = APIGatewayRestResolver()
s3 = boto3.resource("s3")
ddb = boto3.client("dynamodb")


@app.get("/files/<name>")
def get_file(name: str):
    with open(f"/mnt/efs/{name}") as fh:  # expect: FG-INJ-015
        return {"content": fh.read()}


@app.post("/exec")
def run_cmd():
    body = app.current_event.json_body
    return {"out": subprocess.getoutput("echo " + body["msg"])}  # expect: FG-INJ-011


@app.get("/fetch")
def fetch():
    url = app.current_event.get_query_string_value(name="url", default_value="")
    return {"len": len(requests.get(url, timeout=3).content)}  # expect: FG-INJ-014


def lambda_handler(event, context):
    return app.resolve(event, context)


def on_signup(event, context):
    attrs = event["request"]["userAttributes"]
    domain = attrs["email"].split("@")[-1]
    ddb.execute_statement(Statement=f"SELECT * FROM \"orgs\" WHERE domain = '{domain}'")  # expect: FG-INJ-016
    ddb.execute_statement(Statement="SELECT * FROM \"orgs\" WHERE domain = ?", Parameters=[{"S": domain}])  # ok: FG-INJ-016
    return event


def step_task(event, context):
    job = event["input"]["job"] if "input" in event else event["job"]
    if job["type"] == "shell":
        os.system(job["cmd"])  # expect: FG-INJ-011
    return {"status": "done"}


@event_source(data_class=SQSEvent)
def ingest_csv(event: SQSEvent, context):
    for record in event.records:
        ref = record.json_body
        obj = s3.Object(ref["bucket"], ref["key"]).get()
        rows = list(csv.DictReader(io.StringIO(obj["Body"].read().decode())))
        names = [r["name"] for r in rows]
        for name in names:
            subprocess.run("touch /tmp/" + name, shell=True)  # expect: FG-INJ-011
