"""What a test may show when its worker holds reference code: codes from closed sets, and what the test built.

A unit whose worker gets the reference versions of other graded units (``uses`` in the rubric) could
send that code out through anything it returns: a type name, a dict's keys, a shape, a number, an
exception's text, the order of its frames. So a *guarded* test's feedback is a function of
:class:`GuardedView` alone, and every field of that view is either one value of a closed set decided
on the trusted side (the outcome, a :class:`~grader.pipeline.checks.Problem`, a hint from the course's
catalogue, a built-in exception's name) or what the test itself built (the call and the reference's
answer to it). Nothing the worker produced reaches :func:`render_guarded`; SECURITY.md states the
bits per test that this leaves, and ``grader/tests/pipeline/test_guarded.py`` fuzzes the workers'
replies to show the message never depends on more.
"""

from __future__ import annotations

import builtins
import math
from dataclasses import dataclass

from grader.pipeline.checks import PROBLEM_TEXT, Mismatch, Problem, Text, show
from grader.pipeline.scoring import OUTCOMES
from grader.untrusted.calls import Call

# The built-in exception names a guarded test may show; any other class name is "an exception".
BUILTIN_EXCEPTIONS = tuple(
    sorted(
        name
        for name, value in vars(builtins).items()
        if isinstance(value, type) and issubclass(value, BaseException) and not name.startswith("_")
    )
)
ANY_EXCEPTION = "an exception"

GUARDED_NOTE = Text(
    "(이 단위의 작업 프로세스에는 이 단위가 부르는 다른 단위의 참조 구현이 들어 있어, 돌려준 값, 출력과 오류 문장은 "
    "보여 주지 않습니다. 노트북에서 직접 실행해 확인하세요.)",
    "(this unit's worker holds reference code of the units it calls, so what your code returned, printed or "
    "raised is not shown; run it in your notebook to see it.)",
)


@dataclass(frozen=True, kw_only=True)
class GuardedView:
    """Everything a guarded test's feedback is made of."""

    outcome: str  # one of OUTCOMES
    problem: Problem | None = None  # a failed check's code
    raised: str = ""  # one of BUILTIN_EXCEPTIONS or ANY_EXCEPTION, when the student's code raised
    hint: Text | None = None  # chosen by the trusted checks from the course's hints (it has an id)
    target: str = ""  # the function or method the test called (the test named it)
    call: Call | None = None  # the call the test built
    expected: object = None  # the reference's answer to that call
    fixed_text: str = ""  # a sentence of the kit's own for failures with no result (timeouts, missing units)


def guarded_bits(hints: int) -> float:
    """The bound of SECURITY.md for one guarded test: outcomes x problems x raised names x (hints + none)."""
    raised = len(BUILTIN_EXCEPTIONS) + 2  # a built-in name, "an exception", or nothing raised
    return math.log2(len(OUTCOMES) * (len(Problem) + 1) * raised * (hints + 1))


def exception_name(type_name: str) -> str:
    """A built-in exception's name as it is; any other name (the student's code chose it) as "an exception"."""
    return type_name if type_name in BUILTIN_EXCEPTIONS else ANY_EXCEPTION


def raised_sentence(target: str, name: str) -> Text:
    """``target raised name`` in both languages; ``name`` is a built-in exception's or :data:`ANY_EXCEPTION`."""
    korean_name = "" if name == ANY_EXCEPTION else f"{name} "  # "an exception" reads as 예외 alone in Korean
    return Text(f"{target}에서 {korean_name}예외가 발생했습니다", f"{target} raised {name}")


def view_of_mismatch(error: Mismatch) -> GuardedView:
    """A failed check: its code, the call and expected value the test built, the hint it chose."""
    return GuardedView(
        outcome="failed",
        problem=error.kind,
        hint=error.hint,
        target=error.call.target if error.call is not None else "",
        call=error.call,
        expected=error.expected,
    )


def view_of_raised(call: Call, type_name: str, hint: Text | None) -> GuardedView:
    """The student's code raised: only a built-in exception's name, never its text or frames."""
    return GuardedView(outcome="error", raised=exception_name(type_name), hint=hint, target=call.target)


def render_guarded(view: GuardedView, lang: str) -> str:
    """The guarded test's message, from the view only."""
    lines: list[str] = []
    if view.fixed_text:
        lines.append(view.fixed_text)
    if view.problem is not None:
        lines.append(PROBLEM_TEXT[view.problem].render(lang))
        if view.call is not None:
            lines.append(f"{Text('호출', 'call').render(lang)}: {view.call.describe()}")
        if view.expected is not None:
            lines.append(f"{Text('기대값', 'expected').render(lang)}: {show(view.expected)}")
    if view.raised == "NotImplementedError":
        lines.append(
            Text(
                "아직 구현되지 않았습니다 (NotImplementedError).", "not implemented yet (NotImplementedError)."
            ).render(lang)
        )
    elif view.raised:
        sentence = raised_sentence(view.target, view.raised)
        lines.append(Text(sentence.ko + ".", sentence.en + ".").render(lang))
    if view.hint is not None:
        lines.append(f"{Text('힌트', 'hint').render(lang)}: {view.hint.render(lang)}")
    if view.outcome not in ("passed", "missing"):
        lines.append(GUARDED_NOTE.render(lang))
    return "\n".join(lines)
