"""The mutant catalogue: realistic student mistakes, each one small change to the instructor notebook.

Sources (``seen``): the course material's seed files ("seed 002" = a student's exported notebook,
"seed 004" = the lab slides; both described in docs/MISTAKES.md), docs/MISTAKES.md ("MISTAKES #n" =
row n of its table), the instructor notebook's TA notes, the kit's issue 4, and mistakes any course
of this chapter sees. Each mutant names the one unit it breaks; grading it
must cost points in that unit and in no other (the other units run with the reference versions
of what they call).
"""

from __future__ import annotations

from courses.ch04_learning import hints as H
from courses.ch04_learning.mutants.base import Define, Replace, Variant, mutant
from grader.mutants.variants import with_hints
from grader.pipeline.checks import RETURNED_NONE, Text

CEE, DIFF, GRAD, GD, NET = (
    "cross_entropy_error",
    "numerical_diff",
    "numerical_gradient",
    "gradient_descent",
    "TwoLayerNet",
)

# The instructor's code the Replace edits below refer to (kept short: each must occur once).
_CEE_RETURN = "return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size"
_GRAD_RESTORE = "        x[idx] = tmp_val  # 값 복원 / restore\n"
_GD_APPEND = "        x_history.append(x.copy())  # 갱신 전의 x를 기록 / record x before the update\n"

_CEE_SEED_002 = """
def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)

        batch_size = y.shape[0]
        return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size
"""

_CEE_ONE_HOT_ONLY = """
def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)

    batch_size = y.shape[0]
    return -np.sum(t * np.log(y + 1e-7)) / batch_size
"""

_CEE_MEAN_ALL = """
def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size != y.size:
        t = np.eye(y.shape[1])[t.reshape(-1)]
    return -np.mean(t * np.log(y + 1e-7))
"""

_DIFF_SEED_BAD = """
def numerical_diff(f, x):
    h = 10e-50
    return (f(x + h) - f(x)) / h
"""

_DIFF_GLOBAL_LOOP = """
for h in (1e-2, 1e-3, 1e-4):   # h를 바꿔 가며 시험 / trying several h
    print(h, (function_1(5 + h) - function_1(5 - h)) / (2 * h))


def numerical_diff(f, x):
    return (f(x + h) - f(x - h)) / (2 * h)
"""

_GRAD_1D_ONLY = """
def numerical_gradient(f, x):
    h = 1e-4  # 0.0001
    grad = np.zeros_like(x)

    for idx in range(x.size):
        tmp_val = x[idx]

        x[idx] = tmp_val + h
        fxh1 = f(x)

        x[idx] = tmp_val - h
        fxh2 = f(x)

        grad[idx] = (fxh1 - fxh2) / (2*h)
        x[idx] = tmp_val

    return grad
"""

_GRAD_PER_ROW = """
def _numerical_gradient_no_batch(f, x):
    h = 1e-4 # 0.0001
    grad = np.zeros_like(x) # x와 형상이 같은 배열을 생성

    for idx in range(x.size):
        tmp_val = x[idx]

        # f(x+h) 계산
        x[idx] = float(tmp_val) + h
        fxh1 = f(x)

        # f(x-h) 계산
        x[idx] = tmp_val - h
        fxh2 = f(x)

        grad[idx] = (fxh1 - fxh2) / (2*h)
        x[idx] = tmp_val # 값 복원

    return grad


def numerical_gradient(f, X):
    if X.ndim == 1:
        return _numerical_gradient_no_batch(f, X)
    else:
        grad = np.zeros_like(X)

        for idx, x in enumerate(X):
            grad[idx] = _numerical_gradient_no_batch(f, x)

        return grad
"""

_GD_BOOK_TEXT = """
def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = init_x

    for i in range(step_num):
        grad = numerical_gradient(f, x)
        x -= lr * grad

    return x
"""

