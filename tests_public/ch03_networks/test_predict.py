"""Public tests of predict(network, x): sigmoid hidden layers and softmax output, any sizes, MNIST."""

from courses.ch03_networks.checks import check_predict, mnist_test, random_network, rng_for, sample_network


def test_small_batch(unit):
    """작은 신경망 (4-6-5-3), 배치 / a small network (4-6-5-3), a batch

    Real work: each row's probabilities from a random network; uniform rows or the identity output miss.
    """
    rng = rng_for(351)
    check_predict(unit, random_network(rng, (4, 6, 5, 3)), rng.normal(size=(5, 4)))


def test_single_input(unit):
    """입력 하나 (1차원 x) / one input (1-D x)

    Real work: the probabilities of one input through a 3-5-4-6 network.
    """
    rng = rng_for(352)
    check_predict(unit, random_network(rng, (3, 5, 4, 6)), rng.normal(size=3))


def test_mnist_batch(unit):
    """MNIST 시험 이미지 50장, 제공된 가중치 / 50 MNIST test images with the shipped weights

    Real work: 50 rows of 10 probabilities from the 784-50-100-10 network (float32).
    """
    x, _ = mnist_test(slice(0, 50))
    check_predict(unit, sample_network(), x)


def test_large_scores(unit):
    """출력층 점수가 수천인 신경망 / a network whose output scores are in the thousands

    Real work: near one-hot probabilities from scores far beyond exp's range; a softmax without the maximum gives nan.
    """
    rng = rng_for(353)
    network = random_network(rng, (3, 4, 4, 5))
    network["W3"] = network["W3"] * 1000.0
    check_predict(unit, network, rng.normal(size=(3, 3)))
