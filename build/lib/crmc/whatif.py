"""A TEACHING MODEL of China's choice whether to give Russia military assistance.

This is not a forecast, not a measurement and not the interview's own method. It makes one
simple cost-benefit argument explicit so that students can see every assumption, change it and
argue with it. Part 4 of the module uses it to discuss Alexander Korolev's points that
assistance would risk "secondary" and "direct" sanctions, while Beijing's rationale lies in its
rivalry with the United States (Kuo, 2022).

The inputs (:data:`INPUTS`), all assumptions
--------------------------------------------
=========================  =========================================================  =========
input                      what it stands for                                         range
=========================  =========================================================  =========
``detection``              chance that the assistance is detected                      0–1
``sanction_probability``   chance of sanctions once assistance is detected             0–1
``sanctions_cost``         cost to China of the sanctions, if imposed                  0–10
``reputational_cost``      cost to China's standing in Europe, if detected             0–10
``alignment_value``        value Beijing places on closer strategic alignment          0–10
``battlefield_value``      value to China of Russia's success on the battlefield       0–10
=========================  =========================================================  =========

Costs and values are in *points* on an arbitrary 0–10 scale (not money): only their sizes
relative to each other matter. The default values (:data:`DEFAULT_INPUTS`) are **illustrative
model inputs chosen for teaching, not data** and not estimates by the interviewee.

The formula, in full (:data:`FORMULAS`; no other numbers enter)
---------------------------------------------------------------
::

    expected_benefit = alignment_value + battlefield_value
    expected_cost    = detection * (sanction_probability * sanctions_cost + reputational_cost)
    net_balance      = expected_benefit - expected_cost

Assumptions built into the formula: the benefits accrue whether or not the assistance is
detected; sanctions and the reputational cost arrive only if it is detected; the parts simply
add up (no interaction, no discounting over time, no risk aversion). A positive net balance
means that *on these assumptions* the expected benefit of assisting exceeds its expected cost.

Documented directions (tested): the net balance rises with ``alignment_value`` and
``battlefield_value`` and falls with ``detection``, ``sanction_probability``,
``sanctions_cost`` and ``reputational_cost`` (weakly: an input has no effect when a factor it
multiplies is zero). The expected cost lies in ``[0, sanctions_cost + reputational_cost]``, the
expected benefit in ``[0, 20]`` and the net balance in ``[-20, 20]``. The net balance is linear
in each input, so :func:`break_even` finds the value of one input at which it is zero.

One definition, two evaluators
------------------------------
:data:`FORMULAS` is text in a tiny arithmetic language (names, ``+ - * /``, parentheses).
:func:`assess` evaluates it in Python; :func:`vega_expression` translates the *same* parsed
formula into a Vega expression, which the part 4 chart runs in the reader's browser, so the
static site and the tested Python function cannot drift apart.

Every function here is pure: no I/O, no global state.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from types import MappingProxyType
from typing import Final, Literal, cast, get_args

import pandas as pd

__all__ = [
    "DEFAULT_INPUTS",
    "FORMULAS",
    "INPUTS",
    "INPUT_INFO",
    "INPUT_NAMES",
    "OUTPUT_LABELS",
    "OUTPUT_NAMES",
    "TEACHING_MODEL_NOTE",
    "InputName",
    "ModelInput",
    "OutputName",
    "WhatIfInputs",
    "WhatIfResult",
    "assess",
    "break_even",
    "evaluate_formula",
    "formula_lines",
    "sweep",
    "validate_input",
    "vega_break_even",
    "vega_expression",
]

InputName = Literal[
    "detection",
    "sanction_probability",
    "sanctions_cost",
    "reputational_cost",
    "alignment_value",
    "battlefield_value",
]
"""The model's six inputs."""

INPUT_NAMES: Final[tuple[InputName, ...]] = get_args(InputName)

OutputName = Literal["expected_benefit", "expected_cost", "net_balance"]
"""The model's three outputs, computed in this order."""

OUTPUT_NAMES: Final[tuple[OutputName, ...]] = get_args(OutputName)

OUTPUT_LABELS: Final[Mapping[OutputName, str]] = MappingProxyType(
    {
        "expected_benefit": "Expected benefit",
        "expected_cost": "Expected cost",
        "net_balance": "Net balance",
    }
)

