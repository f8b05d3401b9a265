"""Packages installed into the scanned tree with ``pip install -t DIR``: their files are dependencies, not project code.

Lambda functions and layers are often built by installing their requirements into the folder that
gets zipped (a function's code directory, a layer's ``python/``). Each distribution pip installs there
leaves ``<name>-<version>.dist-info/`` (``METADATA``, ``RECORD``, ``top_level.txt``) or, from older
installers, ``<name>.egg-info/`` (``PKG-INFO``, ``installed-files.txt``, ``top_level.txt``) next to its
code. The dependency analyzer reads each distribution's name and version from its metadata file
(:mod:`faasguard.deps.installed_dist`); this module says which files the distributions installed, so
the scan hands the loaders and analyzers only the project's own files, and the code analyzer resolves
imports of them as third-party packages, as it does for ``site-packages``.

A discovered file belongs to a distribution when:

- its ``RECORD`` lists it with a hash (sha256, sha384 or sha512) that the file still matches: a listed
  file edited after the install, or listed without a hash, stays project code;
- else (no ``RECORD``) its ``installed-files.txt`` (egg-info) lists it;
- else its ``top_level.txt`` names the package folder or module the file is part of.

Only regular files inside the folder the distribution was installed into count (``../../bin/x``
entries and symbolic links do not), and the metadata file itself stays in the list: it is what the
dependency analyzer reads. Nothing here imports or runs the packages.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from faasguard import limits

METADATA_FILES = {".dist-info": "METADATA", ".egg-info": "PKG-INFO"}
# Where a Lambda layer's Python packages are installed below the layer's folder: python/ (the layout sam build
# makes) or python/lib/python3.X/site-packages/; the runtime puts both on sys.path.
_LAYER_PACKAGES = re.compile(r"(?:^|/)python(?:/lib/python\d+(?:\.\d+)?/site-packages)?$")
MAX_LIST_BYTES = 20 * 2**20  # a RECORD of a large package (botocore) is about 1 MB
MAX_HASHED_BYTES = limits.MAX_FILE_BYTES  # a larger file is not read by any analyzer either
_HASHES = ("sha256", "sha384", "sha512")
# Files no loader or analyzer reads (compressed data, compiled code, images): hashing them would only cost time
# (botocore ships 18 MB of .json.gz). Left unclaimed, they stay in the file list, where nothing reads them.
_NOT_READ = (".gz", ".bz2", ".xz", ".zip", ".whl", ".so", ".pyd", ".dll", ".dylib", ".pyc", ".png", ".jpg", ".jpeg",
             ".gif", ".ico", ".woff", ".woff2", ".ttf", ".mo")


def layer_of(folder: str) -> str | None:
    """The layer folder whose Python packages ``folder`` (a POSIX path, "" for the root) holds, or None when
    ``folder`` is not where a layer's packages are installed."""
    match = _LAYER_PACKAGES.search(folder)
    return folder[: match.start()] if match is not None else None


def metadata_folder(path: Path) -> bool:
    """Whether ``path`` is a distribution's metadata file: ``*.dist-info/METADATA`` or ``*.egg-info/PKG-INFO``."""
    for suffix, name in METADATA_FILES.items():
        if path.name == name and path.parent.name.endswith(suffix) and len(path.parent.name) > len(suffix):
            return True
    return False


def owned_files(files: Iterable[Path]) -> frozenset[Path]:
    """The files among ``files`` that a distribution installed into the tree installed (see the module docstring).

    ``files`` are the discovered files; a distribution's lists are read from among them, so a metadata folder
    that discovery skipped (``--exclude``, ``site-packages``) owns nothing."""
    listed = list(files)
    by_folder: dict[Path, dict[str, Path]] = {}
    for path in listed:
        if os.path.dirname(str(path)).endswith((".dist-info", ".egg-info")):  # as text: most scans have none
            by_folder.setdefault(path.parent, {})[path.name] = path
    if not by_folder:
        return frozenset()
    present = {str(path): path for path in listed}  # paths as text: a Path per RECORD row costs more than the hash
    owned: set[Path] = set()
    digests: dict[tuple[str, str], str | None] = {}
    for folder, members in by_folder.items():
        metadata = METADATA_FILES[".dist-info" if folder.name.endswith(".dist-info") else ".egg-info"]
        if metadata not in members:
            continue  # not a distribution's metadata folder (or one discovery did not see whole)
        target = str(folder.parent)
        if "RECORD" in members:
            owned.update(_recorded(members["RECORD"], target, present, digests))
        elif "installed-files.txt" in members:
            owned.update(_listed(members["installed-files.txt"], str(folder), target, present))
        elif "top_level.txt" in members:
            owned.update(_under_top_level(members["top_level.txt"], target, listed))
        owned.update(members.values())  # RECORD, WHEEL, LICENSE …: not project files
        owned.discard(members[metadata])  # but the dependency analyzer reads this one
    return frozenset(owned)


