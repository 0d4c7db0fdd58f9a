"""The engine's generic checks and the step_through procedure, against small classes written here.

A stand-in for the pytest harness runs both sides in this process with :func:`grader.untrusted.calls.execute`
(the worker runs the same function); the end-to-end path through a real worker is in test_scaffold.py and in
grader/tests/courses/ch05_backprop/.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from grader.pipeline.checks import RETURNED_NONE, Mismatch, Problem, Text
from grader.pipeline.generic import (
    Steps,
    TrivialExpected,
    assert_not_trivial,
    check_call,
    check_spread,
    check_steps,
    compare,
)
from grader.untrusted import calls, library, steps

REFERENCE = """
import numpy as np

class Scale:
    def __init__(self, w):
        self.w = w
        self.x = None
        self.dw = None

    def forward(self, x):
        self.x = x
        return self.w * x

    def backward(self, dout):
        self.dw = np.sum(dout * self.x, axis=0)
        return dout * self.w

def double(x):
    return 2 * x
"""


def namespace(source: str) -> dict:
    space: dict = {}
    exec(compile(source, "<test>", "exec"), space)
    return space


class Harness:
    """What a test gets as ``unit``, with the student's code run in this process (trusted test code only)."""

    def __init__(self, student_source: str) -> None:
        self.reference, self.student = namespace(REFERENCE), namespace(student_source)

    def expected(self, call: calls.Call) -> dict:
        return calls.execute(self.reference, call)

    def got(self, call: calls.Call) -> dict:
        return calls.execute(self.student, call)

    def got_hinted(self, call: calls.Call, hint_for) -> dict:
        return self.got(call)


@pytest.fixture(autouse=True)
def no_course():
    library.install(ModuleType("no_course"))


X = np.array([[1.0, -2.0], [3.0, 0.5]])
DOUT = np.array([[0.5, 1.5], [-1.0, 2.0]])


def scale_steps() -> Steps:
    return Steps("Scale", (3.0,), var="layer").run("forward", X).call("backward", DOUT).read("dw")


def test_the_engines_procedure_is_found_without_a_course_and_a_courses_own_wins():
    assert library.procedure(steps.STEP_THROUGH) is steps.step_through
    own = ModuleType("course")
    own.PROCEDURES = {steps.STEP_THROUGH: len}
    library.install(own)
    assert library.procedure(steps.STEP_THROUGH) is len


def test_stepping_through_observes_each_step_as_it_was():
    class Keeper:
        def __init__(self):
            self.kept = np.zeros(2)

        def fill(self, value):
            self.kept[...] = value
            return self.kept  # the same array, changed again by the next step

    observed = steps.step_through(Keeper, ({"call": "fill", "args": (1.0,)}, {"call": "fill", "args": (2.0,)}))
    assert [list(value) for value in observed] == [[1.0, 1.0], [2.0, 2.0]]


def test_a_correct_class_passes_and_every_observation_is_compared():
    got, expected = check_steps(Harness(REFERENCE), scale_steps())
    assert len(got) == len(expected) == 3
    assert np.allclose(expected[2], np.sum(DOUT * X, axis=0))


def test_a_wrong_kept_attribute_is_named_by_its_step():
    wrong = REFERENCE.replace("np.sum(dout * self.x, axis=0)", "np.sum(dout * self.x)")
    hint = Text("합은 axis=0", "sum over axis=0", id="test.axis")
    with pytest.raises(Mismatch) as caught:
        check_steps(Harness(wrong), scale_steps(), hint=lambda index, got, expected: hint if index == 2 else None)
    assert caught.value.kind is Problem.WRONG_TYPE  # a number where an array of shape (2,) was expected
    assert "layer.dw" in caught.value.problem.en and caught.value.hint is hint
    assert caught.value.call.describe() == (
        "layer = Scale(3.0); layer.forward(np.array([[1., -2.], [3., 0.5]])); "
        "layer.backward(np.array([[0.5, 1.5], [-1., 2.]])); layer.dw"
    )


def test_a_step_that_is_run_but_not_checked_costs_nothing():
    forward_wrong = REFERENCE.replace("return self.w * x", "return None")
    check_steps(Harness(forward_wrong), scale_steps())  # forward's result is not compared, only what it kept
    with pytest.raises(Mismatch) as caught:
        check_steps(Harness(forward_wrong), Steps("Scale", (3.0,)).call("forward", X))
    assert caught.value.hint is RETURNED_NONE


def test_an_exception_in_the_students_code_stays_theirs():
    forgot = REFERENCE.replace("        self.x = x\n", "")
    with pytest.raises(TypeError):
        check_steps(Harness(forgot), scale_steps())


