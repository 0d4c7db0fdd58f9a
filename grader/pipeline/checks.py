"""What the tests use to compare a student's raw result with the reference's, on the trusted side.

Every value that came back from a worker is admitted at the boundary
(:func:`grader.pipeline.display.admit`) and checked before it is compared: exact
type (``type(x) is np.ndarray``), numeric dtype, finite, exact shape. Failures
are raised as :class:`Mismatch` with bilingual text; the plugin decides how much
of it a student may see (a hidden test never shows its inputs or expected values).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import SupportsFloat, cast

import numpy as np

from grader.pipeline.display import describe_type, summarize
from grader.untrusted.calls import Call


@dataclass(frozen=True)
class Text:
    """A message in Korean and English; a hint's ``id`` names it in reports (see :func:`name_hints`)."""

    ko: str
    en: str
    id: str = ""

    def render(self, lang: str) -> str:
        """The message in one language, or both (``"both"``)."""
        if lang == "ko":
            return self.ko
        if lang == "en":
            return self.en
        return f"{self.ko} / {self.en}"


def name_hints(namespace: dict[str, object], course: str) -> dict[str, Text]:
    """Give every module-level :class:`Text` of a course's hints module its id, ``<course>.<name>``.

    Called at the end of ``courses/<id>/hints.py`` with ``globals()``: the constants are rebound to copies
    that carry their ids, so whatever imports them afterwards (checks, tests) passes ids along. Reports and
    the class report group mistakes by these ids; nothing reads a hint's text back.
    """
    named = {}
    for name, value in list(namespace.items()):
        if type(value) is Text and name.isupper():
            named[name] = namespace[name] = replace(value, id=f"{course}.{name.lower()}")
    return {text.id: text for text in named.values()}


class Problem(StrEnum):
    """What a check found wrong, from a closed vocabulary: the words a guarded test may show about a result."""

    NOT_A_NUMBER = "not-a-number"  # one number was expected
    WRONG_TYPE = "wrong-type"  # not the kind of value expected (an array, a dict, a pair)
    WRONG_KEYS = "wrong-keys"  # a dict without exactly the expected keys
    WRONG_SHAPE = "wrong-shape"  # an array of another shape
    NOT_FINITE = "not-finite"  # nan or inf where numbers were expected
    WRONG_VALUE = "wrong-value"  # numbers that differ from the expected ones
    INPUT_CHANGED = "input-changed"  # the call changed an input it should have left as it was
    BELOW_THRESHOLD = "below-threshold"  # a measure (accuracy, a falling loss) short of what the test requires


# The only text a guarded test shows about a result: one fixed sentence per Problem, nothing from the worker.
PROBLEM_TEXT = {
    Problem.NOT_A_NUMBER: Text("결과가 스칼라 하나가 아닙니다.", "the result is not one number (a scalar)."),
    # One sentence for the result itself and for a value inside it (a dict's scalar b2): true of both.
    Problem.WRONG_TYPE: Text(
        "결과 또는 그 안의 값이 기대한 종류(배열, 딕셔너리, 튜플, 숫자)가 아닙니다.",
        "the result, or a value inside it, is not of the kind expected (an array, a dict, a tuple, a number).",
    ),
    Problem.WRONG_KEYS: Text(
        "딕셔너리의 키가 기대한 키와 다릅니다.", "the dict does not have exactly the expected keys."
    ),
    Problem.WRONG_SHAPE: Text("배열의 모양이 기대한 모양과 다릅니다.", "an array does not have the expected shape."),
    Problem.NOT_FINITE: Text("결과에 nan 또는 inf가 있습니다.", "the result contains nan or inf."),
    Problem.WRONG_VALUE: Text("결과가 기대값과 다릅니다.", "the result differs from the expected value."),
    Problem.INPUT_CHANGED: Text("호출이 입력을 바꾸었습니다.", "the call changed its input."),
    Problem.BELOW_THRESHOLD: Text(
        "결과가 이 테스트가 요구하는 기준에 미치지 못합니다.", "the result falls short of what this test requires."
    ),
}


class Mismatch(AssertionError):
    """The student's result is wrong: what was checked (``kind``, a closed code, and ``problem``, its full
    text), the call, expected vs got, and a hint.

    ``problem`` may quote what came back (a shape, a type name, a number); ``kind`` never does. A test whose
    worker holds reference code shows only ``kind``'s fixed sentence (:data:`PROBLEM_TEXT`).
    """

    def __init__(
        self,
        problem: Text,
        call: Call | None = None,
        expected: object = None,
        got: object = None,
        hint: Text | None = None,
        *,
        kind: Problem = Problem.WRONG_VALUE,
    ) -> None:
        super().__init__(problem.en)
        self.problem = problem
        self.kind = Problem(kind)
        self.call = call
        self.expected = expected
        self.got = got
        self.hint = hint


def show(value: object) -> str:
    """A short, bounded rendering of a value for feedback (see :func:`grader.pipeline.display.summarize`)."""
    return summarize(value)


def _ko(what: str, particle: str = "") -> str:
    """The Korean name of a checked value with its particle: 결과가, but x_history이(가) for code names."""
    name = "결과" if what == "the result" else what
    if not particle:
        return name
    with_final, without_final = particle.split("(")[0], particle.split("(")[1].rstrip(")")
    last = name[-1]
    if "가" <= last <= "힣":  # a Hangul syllable: the particle follows its final consonant
        return name + (with_final if (ord(last) - ord("가")) % 28 else without_final)
    return name + particle


