"""Inputs and the few checks of ch05_backprop the engine's generic ones do not cover (no solution here).

The layers are graded with :func:`grader.pipeline.generic.check_steps` straight from the test files; what is
here: random inputs, the network's calls, the gradient check against the numerical gradient, and training.
"""

from __future__ import annotations

import contextlib
import importlib.util
from functools import cache

import numpy as np

from courses.ch05_backprop.hints import NET_GRADIENT, TRAIN_GRADIENT, raised_hint
from grader import sandbox
from grader.assignment import KIT_ROOT
from grader.pipeline.checks import Mismatch, Problem, Text, as_array, as_dict
from grader.pipeline.generic import compare, student_result
from grader.untrusted.calls import Call

try:  # the kit's checkout: chapter 4's OpenBLAS limiter for the trusted reference run (see its docstring)
    from courses.ch04_learning.training import single_threaded_blas
except ImportError:  # a ch05 student repository: no ch04 package, and the reference's answers are recorded
    single_threaded_blas = contextlib.nullcontext  # type: ignore[assignment]

PARAM_KEYS = ("W1", "b1", "W2", "b2")
SIZES = (5, 4, 3)  # a tiny network: the numerical gradient of 784-50-10 would take minutes
# backprop against the numerical gradient (h = 1e-4, the loss's 1e-7 delta): they differ by ~1e-9 relative on
# these inputs; a wrong backward differs by > 1e-2.
RTOL_GRADCHECK, ATOL_GRADCHECK = 1e-4, 1e-7
# the numerical gradient itself: two correct ways (nditer, a flat loop) differ by rounding, <= 1e-9.
RTOL_NUMERICAL, ATOL_NUMERICAL = 1e-6, 1e-9
HIDDEN_SIZE, BATCH_SIZE, LEARNING_RATE, SEED = 50, 100, 0.1, 2025
RUN_ITERS, PUBLIC_ITERS, RUN_SECONDS = 400, 200, 20.0


def rng_for(*salt: int) -> np.random.Generator:
    """A generator for one test: fixed salts, plus the grading seed in hidden tests."""
    return np.random.default_rng(list(salt))


def mixed(rng: np.random.Generator, shape: tuple[int, ...], zeros: int = 0) -> np.ndarray:
    """Floats of both signs, none near 0 or 1 unless ``zeros`` exact zeros are asked for (ReLU's edge)."""
    x = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.3, 2.5, size=shape)
    x.reshape(-1)[:zeros] = 0.0
    return x


def one_hot(rng: np.random.Generator, rows: int, classes: int) -> np.ndarray:
    """One-hot labels with every class's row differing."""
    return np.eye(classes)[rng.integers(0, classes, size=rows)]


def net_call(method: str, args: tuple, rng: np.random.Generator, scale: float = 1.0) -> Call:
    """``TwoLayerNet(5, 4, 3).method(*args)`` after writing random params into it in place."""
    input_size, hidden_size, output_size = SIZES
    params = {
        "W1": rng.normal(scale=scale, size=(input_size, hidden_size)),
        "b1": rng.normal(scale=scale, size=hidden_size),
        "W2": rng.normal(scale=scale, size=(hidden_size, output_size)),
        "b2": rng.normal(scale=scale, size=output_size),
    }
    return Call(f"TwoLayerNet.{method}", args, init_args=SIZES, seed=0, params=params)


def net_raised(error) -> Text | None:
    """The hint for an exception from the student's network."""
    return raised_hint("TwoLayerNet", error.type, error.text)


def check_gradcheck(unit, rng: np.random.Generator) -> None:
    """The student's backprop gradient agrees with the reference's numerical gradient at the same params."""
    while True:  # away from ReLU's kink: a central difference across it is no gradient (h moves a1 by <= ~1e-3)
        x, t = rng.normal(size=(3, SIZES[0])), one_hot(rng, 3, SIZES[2])
        call = net_call("gradient", (x, t), rng, scale=0.3)  # small scores: no probability near the loss's 1e-7
        assert call.params is not None
        if np.min(np.abs(x @ call.params["W1"] + call.params["b1"])) > 0.01:
            break
    numerical = Call("TwoLayerNet.numerical_gradient", call.args, init_args=call.init_args, seed=0, params=call.params)
    expected = unit.expected(numerical)["result"]
    got = student_result(unit, call, net_raised)
    compare(got, expected, call, rtol=RTOL_GRADCHECK, atol=ATOL_GRADCHECK, what="gradient(x, t)", hint=NET_GRADIENT)


