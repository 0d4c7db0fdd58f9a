"""Extraction: what is kept from a notebook, what is reported, and what never runs."""

from __future__ import annotations

import base64
import json

import nbformat
import pytest

from grader.pipeline.extract import extract_definitions
from grader.pipeline.notebook import NotebookError, read_notebook
from grader.tests.conftest import scores
from grader.tests.helpers import notebook_from_cells, solution_cell_source, write_notebook


def kinds(extraction) -> list[tuple[str, tuple[str, ...]]]:
    return [(s.kind, s.names) for s in extraction.snippets]


def test_keeps_imports_definitions_and_constants_only():
    notebook = notebook_from_cells(
        [
            "import numpy as np\nfrom math import pi as PI\nh = 1e-4\nN, K = 3, -2 * 5\nx = np.zeros(3)\nprint(h)",
            "def f(x):\n    return x\n\nclass C:\n    pass\nfor i in range(10**9):\n    pass\nimport os\nos.chdir('/')",
        ]
    )
    extraction = extract_definitions(notebook)
    assert kinds(extraction) == [
        ("import", ("np",)),
        ("import", ("PI",)),
        ("constant", ("h",)),
        ("constant", ("N", "K")),
        ("def", ("f",)),
        ("class", ("C",)),
        ("import", ("os",)),
    ]
    assert extraction.errors == []


def test_magics_and_shell_escapes_become_python_and_are_dropped():
    notebook = notebook_from_cells(
        [
            "%matplotlib inline\n!pip install numpy\nfiles = !ls\nimport numpy as np\ndef f(x):\n    return 2 * x",
            "%%bash\nrm -rf /\n",
            "%%time\ndef g(x):\n    return 3 * x\n",
        ]
    )
    extraction = extract_definitions(notebook)
    assert kinds(extraction) == [("import", ("np",)), ("def", ("f",)), ("def", ("g",))]
    assert not any("rm -rf" in s.source or "pip" in s.source for s in extraction.snippets)


def test_syntax_error_cell_is_reported_and_the_rest_still_counts():
    notebook = notebook_from_cells(
        [("markdown", "# 4장"), "def good():\n    return 1", "def cross_entropy_error(y, t):eee\n    return 0\n  x"]
    )
    extraction = extract_definitions(notebook)
    assert kinds(extraction) == [("def", ("good",))]
    # the second code cell (Jupyter never numbers markdown cells): not "cell 3"
    korean, english = extraction.errors[0].ko, extraction.errors[0].en
    assert len(extraction.errors) == 1 and english.startswith("code cell 2: SyntaxError")
    assert "(line " in english and korean.startswith("코드 셀 2: 문법 오류 SyntaxError") and "번째 줄)" in korean


def test_a_cell_that_was_run_is_named_by_its_execution_count_as_jupyter_shows_it():
    notebook = notebook_from_cells([("markdown", "intro"), "x = 1", "def broken(:\n    pass"])
    notebook.cells[2].execution_count = 17
    extraction = extract_definitions(notebook)
    assert extraction.errors[0].ko.startswith("셀 [17]: 문법 오류 SyntaxError") and extraction.errors[0].en.startswith(
        "cell [17]: SyntaxError"
    )
    assert extraction.cell_label(2) == "code cell 1" and extraction.cell_label(3, "ko") == "셀 [17]"


def test_line_numbers_point_into_the_cell():
    extraction = extract_definitions(notebook_from_cells(["x = 1\n\n\ndef f():\n    pass"]))
    assert extraction.snippets[-1].line == 4 and extraction.snippets[-1].cell == 1


def test_redefinition_keeps_both_in_order_so_the_last_wins(grade):
    wrong = "def numerical_diff(f, x):\n    h = 1e-4\n    return (f(x + h) - f(x)) / h"
    right = solution_cell_source("numerical_diff")
    report = grade(notebook_from_cells(["import numpy as np", right, wrong]), units=["numerical_diff"])
    assert scores(report)["numerical_diff"] < 10
    report = grade(notebook_from_cells(["import numpy as np", wrong, right]), units=["numerical_diff"])
    assert scores(report)["numerical_diff"] == 10


