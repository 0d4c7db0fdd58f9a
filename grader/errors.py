"""The kit's own errors: each says what went wrong and what to do next; the CLI prints it on one line, exit status 2.

Every error a person reads comes in English and Korean. Raise it as ``SomeError(english, ko=korean)``;
``str()`` joins them as ``english / korean`` (the form every other bilingual line of the kit uses), and the
parts stay apart in ``.en`` and ``.ko`` for whoever renders them another way. A kit test
(``grader/tests/test_bilingual.py``) walks every raise of a ``GraderError`` and finds none without Korean.
"""

from __future__ import annotations

ACCEPT_UNCONFINED_VARIABLE = "GRADER_ACCEPT_UNCONFINED"  # set by --accept-unconfined


class GraderError(Exception):
    """A problem the person running the grader can fix (misuse, a missing file, an unsafe machine)."""

    def __init__(self, en: str, ko: str = "") -> None:
        super().__init__(en)
        self.en = en
        self.ko = ko

    def __str__(self) -> str:
        return f"{self.en} / {self.ko}" if self.ko else self.en


class UnconfinedRefused(GraderError):
    """Grading would leave student code a way to the kit, other submissions or root: refused before it starts."""
