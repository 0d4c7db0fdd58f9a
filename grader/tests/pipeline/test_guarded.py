"""Guarded feedback says nothing the worker chose: every guarded public test of ch03, ch04 and ch05, fuzzed.

A unit whose worker holds reference code of other units (gradient_descent, TwoLayerNet, train_neuralnet;
forward, predict, accuracy) could send that code out through what it returns. Each of their public tests
runs here against a fake worker whose answers Hypothesis draws: a *shape* (a dict, an array, a type of
its own, a raised exception, the reference's answer disturbed...) filled twice with different *content*
(names, keys, type names, texts, frames, sizes, numbers). Wherever the two fillings end the same way
(the same outcome, problem code, exception name, hint id and call), their messages must be equal: the
message does not depend on the content. No marker of the content may appear, and every code must come
from its closed set. That bounds what one guarded test can say to the number of those endings, which
SECURITY.md states in bits (:func:`grader.pipeline.guarded.guarded_bits`).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.util
import inspect
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader import sandbox
from grader.assignment import KIT_ROOT, load_assignment
from grader.pipeline import render
from grader.pipeline.checks import Problem, Text
from grader.pipeline.classify import classify, guarded_diagnosis
from grader.pipeline.display import describe_type
from grader.pipeline.engine_hints import ENGINE_HINTS
from grader.pipeline.guarded import ANY_EXCEPTION, BUILTIN_EXCEPTIONS, guarded_bits, render_guarded
from grader.pipeline.plugin import UnitHarness
from grader.pipeline.reference import load_reference, use_course
from grader.pipeline.scoring import OUTCOMES
from grader.pipeline.student_errors import StudentRaised
from grader.untrusted.calls import Call
from grader.untrusted.protocol import Unsupported

MARK = "Qz"  # every string the fake worker chooses contains it; a message that shows one has leaked
SHAPES = (
    "unsupported",
    "string",
    "keys",
    "reference-keys",
    "array",
    "sequence",
    "raise",
    "none",
    "number",
    "disturbed",
)


def guarded_tests() -> list[tuple[str, str, str]]:
    """(assignment, unit, test function) of every public test whose unit's worker gets reference units."""
    found = []
    for assignment_id in ("ch03_networks", "ch04_learning", "ch05_backprop"):
        assignment = load_assignment(assignment_id)
        graded = {unit.name for unit in assignment.units}
        for unit in assignment.units:
            if set(unit.uses) & graded:
                for function in unit.points.get("public", {}):
                    found.append((assignment_id, unit.name, function))
    return found


@functools.cache
def course(assignment_id: str):
    assignment = load_assignment(assignment_id)
    use_course(assignment)
    hints = importlib.import_module(f"courses.{assignment_id}.hints")
    catalogue = dict(hints.HINTS)
    if assignment_id == "ch04_learning":
        catalogue.update(importlib.import_module("courses.ch04_learning.training").HINTS)
    catalogue.update({hint.id: hint for hint in ENGINE_HINTS})  # the engine's own: a timeout, None returned, ...
    return assignment, load_reference(assignment), catalogue


