"""The probes that set equivalent-looking survivors apart: the suites' calls and their perturbations, and when two
answers count as the same."""

from __future__ import annotations

import numpy as np

from grader.audit.probes import perturbed, same_answers
from grader.untrusted.calls import Call


def test_a_call_is_probed_as_made_then_scaled_negated_and_reshaped():
    x = np.array([1.0, -2.0, 3.0])
    probes = perturbed(Call("softmax", args=(x,)))
    assert probes[0] == Call("softmax", args=(x,))
    shown = [p.args[0] for p in probes[1:]]
    assert len(shown) == 3
    assert np.array_equal(shown[0], [1000.0, -2000.0, 3000.0])
    assert np.array_equal(shown[1], [-1.0, 2.0, -3.0])
    assert np.array_equal(shown[2], [[1.0, -2.0, 3.0], [3.0, -2.0, 1.0]])
    rows = [p.args[0] for p in perturbed(Call("softmax", args=(np.ones((2, 3)),)))]
    assert rows[-1].shape == (3,)


def test_integer_keywords_move_by_one_and_labels_stay():
    t = np.array([0, 2, 1])
    probes = perturbed(Call("accuracy", args=(t,), kwargs={"batch_size": 100, "flag": True}))
    assert [p.kwargs["batch_size"] for p in probes] == [100, 101, 99]  # integer arrays and booleans unchanged


def test_answers_compare_by_dtype_shape_and_value_up_to_rounding():
    a = {"result": np.array([0.1, 0.2, 0.3])}
    assert same_answers(a, {"result": np.array([0.1, 0.2, 0.30000000000000004])})
    assert not same_answers(a, {"result": np.array([0.1, 0.2, 0.3000001])})
    assert not same_answers(a, {"result": np.array([0.1, 0.2, 0.3], dtype=np.float32)})
    assert not same_answers(a, {"result": np.array([[0.1, 0.2, 0.3]])})
    assert not same_answers({"result": np.array([0, 1])}, {"result": np.array([0.0, 1.0])})
    assert same_answers({"result": (np.float64(np.nan), 2)}, {"result": (np.float64(np.nan), 2)})
