"""The train_neuralnet unit: the book's training loop run on the student's TwoLayerNet, and its checks.

The loop itself is kit code (:func:`courses.ch04_learning.untrusted.procedures.train_two_layer_net`); the
student's ``__init__`` and ``gradient`` steer it. The data are the real MNIST
subset bundled in ``dataset/mnist_5k`` (4,000 training / 1,000 test images), sent
to the worker as plain arrays. Pass or fail is decided here, on the trusted side,
from the parameters that come back; the learning curves go to the report.

Calibration (reference solution, one thread, this kit's 2-core machine; scripts/calibrate_training.py):
600 iterations (the hidden test) reach test accuracy 0.77-0.79 over seeds in about 0.6 s; 400 (public)
reach 0.65-0.69 in about 0.4 s (both tests read one 600-iteration run, the public one at iteration 400);
2,000 (the notebook) 0.90-0.91 in about 2 s. Gradients that are wrong in the usual ways stay far below the thresholds,
except sigmoid_grad(z1), which still learns (see the README's MNIST section).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
from collections.abc import Iterator
from functools import cache

import numpy as np

from courses.ch04_learning.hints import raised_hint
from courses.ch04_learning.untrusted import procedures
from grader import sandbox
from grader.assignment import KIT_ROOT
from grader.pipeline.checks import Mismatch, Problem, Text, as_dict, name_hints
from grader.pipeline.student_errors import StudentRaised
from grader.untrusted.calls import Call

DATASET_MODULE = KIT_ROOT / "dataset" / "mnist.py"
HIDDEN_SIZE, BATCH_SIZE, LEARNING_RATE = 50, 100, 0.1  # the book's train_neuralnet
SEED = 2024
# One student run per grading serves both tests: the hidden test judges its end, the public test the
# parameters after PUBLIC_ITERS (its first iterations are a PUBLIC_ITERS run's, batch for batch).
RUN_ITERS, PUBLIC_ITERS, RUN_SECONDS = 600, 400, 10.0
PARAM_SHAPES = {"W1": (784, HIDDEN_SIZE), "b1": (HIDDEN_SIZE,), "W2": (HIDDEN_SIZE, 10), "b2": (10,)}
CURVE_KEYS = ("train_loss", "epochs", "train_acc", "test_acc", "params", "seconds", "snapshots")

TRAIN_GRADIENT = Text(
    "학습은 여러분의 TwoLayerNet.gradient(오차역전파법)로 매개변수를 갱신합니다. gradient가 W1 b1 W2 b2 기울기를 "
    "params와 같은 형상으로 돌려주는지, dy = (y - t) / batch_num과 sigmoid_grad(a1)을 확인하세요.",
    "training updates the parameters with your TwoLayerNet.gradient (backpropagation): check that it returns the "
    "W1 b1 W2 b2 gradients shaped like params, with dy = (y - t) / batch_num and sigmoid_grad(a1).",
)
# Any timeout of the training run gets this hint, the book's own code on a grading machine too busy to train in time
# too (a realistic class graded at load 20 on 2 cores, issue 24): it must not tell that student to change their code.
TRAIN_TOO_SLOW = Text(
    "학습이 시간 제한 안에 끝나지 않았습니다. gradient 안에서 numerical_gradient를 쓰면 784-50-10 신경망(매개변수 "
    "39,760개)에서는 한 번에 수십 초가 걸리니 오차역전파법으로 구현하세요. 이미 오차역전파법이라면 채점 컴퓨터가 바빴을 "
    "수 있습니다: 조교에게 재채점을 요청하세요.",
    "the training did not finish within its time limit. numerical_gradient inside gradient takes tens of seconds per "
    "step on the 784-50-10 network (39,760 parameters): implement gradient by backpropagation. If it already is "
    "backpropagation, the grading machine may have been busy: ask your TA to regrade.",
)
HINTS = name_hints(globals(), "ch04_learning")  # the two hints above, with ids like hints.py's


_OPENBLAS_THREADS = (
    "scipy_openblas_{}_num_threads64_",
    "scipy_openblas_{}_num_threads",
    "openblas_{}_num_threads64_",
    "openblas_{}_num_threads",
)


@cache
def _openblas() -> tuple | None:
    """(get, set) of the OpenBLAS that NumPy loaded, or None (another BLAS, or not Linux)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and "/" in line})
        for path in paths:
            library = ctypes.CDLL(path)
            for pattern in _OPENBLAS_THREADS:
                if hasattr(library, pattern.format("set")) and hasattr(library, pattern.format("get")):
                    return getattr(library, pattern.format("get")), getattr(library, pattern.format("set"))
    except OSError:
        pass
    return None


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the block with one OpenBLAS thread (trusted side only; workers have one already).

    The training multiplies small matrices, which threads do not speed up; on a busy machine the
    spinning threads made the reference's 2,000 iterations five times slower (37 s against 7 s).
    """
    functions = _openblas()
    if functions is None:
        yield
        return
    get, set_threads = functions
    before = get()
    set_threads(1)
    try:
        yield
    finally:
        set_threads(before)


@cache
def _dataset_module():
    """dataset/mnist.py, loaded by path: it ships with the assignment, not as an installed package."""
    spec = importlib.util.spec_from_file_location("_ch04_dataset_mnist", DATASET_MODULE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def bundled_mnist() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, t_train, x_test, t_test) of the bundled subset: float32 images in [0, 1], one-hot labels."""
    (x_train, t_train), (x_test, t_test) = _dataset_module().load_mnist(
        normalize=True, one_hot_label=True, source="bundled"
    )
    return x_train, t_train, x_test, t_test