TEACHING_MODEL_NOTE: Final = (
    "Teaching model, not a forecast or the interview's method: every input is an assumption, "
    "and the default values are illustrative model inputs, not data."
)

FORMULAS: Final[Mapping[OutputName, str]] = MappingProxyType(
    {
        "expected_benefit": "alignment_value + battlefield_value",
        "expected_cost": (
            "detection * (sanction_probability * sanctions_cost + reputational_cost)"
        ),
        "net_balance": "expected_benefit - expected_cost",
    }
)
"""The whole model. A formula may use the inputs and the outputs defined before it."""


@dataclass(frozen=True)
class ModelInput:
    """One input: its meaning, allowed range, illustrative default and documented effect."""

    name: InputName
    label: str
    """Short label for controls and tables."""
    meaning: str
    """What it stands for, in one line."""
    kind: Literal["probability", "points"]
    low: float
    high: float
    default: float
    """An illustrative model input chosen for teaching, NOT data."""
    step: float
    """Step for the controls."""
    raises_net: bool
    """True if a larger value raises the net balance (weakly), False if it lowers it."""


INPUTS: Final[tuple[ModelInput, ...]] = (
    ModelInput("detection", "Chance assistance is detected",
               "Probability that Chinese assistance to Russia is detected",
               "probability", 0.0, 1.0, 0.6, 0.05, raises_net=False),
    ModelInput("sanction_probability", "Chance of sanctions if detected",
               "Probability that detected assistance leads to sanctions on China",
               "probability", 0.0, 1.0, 0.7, 0.05, raises_net=False),
    ModelInput("sanctions_cost", "Cost of sanctions",
               "Cost to China of the sanctions, if imposed (points, 0–10)",
               "points", 0.0, 10.0, 8.0, 0.5, raises_net=False),
    ModelInput("reputational_cost", "Reputational cost in Europe",
               "Cost to China's standing in Europe if the assistance is detected (points, 0–10)",
               "points", 0.0, 10.0, 4.0, 0.5, raises_net=False),
    ModelInput("alignment_value", "Value of strategic alignment",
               "Value Beijing places on closer strategic alignment with Russia (points, 0–10)",
               "points", 0.0, 10.0, 3.0, 0.5, raises_net=True),
    ModelInput("battlefield_value", "Value of Russia's battlefield success",
               "Value to China of Russia's success on the battlefield (points, 0–10)",
               "points", 0.0, 10.0, 2.0, 0.5, raises_net=True),
)
"""The inputs, in the order controls show them."""

INPUT_INFO: Final[Mapping[InputName, ModelInput]] = MappingProxyType(
    {i.name: i for i in INPUTS}
)


def validate_input(name: str, value: object) -> float:
    """``value`` as a float if it is a number within ``name``'s range; else ``ValueError``.

    The message names the input, its allowed range and the value given, e.g.
    ``"detection must be a probability between 0 and 1, got 1.5"``.
    """
    if name not in INPUT_INFO:
        raise ValueError(f"unknown input {name!r}; the inputs are: {', '.join(INPUT_NAMES)}")
    info = INPUT_INFO[cast(InputName, name)]
    what = (
        "a probability between 0 and 1"
        if info.kind == "probability"
        else f"a number of points between {info.low:g} and {info.high:g}"
    )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    number = float(value)
    if not math.isfinite(number) or not info.low <= number <= info.high:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return number


@dataclass(frozen=True)
class WhatIfInputs:
    """One set of the model's inputs; invalid values raise ``ValueError`` on creation.

    The defaults are illustrative model inputs chosen for teaching, not data.
    """

    detection: float = INPUT_INFO["detection"].default
    sanction_probability: float = INPUT_INFO["sanction_probability"].default
    sanctions_cost: float = INPUT_INFO["sanctions_cost"].default
    reputational_cost: float = INPUT_INFO["reputational_cost"].default
    alignment_value: float = INPUT_INFO["alignment_value"].default
    battlefield_value: float = INPUT_INFO["battlefield_value"].default

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, validate_input(f.name, getattr(self, f.name)))

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> WhatIfInputs:
        """Inputs from a mapping; missing names take their defaults, unknown names raise."""
        unknown = sorted(set(values) - set(INPUT_NAMES))
        if unknown:
            raise ValueError(
                f"unknown input(s): {', '.join(unknown)}; the inputs are: "
                f"{', '.join(INPUT_NAMES)}"
            )
        return cls(**values)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, float]:
        """The inputs as ``{name: value}``."""
        return asdict(self)


