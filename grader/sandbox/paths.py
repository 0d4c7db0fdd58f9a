"""Where the kit and the worker's code live, and what a worker may read outside Python."""

from __future__ import annotations

import platform
import stat
import sysconfig
from pathlib import Path

WORKER_SCRIPT = Path(__file__).resolve().parent.parent / "untrusted" / "worker.py"
KIT_ROOT = WORKER_SCRIPT.parent.parent.parent
# What a worker may read outside its Python: the shared libraries (the multiarch folders, not all of /usr,
# whose site- and dist-packages could hold an installed kit), time zones and two devices.
_MULTIARCH = sysconfig.get_config_var("MULTIARCH") or f"{platform.machine()}-linux-gnu"
SYSTEM_READABLE = tuple(
    Path(p)
    for p in (
        f"/usr/lib/{_MULTIARCH}",
        f"/lib/{_MULTIARCH}",
        "/lib64",
        "/usr/lib64",
        "/usr/share/zoneinfo",
        "/etc/ld.so.cache",
        "/etc/localtime",
        "/dev/urandom",
        "/dev/zero",
    )
)


def default_hidden() -> list[Path]:
    """Folders of the checkout no worker may read, whatever the assignment says.

    Besides the hidden material, every folder that holds working units: each course's mutant
    catalogue (its correct styles) and the kit's own tests (hostile fixtures that reward success).
    """
    fixed = [KIT_ROOT / name for name in ("solutions", "tests_hidden", "rubrics", ".git", "grader/tests")]
    return fixed + sorted((KIT_ROOT / "courses").glob("*/mutants"))


def first_closed_to_others(paths: list[Path]) -> Path | None:
    """The first folder or file on these paths that users other than its owner cannot traverse or read, or None."""
    for path in paths:
        for folder in reversed(path.parents):
            if not folder.stat().st_mode & stat.S_IXOTH:
                return folder
        mode = path.stat().st_mode
        if not mode & stat.S_IROTH or (stat.S_ISDIR(mode) and not mode & stat.S_IXOTH):
            return path
    return None
