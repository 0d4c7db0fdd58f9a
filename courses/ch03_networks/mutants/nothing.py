"""Do-nothing submissions: each unit written so that it computes nothing, and each must earn 0 points there.

A do-nothing entry replaces one unit's cell by code that never does the unit's work: a constant, zeros or
ones of the right shape, the input echoed back, uniform probabilities, an empty or all-zero network.
Grading one must give 0 in its unit and cost nothing in any other. A point such an entry earns is a point
paid for nothing.
"""

from __future__ import annotations

from courses.ch03_networks.mutants.base import (
    ACCURACY,
    FORWARD,
    INIT,
    PREDICT,
    RELU,
    SIGMOID,
    SOFTMAX,
    STEP,
    Define,
    Variant,
    nothing,
)

SIGNATURES = {
    STEP: "x",
    SIGMOID: "x",
    RELU: "x",
    SOFTMAX: "x",
    INIT: "",
    FORWARD: "network, x",
    PREDICT: "network, x",
    ACCURACY: "network, x, t, batch_size=100",
}


def _body(name: str, body: str) -> Define:
    """Replace the cell defining ``name`` by ``def name(signature): body``."""
    return Define(name, f"def {name}({SIGNATURES[name]}):\n    {body}\n")


def _do_nothing(name: str, id: str, ko: str, en: str, body: str) -> Variant:
    return nothing(id, name, ko, en, _body(name, body))


_OUT_SHAPE = "np.shape(x)[:-1] + (network['W3'].shape[1],)"

# fmt: off
NOTHING: list[Variant] = [
    _do_nothing(STEP, "none_step_zeros", "0 배열", "zeros", "return np.zeros_like(x, dtype=int)"),
    _do_nothing(STEP, "none_step_ones", "1 배열", "ones", "return np.ones_like(x, dtype=int)"),
    _do_nothing(STEP, "none_step_echo", "x를 그대로", "x echoed", "return x"),
    _do_nothing(SIGMOID, "none_sigmoid_half", "모두 0.5", "0.5 everywhere", "return np.full_like(x, 0.5)"),
    _do_nothing(SIGMOID, "none_sigmoid_echo", "x를 그대로", "x echoed", "return x"),
    _do_nothing(SIGMOID, "none_sigmoid_zeros", "0 배열", "zeros", "return np.zeros_like(x)"),
    _do_nothing(RELU, "none_relu_zeros", "0 배열", "zeros", "return np.zeros_like(x)"),
    _do_nothing(RELU, "none_relu_echo", "x를 그대로", "x echoed", "return x"),
    _do_nothing(SOFTMAX, "none_softmax_uniform", "균등한 확률", "uniform probabilities",
                "return np.ones_like(x) / x.shape[-1]"),
    _do_nothing(SOFTMAX, "none_softmax_echo", "x를 그대로", "x echoed", "return x"),
    _do_nothing(SOFTMAX, "none_softmax_zeros", "0 배열", "zeros", "return np.zeros_like(x)"),
    _do_nothing(INIT, "none_init_empty", "빈 딕셔너리", "an empty dict", "return {}"),
    _do_nothing(INIT, "none_init_zeros", "올바른 형상의 0 배열들", "zeros of the right shapes",
                "return {k: np.zeros(s) for k, s in [('W1', (2, 3)), ('b1', 3), ('W2', (3, 2)), ('b2', 2), "
                "('W3', (2, 2)), ('b3', 2)]}"),
    _do_nothing(INIT, "none_init_ones", "올바른 형상의 1 배열들", "ones of the right shapes",
                "return {k: np.ones(s) for k, s in [('W1', (2, 3)), ('b1', 3), ('W2', (3, 2)), ('b2', 2), "
                "('W3', (2, 2)), ('b3', 2)]}"),
    _do_nothing(FORWARD, "none_forward_zeros", "올바른 형상의 0 배열", "zeros of the right shape",
                f"return np.zeros({_OUT_SHAPE})"),
    _do_nothing(FORWARD, "none_forward_echo", "x를 그대로", "x echoed", "return x"),
    _do_nothing(FORWARD, "none_forward_b3", "b3만 반환", "b3 alone",
                f"return np.broadcast_to(network['b3'], {_OUT_SHAPE}).copy()"),
    _do_nothing(PREDICT, "none_predict_uniform", "균등한 확률", "uniform probabilities",
                f"return np.full({_OUT_SHAPE}, 1.0 / network['W3'].shape[1])"),
    _do_nothing(PREDICT, "none_predict_zeros", "올바른 형상의 0 배열", "zeros of the right shape",
                f"return np.zeros({_OUT_SHAPE})"),
    _do_nothing(PREDICT, "none_predict_echo", "x를 그대로", "x echoed", "return x"),
    _do_nothing(ACCURACY, "none_accuracy_zero", "항상 0.0", "always 0.0", "return 0.0"),
    _do_nothing(ACCURACY, "none_accuracy_one", "항상 1.0", "always 1.0", "return 1.0"),
    _do_nothing(ACCURACY, "none_accuracy_half", "항상 0.5", "always 0.5", "return 0.5"),
    _do_nothing(ACCURACY, "none_accuracy_chance", "1 / 클래스 수", "1 / the number of classes",
                "return 1.0 / network['W3'].shape[1]"),
]
# fmt: on