DEFAULT_INPUTS: Final = WhatIfInputs()
"""The illustrative defaults (teaching values, not data)."""

# ---------------------------------------------------------------- the formula language
_BINARY: Final[Mapping[type[ast.operator], tuple[str, Callable[[float, float], float]]]] = {
    ast.Add: ("+", lambda a, b: a + b),
    ast.Sub: ("-", lambda a, b: a - b),
    ast.Mult: ("*", lambda a, b: a * b),
    ast.Div: ("/", lambda a, b: a / b),
}


def _parse(formula: str, known: Sequence[str]) -> ast.expr:
    """Parse one formula, allowing only names in ``known``, numbers, ``+ - * /``, brackets."""
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


def _parsed() -> dict[OutputName, ast.expr]:
    trees: dict[OutputName, ast.expr] = {}
    for output in OUTPUT_NAMES:
        trees[output] = _parse(FORMULAS[output], [*INPUT_NAMES, *trees])
    return trees


_TREES: Final = _parsed()


def _evaluate(node: ast.expr, env: Mapping[str, float]) -> float:
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.Constant):
        return float(cast(float, node.value))
    if isinstance(node, ast.UnaryOp):
        return -_evaluate(node.operand, env)
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)][1](_evaluate(node.left, env), _evaluate(node.right, env))
    raise AssertionError(f"unexpected node {ast.dump(node)}")  # _parse rejects the rest


def evaluate_formula(values: Mapping[str, float]) -> dict[OutputName, float]:
    """Evaluate :data:`FORMULAS` in order on plain input values (unchecked; see :func:`assess`)."""
    env = dict(values)
    for output in OUTPUT_NAMES:
        env[output] = _evaluate(_TREES[output], env)
    return {output: env[output] for output in OUTPUT_NAMES}


def _emit(node: ast.expr, names: Mapping[str, str]) -> str:
    if isinstance(node, ast.Name):
        if node.id in _TREES:  # an earlier output: expand it, so each expression stands alone
            return _emit(_TREES[node.id], names)
        return names[node.id]
    if isinstance(node, ast.Constant):
        return repr(float(cast(float, node.value)))
    if isinstance(node, ast.UnaryOp):
        return f"(-{_emit(node.operand, names)})"
    if isinstance(node, ast.BinOp):
        op = _BINARY[type(node.op)][0]
        return f"({_emit(node.left, names)} {op} {_emit(node.right, names)})"
    raise AssertionError(f"unexpected node {ast.dump(node)}")


def vega_expression(
    output: OutputName, names: Mapping[str, str] | None = None, swept: str | None = None
) -> str:
    """The Vega expression for ``output``, generated from the same parsed :data:`FORMULAS`.

    By default each input is referred to by its own name (the chart's params are named after
    the inputs); ``swept`` names the input read from the data row instead
    (``datum.<name>``); ``names`` overrides any input's text (e.g. a constant). Earlier
    outputs are expanded inline, so the expression needs no other calculated field.
    """
    if output not in _TREES:
        raise ValueError(f"unknown output {output!r}; outputs are: {', '.join(OUTPUT_NAMES)}")
    mapping: dict[str, str] = {name: name for name in INPUT_NAMES}
    if swept is not None:
        if swept not in INPUT_NAMES:
            raise ValueError(f"unknown input {swept!r}; the inputs are: {', '.join(INPUT_NAMES)}")
        mapping[swept] = f"datum.{swept}"
    mapping.update(names or {})
    return _emit(_TREES[output], mapping)


