"""The Python a worker runs: this interpreter, or a verified copy an unprivileged uid can reach.

When the grader is root, student code runs under an unprivileged uid. That uid must
be able to read the interpreter, the standard library, numpy and the untrusted
package; a Python installed in a home folder other users cannot enter (pyenv under
``/root``) would make the uid drop impossible. Rather than weakening that folder's
permissions, the grader copies exactly what a worker needs (no site-packages but
numpy and pyseccomp, no kit code but ``grader/untrusted``) into a root-owned cache
that every user can traverse, hashes every file it copied, and runs workers from
there. The copy's name is the hash of its manifest (every file's path and SHA-256), so
every checkout of one kit version on one Python shares one copy, a changed file makes a
new one, and the cache (:mod:`grader.sandbox.runtime_cache`) keeps a bounded number.
Hashing 190 MB takes a second or two, so the key found for one set of source files (by
path, size, mtime and inode) is remembered in the cache; a new checkout hashes once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader.errors import GraderError
from grader.sandbox import runtime_cache
from grader.sandbox.paths import first_closed_to_others
from grader.untrusted import confine

UNTRUSTED = Path(__file__).resolve().parent.parent / "untrusted"
CACHE_VARIABLE = "GRADER_RUNTIME_CACHE"
DEFAULT_CACHE = Path("/var/cache/ch04-grader")
_SKIPPED_STDLIB = {
    "site-packages",
    "dist-packages",
    "test",
    "idlelib",
    "tkinter",
    "turtledemo",
    "ensurepip",
    "lib2to3",
    "__phello__",
}
MANIFEST = "MANIFEST.sha256"


class RuntimeUnavailable(GraderError):
    """No Python that an unprivileged worker can run could be found or made."""


@dataclass(frozen=True)
class Runtime:
    """How to start a worker: which interpreter, which script, and what it must be able to read."""

    executable: Path
    script: Path
    roots: tuple[Path, ...]  # folders the worker's Python lives in (mounted read-only under bubblewrap)
    code: tuple[Path, ...]  # the kit's files a worker may read: the untrusted package and its parent's marker
    environment: dict[str, str] = field(default_factory=dict)
    copied_to: Path | None = None  # set when this is a verified copy

    def describe(self) -> str:
        """One line for the isolation report."""
        return f"a verified copy of Python in {self.copied_to}" if self.copied_to else "the grader's own Python"


def direct() -> Runtime:
    """The grader's own interpreter and kit."""
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(os.path.realpath(sys.executable)).parent}
    return Runtime(
        executable=Path(sys.executable),
        script=UNTRUSTED / "worker.py",
        roots=tuple(sorted(roots)),
        code=(UNTRUSTED.parent / "__init__.py", UNTRUSTED),
    )


def unreachable_part(runtime: Runtime) -> Path | None:
    """The first file or folder of ``runtime`` that users other than its owner cannot reach, or None."""
    paths = [Path(os.path.realpath(runtime.executable)), runtime.script, *runtime.code]
    if runtime.copied_to is None:
        paths += [Path(np.__file__), Path(sysconfig.get_path("stdlib")) / "os.py"]
    return first_closed_to_others(paths)


def copied(cache: Path | None = None) -> Runtime:
    """A root-owned copy of what a worker needs, shared by every checkout of one Python and kit; raises if impossible."""
    cache = Path(os.environ.get(CACHE_VARIABLE) or cache or DEFAULT_CACHE)
    if os.geteuid() != 0:
        raise RuntimeUnavailable("only root copies Python for workers", ko="워커용 Python은 root만 복사합니다")
    sources = _sources()
    _secure_folder(cache)
    with runtime_cache.locked(cache):  # one grader copies, the others wait and use its copy
        digests, memo = _known_digests(cache, sources)
        target = cache / f"python-{_content_key(digests)}"
        if not (target / MANIFEST).is_file():
            try:
                _build(target, sources, digests)
            except RuntimeUnavailable:
                memo.unlink(missing_ok=True)  # perhaps a file changed keeping its size and mtime: hash again next time
                raise
            runtime_cache.evict(cache, MANIFEST, keep=target)
        _check_owned_by_root(target)
        runtime_cache.mark_in_use(target, MANIFEST)  # until this process exits: eviction passes it by
    runtime = _runtime_in(target)
    problem = unreachable_part(runtime)
    if problem is not None:
        raise RuntimeUnavailable(
            f"the copy in {target} is not reachable by other users at {problem}",
            ko=f"{target}의 복사본에 다른 사용자가 닿을 수 없습니다({problem})",
        )
    return runtime


def _manifest(digests: list[tuple[str, str]]) -> str:
    """The manifest's text: one ``SHA-256  path`` line per file."""
    return "".join(f"{digest}  {dest}\n" for dest, digest in digests)


def _content_key(digests: list[tuple[str, str]]) -> str:
    """The copy's name: the hash of its manifest, so of every file's path and content (not where it came from)."""
    return hashlib.sha256(_manifest(digests).encode()).hexdigest()[:20]


def _known_digests(cache: Path, sources: list[tuple[str, str]]) -> tuple[list[tuple[str, str]], Path]:
    """(path in the copy, SHA-256) of every source, and where that is remembered (per source identity)."""
    identity = "\n".join(
        f"{dest}\0{src}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ino}\0{info.st_dev}"
        for dest, src in sources
        for info in [os.stat(src)]
    )
    memo = cache / "keys" / hashlib.sha256(identity.encode()).hexdigest()[:32]
    with contextlib.suppress(OSError, ValueError):
        lines = memo.read_text().splitlines()
        digests = [(dest, digest) for line in lines for digest, _, dest in [line.partition("  ")]]
        if [dest for dest, _ in digests] == [dest for dest, _ in sources]:
            os.utime(memo)
            return digests, memo
    digests = [(dest, _file_digest(src)) for dest, src in sources]
    memo.parent.mkdir(mode=0o700, exist_ok=True)
    memo.write_text(_manifest(digests))
    _bound_memos(memo.parent)
    return digests, memo


