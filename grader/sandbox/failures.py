"""Why a call got no reply from its worker: a closed set of reasons, the plain facts, and texts rendered from them.

A worker failure is decided where it is found (the channel timed out, the process was killed, a reply broke
the protocol, a layer was missing) and stored as a :class:`FailureReason` with its facts: the seconds, the
signal number, the exit status. The words a test shows are rendered from the reason's wording last, in
Korean and English, from :data:`TEXTS`, so nothing reads a message back to learn what happened (isolate
keeps its TO/SG/RE/XX verdicts apart from their text the same way).

``str(error)`` stays the English sentence public tests have always shown; :meth:`WorkerFailure.message_for`
renders either language, or both, and leaves out what the student's code chose (an exit status, a parse
error) for hidden tests.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from enum import StrEnum


class FailureReason(StrEnum):
    """What kind of failure, decided where it is detected; its text is rendered from it, never parsed from one."""

    TIMEOUT = "timeout"  # the call or the load ran past its wall-clock limit (isolate: TO)
    BUDGET = "budget"  # a bound of the submission ran out: its time budget, or the size a reply may have
    SIGNAL = "signal"  # the worker was killed by a signal (isolate: SG)
    EXIT = "exit"  # the worker ended by itself while it was answering (isolate: RE)
    PROTOCOL = "protocol"  # the worker answered out of turn, or with something that does not decode
    ISOLATION = "isolation"  # a layer the grader claims is not in force, or the sandbox ended under it (isolate: XX)


@dataclass(frozen=True)
class Activity:
    """What the grader was doing when a worker failed, when it is the grader's own step (not a call's name)."""

    ko: str
    en: str


STARTING = Activity("워커 시작", "starting the worker")
LOADING_COURSE = Activity("과목 코드 불러오기", "loading the course")
LOADING_DEFINITIONS = Activity("여러분의 정의 불러오기", "loading your definitions")


def defining(names: list[str]) -> Activity:
    """The step of running one of the student's definitions (``names`` as the notebook spells them)."""
    if not names:
        return Activity("import 실행", "defining an import")
    return Activity(f"{', '.join(names)} 정의 실행", f"defining {', '.join(names)}")


What = str | Activity  # a call's target or procedure (a name, the same in both languages), or the grader's own step


class Wording(StrEnum):
    """One sentence a worker failure is told in; each belongs to one reason (:data:`REASON_OF`)."""

    RAN_OUT = "ran-out"  # the channel's deadline passed; the caller did not say which limit it was
    RAN_PAST = "ran-past"
    BUDGET_USED_UP = "budget-used-up"
    BUDGET_RAN_OUT = "budget-ran-out"
    REPLY_TOO_LARGE = "reply-too-large"
    REPLY_OVER_BOUND = "reply-over-bound"
    KILLED = "killed"
    EXITED = "exited"
    STOPPED_ANSWERING = "stopped-answering"
    ENDED = "ended"  # what hidden tests are told of the three above: no signal, no exit status
    KEPT_ENDING = "kept-ending"
    NOT_THIS_CALL = "not-this-call"
    UNASKED = "unasked"
    UNREADABLE = "unreadable"
    WORKER_REFUSED = "worker-refused"
    SANDBOX_ENDED = "sandbox-ended"  # the submission's shared sandbox was ended from outside (grader.sandbox.sandboxed)


REASON_OF: dict[Wording, FailureReason] = {
    Wording.RAN_OUT: FailureReason.TIMEOUT,
    Wording.RAN_PAST: FailureReason.TIMEOUT,
    Wording.BUDGET_USED_UP: FailureReason.BUDGET,
    Wording.BUDGET_RAN_OUT: FailureReason.BUDGET,
    Wording.REPLY_TOO_LARGE: FailureReason.BUDGET,
    Wording.REPLY_OVER_BOUND: FailureReason.BUDGET,
    Wording.KILLED: FailureReason.SIGNAL,
    Wording.EXITED: FailureReason.EXIT,
    Wording.STOPPED_ANSWERING: FailureReason.EXIT,
    Wording.ENDED: FailureReason.EXIT,
    Wording.KEPT_ENDING: FailureReason.EXIT,
    Wording.NOT_THIS_CALL: FailureReason.PROTOCOL,
    Wording.UNASKED: FailureReason.PROTOCOL,
    Wording.UNREADABLE: FailureReason.PROTOCOL,
    Wording.WORKER_REFUSED: FailureReason.ISOLATION,
    Wording.SANDBOX_ENDED: FailureReason.ISOLATION,
}

