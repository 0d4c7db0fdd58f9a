"""Mutation operators on a unit's syntax tree: each names the nodes it can change and how, never applying anything.

An operator looks at one node and yields :class:`Change` records: which node (by its place in ``ast.walk``
order of the unit's definition, so the same change can be made on a copy), a short description, and the
:class:`Action` that makes the change. :mod:`grader.audit.mutate` applies an action to a copy of the cell's tree
and writes the source. The tables follow mutmut's (``+``/``-``, ``*``/``/``, ``<``/``<=``, ``==``/``!=``, ``not``
removed) and add what a NumPy exercise gets wrong: ``axis`` and ``keepdims``, reductions, off-by-one in ranges
and slices, arguments swapped, statements deleted, the input returned, a call, ``.copy()`` or ``.T`` left out.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# The operator codes, in the order their mutants are listed; (Korean, English) for reports.
OPERATORS: dict[str, tuple[str, str]] = {
    "arith": ("산술 연산자 교체", "arithmetic operator swapped"),
    "compare": ("비교 연산자 교체", "comparison operator swapped"),
    "negate": ("부호·not 제거", "unary minus or not removed"),
    "constant": ("상수 변경", "constant nudged"),
    "off_by_one": ("범위·인덱스 하나 어긋남", "off by one in a range or an index"),
    "axis": ("axis·keepdims 제거나 변경", "axis or keepdims removed or changed"),
    "swap_args": ("인수·피연산자 순서 바꿈", "arguments or operands swapped"),
    "delete": ("문장 삭제", "statement deleted"),
    "return_input": ("입력을 그대로 반환", "the input returned"),
    "reduction": ("축약 함수 교체", "reduction changed"),
    "unwrap": ("호출·복사·전치 빠뜨림", "call, copy or transpose left out"),
}

ARITH_SWAPS: dict[type[ast.operator], tuple[type[ast.operator], ...]] = {
    ast.Add: (ast.Sub,),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div,),
    ast.Div: (ast.Mult,),
    ast.FloorDiv: (ast.Div,),
    ast.Mod: (ast.Div,),
    ast.Pow: (ast.Mult,),
}
COMPARE_SWAPS: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt,),
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt,),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
}
REDUCTION_SWAPS = {
    "sum": "mean",
    "mean": "sum",
    "max": "min",
    "min": "max",
    "argmax": "argmin",
    "argmin": "argmax",
    "maximum": "minimum",
    "minimum": "maximum",
    "prod": "sum",
}
NON_COMMUTATIVE = (ast.Sub, ast.Div, ast.FloorDiv, ast.Pow, ast.MatMult, ast.Mod)
SYMBOLS = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}


@dataclass(frozen=True)
class Replace:
    """Put ``new`` where the node stands (an expression, or one statement)."""

    new: ast.AST


@dataclass(frozen=True)
class InsertBefore:
    """Insert the statement ``new`` just before the node (a statement)."""

    new: ast.stmt


Action = Replace | InsertBefore


@dataclass(frozen=True)
class Change:
    """One way to mutate one node: the operator's code, what it does (one line), and the action."""

    operator: str
    detail: str
    action: Action


Operator = Callable[[ast.AST, ast.AST | None], Iterator[Change]]


def _copy_with(node: ast.AST, **fields: object) -> ast.AST:
    """A shallow copy of ``node`` with some fields replaced (children are shared: the caller deep-copies)."""
    new = type(node)(**{name: getattr(node, name) for name in node._fields})
    for name, value in fields.items():
        setattr(new, name, value)
    return new


def arith(node: ast.AST, parent: ast.AST | None) -> Iterator[Change]:
    """``a + b`` -> ``a - b``, ``*`` <-> ``/``, ``**`` -> ``*``; also in ``x -= ...``."""
    if isinstance(node, ast.BinOp | ast.AugAssign):
        for other in ARITH_SWAPS.get(type(node.op), ()):
            detail = f"{SYMBOLS[type(node.op)]} -> {SYMBOLS[other]}"
            yield Change("arith", detail, Replace(_copy_with(node, op=other())))


