"""Chapter 5, backpropagation: the course package of ``ch05_backprop``, authored on the engine's generic checks.

The suites compare every layer with the reference through :mod:`grader.pipeline.generic` (``check_steps`` steps
through a layer: forward, backward, the ``dW`` it keeps). What is this chapter's own:

- ``hints.py``: the learners' mistakes each hint names (a hint is chosen on the trusted side only);
- ``checks.py``: the suites' inputs and the calls they share, the gradient check and the training check;
- ``untrusted/``: the book's training loop with the student's ``TwoLayerNet`` (a worker runs it);
- ``mutants/``: realistic mistakes, correct styles and do-nothing submissions for ``make mutants``.
"""
