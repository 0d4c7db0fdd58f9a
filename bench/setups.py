"""`make bench`: bench/bench.py once per supported set-up this machine can host, then one table row each.

The kit runs in five set-ups that differ in what `auto` does (issue 26):

- root with bubblewrap: workers forked inside each submission's own bubblewrap sandbox (the submission's uid), or
  exec'd inside bubblewrap, a uid of their own each, where seccomp or Landlock is missing;
- root without bubblewrap, the interpreter under a folder other users cannot reach (pyenv under ``/root``): workers
  forked from the warm server, running a verified copy of Python;
- root without bubblewrap, an interpreter other users can reach: workers forked from the warm server, directly;
- a user (not root) with bubblewrap, and without it: no uid drop; bubblewrap or the warm server.

"Without bubblewrap" is this machine with ``bwrap`` left off ``PATH`` (a folder of links to every other program),
which is what the kit sees where it is not installed. The user set-ups run as ``--user`` (default ``limits``) through
``runuser``, with the first interpreter that user can run that has the kit's dependencies (this one, a virtual
environment in the user's home, the system's ``python3``). A set-up that cannot run here is printed with the reason.
Every set-up is measured in the default ``auto`` mode; nothing is forced.

    python bench/setups.py [--user limits] [--only WORD ...] [bench.py options: --runs 3 --class-size 60 ...]
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Found, not imported: importing them all takes minutes on a loaded machine.
DEPENDENCIES = (
    "import importlib.util, sys; sys.exit(any(importlib.util.find_spec(name) is None for name in "
    "('numpy', 'pytest', 'nbformat', 'pytest_timeout', 'IPython', 'nbclient', 'ipykernel')))"
)


@dataclass
class Setup:
    """One way the kit is deployed: who runs it, whether bubblewrap is there, which interpreter."""

    name: str
    user: str | None  # None: root, as this process
    bubblewrap: bool
    python: str | None  # None: cannot run here
    why_not: str = ""


def main() -> None:
    """Run bench.py in every set-up this machine can host and print one row per set-up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="limits", help="the unprivileged user of the two user set-ups")
    parser.add_argument("--only", action="append", help="run only set-ups whose name contains this")
    parser.add_argument("--runs", default="3")
    parser.add_argument("--class-size", default="60")
    parser.add_argument("--training-class-size", default="16")
    parser.add_argument("--baseline-size", default="6")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per set-up before it is given up")
    options = parser.parse_args()
    sizes = ["--runs", options.runs, "--class-size", options.class_size]
    sizes += ["--training-class-size", options.training_class_size, "--baseline-size", options.baseline_size]
    results: list[tuple[Setup, dict | None, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-setups-") as scratch:
        folder = Path(scratch)
        os.chmod(folder, 0o755)
        without_bwrap = path_without_bwrap(folder / "no-bwrap-bin")
        for setup in plan(options.user):
            if options.only and not any(word in setup.name for word in options.only):
                continue
            print(f"\n=== {setup.name} ===", flush=True)
            if setup.python is None:
                print(f"cannot run here: {setup.why_not}", flush=True)
                results.append((setup, None, setup.why_not))
                continue
            figures, problem = run(setup, sizes, folder, without_bwrap, options.timeout)
            results.append((setup, figures, problem))
    print("\n" + table(results))


def plan(user: str) -> list[Setup]:
    """The five set-ups, each with the interpreter it runs or the reason it cannot run here."""
    root = os.geteuid() == 0
    bwrap = shutil.which("bwrap", path=SYSTEM_PATH) is not None
    this = sys.executable
    no_root = "needs root (run make bench as root)"
    no_bwrap = "bubblewrap is not installed (make sandbox-tools)"
    try:
        home = Path(pwd.getpwnam(user).pw_dir)
        user_python = usable_python(user, [this, *sorted(map(str, home.glob("*/bin/python"))), *_system_pythons()])
        user_problem = "" if user_python else f"no interpreter with the kit's dependencies that {user} can run"
    except KeyError:
        user_python, user_problem = None, f"no user {user!r} here (make bench BENCH_USER=<an unprivileged user>)"
    if not root and not user_problem:
        user_problem = "needs root to run as another user (runuser)"
    reachable = usable_python("nobody", [this, *([user_python] if user_python else []), *_system_pythons()])
    this_unreachable = reachable != this
    setups = [
        Setup("root, bubblewrap", None, True, this if root and bwrap else None, no_root if not root else no_bwrap),
        Setup(
            "root, no bubblewrap, interpreter out of other users' reach",
            None,
            False,
            this if root and this_unreachable else None,
            no_root if not root else f"{this} is reachable by other users (the next set-up covers it)",
        ),
        Setup(
            "root, no bubblewrap, interpreter other users can reach",
            None,
            False,
            reachable if root and reachable else None,
            no_root if not root else "no interpreter with the kit's dependencies that other users can run",
        ),
        Setup(f"user {user}, bubblewrap", user, True, user_python if bwrap else None, user_problem or no_bwrap),
        Setup(f"user {user}, no bubblewrap", user, False, user_python, user_problem),
    ]
    return setups


def _system_pythons() -> list[str]:
    return [path for name in ("python3", "python3.12", "python3.11") if (path := shutil.which(name, path=SYSTEM_PATH))]


def usable_python(user: str, candidates: list[str]) -> str | None:
    """The first interpreter ``user`` can run that imports the kit's dependencies (root asks through runuser)."""
    for python in dict.fromkeys(candidates):
        command = [python, "-c", DEPENDENCIES]
        if user != pwd.getpwuid(os.geteuid()).pw_name:
            if os.geteuid() != 0 or not shutil.which("runuser"):
                return None
            command = ["runuser", "-u", user, "--", *command]
        try:
            if subprocess.run(command, cwd="/", capture_output=True, timeout=300).returncode == 0:
                return python
        except (OSError, subprocess.TimeoutExpired):
            continue
    return None


def path_without_bwrap(folder: Path) -> str:
    """A PATH on which everything of the system's PATH is found except bubblewrap (links in one folder)."""
    folder.mkdir()
    for directory in reversed(SYSTEM_PATH.split(":")):  # the first directory's program wins, as on PATH
        try:
            programs = list(Path(directory).iterdir())
        except OSError:
            continue
        for program in programs:
            if program.name != "bwrap":
                link = folder / program.name
                link.unlink(missing_ok=True)
                link.symlink_to(program)
    os.chmod(folder, 0o755)
    return str(folder)


def run(setup: Setup, sizes: list[str], folder: Path, without_bwrap: str, timeout: float) -> tuple[dict | None, str]:
    """bench.py in ``setup``, its output shown as it comes; its figures, or why there are none."""
    assert setup.python is not None
    report = folder / f"{abs(hash(setup.name))}.json"
    home = Path(pwd.getpwnam(setup.user).pw_dir) if setup.user else Path.home()
    variables = {
        "HOME": str(home),
        "PATH": SYSTEM_PATH if setup.bubblewrap else without_bwrap,
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MNIST_OFFLINE": "1",
    }
    command = ["env", "-i", *[f"{k}={v}" for k, v in variables.items()], setup.python, "bench/bench.py"]
    command += [*sizes, "--json", str(report)]
    if setup.user:
        os.chmod(folder, 0o777)
        command = ["runuser", "-u", setup.user, "--", *command]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=ROOT, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"gave up after {timeout:.0f} s"
    finally:
        os.chmod(folder, 0o755)
    if done.returncode != 0 or not report.exists():
        return None, f"bench.py failed (exit {done.returncode}) after {time.monotonic() - started:.0f} s"
    return json.loads(report.read_text(encoding="utf-8")), ""


def table(results: list[tuple[Setup, dict | None, str]]) -> str:
    """One Markdown row per set-up: what it is, the figures against each target, machine, date, command."""
    lines = [
        "| set-up (auto) | workers | class, no training (≥ 10/s) | with training (≥ 2/s) | cold / floor (≤ 3×) "
        "| peak MB (≤ 300) | ratio to nbclient | load | machine, date, command |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for setup, data, problem in results:
        if data is None:
            lines.append(f"| {setup.name} | cannot run here: {problem} | | | | | | | |")
            continue
        figures, described = data["figures"], data["setup"]
        load = described.get("load", "")
        lines.append(
            f"| {setup.name} | {described['workers']} | {figures['rate']:.2f}/s | {figures['rate_training']:.2f}/s "
            f"| {figures['cold']:.2f} s / {figures['floor']:.2f} s = {figures['cold'] / figures['floor']:.1f}× "
            f"| {figures['peak_mb']:.0f} | {figures['rate'] / figures['nbclient_rate']:.1f}× | {load} "
            f"| {described['machine']}; {described['date']}; commit {described['commit']}; `{data['command']}` |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
