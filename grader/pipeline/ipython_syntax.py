"""IPython syntax -> Python with IPython's own transforms, in one pass: time linear in the cell's size.

``TransformerManager.transform_cell`` re-tokenises the whole cell after every
``!``/``%``/``?`` line it rewrites (and gives up after 500 of them), so a cell of
many such lines costs the square of its size. Here the cell is tokenised once,
lazily, up to the next piece of IPython syntax; that piece is rewritten by the
same transformer class IPython would use, and tokenising resumes on the line
after it, with the tokenizer's indentation stack rebuilt by a few prefix lines.
Rewriting a piece leaves the lines before it unchanged and ends a logical line,
so the result is the one IPython gives (``test_ipython_syntax.py`` compares them).
"""

from __future__ import annotations

import re
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

# Where IPython syntax can start: one of !%? anywhere, or ,;/ first on a line (str.splitlines' line breaks).
_MAYBE_SPECIAL = re.compile(r"[!%?]|(?:\A|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])\s*[,;/]")
MAX_INDENT_LEVELS = 100  # Python's own tokenizer refuses deeper indentation; beyond it the cell cannot parse anyway


@dataclass(frozen=True)
class _State:
    """What the tokenizer carries from one line to the next: its indentation stack and its bracket depth.

    ``raw`` is the tokenizer's own depth, which a stray ``)`` makes negative (it then treats every
    following line as a continuation); ``parens`` is IPython's count, which never goes below 0.
    """

    indents: tuple[str, ...] = ("",)
    raw: int = 0
    parens: int = 0

    def prefix(self) -> list[str]:
        """Lines that bring a fresh tokenizer into this state."""
        if self.indents == ("",) and self.raw == 0:
            return []
        *outer, last = self.indents
        return [level + "if 1:\n" for level in outer] + [last + "pass" + ")" * -self.raw + "\n"]


@dataclass
class _Found:
    """A piece of IPython syntax: the transformers' finds, its logical line's first line, the state before it."""

    candidates: list[Any]  # IPython's transformer objects (untyped)
    first: int
    state: _State


def import_ipython() -> None:
    """Import IPython's transformer now, outside any time limit.

    A deadline that fires in the middle of a first import leaves the module half-initialised in
    ``sys.modules``, and every later notebook in the same process then fails to read ("cannot import name
    ... from partially initialized module"): a batch would lose every submission after one slow notebook.
    """
    import IPython.core.inputtransformer2

    try:
        import IPython.utils.tokenutil  # noqa: F401
    except ImportError:  # IPython < 8.15
        pass


def to_python(cell: str) -> str:
    """The cell with IPython syntax rewritten as Python calls (what ``TransformerManager.transform_cell`` returns)."""
    from IPython.core.inputtransformer2 import TransformerManager

    manager: Any = cast(Callable[[], Any], TransformerManager)()  # IPython is untyped
    if not cell.endswith("\n"):
        cell += "\n"
    lines = cell.splitlines(keepends=True)
    for transform in manager.cleanup_transforms + manager.line_transforms:  # each one pass over the lines
        lines = transform(lines)
    if not _MAYBE_SPECIAL.search(cell):  # most cells: nothing any token transformer could find, no tokenizing
        return "".join(lines)
    return "".join(_token_transforms(lines, manager.token_transformers))


def _token_transforms(lines: list[str], transformers: list[Any]) -> list[str]:
    out: list[str] = []
    position, state = 0, _State()
    active = list(transformers)
    while position < len(lines) and active and len(state.indents) <= MAX_INDENT_LEVELS:
        for found in _scan(lines, position, state, active):
            rewritten = _rewrite(lines, found)
            if rewritten is not None:
                new_lines, resume = rewritten
                out += lines[position : found.first]
                out += new_lines
                position, state = resume, found.state  # the rewritten line is one balanced statement
                break
            # No transformer could rewrite this piece. IPython then tries each other transformer's first find
            # further on and, whenever one succeeds, finds this same stuck piece first again: the transformers
            # stuck here are out of the game for the rest of the cell.
            stuck = {type(candidate) for candidate in found.candidates}
            active[:] = [t for t in active if t not in stuck]
            if not active:
                break
        else:
            break
    out += lines[position:]
    return out


