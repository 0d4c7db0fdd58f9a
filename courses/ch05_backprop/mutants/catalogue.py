"""The hand catalogue: realistic chapter 5 mistakes, each one small change to the instructor notebook.

Sources (``seen``): mistakes learners make with the book's layers (the issue that asked for this chapter lists
backward before forward, the mask not kept, dout not multiplied, db without axis=0, dividing by the batch twice),
chapter 3's ``np.max(0, x)`` (seed 001) and chapter 4's TwoLayerNet (seed 002). Each mutant names the one unit it
breaks; grading it must cost points there and nowhere else (the network is built from the reference layers; the
training trains the student's own network, so a network mistake may cost there too, by design).
"""

from __future__ import annotations

from courses.ch05_backprop import hints as H
from courses.ch05_backprop.mutants.base import (
    ADD,
    AFFINE,
    MUL,
    NET,
    RELU,
    SIGMOID,
    SWL,
    Replace,
    Variant,
    mutant,
)  # fmt: skip
from grader.mutants.variants import with_hints
from grader.pipeline.checks import Text

_MUL_SWAP = "dx = dout * self.y  # x와 y를 바꾼다 / swap x and y\n        dy = dout * self.x"

# fmt: off
MUTANTS: list[Variant] = [
    mutant("mul_not_swapped", MUL, "역전파에서 x와 y를 바꾸지 않음: dx = dout * x", "backward does not swap: dx = dout * x",
           Replace(f"{MUL}.backward", _MUL_SWAP, "dx = dout * self.x\n        dy = dout * self.y"), seen="issue 27"),
    mutant("mul_inputs_not_kept", MUL, "forward에서 x, y를 저장하지 않음 (backward가 None을 곱함)",
           "forward does not keep x and y (backward multiplies None)",
           Replace(f"{MUL}.forward", "self.x = x\n        self.y = y\n        out", "out"), seen="issue 27"),
    mutant("mul_no_dout", MUL, "dout을 곱하지 않음: dx = self.y", "dout not multiplied: dx = self.y",
           Replace(f"{MUL}.backward", _MUL_SWAP, "dx = self.y\n        dy = self.x"), seen="issue 27"),
    mutant("add_one_value", ADD, "backward가 dout 하나만 반환", "backward returns dout alone",
           Replace(f"{ADD}.backward", "return dx, dy", "return dx")),
    mutant("add_halves", ADD, "미분을 반씩 나눔: dout * 0.5", "splits the derivative: dout * 0.5",
           Replace(f"{ADD}.backward", "dx = dout * 1\n        dy = dout * 1", "dx = dout * 0.5\n        dy = dout * 0.5")),
    mutant("relu_mask_from_dout", RELU, "backward에서 dout의 부호로 마스크를 만듦 (저장한 mask를 쓰지 않음)",
           "backward masks by the sign of dout (the kept mask unused)",
           Replace(f"{RELU}.backward", "dout[self.mask] = 0", "dout[dout <= 0] = 0"), seen="issue 27"),
    mutant("relu_no_mask", RELU, "backward가 dout을 그대로 반환", "backward returns dout unchanged",
           Replace(f"{RELU}.backward", "dout[self.mask] = 0\n        dx = dout", "dx = dout"), seen="issue 27"),
    mutant("relu_mask_lt", RELU, "mask = (x < 0): x = 0에서 dout이 흐름", "mask = (x < 0): dout flows at x = 0",
           Replace(f"{RELU}.forward", "self.mask = (x <= 0)", "self.mask = (x < 0)")),
    mutant("relu_np_max", RELU, "np.maximum 대신 np.max(0, x)", "np.max(0, x) instead of np.maximum",
           Replace(f"{RELU}.forward", "out = x.copy()\n        out[self.mask] = 0", "out = np.max(0, x)"), seen="seed 001"),
    mutant("sigmoid_no_dout", SIGMOID, "dout을 곱하지 않음: (1 - y) * y", "dout not multiplied: (1 - y) * y",
           Replace(f"{SIGMOID}.backward", "dx = dout * (1.0 - self.out) * self.out",
                   "dx = (1.0 - self.out) * self.out"), seen="issue 27"),
    mutant("sigmoid_exp_sign", SIGMOID, "np.exp(-x) 대신 np.exp(x)", "np.exp(x) instead of np.exp(-x)",
           Replace(f"{SIGMOID}.forward", "np.exp(-x)", "np.exp(x)"), seen="seed 001"),
    mutant("sigmoid_out_not_kept", SIGMOID, "forward가 self.out을 저장하지 않음", "forward does not keep self.out",
           Replace(f"{SIGMOID}.forward", "self.out = out\n        ", "")),
    mutant("affine_db_no_axis", AFFINE, "db = np.sum(dout) (axis=0 없음)", "db = np.sum(dout) (no axis=0)",
           Replace(f"{AFFINE}.backward", "np.sum(dout, axis=0)", "np.sum(dout)"), seen="issue 27"),
    mutant("affine_db_mean", AFFINE, "db = np.mean(dout, axis=0) (합이 아니라 평균)", "db = np.mean(dout, axis=0) (a mean)",
           Replace(f"{AFFINE}.backward", "np.sum(dout, axis=0)", "np.mean(dout, axis=0)")),
    mutant("affine_dx_no_transpose", AFFINE, "dx = np.dot(dout, W) (W.T가 아님)", "dx = np.dot(dout, W) (not W.T)",
           Replace(f"{AFFINE}.backward", "np.dot(dout, self.W.T)", "np.dot(dout, self.W)")),
    mutant("affine_no_bias", AFFINE, "forward에서 편향 b를 더하지 않음", "forward does not add the bias",
           Replace(f"{AFFINE}.forward", "np.dot(x, self.W) + self.b", "np.dot(x, self.W)")),
    mutant("affine_x_not_kept", AFFINE, "forward가 self.x를 저장하지 않음 (dW에 필요)", "forward does not keep self.x",
           Replace(f"{AFFINE}.forward", "self.x = x\n        ", "")),
    mutant("swl_batch_twice", SWL, "배치 크기로 두 번 나눔", "divides by the batch size twice",
           Replace(f"{SWL}.backward", "(self.y - self.t) / batch_size", "(self.y - self.t) / batch_size / batch_size"),
           seen="issue 27"),
    mutant("swl_no_batch", SWL, "배치 크기로 나누지 않음: dx = y - t", "no division by the batch size: dx = y - t",
           Replace(f"{SWL}.backward", "(self.y - self.t) / batch_size", "(self.y - self.t)")),
    mutant("swl_loss_of_x", SWL, "softmax 없이 x의 교차 엔트로피 오차", "the cross-entropy error of x, without the softmax",
           Replace(f"{SWL}.forward", "np.log(self.y + 1e-7)", "np.log(x + 1e-7)")),
    mutant("net_backward_before_forward", NET, "gradient가 순전파 없이 역전파부터 함", "gradient runs backward before forward",
           Replace(f"{NET}.gradient", "        self.loss(x, t)\n", ""), seen="issue 27"),
    mutant("net_not_reversed", NET, "역전파에서 계층을 뒤집지 않음", "backward through the layers in forward order",
           Replace(f"{NET}.gradient", "layers.reverse()\n        ", "")),
    mutant("net_params_copied", NET, "Affine 계층에 params의 복사본을 줌", "the Affine layers get copies of params",
           Replace(f"{NET}.__init__", "Affine(self.params['W1'], self.params['b1'])",
                   "Affine(self.params['W1'].copy(), self.params['b1'].copy())"),
           Replace(f"{NET}.__init__", "Affine(self.params['W2'], self.params['b2'])",
                   "Affine(self.params['W2'].copy(), self.params['b2'].copy())")),
    mutant("net_weight_rand", NET, "가중치를 rand (균등분포 [0, 1))로 초기화", "weights drawn with rand (uniform on [0, 1))",
           Replace(f"{NET}.__init__", "np.random.randn(input_size, hidden_size)", "np.random.rand(input_size, hidden_size)"),
           Replace(f"{NET}.__init__", "np.random.randn(hidden_size, output_size)", "np.random.rand(hidden_size, output_size)"),
           seen="chapter 4's catalogue (net_weight_rand)"),
    mutant("net_predict_softmax", NET, "predict가 softmax까지 적용", "predict applies the softmax too",
           Replace(f"{NET}.predict", "return x", "return softmax(x)")),
    mutant("net_accuracy_no_axis", NET, "np.argmax(y) (axis=1 없음)", "np.argmax(y) without axis=1",
           Replace(f"{NET}.accuracy", "y = np.argmax(y, axis=1)", "y = np.argmax(y)"), seen="seed 002"),
    mutant("net_numerical_copy_paste", NET, "b1의 수치 기울기를 W1로 계산 (복사-붙여넣기)",
           "b1's numerical gradient taken of W1 (copy and paste)",
           Replace(f"{NET}.numerical_gradient", "numerical_gradient(loss_W, self.params['b1'])",
                   "numerical_gradient(loss_W, self.params['W1'])"), seen="seed 002"),
    mutant("net_grads_divided_again", NET, "gradient에서 기울기를 배치 크기로 또 나눔", "gradient divides by the batch size again",
           Replace(f"{NET}.gradient", "self.layers['Affine1'].dW, self.layers['Affine1'].db",
                   "self.layers['Affine1'].dW / x.shape[0], self.layers['Affine1'].db / x.shape[0]"),
           Replace(f"{NET}.gradient", "self.layers['Affine2'].dW, self.layers['Affine2'].db",
                   "self.layers['Affine2'].dW / x.shape[0], self.layers['Affine2'].db / x.shape[0]"), seen="issue 27"),
]

