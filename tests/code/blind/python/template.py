# handlers: render_email preview safe_render
import json

from jinja2 import Environment, Template

env = Environment()
WELCOME = "Hello {{ name }}, welcome!"


def render_email(event, context):
    for record in event["Records"]:
        msg = json.loads(record["body"])
        subject = Template(msg["subject_template"]).render(user=msg["user"])  # expect: FG-INJ-017
        print(subject)


def preview(event, context):
    body = json.loads(event["body"])
    tpl = env.from_string(body["template"])  # expect: FG-INJ-017
    return {"statusCode": 200, "body": tpl.render(**body.get("vars", {}))}


def safe_render(event, context):
    name = event["queryStringParameters"]["name"]
    return {"statusCode": 200, "body": Template(WELCOME).render(name=name)}  # ok
