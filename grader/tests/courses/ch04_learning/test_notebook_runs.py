"""The instructor notebook runs top to bottom offline, training on the bundled MNIST subset."""

from __future__ import annotations

import re

import nbformat
from nbclient import NotebookClient

from grader.tests.helpers import SOLUTION


def test_solution_notebook_runs_offline_with_the_bundled_data(monkeypatch, tmp_path):
    monkeypatch.setenv("MNIST_OFFLINE", "1")  # as on a machine without internet
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # and no full MNIST in the cache
    monkeypatch.delenv("MNIST_DIR", raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")  # small matrices: threads only slow a busy machine down
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("JPY_SESSION_NAME", str(SOLUTION))  # as Jupyter tells a kernel its notebook; check() reads it
    notebook = nbformat.read(SOLUTION, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(SOLUTION.parent)}}
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    printed = {
        cell.id: "".join(output.get("text", "") for output in cell.outputs)
        for cell in notebook.cells
        if cell.cell_type == "code"
    }
    assert "bundled subset" in printed["train-data"] and "(4000, 784) float32" in printed["train-data"]
    final = re.search(r"test acc (0\.\d+), loss [\d.]+ \(2000", printed["train-loop"])
    assert final and float(final.group(1)) >= 0.85, printed["train-loop"]
    assert "instructor checks passed" in printed["instructor-checks"]