def compare(node: ast.AST, parent: ast.AST | None) -> Iterator[Change]:
    """``>`` -> ``>=`` or ``<``, ``==`` <-> ``!=``, ``is`` <-> ``is not``, ``in`` <-> ``not in``."""
    if isinstance(node, ast.Compare):
        for position, op in enumerate(node.ops):
            for other in COMPARE_SWAPS.get(type(op), ()):
                ops = list(node.ops)
                ops[position] = other()
                detail = f"{SYMBOLS[type(op)]} -> {SYMBOLS[other]}"
                yield Change("compare", detail, Replace(_copy_with(node, ops=ops)))


def negate(node: ast.AST, parent: ast.AST | None) -> Iterator[Change]:
    """``-x`` -> ``x`` and ``not c`` -> ``c``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        if isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            return  # a negative literal: the constant operator nudges it
        yield Change("negate", "unary operator removed", Replace(node.operand))


def _nudged(value: int | float) -> list[int | float]:
    if isinstance(value, int):
        return [value + 1, value - 1]
    if value == 0:
        return [1.0]
    return [value * 10, value / 10]


def constant(node: ast.AST, parent: ast.AST | None) -> Iterator[Change]:
    """An int k -> k + 1 and k - 1; a float v -> 10 v and v / 10 (0.0 -> 1.0); True <-> False; -k as one literal."""
    literal = node
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        literal, sign = node.operand, -1
    elif isinstance(parent, ast.UnaryOp) and isinstance(parent.op, ast.USub):
        return  # nudged as a whole, above
    if not isinstance(literal, ast.Constant):
        return
    value = literal.value
    if isinstance(value, bool):
        yield Change("constant", f"{value} -> {not value}", Replace(ast.Constant(not value)))
    elif isinstance(value, int | float) and not isinstance(value, complex):
        for other in _nudged(sign * value):
            yield Change("constant", f"{sign * value!r} -> {other!r}", Replace(_number(other)))


def _number(value: int | float) -> ast.expr:
    if value < 0:
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


def _plus(expression: ast.expr, step: int) -> ast.expr:
    """``expression + 1`` or ``expression - 1``."""
    return ast.BinOp(expression, ast.Add() if step > 0 else ast.Sub(), ast.Constant(1))


def _is_name_call(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def off_by_one(node: ast.AST, parent: ast.AST | None) -> Iterator[Change]:
    """Every argument of ``range(...)``, every bound of a slice and every plain index, one more and one less."""
    if _is_name_call(node, "range") and isinstance(node, ast.Call):
        for position, argument in enumerate(node.args):
            for step in (1, -1):
                args = list(node.args)
                args[position] = _plus(argument, step)
                yield Change(
                    "off_by_one", f"range argument {position + 1} {step:+d}", Replace(_copy_with(node, args=args))
                )
    elif isinstance(node, ast.Slice):
        for bound in ("lower", "upper"):
            value = getattr(node, bound)
            if value is not None:
                for step in (1, -1):
                    yield Change(
                        "off_by_one",
                        f"slice {bound} {step:+d}",
                        Replace(_copy_with(node, **{bound: _plus(value, step)})),
                    )
    elif isinstance(node, ast.Subscript) and _plain_index(node.slice):
        for step in (1, -1):
            yield Change("off_by_one", f"index {step:+d}", Replace(_copy_with(node, slice=_plus(node.slice, step))))


def _plain_index(index: ast.expr) -> bool:
    """A name, a number or arithmetic: never a string key, a tuple or a slice."""
    if isinstance(index, ast.Constant):
        return isinstance(index.value, int) and not isinstance(index.value, bool)
    return isinstance(index, ast.Name | ast.BinOp)


def axis(node: ast.AST, parent: ast.AST | None) -> Iterator[Change]:
    """``axis=k`` removed, or set to 0 (1 when k is 0); ``keepdims=...`` removed."""
    if not isinstance(node, ast.Call):
        return
    for position, keyword in enumerate(node.keywords):
        if keyword.arg not in ("axis", "keepdims"):
            continue
        others = node.keywords[:position] + node.keywords[position + 1 :]
        yield Change("axis", f"{keyword.arg} removed", Replace(_copy_with(node, keywords=others)))
        if keyword.arg == "axis" and isinstance(keyword.value, ast.Constant | ast.UnaryOp):
            current = ast.literal_eval(keyword.value)
            other = 1 if current == 0 else 0
            changed = [*node.keywords]
            changed[position] = ast.keyword("axis", ast.Constant(other))
            yield Change("axis", f"axis={current!r} -> axis={other}", Replace(_copy_with(node, keywords=changed)))


def swap_args(node: ast.AST, parent: ast.AST | None) -> Iterator[Change]:
    """The first two positional arguments of a call, or the operands of ``-``, ``/``, ``**``, ``@``, swapped."""
    if isinstance(node, ast.Call) and len(node.args) >= 2 and not any(isinstance(a, ast.Starred) for a in node.args):
        args = [node.args[1], node.args[0], *node.args[2:]]
        yield Change("swap_args", "first two arguments swapped", Replace(_copy_with(node, args=args)))
    elif isinstance(node, ast.BinOp) and isinstance(node.op, NON_COMMUTATIVE):
        yield Change("swap_args", "operands swapped", Replace(_copy_with(node, left=node.right, right=node.left)))


def delete(node: ast.AST, parent: ast.AST | None) -> Iterator[Change]:
    """A statement (a whole block for ``if``/``for``/``while``) replaced by ``pass``; never a docstring or a def."""
    if not isinstance(node, ast.stmt) or isinstance(node, ast.Pass | ast.FunctionDef | ast.ClassDef):
        return
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
        return
    yield Change("delete", f"{type(node).__name__.lower()} statement deleted", Replace(ast.Pass()))


def return_input(node: ast.AST, parent: ast.AST | None) -> Iterator[Change]:
    """``return <first argument>`` before a function's first statement (``self`` skipped; ``__init__`` never)."""
    if not isinstance(node, ast.FunctionDef) or node.name == "__init__":
        return
    names = [a.arg for a in node.args.posonlyargs + node.args.args]
    if isinstance(parent, ast.ClassDef) and names:
        names = names[1:]
    body = [s for s in node.body if not _is_docstring(s)]
    if names and body:
        yield Change(
            "return_input", f"return {names[0]} first", InsertBefore(ast.Return(ast.Name(names[0], ast.Load())))
        )


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def first_statement(function: ast.FunctionDef) -> ast.stmt:
    """Where :func:`return_input` inserts: the first statement that is not the docstring."""
    return next(s for s in function.body if not _is_docstring(s))


