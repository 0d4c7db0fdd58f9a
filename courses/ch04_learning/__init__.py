"""Chapter 4, neural-network learning: the course package of ``ch04_learning``.

- ``checks.py``, ``hints.py``, ``training.py``: what the suites in tests_public/ and tests_hidden/ use
  (trusted side);
- ``untrusted/``: the test functions and the training procedure a worker runs (the only part it sees);
- ``mutants/``: realistic mistakes, correct styles and do-nothing submissions for ``make mutants``
  (never readable by a worker: the styles are working units).
"""
