"""Do-nothing submissions: each unit written so that it computes nothing, and each must earn 0 points there.

A do-nothing entry replaces one unit's cell by code that never does the unit's work: a constant
(0, 1, NaN), zeros or ones of the right shape and dtype, the input echoed back, ``f(x)`` instead of
its derivative, the initial point returned with a history of copies or zeros, a network whose
methods return zeros of the right shapes, an empty ``params`` dict. Grading one must give 0 in its
unit (and in ``train_neuralnet`` for a network, which trains the student's own net) and cost nothing
in any other unit. A point such an entry earns is a point paid for nothing (issue 13).
"""

from __future__ import annotations

from courses.ch04_learning.mutants.base import Define, Variant, nothing

CEE, DIFF, GRAD, GD, NET = (
    "cross_entropy_error",
    "numerical_diff",
    "numerical_gradient",
    "gradient_descent",
    "TwoLayerNet",
)


def _function(name: str, signature: str, body: str) -> Define:
    """Replace the cell defining ``name`` by ``def name(signature): body``."""
    return Define(name, f"def {name}({signature}):\n    {body}\n")


def _cee(body: str) -> Define:
    return _function(CEE, "y, t", body)


def _diff(body: str) -> Define:
    return _function(DIFF, "f, x", body)


def _grad(body: str) -> Define:
    return _function(GRAD, "f, x", body)


def _gd(body: str) -> Define:
    return _function(GD, "f, init_x, lr=0.01, step_num=100", body)


# An ndarray subclass that answers every comparison "equal" (issue 13: the lies are caught; nothing else may pay).
_LYING_GRADIENT = """
class _AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool)

    def __sub__(self, other):
        return np.zeros(np.shape(self)).view(_AlwaysEqual)

    __rsub__ = __sub__


def numerical_gradient(f, x):
    return np.zeros_like(x).view(_AlwaysEqual)
"""


def _net(init: str, predict: str, loss: str, accuracy: str, grads: str) -> Define:
    """A TwoLayerNet whose ``__init__`` body is ``init`` and whose methods return the given expressions.

    ``grads`` is the dict both gradient methods return.
    """
    return Define(
        NET,
        f"""
class TwoLayerNet:
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.sizes = (input_size, hidden_size, output_size)
        {init}

    def predict(self, x):
        return {predict}

    def loss(self, x, t):
        return {loss}

    def accuracy(self, x, t):
        return {accuracy}

    def numerical_gradient(self, x, t):
        return {grads}

    def gradient(self, x, t):
        return {grads}
""",
    )


_ZERO_PARAMS = (
    "i, h, o = self.sizes\n        self.params = {'W1': np.zeros((i, h)), 'b1': np.zeros(h), "
    "'W2': np.zeros((h, o)), 'b2': np.zeros(o)}"
)
_ONE_PARAMS = _ZERO_PARAMS.replace("np.zeros", "np.ones")
_ZERO_GRADS = "{key: np.zeros_like(value) for key, value in self.params.items()}"
_ROWS = "x.shape[0], self.sizes[2]"

