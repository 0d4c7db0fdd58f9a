"""Every file the grader writes for people (results, feedback, gradebooks, reports): atomic, private, and owned
by the user who ran ``sudo``.

CI runs the grader as root through ``sudo`` so that workers can drop to unprivileged
uids; what it writes must still be readable by the runner user who uploads it
(``actions/upload-artifact`` runs without sudo) and by a TA who resumes the batch
without sudo. So, under sudo, new files and the folders created for them belong to
``SUDO_UID``/``SUDO_GID``. Files are mode 0640 and folders 0750 whoever runs the
grader: never world-writable, and not readable by the workers' uids (a student's
code must not read the other students' results). Existing folders and files that
are not ours (``solutions/``, ``tests_hidden/``) are never touched.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

FILE_MODE = 0o640
DIRECTORY_MODE = 0o750


def invoking_owner() -> tuple[int, int] | None:
    """(uid, gid) of the user who ran ``sudo`` when this process is root through sudo; otherwise None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    try:
        uid = int(os.environ["SUDO_UID"])
        gid = int(os.environ.get("SUDO_GID", uid))
    except (KeyError, ValueError):
        return None
    return (uid, gid) if uid > 0 and gid >= 0 else None


def make_dirs(path: Path) -> Path:
    """``mkdir -p``; the folders it creates are 0750 and, under sudo, belong to the invoking user."""
    created, probe = [], Path(path)
    while not probe.exists() and probe != probe.parent:
        created.append(probe)
        probe = probe.parent
    Path(path).mkdir(parents=True, exist_ok=True)
    owner = invoking_owner()
    for folder in reversed(created):
        with contextlib.suppress(FileNotFoundError):
            os.chmod(folder, DIRECTORY_MODE)
            if owner:
                os.chown(folder, *owner, follow_symlinks=False)
    return Path(path)


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` so that readers see the old file or the new one, never a part; 0640, the invoking user's."""
    path = Path(path)
    if path.exists() and not path.is_file():  # /dev/stdout, a named pipe: no rename possible, write through
        with open(path, "wb") as stream:
            stream.write(data)
        return path
    make_dirs(path.parent)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), FILE_MODE)
            owner = invoking_owner()
            if owner:
                os.fchown(stream.fileno(), *owner)  # on the descriptor: no path a worker could swap
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


def write_text(path: Path, text: str) -> Path:
    """``write_bytes`` of UTF-8 text, newlines kept as given."""
    return write_bytes(path, text.encode("utf-8"))


def append_text(path: Path, text: str) -> None:
    """Append to a file (a job summary); a file created here belongs to the invoking user, like the others."""
    path = Path(path)
    fresh = not path.exists()
    with open(path, "a", encoding="utf-8") as stream:
        if fresh and stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            os.fchmod(stream.fileno(), FILE_MODE)
            owner = invoking_owner()
            if owner:
                os.fchown(stream.fileno(), *owner)
        stream.write(text)
