"""Public tests of forward(network, x): the book's network on one input and a batch, and other sizes."""

import numpy as np

from courses.ch03_networks.checks import BOOK_NETWORK, check_forward, random_network, rng_for


def test_book_example(unit):
    """책의 예: init_network()의 값, x = [1.0, 0.5] / the book's example

    Real work: [0.3168..., 0.6962...]; a missing bias or a sigmoid on the output moves it.
    """
    check_forward(unit, BOOK_NETWORK, np.array([1.0, 0.5]))


def test_book_batch(unit):
    """책의 신경망, 배치 4개 / the book's network on a batch of 4

    Real work: one output row per input row, each from its own input.
    """
    check_forward(unit, BOOK_NETWORK, rng_for(341).normal(size=(4, 2)))


def test_other_sizes(unit):
    """다른 크기의 신경망 (4-5-3-3), 배치 / a network of other sizes (4-5-3-3), a batch

    Real work: the outputs of a random network with large biases; init_network()'s numbers or a missing bias miss.
    """
    rng = rng_for(342)
    check_forward(unit, random_network(rng, (4, 5, 3, 3)), rng.normal(size=(3, 4)))