# A result of None is a fact, not a guess: whatever the course would have guessed from a wrong value, the
# function returned nothing, and the hint must send the student to their `return`.
RETURNED_NONE = Text(
    "함수가 아무것도 반환하지 않았습니다 (None). `return`이 없거나, 이 호출이 지나가지 않는 `if`나 반복문 안에만 "
    "있는지 확인하세요.",
    "the function returned nothing (None): is its `return` missing, or only inside an `if` or a loop this call "
    "does not reach?",
    id="grader.returned-none",
)


def _hint_for(got: object, hint: Text | None) -> Text | None:
    """The hint for a result that is not the kind expected: the engine's when it is None, else the course's."""
    return RETURNED_NONE if got is None else hint


def as_scalar(got: object, call: Call, hint: Text | None = None) -> float:
    """A real number, or Mismatch. NumPy scalars, Python numbers and 0-d arrays count."""
    if type(got) is np.ndarray and got.shape == () and got.dtype.kind in "fiu":
        got = got[()]
    if isinstance(got, (np.floating, np.integer)) or type(got) is int or type(got) is float:
        value = float(got)
        if not np.isfinite(value):
            raise Mismatch(
                Text("결과가 유한한 수가 아닙니다 (nan 또는 inf).", "the result is not finite (nan or inf)."),
                call,
                got=got,
                hint=hint,
                kind=Problem.NOT_FINITE,
            )
        return value
    raise Mismatch(
        Text(
            f"스칼라 하나를 반환해야 하는데 {describe_type(got, 'ko')}을(를) 반환했습니다.",
            f"should return one number (a scalar), but returned {describe_type(got)}.",
        ),
        call,
        got=got,
        hint=_hint_for(got, hint),
        kind=Problem.NOT_A_NUMBER,
    )


def as_array(
    got: object, shape: tuple[int, ...], call: Call, what: str = "the result", hint: Text | None = None
) -> np.ndarray:
    """A finite float/int ndarray of exactly ``shape``, or Mismatch."""
    if type(got) is not np.ndarray or got.dtype.kind not in "fiu":
        raise Mismatch(
            Text(
                f"{_ko(what, '은(는)')} 모양 {shape}의 NumPy 배열이어야 하는데 {describe_type(got, 'ko')}입니다.",
                f"{what} should be a NumPy array of shape {shape}, but is {describe_type(got)}.",
            ),
            call,
            got=got,
            hint=_hint_for(got, hint) if what == "the result" else hint,
            kind=Problem.WRONG_TYPE,
        )
    if got.shape != shape:
        raise Mismatch(
            Text(
                f"{_ko(what)}의 모양이 {got.shape}입니다. {shape}이어야 합니다.",
                f"{what} has shape {got.shape}; expected shape {shape}.",
            ),
            call,
            got=got,
            hint=hint,
            kind=Problem.WRONG_SHAPE,
        )
    if not np.isfinite(got).all():
        raise Mismatch(
            Text(f"{_ko(what)}에 nan 또는 inf가 있습니다.", f"{what} contains nan or inf."),
            call,
            got=got,
            hint=hint,
            kind=Problem.NOT_FINITE,
        )
    return got


def assert_close(
    got: object,
    expected: object,
    call: Call,
    rtol: float,
    atol: float,
    what: str = "the result",
    hint: Text | None = None,
) -> None:
    """Compare a checked result with the reference within tolerances."""
    if isinstance(expected, np.ndarray):
        close = bool(np.allclose(as_array(got, expected.shape, call, what, hint), expected, rtol=rtol, atol=atol))
    else:
        number = as_scalar(got, call, hint)
        close = bool(np.isclose(number, float(cast(SupportsFloat, expected)), rtol=rtol, atol=atol))
    if not close:
        raise Mismatch(
            Text(f"{_ko(what, '이(가)')} 기대값과 다릅니다.", f"{what} differs from the expected value."),
            call,
            expected=expected,
            got=got,
            hint=hint,
            kind=Problem.WRONG_VALUE,
        )


def as_pair(got: object, call: Call, hint: Text | None = None) -> tuple[object, object]:
    """A tuple or list of exactly two items (e.g. ``(x, x_history)``), or Mismatch."""
    if (type(got) is tuple or type(got) is list) and len(got) == 2:
        return got[0], got[1]
    raise Mismatch(
        Text(
            f"(x, x_history) 두 값을 반환해야 하는데 {describe_type(got, 'ko')}을(를) 반환했습니다.",
            f"should return two values (x, x_history), but returned {describe_type(got)}.",
        ),
        call,
        got=got,
        hint=_hint_for(got, hint),
        kind=Problem.WRONG_TYPE,
    )


def as_dict(
    got: object, keys: tuple[str, ...], call: Call, hint: Text | None = None, *, result: bool = True
) -> dict[str, object]:
    """A dict with exactly ``keys``, or Mismatch; ``result``: ``got`` is what the call returned (None: no return)."""
    if type(got) is not dict:
        raise Mismatch(
            Text(
                f"딕셔너리를 반환해야 하는데 {describe_type(got, 'ko')}을(를) 반환했습니다.",
                f"should return a dict, but returned {describe_type(got)}.",
            ),
            call,
            got=got,
            hint=_hint_for(got, hint) if result else hint,
            kind=Problem.WRONG_TYPE,
        )
    if set(got) != set(keys):
        raise Mismatch(
            Text(
                f"딕셔너리의 키가 {summarize(sorted(got))}입니다. {list(keys)}이어야 합니다.",
                f"the dict has keys {summarize(sorted(got))}; expected {list(keys)}.",
            ),
            call,
            got=sorted(got),
            expected=list(keys),
            hint=hint,
            kind=Problem.WRONG_KEYS,
        )
    return got


def is_number(value: object) -> bool:
    """True for real numbers of any kind (not bool)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)
