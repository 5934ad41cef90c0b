"""A safe evaluator for the arithmetic in ``derivations.csv``.

Expressions are parsed with :mod:`ast` and only these nodes are allowed: numbers, claim ids
(names such as ``C085``), ``+ - * / **``, unary ``-``/``+``, and calls of the functions in
:data:`FUNCTIONS` with positional arguments. Nothing is ever passed to ``eval``.

NaN policy: a missing claim value is NaN and NaN propagates; a division by zero gives NaN.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hkfactor._registry import Registry
from hkfactor.errors import HKFactorError

__all__ = ["FUNCTIONS", "Expression", "ExpressionError", "compile_expression"]

FUNCTIONS: Registry = Registry("expression function")


class ExpressionError(HKFactorError, ValueError):
    """An expression that is not allowed or does not parse."""


@FUNCTIONS.register("cagr")
def cagr(start: float, end: float, years: float) -> float:
    """Compound annual growth rate as a fraction: ``(end / start) ** (1 / years) - 1``.

    Example: ``cagr(600, 7266, 21)`` = 0.1261 (the paper's 12.6 %, §5).
    """
    if start == 0 or years == 0 or end / start < 0:
        return math.nan
    return float((end / start) ** (1.0 / years) - 1.0)


@FUNCTIONS.register("share")
def share(part: float, whole: float) -> float:
    """``part / whole`` (NaN when ``whole`` is 0)."""
    return math.nan if whole == 0 else part / whole


@FUNCTIONS.register("ratio")
def ratio(a: float, b: float) -> float:
    """``a / b`` (NaN when ``b`` is 0)."""
    return math.nan if b == 0 else a / b


@FUNCTIONS.register("sum")
def sum_(*xs: float) -> float:
    """The sum of the arguments (NaN if any is NaN)."""
    return math.fsum(xs)


_ARITY = {"cagr": 3, "share": 2, "ratio": 2}

_BINOPS: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: lambda a, b: math.nan if b == 0 else a / b,
    ast.Pow: lambda a, b: math.nan if (a < 0 and b != int(b)) or (a == 0 and b < 0) else float(a**b),
}


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, the claim ids it uses and the parsed tree."""

    text: str
    names: tuple[str, ...]
    tree: ast.Expression

    def evaluate(self, values: Mapping[str, float]) -> float:
        """Evaluate with ``values`` (claim id → canonical value); a missing id is NaN."""
        return float(_eval(self.tree.body, values))


def _eval(node: ast.AST, values: Mapping[str, float]) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.Name):
        return float(values.get(node.id, math.nan))
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, values)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, values), _eval(node.right, values)
        if math.isnan(a) or math.isnan(b):
            return math.nan
        try:
            return _BINOPS[type(node.op)](a, b)
        except OverflowError:
            return math.nan
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_eval(a, values) for a in node.args]
        if any(math.isnan(a) for a in args):
            return math.nan
        return float(FUNCTIONS[node.func.id](*args))
    raise ExpressionError(f"unexpected node {type(node).__name__}")  # unreachable after compile


def compile_expression(text: str) -> Expression:
    """Parse and check an expression.

    Raises
    ------
    ExpressionError
        On a syntax error or any construct outside numbers, names, ``+ - * / **`` and the
        functions ``cagr``, ``share``, ``ratio``, ``sum``.

    Examples
    --------
    >>> e = compile_expression("C059 + C060 + C061")
    >>> e.names
    ('C059', 'C060', 'C061')
    >>> e.evaluate({"C059": 130, "C060": 235, "C061": 98})
    463.0
    """
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"expression {text!r} does not parse: {exc.msg}") from None
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Expression | ast.Load | ast.operator | ast.unaryop):
            if isinstance(node, ast.operator) and type(node) not in _BINOPS:
                raise ExpressionError(f"operator {type(node).__name__} not allowed in {text!r}; use + - * / **")
            if isinstance(node, ast.unaryop) and not isinstance(node, ast.USub | ast.UAdd):
                raise ExpressionError(f"operator {type(node).__name__} not allowed in {text!r}")
            continue
        if isinstance(node, ast.BinOp | ast.UnaryOp):
            continue
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise ExpressionError(f"only numbers are allowed as constants in {text!r}")
            continue
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise ExpressionError(
                    f"unknown function in {text!r}; allowed: {', '.join(sorted(FUNCTIONS))}"
                )
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise ExpressionError(f"only positional arguments are allowed in {text!r}")
            want = _ARITY.get(node.func.id)
            if want is not None and len(node.args) != want:
                raise ExpressionError(f"{node.func.id}() takes {want} arguments in {text!r}")
            if node.func.id == "sum" and not node.args:
                raise ExpressionError(f"sum() needs at least one argument in {text!r}")
            continue
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                continue  # the function name of a Call, checked above
            if node.id not in names:
                names.append(node.id)
            continue
        raise ExpressionError(f"{type(node).__name__} is not allowed in {text!r}")
    # a function name used as a value (e.g. "cagr + 1") is a Name that is not a call target
    call_targets = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id in FUNCTIONS and id(n) not in call_targets:
            raise ExpressionError(f"function {n.id!r} must be called in {text!r}")
    pos: dict[str, tuple[int, int]] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.Name):
            pos[n.id] = min(pos.get(n.id, (n.lineno, n.col_offset)), (n.lineno, n.col_offset))
    return Expression(text, tuple(sorted(names, key=lambda n: pos[n])), tree)
