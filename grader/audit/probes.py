"""The probes a surviving mutant is run on, and when two answers count as the same.

A survivor passed every test, so the suites' own calls alone cannot tell "equivalent" from "the suites never
look there": an untested branch answers exactly as the solution does. The probes are therefore the suites'
calls *and* each call perturbed the way NumPy code breaks: every float array argument scaled by 1000
(overflow, a wrong max subtracted), negated, a 1-D array stacked into two rows and a 2-D array cut to its
first row (the other branch), every integer keyword one more and one less (a last partial batch of one).
A perturbed call the solution itself cannot answer is dropped. A survivor is *equivalent-looking* when it
answers every probe as the solution does, up to float rounding (``RTOL``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from grader.untrusted.calls import Call

RTOL = 1e-12  # answers that differ by float rounding only count as the same
SCALE = 1000.0


def perturbed(call: Call) -> list[Call]:
    """The call as the suites made it, then its perturbations (deterministic order)."""
    found = [call]
    for position, value in enumerate(call.args):
        for other in _variants(value):
            args = list(call.args)
            args[position] = other
            found.append(replace(call, args=tuple(args)))
    for key, value in sorted(call.kwargs.items()):
        for other in _variants(value):
            found.append(replace(call, kwargs={**call.kwargs, key: other}))
    return found


def _variants(value: object) -> list[object]:
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size:
        variants: list[object] = [value * SCALE, -value]
        if value.ndim == 1:
            variants.append(np.stack([value, value[::-1]]))
        elif value.ndim == 2:
            variants.append(value[0].copy())
        return variants
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_) and value > 1:
        return [int(value) + 1, int(value) - 1]
    return []


def same_answers(a: object, b: object) -> bool:
    """Equal plain data; arrays of one dtype and shape, equal up to float rounding (``RTOL``), NaN equal to NaN."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_answers(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(same_answers(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray | np.generic) or isinstance(b, np.ndarray | np.generic):
        x, y = np.asarray(a), np.asarray(b)
        if x.dtype != y.dtype or x.shape != y.shape:
            return False
        if x.dtype.kind in "fc":
            return bool(np.allclose(x, y, rtol=RTOL, atol=0.0, equal_nan=True))
        return bool(np.array_equal(x, y))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or bool(np.isclose(a, b, rtol=RTOL, atol=0.0)) or (a != a and b != b)
    return type(a) is type(b) and a == b
