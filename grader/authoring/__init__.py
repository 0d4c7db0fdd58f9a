"""Authoring assignments: ``python -m grader new ID`` scaffolds one that grades at once (see :mod:`.scaffold`)."""

from grader.authoring.scaffold import run_new, scaffold

__all__ = ["run_new", "scaffold"]
