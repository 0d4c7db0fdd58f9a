"""The book's ``dataset`` package: ``from dataset.mnist import load_mnist`` (see mnist.py)."""