def vega_break_even(name: InputName) -> dict[str, str]:
    """Vega ``calculate`` expressions, to apply in order, for :func:`break_even` in the browser.

    Keys: ``net_at_low`` and ``net_at_high`` (the net balance with input ``name`` at the ends
    of its range, other inputs read from params) and ``break_even`` (the value of ``name`` at
    which the net balance is zero, or ``null`` when it is not reached within the range).
    """
    info = INPUT_INFO[name]
    frac = "datum.net_at_low / (datum.net_at_low - datum.net_at_high)"
    return {
        "net_at_low": vega_expression("net_balance", {name: repr(info.low)}),
        "net_at_high": vega_expression("net_balance", {name: repr(info.high)}),
        "break_even": (
            f"datum.net_at_low != datum.net_at_high && {frac} >= 0 && {frac} <= 1 "
            f"? {info.low!r} + {info.high - info.low!r} * {frac} : null"
        ),
    }


def formula_lines() -> list[str]:
    """The formulas as ``"output = formula"`` lines, for pages and widgets."""
    return [f"{output} = {FORMULAS[output]}" for output in OUTPUT_NAMES]


# ---------------------------------------------------------------- the model
@dataclass(frozen=True)
class WhatIfResult:
    """The model's outputs for one set of inputs."""

    inputs: WhatIfInputs
    expected_benefit: float
    expected_cost: float
    net_balance: float

    @property
    def verdict(self) -> str:
        """A neutral one-line reading of the net balance."""
        if self.net_balance > 0:
            return ("on these assumptions the expected benefit of assisting exceeds its "
                    "expected cost")
        if self.net_balance < 0:
            return ("on these assumptions the expected cost of assisting exceeds its "
                    "expected benefit")
        return "on these assumptions expected benefit and expected cost balance exactly"


def assess(
    inputs: WhatIfInputs | Mapping[str, object] | None = None, **changes: float
) -> WhatIfResult:
    """Run the teaching model: expected benefit, expected cost and net balance.

    ``inputs`` defaults to :data:`DEFAULT_INPUTS` (illustrative, not data); keyword
    ``changes`` replace single inputs, e.g. ``assess(detection=0.9)``. Values outside an
    input's range (probabilities outside 0..1, points outside 0..10), non-numbers and unknown
    names raise ``ValueError`` naming the input. The formula is :data:`FORMULAS`.
    """
    if inputs is None:
        base = DEFAULT_INPUTS
    elif isinstance(inputs, WhatIfInputs):
        base = inputs
    else:
        base = WhatIfInputs.from_mapping(inputs)
    if changes:
        unknown = sorted(set(changes) - set(INPUT_NAMES))
        if unknown:
            raise ValueError(
                f"unknown input(s): {', '.join(unknown)}; the inputs are: "
                f"{', '.join(INPUT_NAMES)}"
            )
        base = replace(base, **changes)
    out = evaluate_formula(base.as_dict())
    return WhatIfResult(base, out["expected_benefit"], out["expected_cost"], out["net_balance"])


def break_even(name: InputName, inputs: WhatIfInputs | None = None) -> float | None:
    """The value of input ``name`` (others held at ``inputs``) at which the net balance is 0.

    The net balance is linear in each input, so this is ``low + (high - low) * n_low /
    (n_low - n_high)`` with ``n_low``/``n_high`` the net balance at the ends of the input's
    range. ``None`` when the balance does not change with the input or does not reach zero
    within the range.
    """
    info = INPUT_INFO[name]
    base = inputs or DEFAULT_INPUTS
    n_low = assess(base, **{name: info.low}).net_balance
    n_high = assess(base, **{name: info.high}).net_balance
    if n_low == n_high:
        return None
    frac = n_low / (n_low - n_high)
    if not 0 <= frac <= 1:
        return None
    return info.low + (info.high - info.low) * frac


def sweep(name: InputName, inputs: WhatIfInputs | None = None, steps: int = 51) -> pd.DataFrame:
    """The outputs as input ``name`` runs over its range in ``steps`` even steps.

    Columns: ``name`` (the swept input) and the three outputs; other inputs are held at
    ``inputs`` (default :data:`DEFAULT_INPUTS`).
    """
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    info = INPUT_INFO[name]
    base = inputs or DEFAULT_INPUTS
    rows = []
    for i in range(steps):
        value = info.low + (info.high - info.low) * i / (steps - 1)
        result = assess(base, **{name: value})
        row: dict[str, float] = {name: value}
        row.update({o: float(getattr(result, o)) for o in OUTPUT_NAMES})
        rows.append(row)
    return pd.DataFrame(rows)
