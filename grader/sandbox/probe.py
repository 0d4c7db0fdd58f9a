"""What this machine offers workers: probed once per process, reported in every report, never assumed.

:func:`detect_isolation` says which layers work here (seccomp, the uid drop, bubblewrap's
namespaces and private filesystem, Landlock, a memory cgroup) and, for each missing one,
why; :func:`require_confinement` refuses to grade where a kernel layer is missing that
student code could otherwise get past.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field, replace

from grader.errors import ACCEPT_UNCONFINED_VARIABLE, GraderError, UnconfinedRefused
from grader.sandbox import bwrap, memory, runtime
from grader.sandbox.limits import Limits
from grader.sandbox.paths import KIT_ROOT, default_hidden, first_closed_to_others
from grader.untrusted import confine, landlock

DISABLE_VARIABLE = "GRADER_UNSAFE_DISABLE_LAYERS"  # benchmarks only: "kernel" or e.g. "seccomp,namespaces"
POOL_VARIABLE = "GRADER_WORKER_POOL"  # auto (default): warm fork servers where safe; on: beside the grader; off: exec
POOL_MODES = ("auto", "on", "off")
KERNEL_LAYERS = ("seccomp", "uid-drop", "namespaces", "landlock")
SWITCHABLE_LAYERS = (
    *KERNEL_LAYERS,
    "memory-cgroup",
    "audit-hook",
)  # the audit hook only to measure what the kernel layers stop


@dataclass(frozen=True)
class Isolation:
    """Which protection layers this machine gives workers, and why any is missing."""

    seccomp: bool
    uid_drop: bool
    namespaces: bool
    audit_hook: bool = True
    landlock: bool = False  # the kernel's allow-list of files: read Python and the untrusted package, write scratch
    missing: dict[str, str] = field(default_factory=dict)
    private_filesystem: bool = False  # bubblewrap mounts only Python, the kit's code and the scratch folder
    runtime: runtime.Runtime = field(default_factory=runtime.direct, compare=False)  # the Python workers run
    memory_cgroup: bool = False  # a submission's workers share one memory cgroup (else fewer live workers)
    hidden_files: bool = False  # solutions, hidden tests, rubrics and .git are out of the worker's reach
    fork_server: bool = False  # workers are forked from a warm server (grader.sandbox.pool), not exec'd
    # with namespaces too: from a server inside each submission's own sandbox (grader.sandbox.sandboxed)

    def layers(self) -> list[str]:
        """Names of the active layers, for reports."""
        active = ["process", "rlimits", "scrubbed-env"]
        active += [
            name
            for name, on in (
                ("seccomp", self.seccomp),
                ("uid-drop", self.uid_drop),
                ("namespaces", self.namespaces),
                ("landlock", self.landlock),
                ("memory-cgroup", self.memory_cgroup),
                ("private-filesystem", self.private_filesystem),
                ("hidden-files", self.hidden_files),
                ("audit-hook", self.audit_hook),
            )
            if on
        ]
        return active


def unprotected(isolation: Isolation) -> list[str]:
    """What only the audit hook (or nothing) would protect here; empty when a kernel layer covers everything."""
    gaps = []
    if os.geteuid() == 0 and not isolation.uid_drop:
        gaps.append("student code would run as root: " + isolation.missing.get("uid-drop", "the uid drop is off"))
    if not (isolation.landlock or isolation.private_filesystem or (isolation.uid_drop and isolation.hidden_files)):
        gaps.append(
            "no kernel layer keeps student code away from the kit, its Python, the solutions and other "
            "submissions' files (no Landlock, no bubblewrap, and no uid drop with the hidden folders closed); "
            "only the audit hook would, and student code can switch it off"
        )
    return gaps


def accepted_unconfined() -> bool:
    """True when whoever runs the grader said they accept grading with the gaps :func:`unprotected` lists."""
    return os.environ.get(ACCEPT_UNCONFINED_VARIABLE, "") == "1"


def require_confinement(isolation: Isolation | None = None) -> list[str]:
    """Refuse to grade where a gap is left, unless accepted; returns the accepted gaps (for the report)."""
    gaps = unprotected(isolation or detect_isolation())
    if gaps and not accepted_unconfined():
        raise UnconfinedRefused(
            "refusing to run student code: " + "; ".join(gaps) + ". Install bubblewrap (apt-get install bubblewrap), "
            "use a kernel with Landlock (Linux 5.13+), or grade as root with the hidden folders closed to other users "
            "(chmod -R o-rwx solutions tests_hidden rubrics .git grader/tests courses/*/mutants). If you know why this is acceptable (your own "
            f"notebook on your own machine), pass --accept-unconfined or set {ACCEPT_UNCONFINED_VARIABLE}=1.",
            ko="학생 코드를 실행하지 않습니다: "
            + "; ".join(gaps)
            + ". bubblewrap을 설치하거나(apt-get install bubblewrap), "
            "Landlock이 있는 커널(Linux 5.13 이상)을 쓰거나, 숨길 폴더를 다른 사용자에게 닫은 채 root로 채점하세요"
            "(chmod -R o-rwx solutions tests_hidden rubrics .git grader/tests courses/*/mutants). 이래도 괜찮은 이유를 "
            "안다면(내 컴퓨터에서 내 노트북) --accept-unconfined를 주거나 "
            f"{ACCEPT_UNCONFINED_VARIABLE}=1로 설정하세요.",
        )
    return gaps


def memory_plan(limits: Limits) -> memory.MemoryPlan:
    """How a submission's memory is bounded with these limits (a cgroup, or fewer live workers)."""
    plan = memory.plan(limits.submission_memory_bytes, limits.memory_bytes)
    if plan.parent is not None and "memory-cgroup" in disabled_layers():
        return memory.MemoryPlan(
            budget=plan.budget, parent=None, live_workers=max(1, limits.submission_memory_bytes // limits.memory_bytes)
        )
    return plan


def disabled_layers() -> set[str]:
    """Layers turned off through GRADER_UNSAFE_DISABLE_LAYERS (benchmarks and the layer analysis only)."""
    words = {word.strip() for word in os.environ.get(DISABLE_VARIABLE, "").split(",") if word.strip()}
    return (words & set(SWITCHABLE_LAYERS)) | (set(KERNEL_LAYERS) if "kernel" in words else set())


def pool_mode() -> str:
    """How workers start (GRADER_WORKER_POOL): "auto", "on" or "off"; anything else is refused."""
    mode = os.environ.get(POOL_VARIABLE, "").strip().lower() or "auto"
    if mode not in POOL_MODES:
        raise GraderError(
            f"{POOL_VARIABLE}={mode!r} is not one of {', '.join(POOL_MODES)}; unset it to use auto",
            ko=f"{POOL_VARIABLE}={mode!r}은(는) {', '.join(POOL_MODES)} 중 하나가 아닙니다. 지우면 auto로 동작합니다",
        )
    return mode


def detect_isolation() -> Isolation:
    """The layers that work here (probed once per process), minus any turned off; and how workers start.

    Workers fork from a warm server (:mod:`grader.sandbox.pool`). Under bubblewrap the server is inside
    each submission's own sandbox (:mod:`grader.sandbox.sandboxed`), where a submission's workers share
    it: only where seccomp and Landlock keep them apart, else every worker is exec'd in a sandbox of its
    own. ``GRADER_WORKER_POOL=on`` forks them from a server beside the grader even where bubblewrap works,
    without its namespaces and private filesystem (said in every report); ``off`` always execs, for comparison.
    """
    mode = pool_mode()
    isolation = _without_layers(disabled_layers(), skip_namespaces=mode == "on")
    if mode == "on":
        missing = {
            "namespaces": f"not used: {POOL_VARIABLE}=on forks workers from a warm server, and bubblewrap "
            "starts every sandbox by exec (unset it to grade under bubblewrap)",
            **isolation.missing,  # a layer turned off by GRADER_UNSAFE_DISABLE_LAYERS says so instead
        }
        return replace(isolation, fork_server=True, missing=missing)
    return replace(isolation, fork_server=mode == "auto" and (not isolation.namespaces or shares_safely(isolation)))


def shares_safely(isolation: Isolation) -> bool:
    """Can a submission's workers share one bubblewrap sandbox? Only where seccomp keeps them from reaching each
    other's processes and sockets and Landlock from each other's files, and (root) they are not root."""
    return isolation.seccomp and isolation.landlock and (isolation.uid_drop or os.geteuid() != 0)


def _without_layers(off: set[str], skip_namespaces: bool) -> Isolation:
    """The probed layers minus those turned off by GRADER_UNSAFE_DISABLE_LAYERS."""
    skip = off | {"namespaces"} if skip_namespaces else off
    probed = _probe_isolation(frozenset(skip))  # a layer turned off is not probed either: its cost is all gone
    if not off:
        return probed
    missing = dict(probed.missing)
    for layer in sorted(off):
        missing[layer] = f"turned off by {DISABLE_VARIABLE} (for measuring its cost only; never grade like this)"
    uid_drop = probed.uid_drop and "uid-drop" not in off
    namespaces = probed.namespaces and "namespaces" not in off
    isolation = replace(
        probed,
        seccomp=probed.seccomp and "seccomp" not in off,
        uid_drop=uid_drop,
        landlock=probed.landlock and "landlock" not in off,
        memory_cgroup=probed.memory_cgroup and "memory-cgroup" not in off,
        namespaces=namespaces,
        private_filesystem=probed.private_filesystem and namespaces,
        audit_hook="audit-hook" not in off,
        missing=missing,
    )
    return _with_hidden_files(isolation)


Probes = dict[frozenset[str], Isolation]  # what this process probed, by the layers it was told to skip
_probed: Probes = {}


def probed_here() -> Probes:
    """Every probe this process made, for the grading processes it starts (:func:`adopt_probes` there)."""
    return dict(_probed)


def adopt_probes(probes: Probes) -> None:
    """A grading process started by a batch takes the probes its parent made a moment before on the same machine:
    bubblewrap's trial runs, and the verified Python copy (the parent holds its in-use lock for the whole batch),
    checked once per batch instead of once per process. Every worker still reports what the kernel enforces in it
    before it is sent any student code (:mod:`grader.sandbox.attestation`), so a probe cannot stand in for that."""
    _probed.update(probes)


def _probe_isolation(skip: frozenset[str] = frozenset()) -> Isolation:
    """The layers that work here, probed once per process (or adopted from the batch that started it)."""
    if skip not in _probed:
        _probed[skip] = _probe(skip)
    return _probed[skip]


def _probe(skip: frozenset[str]) -> Isolation:
    missing: dict[str, str] = {}
    seccomp_problem = confine.seccomp_available() if "seccomp" not in skip else "not probed"
    if seccomp_problem and "seccomp" not in skip:
        missing["seccomp"] = f"{seccomp_problem} (pip install pyseccomp; apt-get install libseccomp2)"
    root = os.geteuid() == 0
    worker_runtime = runtime.direct()
    unreachable = runtime.unreachable_part(worker_runtime) if root else None
    uid_drop = root and unreachable is None
    have_bwrap = shutil.which("bwrap") and "namespaces" not in skip
    namespaces = private = False
    if not root:
        missing["uid-drop"] = "the grader is not running as root, so workers keep your user id"
    elif unreachable and have_bwrap and bwrap.works(minimal=True, drop=True, worker=worker_runtime):
        uid_drop = namespaces = private = True  # the private filesystem's own folders make Python reachable
    elif unreachable:
        try:
            worker_runtime = runtime.copied()
            uid_drop = True
        except (runtime.RuntimeUnavailable, OSError) as error:
            missing["uid-drop"] = (
                f"an unprivileged user cannot reach {unreachable}, and copying Python where it can failed: {error}"
            )
    if "namespaces" in skip or namespaces:
        pass
    elif not have_bwrap:
        missing["namespaces"] = "bubblewrap is not installed (apt-get install bubblewrap)"
    elif bwrap.works(minimal=True, drop=uid_drop, worker=worker_runtime):
        namespaces = private = True
    elif bwrap.works(minimal=False, drop=uid_drop, worker=worker_runtime):
        namespaces = True
        missing["private-filesystem"] = (
            "Python does not start with only its own folders mounted; workers see the whole filesystem read-only"
        )
    else:
        missing["namespaces"] = "bubblewrap cannot create namespaces here (e.g. unprivileged user namespaces are off)"
    if not private and "private-filesystem" not in missing and "namespaces" not in skip:
        missing["private-filesystem"] = "needs bubblewrap"
    if namespaces and not bwrap.sizes_tmpfs():
        missing["sized-scratch"] = "bubblewrap older than 0.7 cannot size a tmpfs: writes are limited per file only"
    elif not namespaces and "namespaces" not in skip:
        missing["sized-scratch"] = "needs bubblewrap: without it, writes are limited per file (RLIMIT_FSIZE) only"
    cgroup = memory_plan(Limits()).parent is not None and "memory-cgroup" not in skip
    if not cgroup:
        missing["memory-cgroup"] = (
            memory_plan(Limits()).describe() + ": no memory cgroup can be made here (root, or a delegated cgroup v2)"
        )
    abi = landlock.abi_version() if "landlock" not in skip else 0
    if not abi and "landlock" not in skip:
        missing["landlock"] = "this kernel offers no Landlock (Linux 5.13 or later with landlock in its LSM list)"
    isolation = Isolation(
        seccomp=not seccomp_problem,
        uid_drop=uid_drop,
        namespaces=namespaces,
        missing=missing,
        private_filesystem=private,
        landlock=abi > 0,
        runtime=worker_runtime,
        memory_cgroup=cgroup,
    )
    return _with_hidden_files(isolation)


def _with_hidden_files(isolation: Isolation) -> Isolation:
    """Hidden folders are out of reach under bubblewrap, or with a dropped uid when others cannot read them."""
    missing = {key: value for key, value in isolation.missing.items() if key != "hidden-files"}
    readable = [path for path in default_hidden() if path.exists() and first_closed_to_others([path]) is None]
    hidden = isolation.namespaces or isolation.landlock or (isolation.uid_drop and not readable)
    if not hidden:
        if isolation.uid_drop:
            names = " ".join(str(path.relative_to(KIT_ROOT)) for path in readable)
            missing["hidden-files"] = f"other users can read {names}: chmod -R o-rwx {names}, or install bubblewrap"
        else:
            missing["hidden-files"] = (
                "workers run as your user; only the audit hook keeps them out of solutions/ and tests_hidden/"
            )
    return replace(isolation, hidden_files=hidden, missing=missing)
