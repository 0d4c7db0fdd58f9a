"""The grading kit. ``from grader import check`` is the notebook self-check (loaded on first use)."""

from typing import Any


def __getattr__(name: str) -> Any:
    """``grader.check``, imported on first use."""
    if name == "check":  # deliberately lazy: importing grader stays cheap for the CLI and the workers
        from grader.classroom.selfcheck import check

        return check
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
