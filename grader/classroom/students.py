"""The one rule for student ids, used by the batch, every roster and every export.

A student id names files (``results/<id>.json``), gradebook rows and LMS rows, so it must
be the same string wherever it appears: letters of any script (Hangul included), digits,
``.``, ``_`` and ``-``, starting with a letter or a digit, at most 100 characters. Ids are
compared in Unicode NFC form, because macOS writes Korean file names decomposed (NFD):
``홍길동.ipynb`` unzipped from a Mac and ``홍길동`` typed into a roster are the same student.
"""

from __future__ import annotations

import re
import unicodedata

from grader.errors import GraderError

MAX_LENGTH = 100
_VALID = re.compile(r"[^\W_][\w.-]*")  # str pattern: \w is Unicode (Hangul, accented letters, other digits)
RULE = "letters (Korean too), digits, '.', '_' or '-', starting with a letter or digit, at most 100 characters"
RULE_KO = "글자(한글 포함), 숫자, '.', '_', '-'만 쓰고 글자나 숫자로 시작하며 100자 이하여야 합니다"


class StudentIdError(GraderError):
    """A student id breaks the rule, or two submissions claim the same id; the message names where."""


def normalise(student: str) -> str:
    """The id as it is compared and written: NFC, surrounding blanks removed."""
    return unicodedata.normalize("NFC", student.strip())


def is_valid(student: str) -> bool:
    """Whether an (already normalised) id follows the rule."""
    return len(student) <= MAX_LENGTH and _VALID.fullmatch(student) is not None


def checked(student: str, where: str) -> str:
    """The normalised id, or StudentIdError naming ``where`` it came from (a file, a roster line)."""
    normal = normalise(student)
    if not is_valid(normal):
        raise StudentIdError(
            f"{where}: student id {student!r} must be {RULE}", ko=f"{where}: 학생 id {student!r}: {RULE_KO}"
        )
    return normal