def _rewrite(lines: list[str], found: _Found) -> tuple[list[str], int] | None:
    """The rewritten lines up to the rewritten one, and the line where the original resumes."""
    from IPython.core.inputtransformer2 import find_end_of_continued_line

    for candidate in sorted(found.candidates, key=lambda c: c.sortby()):
        start = candidate.start_line
        end = candidate.q_line if hasattr(candidate, "q_line") else find_end_of_continued_line(lines, start)
        end = max(min(end, len(lines) - 1), start)
        local = lines[found.first : end + 1]
        offset = found.first
        candidate.start_line -= offset
        if hasattr(candidate, "q_line"):
            candidate.q_line -= offset
        try:
            new_local = candidate.transform(local)
        except SyntaxError:
            candidate.start_line += offset
            if hasattr(candidate, "q_line"):
                candidate.q_line += offset
            continue
        # every transformer replaces local[start:end + 1] with one line and keeps the rest
        if len(new_local) != start - offset + 1 or new_local[: start - offset] != local[: start - offset]:
            raise ValueError("IPython's transformer rewrote more than one piece of syntax")
        return new_local, end + 1
    return None


def _scan(lines: list[str], position: int, state: _State, active: list[Any]) -> Iterator[_Found]:
    """Each logical line from ``position`` on in which one of the ``active`` transformers finds syntax."""
    prefix = state.prefix()
    row_offset = position - 1 - len(prefix)  # tokenizer row -> 0-based index into lines
    indents, raw, parens = list(state.indents), state.raw, state.parens
    group: list[tokenize.TokenInfo] = []
    before: _State | None = None
    for token in _tokens(prefix, lines, position):
        if token.start[0] <= len(prefix):
            continue
        if before is None and token.type not in (tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
            before = _State(tuple(indents), raw, parens)  # after this logical line's INDENT/DEDENT
        if token.type == tokenize.INDENT:
            indents.append(token.string)
        elif token.type == tokenize.DEDENT and len(indents) > 1:
            indents.pop()
        group.append(token)
        if token.type == tokenize.NEWLINE or (token.type == tokenize.NL and parens <= 0):
            found = _find(group, before, active, row_offset)
            if found is not None:
                yield found
            group, before = [], None
        elif token.type == tokenize.OP and token.string in ("(", "[", "{"):
            raw, parens = raw + 1, parens + 1
        elif token.type == tokenize.OP and token.string in (")", "]", "}"):
            raw, parens = raw - 1, max(parens - 1, 0)
    found = _find(group, before, active, row_offset) if group else None
    if found is not None:
        yield found


def _find(
    group: list[tokenize.TokenInfo], before: _State | None, transformers: list[Any], row_offset: int
) -> _Found | None:
    """Run every transformer's ``find`` on one logical line; rows become absolute 0-based line numbers."""
    candidates = [c for c in (t.find([group]) for t in transformers) if c]
    if not candidates or before is None:
        return None
    for candidate in candidates:
        candidate.start_line += row_offset + 1
        if hasattr(candidate, "q_line"):
            candidate.q_line += row_offset + 1
    first = max(min(t.start[0] for t in group) + row_offset, 0)
    return _Found(candidates, first, before)


def _tokens(prefix: list[str], lines: list[str], position: int) -> Iterator[tokenize.TokenInfo]:
    """Tokens of the prefix then of ``lines[position:]``, read lazily, tolerant as IPython's tokenizing is."""
    index = position - len(prefix)

    def readline() -> str:
        nonlocal index
        index += 1
        current = index - 1
        if current < position:
            return prefix[current - position + len(prefix)]
        return lines[current] if current < len(lines) else ""

    catching: Callable[..., Iterator[tokenize.TokenInfo]] | None
    try:
        from IPython.utils.tokenutil import generate_tokens_catch_errors

        catching = generate_tokens_catch_errors
    except ImportError:  # IPython < 8.15
        catching = None
    try:
        if catching is not None:
            yield from catching(readline, extra_errors_to_catch=["expected EOF"])
        else:
            yield from tokenize.generate_tokens(readline)
    except tokenize.TokenError:
        return  # input ended in a multi-line string or statement: IPython's make_tokens_by_line stops here too
