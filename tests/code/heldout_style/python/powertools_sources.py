# handlers: s3_handler sqs_handler api_handler parsed_handler parse_inside ddb_stream
# Powertools event source data classes and the parser (pydantic models) instead of raw dicts.
import json
import os
import subprocess
import tarfile

import boto3
import pymysql
from aws_lambda_powertools.utilities.data_classes import (
    APIGatewayProxyEvent,
    DynamoDBStreamEvent,
    S3Event,
    SQSEvent,
    event_source,
)
from aws_lambda_powertools.utilities.parser import BaseModel, event_parser, parse
from aws_lambda_powertools.utilities.parser.models import SqsModel

s3 = boto3.client("s3")
db = pymysql.connect(host=os.environ["DB_HOST"], user="app", password=os.environ["DB_PASSWORD"], database="app")


class Order(BaseModel):
    order_id: str
    note: str
    quantity: int


@event_source(data_class=S3Event)
def s3_handler(event: S3Event, context):
    bucket = event.bucket_name
    for record in event.records:
        key = record.s3.get_object.key
        local = f"/tmp/{key}"
        s3.download_file(bucket, key, local)  # expect: FG-INJ-015
        subprocess.run(["sh", "-c", f"gunzip {local}"], check=True)  # expect: FG-INJ-011
        with tarfile.open(local) as archive:  # expect: FG-INJ-015
            archive.extractall("/tmp/out")
        subprocess.run(["gunzip", "--", local], check=True)  # ok: FG-INJ-011


@event_source(data_class=SQSEvent)
def sqs_handler(event: SQSEvent, context):
    with db.cursor() as cur:
        for record in event.records:
            msg = record.json_body
            cur.execute("UPDATE jobs SET state = '%s' WHERE id = %s" % (msg["state"], msg["id"]))  # expect: FG-INJ-010
            cur.execute("UPDATE jobs SET state = %s WHERE id = %s", (msg["state"], msg["id"]))  # ok: FG-INJ-010


@event_source(data_class=APIGatewayProxyEvent)
def api_handler(event: APIGatewayProxyEvent, context):
    user = event.path_parameters["user"]
    fmt = event.get_query_string_value("format", "csv")
    os.system("export-user " + user + " --format " + fmt)  # expect: FG-INJ-011
    os.system("export-user --id " + str(int(user)))  # ok: FG-INJ-011
    return {"statusCode": 202}


@event_parser(model=Order)
def parsed_handler(event: Order, context):
    with db.cursor() as cur:
        cur.execute(f"INSERT INTO notes (order_id, note) VALUES ('{event.order_id}', '{event.note}')")  # expect: FG-INJ-010
        cur.execute(f"UPDATE orders SET qty = {event.quantity} WHERE id = 1")  # ok: FG-INJ-010
    return {"statusCode": 200}


def parse_inside(event, context):
    parsed = parse(event=event, model=SqsModel)
    for record in parsed.Records:
        order = Order(**json.loads(record.body))
        os.system(f"notify --order {order.order_id}")  # expect: FG-INJ-011
        os.system(f"notify --count {order.quantity}")  # ok: FG-INJ-011


@event_source(data_class=DynamoDBStreamEvent)
def ddb_stream(event: DynamoDBStreamEvent, context):
    for record in event.records:
        image = record.dynamodb.new_image
        email = image.get("email")
        subprocess.check_output(f"mail-sync {email}", shell=True)  # expect: FG-INJ-011