# A table: one variant per entry with its description and its edits, kept compact.
# fmt: off
CEE_MUTANTS: list[Variant] = [
    mutant("cee_no_delta", CEE, "log 안에 delta 1e-7이 없음 (log(0) = -inf)", "no 1e-7 delta inside the log (log(0) = -inf)",
           Replace(CEE, "t] + 1e-7))", "t]))"), seen="MISTAKES #5"),
    mutant("cee_other_delta", CEE, "delta로 1e-7 대신 1e-4를 더함", "adds 1e-4 instead of the 1e-7 delta",
           Replace(CEE, "t] + 1e-7))", "t] + 1e-4))"), seen="MISTAKES #5"),
    mutant("cee_no_batch_mean", CEE, "배치 크기로 나누지 않음 (평균이 아니라 합)", "not divided by the batch size (a sum, not a mean)",
           Replace(CEE, "t] + 1e-7)) / batch_size", "t] + 1e-7))"), seen="MISTAKES #7"),
    mutant("cee_return_in_if", CEE, "`return`이 `if y.ndim == 1:` 안에 들여쓰기됨 (학생 노트 002 그대로)",
           "`return` indented inside `if y.ndim == 1:` (student notebook 002 as written)", Define(CEE, _CEE_SEED_002),
           seen="seed 002"),
    mutant("cee_one_hot_only", CEE, "원-핫 t만 처리 (sum(t * log(y + 1e-7)))",
           "handles one-hot t only (sum(t * log(y + 1e-7)))", Define(CEE, _CEE_ONE_HOT_ONLY), seen="MISTAKES #3"),
    mutant("cee_label_only", CEE, "정수 레이블 t만 처리 (원-핫을 argmax로 바꾸지 않음)",
           "handles integer labels only (no argmax of one-hot t)",
           Replace(CEE, "    if t.size == y.size:\n        t = t.argmax(axis=1)\n", ""), seen="MISTAKES #6"),
    mutant("cee_1d_typo", CEE, "1차원 분기에만 있는 오타 `t.xize`", "a typo `t.xize` on the 1-D branch only",
           Replace(CEE, "t = t.reshape(1, t.size)", "t = t.reshape(1, t.xize)"), seen="MISTAKES #10"),
    mutant("cee_1d_typo_dim", CEE, "1차원 분기에만 있는 오타 `y.dim` (ndim이 아님)", "a typo `y.dim` (not ndim) on the 1-D branch only",
           Replace(CEE, "y = y.reshape(1, y.size)", "y = y.reshape(1, y.dim)"), seen="MISTAKES #10"),
    mutant("cee_1d_t_not_reshaped", CEE, "1차원일 때 y만 reshape하고 t는 그대로", "reshapes y but not t for 1-D input",
           Replace(CEE, "        t = t.reshape(1, t.size)\n", ""), seen="TA note"),
    mutant("cee_batch_is_classes", CEE, "batch_size = y.shape[1] (클래스 수)",
           "batch_size = y.shape[1] (the number of classes)",
           Replace(CEE, "batch_size = y.shape[0]", "batch_size = y.shape[1]")),
    mutant("cee_no_minus", CEE, "앞의 마이너스 부호를 빠뜨림", "the leading minus sign is missing",
           Replace(CEE, "return -np.sum(", "return np.sum(")),
    mutant("cee_mean_all_elements", CEE, "N이 아니라 N*K 원소 전체로 평균 (np.mean(t * log y))",
           "averages over all N*K elements (np.mean(t * log y)) instead of N", Define(CEE, _CEE_MEAN_ALL)),
]

