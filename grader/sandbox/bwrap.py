"""bubblewrap's command line: new namespaces and a private, read-only view of what a worker needs."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from grader.sandbox import runtime
from grader.sandbox.paths import default_hidden
from grader.sandbox.uids import PROBE_UID, drop_privileges


def works(minimal: bool, drop: bool, worker: runtime.Runtime) -> bool:
    with tempfile.TemporaryDirectory(prefix="grader-probe-") as scratch:
        os.chmod(scratch, 0o777)  # the probe's uid must be able to enter it
        arguments = flags(Path(scratch), [], minimal, worker=worker)
        probe = [shutil.which("bwrap") or "bwrap", *arguments, str(worker.executable), "-I", "-c", "import encodings"]
        preexec = (lambda: drop_privileges(PROBE_UID)) if drop else None
        env = {"PATH": "/usr/bin:/bin", **worker.environment}
        try:
            return subprocess.run(probe, capture_output=True, timeout=20, preexec_fn=preexec, env=env).returncode == 0
        except (OSError, subprocess.SubprocessError):
            return False


def flags(
    scratch: Path,
    hidden: list[Path],
    minimal: bool,
    scratch_bytes: int = 64 * 1024**2,
    worker: runtime.Runtime | None = None,
) -> list[str]:
    """bubblewrap arguments: new namespaces, a read-only view of what Python needs, the scratch folder."""
    worker = worker or runtime.direct()
    keep = sorted({*worker.code, *worker.roots})
    if minimal:
        flags = [
            "--ro-bind",
            "/usr",
            "/usr",
            "--ro-bind-try",
            "/etc/ld.so.cache",
            "/etc/ld.so.cache",
            "--ro-bind-try",
            "/etc/localtime",
            "/etc/localtime",
        ]
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            top = Path("/", name)
            if top.is_symlink():
                flags += ["--symlink", os.readlink(top), str(top)]
            elif top.is_dir():
                flags += ["--ro-bind", str(top), str(top)]
    else:
        flags = ["--ro-bind", "/", "/"]
    # Every writable place is a tmpfs of at most scratch_bytes (RAM: unsized, it would be half of it);
    # /dev is read-only after its setup, so only /dev/shm, /tmp and the scratch folder take writes.
    sized = ["--size", str(scratch_bytes)] if sizes_tmpfs() else []
    flags += [
        "--dev",
        "/dev",
        *sized,
        "--tmpfs",
        "/dev/shm",
        "--remount-ro",
        "/dev",
        "--proc",
        "/proc",
        *sized,
        "--tmpfs",
        "/tmp",
    ]
    for path in keep:  # after /tmp's tmpfs: the kit and Python may live under /tmp (a CI clone)
        if minimal or path.is_relative_to("/tmp"):
            flags += ["--ro-bind", str(path), str(path)]
    # The scratch folder inside is a fresh tmpfs: the worker never sees the grader's copy of its output.
    flags += [*sized, "--tmpfs", str(scratch), "--chdir", str(scratch)]
    visible = keep if minimal else [Path("/")]
    for path in dict.fromkeys([*hidden, *default_hidden()]):
        if path.is_dir() and any(path.is_relative_to(root) for root in visible):
            flags += ["--size", "4096", "--tmpfs", str(path)] if sized else ["--tmpfs", str(path)]
    if minimal:
        flags += ["--remount-ro", "/"]  # bubblewrap's own root is a writable tmpfs otherwise
    flags += [
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
    ]
    return flags


@cache
def sizes_tmpfs() -> bool:
    """bubblewrap 0.7 and later limit a tmpfs's size (--size)."""
    try:
        text = subprocess.run([shutil.which("bwrap") or "bwrap", "--help"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return "--size" in text.stdout + text.stderr
