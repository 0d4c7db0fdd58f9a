"""Course packages: everything about one assignment (checks, hints, test functions, procedures, mutants).

Each ``courses/<assignment id>/`` is named by its rubric (``rubrics/<id>.toml``, ``[assignment] package``);
the engine in ``grader/`` never names an assignment, a unit or a course function.
"""
