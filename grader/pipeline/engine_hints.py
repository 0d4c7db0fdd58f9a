"""The hints the engine itself gives: facts about the notebook or the run, whatever the course.

With a course's hints (``courses/<id>/hints.py``), these are all a guarded test's hint can be (SECURITY.md's
bound counts them). Each has an id, so reports and the class report group mistakes by it.
"""

from __future__ import annotations

from grader.pipeline.checks import RETURNED_NONE, Text

STALLED = Text(
    "(이 단원의 앞선 테스트가 시간 제한을 넘겨, 이 테스트는 다시 실행하지 않았습니다.)",
    "(an earlier test of this unit ran past its time limit, so this one was not run again.)",
)
TIMEOUT = Text(
    "시간 제한을 넘기는 가장 흔한 원인은 끝나지 않는 반복문입니다: 조건이 바뀌지 않는 while, 다음으로 넘어가지 않는 반복자. "
    "노트북에서 같은 호출을 실행해 끝나는지 확인하세요.",
    "the usual cause of running past the time limit is a loop that never ends: a while whose condition never "
    "changes, an iterator that never advances. Run the same call in your notebook and see whether it returns.",
    id="grader.timeout",
)
SYNTAX_ERROR = Text(
    "문법 오류(SyntaxError)가 있는 셀은 아무것도 정의하지 못합니다: 파이썬이 셀 전체를 읽지 못하므로 그 안의 함수가 모두 없는 "
    "것이 됩니다. 메시지가 가리키는 줄(빠진 `:`, 닫히지 않은 괄호, 들여쓰기)을 고치고 셀을 다시 실행하세요.",
    "a cell with a SyntaxError defines nothing: Python cannot read the cell at all, so every function in it is "
    "missing. Fix the line the message names (a missing `:`, an unclosed bracket, the indentation) and run the "
    "cell again.",
    id="grader.syntax-error",
)
MISSPELT = Text(
    "채점기는 함수와 클래스를 정확한 이름(대소문자 포함)으로 찾습니다: 과제에 주어진 이름 그대로 정의하세요.",
    "the grader finds functions and classes by their exact name, case included: define it under the name the "
    "assignment gives.",
    id="grader.misspelt-name",
)

# uses_failing_units is never one of these: it is given only where a unit runs the student's own versions of
# others, so its worker holds no reference code.
ENGINE_HINTS = (TIMEOUT, SYNTAX_ERROR, MISSPELT, RETURNED_NONE)


def uses_failing_units(unit: str, failing: list[str]) -> Text:
    """The hint of a unit that calls the student's own versions of units failing their own tests."""
    names = ", ".join(failing)
    return Text(
        f"{unit}은(는) 여러분의 {names}을(를) 씁니다. {names}이(가) 자기 테스트에서 실패하므로 먼저 고친 뒤 이 테스트를 다시 "
        f"보세요. 과목 채점에서는 {unit}에 참조 {names}이(가) 쓰이므로 이 실수는 {names}에서만 점수를 잃습니다.",
        f"{unit} uses your {names}, which fails its own tests: fix {names} first, then look at this test again. The "
        f"course's grading gives {unit} a reference {names}, so there this mistake costs points in {names} only.",
        id="grader.uses-failing-unit",
    )
