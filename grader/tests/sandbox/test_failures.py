"""Worker failures are codes with facts; their words are rendered from them, in Korean and English."""

from __future__ import annotations

import ast
import os
import re
import time
from pathlib import Path

import pytest

from grader.sandbox.channel import Channel, ChannelEnded, decode
from grader.sandbox.failures import (
    REASON_OF,
    TEXTS,
    BudgetExhausted,
    FailureReason,
    IsolationFailure,
    ReplyOverBound,
    Wording,
    WorkerDied,
    WorkerFailure,
    WorkerTimeout,
    defining,
)
from grader.untrusted import protocol

HANGUL = re.compile("[가-힣]")
SLICE = [Path(__file__).resolve().parents[2] / name for name in ("sandbox", "untrusted")]


def test_a_timeout_keeps_its_seconds_and_is_told_in_both_languages():
    error = WorkerTimeout(Wording.RAN_PAST, what="numerical_diff", seconds=10.0)
    assert error.reason is FailureReason.TIMEOUT and error.seconds == 10.0 and error.kind == "timeout"
    assert str(error) == "numerical_diff ran past 10 s"
    assert error.message_for("public", "ko") == "numerical_diff: 10초 제한을 넘겼습니다"
    assert (
        error.message_for("public", "both") == "numerical_diff: 10초 제한을 넘겼습니다 / numerical_diff ran past 10 s"
    )


def test_a_killed_worker_names_its_signal_to_public_tests_only():
    error = WorkerDied(Wording.KILLED, what="softmax", signal_number=9, hidden=Wording.ENDED)
    assert error.reason is FailureReason.SIGNAL and error.signal_number == 9 and error.exit_status is None
    assert str(error) == "the process was killed by SIGKILL (CPU time or memory limit) while running softmax"
    assert error.message_for("hidden") == "the process ended while running softmax"
    assert "SIGKILL" in error.message_for("public", "ko") and HANGUL.search(error.message_for("public", "ko"))
    assert "SIGKILL" not in error.message_for("hidden", "ko")


def test_an_exit_keeps_its_status_and_hides_it_from_hidden_tests():
    error = WorkerDied(Wording.EXITED, what="numerical_diff", exit_status=0, hidden=Wording.ENDED)
    assert error.reason is FailureReason.EXIT and error.exit_status == 0
    assert str(error) == "the process exited with status 0 while running numerical_diff"
    assert error.message_for("hidden") == "the process ended while running numerical_diff"


def test_the_budget_is_a_timeout_of_its_own_reason():
    used_up, ran_out = BudgetExhausted(6), BudgetExhausted(6, "numerical_diff")
    assert isinstance(used_up, WorkerTimeout) and used_up.kind == "timeout"
    assert used_up.reason is ran_out.reason is FailureReason.BUDGET and used_up.budget == 6
    assert str(used_up) == "not graded: the time budget for this submission (6 s) is used up"
    assert str(ran_out) == "numerical_diff was stopped: the time budget for this submission (6 s) ran out"
    assert "6초" in used_up.message_for("public", "ko")


def test_a_parse_error_the_worker_caused_is_shown_to_public_tests_only():
    error = WorkerFailure(Wording.UNREADABLE, what="f", detail="malformed header")
    assert error.reason is FailureReason.PROTOCOL
    assert str(error) == "unreadable answer while running f: malformed header"
    assert error.message_for("hidden") == "unreadable answer while running f"
    assert "malformed header" not in error.message_for("hidden", "ko")


def test_an_isolation_failure_is_internal_and_bilingual():
    error = IsolationFailure("the worker started without seccomp", problem_ko="seccomp 없이 시작됨")
    assert error.internal and error.reason is FailureReason.ISOLATION
    assert "no student code ran" in str(error) and "the worker started without seccomp" in str(error)
    assert "seccomp 없이 시작됨" in error.message_for("public", "ko") and "학생 코드" in error.ko


def test_a_failure_built_from_a_sentence_keeps_it_and_its_class_reason():
    error = WorkerFailure("no result came back from f")
    assert error.reason is FailureReason.PROTOCOL and error.wording is None
    assert error.message_for("hidden", "ko") == "no result came back from f"  # no Korean given: the English
    assert WorkerTimeout("f ran past 1 s (again)").reason is FailureReason.TIMEOUT
    assert WorkerDied("gone").reason is FailureReason.EXIT


def test_every_wording_has_a_reason_and_both_languages():
    assert set(REASON_OF) == set(Wording) == set(TEXTS)
    for wording, (korean, english) in TEXTS.items():
        assert HANGUL.search(korean), wording
        assert not HANGUL.search(english), wording
    assert defining([]).en == "defining an import" and defining(["a", "b"]).en == "defining a, b"


def test_decoding_tells_a_bound_from_garbage_by_type():
    with pytest.raises(ReplyOverBound) as over:
        decode(protocol.encode({"result": [[0]] * 300_000}), "f")
    assert over.value.reason is FailureReason.BUDGET
    with pytest.raises(WorkerFailure) as garbage:
        decode(bytearray(b"\x00" * 12), "f")
    assert type(garbage.value) is WorkerFailure and garbage.value.reason is FailureReason.PROTOCOL
    assert decode(protocol.encode({"seq": 1}), "f") == {"seq": 1}


def test_the_channel_reports_an_oversized_length_a_deadline_and_an_end_as_such():
    request_read, request_write = os.pipe()
    response_read, response_write = os.pipe()
    channel = Channel(request_write, response_read)
    try:
        os.write(response_write, (protocol.MAX_MESSAGE_BYTES).to_bytes(8, "big"))
        with pytest.raises(WorkerFailure) as large:
            channel.read_body(time.monotonic() + 5, "f")
        assert large.value.wording is Wording.REPLY_TOO_LARGE and large.value.reason is FailureReason.BUDGET
        with pytest.raises(WorkerTimeout) as late:
            channel.read_body(time.monotonic() + 0.05, "f")
        assert late.value.wording is Wording.RAN_OUT and late.value.seconds is None
        os.write(response_write, b"x")
        assert channel.unsolicited()
        os.close(response_write)
        channel.pending.clear()
        with pytest.raises(ChannelEnded):
            channel.read_body(time.monotonic() + 5, "f")
    finally:
        channel.close()
        os.close(request_read)


def _decides_on_text(node: ast.AST) -> bool:
    """``... in str(x)`` or ``str(x).startswith/endswith(...)``: a decision read back from a message."""
    is_str_call = lambda n: isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "str"  # noqa: E731
    if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
        return any(is_str_call(side) for side in node.comparators)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in ("startswith", "endswith") and is_str_call(node.func.value)
    return False


def test_nothing_in_the_sandbox_decides_on_a_messages_text():
    found = [
        f"{path.name}:{node.lineno}"
        for folder in SLICE
        for path in sorted(folder.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if _decides_on_text(node)
    ]
    assert found == []
    assert _decides_on_text(ast.parse('str(failure).endswith("ran out of time")', mode="eval").body)
