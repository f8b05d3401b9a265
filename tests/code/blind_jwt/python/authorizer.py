# handlers: authorize
from jose import jwt


def authorize(event, context):
    token = event["authorizationToken"].split(" ")[-1]
    claims = jwt.get_unverified_claims(token)  # expect: FG-INJ-004
    effect = "Allow" if claims.get("scope") == "orders:write" else "Deny"
    return {
        "principalId": claims["sub"],
        "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]},
    }
