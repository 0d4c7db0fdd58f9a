"""Inputs, tolerances and checks for the ch03_networks suites (public and hidden share them; no solution here).

Every check runs one Call on the student's side and the reference's, compares them, and on a mismatch
raises with the hint :mod:`courses.ch03_networks.hints` diagnoses from what came back. An exception from
the student's code gets a hint too (from its type and message). Public tests only ask the reference for
calls they make on the passing path as well, so a student repository's recorded answers cover every call.
"""

from __future__ import annotations

import hashlib
import importlib.util
from functools import cache

import numpy as np

from courses.ch03_networks.hints import (
    ACC_AXIS,
    FORWARD_LAYERS,
    INIT_SHAPES,
    INIT_VALUES,
    PREDICT_SOFTMAX,
    SIGMOID_FORMULA,
    SOFTMAX_GENERAL,
    STEP_VALUES,
    accuracy_hint,
    forward_hint,
    predict_hint,
    raised_hint,
    relu_hint,
    sigmoid_hint,
    softmax_hint,
    step_hint,
)
from grader.assignment import KIT_ROOT
from grader.errors import GraderError
from grader.pipeline.checks import Mismatch, Text, as_array, as_dict, as_scalar, assert_close
from grader.pipeline.generic import check_call
from grader.untrusted.calls import Call

# Tolerances. Closed forms in float64: correct styles (np.maximum vs np.where, exp(x - max) computed once or
# twice, np.dot vs @, identity_function or not) differ by <= 1e-15 relative; the smallest mistakes (a missing
# bias of 0.1, a sigmoid on the output, softmax over the batch) move results by >= 1e-3.
RTOL_EXACT, ATOL_EXACT = 1e-7, 1e-10
# float32 MNIST images and weights: float32 rounding (~6e-8 relative) through three layers and exp.
RTOL_FLOAT32, ATOL_FLOAT32 = 1e-4, 1e-6
# accuracy is a share of rows: k / N, exact up to one division.
RTOL_SHARE, ATOL_SHARE = 1e-9, 1e-12

NETWORK_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")
BOOK_NETWORK = {
    "W1": np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]),
    "b1": np.array([0.1, 0.2, 0.3]),
    "W2": np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]),
    "b2": np.array([0.1, 0.2]),
    "W3": np.array([[0.1, 0.3], [0.2, 0.4]]),
    "b3": np.array([0.1, 0.2]),
}
WEIGHTS = KIT_ROOT / "data" / "ch03_networks" / "sample_weight.npz"
WEIGHTS_SHA256 = "4296361a2b18ed2e9ccbe8a20e9d3121a4b6c9f1e390d8e8435d4f9d0ddc751f"
DATASET_MODULE = KIT_ROOT / "dataset" / "mnist.py"


class CourseDataError(GraderError):
    """The shipped weights or the MNIST subset are missing or damaged: the kit's fault, never the student's."""


def rng_for(*salt: int) -> np.random.Generator:
    """A generator for one test: fixed salts, plus the grading seed in hidden tests."""
    return np.random.default_rng(list(salt))


def mixed_signs(rng: np.random.Generator, shape: tuple[int, ...], scale: float = 3.0) -> np.ndarray:
    """Floats of both signs with an exact 0 and values far from 0 and 1 (no do-nothing answer matches)."""
    x = rng.normal(scale=scale, size=shape)
    flat = x.reshape(-1)
    flat[0], flat[-1] = 0.0, 2.5 + abs(flat[-1])
    if flat.size > 2:
        flat[1] = -1.5 - abs(flat[1])
    return x


def random_network(rng: np.random.Generator, sizes: tuple[int, int, int, int], scale: float = 1.0) -> dict:
    """A 3-layer network of the given sizes, biases large enough that forgetting one shows."""
    network = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        network[f"W{i}"] = rng.normal(scale=scale, size=(n_in, n_out))
        network[f"b{i}"] = rng.normal(scale=scale, size=n_out)
    return network