# wording -> (Korean, English), formatted with the failure's facts: {what}, {seconds}, {budget}, {signal},
# {cause}, {status}, {bound} (the detail, shown to every test: it names a bound or a layer, nothing the student
# chose) and {detail} (": " and the detail for public tests; nothing for hidden ones).
TEXTS: dict[Wording, tuple[str, str]] = {
    Wording.RAN_OUT: ("{what}: 시간 안에 끝나지 않았습니다", "{what} ran out of time"),
    Wording.RAN_PAST: ("{what}: {seconds}초 제한을 넘겼습니다", "{what} ran past {seconds} s"),
    Wording.BUDGET_USED_UP: (
        "채점하지 않음: 이 제출물의 채점 시간({budget}초)을 다 썼습니다",
        "not graded: the time budget for this submission ({budget} s) is used up",
    ),
    Wording.BUDGET_RAN_OUT: (
        "{what}: 이 제출물의 채점 시간({budget}초)이 다 되어 멈췄습니다",
        "{what} was stopped: the time budget for this submission ({budget} s) ran out",
    ),
    Wording.REPLY_TOO_LARGE: (
        "{what} 실행 중 돌아온 답이 너무 큽니다({bound} MiB 초과)",
        "the answer while running {what} is too large (over {bound} MiB)",
    ),
    Wording.REPLY_OVER_BOUND: (
        "{what} 실행 중 돌아온 답이 채점기의 한도를 넘었습니다: {bound}. 더 작은 값을 돌려주세요",
        "the answer while running {what} is over a bound of the grader: {bound}; return a smaller value",
    ),
    Wording.KILLED: (
        "{what} 실행 중 프로세스가 {signal}{cause}(으)로 종료되었습니다",
        "the process was killed by {signal}{cause} while running {what}",
    ),
    Wording.EXITED: (
        "{what} 실행 중 프로세스가 종료 코드 {status}(으)로 끝났습니다",
        "the process exited with status {status} while running {what}",
    ),
    Wording.STOPPED_ANSWERING: (
        "{what} 실행 중 프로세스가 응답을 멈췄습니다",
        "the process stopped answering while running {what}",
    ),
    Wording.ENDED: ("{what} 실행 중 프로세스가 끝났습니다", "the process ended while running {what}"),
    Wording.KEPT_ENDING: (
        "여러분의 정의를 불러올 때마다 워커가 끝났습니다. 노트북 문제 목록을 보세요",
        "loading your definitions kept ending the worker; see the notebook problems",
    ),
    Wording.NOT_THIS_CALL: (
        "{what} 실행 중 워커가 이 호출의 것이 아닌 답을 보냈습니다",
        "the worker sent an answer that does not belong to this call while running {what}",
    ),
    Wording.UNASKED: (
        "{what} 전에 워커가 요청하지 않은 답을 보냈습니다",
        "the worker sent an answer nobody asked for before {what}",
    ),
    Wording.UNREADABLE: (
        "{what} 실행 중 돌아온 답을 읽을 수 없습니다{detail}",
        "unreadable answer while running {what}{detail}",
    ),
    Wording.WORKER_REFUSED: (
        "채점기 내부 오류입니다(학생 잘못이 아님). 교수자에게 알리세요: {bound}; 그 워커에서는 학생 코드가 "
        "실행되지 않았습니다",
        "internal error in the grader, not your fault; tell your instructor: {bound}; "
        "no student code ran in that worker",
    ),
    Wording.SANDBOX_ENDED: (
        "채점기 내부 오류입니다(학생 잘못이 아님). 교수자에게 알리세요: {what} 실행 중 이 제출물의 샌드박스가 "
        "밖에서 끝났습니다",
        "internal error in the grader, not your fault; tell your instructor: the submission's sandbox was ended "
        "from outside while running {what}",
    ),
}

# the usual cause of a signal, (Korean, English)
SIGNAL_CAUSES: dict[str, tuple[str, str]] = {
    "SIGKILL": (" (CPU 시간 또는 메모리 한도)", " (CPU time or memory limit)"),
    "SIGXFSZ": (" (파일 크기 한도)", " (file size limit)"),
    "SIGSEGV": (" (비정상 종료)", " (crash)"),
}


def signal_name(number: int) -> str:
    """``SIGKILL`` for 9; a number no signal has is named by its number."""
    return signal.Signals(number).name if number in signal.valid_signals() else f"signal {number}"


def _what(what: What, lang: str) -> str:
    return (what.ko if lang == "ko" else what.en) if isinstance(what, Activity) else what


