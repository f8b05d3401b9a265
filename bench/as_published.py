"""Copy a tree and give back the ``*.dist-info`` folders its Lambda layers had as published.

    python bench/as_published.py SOURCE_DIR OUT_DIR

``pip install -t layer/python`` leaves ``<name>-<version>.dist-info/`` (``METADATA``,
``RECORD``) beside each package it installs. The shared corpus was taken without
``*.dist-info/`` folders (its README's selection rules), so its copy of serverless-patterns
has 333 distinct library files (botocore, boto3, urllib3, pika, ...) in layer ``python/``
folders with nothing that says they were installed, while the repository itself has them
(e.g. ``eventbridge-lambda-fsx-openzfs-periodic-replication/dependencies/python/
boto3-1.29.7.dist-info/RECORD``). faasguard scans such files as project code, as it must when
nothing proves otherwise.

This script writes, for the distributions installed in the three layers whose folders hold
dist-info folders in the repository (``PUBLISHED`` below; its file listing shows e.g.
``boto3-1.28.57.dist-info``, ``urllib3-1.26.16.dist-info``, ``requests-2.28.2.dist-info``; the
versions are those of the files in the corpus), the two files pip writes: ``METADATA`` and a
``RECORD`` with each file's sha256, as pip computes it. A layer with no dist-info in the listing
(``lambda-layer/dependencies/python``) and a handler in a ``python/`` folder
(``terraform-fixtures/python/index.py``) are left as they are. A scan of OUT_DIR is then a scan of
those layers as their authors committed them: a benchmark figure for real layouts, next to (never
instead of) the figure on the corpus copy. Nothing is imported or run.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import shutil
from pathlib import Path

# layer folder (below the serverless-patterns root) -> (distribution, version, its top-level packages and modules)
PUBLISHED: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "eventbridge-lambda-fsx-openzfs-periodic-replication/dependencies/python": [
        ("boto3", "1.29.7", ("boto3",)),
        ("botocore", "1.32.7", ("botocore",)),
        ("jmespath", "1.0.1", ("jmespath",)),
        ("python_dateutil", "2.8.2", ("dateutil",)),
        ("s3transfer", "0.8.0", ("s3transfer",)),
        ("six", "1.16.0", ("six.py",)),
        ("urllib3", "2.0.7", ("urllib3",)),
    ],
    "lambda-bedrock-cdk/lambda-layer/resources/layers/bedrock-layer/python": [
        ("boto3", "1.28.57", ("boto3",)),
        ("botocore", "1.31.57", ("botocore",)),
        ("jmespath", "1.0.1", ("jmespath",)),
        ("python_dateutil", "2.8.2", ("dateutil",)),
        ("s3transfer", "0.7.0", ("s3transfer",)),
        ("six", "1.16.0", ("six.py",)),
        ("urllib3", "1.26.16", ("urllib3",)),
    ],
    "lambda-esm-rabbitmq-filters-sam/dependencies/python": [
        ("certifi", "2022.12.7", ("certifi",)),
        ("charset_normalizer", "3.0.1", ("charset_normalizer",)),
        ("idna", "3.4", ("idna",)),
        ("pika", "1.3.1", ("pika",)),
        ("requests", "2.28.2", ("requests",)),
        ("urllib3", "1.26.14", ("urllib3",)),
    ],
}


def restore(out: Path) -> int:
    """Write the dist-info folders of :data:`PUBLISHED` under ``out`` (a copy of serverless-patterns); returns
    how many."""
    written = 0
    for folder, distributions in PUBLISHED.items():
        layer = out / folder
        if not layer.is_dir():
            continue
        for name, version, tops in distributions:
            files: list[Path] = []
            for top in tops:
                path = layer / top
                files += [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
            if not files:
                continue
            info = layer / f"{name}-{version}.dist-info"
            info.mkdir(exist_ok=True)
            (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
            rows = [f"{f.relative_to(layer).as_posix()},sha256={_digest(f)},{f.stat().st_size}" for f in files]
            rows += [f"{info.name}/METADATA,,", f"{info.name}/RECORD,,"]
            (info / "RECORD").write_text("\n".join(rows) + "\n")
            written += 1
    return written


def _digest(path: Path) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(path.read_bytes()).digest()).rstrip(b"=").decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    shutil.copytree(args.source, args.out, symlinks=True)
    print(f"{restore(args.out)} dist-info folders written under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
