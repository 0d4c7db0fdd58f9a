"""The texts ``python -m grader new`` writes: a rubric, one example unit's notebook cells, and one test per suite.

``{id}`` and ``{title}`` are filled in; everything else is the example an instructor edits. The solution
markers are filled in from :mod:`grader.classroom.publish` (so this file, shipped in every student repository,
holds none). The example unit is chapter 4's sum of squared errors, graded by the engine's generic checks alone (no course package).
"""

from __future__ import annotations

UNIT = "sum_squares_error"

RUBRIC = """\
# The rubric for {id}: units, what each may call from the trusted reference, and the points of every test
# (a parametrised test's points are split evenly over its cases). The report's maxima come from this file.
#
# There is no course package (courses/{id}/): the suites use the engine's generic checks
# (grader/pipeline/generic.py). Add one only for hints, a mutant catalogue or procedures of your own.

[assignment]
title = "{title}"
# Given helpers: the reference versions replace the student's copies in every unit's worker.
given = []
# Kit-relative files and folders the notebook reads (e.g. ["dataset"] for the bundled MNIST subset).
data = []

[units.{unit}]
# Other graded units this one calls, given to its worker in their reference versions.
uses = []
[units.{unit}.public]
test_book_example = 5
test_batch = 5
[units.{unit}.hidden]
test_random_labels = 10
"""

INTRO = """\
# {title}

*밑바닥부터 시작하는 딥러닝 (Deep Learning from Scratch)* — 실습 과제 `{id}`

`raise NotImplementedError(...)` 줄을 지우고 함수를 구현하세요. 저장한 뒤 `check()` 셀로 스스로 점검할 수 있습니다.
Delete each `raise NotImplementedError(...)` line and write the function. After saving, the `check()` cell
checks your work."""

UNIT_TEXT = """\
## 1. 오차제곱합 / The sum of squared errors

$$E = \\frac{{1}}{{2}} \\sum_k (y_k - t_k)^2$$

`y`는 신경망의 출력, `t`는 정답 레이블(원-핫)입니다. 배열의 모양은 자유롭습니다(1차원 또는 배치).
`y` is the network's output and `t` the one-hot label, arrays of any shape (one sample or a batch)."""

UNIT_CODE = """\
def sum_squares_error(y, t):
    \"\"\"오차제곱합 / the sum of squared errors: 0.5 * sum((y - t) ** 2).\"\"\"
    {begin}
    return 0.5 * np.sum((y - t) ** 2)
    {end}"""

DEMO_CODE = """\
t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
print(sum_squares_error(y, t))  # 0.0975"""

PUBLIC_TEST = """\
\"\"\"Public tests of sum_squares_error(y, t): students see and run these.

Every expected value comes from the reference solution on the same call (``check_call``): write the call, the
engine compares values, shapes and (if asked) dtypes within tolerances. A class is stepped through with
``Steps("Cls", init_args).call("forward", x).read("dW")`` and ``check_steps``; random initial values by their
statistics with ``check_spread(unit, Steps("Net", sizes).read("params"), {"W": 0.01, "b": 0.0})``.
\"\"\"

import numpy as np

from grader.pipeline.generic import check_call
from grader.untrusted.calls import Call


def test_book_example(unit):
    \"\"\"책의 예: 정답이 2인 원-핫 / the book's example, label 2

    Real work: 0.0975; 0 or a sum without the 1/2 misses.
    \"\"\"
    t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=float)
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    check_call(unit, Call("sum_squares_error", (y, t)))


def test_batch(unit):
    \"\"\"배치 (2차원 y, t) / a batch (2-D y and t)

    Real work: one number for the whole batch.
    \"\"\"
    rng = np.random.default_rng(1)
    y = rng.random((4, 3))
    t = np.eye(3)[[0, 2, 1, 1]]
    check_call(unit, Call("sum_squares_error", (y, t)))
"""

HIDDEN_TEST = """\
\"\"\"Hidden tests of sum_squares_error: inputs drawn from the seed chosen when grading starts.\"\"\"

import numpy as np

from grader.pipeline.generic import check_call
from grader.untrusted.calls import Call


def test_random_labels(unit, grading_seed):
    \"\"\"예시 숨은 테스트: 채점 때 정한 시드의 배치 / example hidden test: a batch from the grading seed

    Real work: the sum over every element of a batch that no list of answers anticipates.
    \"\"\"
    rng = np.random.default_rng([101, grading_seed])
    y = rng.random((5, 7))
    t = np.eye(7)[rng.integers(0, 7, size=5)]
    check_call(unit, Call("sum_squares_error", (y, t)))
"""
