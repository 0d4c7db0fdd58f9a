"""Read notebooks with nbformat (v4, v3 upgraded) and list their code cells."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024


class NotebookError(Exception):
    """The file is not a notebook we can read; the message says why and what to do."""


@dataclass(frozen=True)
class CodeCell:
    """One code cell: its 1-based position among all cells, and its source."""

    number: int
    source: str


def read_notebook(path: Path):
    """Read and upgrade a notebook to nbformat 4, or raise NotebookError."""
    import nbformat  # imported here: it is slow to import and not every command needs it

    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"{path.name} is {size // 2**20} MiB; notebooks over {MAX_NOTEBOOK_BYTES // 2**20} MiB "
                            "are not graded (clear the outputs and save again)")  # fmt: skip
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NotebookError(f"{path.name} is not UTF-8 text; is it really a .ipynb file?") from None
    try:
        json.loads(text)
    except (ValueError, RecursionError) as error:
        raise NotebookError(f"{path.name} is not valid JSON ({error}); open it in Jupyter and save it again") from None
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as error:  # noqa: BLE001  nbformat raises many kinds
        raise NotebookError(f"{path.name} is not a Jupyter notebook nbformat can read: {error}") from None


def code_cells(notebook) -> list[CodeCell]:
    """The code cells of a notebook, numbered by position among all cells (1-based)."""
    cells = []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            cells.append(CodeCell(number, "".join(source) if isinstance(source, list) else str(source)))
    return cells


def notebook_metadata(notebook, key: str) -> object:
    """A value from the notebook's ``grader`` metadata, or None."""
    grader_metadata = notebook.get("metadata", {}).get("grader", {})
    return grader_metadata.get(key) if isinstance(grader_metadata, dict) else None
