"""Fixtures of the classroom tests: one realistic class, graded once per session."""

from grader.tests.classroom.class_batch import graded_class  # noqa: F401  a fixture, used by name