DIFF_MUTANTS: list[Variant] = [
    mutant("diff_seed_bad", DIFF, "책의 나쁜 예 그대로: h = 10e-50, 전방 차분",
           "the book's bad example: h = 10e-50 and a forward difference", Define(DIFF, _DIFF_SEED_BAD),
           seen="seed 002"),
    mutant("diff_tiny_h", DIFF, "중앙 차분이지만 h = 10e-50 (반올림 오차로 0)", "central difference with h = 10e-50 (rounds to 0)",
           Replace(DIFF, "h = 1e-4  #", "h = 10e-50  #"), seen="seed 002"),
    mutant("diff_forward", DIFF, "전방 차분 (f(x+h) - f(x)) / h", "forward difference (f(x+h) - f(x)) / h",
           Replace(DIFF, "(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x)) / h"), seen="seed 002"),
    mutant("diff_h_10e4", DIFF, "h = 10e-4 (0.0001이 아니라 1e-3)", "h = 10e-4 (that is 1e-3)",
           Replace(DIFF, "h = 1e-4  #", "h = 10e-4  #"), seen="MISTAKES (other real ones)"),
    mutant("diff_h_1e5", DIFF, "작을수록 좋다고 보고 h = 1e-5", "h = 1e-5, smaller in the belief it is better",
           Replace(DIFF, "h = 1e-4  #", "h = 1e-5  #")),
    mutant("diff_precedence", DIFF, "괄호 없이 `/ 2*h` (h/2를 곱함)", "`/ 2*h` without parentheses (multiplies by h/2)",
           Replace(DIFF, "/ (2 * h)", "/ 2*h"), seen="TA note"),
    mutant("diff_backward", DIFF, "후방 차분 (f(x) - f(x-h)) / h", "backward difference (f(x) - f(x-h)) / h",
           Replace(DIFF, "(f(x + h) - f(x - h)) / (2 * h)", "(f(x) - f(x - h)) / h")),
    mutant("diff_no_2", DIFF, "중앙 차분을 2h가 아니라 h로 나눔", "central difference divided by h, not 2h",
           Replace(DIFF, "/ (2 * h)", "/ h")),
    mutant("diff_global_loop", DIFF, "최상위 반복문에서 정한 전역 h를 읽음 (채점에서는 실행되지 않음)",
           "reads a global h set by a top-level loop (the grader never runs it)", Define(DIFF, _DIFF_GLOBAL_LOOP),
           seen="MISTAKES (other real ones)"),
]

GRAD_MUTANTS: list[Variant] = [
    mutant("grad_no_restore", GRAD, "x[idx] = tmp_val 복원을 빠뜨림", "does not restore x[idx] = tmp_val",
           Replace(GRAD, _GRAD_RESTORE, ""), seen="TA note"),
    mutant("grad_1d_only", GRAD, "1차원 x만 처리 (for idx in range(x.size): x[idx])",
           "1-D x only (for idx in range(x.size): x[idx])", Define(GRAD, _GRAD_1D_ONLY), seen="MISTAKES #2"),
    mutant("grad_per_row", GRAD, "실습의 gradient_2d: 행마다 따로 f를 호출", "the lab's gradient_2d: f called row by row",
           Define(GRAD, _GRAD_PER_ROW), seen="seed 004, MISTAKES #9"),
    mutant("grad_return_in_loop", GRAD, "`return grad`가 반복문 안에 있음", "`return grad` inside the loop",
           Replace(GRAD, "        it.iternext()\n\n    return grad", "        it.iternext()\n\n        return grad"),
           seen="MISTAKES (other real ones)"),
    mutant("grad_finished_call", GRAD, "it.finished()를 메서드처럼 호출", "it.finished() called as a method",
           Replace(GRAD, "while not it.finished:", "while not it.finished():"), seen="MISTAKES (other real ones)"),
    mutant("grad_forward", GRAD, "기울기를 전방 차분으로 계산", "gradient by forward difference",
           Replace(GRAD, "x[idx] = tmp_val - h", "x[idx] = tmp_val"), Replace(GRAD, "/ (2 * h)", "/ h")),
    mutant("grad_h_10e4", GRAD, "h = 10e-4 (0.0001이 아니라 1e-3)", "h = 10e-4 (that is 1e-3)",
           Replace(GRAD, "h = 1e-4  #", "h = 10e-4  #")),
    mutant("grad_flat_grad", GRAD, "grad = np.zeros(x.size) (x와 형상이 다름)", "grad = np.zeros(x.size) (not x's shape)",
           Replace(GRAD, "grad = np.zeros_like(x)", "grad = np.zeros(x.size)"), seen="TA note"),
    mutant("grad_minus_from_plus", GRAD, "x[idx] -= h로 x-h를 만들려 함 (실제로는 x로 돌아감)",
           "x[idx] -= h meant to reach x - h (it only goes back to x)",
           Replace(GRAD, "x[idx] = tmp_val - h", "x[idx] -= h")),
]

