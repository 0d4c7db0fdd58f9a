"""The engine's own procedures, which every assignment may name without course code: step through an object.

A test of a class often needs more than one call on one object: build a layer, call ``forward``, then
``backward``, then read the ``dW`` it kept. :func:`step_through` does that from plain data (a list of
steps), on the worker's side with the student's class and on the trusted side with the reference's, and
returns one observation per step; the trusted side compares them (:mod:`grader.pipeline.generic`).

Imports nothing of the kit: a worker loads it, and a step names only methods and attributes.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

STEP_THROUGH = "grader.step_through"  # the procedure's name in a Call (``grader.`` never clashes with a course's)


class StepError(Exception):
    """A step the test wrote is malformed (the test's fault, never the student's)."""


def _observed(value: object) -> object:
    """A private copy of what a step saw: a later step must not change an earlier observation (a kept mask)."""
    if type(value) is np.ndarray:
        return np.array(value, copy=True)
    if type(value) in (tuple, list, dict):
        return copy.deepcopy(value)
    return value


def _write_params(obj: object, values: dict[str, Any]) -> None:
    """Write values into ``obj.params`` in place (as the book's training loop updates them)."""
    current = getattr(obj, "params", None)
    if not isinstance(current, dict):
        raise AttributeError("the object has no params dict (self.params)")
    for key, value in values.items():
        if key not in current:
            raise KeyError(f"params has no key {key!r}")
        if np.shape(current[key]) != np.shape(value):
            raise ValueError(f"params[{key!r}] has shape {np.shape(current[key])}, expected {np.shape(value)}")
        current[key][...] = value


def _run_step(obj: object, step: dict[str, Any]) -> object:
    """One step: ``{"call": name, "args": [...], "kwargs": {...}}``, ``{"read": name}`` or ``{"params": {...}}``."""
    if "call" in step:
        return _observed(getattr(obj, step["call"])(*step.get("args", ()), **step.get("kwargs", {})))
    if "read" in step:
        return _observed(getattr(obj, step["read"]))
    if "params" in step:
        _write_params(obj, step["params"])
        return None
    raise StepError(f"unknown step {sorted(step)}")


def step_through(
    cls: type, steps: object, init_args: tuple[Any, ...] = (), init_kwargs: dict[str, Any] | None = None
) -> list[object]:
    """Build ``cls(*init_args, **init_kwargs)``, run ``steps`` in order on it, return one observation per step."""
    if not isinstance(steps, (list, tuple)) or not all(isinstance(step, dict) for step in steps):
        raise StepError("steps must be a list of dicts")
    obj = cls(*init_args, **(init_kwargs or {}))
    return [_run_step(obj, step) for step in steps]


PROCEDURES = {STEP_THROUGH: step_through}
