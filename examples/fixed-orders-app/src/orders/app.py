"""Create and fetch orders."""

import json
import logging
import os

import boto3
import pymysql

logger = logging.getLogger()
logger.setLevel(logging.INFO)

SECRETS = boto3.client("secretsmanager")
TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
CREDENTIALS = json.loads(SECRETS.get_secret_value(SecretId=os.environ["PAYMENT_SECRET_ARN"])["SecretString"])
CONNECTION = pymysql.connect(
    host=os.environ.get("DB_HOST", "localhost"),
    user=CREDENTIALS["username"],
    password=CREDENTIALS["password"],
    database="orders",
)


def lambda_handler(event, context):
    logger.info("create order", extra={"request_id": context.aws_request_id})
    body = json.loads(event["body"])
    customer = body["customer"]
    with CONNECTION.cursor() as cursor:
        cursor.execute("SELECT * FROM orders WHERE customer = %s", (customer,))
        rows = cursor.fetchall()
    TABLE.put_item(Item={"id": body["id"], "customer": customer})
    return {"statusCode": 200, "body": json.dumps({"orders": len(rows)})}
