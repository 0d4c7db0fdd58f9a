"""The ch04 grading kit. ``from grader import check`` is the notebook self-check (loaded on first use)."""


def __getattr__(name: str):
    if name == "check":  # lazily: importing grader stays cheap for the CLI and the workers
        from grader.classroom.selfcheck import check

        return check
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