GD_MUTANTS: list[Variant] = [
    mutant("gd_x_only", GD, "책 본문처럼 x만 반환 (x_history 없음)", "returns x alone, as in the book's text (no x_history)",
           Define(GD, _GD_BOOK_TEXT), seen="MISTAKES #1"),
    mutant("gd_no_copy", GD, "x_history.append(x) (.copy() 없음)", "x_history.append(x) without .copy()",
           Replace(GD, "x_history.append(x.copy())", "x_history.append(x)"), seen="TA note"),
    mutant("gd_ascent", GD, "x += lr * grad (경사 상승)", "x += lr * grad (gradient ascent)",
           Replace(GD, "x -= lr * grad\n", "x += lr * grad\n"), seen="TA note"),
    mutant("gd_append_after", GD, "갱신한 뒤에 x를 기록", "records x after the update", Replace(GD, _GD_APPEND, ""),
           Replace(GD, "x -= lr * grad\n", "x -= lr * grad\n" + _GD_APPEND), seen="TA note"),
    mutant("gd_default_lr", GD, "기본값 lr = 0.1", "default lr = 0.1", Replace(GD, "lr=0.01", "lr=0.1"),
           seen="MISTAKES #8"),
    mutant("gd_default_steps", GD, "기본값 step_num = 20 (실습의 호출 값)", "default step_num = 20 (the lab's call)",
           Replace(GD, "step_num=100", "step_num=20"), seen="MISTAKES #8"),
    mutant("gd_param_name", GD, "매개변수 이름 step_num 대신 step", "parameter named step instead of step_num",
           Replace(GD, "step_num=100", "step=100"), Replace(GD, "range(step_num)", "range(step)"), seen="MISTAKES #8"),
    mutant("gd_history_list", GD, "x_history를 배열이 아닌 리스트로 반환", "returns x_history as a list, not an array",
           Replace(GD, "return x, np.array(x_history)", "return x, x_history"), seen="TA note"),
    mutant("gd_off_by_one", GD, "range(step_num - 1): 한 번 덜 갱신", "range(step_num - 1): one step short",
           Replace(GD, "range(step_num)", "range(step_num - 1)")),
    mutant("gd_numerical_diff", GD, "numerical_gradient 대신 numerical_diff로 기울기",
           "uses numerical_diff instead of numerical_gradient",
           Replace(GD, "grad = numerical_gradient(f, x)", "grad = numerical_diff(f, x)")),
    mutant("gd_history_final", GD, "반복 후 마지막 x도 기록 (step_num + 1행)", "also records the final x (step_num + 1 rows)",
           Replace(GD, "    return x, np.array(x_history)", "    x_history.append(x.copy())\n    return x, np.array(x_history)")),
]

_INIT, _PREDICT, _LOSS, _ACC = f"{NET}.__init__", f"{NET}.predict", f"{NET}.loss", f"{NET}.accuracy"
_NUMGRAD, _BACKPROP = f"{NET}.numerical_gradient", f"{NET}.gradient"

