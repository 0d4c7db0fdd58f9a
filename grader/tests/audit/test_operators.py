"""The audit's operators on small functions: each makes the mutants a person would write by hand, in the cell's own
text, only inside the solution regions, with ids that do not change from one run to the next."""

from __future__ import annotations

import ast

from grader.audit.mutate import find_unit, generate, solution_regions, unit_source
from grader.audit.operators import OPERATORS
from grader.tests.helpers import notebook_from_cells


def _cell(body: str, signature: str = "f(x)", before: str = "") -> str:
    """A cell defining ``signature`` whose body is one solution region."""
    lines = [f"    {line}" if line else "" for line in body.strip("\n").split("\n")]
    return "\n".join(
        [
            *before.splitlines(),
            f"def {signature}:",
            '    """Docstring."""',
            "    ### BEGIN SOLUTION",
            *lines,
            "    ### END SOLUTION",
        ]
    )


def _bodies(cell: str, unit: str = "f") -> dict[str, set[str]]:
    """operator -> the set of the unit's region lines each mutant of that operator has (its changed text)."""
    code = find_unit(notebook_from_cells(["import numpy as np", cell]), unit)
    assert code is not None
    found: dict[str, set[str]] = {}
    for mutant in generate(code).mutants:
        region = unit_source(mutant.cell_source, unit).split("### BEGIN SOLUTION\n", 1)[1].split("    ### END", 1)[0]
        found.setdefault(mutant.operator, set()).add("\n".join(line.strip() for line in region.strip("\n").split("\n")))
    return found


def test_arithmetic_comparison_and_unary_operators():
    found = _bodies(_cell("return -(x + 2) * x > 1"))
    assert {"return -(x - 2) * x > 1", "return -(x + 2) / x > 1"} <= found["arith"]
    assert found["compare"] == {"return -(x + 2) * x >= 1", "return -(x + 2) * x < 1"}
    assert found["negate"] == {"return (x + 2) * x > 1"}  # the parentheses the splice needs are added


def test_constants_are_nudged_and_booleans_flipped():
    found = _bodies(_cell("return np.clip(x, 3, 0.5, out=True)"))
    assert found["constant"] == {
        "return np.clip(x, 4, 0.5, out=True)",
        "return np.clip(x, 2, 0.5, out=True)",
        "return np.clip(x, 3, 5.0, out=True)",
        "return np.clip(x, 3, 0.05, out=True)",
        "return np.clip(x, 3, 0.5, out=False)",
    }


def test_off_by_one_in_ranges_slices_and_indices():
    found = _bodies(_cell("for i in range(n):\n    s = x[i:i + 2]\nreturn x[k]", signature="f(x, n, k)"))
    lines = {body.split("\n")[0] for body in found["off_by_one"]}
    assert {"for i in range(n + 1):", "for i in range(n - 1):"} <= lines
    bodies = found["off_by_one"]
    assert any("s = x[i + 1:i + 2]" in b for b in bodies) and any("s = x[i:i + 2 - 1]" in b for b in bodies)
    assert any(b.endswith("return x[k + 1]") for b in bodies) and any(b.endswith("return x[k - 1]") for b in bodies)


def test_axis_keepdims_and_reductions():
    found = _bodies(_cell("return np.sum(x, axis=1, keepdims=True)"))
    assert found["axis"] == {
        "return np.sum(x, keepdims=True)",
        "return np.sum(x, axis=0, keepdims=True)",
        "return np.sum(x, axis=1)",
    }
    assert found["reduction"] == {"return np.mean(x, axis=1, keepdims=True)"}
    assert _bodies(_cell("return x.max() - x.argmin()"))["reduction"] == {
        "return x.min() - x.argmin()",
        "return x.max() - x.argmax()",
    }


def test_swapped_arguments_deleted_statements_and_the_input_returned():
    found = _bodies(_cell("y = np.dot(x, w)\nreturn y / 2", signature="f(x, w)"))
    assert {"y = np.dot(w, x)\nreturn y / 2", "y = np.dot(x, w)\nreturn 2 / y"} <= found["swap_args"]
    assert found["delete"] == {"pass\nreturn y / 2", "y = np.dot(x, w)\npass"}
    assert found["return_input"] == {"return x\ny = np.dot(x, w)\nreturn y / 2"}


def test_methods_skip_self_and_init():
    cell = (
        "class Net:\n    def __init__(self, n):\n        ### BEGIN SOLUTION\n        self.n = n\n        ### END SOLUTION\n\n"
        "    def predict(self, x):\n        ### BEGIN SOLUTION\n        return x * self.n\n        ### END SOLUTION\n"
    )
    code = find_unit(notebook_from_cells([cell]), "Net")
    assert code is not None
    inputs = [m for m in generate(code).mutants if m.operator == "return_input"]
    assert [m.detail for m in inputs] == ["return x first"]  # predict's x, never self; __init__ never


def test_only_solution_regions_are_mutated_and_comments_are_kept():
    cell = _cell("return x + 1  # 하나 더 / one more", before="LIMIT = 2 + 3")
    code = find_unit(notebook_from_cells([cell]), "f")
    assert code is not None and code.regions == solution_regions(cell)
    mutants = generate(code).mutants
    assert mutants and all("LIMIT = 2 + 3" in m.cell_source for m in mutants)
    arith = next(m for m in mutants if m.operator == "arith")
    assert "return x - 1  # 하나 더 / one more" in arith.cell_source
    assert "-    return x + 1  # 하나 더 / one more\n+    return x - 1  # 하나 더 / one more\n" in arith.diff


def test_every_mutant_parses_differs_and_ids_are_stable():
    cell = _cell(
        "if x.ndim == 2:\n    x = x - np.max(x, axis=1, keepdims=True)\n    return np.exp(x) / np.sum(np.exp(x), axis=1, keepdims=True)\n"
        "c = np.max(x)\nreturn np.exp(x - c) / np.sum(np.exp(x - c))"
    )
    first = generate(find_unit(notebook_from_cells([cell]), "f"))  # type: ignore[arg-type]
    second = generate(find_unit(notebook_from_cells([cell]), "f"))  # type: ignore[arg-type]
    ids = [m.id for m in first.mutants]
    assert ids == [m.id for m in second.mutants] and len(set(ids)) == len(ids)
    assert {m.operator for m in first.mutants} <= set(OPERATORS)
    original = ast.dump(ast.parse(cell))
    for mutant in first.mutants:
        assert ast.dump(ast.parse(mutant.cell_source)) != original
        assert mutant.id.startswith(f"f-{mutant.operator}-")


def test_a_change_that_leaves_the_tree_alone_is_a_noop_not_a_mutant():
    generated = generate(find_unit(notebook_from_cells([_cell("return np.dot(x, x)")]), "f"))  # type: ignore[arg-type]
    assert not any(m.operator == "swap_args" for m in generated.mutants)
    assert generated.noops == ["line 4: first two arguments swapped"]


def test_a_call_a_copy_or_a_transpose_left_out():
    found = _bodies(_cell("h.append(x.copy())\nreturn sigmoid(np.dot(x, w.T))", signature="f(x, w, h)"))
    assert found["unwrap"] == {
        "h.append(x)\nreturn sigmoid(np.dot(x, w.T))",
        "h.append(x.copy())\nreturn np.dot(x, w.T)",
        "h.append(x.copy())\nreturn sigmoid(np.dot(x, w))",
        "x.copy()\nreturn sigmoid(np.dot(x, w.T))",
    }
    assert "unwrap" not in _bodies(_cell("return range(len(x))"))
