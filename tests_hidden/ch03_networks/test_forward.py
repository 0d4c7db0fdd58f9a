"""Hidden tests of forward: random networks and inputs from the grading-time seed."""

import pytest

from courses.ch03_networks.checks import check_forward, random_network, rng_for


@pytest.mark.parametrize("sizes, rows", [((2, 3, 2, 2), 5), ((6, 4, 7, 3), 8)])
def test_random_networks(unit, grading_seed, sizes, rows):
    """무작위 신경망과 배치 / random networks and batches

    Real work: the outputs of networks drawn from the grading seed; every bias and both sigmoids matter.
    """
    rng = rng_for(1351, sizes[0], grading_seed)
    check_forward(unit, random_network(rng, sizes), rng.normal(size=(rows, sizes[0])))


def test_random_single(unit, grading_seed):
    """무작위 신경망, 입력 하나 / a random network, one input

    Real work: a 1-D output from a 1-D input.
    """
    rng = rng_for(1352, grading_seed)
    check_forward(unit, random_network(rng, (5, 3, 4, 2)), rng.normal(size=5))
