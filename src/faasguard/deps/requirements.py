"""pip requirements files: ``requirements*.txt`` with ``-r``/``-c`` includes, hashes, extras and markers.

Each logical line (after joining ``\\`` continuations and dropping comments) is a
pip option, an editable or URL install, or a PEP 508 requirement parsed with
``packaging``. A requirement counts as pinned only when its specifier is a single
``==`` (without a wildcard) or ``===``. Included files are read too, relative to
the including file, with a depth limit against include cycles.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import replace
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement

from faasguard import limits
from faasguard.deps.interface import Dependency, Manifest, Origin

MAX_INCLUDE_DEPTH = 10
_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
# A comment starts at a "#" at the line start or after whitespace. Found without a leading ``\s+``, which
# would retry a run of 100k spaces from each of its positions (quadratic).
_COMMENT = re.compile(r"(?:^|(?<=\s))#")
_OPTION = re.compile(r"\s--?[a-zA-Z]")
_DEV_FILE = re.compile(r"^requirements[-_.]?(dev|test|tests|testing|lint|docs?|ci|local)\b")
_URL_SCHEMES = ("git+", "hg+", "svn+", "bzr+", "http://", "https://", "file:")


def exact_version(req: Requirement) -> str | None:
    """The one version a specifier allows, or None when it allows a range."""
    specs = list(req.specifier)
    if len(specs) != 1:
        return None
    spec = specs[0]
    if spec.operator == "===" or (spec.operator == "==" and not spec.version.endswith(".*")):
        return spec.version
    return None


def _origin(url: str) -> Origin:
    lower = url.lower()
    if lower.startswith(("git+", "hg+", "svn+", "bzr+")) or lower.endswith(".git"):
        return "git"
    if lower.startswith(("http://", "https://")):
        return "url"
    return "path"


class RequirementsSource:
    kind = "requirements"
    reads_other_files = True  # -r/-c includes

    def wants(self, filename: str) -> bool:
        return (filename.startswith("requirements") and filename.endswith(".txt")) or filename == "requirements.in"

    def parse(self, path: Path, text: str, rel: str) -> Manifest:
        deps: list[Dependency] = []
        includes: list[str] = []
        warnings: list[str] = []
        self._parse_into(path, text, rel, rel, deps, includes, warnings, depth=0, seen={rel})
        if _DEV_FILE.search(path.name.lower()):
            deps = [replace(d, dev=True) for d in deps]
        return Manifest(rel, self.kind, "PyPI", False, tuple(deps), tuple(includes), tuple(warnings))

    def _parse_into(
        self,
        path: Path,
        text: str,
        rel: str,
        top: str,
        deps: list[Dependency],
        includes: list[str],
        warnings: list[str],
        depth: int,
        seen: set[str],
    ) -> None:
        file = None if rel == top else rel
        for line_no, line in _logical_lines(text):
            if line.startswith("-"):
                self._option(path, line, line_no, rel, top, deps, includes, warnings, depth, seen, file)
                continue
            dep = _requirement(line, line_no, file, warnings, rel)
            if dep is not None:
                deps.append(dep)

    def _option(
        self,
        path: Path,
        line: str,
        line_no: int,
        rel: str,
        top: str,
        deps: list[Dependency],
        includes: list[str],
        warnings: list[str],
        depth: int,
        seen: set[str],
        file: str | None,
    ) -> None:
        try:
            parts = shlex.split(line, comments=False, posix=True)
        except ValueError:
            parts = line.split()
        if not parts:
            return
        flag, _, inline = parts[0].partition("=")
        value = inline or (parts[1] if len(parts) > 1 else "")
        if flag in ("-r", "--requirement", "-c", "--constraint"):
            if not value:
                warnings.append(f"{rel}:{line_no}: {flag} without a file name")
                return
            constraint = flag in ("-c", "--constraint")
            self._include(path, value, line_no, rel, top, deps, includes, warnings, depth, seen, constraint)
        elif flag in ("-e", "--editable"):
            dep = _url_requirement(value, line_no, file, editable=True)
            if dep is not None:
                deps.append(dep)
        # Other options (--index-url, --hash on its own line, --no-binary …) do not declare packages.

    def _include(
        self,
        path: Path,
        value: str,
        line_no: int,
        rel: str,
        top: str,
        deps: list[Dependency],
        includes: list[str],
        warnings: list[str],
        depth: int,
        seen: set[str],
        constraint: bool,
    ) -> None:
        if value.startswith(("http://", "https://")):
            warnings.append(f"{rel}:{line_no}: remote include {value} is not fetched; its packages are not audited")
            return
        inc_rel = posixpath.normpath(posixpath.join(posixpath.dirname(rel), value))
        if inc_rel in seen or depth >= MAX_INCLUDE_DEPTH:
            return
        inc_path = (path.parent / value)
        root = path.parents[len(PurePosixPath(rel).parts) - 1]  # ``path`` is the root joined with ``rel``
        if not limits.inside(inc_path, root):
            warnings.append(f"{rel}:{line_no}: {limits.outside_message(limits.display(inc_path, root), 'included file')}")
            return
        try:
            inc_text = limits.read_text(inc_path, limits.MAX_FILE_BYTES)
        except limits.LimitExceeded as exc:
            warnings.append(f"{rel}:{line_no}: included file {value}: {exc}")
            return
        except (OSError, UnicodeDecodeError) as exc:
            warnings.append(f"{rel}:{line_no}: included file {value} could not be read ({type(exc).__name__})")
            return
        includes.append(inc_rel)
        if constraint:
            # Constraints pin versions of packages declared elsewhere; they declare nothing themselves.
            return
        self._parse_into(inc_path, inc_text, inc_rel, top, deps, includes, warnings, depth + 1, seen | {inc_rel})


def _logical_lines(text: str) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    buffer = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        comment = _COMMENT.search(raw)
        line = (raw[: comment.start()] if comment else raw).rstrip()
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        if buffer.strip():
            out.append((start, buffer.strip()))
        buffer = ""
    if buffer.strip():
        out.append((start, buffer.strip()))
    return out


def _split_hashes(line: str) -> tuple[str, bool]:
    hashed = "--hash" in line
    # Per-requirement options follow the requirement: "name==1.0 --hash=sha256:… --config-settings …"
    # (one whitespace character, not ``\s+``: a run of 100k spaces would be retried from each position)
    option = _OPTION.search(line)
    head = line[: option.start()] if option else line
    return head.strip(), hashed


def _requirement(line: str, line_no: int, file: str | None, warnings: list[str], rel: str) -> Dependency | None:
    text, hashed = _split_hashes(line)
    if text.lower().startswith(_URL_SCHEMES) or text.startswith((".", "/")):
        return _url_requirement(text, line_no, file, editable=False, hashed=hashed)
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        warnings.append(f"{rel}:{line_no}: not a valid requirement ({str(exc).splitlines()[0]})")
        return None
    if req.url:
        return Dependency(
            req.name, "PyPI", None, None, line_no, file, origin=_origin(req.url), url=req.url,
            hashed=hashed, extras=tuple(sorted(req.extras)), marker=str(req.marker) if req.marker else None,
        )
    return Dependency(
        req.name,
        "PyPI",
        version=exact_version(req),
        spec=str(req.specifier) or None,
        line=line_no,
        file=file,
        hashed=hashed,
        extras=tuple(sorted(req.extras)),
        marker=str(req.marker) if req.marker else None,
    )


def _url_requirement(
    value: str, line_no: int, file: str | None, editable: bool, hashed: bool = False
) -> Dependency | None:
    if not value:
        return None
    match = _EGG.search(value)
    if match:
        name = match.group(1)
    elif " @ " in value:
        name = value.split(" @ ", 1)[0].strip()
    else:
        tail = value.rstrip("/").rsplit("/", 1)[-1]
        name = re.split(r"[-.]\d|\.git$|\.zip$|\.tar", tail, maxsplit=1)[0] or value
        if editable and value in (".", "./"):
            name = "."
    if name == ".":
        return None  # "-e ." installs the project itself
    return Dependency(name, "PyPI", None, None, line_no, file, origin=_origin(value), url=value, hashed=hashed)
