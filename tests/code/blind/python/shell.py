# handlers: make_thumbnails clone_repo ping_handler run_report sync_tool
import json
import os
import shlex
import subprocess

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
s3 = boto3.client("s3")
ALLOWED_FORMATS = {"png", "jpg", "webp"}


def make_thumbnails(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = record["s3"]["object"]["key"]
        local = "/tmp/" + os.path.basename(key)
        s3.download_file(bucket, key, local)  # ok: FG-INJ-015
        subprocess.run(["convert", local, "-resize", "200x200", local + ".png"], check=True)  # ok
        os.system("convert /tmp/%s -strip /tmp/out.jpg" % key)  # expect: FG-INJ-011
    return {"done": True}


def clone_repo(event, context):
    body = json.loads(event["body"])
    repo_url = body.get("repository")
    branch = body.get("branch", "main")
    target = "/tmp/checkout"
    try:
        out = subprocess.check_output(f"git clone --depth 1 -b {branch} {repo_url} {target}", shell=True)  # expect: FG-INJ-011
    except subprocess.CalledProcessError as exc:
        logger.error("clone failed %s", exc)
        return {"statusCode": 500, "body": "clone failed"}
    subprocess.run(["git", "-C", target, "log", "-1"], check=False)  # ok
    return {"statusCode": 200, "body": out.decode()}


@logger.inject_lambda_context
def ping_handler(event: dict, context: LambdaContext) -> dict:
    host = (event.get("queryStringParameters") or {}).get("host", "localhost")
    count = int(event["queryStringParameters"].get("count", "3"))
    proc = subprocess.Popen("ping -c {} {}".format(count, host), shell=True, stdout=subprocess.PIPE)  # expect: FG-INJ-011
    quoted = shlex.quote(host)
    subprocess.call("ping -c 1 " + quoted, shell=True)  # ok
    subprocess.call(f"ping -c {count} localhost", shell=True)  # ok
    return {"statusCode": 200, "body": proc.communicate()[0].decode()}


class ReportRunner:
    def __init__(self, workdir="/tmp"):
        self.workdir = workdir

    def render(self, report_name, fmt):
        if fmt not in ALLOWED_FORMATS:
            raise ValueError("bad format")
        cmd = " ".join(["report-cli", "--name", report_name, "--format", fmt, "--out", self.workdir])
        return subprocess.run(cmd, shell=True, capture_output=True)  # expect: FG-INJ-011


runner = ReportRunner()


def run_report(event, context):
    detail = event["detail"]
    return runner.render(detail["reportName"], detail.get("format", "png")).returncode


def sync_tool(event, context):
    results = []
    for rec in event["Records"]:
        msg = json.loads(rec["body"])
        tool = msg["tool"]
        args = msg.get("args", [])
        results.append(subprocess.run(["bash", "-c", tool + " " + " ".join(args)], capture_output=True))  # expect: FG-INJ-011
        os.spawnlp(os.P_WAIT, tool, tool, "--version")  # expect: FG-INJ-011
    return {"count": len(results)}
