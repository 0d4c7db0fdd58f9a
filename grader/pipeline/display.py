"""Values from a worker: admitted at the boundary, and summarised as bounded, inert text for feedback.

A worker may send any plain data the protocol carries, of any size: an integer with
hundreds of digits, a 16 MiB string, nested lists. :func:`admit` replaces what no
check can compare (an integer beyond a float's range) with an
:class:`~grader.untrusted.protocol.Unsupported` stand-in, so a wrong value is always the
student's failure and never an error in the grader; :func:`summarize` is the one place
that turns such a value into text, and its length is fixed whatever the value.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np

from grader.pipeline.inert import clean, one_line
from grader.untrusted.protocol import FunctionRef, Unsupported

VALUE_LIMIT = 300  # characters of one shown value
ITEMS_SHOWN = 6  # items of a tuple, list or dict
DEPTH_SHOWN = 3  # levels of nesting
STRING_SHOWN = 60  # characters of a long string
ARRAY_VALUES = 24  # an array with at most this many values is shown whole
EDGE_ITEMS = 2  # a larger array shows this many items at each end of every axis, as numpy prints it
PRECISION = 4  # significant digits of a number shown alone; digits after the point in an array
PRECISIONS = (4, 6, 8, 10, 12, 16)  # tried in turn until expected and got read differently
TYPE_NAME_LIMIT = 100


def digits(value: int) -> int:
    """How many decimal digits ``abs(value)`` has, without converting it to text (no digit limit applies)."""
    magnitude: int = abs(value)
    if magnitude < 10:
        return 1
    estimate = int((magnitude.bit_length() - 1) * math.log10(2)) + 1
    return estimate + int(magnitude >= 10**estimate)


def admit(value: object, depth: int = 0) -> object:
    """``value`` with every integer a float cannot hold replaced by an Unsupported that says how large it was."""
    if type(value) is int and value.bit_length() > 1023:  # float(value) would raise OverflowError in any check
        try:
            float(value)
        except OverflowError:
            return Unsupported(f"int with {digits(value)} digits, too large for a float")
        return value
    if depth > 64:  # the protocol bounds nesting already; this only keeps the walk itself bounded
        return value
    if type(value) is list:
        return [admit(item, depth + 1) for item in value]
    if type(value) is tuple:
        return tuple(admit(item, depth + 1) for item in value)
    if type(value) is dict:
        return {key: admit(item, depth + 1) for key, item in value.items()}
    return value


def describe_type(value: object, lang: str = "en") -> str:
    """What kind of value this is, for "expected X, got Y" messages; ``lang="ko"``: a phrase a Korean sentence can
    hold (``shape (5,), dtype float64인 ndarray``), not English inside Korean."""
    if isinstance(value, Unsupported):
        return one_line(value.type_name, TYPE_NAME_LIMIT)
    if type(value) is np.ndarray:
        if lang == "ko":
            return f"shape {value.shape}, dtype {value.dtype}인 ndarray"
        return f"ndarray of shape {value.shape} and dtype {value.dtype}"
    if type(value) is str and len(value) > STRING_SHOWN:
        return f"{len(value)}자 길이의 str" if lang == "ko" else f"str of {len(value)} characters"
    return type(value).__name__


def summarize(value: object, limit: int = VALUE_LIMIT, precision: int = PRECISION) -> str:
    """A short, inert rendering of any value a worker sent, as a learner writes it: never more than ``limit``
    characters. Numbers and arrays are printed by numpy (``0.2``, ``array([[0.1, 0.2, ..., 0.3, 0.4], ...],
    shape=(4, 10))``), not as ``np.float64(0.19999999)``."""
    return clean(_summary(value, DEPTH_SHOWN, precision), limit)


def summarize_pair(expected: object, got: object, limit: int = VALUE_LIMIT) -> tuple[str, str]:
    """(expected, got) with the fewest digits that still tell them apart (``0.2`` and ``0.200001``)."""
    for precision in PRECISIONS:
        shown = summarize(expected, limit, precision), summarize(got, limit, precision)
        if shown[0] != shown[1]:
            return shown
    return summarize(expected, limit), summarize(got, limit)


def learner_number(value: float | np.floating, precision: int = PRECISION) -> str:
    """A real number with ``precision`` significant digits at most, by numpy's own formatting: 0.2, 16.11, 1e-09."""
    number = float(value)
    if number == 0 or not math.isfinite(number) or 1e-4 <= abs(number) < 1e8:
        return np.format_float_positional(number, precision=precision, unique=True, fractional=False, trim="-")
    return np.format_float_scientific(number, precision=precision - 1, unique=True, trim="-")


def learner_array(value: np.ndarray, precision: int = PRECISION) -> str:
    """numpy's own repr on one line: whole when small, else a few items at each end and ``shape=``."""
    try:
        with np.printoptions(precision=precision, threshold=ARRAY_VALUES, edgeitems=EDGE_ITEMS, linewidth=10**6):
            text = np.array_repr(value)
    except Exception:  # noqa: BLE001  an odd dtype numpy cannot print: say what it is instead
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = " ".join(text.split())  # one line
    if value.dtype.kind in "biufc":  # without numpy's column padding ("[ 0.,", "0.5 ]"); never inside a string
        text = text.replace("[ ", "[").replace(" ,", ",").replace(" ]", "]")
    if value.size > ARRAY_VALUES and "shape=" not in text:  # numpy < 2.2 does not say the shape of a cut array
        text = f"{text[:-1]}, shape={value.shape})"
    return text


def _summary(value: object, depth: int, precision: int = PRECISION) -> str:
    kind = type(value)
    if isinstance(value, Unsupported):
        return f"a {describe_type(value)}"
    if type(value) is FunctionRef:
        return one_line(value.name, 80)
    if value is None or kind is bool:
        return repr(value)
    if type(value) is float or isinstance(value, np.floating):
        return learner_number(value, precision)
    if type(value) is int:
        return repr(value) if digits(value) <= 40 else f"an int with {digits(value)} digits"
    if type(value) is str:  # repr() shows control and bidi characters as escapes
        if len(value) <= STRING_SHOWN:
            return repr(value)
        return f"str of {len(value)} characters, starting {value[:STRING_SHOWN]!r}"
    if type(value) is np.ndarray:
        return learner_array(value, precision)
    if isinstance(value, (np.integer, np.bool_)):
        return str(value)
    if isinstance(value, np.generic):
        return repr(value)
    if type(value) in (tuple, list, dict):
        return _container(cast(Container, value), depth, precision)
    return f"a {kind.__name__}"


Container = tuple[object, ...] | list[object] | dict[object, object]


def _container(value: Container, depth: int, precision: int = PRECISION) -> str:
    opening, closing = {tuple: ("(", ")"), list: ("[", "]"), dict: ("{", "}")}[type(value)]
    if depth <= 0:
        return f"{opening}… {len(value)} items{closing}"
    if isinstance(value, dict):
        parts = [
            f"{_summary(key, 0)}: {_summary(item, depth - 1, precision)}"
            for key, item in list(value.items())[:ITEMS_SHOWN]
        ]
    else:
        parts = [_summary(item, depth - 1, precision) for item in value[:ITEMS_SHOWN]]
    parts = [clean(part, VALUE_LIMIT) for part in parts]
    if len(value) > ITEMS_SHOWN:
        parts.append(f"… {len(value) - ITEMS_SHOWN} more")
    comma = "," if type(value) is tuple and len(value) == 1 else ""
    return opening + ", ".join(parts) + comma + closing