NET_MUTANTS: list[Variant] = [
    mutant("net_bias_randn", NET, "편향도 randn으로 초기화", "biases drawn with randn",
           Replace(_INIT, "np.zeros(hidden_size)", "weight_init_std * np.random.randn(hidden_size)"),
           seen="MISTAKES (other real ones)"),
    mutant("net_weight_rand", NET, "W1을 rand (균등분포 [0, 1))로 초기화", "W1 drawn with rand (uniform on [0, 1))",
           Replace(_INIT, "np.random.randn(input_size, hidden_size)", "np.random.rand(input_size, hidden_size)")),
    mutant("net_no_init_std", NET, "weight_init_std를 곱하지 않음 (표준편차 1)", "weight_init_std not applied (std 1)",
           Replace(_INIT, "weight_init_std * np.random.randn(hidden_size, output_size)", "np.random.randn(hidden_size, output_size)",)),
    mutant("net_transposed", NET, "W1의 형상이 (hidden, input)으로 뒤바뀜", "W1 transposed: shape (hidden, input)",
           Replace(_INIT, "randn(input_size, hidden_size)", "randn(hidden_size, input_size)"), seen="issue 4"),
    mutant("net_relu", NET, "은닉층에 sigmoid 대신 ReLU", "ReLU instead of sigmoid in the hidden layer",
           Replace(_PREDICT, "z1 = sigmoid(a1)", "z1 = np.maximum(0, a1)"), seen="issue 4"),
    mutant("net_no_softmax", NET, "출력층에 softmax가 없음", "no softmax at the output",
           Replace(_PREDICT, "y = softmax(a2)", "y = a2"), seen="issue 4"),
    mutant("net_unstable_softmax", NET, "최댓값을 빼지 않는 softmax를 predict 안에 직접 작성 (오버플로)",
           "an inline softmax without subtracting the max (overflow)",
           Replace(_PREDICT, "y = softmax(a2)", "y = np.exp(a2) / np.sum(np.exp(a2), axis=1, keepdims=True)"),
           seen="issue 4"),
    mutant("net_softmax_whole_batch", NET, "softmax를 행마다가 아니라 배치 전체에 적용",
           "softmax over the whole batch, not row by row",
           Replace(_PREDICT, "y = softmax(a2)", "y = np.exp(a2 - np.max(a2)) / np.sum(np.exp(a2 - np.max(a2)))")),
    mutant("net_predict_no_bias", NET, "predict에서 b1을 더하지 않음", "predict does not add b1",
           Replace(_PREDICT, "a1 = np.dot(x, W1) + b1", "a1 = np.dot(x, W1)")),
    mutant("net_accuracy_one_hot", NET, "accuracy에서 argmax(y)를 원-핫 t와 바로 비교",
           "accuracy compares argmax(y) with one-hot t directly",
           Replace(_ACC, "        t = np.argmax(t, axis=1)\n", ""), seen="issue 4"),
    mutant("net_accuracy_not_divided", NET, "accuracy를 N으로 나누지 않음 (맞은 개수)", "accuracy not divided by N (a count)",
           Replace(_ACC, "np.sum(y == t) / float(x.shape[0])", "np.sum(y == t)"), seen="issue 4"),
    mutant("net_accuracy_no_axis", NET, "np.argmax(y)에 axis=1이 없음", "np.argmax(y) without axis=1",
           Replace(_ACC, "y = np.argmax(y, axis=1)", "y = np.argmax(y)")),
    mutant("net_loss_mse", NET, "loss에서 교차 엔트로피 대신 평균 제곱 오차", "loss uses mean_squared_error instead of cross-entropy",
           Replace(_LOSS, "cross_entropy_error(y, t)", "mean_squared_error(y, t)")),
    mutant("net_dy_no_batch", NET, "dy = y - t (/ batch_num 없음)", "dy = y - t without / batch_num",
           Replace(_BACKPROP, "dy = (y - t) / batch_num", "dy = y - t"), seen="TA note"),
    mutant("net_sigmoid_grad_z1", NET, "sigmoid_grad(a1) 대신 sigmoid_grad(z1)",
           "sigmoid_grad(z1) instead of sigmoid_grad(a1)", Replace(_BACKPROP, "sigmoid_grad(a1)", "sigmoid_grad(z1)"),
           seen="TA note"),
    mutant("net_no_sigmoid_grad", NET, "역전파에서 sigmoid의 미분을 곱하지 않음", "backprop skips the sigmoid's derivative",
           Replace(_BACKPROP, "dz1 = sigmoid_grad(a1) * da1", "dz1 = da1")),
    mutant("net_missing_bias_grads", NET, "gradient가 b1, b2의 기울기를 반환하지 않음", "gradient returns no bias gradients",
           Replace(_BACKPROP, "        grads['b2'] = np.sum(dy, axis=0)\n", ""),
           Replace(_BACKPROP, "        grads['b1'] = np.sum(dz1, axis=0)\n", ""), seen="issue 4"),
    mutant("net_db_wrong_axis", NET, "db2 = np.sum(dy, axis=1) (축이 틀림)", "db2 = np.sum(dy, axis=1) (the wrong axis)",
           Replace(_BACKPROP, "np.sum(dy, axis=0)", "np.sum(dy, axis=1)"), seen="issue 4"),
    mutant("net_db2_no_axis", NET, "grads['b2'] = np.sum(dy) (axis=0 없음, 스칼라)", "grads['b2'] = np.sum(dy) without axis=0 (a scalar)",
           Replace(_BACKPROP, "np.sum(dy, axis=0)", "np.sum(dy)"), seen="a TA's class (issue 24)"),
    mutant("net_db_no_axis", NET, "db1 = np.sum(dz1) (axis=0 없음, 스칼라)", "db1 = np.sum(dz1) without axis=0 (a scalar)",
           Replace(_BACKPROP, "np.sum(dz1, axis=0)", "np.sum(dz1)"), seen="TA note"),
    mutant("net_dw2_uses_a1", NET, "dW2 = a1.T @ dy (z1이 아니라 a1)", "dW2 = a1.T @ dy (a1 instead of z1)",
           Replace(_BACKPROP, "np.dot(z1.T, dy)", "np.dot(a1.T, dy)")),
    mutant("net_numgrad_missing_key", NET, "numerical_gradient 메서드에 'b2'가 빠짐",
           "the numerical_gradient method leaves out 'b2'",
           Replace(_NUMGRAD, "        grads['b2'] = numerical_gradient(loss_W, self.params['b2'])\n", ""),
           seen="issue 4"),
    mutant("net_numgrad_self", NET, "메서드 안에서 self.numerical_gradient(loss_W, ...)를 호출 (무한 재귀)",
           "calls self.numerical_gradient(loss_W, ...) inside the method (endless recursion)",
           Replace(_NUMGRAD, "grads['W1'] = numerical_gradient(", "grads['W1'] = self.numerical_gradient("),
           seen="TA note"),
]

