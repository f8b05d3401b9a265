# handlers: save_upload fetch_preview query_ids partiql render_note fetch_async legacy_format decode_token
# More plain handlers: nested .get() chains, parse_qs forms, multi-value parameters, async clients, PartiQL.
import asyncio
import json
import os
import urllib.parse

import aiohttp
import boto3
import jinja2
import jwt
import psycopg2
import urllib3

http = urllib3.PoolManager()
ddb = boto3.client("dynamodb")
pg = psycopg2.connect(os.environ["DATABASE_URL"])
env = jinja2.Environment(autoescape=True)


def save_upload(event, context):
    body = event.get("body") or "{}"
    payload = json.loads(body)
    name = payload.get("filename", "upload.bin")
    with open(f"/tmp/{name}", "wb") as fh:  # expect: FG-INJ-015
        fh.write(payload.get("content", "").encode())
    with open(os.path.join("/tmp", os.path.basename(name)), "wb") as fh:  # ok: FG-INJ-015
        fh.write(b"")
    return {"statusCode": 201}


def fetch_preview(event, context):
    url = event.get("queryStringParameters", {}).get("url")
    resp = http.request("GET", url, timeout=3.0)  # expect: FG-INJ-014
    http.request("GET", "https://preview.example.com/render", fields={"u": url})  # ok: FG-INJ-014
    return {"statusCode": 200, "body": resp.data.decode()}


def query_ids(event, context):
    ids = event["multiValueQueryStringParameters"]["id"]
    form = urllib.parse.parse_qs(event["body"])
    region = form["region"][0]
    with pg.cursor() as cur:
        cur.execute("SELECT * FROM items WHERE id IN (" + ",".join(ids) + ")")  # expect: FG-INJ-010
        cur.execute("SELECT * FROM items WHERE region = '{}'".format(region))  # expect: FG-INJ-010
        cur.execute("SELECT * FROM items WHERE id = ANY(%s)", (ids,))  # ok: FG-INJ-010
        return cur.fetchall()


def partiql(event, context):
    owner = json.loads(event["body"])["owner"]
    ddb.execute_statement(Statement=f"SELECT * FROM orders WHERE owner = '{owner}'")  # expect: FG-INJ-016
    ddb.execute_statement(Statement="SELECT * FROM orders WHERE owner = ?", Parameters=[{"S": owner}])  # ok: FG-INJ-016


def render_note(event, context):
    note = json.loads(event["body"])["note"]
    page = env.from_string("<p>" + note + "</p>").render()  # expect: FG-INJ-017
    page += env.from_string("<p>{{ note }}</p>").render(note=note)  # ok: FG-INJ-017
    return {"statusCode": 200, "body": page}


async def _fetch(url):
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:  # expect: FG-INJ-014
            return await resp.text()


def fetch_async(event, context):
    target = event["detail"]["callback_url"]
    return asyncio.run(_fetch(target))


def legacy_format(event, context):
    user = event["pathParameters"]["user"]
    cur = pg.cursor()
    cur.execute("SELECT * FROM accounts WHERE name = '%(u)s'" % {"u": user})  # expect: FG-INJ-010
    cur.execute("SELECT * FROM accounts WHERE name = %(u)s", {"u": user})  # ok: FG-INJ-010


def decode_token(event, context):
    token = event["headers"]["authorization"].split(" ")[-1]
    claims = jwt.decode(token, options={"verify_signature": False})
    tenant = claims["tenant"]
    cur = pg.cursor()
    cur.execute(f"SET search_path TO {tenant}")  # expect: FG-INJ-010
    return {"statusCode": 200}