class WorkerFailure(Exception):
    """A call did not produce a reply: the worker hung, died or sent garbage.

    Built with a :class:`Wording` and the facts (``WorkerTimeout(Wording.RAN_PAST, what=..., seconds=10)``),
    the failure's ``reason`` is that wording's, and its texts are rendered from :data:`TEXTS`. Built with a
    sentence (the pytest plugin's own), it is that sentence, with the class's reason. ``str(error)`` is the
    English text public tests show; :meth:`message_for` is what a test of a given suite may show.
    """

    kind = "error"
    internal = False
    reason: FailureReason = FailureReason.PROTOCOL  # of a failure built from a sentence
    hint: object = None  # a Text a test or the plugin attaches: the usual cause (grader.pipeline.plugin.timeout_hint)

    def __init__(
        self,
        said: Wording | str,
        hidden_message: str | None = None,
        *,
        what: What = "",
        seconds: float | None = None,
        budget: float | None = None,
        signal_number: int | None = None,
        exit_status: int | None = None,
        detail: str | None = None,
        hidden: Wording | None = None,
        ko: str = "",
        hidden_ko: str = "",
    ) -> None:
        self.wording = said if isinstance(said, Wording) else None
        self.hidden_wording = hidden
        self.what = what
        self.seconds = seconds
        self.budget = budget
        self.signal_number = signal_number
        self.exit_status = exit_status
        self.detail = detail  # text the kit or the worker wrote (a parse error): public tests only
        if isinstance(said, Wording):
            self.reason = REASON_OF[said]
            message = self.render("en")
            self.ko = self.render("ko")
            self.hidden_message = self.render("en", hidden=True)
            self.hidden_ko = self.render("ko", hidden=True)
        else:
            message = said
            self.ko = ko
            self.hidden_message = hidden_message or said
            self.hidden_ko = hidden_ko or ko
        super().__init__(message)

    def render(self, lang: str, *, hidden: bool = False) -> str:
        """The wording's text in ``ko`` or ``en``, from the facts; ``hidden`` leaves out what the student chose."""
        wording = self.wording
        assert wording is not None, "only a failure built from a wording is rendered"
        if hidden and self.hidden_wording is not None:
            wording = self.hidden_wording
        korean, english = TEXTS[wording]
        cause = SIGNAL_CAUSES.get(signal_name(self.signal_number), ("", "")) if self.signal_number else ("", "")
        return (korean if lang == "ko" else english).format(
            what=_what(self.what, lang),
            seconds=f"{self.seconds:.3g}" if self.seconds is not None else "",
            budget=f"{self.budget:g}" if self.budget is not None else "",
            signal=signal_name(self.signal_number) if self.signal_number is not None else "",
            cause=cause[0] if lang == "ko" else cause[1],
            status=self.exit_status,
            bound=self.detail,
            detail=f": {self.detail}" if self.detail and not hidden else "",
        )

    def message_for(self, suite: str, lang: str = "en") -> str:
        """The message a test of ``suite`` may show, in ``ko``, ``en`` or ``both`` (``ko / en``)."""
        english, korean = (self.hidden_message, self.hidden_ko) if suite == "hidden" else (str(self), self.ko)
        if lang == "en" or not korean:
            return english
        return korean if lang == "ko" else f"{korean} / {english}"


class WorkerTimeout(WorkerFailure):
    """The call ran past its wall-clock limit, or the submission's time budget ran out."""

    kind = "timeout"
    reason = FailureReason.TIMEOUT


class WorkerDied(WorkerFailure):
    """The worker process ended while it was answering."""

    reason = FailureReason.EXIT


class ReplyOverBound(WorkerFailure):
    """The worker's answer was well framed but asked for more than decoding may build: that test fails.

    Its reason is ``budget``; the message names the bound, never a count the worker chose.
    """

    reason = FailureReason.BUDGET


class IsolationFailure(WorkerFailure):
    """A layer the grader claims is not in force in a worker: no student code was sent to it.

    ``problem`` is the kit's own account of what is missing (English, technical); ``problem_ko`` its Korean,
    where the kit has one (:mod:`grader.sandbox.attestation` renders both).
    """

    internal = True
    reason = FailureReason.ISOLATION

    def __init__(self, problem: str, *, problem_ko: str | None = None) -> None:
        super().__init__(Wording.WORKER_REFUSED, detail=problem)
        self.problem = problem
        if problem_ko is not None:
            korean = TEXTS[Wording.WORKER_REFUSED][0].format(bound=problem_ko)
            self.ko = self.hidden_ko = korean


class SandboxEnded(WorkerFailure):
    """The submission's shared sandbox ended while a worker in it ran: not the student's doing, so not graded.

    Its server was killed from outside (seccomp keeps workers from signalling it); the worker, which ran student
    code, died with it. The test is an internal error; the submission's later workers are exec'd.
    """

    internal = True
    reason = FailureReason.ISOLATION

    def __init__(self, what: What) -> None:
        super().__init__(Wording.SANDBOX_ENDED, what=what)


class BudgetExhausted(WorkerTimeout):
    """The submission's wall-clock budget is used up: the rest of its tests are not graded."""

    def __init__(self, budget: float, what: What | None = None) -> None:
        if what is None:
            super().__init__(Wording.BUDGET_USED_UP, budget=budget)
        else:
            super().__init__(Wording.BUDGET_RAN_OUT, what=what, budget=budget)
