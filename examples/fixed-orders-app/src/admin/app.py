"""Admin maintenance endpoint: reports table status."""

import logging
import os

import boto3

logger = logging.getLogger()
DYNAMODB = boto3.client("dynamodb")


def handler(event, context):
    table = DYNAMODB.describe_table(TableName=os.environ["TABLE_NAME"])["Table"]
    logger.info("table status %s", table["TableStatus"])
    return {"statusCode": 200, "body": table["TableStatus"]}
