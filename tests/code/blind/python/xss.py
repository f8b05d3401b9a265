# handlers: greet search_page error_page safe_greet
import html
import json

HTML = {"Content-Type": "text/html; charset=utf-8"}


def greet(event, context):
    name = (event.get("queryStringParameters") or {}).get("name", "friend")
    return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": f"<h1>Hello {name}</h1>"}  # expect: FG-INJ-018


def search_page(event, context):
    q = event["queryStringParameters"]["q"]
    items = "".join("<li>{}</li>".format(part) for part in q.split(","))
    page = "<html><body><p>Results for " + q + "</p><ul>" + items + "</ul></body></html>"
    return {"statusCode": 200, "headers": HTML, "body": page}  # expect: FG-INJ-018


def error_page(event, context):
    path = event["rawPath"]
    response = {"statusCode": 404, "headers": {"content-type": "text/html"}}
    response["body"] = "<p>No page at %s</p>" % path
    return response  # expect: FG-INJ-018


def safe_greet(event, context):
    name = event["queryStringParameters"]["name"]
    body = f"<h1>Hello {html.escape(name)}</h1>"
    json_body = json.dumps({"hello": name})
    if event["queryStringParameters"].get("format") == "json":
        return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json_body}  # ok
    return {"statusCode": 200, "headers": {"Content-Type": "text/html"}, "body": body}  # ok
