"""Audit speed: an emulated account with N functions in each of R regions, on moto's server.

moto runs as its own process on 127.0.0.1 (so the audit does not share an interpreter lock
with the emulator), the account is created with boto3, then ``faasguard audit`` runs as a
user runs it (a subprocess: start-up, all collectors, rules, JSON report) and wall time is
measured. IAM last-accessed data is left out (``--no-last-accessed``): moto does not
implement it.

    python bench/audit_bench.py [--functions 200] [--regions us-east-1,eu-west-1,ap-southeast-2] [--workers 10]

Every function has a role (20 roles shared), environment variables, a log group (half of
them with retention), and every tenth an alarm, a resource policy for S3 and a REST API route.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ACCOUNT = "123456789012"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto server did not start")


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) the emulator process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def create_account(functions: int, regions: list[str]) -> None:
    import boto3

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("app.py", "def handler(event, context):\n    return 1\n")
    code = buf.getvalue()
    iam = boto3.client("iam", region_name="us-east-1")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
    roles = []
    for i in range(20):
        arn = iam.create_role(RoleName=f"bench-role-{i}", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
        data = {"Effect": "Allow", "Action": ["dynamodb:*", "s3:GetObject"], "Resource": "*"}
        iam.put_role_policy(RoleName=f"bench-role-{i}", PolicyName="data",
                            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [data]}))
        iam.attach_role_policy(RoleName=f"bench-role-{i}",
                               PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
        roles.append(arn)

    def region_setup(region: str) -> None:
        lam = boto3.client("lambda", region_name=region)
        logs = boto3.client("logs", region_name=region)
        cw = boto3.client("cloudwatch", region_name=region)
        apigw = boto3.client("apigateway", region_name=region)
        api = apigw.create_rest_api(name="bench-api")["id"]
        root = apigw.get_resources(restApiId=api)["items"][0]["id"]

        def one(i: int) -> None:
            name = f"fn-{i:03d}"
            token = {"API_TOKEN": "ghp_" + "a1B2" * 9} if i % 25 == 0 else {}
            arn = lam.create_function(
                FunctionName=name, Runtime="python3.12" if i % 7 else "python3.8", Role=roles[i % len(roles)],
                Handler="app.handler", Code={"ZipFile": code}, MemorySize=256, Timeout=10,
                Environment={"Variables": {"STAGE": "prod", "TABLE": f"t{i}", **token}},
            )["FunctionArn"]
            logs.create_log_group(logGroupName=f"/aws/lambda/{name}")
            if i % 2:
                logs.put_retention_policy(logGroupName=f"/aws/lambda/{name}", retentionInDays=30)
            if i % 10 == 0:
                cw.put_metric_alarm(AlarmName=f"{name}-errors", Namespace="AWS/Lambda", MetricName="Errors", Statistic="Sum",
                                    Period=60, EvaluationPeriods=1, Threshold=1, ComparisonOperator="GreaterThanThreshold",
                                    Dimensions=[{"Name": "FunctionName", "Value": name}])
                lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                                   Principal="s3.amazonaws.com", SourceAccount=ACCOUNT)
                res = apigw.create_resource(restApiId=api, parentId=root, pathPart=name)["id"]
                apigw.put_method(restApiId=api, resourceId=res, httpMethod="GET", authorizationType="NONE")
                apigw.put_integration(restApiId=api, resourceId=res, httpMethod="GET", type="AWS_PROXY",
                                      integrationHttpMethod="POST",
                                      uri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations")

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(one, range(functions)))
        apigw.create_deployment(restApiId=api, stageName="prod")
        sm = boto3.client("secretsmanager", region_name=region)
        for i in range(10):
            sm.create_secret(Name=f"bench/secret-{i}", SecretString="x")

    for region in regions:
        region_setup(region)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--functions", type=int, default=200, help="functions per region")
    parser.add_argument("--regions", default="us-east-1,eu-west-1,ap-southeast-2")
    parser.add_argument("--workers", type=int, default=10)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args(argv)
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": regions[0],
                       "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"})
    proc, url = start_moto()
    os.environ["AWS_ENDPOINT_URL"] = url
    try:
        started = time.perf_counter()
        create_account(args.functions, regions)
        print(f"created {args.functions} functions in each of {len(regions)} regions in {time.perf_counter() - started:.1f} s")
        region_args = [a for r in regions for a in ("--region", r)]
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "audit.json"
            for run in range(args.runs):
                started = time.perf_counter()
                cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
                server_before = server_cpu(proc.pid)
                code = subprocess.run(
                    [sys.executable, "-m", "faasguard", "audit", *region_args, "--no-last-accessed", "--quiet",
                     "--workers", str(args.workers), "--format", "json", "-o", str(out), "--fail-on", "none"],
                    check=False,
                ).returncode
                wall = time.perf_counter() - started
                cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = cpu_after.ru_utime + cpu_after.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
                server = server_cpu(proc.pid) - server_before
                doc: dict[str, Any] = json.loads(out.read_text())
                rules: dict[str, int] = {}
                for f in doc["findings"]:
                    rules[f["rule_id"]] = rules.get(f["rule_id"], 0) + 1
                print(f"run {run + 1}: exit {code}, wall {wall:.2f} s, {doc['scanned']['functions']} functions, "
                      f"{doc['scanned']['files']} resources, {len(doc['findings'])} findings, {len(doc['errors'])} errors; "
                      f"CPU: audit {cpu:.1f} s, emulator {server:.1f} s; load average {os.getloadavg()[0]:.1f}")
            print("findings by rule:", ", ".join(f"{k} {v}" for k, v in sorted(rules.items())))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
