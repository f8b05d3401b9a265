# handlers: restore_session load_config process_uploads safe_config
import base64
import json
import pickle

import boto3
import yaml

s3 = boto3.client("s3")


def restore_session(event, context):
    cookie = event["headers"].get("x-session", "")
    session = pickle.loads(base64.b64decode(cookie))  # expect: FG-INJ-013
    return {"statusCode": 200, "body": json.dumps({"user": session.get("user")})}


def load_config(event, context):
    raw = event["body"]
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8")
    config = yaml.load(raw, Loader=yaml.Loader)  # expect: FG-INJ-013
    return {"statusCode": 200, "body": json.dumps(config)}


def process_uploads(event, context):
    models = []
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = record["s3"]["object"]["key"]
        obj = s3.get_object(Bucket=bucket, Key=key)
        models.append(pickle.loads(obj["Body"].read()))  # expect: FG-INJ-013
    return len(models)


def safe_config(event, context):
    config = yaml.safe_load(event["body"])  # ok
    data = json.loads(event["body"])  # ok
    return {"statusCode": 200, "body": json.dumps([config, data])}
