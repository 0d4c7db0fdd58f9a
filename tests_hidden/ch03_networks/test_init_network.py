"""Hidden tests of init_network: the book's output through the reference forward pass, with the student's numbers."""

from courses.ch03_networks.checks import check_init_forward, rng_for


def test_forward_single(unit, grading_seed):
    """여러분의 init_network로 순전파 (입력 하나) / a forward pass with your init_network (one input)

    Real work: the reference forward with the student's arrays equals the book network's output at a drawn x.
    """
    check_init_forward(unit, rng_for(1341, grading_seed).normal(size=2))


def test_forward_batch(unit, grading_seed):
    """여러분의 init_network로 순전파 (배치) / a forward pass with your init_network (a batch)

    Real work: the same for a batch of 6 drawn inputs.
    """
    check_init_forward(unit, rng_for(1342, grading_seed).normal(size=(6, 2)))
