"""The confinement check is a pure function: a worker's report (plain dicts) and the claims in, what is missing out."""

from __future__ import annotations

from grader.sandbox.attestation import Claims, Layer, Missing, missing, render

STANDING = {"rlimits": {"RLIMIT_CPU": [60, 60], "RLIMIT_NPROC": [0, 0]}, "nice": 0, "scheduler": 0, "cpus": [0, 1]}
GRADER_NAMESPACES = {"ipc": "ipc:[1]", "net": "net:[2]", "pid": "pid:[3]", "mnt": "mnt:[4]"}
EVERYTHING = Claims(
    seccomp=True,
    landlock=True,
    audit_hook=True,
    namespaces=True,
    uid=61000,
    standing=STANDING,
    grader_namespaces=GRADER_NAMESPACES,
    in_memory_cgroup=True,
)


def confined_report() -> dict[str, object]:
    """What a worker with every layer reports, as the worker sends it (grader.untrusted.confine.observe)."""
    return {
        "seccomp": "2",
        "no_new_privs": "1",
        "capabilities": "0000000000000000",
        "uid": 61000,
        "gid": 61000,
        "groups": [],
        "net_ns": "net:[12]",
        "pid_ns": "pid:[13]",
        "mnt_ns": "mnt:[14]",
        "ipc_ns": "ipc:[15]",
        "standing": {
            "rlimits": {"RLIMIT_CPU": [60, 60], "RLIMIT_NPROC": [0, 0]},
            "nice": 0,
            "scheduler": 0,
            "cpus": [0, 1],
            "oom_score_adj": 0,
        },
        "landlock": {"abi": 4, "enforced": True},
        "audit_hook": True,
    }


def test_a_fully_confined_worker_lacks_nothing():
    assert missing(confined_report(), EVERYTHING) == []


def test_no_report_or_one_that_is_not_a_mapping_is_a_missing_report():
    for report in (None, "ready", ["seccomp"], 2):
        assert missing(report, Claims()) == [Missing(Layer.REPORT)]


def test_each_claimed_layer_that_is_not_in_force_is_named_with_what_was_reported():
    report = confined_report() | {
        "seccomp": "0",
        "no_new_privs": "0",
        "capabilities": "000001ffffffffff",
        "groups": [27],
        "net_ns": "net:[2]",  # the grader's own
        "pid_ns": "",  # unreadable
        "landlock": {"abi": 4, "enforced": False},
        "audit_hook": False,
    }
    assert missing(report, EVERYTHING) == [
        Missing(Layer.SECCOMP, ("0",)),
        Missing(Layer.NO_NEW_PRIVS),
        Missing(Layer.CAPABILITIES, ("000001ffffffffff",)),
        Missing(Layer.UID_DROP, ("61000", "61000", "[27]")),
        Missing(Layer.NAMESPACE, ("net",)),
        Missing(Layer.NAMESPACE, ("pid",)),
        Missing(Layer.LANDLOCK, ("4", "False")),
        Missing(Layer.AUDIT_HOOK),
    ]


def test_layers_the_grader_does_not_claim_are_not_asked_for():
    report = confined_report() | {"seccomp": "0", "landlock": {}, "audit_hook": False, "net_ns": "net:[2]"}
    claims = Claims(uid=61000, standing=STANDING, grader_namespaces=GRADER_NAMESPACES)
    assert missing(report, claims) == []


def test_a_root_grader_without_bubblewrap_asks_for_its_own_ipc_namespace():
    claims = Claims(own_ipc_namespace=True, grader_namespaces=GRADER_NAMESPACES)
    report = confined_report() | {"ipc_ns": "ipc:[1]", "standing": {}}
    assert missing(report, claims) == [Missing(Layer.NAMESPACE, ("ipc",))]
    assert missing(confined_report() | {"standing": {}}, claims) == []


def test_a_limit_or_priority_other_than_the_one_set_is_missing():
    standing = dict(confined_report()["standing"])
    standing["rlimits"] = {"RLIMIT_CPU": [60, 120], "RLIMIT_NPROC": [0, 0]}
    standing["nice"] = 19
    found = missing(confined_report() | {"standing": standing}, EVERYTHING)
    assert found == [
        Missing(Layer.STANDING, ("RLIMIT_CPU = [60, 120] (set: [60, 60])",)),
        Missing(Layer.STANDING, ("nice = 19 (set: 0)",)),
    ]


def test_the_memory_cgroup_is_checked_only_when_one_is_claimed():
    assert missing(confined_report(), Claims(in_memory_cgroup=None, uid=61000, standing=STANDING)) == []
    found = missing(confined_report(), Claims(in_memory_cgroup=False, uid=61000, standing=STANDING))
    assert found == [Missing(Layer.MEMORY_CGROUP)]


def test_the_refusal_is_rendered_in_english_and_korean():
    found = [Missing(Layer.SECCOMP, ("0",)), Missing(Layer.NAMESPACE, ("pid",))]
    assert render(found, "en") == "the worker started without seccomp (Seccomp: 0); its own pid namespace"
    assert render(found, "ko") == "워커가 다음 없이 시작되었습니다: seccomp (Seccomp: 0); 자기만의 pid 네임스페이스"