# Which hints send each mistake's author to it (a human's judgement; grader/mutants/precision.py counts against it).
# Every hint of a unit says what that unit must do; the specific ones name the mistake. A mutant may show its own
# unit's hints (the chosen one is the specific hint where the diagnosis recognised the mistake).
UNIT_HINTS: dict[str, tuple[Text, ...]] = {
    MUL: (H.MUL_GENERAL, H.MUL_SWAP, H.MUL_KEEP, H.DOUT),
    ADD: (H.ADD_PAIR,),
    RELU: (H.RELU_MASK, H.RELU_MAXIMUM),
    SIGMOID: (H.SIGMOID_FORWARD, H.SIGMOID_BACKWARD, H.DOUT),
    AFFINE: (H.AFFINE_FORWARD, H.AFFINE_SHAPES, H.AFFINE_DB_AXIS),
    SWL: (H.SWL_LOSS, H.SWL_BATCH),
    NET: (H.NET_INIT, H.NET_PREDICT, H.NET_ACCURACY, H.NET_NUMERICAL, H.NET_GRADIENT, H.NET_FORWARD_FIRST, H.NET_REVERSED,
          H.TRAIN_GRADIENT),
}
JUDGED: dict[str, tuple[Text, ...]] = {variant.id: UNIT_HINTS[str(variant.unit)] for variant in MUTANTS}
# fmt: on
MUTANTS = with_hints(MUTANTS, JUDGED)