# fmt: off
NOTHING: list[Variant] = [
    nothing("none_cee_zero", CEE, "0.0을 반환", "returns 0.0", _cee("return 0.0")),
    nothing("none_cee_one", CEE, "1.0을 반환", "returns 1.0", _cee("return 1.0")),
    nothing("none_cee_nan", CEE, "nan을 반환", "returns nan", _cee("return np.nan")),
    nothing("none_cee_echo_y", CEE, "y를 그대로 반환", "returns y unchanged", _cee("return y")),
    nothing("none_cee_zeros_like", CEE, "y와 같은 형상의 0 배열을 반환", "returns zeros shaped like y",
            _cee("return np.zeros_like(y)")),
    nothing("none_cee_log_k", CEE, "균등 추측의 손실 log(K)를 반환 (y, t를 보지 않음)",
            "returns log(K), the loss of a uniform guess (never looks at y or t)", _cee("return float(np.log(np.shape(y)[-1]))")),
    nothing("none_cee_pass", CEE, "본문이 pass (None 반환)", "the body is `pass` (returns None)", _cee("pass")),

    nothing("none_diff_zero", DIFF, "0.0을 반환", "returns 0.0", _diff("return 0.0")),
    nothing("none_diff_one", DIFF, "1.0을 반환", "returns 1.0", _diff("return 1.0")),
    nothing("none_diff_nan", DIFF, "nan을 반환", "returns nan", _diff("return np.nan")),
    nothing("none_diff_echo_x", DIFF, "x를 그대로 반환", "returns x unchanged", _diff("return x")),
    nothing("none_diff_f_of_x", DIFF, "도함수 대신 f(x)를 반환", "returns f(x) instead of its derivative", _diff("return f(x)")),
    nothing("none_diff_pass", DIFF, "본문이 pass (None 반환)", "the body is `pass` (returns None)", _diff("pass")),

    nothing("none_grad_zeros_like", GRAD, "f를 부르지 않고 np.zeros_like(x)를 반환", "returns np.zeros_like(x) without calling f",
            _grad("return np.zeros_like(x)")),
    nothing("none_grad_ones_like", GRAD, "np.ones_like(x)를 반환", "returns np.ones_like(x)", _grad("return np.ones_like(x)")),
    nothing("none_grad_nan", GRAD, "nan으로 채운 x 형상의 배열을 반환", "returns an array of x's shape full of nan",
            _grad("return np.full_like(x, np.nan)")),
    nothing("none_grad_echo_x", GRAD, "x를 그대로 반환", "returns x itself", _grad("return x")),
    nothing("none_grad_copy_x", GRAD, "x.copy()를 반환", "returns x.copy()", _grad("return x.copy()")),
    nothing("none_grad_f_of_x", GRAD, "기울기 대신 모든 원소가 f(x)인 배열", "every element is f(x) instead of the gradient",
            _grad("return np.full_like(x, f(x))")),
    nothing("none_grad_scalar_zero", GRAD, "스칼라 0.0을 반환", "returns the scalar 0.0", _grad("return 0.0")),
    nothing("none_grad_lying_array", GRAD, "비교에 늘 '같다'고 답하는 ndarray 하위 클래스의 0 배열",
            "zeros in an ndarray subclass whose comparisons always say 'equal'", Define(GRAD, _LYING_GRADIENT)),

    nothing("none_gd_init_copies", GD, "init_x와 init_x 사본 step_num개의 기록을 반환", "returns init_x and a history of step_num copies of it",
            _gd("return init_x, np.array([init_x.copy() for _ in range(step_num)])")),
    nothing("none_gd_init_zeros", GD, "init_x와 (step_num, x.size) 0 배열을 반환", "returns init_x and zeros of shape (step_num, x.size)",
            _gd("return init_x, np.zeros((step_num, init_x.size))")),
    nothing("none_gd_zeros", GD, "0 벡터와 0 기록을 반환", "returns a zero vector and a zero history",
            _gd("return np.zeros_like(init_x), np.zeros((step_num, init_x.size))")),
    nothing("none_gd_init_empty", GD, "init_x와 빈 기록을 반환", "returns init_x and an empty history",
            _gd("return init_x, np.array([])")),
    nothing("none_gd_nan", GD, "nan으로 채운 x와 기록을 반환", "returns x and a history full of nan",
            _gd("return np.full_like(init_x, np.nan), np.full((step_num, init_x.size), np.nan)")),
    nothing("none_gd_init_alone", GD, "init_x만 반환", "returns init_x alone", _gd("return init_x")),
    nothing("none_gd_pass", GD, "본문이 pass (None 반환)", "the body is `pass` (returns None)", _gd("pass")),

    nothing("none_net_zeros", NET, "params와 모든 메서드가 올바른 형상의 0 (loss, accuracy는 0.0)",
            "params and every method give zeros of the right shapes (loss and accuracy 0.0)",
            _net(_ZERO_PARAMS, f"np.zeros(({_ROWS}))", "0.0", "0.0", _ZERO_GRADS)),
    nothing("none_net_ones", NET, "params와 모든 메서드가 올바른 형상의 1 (loss, accuracy는 1.0)",
            "params and every method give ones of the right shapes (loss and accuracy 1.0)",
            _net(_ONE_PARAMS, f"np.ones(({_ROWS}))", "1.0", "1.0",
                 "{key: np.ones_like(value) for key, value in self.params.items()}")),
    nothing("none_net_nan", NET, "params는 0, 메서드는 nan", "zero params, every method gives nan",
            _net(_ZERO_PARAMS, f"np.full(({_ROWS}), np.nan)", "np.nan", "np.nan",
                 "{key: np.full_like(value, np.nan) for key, value in self.params.items()}")),
    nothing("none_net_uniform", NET, "predict가 늘 균등 확률 1/K, loss는 log K, 기울기는 0",
            "predict always gives uniform probabilities 1/K, loss log K, zero gradients",
            _net(_ZERO_PARAMS, f"np.full(({_ROWS}), 1.0 / self.sizes[2])", "float(np.log(self.sizes[2]))",
                 "1.0 / self.sizes[2]", _ZERO_GRADS)),
    nothing("none_net_echo", NET, "입력을 되돌려 줌: predict는 x, loss는 t의 평균, 기울기는 params 자체",
            "echoes its inputs: predict returns x, loss the mean of t, the gradients are the params themselves",
            _net(_ZERO_PARAMS, "x", "float(np.mean(t))", "float(np.mean(t))",
                 "{key: value.copy() for key, value in self.params.items()}")),
    nothing("none_net_empty_params", NET, "params가 빈 딕셔너리, 메서드는 None", "an empty params dict, every method returns None",
            _net("self.params = {}", "None", "None", "None", "None")),
]
# fmt: on
