"""IPython syntax -> Python in one pass: IPython's own results, in time linear in the cell (counted in tokens)."""

from __future__ import annotations

import tokenize

import pytest
from IPython.core.inputtransformer2 import TransformerManager

from grader.pipeline import ipython_syntax
from grader.pipeline.extract import extract_definitions
from grader.pipeline.ipython_syntax import to_python

CELLS = [
    "import numpy as np\ndef f(x):\n    return x\n",
    "%matplotlib inline\n!pip install numpy\nfiles = !ls\nx = %time 1\n",
    "def f():\n    !echo inside\n    return 1\n",
    "!a \\\nb\n%time 1\n",
    "print(x)?\n!ls\n",  # the help transform fails on print(x)?; the !ls after it is still rewritten
    "x = (1,\n!not_an_escape)\n!ls\n",
    ")\n!ls\n    !pwd\n",  # a stray ) leaves the tokenizer in a continuation for the rest of the cell
    "if x:\n    y = 1\n  !odd\n",
    "%%time\ndef g():\n    pass\n",
    "obj.attr??\n",
    "s = '''\n!inside a string\n'''\n!ls\n",
]


@pytest.mark.parametrize("cell", CELLS)
def test_the_result_is_ipythons(cell):
    try:
        expected = TransformerManager().transform_cell(cell)
    except IndentationError:
        with pytest.raises(IndentationError):
            compile(to_python(cell), "cell", "exec")
        return
    assert to_python(cell) == expected


def test_more_than_500_escapes_are_all_rewritten():
    """IPython gives up after 500 rewrites (RuntimeError), which dropped the whole cell."""
    cell = "!echo 1\n" * 600 + "def f(x):\n    return x\n"
    assert to_python(cell) == "get_ipython().system('echo 1')\n" * 600 + "def f(x):\n    return x\n"
    extraction = extract_definitions({"cells": [{"cell_type": "code", "source": cell}]})
    assert [(s.kind, s.names) for s in extraction.snippets] == [("def", ("f",))]
    assert extraction.errors == []


def tokens_read(monkeypatch, cell: str) -> int:
    """How many tokens the rewrite reads for ``cell``."""
    count = 0
    original = tokenize.generate_tokens

    def counting(readline):
        nonlocal count
        for token in original(readline):
            count += 1
            yield token

    monkeypatch.setattr(tokenize, "generate_tokens", counting)
    to_python(cell)
    monkeypatch.setattr(tokenize, "generate_tokens", original)
    return count


@pytest.mark.parametrize("line", ["!echo 1\n", "%time x = 1\n", "    !echo indented\n", "y = !ls\n", "x?\n"])
def test_tokens_read_grow_linearly_with_escape_lines(monkeypatch, line):
    """IPython re-tokenised the whole cell per escape: 4 times the lines cost 16 times the tokens."""
    prefix = "def f():\n    pass\n" if line.startswith(" ") else ""
    small = tokens_read(monkeypatch, prefix + line * 200)
    large = tokens_read(monkeypatch, prefix + line * 800)
    assert small > 0
    assert large <= 4.5 * small, (small, large)


def test_a_cell_without_ipython_syntax_is_not_tokenised(monkeypatch):
    assert tokens_read(monkeypatch, "x = 1\ny = [2, 3]\ndef f():\n    return x / 2\n") == 0
    assert tokens_read(monkeypatch, "x = 1\n!ls\n") > 0


def test_indentation_deeper_than_python_allows_stops_rewriting():
    deep = "".join(" " * i + "if x:\n" for i in range(ipython_syntax.MAX_INDENT_LEVELS + 2))
    cell = deep + " " * (ipython_syntax.MAX_INDENT_LEVELS + 2) + "!ls\n" + "!ls\n"
    assert to_python(cell).endswith("!ls\n")  # left as it is: such a cell cannot parse anyway
