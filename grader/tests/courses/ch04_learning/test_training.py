"""The train_neuralnet unit: procedures named in Calls, the training loop, its grading and its curves."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

from courses.ch04_learning import training as ch04_training
from courses.ch04_learning.untrusted import procedures
from grader import sandbox
from grader.pipeline import curves
from grader.pipeline.report import render_markdown
from grader.pipeline.session import GradingSession
from grader.tests.conftest import scores
from grader.tests.helpers import solution_with
from grader.untrusted.calls import Call, execute

TRAINING = ["train_neuralnet"]


def tiny_data(rng: np.random.Generator, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """A separable 3-class problem with 6 features: x float32, t one-hot."""
    labels = rng.integers(0, 3, rows)
    x = (rng.normal(scale=0.3, size=(rows, 6)) + np.eye(3)[labels].repeat(2, axis=1)).astype(np.float32)
    return x, np.eye(3)[labels]


def tiny_call(**kwargs) -> Call:
    rng = np.random.default_rng(5)
    data = (*tiny_data(rng, 60), *tiny_data(rng, 30))
    options = {"hidden_size": 8, "iters_num": 150, "batch_size": 10, "learning_rate": 1.0} | kwargs
    return Call("TwoLayerNet", data, options, seed=3, procedure="train_two_layer_net")


# -- Call and the procedure library ------------------------------------------------------------


def test_procedure_calls_round_trip_and_other_calls_keep_their_data():
    call = Call("TwoLayerNet", (1,), {"a": 2}, seed=4, procedure="train_two_layer_net", seconds=20.0)
    assert Call.from_data(call.to_data()) == call and "seconds" not in call.to_data()  # the limit stays trusted-side
    assert call.unit == "TwoLayerNet"
    assert call.describe().startswith("train_two_layer_net(TwoLayerNet, 1, a=2")
    plain = Call("numerical_diff", (1.0,))
    assert set(plain.to_data()) == {"target", "args", "kwargs", "init_args", "init_kwargs", "seed", "params", "observe"}
    assert Call.from_data(plain.to_data()) == plain


def test_unknown_procedure_is_a_clear_error(reference):
    with pytest.raises(KeyError, match="no procedure named 'train_forever'"):
        execute(reference.namespace, Call("TwoLayerNet", (), procedure="train_forever"))


def test_training_loop_learns_and_is_reproducible(reference):
    first = execute(reference.namespace, tiny_call())["result"]
    again = execute(reference.namespace, tiny_call())["result"]
    assert first["train_loss"].shape == (150,) and first["epochs"].tolist() == list(range(0, 150, 6))
    assert first["train_acc"].shape == first["test_acc"].shape == (25,)
    assert first["test_acc"][-1] > 0.9 > first["test_acc"][0]
    assert np.mean(first["train_loss"][-15:]) < 0.5 * np.mean(first["train_loss"][:15])
    assert {key: value.shape for key, value in first["params"].items()} == {
        "W1": (6, 8),
        "b1": (8,),
        "W2": (8, 3),
        "b2": (3,),
    }
    for key in procedures.PARAM_KEYS:
        assert np.array_equal(first["params"][key], again["params"][key])


def test_gradient_of_the_wrong_shape_is_named(reference):
    class Scalar(reference.namespace["TwoLayerNet"]):
        def gradient(self, x, t):
            grads = super().gradient(x, t)
            grads["b2"] = float(np.sum(grads["b2"]))
            return grads

    with pytest.raises(
        procedures.ProcedureError, match=r"gradient\(\)\['b2'\] has shape \(\); params\['b2'\] has \(3,\)"
    ):
        execute({"TwoLayerNet": Scalar}, tiny_call())


def test_a_gradient_of_the_wrong_shape_is_not_blamed_on_init():
    """A TA's class: grads['b2'] = np.sum(dy) made train_neuralnet hint at __init__'s params, which were right."""
    from courses.ch04_learning import hints

    scalar = "gradient()['b2'] has shape (); params['b2'] has (10,)"
    assert hints.raised_hint("train_neuralnet", "ProcedureError", scalar, ch04_training.TRAIN_GRADIENT) is (
        hints.NET_BIAS_AXIS
    )
    wrong_axis = "gradient()['b2'] has shape (100,); params['b2'] has (10,)"
    assert hints.raised_hint("train_neuralnet", "ProcedureError", wrong_axis, ch04_training.TRAIN_GRADIENT) is (
        ch04_training.TRAIN_GRADIENT
    )
    unwritable = "params['W1'] has shape (3, 2), expected (2, 3)"  # the kit writing params: __init__'s shapes
    assert hints.raised_hint("TwoLayerNet", "ValueError", unwritable, None) is hints.NET_INIT


# -- grading -----------------------------------------------------------------------------------

NO_BATCH_DIVISION = """
class TwoLayerNet(TwoLayerNet):
    def gradient(self, x, t):
        grads = super().gradient(x, t)
        return {key: value * x.shape[0] for key, value in grads.items()}
