"""Public test of train_neuralnet: a short run of the book's training loop with your TwoLayerNet.gradient."""

import numpy as np

from courses.ch04_learning.training import PUBLIC_ITERS, TRAIN_GRADIENT, check_training, training_call
from grader.pipeline.checks import Mismatch, Problem, Text

THRESHOLD = (
    0.5  # after PUBLIC_ITERS = 400 (10 epochs of the 4,000 bundled training images): the reference reaches 0.65-0.69
)


def test_short_training(unit, record_property):
    """400회 미니배치 학습으로 손실이 줄고 시험 정확도 0.5 이상 / 400 SGD steps: the loss falls, test accuracy >= 0.5

    Real work: test accuracy recomputed here from the params that come back, and a falling loss; a
    net whose gradient is zero never moves from chance.
    """
    student, _ = check_training(unit, record_property, THRESHOLD, PUBLIC_ITERS)
    first, last = np.mean(student["train_loss"][:40]), np.mean(student["train_loss"][-40:])
    if not last < 0.8 * first:
        raise Mismatch(
            Text(
                f"훈련 손실이 줄지 않았습니다 (처음 40회 평균 {first:.3f}, 마지막 40회 평균 {last:.3f}).",
                f"the training loss did not fall (mean of the first 40 steps {first:.3f}, of the last 40 {last:.3f}).",
            ),
            training_call(),
            hint=TRAIN_GRADIENT,
            kind=Problem.BELOW_THRESHOLD,
        )
