"""Admin maintenance endpoint (deliberately vulnerable)."""

import subprocess

import requests


def handler(event, context):
    params = event.get("queryStringParameters") or {}
    target = params["url"]
    report = requests.get(target).text
    subprocess.run("curl -s " + params["host"], shell=True, check=False)
    return {"statusCode": 200, "body": report}