def training_call(iters_num: int = RUN_ITERS, seconds: float = RUN_SECONDS) -> Call:
    """train_two_layer_net on the bundled data with the book's hyperparameters and a fixed seed."""
    kwargs = {
        "hidden_size": HIDDEN_SIZE,
        "iters_num": iters_num,
        "batch_size": BATCH_SIZE,
        "learning_rate": LEARNING_RATE,
        "snapshots": [PUBLIC_ITERS] if PUBLIC_ITERS < iters_num else [],
    }
    return Call("TwoLayerNet", bundled_mnist(), kwargs, seed=SEED, procedure="train_two_layer_net", seconds=seconds)


def accuracy_on_test_set(params: dict) -> float:
    """Accuracy of ``params`` on the bundled test images, computed here (trusted)."""
    _, _, x_test, t_test = bundled_mnist()
    return procedures.accuracy_of(params, x_test.astype(np.float64), np.argmax(t_test, axis=1))


def checked_run(result: object, reference: dict, call: Call) -> dict:
    """The student's training result, every array checked for type and shape, or Mismatch.

    nan and inf are let through: a run that diverged is drawn as such and fails on accuracy.
    """
    result = as_dict(result, CURVE_KEYS, call, TRAIN_GRADIENT)
    checked = {"params": _params(result["params"], call, "params")}
    for key in ("train_loss", "epochs", "train_acc", "test_acc"):
        checked[key] = _array(result[key], reference[key].shape, call, key)
    seconds = result["seconds"]
    checked["seconds"] = float(seconds) if type(seconds) is float else float("nan")
    snapshots = result["snapshots"]
    wanted = len(call.kwargs.get("snapshots", []))
    if type(snapshots) is not list or len(snapshots) != wanted:
        raise Mismatch(
            Text(
                "학습 결과의 snapshots가 요청한 개수가 아닙니다.",
                "the training result's snapshots are not as many as asked",
            ),
            call,
            hint=TRAIN_GRADIENT,
            kind=Problem.WRONG_TYPE,
        )
    checked["snapshots"] = [_params(params, call, "snapshots") for params in snapshots]
    return checked


def _params(value: object, call: Call, what: str) -> dict[str, np.ndarray]:
    params = as_dict(value, tuple(PARAM_SHAPES), call, TRAIN_GRADIENT, result=False)
    return {key: _array(params[key], shape, call, f"{what}['{key}']") for key, shape in PARAM_SHAPES.items()}


