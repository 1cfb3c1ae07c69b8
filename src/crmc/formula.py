"""The tiny formula language the module's TEACHING MODELS are written in.

A teaching model states its arithmetic once, as text (names, numbers, ``+ - * /`` and
brackets). :class:`FormulaSet` parses that text once and gives two evaluators of the *same*
parsed trees: :meth:`FormulaSet.evaluate` in Python (what the tests and the explorers use) and
:meth:`FormulaSet.vega` (a Vega expression the chart runs in the reader's browser, so the
static site needs no kernel). Because both read one parse, the site and the tested Python
function cannot drift apart. Part 2's classification model (:mod:`crmc.classify`) and Part 4's
what-if model (:mod:`crmc.whatif`) are both written this way.

Nothing else is allowed in a formula: no calls, comparisons, attribute access or names other
than the model's inputs and the outputs defined before it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, Sequence
from typing import Final, cast

__all__ = ["FormulaSet", "parse"]

_BINARY: Final[Mapping[type[ast.operator], tuple[str, Callable[[float, float], float]]]] = {
    ast.Add: ("+", lambda a, b: a + b),
    ast.Sub: ("-", lambda a, b: a - b),
    ast.Mult: ("*", lambda a, b: a * b),
    ast.Div: ("/", lambda a, b: a / b),
}


def parse(formula: str, known: Sequence[str]) -> ast.expr:
    """Parse one formula, allowing only names in ``known``, numbers, ``+ - * /``, brackets.

    Raises ``ValueError`` naming the formula and what in it is not allowed.
    """
    try:
        tree = ast.parse(formula, mode="eval").body
    except SyntaxError as error:
        raise ValueError(f"cannot parse formula {formula!r}: {error.msg}") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if node.id not in known:
                raise ValueError(f"formula {formula!r} uses unknown name {node.id!r}")
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise ValueError(f"formula {formula!r} uses an operator outside + - * /")
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub):
                raise ValueError(f"formula {formula!r} uses a unary operator other than -")
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, int | float):
                raise ValueError(f"formula {formula!r} contains a non-numeric constant")
        elif not isinstance(node, ast.operator | ast.unaryop | ast.Load):
            raise ValueError(f"formula {formula!r} uses {type(node).__name__}, not allowed")
    return tree


class FormulaSet:
    """Ordered formulas over named inputs; each may use the outputs defined before it."""

    def __init__(self, inputs: Sequence[str], formulas: Mapping[str, str]) -> None:
        self.inputs: tuple[str, ...] = tuple(inputs)
        self.formulas: dict[str, str] = dict(formulas)
        self.trees: dict[str, ast.expr] = {}
        for output, text in self.formulas.items():
            self.trees[output] = parse(text, [*self.inputs, *self.trees])

    @property
    def outputs(self) -> tuple[str, ...]:
        """The outputs, in the order they are computed."""
        return tuple(self.trees)

    def evaluate(self, values: Mapping[str, float]) -> dict[str, float]:
        """Every output, computed in order from plain input values (the caller checks them)."""
        missing = [name for name in self.inputs if name not in values]
        if missing:
            raise ValueError(f"missing input(s): {', '.join(missing)}")
        env = {name: float(values[name]) for name in self.inputs}
        for output, tree in self.trees.items():
            env[output] = self._evaluate(tree, env)
        return {output: env[output] for output in self.trees}

    def vega(self, output: str, names: Mapping[str, str] | None = None) -> str:
        """The Vega expression of ``output``; earlier outputs are expanded inline.

        Each input is written as its own name (a chart param of that name) unless ``names``
        gives its text (``"datum.x"``, a constant, ``"(use_x ? 2 : 0)"``).
        """
        if output not in self.trees:
            raise ValueError(
                f"unknown output {output!r}; outputs are: {', '.join(self.outputs)}"
            )
        mapping = {name: name for name in self.inputs}
        mapping.update(names or {})
        return self._emit(self.trees[output], mapping)

    def _evaluate(self, node: ast.expr, env: Mapping[str, float]) -> float:
        if isinstance(node, ast.Name):
            return env[node.id]
        if isinstance(node, ast.Constant):
            return float(cast(float, node.value))
        if isinstance(node, ast.UnaryOp):
            return -self._evaluate(node.operand, env)
        if isinstance(node, ast.BinOp):
            apply = _BINARY[type(node.op)][1]
            return apply(self._evaluate(node.left, env), self._evaluate(node.right, env))
        raise AssertionError(f"unexpected node {ast.dump(node)}")  # parse() rejects the rest

    def _emit(self, node: ast.expr, names: Mapping[str, str]) -> str:
        if isinstance(node, ast.Name):
            if node.id in self.trees:  # an earlier output: expand it, so each one stands alone
                return self._emit(self.trees[node.id], names)
            return names[node.id]
        if isinstance(node, ast.Constant):
            return repr(float(cast(float, node.value)))
        if isinstance(node, ast.UnaryOp):
            return f"(-{self._emit(node.operand, names)})"
        if isinstance(node, ast.BinOp):
            op = _BINARY[type(node.op)][0]
            return f"({self._emit(node.left, names)} {op} {self._emit(node.right, names)})"
        raise AssertionError(f"unexpected node {ast.dump(node)}")
