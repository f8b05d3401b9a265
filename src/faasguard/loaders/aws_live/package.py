"""Download a deployment package (or layer) and unpack it safely, for ``audit --with-code``.

A package from an account is untrusted input. It is read, never run: members with an
absolute path, a drive letter or ``..`` are refused, symbolic links and special files are
skipped (not created, so nothing can point outside the folder), sizes are counted from
the bytes actually inflated (not the sizes the archive claims), and files are written
without execute bits.
"""

from __future__ import annotations

import os
import shutil
import stat
import urllib.request
import zipfile
from pathlib import Path, PurePosixPath

MAX_DOWNLOAD_BYTES = 100 * 2**20  # zipped; Lambda allows 50 MB direct uploads and 250 MB unzipped from S3
MAX_MEMBERS = 50_000
_CHUNK = 1 << 16


class PackageError(Exception):
    """The package could not be fetched or unpacked; the message is a sentence for the user."""


def function_dir(base: Path, arn: str) -> Path:
    """Where a package is unpacked: its ARN, so findings in its files carry the ARN in their path."""
    name = arn.replace(":", "_") if os.name == "nt" else arn
    return base / name.replace("/", "_")


def download_and_unpack(url: str, dest: Path, max_bytes: int) -> int:
    """Fetch ``url`` (the presigned location Lambda returns) and unpack it into ``dest``; files written."""
    if not url.lower().startswith(("https://", "http://")):
        raise PackageError("the code location is not an HTTP(S) URL")
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest.with_name(dest.name + ".zip")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, archive.open("wb") as out:  # the scheme is checked above
            total = 0
            while chunk := response.read(_CHUNK):
                total += len(chunk)
                if total > MAX_DOWNLOAD_BYTES:
                    raise PackageError(f"the package is over {MAX_DOWNLOAD_BYTES // 2**20} MB zipped")
                out.write(chunk)
        return unpack(archive, dest, max_bytes)
    except OSError as exc:
        raise PackageError(f"download failed ({exc})") from None
    finally:
        archive.unlink(missing_ok=True)


def unpack(archive: Path, dest: Path, max_bytes: int) -> int:
    """Unpack a zip into ``dest`` safely; return the number of files written."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackageError(f"not a zip archive ({exc})") from None
    root = dest.resolve()
    written, total = 0, 0
    with zf:
        members = zf.infolist()
        if len(members) > MAX_MEMBERS:
            raise PackageError(f"the package has {len(members)} entries, over the limit of {MAX_MEMBERS}")
        for info in members:
            target = _target(root, info.filename)
            mode = info.external_attr >> 16
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            if stat.S_IFMT(mode) and not stat.S_ISREG(mode):
                continue  # a symbolic link or a device: never created (no type bits: a plain file from a zip tool)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, target.open("wb") as out:
                    while chunk := src.read(_CHUNK):
                        total += len(chunk)
                        if total > max_bytes:
                            raise PackageError(f"the package unpacks to more than {max_bytes // 2**20} MB")
                        out.write(chunk)
            except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as exc:
                raise PackageError(f"{info.filename}: cannot be unpacked ({exc})") from None
            target.chmod(0o644)
            written += 1
    return written


def _target(root: Path, name: str) -> Path:
    """The path a member is written to, or :class:`PackageError` if it would leave ``root``."""
    text = name.replace("\\", "/")
    pure = PurePosixPath(text)
    if text.startswith("/") or (len(text) > 1 and text[1] == ":") or ".." in pure.parts or "\x00" in text:
        raise PackageError(f"the package has an unsafe path {name!r} (absolute or with ..); it was not unpacked")
    target = (root / pure).resolve()
    if target != root and root not in target.parents:
        raise PackageError(f"the package has a path {name!r} that leaves its folder; it was not unpacked")
    return target


def remove(dest: Path) -> None:
    shutil.rmtree(dest, ignore_errors=True)
