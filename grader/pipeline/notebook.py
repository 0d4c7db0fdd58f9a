"""Read notebooks with nbformat (v4, v3 upgraded) and list their code cells."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from grader.errors import GraderError
from grader.pipeline import reasons

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024  # the file, outputs included
# The code the grader reads: a real ch04 notebook has a few KiB of it. Reading it (IPython's
# transformer, ``ast``) costs a few seconds per MiB, in the trusted process, before any time limit.
MAX_CELL_SOURCE_BYTES = 512 * 1024
MAX_SOURCE_BYTES = 2 * 1024 * 1024

Notebook = dict[str, Any]  # an nbformat 4 NotebookNode (a dict): cells and metadata of any JSON shape


class NotebookError(GraderError):
    """The file is not a notebook we can read; the message says why and what to do, ``reason`` is its code."""

    def __init__(self, en: str, *, ko: str, reason: str = reasons.NOT_NOTEBOOK) -> None:
        super().__init__(en, ko=ko)
        self.reason = reason  # one of grader.pipeline.reasons' codes: what a batch records, never the message


@dataclass(frozen=True)
class CodeCell:
    """One code cell: its 1-based position among all cells, and its source."""

    number: int  # among all cells (markdown too): the kit's own key for a cell, never shown to a learner
    source: str
    position: int = 0  # 1-based among code cells only
    execution_count: int | None = None  # the ``[5]`` Jupyter shows beside a cell that was run

    def label(self, lang: str = "en") -> str:
        """The cell as the learner finds it in Jupyter: ``cell [5]`` when it was run, else ``code cell 3``."""
        return cell_label(self.position or self.number, self.execution_count, lang)


def cell_label(position: int, execution_count: int | None, lang: str = "en") -> str:
    """``cell [5]`` (its execution count) or ``code cell 3`` (its place among code cells); Korean for ``ko``."""
    if type(execution_count) is int and execution_count > 0:
        return f"셀 [{execution_count}]" if lang == "ko" else f"cell [{execution_count}]"
    return f"코드 셀 {position}" if lang == "ko" else f"code cell {position}"


def read_notebook(path: Path) -> Notebook:
    """Read and upgrade a notebook to nbformat 4, or raise NotebookError (also when its code is too large)."""
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise _too_large(path.name, size)
    return parse_notebook(path.read_bytes(), path.name)


def parse_notebook(data: bytes, name: str) -> Notebook:
    """A notebook's bytes -> an nbformat 4 node, or NotebookError; ``name`` is the file's, for messages."""
    import nbformat  # imported here: it is slow to import and not every command needs it

    if len(data) > MAX_NOTEBOOK_BYTES:
        raise _too_large(name, len(data))
    if not data.strip():
        raise NotebookError(
            f"{name} is empty: save the notebook in Jupyter and submit it again.",
            ko=f"{name}: 파일이 비어 있습니다. Jupyter에서 노트북을 저장해 다시 제출하세요.",
            reason=reasons.EMPTY,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        # A character cut at the very end is an upload or a save that stopped half-way, not another format.
        cut = error.end >= len(data)
        raise NotebookError(
            f"{name} is not UTF-8 text; is it really a .ipynb file?",
            ko=f"{name}: UTF-8 텍스트가 아닙니다. 정말 .ipynb 파일인가요?",
            reason=reasons.TRUNCATED if cut else reasons.NOT_UTF8,
        ) from None
    try:
        json.loads(text)
    except (ValueError, RecursionError) as error:
        raise NotebookError(
            f"{name} is not valid JSON ({error}); open it in Jupyter and save it again",
            ko=f"{name}: 올바른 JSON이 아닙니다. Jupyter에서 열어 다시 저장하세요.",
            reason=reasons.TRUNCATED if _ends_early(text, error) else reasons.NOT_JSON,
        ) from None
    try:
        notebook = cast(Callable[..., Notebook], nbformat.reads)(text, as_version=4)  # nbformat is untyped
    except Exception as error:  # noqa: BLE001  nbformat raises many kinds
        raise NotebookError(
            f"{name} is not a Jupyter notebook nbformat can read: {error}"[:2000],
            ko=f"{name}: 읽을 수 있는 Jupyter 노트북이 아닙니다. 과제 노트북(.ipynb)을 제출하세요.",
            reason=reasons.NOT_NOTEBOOK,
        ) from None
    check_shape(notebook, name)
    check_code_size(notebook, name)
    return notebook


def _ends_early(text: str, error: Exception) -> bool:
    """Whether JSON parsing failed because the text stopped (a cut file), not on something wrong inside it."""
    if not text.lstrip().startswith("{") or not isinstance(error, json.JSONDecodeError):
        return False
    end = len(text.rstrip())
    if error.pos >= end:
        return True
    try:  # cut inside a string, the parser blames the string's opening quote: close it and see where it stops now
        json.loads(text + '"')
    except json.JSONDecodeError as again:
        return again.pos >= end
    except RecursionError:
        return False
    return False


def _too_large(name: str, size: int) -> NotebookError:
    return NotebookError(
        f"{name} is {size // 2**20} MiB; notebooks over {MAX_NOTEBOOK_BYTES // 2**20} MiB are not graded (clear the "
        "outputs and save again)",
        ko=f"{name}: 파일이 {size // 2**20} MiB로 {MAX_NOTEBOOK_BYTES // 2**20} MiB를 넘어 채점하지 않았습니다. "
        "출력을 지우고(Clear All Outputs) 다시 저장하세요.",
        reason=reasons.TOO_LARGE,
    )


def check_shape(notebook: object, name: str) -> None:
    """NotebookError unless the parts the grader reads have the types nbformat 4 gives them.

    nbformat only logs a failed validation and returns what it read, so a cell list that is
    a string, or a cell that is a number, would otherwise reach the extraction.
    """
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
        raise NotebookError(
            f"{name}: its cells are not a list of cells; open it in Jupyter and save it again",
            ko=f"{name}: 셀 목록이 올바르지 않습니다. Jupyter에서 열어 다시 저장하세요.",
        )
    for number, cell in enumerate(cells, start=1):
        source = cell.get("source", "")
        if cell.get("cell_type") == "code" and not (
            isinstance(source, str) or isinstance(source, list) and all(isinstance(line, str) for line in source)
        ):
            raise NotebookError(
                f"{name}: cell {number} has a source that is not text; open it in Jupyter and save it again",
                ko=f"{name}: 셀 {number}의 코드가 텍스트가 아닙니다. Jupyter에서 열어 다시 저장하세요.",
            )


def check_code_size(notebook: Notebook, name: str) -> None:
    """NotebookError when a code cell, or all code together, is over the bounds the grader reads."""
    total = 0
    for cell in code_cells(notebook):
        size = len(cell.source.encode("utf-8", "surrogatepass"))
        total += size
        if size > MAX_CELL_SOURCE_BYTES:
            raise NotebookError(
                f"{name}: the code of {cell.label()} is {_mib(size)}, over the {_mib(MAX_CELL_SOURCE_BYTES)} a cell "
                "may hold, so the notebook was not graded: read data from a file instead of pasting it into code.",
                ko=f"{name}: {cell.label('ko')}의 코드가 {_mib(size)}로 셀 하나의 한도 {_mib(MAX_CELL_SOURCE_BYTES)}를 "
                "넘어 채점하지 않았습니다. 데이터는 코드 대신 파일에서 읽으세요.",
                reason=reasons.TOO_LARGE,
            )
    if total > MAX_SOURCE_BYTES:
        raise NotebookError(
            f"{name}: the code cells hold {_mib(total)} together, over the {_mib(MAX_SOURCE_BYTES)} the grader "
            "reads, so the notebook was not graded: remove code that is not part of the assignment.",
            ko=f"{name}: 코드 셀을 모두 합하면 {_mib(total)}로 한도 {_mib(MAX_SOURCE_BYTES)}를 넘어 채점하지 "
            "않았습니다. 과제와 상관없는 코드를 지우세요.",
            reason=reasons.TOO_LARGE,
        )


def _mib(size: int) -> str:
    return f"{size / 2**20:.2f} MiB"


def code_cells(notebook: Notebook) -> list[CodeCell]:
    """The code cells of a notebook, numbered by position among all cells (1-based) and among code cells."""
    cells: list[CodeCell] = []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            count = cell.get("execution_count")
            cells.append(
                CodeCell(
                    number,
                    "".join(map(str, source)) if isinstance(source, list) else str(source),
                    len(cells) + 1,
                    count if type(count) is int else None,
                )
            )
    return cells


def notebook_metadata(notebook: object, key: str) -> object:
    """A value from the notebook's ``grader`` metadata, or None."""
    metadata = notebook.get("metadata") if isinstance(notebook, dict) else None
    grader_metadata = metadata.get("grader") if isinstance(metadata, dict) else None
    return grader_metadata.get(key) if isinstance(grader_metadata, dict) else None
