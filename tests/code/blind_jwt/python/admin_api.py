# handlers: handler
import json

import jwt


def handler(event, context):
    token = event["headers"].get("authorization", "").removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})  # expect: FG-INJ-004
    if "admin" not in claims.get("cognito:groups", []):
        return {"statusCode": 403, "body": "forbidden"}
    return {"statusCode": 200, "body": json.dumps({"user": claims["sub"]})}
