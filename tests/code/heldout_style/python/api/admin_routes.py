import subprocess

from aws_lambda_powertools.event_handler.api_gateway import Router

router = Router()


@router.post("/rotate/<service>")
def rotate(service: str):
    reason = router.current_event.json_body.get("reason", "")
    subprocess.run("rotate-keys --service " + service + " --reason '" + reason + "'", shell=True)  # expect: FG-INJ-011
    subprocess.run(["rotate-keys", "--service", service, "--reason", reason])  # ok: FG-INJ-011
    return {"rotated": service}


@router.get("/logs")
def logs():
    day = router.current_event.query_string_parameters["day"]
    with open("/tmp/logs/" + day + ".log") as fh:  # expect: FG-INJ-015
        return {"lines": fh.readlines()}