"""


def test_solution_trains_and_the_report_shows_the_curves_it_may(grade, monkeypatch):
    """Course grading: the worker holds reference units, so only the reference's curve is kept and drawn (the
    student's could carry that code out); where it holds none (a student repository), both are drawn."""
    report = grade(solution_with([]), units=TRAINING)
    assert scores(report) == {"train_neuralnet": 10.0}
    hidden = [t for t in report.units[0].tests if t.suite == "hidden"][0]
    assert hidden.guarded and "student_curve" not in hidden.details
    assert 0.75 <= hidden.details["reference_curve"]["final_test_acc"] <= 0.82  # calibrated: 0.791
    markdown = render_markdown(report)
    assert markdown.count("data:image/svg+xml;base64,") == 1 and "your worker held reference code" in markdown

    monkeypatch.setattr(GradingSession, "holds_reference_units", lambda self, unit: False)
    report = grade(solution_with([]), units=TRAINING)
    hidden = [t for t in report.units[0].tests if t.suite == "hidden"][0]
    student, expected = hidden.details["student_curve"], hidden.details["reference_curve"]
    assert student["final_test_acc"] == pytest.approx(expected["final_test_acc"], abs=0.005)
    assert len(student["train_loss"]) == 600
    markdown = render_markdown(report)
    assert markdown.count("data:image/svg+xml;base64,") == 2 and "learning curves (hidden, 600 iterations)" in markdown
    # GitHub strips data: images from comments and job summaries: there the curves are text, both of them.
    text = render_markdown(report, images=False)
    rows = [line for line in text.splitlines() if line.startswith(("| 훈련", "| 시험"))]
    assert "data:image" not in text and len(rows) == 3
    assert all(row.count("`") == 4 and row.count(" → ") == 2 for row in rows), rows
    loss = rows[0].split("`")[1]
    assert len(loss) == curves.SPARK_POINTS and loss[0] > loss[-1]  # the loss falls: a high block, then a low one
    # In Korean, the whole section is Korean: heading, suite, rows, captions.
    report.lang = "ko"
    korean = render_markdown(report, images=False)
    assert "학습 곡선 (숨은 테스트, 반복 600회)" in korean and "시험 정확도 0." in korean
    assert not re.search(r"iterations|learning curves|test acc|train loss|student|reference", korean), korean


def test_gradient_without_batch_division_fails_with_codes_not_numbers(grade):
    """The accuracy reached comes from the worker's params: a guarded or hidden test says only that it fell short."""
    report = grade(solution_with([NO_BATCH_DIVISION]), units=TRAINING)
    tests = {t.name: t for t in report.units[0].tests}
    assert scores(report) == {"train_neuralnet": 0.0}
    for test in tests.values():
        assert test.outcome == "failed" and test.problem == "below-threshold", test
        assert test.diagnosis == ch04_training.TRAIN_GRADIENT.id == "ch04_learning.train_gradient"
        assert "test accuracy after training is" not in test.message and "student_curve" not in test.details
    assert "below-threshold" in tests["short_training"].problem
    assert ch04_training.TRAIN_GRADIENT.en in tests["reaches_accuracy"].message


