import json
import os
import urllib.request

USER_POOL = os.environ.get("USER_POOL_ID", "")


def lambda_handler(event, context):
    print(event)
    token = event["headers"].get("authorization", "")
    region = event["routeArn"].split(":")[3]
    keys_url = f"https://cognito-idp.{region}.amazonaws.com/{USER_POOL}/.well-known/jwks.json"
    with urllib.request.urlopen(keys_url) as response:
        keys = json.loads(response.read())["keys"]
    return {"isAuthorized": bool(token) and bool(keys)}
