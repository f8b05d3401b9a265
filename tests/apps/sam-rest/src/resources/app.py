import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["LOCATIONS_TABLE"])


def lambda_handler(event, context):
    location_id = event["pathParameters"]["locationid"]
    item = table.get_item(Key={"locationid": location_id}).get("Item") or {}
    print("resources of", location_id)
    return {"statusCode": 200, "body": json.dumps(item.get("resources", []))}
