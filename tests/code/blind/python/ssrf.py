# handlers: preview_link fetch_webhook mirror_image fetch_profile
import json
import urllib.request
from urllib.parse import urlparse

import httpx
import requests

ALLOWED_HOSTS = {"hooks.slack.com", "api.github.com"}


def preview_link(event, context):
    url = event["queryStringParameters"]["url"]
    resp = requests.get(url, timeout=5)  # expect: FG-INJ-014
    return {"statusCode": 200, "body": json.dumps({"title": resp.text[:100]})}


def fetch_webhook(event, context):
    body = json.loads(event["body"])
    callback = body["callback_url"]
    if urlparse(callback).hostname not in ALLOWED_HOSTS:
        return {"statusCode": 400, "body": "host not allowed"}
    requests.post(callback, json={"ok": True}, timeout=5)  # ok
    req = urllib.request.Request(body["status_url"], headers={"User-Agent": "bot"})  # expect: FG-INJ-014
    with urllib.request.urlopen(req, timeout=5) as r:
        return {"statusCode": r.status}


async def _download(url: str) -> bytes:
    async with httpx.AsyncClient() as client:
        r = await client.get(url)  # expect: FG-INJ-014
        return r.content


def mirror_image(event, context):
    import asyncio
    results = []
    for record in event["Records"]:
        message = json.loads(record["Sns"]["Message"])
        results.append(asyncio.run(_download(message["imageUrl"])))
    return len(results)


def fetch_profile(event, context):
    user_id = event["pathParameters"]["id"]
    r = requests.get(f"https://api.github.com/users/{user_id}", timeout=5)  # ok
    return {"statusCode": r.status_code, "body": r.text}
