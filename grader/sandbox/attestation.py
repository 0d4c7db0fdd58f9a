"""Whether a worker is as confined as the grader claims: a pure function from its report and the claims.

Before a worker receives any student code it reports what its kernel says is in force
(:func:`grader.untrusted.confine.observe`); the grader compares that with what it claims for this worker
(the layers it detected, the uid it dropped to, the limits it set) and refuses the worker if anything is
missing (fail closed). The comparison reads no file and starts no process, so it is tested on plain dicts
(``grader/tests/sandbox/test_attestation.py``); what only the grader can see from outside (the namespaces
it runs in itself, whether the worker is in its memory cgroup) is passed in as facts.

Each missing layer is a :class:`Missing` with a closed :class:`Layer` code; its text is rendered from
:data:`TEXTS` in Korean and English only when the refusal is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from grader.untrusted.standing import differences

NAMESPACE_KINDS = ("net", "pid", "mnt")  # what bubblewrap gives a worker of its own


class Layer(StrEnum):
    """One thing a worker can lack."""

    REPORT = "report"  # no report at all, or not a mapping
    SECCOMP = "seccomp"
    NO_NEW_PRIVS = "no-new-privs"
    CAPABILITIES = "capabilities"
    UID_DROP = "uid-drop"
    NAMESPACE = "namespace"  # facts: the namespace's kind
    STANDING = "standing"  # facts: one limit, the priority or the CPU mask as found and as set
    LANDLOCK = "landlock"
    AUDIT_HOOK = "audit-hook"
    MEMORY_CGROUP = "memory-cgroup"


# layer -> (Korean, English), formatted with the Missing's facts in order ({0}, {1}, ...)
TEXTS: dict[Layer, tuple[str, str]] = {
    Layer.REPORT: ("격리 상태 보고", "a report of its confinement"),
    Layer.SECCOMP: ("seccomp (Seccomp: {0})", "seccomp (Seccomp: {0})"),
    Layer.NO_NEW_PRIVS: ("no_new_privs", "no_new_privs"),
    Layer.CAPABILITIES: ("모든 권한(capability) 제거 (CapEff {0})", "dropping every capability (CapEff {0})"),
    Layer.UID_DROP: ("uid 낮추기 (uid {0}, gid {1}, groups {2})", "the uid drop (uid {0}, gid {1}, groups {2})"),
    Layer.NAMESPACE: ("자기만의 {0} 네임스페이스", "its own {0} namespace"),
    Layer.STANDING: ("설정한 한도·우선순위·CPU 그대로: {0}", "{0}"),
    Layer.LANDLOCK: (
        "Landlock (ABI {0}, 보이지 않는 경로 거부: {1})",
        "Landlock (ABI {0}, refusing a path outside its view: {1})",
    ),
    Layer.AUDIT_HOOK: ("audit hook", "the audit hook"),
    Layer.MEMORY_CGROUP: ("제출물의 메모리 cgroup", "its submission's memory cgroup"),
}


@dataclass(frozen=True)
class Missing:
    """One layer the worker lacks, with what it reported instead (plain values, as text)."""

    layer: Layer
    facts: tuple[str, ...] = ()

    def render(self, lang: str) -> str:
        """This missing layer in ``ko`` or ``en``."""
        korean, english = TEXTS[self.layer]
        return (korean if lang == "ko" else english).format(*self.facts)


@dataclass(frozen=True, kw_only=True)
class Claims:
    """What the grader claims for one worker, and what only the grader sees from outside it."""

    seccomp: bool = False
    landlock: bool = False
    audit_hook: bool = False
    namespaces: bool = False  # bubblewrap's net, pid and mnt namespaces
    own_ipc_namespace: bool = False  # a root grader without bubblewrap unshares IPC itself
    uid: int | None = None  # the uid (and gid) the worker was dropped to, with no supplementary groups
    standing: Mapping[str, object] = field(default_factory=dict)  # limits, priority, CPU mask as set
    grader_namespaces: Mapping[str, str] = field(default_factory=dict)  # kind -> the grading process's own id
    in_memory_cgroup: bool | None = None  # None: no cgroup claimed; else whether the worker is in it


def missing(report: object, claims: Claims) -> list[Missing]:
    """What the worker's kernel-reported state (``report``, as it decoded) lacks, compared with ``claims``."""
    found = _missing_from_report(report, claims)
    if claims.in_memory_cgroup is False:
        found.append(Missing(Layer.MEMORY_CGROUP))
    return found


def _missing_from_report(facts: object, claims: Claims) -> list[Missing]:
    if type(facts) is not dict:
        return [Missing(Layer.REPORT)]
    found: list[Missing] = []
    if claims.seccomp and facts.get("seccomp") != "2":
        found.append(Missing(Layer.SECCOMP, (str(facts.get("seccomp")),)))
    if facts.get("no_new_privs") != "1":
        found.append(Missing(Layer.NO_NEW_PRIVS))
    capabilities = facts.get("capabilities")
    if type(capabilities) is not str or capabilities.strip("0") != "":
        found.append(Missing(Layer.CAPABILITIES, (str(capabilities),)))
    identity = (facts.get("uid"), facts.get("gid"), facts.get("groups"))
    if claims.uid is not None and identity != (claims.uid, claims.uid, []):
        found.append(Missing(Layer.UID_DROP, tuple(str(value) for value in identity)))
    kinds = (["ipc"] if claims.own_ipc_namespace else []) + (list(NAMESPACE_KINDS) if claims.namespaces else [])
    for kind in kinds:
        if facts.get(f"{kind}_ns") in ("", claims.grader_namespaces.get(kind, "")):
            found.append(Missing(Layer.NAMESPACE, (kind,)))
    # every limit, the priority and the CPU mask exactly as set: anything else came from outside the worker
    found += [Missing(Layer.STANDING, (text,)) for text in differences(dict(claims.standing), facts.get("standing"))]
    landlock = facts.get("landlock")
    landlock_facts = landlock if type(landlock) is dict else {}
    if claims.landlock and landlock_facts.get("enforced") is not True:
        found.append(Missing(Layer.LANDLOCK, (str(landlock_facts.get("abi")), str(landlock_facts.get("enforced")))))
    if claims.audit_hook and facts.get("audit_hook") is not True:
        found.append(Missing(Layer.AUDIT_HOOK))
    return found


def render(found: list[Missing], lang: str) -> str:
    """The refusal's account of ``found`` (not empty) in ``ko`` or ``en``."""
    listed = "; ".join(item.render(lang) for item in found)
    return f"워커가 다음 없이 시작되었습니다: {listed}" if lang == "ko" else f"the worker started without {listed}"
