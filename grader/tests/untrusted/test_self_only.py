"""Under the worker's seccomp filter a process may change its own limits, priority and affinity, no other's.

Each call runs in a child that loads the filter (confine.apply_seccomp) and then tries it on itself (pid 0
and its own pid) and on its parent, a process of the same user that the filter must keep it from.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import textwrap

import pytest

from grader.sandbox.paths import KIT_ROOT
from grader.untrusted import confine

pytestmark = pytest.mark.skipif(confine.seccomp_available() is not None, reason="seccomp is not available here")

IOPRIO_SET = {"x86_64": 251, "aarch64": 30}.get(platform.machine())  # no wrapper in Python or glibc
SELF = {"pid 0": "0", "its own pid": "os.getpid()"}

CALLS = {
    "prlimit": "resource.prlimit({pid}, resource.RLIMIT_MSGQUEUE, resource.prlimit({pid}, resource.RLIMIT_MSGQUEUE))",
    "setpriority": "os.setpriority(os.PRIO_PROCESS, {pid}, os.getpriority(os.PRIO_PROCESS, {pid}))",
    "sched_setaffinity": "os.sched_setaffinity({pid}, os.sched_getaffinity({pid}))",
    "sched_setscheduler": "os.sched_setscheduler({pid}, os.sched_getscheduler({pid}), os.sched_param(0))",
    "sched_setparam": "os.sched_setparam({pid}, os.sched_param(0))",
    # ioprio_set(IOPRIO_WHO_PROCESS, pid, best effort level 4): what the process may already have
    "ioprio_set": f"syscall({IOPRIO_SET}, 1, {{pid}}, (2 << 13) | 4)",
}
WHOLE_GROUPS = {
    "setpriority(PRIO_PGRP)": "os.setpriority(os.PRIO_PGRP, 0, os.getpriority(os.PRIO_PGRP, 0))",
    "setpriority(PRIO_USER)": "os.setpriority(os.PRIO_USER, 0, os.getpriority(os.PRIO_USER, 0))",
    "ioprio_set(IOPRIO_WHO_USER)": f"syscall({IOPRIO_SET}, 3, 0, (2 << 13) | 4)",
}
CHILD = """
import ctypes, errno, json, os, resource, sys
sys.path.insert(0, {root!r})
from grader.untrusted import confine

libc = ctypes.CDLL("libc.so.6", use_errno=True)

def syscall(*arguments):
    if libc.syscall(*arguments) != 0:
        raise OSError(ctypes.get_errno(), "refused")

parent = os.getppid()
confine.apply_seccomp()
results = {{}}
for name, call in json.loads(sys.argv[1]).items():
    try:
        exec(call, globals())
        results[name] = "allowed"
    except OSError as error:
        results[name] = errno.errorcode.get(error.errno, str(error.errno))
print(json.dumps(results))
"""


def outcomes(calls: dict[str, str]) -> dict[str, str]:
    if IOPRIO_SET is None:
        calls = {name: call for name, call in calls.items() if "ioprio" not in name}
    child = textwrap.dedent(CHILD).format(root=str(KIT_ROOT))
    done = subprocess.run([sys.executable, "-c", child, json.dumps(calls)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_a_worker_may_change_its_own_standing():
    own = {f"{name} on {who}": call.format(pid=pid) for name, call in CALLS.items() for who, pid in SELF.items()}
    assert outcomes(own) == dict.fromkeys(own, "allowed")


def test_a_worker_may_not_change_another_process_of_its_user():
    others = {f"{name} on the parent": call.format(pid="parent") for name, call in CALLS.items()}
    assert outcomes(others) == dict.fromkeys(others, "EPERM")


def test_a_worker_may_not_change_a_whole_process_group_or_user():
    assert outcomes(WHOLE_GROUPS) == dict.fromkeys(WHOLE_GROUPS, "EPERM")