def suite_function(assignment_id: str, unit: str, function: str):
    path = KIT_ROOT / "tests_public" / assignment_id / f"test_{unit}.py"
    spec = importlib.util.spec_from_file_location(f"guarded_{assignment_id}_{unit}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, function)


def content(seed: int):
    """A filling: the worker's free choices, all different from seed to seed."""
    rng = random.Random(seed)

    def text() -> str:
        return f"{MARK}{rng.randrange(10**9)}"

    def number() -> float:
        return rng.choice([-1, 1]) * rng.uniform(1.5, 9.5) * 10 ** rng.randint(-3, 5)

    return rng, text, number


def fill(shape: str, size: int, seed: int, reference: object, call: Call) -> object:
    """The worker's result for one call: ``shape`` (and ``size``) fixed, everything else from ``seed``."""
    rng, text, number = content(seed)
    if shape == "unsupported":
        return Unsupported(text())
    if shape == "string":
        return text() * size
    if shape == "keys":
        return {text(): np.full((size,), number()) for _ in range(size)}
    if shape == "reference-keys" and type(reference) is dict:
        return {key: np.full((rng.randint(1, 9),), number()) for key in reference}
    if shape == "array":
        return np.full(tuple(rng.randint(2, 40) for _ in range(size % 3 + 1)), number())
    if shape == "sequence":
        return [text() if index % 2 else number() for index in range(size)]
    if shape == "number":
        return number()
    if shape == "disturbed":
        return disturb(reference, rng, number)
    return None


def disturb(value: object, rng: random.Random, number) -> object:
    """The reference's answer, its numbers moved by amounts the filling chooses (the same structure)."""
    if type(value) is np.ndarray and value.dtype.kind in "fiu":
        return value.astype(float) * number() + rng.uniform(-1, 1)
    if type(value) is dict:
        return {key: disturb(item, rng, number) for key, item in value.items()}
    if type(value) in (tuple, list):
        return type(value)(disturb(item, rng, number) for item in value)
    if type(value) in (float, int) or isinstance(value, np.generic):
        return float(value) * number()
    return value


@dataclass
class FakeSession:
    """What a UnitHarness asks of its session, with a worker whose answers the test chooses."""

    reference: object
    shape: str
    size: int
    seed: int
    lang: str = "both"
    kept: dict = field(default_factory=dict)
    calls: int = 0

    def run_student(self, unit: str, call: Call) -> dict:
        self.calls += 1
        expected = self.reference.run(call)
        if self.shape == "raise":
            rng, text, _ = content(self.seed)
            kind = BUILTIN_EXCEPTIONS[self.size % len(BUILTIN_EXCEPTIONS)] if self.size % 2 else text()
            raise StudentRaised(call, {"type": kind, "message": text(), "where": [text(), text()]})
        observed = dict(expected)
        observed["result"] = fill(self.shape, self.size, self.seed + self.calls, expected.get("result"), call)
        return observed


def ending(assignment_id: str, unit: str, function: str, shape: str, size: int, seed: int) -> tuple:
    """Run one guarded test against the fake worker: (its ending's codes and call, message, diagnosis)."""
    assignment, reference, _ = course(assignment_id)
    session = FakeSession(reference, shape, size, seed)
    harness = UnitHarness(unit, "public", session)  # type: ignore[arg-type]
    test = suite_function(assignment_id, unit, function)
    arguments = {"unit": harness, "record_property": lambda name, value: None, "grading_seed": 12345}
    wanted = {name: arguments[name] for name in inspect.signature(test).parameters}
    try:
        test(**wanted)
        excinfo = None
    except (AssertionError, StudentRaised, sandbox.WorkerFailure, Exception) as error:  # noqa: BLE001
        excinfo = pytest.ExceptionInfo.from_exception(error)
    ended = excinfo.value if excinfo is not None else None
    view = render.guarded_view(classify(ended), ended, "both")
    message = render_guarded(view, "both")
    hint, mistake, _ = guarded_diagnosis(view, "both")
    key = (
        view.outcome,
        view.problem,
        view.raised,
        view.hint.id if view.hint else None,
        view.call.describe() if view.call is not None else None,
        type(excinfo.value).__name__ if excinfo is not None else None,  # which kind of failure, not its words
    )
    return key, view, message + "\n" + hint + "\n" + mistake


GUARDED = guarded_tests()


def test_the_guarded_tests_are_the_ones_of_units_holding_reference_code():
    units = {(assignment, unit) for assignment, unit, _ in GUARDED}
    assert units == {
        ("ch03_networks", "forward"),
        ("ch03_networks", "predict"),
        ("ch03_networks", "accuracy"),
        ("ch04_learning", "gradient_descent"),
        ("ch04_learning", "TwoLayerNet"),
        ("ch04_learning", "train_neuralnet"),
        ("ch05_backprop", "TwoLayerNet"),
        ("ch05_backprop", "train_neuralnet"),
    }


# The training test runs the reference's 600 steps once (memoised) and each filling in milliseconds.
@pytest.mark.parametrize(("assignment_id", "unit", "function"), GUARDED, ids=[f"{t[0]}:{t[1]}/{t[2]}" for t in GUARDED])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(
    shape=st.sampled_from(SHAPES), size=st.integers(1, 6), seeds=st.tuples(st.integers(0, 10**6), st.integers(0, 10**6))
)
def test_a_guarded_message_depends_on_codes_only(assignment_id, unit, function, shape, size, seeds):
    _, _, catalogue = course(assignment_id)
    endings = [ending(assignment_id, unit, function, shape, size, seed) for seed in seeds]
    for _key, view, text in endings:
        assert MARK not in text, text  # no string, name, key, text or frame the worker chose
        assert view.outcome in OUTCOMES
        assert view.problem is None or view.problem in Problem
        assert view.raised in ("", ANY_EXCEPTION, *BUILTIN_EXCEPTIONS)
        assert view.hint is None or view.hint.id in catalogue, view.hint
    (key_a, _, text_a), (key_b, _, text_b) = endings
    if key_a == key_b:  # the same ending from two fillings: the same words, whatever the numbers and sizes were
        assert text_a == text_b


def test_the_proof_can_fail_when_a_worker_value_reaches_the_message(monkeypatch):
    """A renderer that also describes the value that came back is caught both ways: by its markers, and by
    two fillings that end the same way but read differently (an array's shape, no marker in it)."""
    original = render.guarded_view

    def leaky(verdict, error, lang):
        view = original(verdict, error, lang)
        got = getattr(error, "got", None)
        return dataclasses.replace(view, fixed_text=f"got {describe_type(got)}")

    monkeypatch.setattr(render, "guarded_view", leaky)
    texts = [
        ending("ch04_learning", "gradient_descent", "test_book_function_2", "unsupported", 1, s)[2] for s in (1, 2)
    ]
    assert all(MARK in text for text in texts)
    endings = [ending("ch03_networks", "forward", "test_book_example", "array", 2, seed) for seed in range(6)]
    assert any(a[0] == b[0] and a[2] != b[2] for a in endings for b in endings)


def test_the_bound_is_what_security_md_states():
    """SECURITY.md's figure for ch04 (the larger catalogue) is guarded_bits of its hints, rounded up."""
    _, _, catalogue = course("ch04_learning")
    bits = guarded_bits(len(catalogue))
    text = (Path(KIT_ROOT) / "SECURITY.md").read_text(encoding="utf-8")
    assert f"at most {int(np.ceil(bits))} bits" in text, bits
    assert all(isinstance(hint, Text) and hint.id for hint in catalogue.values())
