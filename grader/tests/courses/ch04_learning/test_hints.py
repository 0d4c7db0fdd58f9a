"""The chapter 4 diagnoses that a TA's class found wrong (issue 24) now name the real mistake."""

from __future__ import annotations

import numpy as np

from courses.ch04_learning import hints
from courses.ch04_learning.checks import _labels_as_one_hot


def _book_cee(y: np.ndarray, labels: np.ndarray) -> float:
    """The reference loss for integer labels."""
    rows = np.atleast_2d(y)
    return float(-np.mean(np.log(rows[np.arange(rows.shape[0]), np.reshape(labels, -1)] + 1e-7)))


def test_a_one_hot_only_formula_given_labels_is_told_to_handle_labels():
    y = np.array([[0.1, 0.7, 0.2], [0.3, 0.3, 0.4], [0.0, 0.5, 0.5]])
    labels = np.array([1, 2, 0])  # the third row's class has probability 0: a delta test
    one_hot_only = float(-np.sum(labels * np.log(y + 1e-7)) / 3)  # what cee_one_hot_only returns
    y_true = y[np.arange(3), labels]
    reading = _labels_as_one_hot(y, labels)
    assert np.isclose(reading, one_hot_only)
    assert hints.cee_hint(one_hot_only, _book_cee(y, labels), y_true, 3, hints.CEE_DELTA, reading) is hints.CEE_LABELS
    single = np.array([0.2, 0.5, 0.3])
    got = float(-np.sum(np.int64(2) * np.log(single + 1e-7)))
    reading = _labels_as_one_hot(single, np.int64(2))
    assert hints.cee_hint(got, _book_cee(single, np.int64(2)), single[[2]], 3, hints.CEE_SINGLE, reading) is (
        hints.CEE_LABELS
    )


def test_a_finite_wrong_loss_is_not_blamed_on_the_delta():
    y_true = np.array([0.0, 0.5, 0.25])
    assert hints.cee_hint(0.123, 2.0, y_true, 3, hints.CEE_ONE_HOT) is hints.CEE_ONE_HOT
    with np.errstate(divide="ignore"):
        assert hints.cee_hint(np.inf, 2.0, y_true, 3, hints.CEE_ONE_HOT) is hints.CEE_DELTA  # log(0): the delta


def test_a_batch_size_taken_from_the_classes_is_told_to_divide_by_the_rows():
    y_true = np.array([0.5, 0.25, 0.8, 0.1, 0.9])  # 5 rows, 2 classes: the first 2 rows divided by 2
    got = -np.sum(np.log(y_true[:2] + 1e-7)) / 2
    expected = -np.mean(np.log(y_true + 1e-7))
    assert hints.cee_hint(got, expected, y_true, 2, hints.CEE_LABELS) is hints.CEE_BATCH
    past_rows = "index 2 is out of bounds for axis 0 with size 2"  # more classes than rows
    assert hints.raised_hint("cross_entropy_error", "IndexError", past_rows, hints.CEE_LABELS) is hints.CEE_BATCH
    lengths = "shape mismatch: indexing arrays could not be broadcast together with shapes (10,) (4,) "
    assert hints.raised_hint("cross_entropy_error", "IndexError", lengths, hints.CEE_ONE_HOT) is hints.CEE_BATCH
    one_hot = "shape mismatch: indexing arrays could not be broadcast together with shapes (4,) (4,10) "
    assert hints.raised_hint("cross_entropy_error", "IndexError", one_hot, hints.CEE_ONE_HOT) is hints.CEE_ONE_HOT
