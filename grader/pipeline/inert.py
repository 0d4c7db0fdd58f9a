"""Text a student chose, made harmless to show: bounded, without terminal escapes, and inert in Markdown.

Every piece of student-chosen text that reaches a reader (an exception message, printed
output, a name in an uploaded artifact) goes through here: :func:`clean` for a terminal
or a JSON file, :func:`md_code` and :func:`md_block` for Markdown (job summary, report.md,
PR comment, feedback files, issues). Inside a code span or a fenced code block Markdown
makes no headings, links, autolinks, images, HTML or @mentions; the fence is always
longer than any run of backticks in the text, so the text cannot close it.

Standard library only: ``ci comment`` imports this without installing anything.
"""

from __future__ import annotations

import re

# C0 and C1 controls but tab and newline, DEL, zero-width and bidi controls, line/paragraph separators, BOM:
# terminal escapes (colours, cursor moves, OSC 8 links, OSC 52 clipboard writes) and text that reads backwards.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_BACKTICKS = re.compile("`+")
REPLACEMENT = "\ufffd"


def _as_text(value: object) -> str:
    if type(value) is str:
        return value
    try:
        return str(value)
    except Exception:  # noqa: BLE001  e.g. an int past Python's digit limit: say what it was instead
        return f"<{type(value).__name__}>"


def _dropped(count: int) -> str:
    return f" … (+{count:,} characters cut / {count:,}자 생략)"


def _tidy(text: str) -> str:
    return _CONTROL.sub(REPLACEMENT, text.replace("\r\n", "\n").replace("\r", "\n"))


def clean(value: object, limit: int) -> str:
    """The text of ``value`` with line ends as ``\\n``, control characters shown as U+FFFD, at most ``limit`` long
    (saying how much was cut)."""
    text = _as_text(value)
    if len(text) <= limit:
        return _tidy(text)
    keep = max(limit - len(_dropped(len(text))) - 2, 0)  # the work is bounded by limit, whatever the size
    return (_tidy(text[:keep]) + _dropped(len(text) - keep))[:limit]


def one_line(value: object, limit: int) -> str:
    """:func:`clean`, with every run of whitespace (newlines too) made one space."""
    return clean(" ".join(clean(value, limit * 2 + 64).split()), limit)


def md_code(value: object, limit: int = 200, *, table: bool = False) -> str:
    """One line of untrusted text as an inline code span; in a table cell ``|`` becomes ``¦`` (GFM would split)."""
    body = one_line(value, limit)
    if table:
        body = body.replace("|", "¦")
    fence = "`" * (max(map(len, _BACKTICKS.findall(body)), default=0) + 1)
    pad = " " if not body or body[0] == "`" or body[-1] == "`" else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def md_block(value: object, limit: int = 4000, info: str = "text") -> str:
    """Untrusted text, several lines, as a fenced code block whose fence no line of the text can close."""
    body = clean(value, limit)
    fence = "`" * max(3, max(map(len, _BACKTICKS.findall(body)), default=0) + 1)
    return f"{fence}{info}\n{body}\n{fence}"


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def md_fit(markdown: str, limit: int, note: str) -> str:
    """Markdown in at most ``limit`` UTF-8 bytes: cut at a line end, any open code block and <details> closed, then
    ``note``."""
    if len(markdown.encode("utf-8")) <= limit:
        return markdown
    room = max(limit - len(note.encode("utf-8")) - 256, 0)  # 256: closing a fence and a <details>
    text = markdown.encode("utf-8")[:room].decode("utf-8", "ignore")
    text = text[: text.rfind("\n") + 1] if "\n" in text else ""
    fence, details = None, 0
    for line in text.splitlines():
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
        elif fence is not None and line.strip() and set(line.strip()) == {fence[0]} and len(line.strip()) >= len(fence):
            fence = None
        elif fence is None:
            details += line.startswith("<details") - line.startswith("</details>")
    closing = (fence[0] * len(fence) + "\n" if fence else "") + "</details>\n" * max(details, 0)
    return text + closing + note
