"""A small, safe expression language for metric values and filters, compiled to Ibis (docs/metrics.md#expressions).

Metric definitions are YAML written by users, so expressions are parsed with Python's `ast` and only a whitelist is
compiled: column names, literals, comparisons (== != < <= > >= in, not in, is None, is not None), and/or/not,
arithmetic (+ - * /) and coalesce(a, b). Nothing is ever evaluated by Python itself.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import TYPE_CHECKING

from cxscale.errors import SpecError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    #: Resolves a name to an Ibis column (the compiler never touches tables directly).
    Resolver = Callable[[str], ir.Value]

_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
_ARITH = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


def parse(text: str, where: str = "expression") -> ast.expr:
    """Parse and validate an expression; raise SpecError naming `where` when it uses anything off the whitelist."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise SpecError(f"{where}: {text!r} is not a valid expression ({exc.msg}); "
                        "write e.g. \"outcome == 'purchase'\" or \"csat >= 4\"") from exc
    for node in ast.walk(tree.body):
        if isinstance(node, ast.Call):
            if not (isinstance(node.func, ast.Name) and node.func.id == "coalesce") or node.keywords:
                raise SpecError(f"{where}: {text!r} calls a function; only coalesce(a, b) is allowed")
        elif not isinstance(node, _ALLOWED):
            raise SpecError(f"{where}: {text!r} uses {type(node).__name__}, which metric expressions do not allow "
                            "(use column names, literals, comparisons, and/or/not, + - * /, coalesce)")
    return tree.body


_ALLOWED = (ast.Name, ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.List, ast.Tuple,
            ast.Load, ast.And, ast.Or, ast.Not, ast.USub, ast.In, ast.NotIn, ast.Is, ast.IsNot, *_COMPARE, *_ARITH)


def names(text: str) -> set[str]:
    """Column names an expression reads (to check them against the data before compiling)."""
    return {n.id for n in ast.walk(parse(text)) if isinstance(n, ast.Name) and n.id != "coalesce"}


def compile_expr(text: str, resolve: Resolver, where: str = "expression") -> ir.Value:
    """Compile an expression to an Ibis value, resolving names with `resolve`."""
    return _compile(parse(text, where), resolve, text, where)


def _literal(node: ast.expr, text: str, where: str) -> object:
    if not isinstance(node, ast.Constant):
        raise SpecError(f"{where}: {text!r}: the list after `in` must hold literals only")
    return node.value


def _compile(node: ast.expr, resolve: Resolver, text: str, where: str) -> ir.Value:
    import ibis  # here, not at the top: parsing and checking names (the metric catalogue, the linter, the gates)
    # need no engine, and a command that reads no data does not import one

    if isinstance(node, ast.Name):
        return resolve(node.id)
    if isinstance(node, ast.Constant):
        return ibis.literal(node.value)
    if isinstance(node, ast.BoolOp):
        parts = [_compile(v, resolve, text, where) for v in node.values]
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if isinstance(node.op, ast.And) else (out | p)
        return out
    if isinstance(node, ast.UnaryOp):
        inner = _compile(node.operand, resolve, text, where)
        return ~inner if isinstance(node.op, ast.Not) else -inner
    if isinstance(node, ast.BinOp):
        return _ARITH[type(node.op)](_compile(node.left, resolve, text, where),
                                     _compile(node.right, resolve, text, where))
    if isinstance(node, ast.Call):
        args = [_compile(a, resolve, text, where) for a in node.args]
        return ibis.coalesce(*args)
    if isinstance(node, ast.Compare):
        left = _compile(node.left, resolve, text, where)
        result = None
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, (ast.In, ast.NotIn)):
                if not isinstance(right_node, (ast.List, ast.Tuple)):
                    raise SpecError(f"{where}: {text!r}: `in` needs a literal list, e.g. channel in ['chat', 'voice']")
                values = [_literal(e, text, where) for e in right_node.elts]
                cmp = left.isin(values) if isinstance(op, ast.In) else ~left.isin(values)
            elif isinstance(op, (ast.Is, ast.IsNot)):
                if not (isinstance(right_node, ast.Constant) and right_node.value is None):
                    raise SpecError(f"{where}: {text!r}: `is` only compares with None")
                cmp = left.isnull() if isinstance(op, ast.Is) else left.notnull()
            else:
                cmp = _COMPARE[type(op)](left, _compile(right_node, resolve, text, where))
            result = cmp if result is None else (result & cmp)
            left = None if isinstance(right_node, (ast.List, ast.Tuple)) else _compile(right_node, resolve, text, where)
        assert result is not None
        return result
    raise SpecError(f"{where}: {text!r}: unsupported expression")  # pragma: no cover - parse() rejects it first
