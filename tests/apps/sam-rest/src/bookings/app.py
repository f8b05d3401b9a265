import json
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["BOOKINGS_TABLE"])


def lambda_handler(event, context):
    booking_id = event["pathParameters"]["bookingid"]
    if event["requestContext"]["http"]["method"] == "DELETE":
        table.delete_item(Key={"bookingid": booking_id})
        return {"statusCode": 204}
    body = json.loads(event["body"])
    table.put_item(Item={"bookingid": booking_id, **body})
    print("stored booking", booking_id)
    return {"statusCode": 200, "body": json.dumps(body)}
