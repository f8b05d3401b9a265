import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["LOCATIONS_TABLE"])


def lambda_handler(event, context):
    location_id = (event.get("pathParameters") or {}).get("locationid")
    if location_id:
        item = table.get_item(Key={"locationid": location_id}).get("Item")
        return {"statusCode": 200 if item else 404, "body": json.dumps(item)}
    items = table.scan().get("Items", [])
    print(f"returning {len(items)} locations")
    return {"statusCode": 200, "body": json.dumps(items)}