def test_numerical_gradient_training_times_out_with_a_hint(grade, monkeypatch):
    original = ch04_training.training_call
    monkeypatch.setattr(ch04_training, "training_call", lambda: original(seconds=1.5))
    slow = (
        "class TwoLayerNet(TwoLayerNet):\n    def gradient(self, x, t):\n        return self.numerical_gradient(x, t)\n"
    )
    report = grade(solution_with([slow]), units=TRAINING)
    tests = report.units[0].tests
    assert [t.outcome for t in tests] == ["timeout", "timeout"]
    assert all("backpropagation" in t.message and "ran past 1.5 s" in t.message for t in tests)
    assert "learning curves" not in render_markdown(report)  # nothing to compare: the reference is not even run


def test_missing_class_is_reported_as_missing(grade):
    notebook = solution_with([])
    notebook.cells = [c for c in notebook.cells if "class TwoLayerNet" not in c.source]
    report = grade(notebook, units=TRAINING)
    assert [t.outcome for t in report.units[0].tests] == ["missing", "missing"]


# -- curves ------------------------------------------------------------------------------------


def test_curve_svg_is_well_formed_and_survives_nan():
    curve = {
        "train_loss": [2.3, float("nan"), 1.0, float("inf"), 0.5] * 100,
        "epochs": [0, 40, 80],
        "train_acc": [0.1, float("nan"), 0.9],
        "test_acc": [0.1, 0.5, 0.8],
    }
    svg = curves.learning_curve_svg(curve, curves._loss_max(curve))
    root = ElementTree.fromstring(svg)
    paths = [element.get("d") for element in root.iter("{http://www.w3.org/2000/svg}path")]
    assert len(paths) == 3 and all(paths)
    assert "nan" not in svg and "inf" not in svg
    coordinates = [float(v) for d in paths for v in re.findall(r"-?\d+\.\d", d)]
    assert all(0 <= v <= curves.WIDTH for v in coordinates)


def test_report_without_curves_has_no_curve_section(grade):
    report = grade(solution_with([]), units=["numerical_diff"])
    assert "learning curves" not in render_markdown(report)


@pytest.mark.parametrize("kind", ["learns", "too slow"])
def test_the_student_net_trains_once_per_grading_and_both_tests_read_that_run(grade, monkeypatch, kind):
    """The public test judges iteration 400 and the hidden one iteration 600 of one run; a run that failed is
    that failure for both tests, not a second wait."""
    runs = []
    original_call = sandbox.Worker.call

    def counting(self, call_data, what, seconds=None):
        if call_data.get("procedure") == "train_two_layer_net":
            runs.append(call_data["kwargs"]["iters_num"])
        return original_call(self, call_data, what, seconds)

    monkeypatch.setattr(sandbox.Worker, "call", counting)
    # The student's curves are kept only where the worker holds no reference code (as in a student repository).
    monkeypatch.setattr(GradingSession, "holds_reference_units", lambda self, unit: False)
    cells = []
    if kind == "too slow":
        original = ch04_training.training_call
        monkeypatch.setattr(ch04_training, "training_call", lambda: original(seconds=1.5))
        cells = [
            "class TwoLayerNet(TwoLayerNet):\n    def gradient(self, x, t):\n        return self.numerical_gradient(x, t)\n"
        ]
    report = grade(solution_with(cells), units=TRAINING)
    tests = {test.name: test for test in report.units[0].tests}
    assert runs == [600], runs
    if kind == "learns":
        assert report.units[0].score == report.units[0].max_score
        public, hidden = (tests[name].details["student_curve"] for name in ("short_training", "reaches_accuracy"))
        assert (public["iters_num"], len(public["train_loss"])) == (400, 400)
        assert (hidden["iters_num"], len(hidden["train_loss"])) == (600, 600)
        assert public["train_loss"] == hidden["train_loss"][:400]  # one run, read at two points
        assert 0.5 <= public["final_test_acc"] < hidden["final_test_acc"]
    else:
        assert [test.outcome for test in tests.values()] == ["timeout", "timeout"]