# fmt: on

MUTANTS: list[Variant] = CEE_MUTANTS + DIFF_MUTANTS + GRAD_MUTANTS + GD_MUTANTS + NET_MUTANTS

# What each mistake's author should be told (issue 24): the hints that send them to it, judged by reading the
# mutant and the hint's words; () where no hint is honest. Hint precision (grader/mutants/precision.py) holds
# every graded run to this table; a mutant without a judgement here is an error.
# fmt: off
JUDGED: dict[str, tuple[Text, ...]] = {
    "cee_no_delta": (H.CEE_DELTA,), "cee_other_delta": (H.CEE_DELTA,), "cee_no_batch_mean": (H.CEE_BATCH,),
    # 2-D input returns None; the seed's code also lacks the one-hot argmax, and CEE_SINGLE names the indented return
    "cee_return_in_if": (RETURNED_NONE, H.CEE_ONE_HOT, H.CEE_SINGLE),
    "cee_one_hot_only": (H.CEE_LABELS,), "cee_label_only": (H.CEE_ONE_HOT,),
    "cee_1d_typo": (H.CEE_TYPO,), "cee_1d_typo_dim": (H.CEE_TYPO,), "cee_1d_t_not_reshaped": (H.CEE_SINGLE,),
    "cee_batch_is_classes": (H.CEE_BATCH,), "cee_no_minus": (H.CEE_SIGN,), "cee_mean_all_elements": (H.CEE_PER_ELEMENT,),
    "diff_seed_bad": (H.DIFF_STEP, H.DIFF_FORWARD), "diff_tiny_h": (H.DIFF_STEP,), "diff_forward": (H.DIFF_FORWARD,),
    "diff_h_10e4": (H.DIFF_STEP,), "diff_h_1e5": (H.DIFF_SMALL_STEP,), "diff_precedence": (H.DIFF_PARENTHESES,),
    "diff_backward": (H.DIFF_BACKWARD,), "diff_no_2": (H.DIFF_TWO_H,), "diff_global_loop": (H.GLOBAL_NAME,),
    "grad_no_restore": (H.GRAD_RESTORE,), "grad_1d_only": (H.GRAD_ANY_SHAPE,),
    "grad_per_row": (H.GRAD_PER_ROW, H.GRAD_ANY_SHAPE), "grad_return_in_loop": (H.GRAD_ALL_ELEMENTS,),
    "grad_finished_call": (H.GRAD_FINISHED,), "grad_forward": (H.DIFF_FORWARD,), "grad_h_10e4": (H.DIFF_STEP,),
    "grad_flat_grad": (H.GRAD_ANY_SHAPE,), "grad_minus_from_plus": (H.GRAD_MINUS,),
    "gd_x_only": (H.GD_PAIR,), "gd_no_copy": (H.GD_HISTORY, H.GD_HISTORY_BEFORE), "gd_ascent": (H.GD_ASCENT, H.GD_STEP),
    "gd_append_after": (H.GD_HISTORY_BEFORE,), "gd_default_lr": (H.GD_SIGNATURE,),
    "gd_default_steps": (H.GD_SIGNATURE,), "gd_param_name": (H.GD_SIGNATURE,), "gd_history_list": (H.GD_HISTORY_ROWS,),
    "gd_off_by_one": (H.GD_STEPS, H.GD_HISTORY_ROWS), "gd_numerical_diff": (H.GD_STEP,),
    "gd_history_final": (H.GD_HISTORY_ROWS,),
    "net_bias_randn": (H.NET_INIT_BIAS,), "net_weight_rand": (H.NET_INIT_RAND,), "net_no_init_std": (H.NET_INIT_STD,),
    "net_transposed": (H.NET_INIT,),
    # a wrong predict: its own hint, and the methods built on it say "fix predict first"
    "net_relu": (H.NET_PREDICT, H.NET_FOLLOWS_PREDICT, H.NET_NUMERICAL_FOLLOWS_LOSS),
    "net_no_softmax": (H.NET_NO_SOFTMAX, H.NET_FOLLOWS_PREDICT, H.NET_NUMERICAL_FOLLOWS_LOSS),
    "net_unstable_softmax": (H.NET_STABLE,),
    "net_softmax_whole_batch": (H.NET_SOFTMAX_ROWS, H.NET_FOLLOWS_PREDICT, H.NET_NUMERICAL_FOLLOWS_LOSS),
    "net_predict_no_bias": (H.NET_PREDICT, H.NET_FOLLOWS_PREDICT, H.NET_NUMERICAL_FOLLOWS_LOSS),
    "net_accuracy_one_hot": (H.NET_ACCURACY,), "net_accuracy_not_divided": (H.NET_ACCURACY_SHARE,),
    "net_accuracy_no_axis": (H.NET_ACCURACY,), "net_loss_mse": (H.NET_LOSS, H.NET_NUMERICAL_FOLLOWS_LOSS),
    "net_dy_no_batch": (H.NET_BATCH,), "net_sigmoid_grad_z1": (H.NET_HIDDEN_GRAD,),
    "net_no_sigmoid_grad": (H.NET_HIDDEN_GRAD,), "net_missing_bias_grads": (H.NET_GRAD_KEYS,),
    "net_db_wrong_axis": (H.NET_BIAS_AXIS, H.NET_BACKPROP), "net_db2_no_axis": (H.NET_BIAS_AXIS, H.NET_BACKPROP),
    "net_db_no_axis": (H.NET_BIAS_AXIS, H.NET_BACKPROP), "net_dw2_uses_a1": (H.NET_OUTPUT_WEIGHTS,),
    "net_numgrad_missing_key": (H.NET_GRAD_KEYS,), "net_numgrad_self": (H.NET_NUMERICAL_SELF,),
}
# fmt: on
MUTANTS = with_hints(MUTANTS, JUDGED)
