"""Generic checks a test file may use without any course code: compare a unit with the reference on the same call.

An assignment scaffolded by ``python -m grader new`` grades with these alone; a course package adds only what is
really its own (hints for its mistakes, a mutant catalogue, procedures these do not cover).

- :func:`check_call` runs one :class:`~grader.untrusted.calls.Call` on the student's side and the reference's and
  compares the results (values within tolerances, shapes, optionally dtypes; dicts by key, tuples item by item).
- :class:`Steps` and :func:`check_steps` step through an object of a class: build it, call its methods in order,
  read attributes it keeps (a layer's ``dW``), and compare every observation with the reference's.
- An exception from the student's code stays the student's (a stub's ``NotImplementedError`` is reported as not
  implemented); a hint for it can be given. A result of ``None`` gets the engine's hint that nothing was returned,
  and :func:`assert_not_trivial` refuses a test whose expected answer is what doing nothing returns.
- Substitution of reference units is the rubric's ``uses``: the unit's worker gets the reference versions, and the
  report of such a (guarded) test shows only the codes these checks decide.

The trust boundary is the engine's: student code runs only in the worker (through ``unit.got``), the reference
runs here, only plain data crosses, and every comparison happens on this side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.errors import GraderError
from grader.pipeline.checks import RETURNED_NONE, Mismatch, Problem, Text, as_array, as_scalar
from grader.pipeline.display import describe_type
from grader.untrusted.calls import Call, describe_value
from grader.untrusted.steps import STEP_THROUGH

# Closed forms in float64: two correct ways of writing them differ by rounding (<= 1e-15 relative); a mistake
# worth a test moves the result by far more than RTOL. Tests of numerical methods pass their own tolerances.
RTOL, ATOL = 1e-7, 1e-10
HintFor = Callable[[object, object], "Text | None"]  # (got, expected) -> the hint for this wrong result
RaisedHint = Callable[[object], "Text | None"]  # StudentRaised -> the hint for this exception
SpreadHint = Callable[[str, float, float, float], "Text | None"]  # (key, std, mean, wanted) -> the hint


class TrivialExpected(GraderError):
    """A test's expected answer is what doing nothing returns: the test pays for nothing (the author's to fix)."""


@dataclass(frozen=True)
class StepsCall(Call):
    """A call of the engine's :data:`~grader.untrusted.steps.STEP_THROUGH`, shown as the learner would write it."""

    shown: str = field(default="", compare=False)  # e.g. "obj = Layer(); obj.forward(x); obj.backward(dout)"

    def describe(self) -> str:
        """The steps as lines of the learner's code, joined by ``; ``."""
        return self.shown or super().describe()


