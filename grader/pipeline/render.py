"""A test's verdict in words: the message of a public, hidden or guarded test, in Korean, English or both.

Pure functions of the verdict, the exception it was classified from (for the values a public test may
quote) and the language; nothing here decides an outcome, and nothing reads a message back.
A hidden test never quotes an input, an expected value or text the student's code chose; a guarded test's
message is :func:`grader.pipeline.guarded.render_guarded` of a :class:`GuardedView` built from codes only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from grader import sandbox
from grader.pipeline.checks import Mismatch, Text, show
from grader.pipeline.display import summarize_pair
from grader.pipeline.extract import Extraction
from grader.pipeline.guarded import GuardedView, exception_name, raised_sentence, view_of_mismatch, view_of_raised
from grader.pipeline.outcomes import Ending, Outcome, Suite, Verdict
from grader.pipeline.reference import ReferenceFailure
from grader.pipeline.student_errors import StudentMissing, StudentRaised

NOT_IMPLEMENTED = Text("아직 구현되지 않았습니다 (NotImplementedError).", "not implemented yet (NotImplementedError).")
HIDDEN_WRONG = Text("숨은 테스트에서 결과가 틀렸습니다.", "a hidden test got a wrong result.")
TEST_TIMED_OUT = Text("테스트 전체가 채점기의 시간 제한을 넘겼습니다.", "the test ran past the grader's time limit")
SKIPPED = Text(
    "채점기 내부 오류: 테스트가 건너뛰어졌습니다(건너뛴 테스트는 통과가 아닙니다).",
    "internal error in the grader: the test was skipped (skips count as not passed)",
)
PRINTED = Text("출력", "printed output")


def kit_failed(reason: str, korean_reason: str | None = None) -> Text:
    """The grader's own failure, with what may be said of it (an exception's kind; in public tests its text)."""
    return Text(
        f"채점기 내부 오류이며 여러분의 잘못이 아닙니다. 강사에게 알려 주세요: {korean_reason or reason}",
        f"internal error in the grader, not your fault; tell your instructor: {reason}",
    )


def _label(ko: str, en: str, lang: str) -> str:
    return Text(ko, en).render(lang)


def hint_line(hint: Text | None, lang: str) -> str:
    """The message's last line when a hint was chosen."""
    return f"\n{_label('힌트', 'hint', lang)}: {hint.render(lang)}" if hint is not None else ""


_FRAME = re.compile(r"cell (\d+), line (\d+), in (.*)")


def learner_frame(frame: str, extraction: Extraction, lang: str) -> str:
    """``cell 9, line 10, in f`` (the worker's file name for a cell) as the learner finds it: the function, the
    line inside the cell, and the cell as Jupyter shows it (``f, line 10 of cell [5]``)."""
    match = _FRAME.fullmatch(frame)
    if match is None:
        return frame
    number, line, function = int(match.group(1)), match.group(2), match.group(3)
    if lang == "both":
        return Text(
            f"{function}, {extraction.cell_label(number, 'ko')}의 {line}번째 줄",
            f"{function}, line {line} of {extraction.cell_label(number, 'en')}",
        ).render(lang)
    label = extraction.cell_label(number, lang)
    if lang == "ko":
        return f"{function}, {label}의 {line}번째 줄"
    return f"{function}, line {line} of {label}"


def render_mismatch(error: Mismatch, suite: Suite, lang: str) -> str:
    """A failing check: for public tests the call, expected and got; for hidden tests only the hint."""
    if suite is Suite.HIDDEN:
        lines = [HIDDEN_WRONG.render(lang)]
    else:
        lines = [error.problem.render(lang)]
        if error.call is not None:
            lines.append(f"{_label('호출', 'call', lang)}: {error.call.describe()}")
        shows_got = error.got is not None
        expected, got = (
            summarize_pair(error.expected, error.got)
            if error.expected is not None and shows_got
            else (show(error.expected), show(error.got))
        )
        if error.expected is not None:
            lines.append(f"{_label('기대값', 'expected', lang)}: {expected}")
        if shows_got:
            lines.append(f"{_label('받은 값', 'got', lang)}: {got}")
    if error.hint is not None:
        lines.append(f"{_label('힌트', 'hint', lang)}: {error.hint.render(lang)}")
    return "\n".join(lines)


def render_raised(error: StudentRaised, frames: list[str], suite: Suite, lang: str) -> str:
    """An exception from the student's code; its text is kept out of hidden tests (it could carry inputs).

    ``frames`` are the exception's frames as the learner finds them (:func:`learner_frame`).
    """
    # Hidden tests: the type name and frames come from student code too (a class or function can be named
    # after an input), so only a built-in exception's name is shown, and no frames.
    where = f" ({'; '.join(frames)})" if frames and suite is Suite.PUBLIC else ""
    if error.not_implemented:
        return NOT_IMPLEMENTED.render(lang) + where
    target = error.call.target
    if suite is Suite.HIDDEN:
        return raised_sentence(target, exception_name(error.type)).render(lang) + hint_line(error.hint, lang)
    call = error.call.describe()
    raised = Text(
        f"{call}에서 {error.type} 예외가 발생했습니다: {error.text}", f"{call} raised {error.type}: {error.text}"
    )
    return raised.render(lang) + where + hint_line(error.hint, lang)


