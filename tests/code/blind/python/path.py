# handlers: read_template download_report write_upload safe_download
import json
import os
from pathlib import Path

import boto3

BASE_DIR = "/var/task/templates"
s3 = boto3.client("s3")


def read_template(event, context):
    name = event["queryStringParameters"]["template"]
    with open(os.path.join(BASE_DIR, name)) as fh:  # expect: FG-INJ-015
        return {"statusCode": 200, "body": fh.read()}


def download_report(event, context):
    report = event["pathParameters"]["report"]
    data = Path("/tmp/reports", report).read_bytes()  # expect: FG-INJ-015
    return {"statusCode": 200, "body": data.decode(), "isBase64Encoded": False}


def write_upload(event, context):
    body = json.loads(event["body"])
    filename = body["filename"]
    dest = "/tmp/uploads/" + filename
    with open(dest, "w") as out:  # expect: FG-INJ-015
        out.write(body["content"])
    s3.upload_file(dest, "uploads-bucket", filename)  # expect: FG-INJ-015
    return {"statusCode": 201}


def safe_download(event, context):
    name = os.path.basename(event["queryStringParameters"]["file"])
    with open(os.path.join("/tmp/public", name), "rb") as fh:  # ok
        content = fh.read()
    return {"statusCode": 200, "body": content.hex()}
