"""Which layer stops which attack: the hostile suite run with layers turned off, as a Markdown table.

Not a test. Each configuration runs ``grader/tests/test_hostile.py::test_attack_is_contained``
with ``GRADER_UNSAFE_DISABLE_LAYERS`` (and, for the unprivileged columns, as ``nobody`` through
``runuser``); a cell is ✓ when the attack was contained, ✗ when it was not (fixtures' ``needs`` are ignored here, so nothing is skipped).
Attacks that are not contained may really happen here (every payload is bounded), so run it
on a machine you own. Needs root for the root columns and runuser for the others.

    python bench/layers.py [--only NAME ...] [--out FILE]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST = "grader/tests/test_hostile.py::test_attack_is_contained"
# (column, run as, layers turned off)
CONFIGURATIONS = [
    ("root: all", "root", ""),
    ("root: kernel only (no audit hook)", "root", "audit-hook"),
    ("root: uid + Landlock", "root", "namespaces,seccomp,audit-hook"),
    ("root: uid + seccomp", "root", "namespaces,landlock,audit-hook"),
    ("root: uid + bwrap", "root", "seccomp,landlock,audit-hook"),
    ("root: uid only", "root", "namespaces,seccomp,landlock,audit-hook"),
    ("root without uid drop: hook only", "root", "uid-drop,namespaces,seccomp,landlock"),
    ("nobody: all it can", "nobody", ""),
    ("nobody: Landlock + seccomp + hook (no bwrap)", "nobody", "namespaces"),
    ("nobody: seccomp + hook", "nobody", "namespaces,landlock"),
    ("nobody: hook only", "nobody", "namespaces,seccomp,landlock"),
    ("nobody: nothing (process + rlimits)", "nobody", "namespaces,seccomp,landlock,audit-hook"),
]
RESULT = re.compile(r"test_attack_is_contained\[([\w-]+)\] (PASSED|FAILED|SKIPPED|ERROR)")


def run(user: str, disabled: str, log: Path | None = None) -> dict[str, str]:
    """Fixture name -> PASSED / FAILED / SKIPPED / ERROR for one configuration."""
    home = Path(tempfile.mkdtemp(prefix="layers-home-"))
    os.chmod(home, 0o755)  # like a real home: its owner's, not writable by the workers' uids
    if user != "root":
        shutil.chown(home, user)
    variables = {
        "GRADER_UNSAFE_DISABLE_LAYERS": disabled,
        "GRADER_ACCEPT_UNCONFINED": "1",
        "HOSTILE_IGNORE_NEEDS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
    }
    command = [
        "env",
        "-i",
        *[f"{k}={v}" for k, v in variables.items()],
        sys.executable,
        "-m",
        "pytest",
        "-v",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        TEST,
    ]
    if user != "root":
        command = ["runuser", "-u", user, "--", *command]
    try:
        output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800).stdout
    finally:
        shutil.rmtree(home, ignore_errors=True)
    if log is not None:
        log.write_text(output, encoding="utf-8")
    return {name: outcome for name, outcome in RESULT.findall(output)}


def main() -> None:
    """Run the chosen configurations and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", help="run only configurations whose name contains this")
    parser.add_argument("--out", type=Path, help="also write the table here")
    parser.add_argument("--logs", type=Path, help="keep each configuration's pytest output in this folder")
    options = parser.parse_args()
    if os.geteuid() != 0:
        parser.error("run as root: the root columns need it and the others use runuser")
    chosen = [c for c in CONFIGURATIONS if not options.only or any(word in c[0] for word in options.only)]
    columns = {}
    for name, user, disabled in chosen:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        log = None
        if options.logs:
            options.logs.mkdir(parents=True, exist_ok=True)
            log = options.logs / (re.sub(r"\W+", "-", name).strip("-") + ".txt")
        columns[name] = run(user, disabled, log)
    fixtures = sorted({fixture for column in columns.values() for fixture in column})
    mark = {"PASSED": "✓", "FAILED": "✗", "ERROR": "✗", "SKIPPED": "-"}
    lines = ["| attack | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for fixture in fixtures:
        lines.append(f"| {fixture} | " + " | ".join(mark.get(columns[c].get(fixture, ""), "?") for c in columns) + " |")
    table = "\n".join(lines) + "\n"
    print(table)
    if options.out:
        options.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