def at_iteration(run: dict, iters_num: int) -> dict:
    """The run as a run of only its first ``iters_num`` iterations: its curves cut, the parameters then."""
    if iters_num == len(run["train_loss"]):
        return run
    kept = run["epochs"] < iters_num
    return {
        **run,
        "train_loss": run["train_loss"][:iters_num],
        "epochs": run["epochs"][kept],
        "train_acc": run["train_acc"][kept],
        "test_acc": run["test_acc"][kept],
        "params": run["snapshots"][0],  # the one snapshot a run takes: at PUBLIC_ITERS
    }


def _array(value: object, shape: tuple[int, ...], call: Call, what: str) -> np.ndarray:
    """A numeric ndarray of exactly ``shape`` (finite or not), or Mismatch."""
    if type(value) is not np.ndarray or value.dtype.kind not in "fiu" or value.shape != shape:
        raise Mismatch(
            Text(
                f"학습 결과의 {what}이(가) 모양 {shape}의 숫자 배열이 아닙니다.",
                f"{what} of the training result is not a numeric array of shape {shape}.",
            ),
            call,
            hint=TRAIN_GRADIENT,
            kind=Problem.WRONG_SHAPE,
        )
    return value.astype(np.float64)


def curve(run: dict, iters_num: int) -> dict:
    """What the report draws: plain floats only (the worker's values were checked, never strings)."""
    return {
        "iters_num": iters_num,
        "epochs": [int(v) for v in run["epochs"]],
        "train_loss": [float(v) for v in run["train_loss"]],
        "train_acc": [float(v) for v in run["train_acc"]],
        "test_acc": [float(v) for v in run["test_acc"]],
        "final_test_acc": accuracy_on_test_set(run["params"]),
        "seconds": float(run["seconds"]),
    }


def check_training(unit, record_property, threshold: float, iters_num: int = RUN_ITERS) -> tuple[dict, dict]:
    """The student's and the reference's run, judged after ``iters_num`` iterations; both curves recorded;
    test accuracy then must reach ``threshold``. The student's net trains once per grading run, whichever
    test asks first (:meth:`UnitHarness.got_once`).

    Returns (student's curve, reference's curve) for further checks.
    """
    call = training_call()
    try:  # the student first: when their code raises or hangs there is no curve to compare with
        got = unit.got_once(call, "training run")["result"]
    except sandbox.WorkerTimeout as error:  # not an endless loop: numerical gradients, thousands of times too slow
        error.hint = TRAIN_TOO_SLOW
        raise
    except StudentRaised as error:  # e.g. no params dict: the hint its kind points to, else the gradient's
        error.hint = raised_hint(call.unit, error.type, error.text, TRAIN_GRADIENT)
        raise
    with single_threaded_blas():
        reference = unit.expected(call)["result"]
    reference_curve = curve(at_iteration(reference, iters_num), iters_num)
    record_property("reference_curve", reference_curve)
    student_curve = curve(at_iteration(checked_run(got, reference, call), iters_num), iters_num)
    record_property("student_curve", student_curve)
    accuracy = student_curve["final_test_acc"]
    if not accuracy >= threshold:
        problem = Text(
            f"학습 후 시험 정확도가 {accuracy:.3f}입니다 ({threshold:g} 이상이어야 함; 기준 풀이 {reference_curve['final_test_acc']:.3f}).",
            f"test accuracy after training is {accuracy:.3f}; at least {threshold:g} is required "
            f"(reference solution: {reference_curve['final_test_acc']:.3f}).",
        )
        # The accuracy is computed from what the worker sent: only a public test of a worker without reference
        # code shows it (in the problem); hidden and guarded tests show the fixed sentence and the hint. No
        # ``expected``: the loss that did not fall (test_short_training) ends with the same code and hint, and a
        # guarded test's words may not tell the two apart (the reference's accuracy is in the problem's text).
        raise Mismatch(
            problem,
            call,
            got=accuracy,
            hint=TRAIN_GRADIENT,
            kind=Problem.BELOW_THRESHOLD,
        )
    return student_curve, reference_curve