def render_missing(error: StudentMissing, lang: str) -> str:
    """ "not found", with the SyntaxError of the cell that defines it, or a did-you-mean when a close name exists."""
    if error.syntax_error is not None:
        label, line = error.syntax_error
        return Text(
            f"{error.name}은(는) {label.ko}에 정의되어 있지만, 그 셀의 {line}번째 줄에 문법 오류(SyntaxError)가 "
            "있습니다: 먼저 고치세요.",
            f"{error.name} is defined in {label.en}, which has a SyntaxError at line {line}: fix it first.",
        ).render(lang)
    text = Text(f"{error.name}을(를) 노트북에서 찾을 수 없습니다.", f"{error.name} not found in the notebook.").render(
        lang
    )
    if error.close:
        text += " " + Text(
            f"혹시 {error.close}인가요? 이름을 {error.name}(으)로 바꾸세요.",
            f"Did you mean {error.close}? Rename it to {error.name}.",
        ).render(lang)
    return text


def kit_reason(error: BaseException, suite: Suite) -> Text:
    """What the message of the kit's own failure may name: a hidden test's only the exception's kind (its
    text could quote a hidden input); a public test's also its text; the reference's failure its own words."""
    if isinstance(error, ReferenceFailure):  # the kit's own words about its own solution
        return kit_failed(error.en, error.ko)
    kind = type(error).__name__
    return kit_failed(f"{kind}: {error}" if suite is Suite.PUBLIC else kind)


def render_message(
    verdict: Verdict, error: BaseException | None, suite: Suite, lang: str, frame: Callable[[str], str]
) -> str:
    """The message of a public or hidden test (guarded tests: :func:`guarded_view`), from its verdict."""
    ending = verdict.ending
    if ending is Ending.RETURNED:
        return ""
    if ending is Ending.MISMATCH and isinstance(error, Mismatch):
        return render_mismatch(error, suite, lang)
    if ending is Ending.NOT_DEFINED and isinstance(error, StudentMissing):
        return render_missing(error, lang) + hint_line(error.hint, lang)
    if isinstance(error, StudentRaised):
        return render_raised(error, [frame(line) for line in error.where], suite, lang)
    if isinstance(error, sandbox.WorkerFailure):  # hidden tests: no exit status or other student-chosen text
        return error.message_for(suite, lang) + hint_line(verdict.hint, lang)
    if ending is Ending.TEST_TIMED_OUT:
        return TEST_TIMED_OUT.render(lang)
    if ending is Ending.SKIPPED:
        return SKIPPED.render(lang)
    return kit_reason(error, suite).render(lang) if error is not None else ""


def guarded_view(verdict: Verdict, error: BaseException | None, lang: str) -> GuardedView:
    """How a guarded test ended, as a view of trusted data only (see grader/pipeline/guarded.py)."""
    if error is None:
        return GuardedView(outcome=Outcome.PASSED)
    if isinstance(error, Mismatch):
        return view_of_mismatch(error)
    if isinstance(error, StudentRaised):
        if error.not_implemented:
            return GuardedView(outcome=Outcome.ERROR, raised="NotImplementedError", target=error.call.target)
        return view_of_raised(error.call, error.type, error.hint)
    if isinstance(error, StudentMissing):  # the name and its close match come from the notebook, not a worker
        return GuardedView(outcome=Outcome.MISSING, fixed_text=render_missing(error, lang), hint=error.hint)
    if isinstance(error, sandbox.WorkerFailure):  # the kit's own sentence, as a hidden test gets it
        return GuardedView(outcome=verdict.outcome, fixed_text=error.message_for(Suite.HIDDEN, lang), hint=verdict.hint)
    # The grader's own failure: its text could quote a value that came back, so only the exception's kind.
    if isinstance(error, ReferenceFailure):
        return GuardedView(outcome=Outcome.ERROR, fixed_text=kit_failed(error.en, error.ko).render(lang))
    if verdict.ending is Ending.TEST_TIMED_OUT:
        return GuardedView(outcome=Outcome.TIMEOUT, fixed_text=TEST_TIMED_OUT.render(lang))
    if verdict.ending is Ending.SKIPPED:
        return GuardedView(outcome=Outcome.ERROR, fixed_text=SKIPPED.render(lang))
    return GuardedView(outcome=Outcome.ERROR, fixed_text=kit_failed(type(error).__name__).render(lang))
