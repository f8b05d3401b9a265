import os

import boto3
from aws_lambda_powertools.event_handler.api_gateway import Router
from pymongo import MongoClient

router = Router()
users = MongoClient(os.environ["MONGO_URL"])["app"]["users"]
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


@router.post("/login")
def login():
    creds = router.current_event.json_body
    user = users.find_one({"email": creds["email"], "password": creds["password"]})  # expect: FG-INJ-016
    users.find_one({"email": str(creds["email"])})  # ok: FG-INJ-016
    return {"ok": user is not None}


@router.get("/search")
def search():
    expression = router.current_event.get_query_string_value("filter", "attribute_exists(pk)")
    result = table.scan(FilterExpression=expression)  # expect: FG-INJ-016
    return {"items": result["Items"]}