def _text(path: Path) -> str:
    try:
        return limits.read_text(path, MAX_LIST_BYTES, errors="replace")
    except (OSError, limits.LimitExceeded, limits.NotRegularFile):
        return ""


def _inside(target: str, entry: str, base: str | None = None) -> str | None:
    """``base / entry`` normalised, when it stays inside ``target``; else None."""
    if not entry or entry.startswith("/") or "\\" in entry or "\x00" in entry:
        return None
    path = os.path.normpath(os.path.join(base or target, entry))
    return path if path.startswith(target + os.sep) else None


def _rows(record: Path, target: str) -> Iterator[tuple[str, str, str]]:
    """``(path, algorithm, digest)`` of each ``RECORD`` row with a hash this module checks, for a path inside the
    install folder (RECORD paths are relative to it). RECORD itself, listed without a hash, is not among them."""
    for line in _text(record).splitlines():
        try:
            row = next(csv.reader([line]), [])
        except csv.Error:  # a field over csv's size limit: not a row an installer wrote
            continue
        if len(row) < 2 or "=" not in row[1]:
            continue
        algorithm, _, digest = row[1].partition("=")
        name = _inside(target, row[0])
        if name is not None and algorithm in _HASHES:
            yield name, algorithm, digest


def _recorded(
    record: Path, target: str, present: dict[str, Path], digests: dict[tuple[str, str], str | None]
) -> Iterable[Path]:
    """The files ``RECORD`` lists whose hash still matches. ``digests`` keeps each file's digest for the other
    RECORDs of the scan that list it."""
    checked: set[str] = set()  # a RECORD naming one big file a million times reads it once
    for name, algorithm, digest in _rows(record, target):
        path = present.get(name)
        if name in checked or path is None or path.name.endswith(_NOT_READ):
            continue
        checked.add(name)
        if (name, algorithm) not in digests:
            digests[(name, algorithm)] = _digest(path, algorithm)
        if digests[(name, algorithm)] == digest:
            yield path


def _digest(path: Path, algorithm: str) -> str | None:
    """The file's digest as RECORD writes it (urlsafe base64, no padding); None for a link or an unreadable file."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None  # a symbolic link is not what the installer wrote
        data = limits.read_bytes(path, MAX_HASHED_BYTES)
    except (OSError, limits.LimitExceeded, limits.NotRegularFile):
        return None
    return base64.urlsafe_b64encode(hashlib.new(algorithm, data).digest()).rstrip(b"=").decode("ascii")


def _listed(listing: Path, folder: str, target: str, present: dict[str, Path]) -> Iterable[Path]:
    """egg-info's ``installed-files.txt``: one path a line, relative to the egg-info folder."""
    for line in _text(listing).splitlines():
        name = _inside(target, line.strip(), folder)
        path = present.get(name) if name is not None else None
        if path is not None and not os.path.islink(path):
            yield path


def _under_top_level(top_level: Path, target: str, files: list[Path]) -> Iterable[Path]:
    """The files of the packages and modules ``top_level.txt`` names (``requests`` → ``requests/…``, ``six`` → ``six.py``)."""
    names = set()
    for line in _text(top_level).splitlines():
        name = line.strip()
        if name and all(part.isidentifier() for part in name.split("/")):
            names.add(tuple(name.split("/")))
    if not names:
        return
    prefix = target + os.sep
    for path in files:
        text = str(path)
        if not text.startswith(prefix) or os.path.islink(path):
            continue
        parts = tuple(text[len(prefix):].split(os.sep))
        folder = any(len(parts) > len(name) and parts[: len(name)] == name for name in names)
        module = len(parts) == 1 and (parts[0].split(".", 1)[0],) in names
        if folder or module:
            yield path


def current_of(folders: list[Path]) -> Path | None:
    """Of several metadata folders of one distribution in one install folder (``pip install -t DIR --upgrade``
    leaves the old ``.dist-info`` beside the new one, pypa/pip#13763), the one whose files are there: every file
    its ``RECORD`` hashes that exists still matches, and at least one does. None when not exactly one is."""
    current = []
    for folder in folders:
        checks = [_digest(Path(name), algorithm) == digest
                  for name, algorithm, digest in _rows(folder / "RECORD", str(folder.parent)) if os.path.lexists(name)]
        if checks and all(checks):
            current.append(folder)
    return current[0] if len(current) == 1 else None
