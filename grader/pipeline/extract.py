"""Notebook -> the definitions that are graded, selected with ``ast``; nothing here runs student code.

Kept, in cell order: imports, function and class definitions, and plain constant
assignments (``h = 1e-4``). Everything else at top level (training loops, plots,
``os.chdir(...)``, prints, shell escapes) is never run. IPython syntax is first
turned into Python by IPython's own transformer, so ``%magic`` and ``!shell``
lines become ordinary calls that the selection then drops.
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass, field

from grader.pipeline.checks import Text
from grader.pipeline.ipython_syntax import to_python
from grader.pipeline.notebook import CodeCell, Notebook, cell_label, code_cells

# Cell magics whose body is ordinary Python that runs in the notebook's namespace.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
MAX_CELL_MAGIC_DEPTH = 4  # %%time inside %%capture inside ...: each level reads the body again
# The line breaks ``ast`` counts (not str.splitlines', which also breaks at \x0c, \x1c, \u2028, ...).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
# What a cell that does not parse would have defined: its top-level def and class lines, read as text.
_DEFINED_BY_TEXT = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)", re.MULTILINE)
_CONSTANT_NODES = (
    ast.Constant,
    ast.UnaryOp,
    ast.BinOp,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.unaryop,
    ast.operator,
    ast.Load,
    ast.expr_context,
)


@dataclass(frozen=True)
class Snippet:
    """One kept top-level statement: where it came from and the names it binds."""

    cell: int
    line: int
    source: str
    kind: str  # import | def | class | constant
    names: tuple[str, ...]

    def to_data(self) -> dict[str, object]:
        """As plain data for the worker."""
        return {
            "cell": self.cell,
            "line": self.line,
            "source": self.source,
            "kind": self.kind,
            "names": list(self.names),
        }


@dataclass
class Extraction:
    """What a notebook defines, and what could not be read."""

    snippets: list[Snippet] = field(default_factory=list)
    errors: list[Text] = field(default_factory=list)  # what could not be read: the notebook's problems
    notes: list[Text] = field(default_factory=list)  # what was read and graded, told for clarity (defined twice)
    cells: dict[int, tuple[int, int | None]] = field(default_factory=dict)  # cell number -> (code position, count)
    # cell number -> (line of its SyntaxError, the names its def and class lines would define): a name missing
    # because its cell does not parse is told so, not sent to a look-alike name
    unparsable: dict[int, tuple[int, tuple[str, ...]]] = field(default_factory=dict)

    def cell_label(self, number: int, lang: str = "en") -> str:
        """The cell numbered ``number`` among all cells, as Jupyter shows it (``cell [5]``, ``code cell 3``)."""
        position, count = self.cells.get(number, (number, None))
        return cell_label(position, count, lang)

    def syntax_error_defining(self, name: str) -> tuple[int, int] | None:
        """(cell number, line) of the first cell that would define ``name`` but has a SyntaxError, else None."""
        for number, (line, names) in sorted(self.unparsable.items()):
            if name in names:
                return number, line
        return None

    @property
    def names(self) -> set[str]:
        """Every name the kept statements bind."""
        return {name for snippet in self.snippets for name in snippet.names}

    def close_name(self, wanted: str) -> str | None:
        """A defined function or class name close to ``wanted``, for "did you mean".

        Also matches case-insensitively (``Twolayernet``) and by prefix
        (``numerical_differential`` for ``numerical_diff``).
        """
        defined = [name for s in self.snippets if s.kind in ("def", "class") for name in s.names]
        alike = [
            name
            for name in defined
            if name.lower() == wanted.lower() or name.startswith(wanted) or wanted.startswith(name)
        ]
        if alike:  # the closest, not the first: numerical_dif, not the book's numerical_diff_bad defined above it
            return max(alike, key=lambda name: difflib.SequenceMatcher(None, wanted, name).ratio())
        matches = difflib.get_close_matches(wanted, defined, n=1, cutoff=0.75)
        return matches[0] if matches else None


def extract_definitions(notebook: Notebook) -> Extraction:
    """Select the graded definitions of a notebook (an nbformat v4 node)."""
    extraction = Extraction()
    for cell in code_cells(notebook):
        extraction.cells[cell.number] = (cell.position, cell.execution_count)
        _extract_cell(cell, cell.source, 0, extraction)
    extraction.notes += _defined_again(extraction)  # graded in full, as Jupyter would run it: not a problem
    return extraction


def _defined_again(extraction: Extraction) -> list[Text]:
    """A notice per function or class defined in more than one cell: the last is graded, as Jupyter keeps it."""
    cells: dict[str, list[int]] = {}
    for snippet in extraction.snippets:
        if snippet.kind in ("def", "class"):
            for name in snippet.names:
                if snippet.cell not in cells.setdefault(name, []):
                    cells[name].append(snippet.cell)
    notices: list[Text] = []
    for name, numbers in cells.items():
        if len(numbers) > 1:
            ko = ", ".join(extraction.cell_label(n, "ko") for n in numbers)
            en = ", ".join(extraction.cell_label(n, "en") for n in numbers)
            notices.append(
                Text(
                    f"{name}이(가) 여러 셀({ko})에 정의되어 있습니다: Jupyter처럼 마지막 정의를 채점합니다.",
                    f"{name} is defined in more than one cell ({en}): the last one is graded, as in Jupyter.",
                )
            )
    return notices


def _extract_cell(cell: CodeCell, source: str, line_offset: int, extraction: Extraction, depth: int = 0) -> None:
    """Keep the selected statements of one cell (or of a Python cell magic's body), in time linear in its size."""
    try:
        python = to_python(source)
        tree = ast.parse(python)
    except (SyntaxError, ValueError) as error:  # the transformer tokenizes, so it raises these too
        line = (getattr(error, "lineno", None) or 1) + line_offset
        message = getattr(error, "msg", str(error))
        extraction.errors.append(
            Text(
                f"{cell.label('ko')}: 문법 오류 SyntaxError: {message} ({line}번째 줄)",
                f"{cell.label()}: SyntaxError: {message} (line {line})",
            )
        )
        extraction.unparsable.setdefault(cell.number, (line, tuple(_DEFINED_BY_TEXT.findall(source))))
        return
    except (RecursionError, MemoryError):
        extraction.errors.append(
            Text(
                f"{cell.label('ko')}: 코드가 너무 깊이 중첩되어 읽을 수 없습니다. 중첩을 줄이세요.",
                f"{cell.label()}: the code is nested too deeply to read; nest it less deeply",
            )
        )
        return
    except Exception as error:  # noqa: BLE001  IPython's transformer on arbitrary text
        extraction.errors.append(
            Text(
                f"{cell.label('ko')}: IPython 문법(%, !)을 읽을 수 없습니다: {error}",
                f"{cell.label()}: could not read IPython syntax: {error}",
            )
        )
        return
    lines = _LINE.findall(python)  # once per cell: ast.get_source_segment would split the cell per statement
    for statement in tree.body:
        body = _python_cell_magic_body(statement)
        if body is not None:
            if depth >= MAX_CELL_MAGIC_DEPTH:
                line = line_offset + statement.lineno
                extraction.errors.append(
                    Text(
                        f"{cell.label('ko')}: 셀 매직이 {MAX_CELL_MAGIC_DEPTH}개보다 많이 겹쳐 있습니다({line}번째 줄). "
                        "셀 매직 없이 코드를 쓰세요.",
                        f"{cell.label()}: more than {MAX_CELL_MAGIC_DEPTH} nested cell magics (line {line}); "
                        "write the code without them",
                    )
                )
                continue
            _extract_cell(cell, body, line_offset + statement.lineno, extraction, depth + 1)
            continue
        kind = _kind(statement)
        if kind is None:
            continue
        start = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
        text = "".join(lines[start - 1 : statement.end_lineno])
        if kind in ("import", "constant"):  # only this statement: `import x; run()` on one line must not run run()
            text = _segment(lines, statement) or text
        extraction.snippets.append(Snippet(cell.number, start + line_offset, text, kind, _bound_names(statement)))


def _segment(lines: list[str], node: ast.stmt) -> str | None:
    """The statement's own source, as ``ast.get_source_segment`` gives it, from lines split once per cell."""
    if node.end_lineno is None or node.end_col_offset is None or node.end_lineno > len(lines):
        return None
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        return lines[first].encode()[node.col_offset : node.end_col_offset].decode()
    head = lines[first].encode()[node.col_offset :].decode()
    tail = lines[last].encode()[: node.end_col_offset].decode()
    return head + "".join(lines[first + 1 : last]) + tail


def _kind(statement: ast.stmt) -> str | None:
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return "import"
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return "def"
    if isinstance(statement, ast.ClassDef):
        return "class"
    if _is_constant_assignment(statement):
        return "constant"
    return None


def _is_constant_assignment(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Assign):
        targets, value = statement.targets, statement.value
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets, value = [statement.target], statement.value
    else:
        return False
    names_only = all(isinstance(node, (ast.Name, ast.Tuple, ast.Store)) for t in targets for node in ast.walk(t))
    return names_only and all(isinstance(node, _CONSTANT_NODES) for node in ast.walk(value))


def _bound_names(statement: ast.stmt) -> tuple[str, ...]:
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return tuple((alias.asname or alias.name).split(".")[0] for alias in statement.names)
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (statement.name,)
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AnnAssign):
        targets = [statement.target]
    else:  # only imports, definitions and constant assignments are kept
        return ()
    return tuple(node.id for t in targets for node in ast.walk(t) if isinstance(node, ast.Name))


def _python_cell_magic_body(statement: ast.stmt) -> str | None:
    """The body of ``%%time``-like cells, which IPython turns into ``run_cell_magic(name, line, body)``."""
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return None
    call = statement.value
    function = call.func
    if not (isinstance(function, ast.Attribute) and function.attr == "run_cell_magic"):
        return None
    if not (isinstance(function.value, ast.Call) and getattr(function.value.func, "id", None) == "get_ipython"):
        return None
    if len(call.args) != 3 or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args):
        return None
    name, _, body = (a.value for a in call.args if isinstance(a, ast.Constant))
    return body if name in PYTHON_CELL_MAGICS and isinstance(body, str) else None