def test_a_function_defined_in_two_cells_is_noted_and_the_last_is_graded():
    notebook = notebook_from_cells(["def f():\n    return 1", "def g():\n    return 2", "def f():\n    return 3"])
    notebook.cells[2].execution_count = 9
    extraction = extract_definitions(notebook)
    assert extraction.errors == []  # graded in full: a note, not a problem (the class report lists problems)
    assert [(note.ko, note.en) for note in extraction.notes] == [
        (
            "f이(가) 여러 셀(코드 셀 1, 셀 [9])에 정의되어 있습니다: Jupyter처럼 마지막 정의를 채점합니다.",
            "f is defined in more than one cell (code cell 1, cell [9]): the last one is graded, as in Jupyter.",
        )
    ]
    assert [s.cell for s in extraction.snippets if s.names == ("f",)] == [1, 3]  # numbered from 1


def test_a_cell_that_does_not_parse_records_what_it_would_define():
    cells = [
        "def numerical_diff_bad(f, x):\n    return 0",
        "def numerical_diff(f, x)\n    return 1\nclass Net:\n  pass",
    ]
    extraction = extract_definitions(notebook_from_cells(cells))
    assert extraction.syntax_error_defining("numerical_diff") == (2, 1)
    assert extraction.syntax_error_defining("Net") == (2, 1)
    assert extraction.syntax_error_defining("numerical_diff_bad") is None  # it parsed: defined, not broken


def test_the_closest_look_alike_is_offered_not_the_first():
    cells = ["def numerical_diff_bad(f, x):\n    return 0", "def numerical_dif(f, x):\n    return 1"]
    assert extract_definitions(notebook_from_cells(cells)).close_name("numerical_diff") == "numerical_dif"


def test_nbformat_v3_is_upgraded(tmp_path):
    v3 = {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": ""},
        "worksheets": [
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "input": "def f(x):\n    return x",
                        "language": "python",
                        "metadata": {},
                        "outputs": [],
                    }
                ],
                "metadata": {},
            }
        ],
    }
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(v3))
    assert kinds(extract_definitions(read_notebook(path))) == [("def", ("f",))]


def test_large_image_outputs_are_ignored(tmp_path):
    notebook = notebook_from_cells(["def f(x):\n    return x"])
    image = base64.b64encode(b"\x89PNG" + bytes(8 * 1024 * 1024)).decode()
    notebook.cells[0].outputs = [nbformat.v4.new_output("display_data", data={"image/png": image})]
    path = write_notebook(notebook, tmp_path / "big.ipynb")
    assert kinds(extract_definitions(read_notebook(path))) == [("def", ("f",))]


def test_empty_notebook_defines_nothing():
    assert extract_definitions(notebook_from_cells([])).snippets == []


@pytest.mark.parametrize("content", ["not json at all", '{"cells": 5}', "\udcff"])
def test_files_that_are_not_notebooks_raise_a_clear_error(tmp_path, content):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(NotebookError):
        read_notebook(path)


def test_failing_import_is_a_warning_and_costs_nothing_else(grade):
    cells = [
        "import numpy as np\nimport matplotlib_that_is_not_installed.pyplot as plt\nfrom dataset.mnist import load_mnist",
        solution_cell_source("numerical_diff"),
    ]
    report = grade(notebook_from_cells(cells), units=["numerical_diff"])
    assert scores(report)["numerical_diff"] == 10
    assert any("matplotlib_that_is_not_installed" in e and "skipped" in e for e in report.errors)
    assert any("load_mnist" in e and "skipped" in e for e in report.errors)  # dataset/ is out of the worker's reach


def test_missing_unit_says_not_found_with_did_you_mean(grade):
    source = solution_cell_source("numerical_diff").replace("def numerical_diff(", "def numerical_differential(")
    report = grade(notebook_from_cells(["import numpy as np", source]), units=["numerical_diff"])
    tests = report.units[0].tests
    assert all(t.outcome == "missing" for t in tests)
    assert "numerical_differential" in tests[0].message and "not found" in tests[0].message
