"""Broken notebooks: code that does not run as written, each with the message code its unit's tests must give.

Their diagnoses are the engine's facts (a SyntaxError's cell and line, a misspelt name, a missing return, an
endless loop) or, for an exception in a helper, the course's hint for that exception. Each breaks one unit.
"""

from __future__ import annotations

from courses.ch04_learning.mutants.base import Define, Replace, Variant
from courses.ch04_learning.mutants.base import broken as _broken

CEE, DIFF, GRAD, GD = "cross_entropy_error", "numerical_diff", "numerical_gradient", "gradient_descent"

_DIFF_HELPER_TYPO = """
def central_difference(f, x, h):
    return (f(x + h) - f(x - h)) / (2 * H)


def numerical_diff(f, x):
    h = 1e-4  # 0.0001
    return central_difference(f, x, h)
"""

_DIFF_FORWARD_AGAIN = """def numerical_diff(f, x):
    h = 1e-4
    return (f(x + h) - f(x)) / h


def tangent_line(f, x):"""

SYNTAX_ERROR, MISSPELT = ("grader.syntax-error",), ("grader.misspelt-name",)
RETURNED_NONE, TIMEOUT = ("grader.returned-none",), ("grader.timeout",)

# fmt: off
BROKEN: list[Variant] = [
    # A TA's class: this gave "numerical_diff not found ... Did you mean numerical_diff_bad?" (the book's bad example).
    _broken("diff_syntax_colon", DIFF, "`def numerical_diff(f, x)` 끝의 `:`를 빠뜨림 (셀 전체가 SyntaxError)",
            "the `:` after `def numerical_diff(f, x)` is missing (the whole cell is a SyntaxError)",
            Replace(DIFF, "def numerical_diff(f, x):", "def numerical_diff(f, x)"), hints=SYNTAX_ERROR),
    _broken("cee_misspelt", CEE, "함수 이름을 cross_entropy_eror로 씀", "the function named cross_entropy_eror",
            Replace(CEE, "def cross_entropy_error(y, t):", "def cross_entropy_eror(y, t):"), hints=MISSPELT),
    _broken("gd_no_return", GD, "마지막 줄 `return x, np.array(x_history)`를 빠뜨림", "the last line `return x, np.array(x_history)` left out",
            Replace(GD, "\n    return x, np.array(x_history)", ""), hints=RETURNED_NONE),
    _broken("grad_no_iternext", GRAD, "it.iternext()를 빠뜨림 (while이 끝나지 않음)", "it.iternext() left out (the while never ends)",
            Replace(GRAD, "        it.iternext()\n", ""), hints=TIMEOUT),
    # The NameError is raised in the student's helper: the hint must name an undefined name, not a formula.
    _broken("diff_helper_typo", DIFF, "직접 만든 도우미 central_difference()에서 h를 H로 잘못 씀 (NameError)",
            "a helper central_difference() of the student's writes H for h (NameError)",
            Define(DIFF, _DIFF_HELPER_TYPO), hints=("ch04_learning.global_name",)),
    # Jupyter keeps the last definition run: a forward difference written again below replaces the right one.
    _broken("diff_defined_twice", DIFF, "아래 셀에 전방 차분 numerical_diff를 다시 정의함 (나중 정의가 쓰임)",
            "a forward-difference numerical_diff defined again in a later cell (the later one is used)",
            Replace("tangent_line", "def tangent_line(f, x):", _DIFF_FORWARD_AGAIN), hints=("ch04_learning.diff_forward",)),
]
# fmt: on