class Steps:
    """A script of steps on one object of a class: the plain data :data:`STEP_THROUGH` runs on both sides."""

    def __init__(
        self, cls: str, init_args: tuple[Any, ...] = (), init_kwargs: dict[str, Any] | None = None, *, var: str = "obj"
    ):
        self.cls, self.var = cls, var
        self.init_args, self.init_kwargs = tuple(init_args), dict(init_kwargs or {})
        self.steps: list[dict[str, Any]] = []
        self.labels: list[str] = []  # how each step reads in the learner's code
        self.checked: list[bool] = []  # whether its observation is compared

    def _add(self, step: dict[str, Any], label: str, checked: bool) -> Steps:
        self.steps.append(step)
        self.labels.append(label)
        self.checked.append(checked)
        return self

    def call(self, method: str, *args: object, **kwargs: object) -> Steps:
        """Call ``method`` and compare what it returns."""
        return self._add({"call": method, "args": args, "kwargs": kwargs}, self._call_text(method, args, kwargs), True)

    def run(self, method: str, *args: object, **kwargs: object) -> Steps:
        """Call ``method`` without comparing what it returns (a step another test grades)."""
        return self._add({"call": method, "args": args, "kwargs": kwargs}, self._call_text(method, args, kwargs), False)

    def read(self, attribute: str) -> Steps:
        """Read an attribute the object keeps (``dW``) and compare it."""
        return self._add({"read": attribute}, f"{self.var}.{attribute}", True)

    def params(self, values: dict[str, Any]) -> Steps:
        """Write values into ``obj.params`` in place (nothing to compare)."""
        return self._add({"params": values}, f"{self.var}.params[...] = ...", False)

    def _call_text(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        shown = [describe_value(value) for value in args] + [f"{k}={describe_value(v)}" for k, v in kwargs.items()]
        return f"{self.var}.{method}({', '.join(shown)})"

    def to_call(self, seed: int | None = None, seconds: float | None = None) -> StepsCall:
        """The Call both sides run; its description is the script as code."""
        init = [describe_value(value) for value in self.init_args]
        init += [f"{key}={describe_value(value)}" for key, value in self.init_kwargs.items()]
        shown = "; ".join([f"{self.var} = {self.cls}({', '.join(init)})", *self.labels])
        kwargs: dict[str, Any] = {"init_args": self.init_args}
        if self.init_kwargs:
            kwargs["init_kwargs"] = self.init_kwargs
        return StepsCall(
            self.cls, args=(tuple(self.steps),), kwargs=kwargs, seed=seed, procedure=STEP_THROUGH, seconds=seconds,
            shown=shown,
        )  # fmt: skip


# -- running both sides --------------------------------------------------------------------------


def student_result(unit: Any, call: Call, raised: Text | RaisedHint | None = None) -> object:
    """The student's result of ``call``; an exception from their code carries ``raised``'s hint."""
    if raised is None:
        return unit.got(call)["result"]
    choose = raised if callable(raised) else (lambda _error: raised)
    return unit.got_hinted(call, choose)["result"]


def _hint(hint: Text | HintFor | None, got: object, expected: object) -> Text | None:
    return hint(got, expected) if callable(hint) else hint


def check_call(
    unit: Any,
    call: Call,
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
    dtype: str | None = None,
    hint: Text | HintFor | None = None,
    raised: Text | RaisedHint | None = None,
    trivial_ok: bool = False,
) -> tuple[object, object]:
    """Compare the student's result of ``call`` with the reference's; return (got, expected).

    ``dtype``: None (any numeric dtype), ``"kind"`` (float vs integer) or ``"exact"``. ``hint``: a Text, or a
    function of (got, expected) choosing one. ``trivial_ok``: allow an expected array that doing nothing gives.
    """
    expected = unit.expected(call)["result"]
    if not trivial_ok:
        assert_not_trivial(expected, call)
    got = student_result(unit, call, raised)
    compare(got, expected, call, rtol=rtol, atol=atol, dtype=dtype, hint=_hint(hint, got, expected))
    return got, expected


def check_steps(
    unit: Any,
    steps: Steps,
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
    dtype: str | None = None,
    hint: Callable[[int, list[Any], list[Any]], Text | None] | Text | None = None,
    raised: Text | RaisedHint | None = None,
    seed: int | None = None,
) -> tuple[list[Any], list[Any]]:
    """Step through an object of the student's class and the reference's; compare every checked observation.

    ``hint``: a Text, or a function of (step index, got observations, expected observations). Returns both lists.
    """
    call = steps.to_call(seed)
    expected = unit.expected(call)["result"]
    got = student_result(unit, call, raised)
    if type(got) is not list or len(got) != len(expected):  # only a worker that was tampered with sends this
        raise Mismatch(
            Text("단계별 관찰 결과가 없습니다.", "the steps' observations did not come back."),
            call,
            kind=Problem.WRONG_TYPE,
        )
    for index, (label, checked) in enumerate(zip(steps.labels, steps.checked, strict=True)):
        if checked:
            chosen = hint(index, got, expected) if callable(hint) else hint
            compare(got[index], expected[index], call, rtol=rtol, atol=atol, dtype=dtype, what=label, hint=chosen)
    return got, expected


def check_spread(
    unit: Any,
    steps: Steps,
    spreads: dict[str, float],
    *,
    rel: float = 0.15,
    centre: float = 0.25,
    hint: Text | None = None,
    spread_hint: SpreadHint | None = None,
    raised: Text | RaisedHint | None = None,
    seed: int | None = 0,
) -> dict[str, Any]:
    """Random values judged by their statistics, not by the draws: the last observation of ``steps`` (a dict such
    as ``obj.params``) holds, for each key of ``spreads``, an array of the reference's shape whose standard
    deviation is within ``rel`` of ``spreads[key]`` and whose mean is within ``centre`` times it from 0; a spread
    of 0 means exactly zeros (biases). How and in which order the learner draws (``randn``, ``normal``) is theirs.
    ``hint`` goes with a missing or misshapen array, ``spread_hint(key, std, mean, wanted)`` (else ``hint``) with
    a wrong spread, centre or non-zero bias.

    Use arrays of at least 1,000 elements: the defaults are then over six standard errors of a correct draw (the
    spread's is about 2 %, the mean's about 3 % of the spread); the draws are seeded (``seed``), so a given
    submission always gets the same verdict.
    """
    call = steps.to_call(seed)
    expected = unit.expected(call)["result"][-1]
    got = student_result(unit, call, raised)
    got = got[-1] if type(got) is list and got else got
    if type(got) is not dict:
        raise Mismatch(
            _text(steps.labels[-1], "이(가) 딕셔너리가 아닙니다.", "is not a dict."), call, got=got, hint=hint,
            kind=Problem.WRONG_TYPE,
        )  # fmt: skip
    for key, spread in spreads.items():
        what = f"{steps.labels[-1]}['{key}']"
        if key not in got:
            raise Mismatch(_text(what, "이(가) 없습니다.", "is missing."), call, hint=hint, kind=Problem.WRONG_KEYS)
        values = as_array(got[key], np.shape(expected[key]), call, what, hint)
        std, mean = float(values.std()), float(values.mean())
        wrong_hint = spread_hint(key, std, mean, spread) if spread_hint is not None else hint
        if spread == 0:
            if np.any(values != 0):
                raise Mismatch(_text(what, "은(는) 0이어야 합니다.", "should be zeros."), call, got=values,
                               hint=wrong_hint, kind=Problem.WRONG_VALUE)  # fmt: skip
            continue
        if not (abs(std - spread) <= rel * spread and abs(mean) <= centre * spread):
            raise Mismatch(
                Text(
                    f"{what}의 표준편차가 {std:.3g}, 평균이 {mean:.3g}입니다 (표준편차 {spread:g}, 평균 0이어야 함).",
                    f"{what} has standard deviation {std:.3g} and mean {mean:.3g}; expected about {spread:g} and 0.",
                ),
                call,
                expected={"std": spread, "mean": 0.0},
                got={"std": round(std, 6), "mean": round(mean, 6)},
                hint=wrong_hint,
                kind=Problem.WRONG_VALUE,
            )
    return got


# -- comparing ------------------------------------------------------------------------------------


def compare(
    got: object,
    expected: object,
    call: Call,
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
    dtype: str | None = None,
    what: str = "the result",
    hint: Text | None = None,
) -> None:
    """Raise :class:`Mismatch` unless ``got`` matches ``expected`` (arrays, numbers, dicts, tuples, lists)."""
    if expected is None:
        return  # the reference returns nothing here: nothing to compare
    if got is None:
        raise Mismatch(_text(what, "이(가) None입니다 (반환값 없음).", "is None (nothing returned)."), call, expected,
                       got, RETURNED_NONE, kind=Problem.WRONG_TYPE)  # fmt: skip
    if type(expected) is np.ndarray:
        _compare_array(got, expected, call, rtol, atol, dtype, what, hint)
    elif type(expected) is dict:
        _compare_dict(got, expected, call, rtol=rtol, atol=atol, dtype=dtype, what=what, hint=hint)
    elif type(expected) in (tuple, list) and isinstance(expected, (tuple, list)):
        _compare_sequence(got, expected, call, rtol=rtol, atol=atol, dtype=dtype, what=what, hint=hint)
    elif type(expected) in (bool, str) or isinstance(expected, np.bool_):
        if type(got) is not type(expected) or got != expected:
            raise Mismatch(_text(what, "이(가) 기대값과 다릅니다.", "differs from the expected value."), call,
                           expected, got, hint, kind=Problem.WRONG_VALUE)  # fmt: skip
    else:
        value = as_scalar(got, call, hint)
        if not np.isclose(value, float(expected), rtol=rtol, atol=atol):  # type: ignore[arg-type]
            raise Mismatch(_text(what, "이(가) 기대값과 다릅니다.", "differs from the expected value."), call,
                           expected, got, hint, kind=Problem.WRONG_VALUE)  # fmt: skip


def _compare_array(
    got: object, expected: np.ndarray, call: Call, rtol: float, atol: float, dtype: str | None, what: str,
    hint: Text | None,
) -> None:  # fmt: skip
    array = as_array(got, expected.shape, call, what, hint)
    if dtype == "exact" and array.dtype != expected.dtype or dtype == "kind" and _kind(array) != _kind(expected):
        raise Mismatch(
            _text(what, f"의 dtype이 {array.dtype}입니다. {expected.dtype}이어야 합니다.",
                  f"has dtype {array.dtype}; expected {expected.dtype}."),
            call, expected, got, hint, kind=Problem.WRONG_TYPE,
        )  # fmt: skip
    if not np.allclose(array, expected, rtol=rtol, atol=atol):
        raise Mismatch(_text(what, "이(가) 기대값과 다릅니다.", "differs from the expected value."), call,
                       expected, got, hint, kind=Problem.WRONG_VALUE)  # fmt: skip


def _kind(array: np.ndarray) -> str:
    return "i" if array.dtype.kind in "iu" else array.dtype.kind


def _compare_dict(
    got: object, expected: dict[str, Any], call: Call, *, what: str, hint: Text | None, **tolerances: Any
) -> None:
    if type(got) is not dict or set(got) != set(expected):
        kind = Problem.WRONG_KEYS if type(got) is dict else Problem.WRONG_TYPE
        shown = sorted(map(str, got)) if type(got) is dict else describe_type(got)
        raise Mismatch(
            _text(what, f"이(가) 키 {sorted(expected)}의 딕셔너리가 아닙니다: {shown}",
                  f"is not a dict with keys {sorted(expected)}: {shown}"),
            call, list(expected), got if type(got) is not dict else sorted(got), hint, kind=kind,
        )  # fmt: skip
    for key in expected:
        compare(got[key], expected[key], call, what=f"{_name(what)}[{key!r}]", hint=hint, **tolerances)


def _compare_sequence(
    got: object, expected: tuple[Any, ...] | list[Any], call: Call, *, what: str, hint: Text | None, **tolerances: Any
) -> None:
    if not isinstance(got, (tuple, list)) or type(got) not in (tuple, list) or len(got) != len(expected):
        raise Mismatch(
            _text(what, f"이(가) 값 {len(expected)}개의 튜플이 아닙니다: {describe_type(got)}",
                  f"is not a tuple of {len(expected)} values: {describe_type(got)}"),
            call, None, got, hint, kind=Problem.WRONG_TYPE,
        )  # fmt: skip
    for index, (item, wanted) in enumerate(zip(got, expected, strict=True)):
        compare(item, wanted, call, what=f"{_name(what)}[{index}]", hint=hint, **tolerances)


def _name(what: str) -> str:
    return "result" if what == "the result" else what


def _text(what: str, ko: str, en: str) -> Text:
    return Text(f"{'결과' if what == 'the result' else what}{ko}", f"{what} {en}")


# -- doing nothing ---------------------------------------------------------------------------------


def assert_not_trivial(expected: object, call: Call) -> None:
    """Refuse a test whose expected array is what doing nothing returns: zeros, ones, or an argument echoed back.

    Such a test would pay a stub that returns its input (or ``np.zeros_like``); it is the test author's to fix,
    so it is the kit's error (an internal error in the report), never a student's score.
    """
    if type(expected) is not np.ndarray or expected.size == 0:
        return
    echoes = [value for value in call.args if type(value) is np.ndarray and value.shape == expected.shape]
    for trivial in [np.zeros_like(expected), np.ones_like(expected), *echoes]:
        if np.allclose(trivial, expected, rtol=RTOL, atol=ATOL):
            raise TrivialExpected(
                f"the test's expected result of {call.describe()} is what a submission doing nothing returns "
                "(zeros, ones or an argument); choose inputs for which the answer is real work",
                ko=f"{call.describe()}의 기대값이 아무것도 하지 않는 제출물의 반환값(0, 1, 인자 그대로)과 같습니다. "
                "답을 계산해야만 나오는 입력을 고르세요.",
            )
