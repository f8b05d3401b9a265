"""Create and fetch orders (deliberately vulnerable)."""

import json
import os

import boto3
import pymysql


def lambda_handler(event, context):
    print(event)
    secrets = boto3.client("secretsmanager")
    creds = json.loads(secrets.get_secret_value(SecretId="payment")["SecretString"])

    body = json.loads(event["body"])
    customer = body["customer"]
    conn = pymysql.connect(
        host=os.environ["DB_HOST"], user="orders", password=os.environ["DB_PASSWORD"], database="orders"
    )
    with conn.cursor() as cursor:
        cursor.execute("SELECT * FROM orders WHERE customer = '" + customer + "'")
        rows = cursor.fetchall()

    if body.get("export"):
        os.system("tar czf /tmp/export.tgz " + body["export"])

    table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
    table.put_item(Item={"id": body["id"], "customer": customer, "token": creds["password"]})
    return {"statusCode": 200, "body": json.dumps({"orders": len(rows)})}