def test_compare_checks_dtype_shape_keys_and_length_when_asked():
    call = calls.Call("f")
    compare(np.array([1, 2]), np.array([1.0, 2.0]), call)  # any numeric dtype by default
    with pytest.raises(Mismatch) as caught:
        compare(np.array([1, 2]), np.array([1.0, 2.0]), call, dtype="kind")
    assert caught.value.kind is Problem.WRONG_TYPE and "dtype" in caught.value.problem.en
    with pytest.raises(Mismatch) as caught:
        compare({"a": np.ones(2)}, {"a": np.ones(2), "b": np.ones(1)}, call)
    assert caught.value.kind is Problem.WRONG_KEYS
    with pytest.raises(Mismatch):
        compare((1.0,), (1.0, 2.0), call)
    with pytest.raises(Mismatch) as caught:
        compare({"a": (np.ones(2), 1.0)}, {"a": (np.ones(2), 1.5)}, call)
    assert caught.value.problem.en.startswith("result['a'][1]")
    compare(1.0 + 1e-9, 1.0, call)
    with pytest.raises(Mismatch):
        compare(1.0 + 1e-9, 1.0, call, rtol=0.0, atol=0.0)


def test_a_test_whose_answer_is_what_doing_nothing_returns_is_the_authors_error():
    with pytest.raises(TrivialExpected, match="doing nothing"):
        assert_not_trivial(np.zeros(3), calls.Call("f", (np.ones(3),)))
    with pytest.raises(TrivialExpected):
        check_call(Harness("def double(x):\n    return x\n"), calls.Call("double", (np.zeros(2),)))
    check_call(Harness(REFERENCE), calls.Call("double", (np.array([1.0, -3.0]),)))
    with pytest.raises(Mismatch):
        check_call(Harness("def double(x):\n    return x\n"), calls.Call("double", (np.array([1.0, -3.0]),)))


NET = """
import numpy as np

class Net:
    def __init__(self, n, m, std=0.01):
        self.params = {{'W': {draw}, 'b': {bias}}}
"""
RIGHT_DRAW = "std * np.random.randn(n, m)"
SPREADS = {"W": 0.01, "b": 0.0}


def net_harness(draw: str = RIGHT_DRAW, bias: str = "np.zeros(m)") -> Harness:
    harness = Harness(NET.format(draw=draw, bias=bias))
    harness.reference = namespace(NET.format(draw=RIGHT_DRAW, bias="np.zeros(m)"))
    return harness


@pytest.mark.parametrize(
    "draw",
    [RIGHT_DRAW, "np.random.normal(0, std, (n, m))", "np.random.randn(m, n).T * std", "0.01 * np.random.randn(n, m)"],
)
def test_spread_judges_random_values_by_their_statistics_in_any_style(draw):
    got = check_spread(net_harness(draw), Steps("Net", (40, 30)).read("params"), SPREADS)
    assert got["W"].shape == (40, 30) and not np.any(got["b"])


@pytest.mark.parametrize(
    ("draw", "bias", "kind"),
    [
        ("std / np.random.randn(n, m)", "np.zeros(m)", Problem.WRONG_VALUE),  # heavy tails: the audit's survivor
        ("np.random.randn(n, m)", "np.zeros(m)", Problem.WRONG_VALUE),  # no std
        ("std * np.random.rand(n, m)", "np.zeros(m)", Problem.WRONG_VALUE),  # uniform on [0, std): mean far off 0
        ("np.zeros((n, m))", "np.zeros(m)", Problem.WRONG_VALUE),  # drawn nothing
        (RIGHT_DRAW, "np.ones(m)", Problem.WRONG_VALUE),  # biases not zero
        ("std * np.random.randn(m, n)", "np.zeros(m)", Problem.WRONG_SHAPE),
        (RIGHT_DRAW, "[0.0] * m", Problem.WRONG_TYPE),
    ],
)
def test_spread_fails_each_wrong_initialisation_with_its_code(draw, bias, kind):
    hint = Text("초기화", "initialise")
    with pytest.raises(Mismatch) as failure:
        check_spread(net_harness(draw, bias), Steps("Net", (40, 30)).read("params"), SPREADS, hint=hint)
    assert failure.value.kind is kind and failure.value.hint is hint


def test_spread_follows_the_arguments_of_the_construction():
    """The same code with another std asked for: a spread hard-coded to the default misses."""
    steps = Steps("Net", (40, 30), {"std": 0.1}).read("params")
    check_spread(net_harness(), steps, {"W": 0.1, "b": 0.0})
    with pytest.raises(Mismatch):
        check_spread(net_harness("0.01 * np.random.randn(n, m)"), steps, {"W": 0.1, "b": 0.0})


def test_a_spread_hint_is_chosen_from_the_statistics_and_the_fixed_hint_goes_with_the_shape():
    shape, spread, bias = Text("모양", "shape"), Text("퍼짐", "spread"), Text("편향", "bias")
    seen = []

    def choose(key, std, mean, wanted):
        seen.append((key, wanted))
        return bias if wanted == 0 else spread

    steps = Steps("Net", (40, 30)).read("params")
    for draw, bias_code, want in [
        ("np.random.randn(n, m)", "np.zeros(m)", spread),
        (RIGHT_DRAW, "np.ones(m)", bias),
        ("std * np.random.randn(m, n)", "np.zeros(m)", shape),
    ]:
        with pytest.raises(Mismatch) as failure:
            check_spread(net_harness(draw, bias_code), steps, SPREADS, hint=shape, spread_hint=choose)
        assert failure.value.hint is want, draw
    assert seen[0] == ("W", 0.01) and ("b", 0.0) in seen