def _bound_memos(folder: Path, keep: int = 64) -> None:
    """Keep the most recently used memos (one per checkout and Python): they are a few hundred KB each."""
    memos = sorted(folder.iterdir(), key=lambda path: path.stat().st_mtime, reverse=True)
    for stale in memos[keep:]:
        stale.unlink(missing_ok=True)


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as reader:
        while chunk := reader.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _runtime_in(target: Path) -> Runtime:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return Runtime(
        executable=target / "bin" / version,
        script=target / "grader" / "untrusted" / "worker.py",
        roots=(target,),
        code=(target / "grader" / "__init__.py", target / "grader" / "untrusted"),
        environment={"LD_LIBRARY_PATH": str(target / "lib")},
        copied_to=target,
    )


def _sources() -> list[tuple[str, str]]:
    """(path inside the copy, source file) for everything a worker needs. Plain strings: over 4,000 files are
    listed for every grading process, and making a Path of each cost more than the listing itself."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    files: list[tuple[str, str]] = [(f"bin/{version}", os.path.realpath(sys.executable))]
    base_lib = Path(sys.base_prefix) / "lib"
    files += [(f"lib/{lib.name}", str(lib.resolve())) for lib in sorted(base_lib.glob("libpython*.so*"))]
    stdlib = Path(sysconfig.get_path("stdlib"))
    for entry in sorted(stdlib.iterdir()):
        if entry.name not in _SKIPPED_STDLIB and not entry.name.startswith("config-"):
            files += _tree(str(entry), f"lib/{version}/{entry.name}")
    for entry in confine.python_view():
        if entry.parent.name in ("site-packages", "dist-packages"):
            files += _tree(str(entry), f"lib/{version}/site-packages/{entry.name}")
    files += _tree(str(UNTRUSTED.parent / "__init__.py"), "grader/__init__.py")
    files += _tree(str(UNTRUSTED), "grader/untrusted")
    return files


def _tree(source: str, dest: str) -> list[tuple[str, str]]:
    """Every file under ``source`` (or ``source`` itself), named by its place under ``dest``; no .pyc of the kit."""
    if os.path.isfile(source):
        return [(dest, source)]
    out = []
    for folder, _, names in os.walk(source):
        inside = os.path.relpath(folder, source)
        prefix = dest if inside == "." else f"{dest}/{inside}"
        for name in sorted(names):
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not (dest.startswith("grader") and name.endswith(".pyc")):
                out.append((f"{prefix}/{name}", path))
    return out


def _secure_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o755)
    info = folder.stat()
    if info.st_uid != 0 or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise RuntimeUnavailable(
            f"{folder} must belong to root and be writable by root only",
            ko=f"{folder}은(는) root의 것이어야 하고 root만 쓸 수 있어야 합니다",
        )
    os.chmod(folder, 0o755)


def _build(target: Path, sources: list[tuple[str, str]], digests: list[tuple[str, str]]) -> None:
    """Copy in a private folder, hash what was copied, check it against ``digests``, then rename it into place."""
    building = target.with_name(f".{target.name}.{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    lines = []
    try:
        for dest, source in sources:
            path = building / dest
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
            digest = hashlib.sha256()
            with open(source, "rb") as reader, open(path, "wb") as writer:
                while chunk := reader.read(1 << 20):
                    digest.update(chunk)
                    writer.write(chunk)
            executable = os.stat(source).st_mode & stat.S_IXUSR
            os.chmod(path, 0o755 if executable else 0o644)
            lines.append((dest, digest.hexdigest()))
        if lines != digests:  # a source changed since it was hashed: this copy is not what its name says
            raise RuntimeUnavailable(
                f"the Python or kit files changed while they were copied to {target}; grade again",
                ko=f"{target}(으)로 복사하는 동안 Python이나 키트 파일이 바뀌었습니다. 다시 채점하세요",
            )
        for folder, dirs, _ in os.walk(building):
            for name in dirs:
                os.chmod(Path(folder, name), 0o755)
        os.chmod(building, 0o755)
        (building / MANIFEST).write_text(_manifest(lines))
        _verify(building)
        os.rename(building, target)  # atomic: other graders see no copy or a whole one (the cache lock is held)
    finally:
        shutil.rmtree(building, ignore_errors=True)


def _verify(folder: Path) -> None:
    """Every copied file has the hash recorded when it was read from its source."""
    for line in (folder / MANIFEST).read_text().splitlines():
        expected, dest = line.split("  ", 1)
        if hashlib.sha256((folder / dest).read_bytes()).hexdigest() != expected:
            raise RuntimeUnavailable(
                f"the copy of {dest} in {folder} does not match its source",
                ko=f"{folder}에 있는 {dest}의 복사본이 원본과 다릅니다",
            )


def _check_owned_by_root(target: Path) -> None:
    """Nobody but root can have changed the copy since it was verified."""
    for folder, dirs, files in os.walk(target):
        for name in [*dirs, *files]:
            info = os.lstat(os.path.join(folder, name))
            if info.st_uid != 0 or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                raise RuntimeUnavailable(
                    f"{Path(folder, name)} is not root's alone: remove {target} and grade again",
                    ko=f"{Path(folder, name)}이(가) root만의 것이 아닙니다. {target}을(를) 지우고 다시 채점하세요",
                )