# -- training ----------------------------------------------------------------------------------------


@cache
def bundled_mnist() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, t_train, x_test, t_test) of the bundled subset (dataset/mnist.py, loaded by path as it ships)."""
    spec = importlib.util.spec_from_file_location("_ch05_dataset_mnist", KIT_ROOT / "dataset" / "mnist.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError("dataset/mnist.py is missing; the kit is incomplete")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (x_train, t_train), (x_test, t_test) = module.load_mnist(normalize=True, one_hot_label=True, source="bundled")
    return x_train, t_train, x_test, t_test


def training_call() -> Call:
    """train_backprop_net on the bundled MNIST subset with the book's hyperparameters and a fixed seed."""
    x_train, t_train, _, _ = bundled_mnist()
    kwargs = {
        "hidden_size": HIDDEN_SIZE,
        "iters_num": RUN_ITERS,
        "batch_size": BATCH_SIZE,
        "learning_rate": LEARNING_RATE,
        "snapshots": [PUBLIC_ITERS],
    }
    return Call("TwoLayerNet", (x_train, t_train), kwargs, seed=SEED, procedure="train_backprop_net",
                seconds=RUN_SECONDS)  # fmt: skip


def accuracy_on_test_set(params: dict) -> float:
    """Accuracy of ``params`` on the bundled test images (Affine, ReLU, Affine), computed here."""
    _, _, x_test, t_test = bundled_mnist()
    x = x_test.astype(np.float64)
    scores = np.maximum(0.0, x @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    return float(np.mean(np.argmax(scores, axis=1) == np.argmax(t_test, axis=1)))


def _params(value: object, call: Call) -> dict[str, np.ndarray]:
    shapes = {"W1": (784, HIDDEN_SIZE), "b1": (HIDDEN_SIZE,), "W2": (HIDDEN_SIZE, 10), "b2": (10,)}
    params = as_dict(value, PARAM_KEYS, call, TRAIN_GRADIENT, result=False)
    return {key: as_array(params[key], shapes[key], call, f"params['{key}']", TRAIN_GRADIENT) for key in PARAM_KEYS}


def check_training(unit, record_property, threshold: float, iters: int) -> float:
    """Test accuracy of the student's network after ``iters`` steps of the one training run; at least ``threshold``."""
    call = training_call()
    try:
        got = unit.got_once(call, "training run")["result"]
    except sandbox.WorkerTimeout as error:
        error.hint = TRAIN_GRADIENT
        raise
    with single_threaded_blas():  # spinning BLAS threads made the reference run time out at load averages above 30
        reference = unit.expected(call)["result"]
    result = as_dict(got, ("params", "snapshots"), call, TRAIN_GRADIENT)
    snapshots = result["snapshots"]
    if type(snapshots) is not list or len(snapshots) != 1:
        raise Mismatch(Text("학습 결과가 완전하지 않습니다.", "the training result is incomplete."), call,
                       hint=TRAIN_GRADIENT, kind=Problem.WRONG_TYPE)  # fmt: skip
    params = _params(result["params"] if iters == RUN_ITERS else snapshots[0], call)
    reference_params = reference["params"] if iters == RUN_ITERS else reference["snapshots"][0]
    reference_accuracy = accuracy_on_test_set(reference_params)
    record_property("reference_accuracy", reference_accuracy)
    accuracy = accuracy_on_test_set(params)
    if not accuracy >= threshold:
        raise Mismatch(
            Text(
                f"{iters}회 학습 후 시험 정확도가 {accuracy:.3f}입니다 ({threshold:g} 이상이어야 함).",
                f"test accuracy after {iters} steps is {accuracy:.3f}; at least {threshold:g} is required.",
            ),
            call,
            expected=reference_accuracy,
            got=accuracy,
            hint=TRAIN_GRADIENT,
            kind=Problem.BELOW_THRESHOLD,
        )
    return accuracy
