# syntax=docker/dockerfile:1
# faasguard in a container, offline by default. Build it from a clone of this repository:
#   docker build -t faasguard .
# Scan the current directory (mounted read-only) with an advisory database mounted at /advisories
# (fill one with `faasguard advisories update --advisory-db DIR` on a machine with internet):
#   docker run --rm -v "$PWD:/src:ro" -v "$HOME/.cache/faasguard/advisories:/advisories:ro" faasguard
#   docker run --rm -v "$PWD:/src:ro" faasguard scan . --format sarif
# Without /advisories, every report says loudly that no dependency was checked.
#
# The base image is pinned to an exact Python release, not to a digest: Docker Hub rebuilds the
# python:3.13.7-slim tag when Debian ships security fixes, so a digest written here goes stale
# (public Dockerfiles pin at least five different digests for this tag), and without registry
# access from this repository's CI we cannot check which digest is current or that it is the
# multi-platform index rather than one platform's manifest. To pin one, resolve it yourself and
# pass it in; both stages use it:
#   docker buildx imagetools inspect python:3.13.7-slim --format '{{json .Manifest.Digest}}'
#   docker build --build-arg PYTHON_IMAGE=python:3.13.7-slim@sha256:<digest> -t faasguard .
ARG PYTHON_IMAGE=python:3.13.7-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY pyproject.toml README.md LICENSE constraints.txt ./
COPY src ./src
RUN python -m venv /opt/faasguard \
    && /opt/faasguard/bin/pip install -c constraints.txt .

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="faasguard" \
      org.opencontainers.image.description="Security scanner for serverless applications: IaC, function code, dependencies and live AWS accounts" \
      org.opencontainers.image.source="https://github.com/faasguard/faasguard" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 faasguard \
    && useradd --system --uid 10001 --gid faasguard --home-dir /home/faasguard --create-home \
       --shell /usr/sbin/nologin faasguard \
    && mkdir -p /advisories /src
COPY --from=build /opt/faasguard /opt/faasguard
ENV PATH="/opt/faasguard/bin:$PATH" \
    FAASGUARD_ADVISORY_DB=/advisories \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
# The offline advisory database (OSV directory: <Ecosystem>/<ID>.json), mounted read-only.
VOLUME ["/advisories"]
WORKDIR /src
USER 10001:10001
ENTRYPOINT ["faasguard"]
CMD ["scan", "."]
