# handlers: handler
import os

import jwt

jwks = jwt.PyJWKClient(os.environ["JWKS_URL"])


def handler(event, context):
    token = event["headers"]["authorization"].split()[-1]
    key = jwks.get_signing_key_from_jwt(token).key
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=os.environ["AUDIENCE"])  # ok: FG-INJ-004
    return {"statusCode": 200, "body": claims["sub"]}
