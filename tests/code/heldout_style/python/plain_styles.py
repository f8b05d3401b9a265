# handlers: ingest render_sql bulk_tag notify_all handler_with_model dispatch partial_runner load_config restore_session
# Plain dict handlers written the ways teams write them: loops over Records, models, string building, helpers.
import base64
import functools
import importlib
import json
import logging
import os
import pickle
import shlex
import subprocess
from dataclasses import dataclass

import boto3
import pymysql
import yaml
from pydantic import BaseModel

log = logging.getLogger()
log.setLevel(logging.INFO)
conn = pymysql.connect(host=os.environ["DB_HOST"], user=os.environ["DB_USER"], password=os.environ["DB_PASSWORD"],
                       database="inventory", autocommit=True)
PLUGINS = {"csv": "exporters.csv_export", "xlsx": "exporters.xlsx_export"}


class Item(BaseModel):
    sku: str
    name: str
    count: int = 0


@dataclass
class Tag:
    resource: str
    value: str


def ingest(event, context):
    for record in event["Records"]:
        payload = json.loads(record["body"])
        item = Item(**payload)
        cursor = conn.cursor()
        query = "INSERT INTO items (sku, name) VALUES ('%s', '%s')" % (item.sku, item.name)
        cursor.execute(query)  # expect: FG-INJ-010
        cursor.execute("INSERT INTO items (sku, name) VALUES (%s, %s)", (item.sku, item.name))  # ok: FG-INJ-010
        cursor.execute("UPDATE items SET count = %d" % item.count)  # ok: FG-INJ-010


def render_sql(event, context):
    body = json.loads(event["body"])
    template = "SELECT {columns} FROM {table} WHERE owner = '{owner}'"
    sql = template.format(**body)
    with conn.cursor() as cur:
        cur.execute(sql)  # expect: FG-INJ-010
    return {"statusCode": 200}


def bulk_tag(event, context):
    tags = [Tag(**t) for t in json.loads(event["body"])["tags"]]
    parts = []
    for tag in tags:
        parts.append(f"('{tag.resource}', '{tag.value}')")
    statement = "INSERT INTO tags (resource, value) VALUES " + ", ".join(parts)
    with conn.cursor() as cur:
        cur.execute(statement)  # expect: FG-INJ-010
        cur.executemany("INSERT INTO tags (resource, value) VALUES (%s, %s)", [(t.resource, t.value) for t in tags])  # ok: FG-INJ-010


def notify_all(event, context):
    recipients = ""
    for record in event["Records"]:
        message = json.loads(record["Sns"]["Message"])
        recipients += message["email"] + " "
    subprocess.call("sendmail " + recipients, shell=True)  # expect: FG-INJ-011
    quoted = " ".join(shlex.quote(r) for r in recipients.split())
    subprocess.call("sendmail " + quoted, shell=True)  # ok: FG-INJ-011


def handler_with_model(event, context):
    data = json.loads(base64.b64decode(event["body"]) if event.get("isBase64Encoded") else event["body"])
    host = data.get("host", "localhost")
    out = subprocess.check_output(["bash", "-c", "nslookup " + host])  # expect: FG-INJ-011
    out += subprocess.check_output(["nslookup", "--", host])  # ok: FG-INJ-011
    return {"statusCode": 200, "body": out.decode()}


def dispatch(event, context):
    kind = event["queryStringParameters"]["kind"]
    module = importlib.import_module(kind)  # expect: FG-INJ-012
    exporter = importlib.import_module(PLUGINS.get(kind, "exporters.csv_export"))  # ok: FG-INJ-012
    action = getattr(exporter, event["queryStringParameters"]["action"])
    return action(module)


def partial_runner(event, context):
    run_shell = functools.partial(subprocess.run, shell=True, check=True)
    target = event["detail"]["target"]
    run_shell("terraform plan -target=" + target)  # expect: FG-INJ-011


def load_config(event, context):
    s3 = boto3.client("s3")
    rec = event["Records"][0]["s3"]
    obj = s3.get_object(Bucket=rec["bucket"]["name"], Key=rec["object"]["key"])
    raw = obj["Body"].read()
    config = yaml.load(raw, Loader=yaml.Loader)  # expect: FG-INJ-013
    config.update(yaml.load(raw, Loader=yaml.SafeLoader))  # ok: FG-INJ-013
    log.info("loaded %s", config.get("name"))
    return config


def restore_session(event, context):
    cookie = event["headers"].get("cookie", "")
    blob = cookie.split("session=", 1)[-1]
    state = pickle.loads(base64.b64decode(blob))  # expect: FG-INJ-013
    return {"statusCode": 200, "body": json.dumps({"user": state.get("user")})}
