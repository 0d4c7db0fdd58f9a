"""Chapter 3, neural-network inference: the course package of ``ch03_networks``.

- ``checks.py``, ``hints.py``: what the suites in tests_public/ and tests_hidden/ use (trusted side), with the
  MNIST subset and the shipped inference weights (``data/ch03_networks/sample_weight.npz``, hash checked);
- ``untrusted/``: what a worker loads of the course (no test functions or procedures: every call here takes
  plain arrays and dicts);
- ``mutants/``: realistic mistakes, correct styles and do-nothing submissions for ``make mutants``
  (never readable by a worker: the styles are working units).
"""
