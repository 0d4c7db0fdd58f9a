"""Public tests of init_network(): the book's weights and biases, keys and shapes."""

from courses.ch03_networks.checks import check_init_values


def test_weights(unit):
    """W1 (2, 3), W2 (3, 2), W3 (2, 2): 책의 값 / the book's values

    Real work: the six, six and four numbers of the book; zeros or ones of the right shape miss.
    """
    check_init_values(unit, ("W1", "W2", "W3"))


def test_biases(unit):
    """b1 (3,), b2 (2,), b3 (2,): 책의 값, 1차원 / the book's values, 1-D

    Real work: the book's biases; zeros, ones and 2-D [[...]] biases miss.
    """
    check_init_values(unit, ("b1", "b2", "b3"))
