# handlers: find_users scan_by_attr stream_sync query_orders
import json
import os

import boto3
from boto3.dynamodb.conditions import Key
from pymongo import MongoClient

client = MongoClient(os.environ["MONGO_URI"])
users = client["app"]["users"]
dynamodb = boto3.resource("dynamodb")
table = dynamodb.Table(os.environ["TABLE"])
ddb = boto3.client("dynamodb")


def find_users(event, context):
    body = json.loads(event["body"])
    docs = list(users.find(body["filter"]))  # expect: FG-INJ-016
    one = users.find_one({"username": body["username"], "password": body["password"]})  # expect: FG-INJ-016
    named = users.find_one({"username": str(body["username"])})  # ok
    return {"statusCode": 200, "body": json.dumps({"n": len(docs), "hit": bool(one), "named": bool(named)})}


def scan_by_attr(event, context):
    qs = event["queryStringParameters"]
    attr, value = qs["attr"], qs["value"]
    resp = table.scan(FilterExpression=f"{attr} = :v", ExpressionAttributeValues={":v": value})  # expect: FG-INJ-016
    safe = table.scan(FilterExpression="category = :v", ExpressionAttributeValues={":v": value})  # ok
    return {"items": resp["Items"] + safe["Items"]}


def stream_sync(event, context):
    for record in event["Records"]:
        if record["eventName"] != "INSERT":
            continue
        image = record["dynamodb"]["NewImage"]
        owner = image["owner"]["S"]
        ddb.update_item(  # expect: FG-INJ-016
            TableName="audit",
            Key={"pk": {"S": owner}},
            UpdateExpression="SET " + image["field"]["S"] + " = :t",
            ExpressionAttributeValues={":t": {"S": "touched"}},
        )


def query_orders(event, context):
    customer = event["requestContext"]["authorizer"]["claims"]["sub"]
    status = event["queryStringParameters"]["status"]
    resp = table.query(KeyConditionExpression=Key("pk").eq(customer) & Key("status").eq(status))  # ok
    return resp["Items"]
