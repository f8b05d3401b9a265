# handlers: calculator apply_rules transform_stream safe_calc
import ast
import base64
import json


def calculator(event, context):
    params = event.get("queryStringParameters") or {}
    expression = params.get("expr", "1+1")
    if not expression:
        return {"statusCode": 400}
    result = eval(expression)  # expect: FG-INJ-012
    return {"statusCode": 200, "body": json.dumps({"result": result})}


def apply_rules(event, context):
    rules = json.loads(event["body"])["rules"]
    scope = {"total": 0}
    for rule in rules:
        code = compile(rule["python"], "<rule>", "exec")  # expect: FG-INJ-012
        exec(code, scope)  # expect: FG-INJ-012
    return scope["total"]


def transform_stream(event, context):
    outputs = []
    for record in event["Records"]:
        payload = json.loads(base64.b64decode(record["kinesis"]["data"]))
        fn = eval("lambda row: " + payload["transform"])  # expect: FG-INJ-012
        outputs.append(fn(payload["row"]))
    return outputs


def safe_calc(event, context):
    raw = event["queryStringParameters"]["values"]
    values = ast.literal_eval(raw)  # ok
    total = eval("sum(values)", {"values": [int(v) for v in values]})  # ok
    return {"statusCode": 200, "body": str(total)}