def reduction(node: ast.AST, parent: ast.AST | None) -> Iterator[Change]:
    """``np.sum`` <-> ``np.mean``, ``max`` <-> ``min``, ``argmax`` <-> ``argmin``, ``maximum`` <-> ``minimum``."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in REDUCTION_SWAPS:
        other = REDUCTION_SWAPS[node.func.attr]
        func = _copy_with(node.func, attr=other)
        yield Change("reduction", f"{node.func.attr} -> {other}", Replace(_copy_with(node, func=func)))


UNWRAP_NEVER = frozenset({"range", "len", "enumerate", "zip", "print", "isinstance"})  # only a TypeError


def unwrap(node: ast.AST, parent: ast.AST | None) -> Iterator[Change]:
    """``f(x)`` -> ``x`` (an activation, ``float()``, ``np.exp`` left out), ``x.copy()`` -> ``x``, ``W.T`` -> ``W``."""
    if isinstance(node, ast.Attribute) and node.attr == "T" and isinstance(node.ctx, ast.Load):
        yield Change("unwrap", ".T left out", Replace(node.value))
    if not isinstance(node, ast.Call) or node.keywords:
        return
    name = ast.unparse(node.func)
    if len(node.args) == 1 and not isinstance(node.args[0], ast.Starred) and name not in UNWRAP_NEVER:
        yield Change("unwrap", f"{name}(...) left out", Replace(node.args[0]))
    elif not node.args and isinstance(node.func, ast.Attribute) and node.func.attr == "copy":
        yield Change("unwrap", ".copy() left out", Replace(node.func.value))


ALL: tuple[Operator, ...] = (
    arith,
    compare,
    negate,
    constant,
    off_by_one,
    axis,
    swap_args,
    delete,
    return_input,
    reduction,
    unwrap,
)