@cache
def _mnist_test() -> tuple[np.ndarray, np.ndarray]:
    spec = importlib.util.spec_from_file_location("_ch03_dataset_mnist", DATASET_MODULE)
    if spec is None or spec.loader is None:
        raise CourseDataError(
            f"{DATASET_MODULE} is missing; the kit is incomplete",
            ko=f"{DATASET_MODULE}이(가) 없습니다: 키트가 불완전합니다",
        )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _, (x_test, t_test) = module.load_mnist(normalize=True, flatten=True, one_hot_label=False, source="bundled")
    return x_test, t_test.astype(np.int64)


def mnist_test(rows: slice | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Images (float32, 784 columns) and integer labels of the bundled MNIST test set."""
    x_test, t_test = _mnist_test()
    return x_test[rows].copy(), t_test[rows].copy()


@cache
def sample_network() -> dict[str, np.ndarray]:
    """The shipped inference weights (784-50-100-10, float32), read without pickle after checking the SHA-256."""
    try:
        data = WEIGHTS.read_bytes()
    except OSError as error:
        raise CourseDataError(
            f"{WEIGHTS} cannot be read ({error}); the kit is incomplete",
            ko=f"{WEIGHTS}을(를) 읽을 수 없습니다({error}): 키트가 불완전합니다",
        ) from None
    if hashlib.sha256(data).hexdigest() != WEIGHTS_SHA256:
        raise CourseDataError(
            f"{WEIGHTS} has the wrong SHA-256: rebuild it with scripts/make_ch03_weights.py",
            ko=f"{WEIGHTS}의 SHA-256이 다릅니다: scripts/make_ch03_weights.py로 다시 만드세요",
        )
    with np.load(WEIGHTS, allow_pickle=False) as weights:
        return {key: weights[key] for key in NETWORK_KEYS}


def student(unit, call: Call, hint: Text) -> dict:
    """The student's observations of ``call``; an exception from their code carries the hint its kind points to."""
    return unit.got_hinted(call, raised_for(call, hint))


def raised_for(call: Call, default: Text):
    """The hint for an exception from the student's code in ``call`` (its kind, else ``default``)."""
    return lambda error: raised_hint(call.unit, error.type, error.text, default)


# -- activations: the engine's check_call with this course's hints -------------------------------


def check_step(unit, x: np.ndarray) -> None:
    """step_function(x): 0/1 integers (or floats) of x's shape, equal to the reference's."""
    call = Call("step_function", (x,))
    check_call(unit, call, rtol=0.0, atol=0.0, hint=lambda got, _: step_hint(got, STEP_VALUES),
               raised=raised_for(call, STEP_VALUES), trivial_ok=True)  # fmt: skip


def check_sigmoid(unit, x: np.ndarray) -> None:
    """sigmoid(x) element by element, no nan for large |x|."""
    call = Call("sigmoid", (x,))
    check_call(unit, call, hint=lambda got, expected: sigmoid_hint(got, expected, x),
               raised=raised_for(call, SIGMOID_FORMULA), trivial_ok=True)  # fmt: skip


def check_relu(unit, x: np.ndarray) -> None:
    """relu(x) element by element."""
    call = Call("relu", (x,))
    check_call(unit, call, rtol=0.0, atol=0.0, hint=lambda got, _: relu_hint(got, x),
               raised=raised_for(call, relu_hint(None, x)), trivial_ok=True)  # fmt: skip


def check_softmax(unit, x: np.ndarray) -> None:
    """softmax of a 1-D x, or of each row of a 2-D x, without overflow."""
    call = Call("softmax", (x,))
    check_call(unit, call, hint=lambda got, _: softmax_hint(got, x), raised=raised_for(call, SOFTMAX_GENERAL),
               trivial_ok=True)  # fmt: skip


# -- init_network and forward --------------------------------------------------------------------


def student_network(unit) -> tuple[Call, dict[str, np.ndarray]]:
    """init_network() of the student: a dict of float arrays with the book's keys and shapes (else Mismatch)."""
    call = Call("init_network")
    got = as_dict(student(unit, call, INIT_SHAPES)["result"], NETWORK_KEYS, call, INIT_SHAPES)
    network = {}
    for key in NETWORK_KEYS:
        network[key] = as_array(got[key], BOOK_NETWORK[key].shape, call, f"network['{key}']", INIT_SHAPES)
    return call, network


def check_init_values(unit, keys: tuple[str, ...]) -> None:
    """init_network()[key] for ``keys`` equals the book's values (and shapes)."""
    expected = unit.expected(Call("init_network"))["result"]
    call, network = student_network(unit)
    for key in keys:
        assert_close(network[key], expected[key], call, RTOL_EXACT, 0.0, what=f"network['{key}']", hint=INIT_VALUES)


def check_init_forward(unit, x: np.ndarray) -> None:
    """The reference forward pass with the student's network gives the book network's output.

    Paid only for the book's numbers: the student's arrays are checked (keys, shapes, finite floats)
    before the reference touches them, and any wrong value moves the output.
    """
    _, network = student_network(unit)
    expected = unit.expected(Call("forward", (BOOK_NETWORK, x)))["result"]
    call = Call("forward", (network, x))
    got = unit.expected(call)["result"]  # the reference's forward on the student's numbers: no student code runs
    assert_close(got, expected, Call("init_network"), RTOL_EXACT, ATOL_EXACT, what="forward(init_network(), x)",
                 hint=INIT_VALUES)  # fmt: skip


def check_forward(unit, network: dict, x: np.ndarray) -> None:
    """forward(network, x): sigmoid hidden layers, identity output."""
    call = Call("forward", (network, x))
    check_call(unit, call, hint=forward_hint, raised=raised_for(call, FORWARD_LAYERS), trivial_ok=True)


# -- predict and accuracy ------------------------------------------------------------------------


def check_predict(unit, network: dict, x: np.ndarray) -> None:
    """predict(network, x): sigmoid hidden layers, softmax output, any sizes."""
    call = Call("predict", (network, x))
    rtol, atol = (RTOL_FLOAT32, ATOL_FLOAT32) if x.dtype == np.float32 else (RTOL_EXACT, ATOL_EXACT)
    check_call(unit, call, rtol=rtol, atol=atol, hint=predict_hint, raised=raised_for(call, PREDICT_SOFTMAX),
               trivial_ok=True)  # fmt: skip


def labels_with_share(unit, network: dict, x: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Integer labels that the reference's predictions match exactly on the rows ``right`` marks."""
    y = unit.expected(Call("predict", (network, x)))["result"]
    predicted = np.argmax(y, axis=1)
    classes = y.shape[1]
    return np.where(right, predicted, (predicted + 1) % classes).astype(np.int64)


def _share_without_axis(y: np.ndarray, t: np.ndarray, batch_size: int) -> float:
    """What np.argmax(y_batch) without axis gives: one flat index per batch compared with each of its labels."""
    matches = sum(
        int(np.sum(np.argmax(y[i : i + batch_size]) == t[i : i + batch_size])) for i in range(0, len(t), batch_size)
    )
    return matches / len(t)


def check_accuracy(unit, network: dict, x: np.ndarray, t: np.ndarray, batch_size: int | None) -> None:
    """accuracy(network, x, t[, batch_size]) against the reference, naming a dropped last batch or a count."""
    kwargs = {} if batch_size is None else {"batch_size": batch_size}
    call = Call("accuracy", (network, x, t), kwargs)
    expected = unit.expected(call)["result"]
    y = unit.expected(Call("predict", (network, x)))["result"]  # which rows are right, for the hint
    correct = np.argmax(y, axis=1) == t
    got = student(unit, call, ACC_AXIS)["result"]
    hint = accuracy_hint(got, float(expected), correct, batch_size or 100, _share_without_axis(y, t, batch_size or 100))
    try:
        as_scalar(got, call, hint)
    except Mismatch as mismatch:
        mismatch.expected = expected
        raise
    assert_close(got, expected, call, RTOL_SHARE, ATOL_SHARE, hint=hint)
