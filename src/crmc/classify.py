"""A TEACHING MODEL for placing a transfer between "normal cooperation" and "military assistance".

This is not a legal test and not the interview's method. It makes one argument explicit so that
students can inspect, criticise and change it. Part 2 of the module uses it to discuss Alexander
Korolev's point that in wartime the line between normal military-technical cooperation and
military assistance "becomes blurry" (Kuo, 2022).

The rules, in full
------------------
A case is coded on six criteria (:data:`CRITERIA`), each ``"yes"``, ``"no"`` or ``"unknown"``:

============================  ==========================================  ==================
criterion                     question                                    answer that counts
                                                                          toward assistance
============================  ==========================================  ==================
``contract_before_invasion``  Was the contract signed before 24 Feb 2022?  no
``lethal``                    Is the item itself a weapon or munition?     yes
``platform``                  Is it a whole platform (not a component)?    yes
``dual_use``                  Does it also have ordinary civilian uses?    no
``sanctioned``                Is the item or supplier under sanctions?     yes
``battlefield_use``           Is it reported in use in the war?            yes
============================  ==========================================  ==================

Each criterion has a weight (:data:`DEFAULT_WEIGHTS`). A criterion whose answer counts toward
assistance contributes its full weight, one that counts toward normal cooperation contributes
nothing, and an unknown answer contributes **half** its weight. The position is the sum of the
contributions divided by the sum of the weights, so it lies in [0, 1]:
0 = "normal cooperation", 1 = "military assistance".

Unknowns also widen an uncertainty band: ``low`` counts every unknown as pointing to normal
cooperation, ``high`` counts every unknown as pointing to assistance. A fully coded case has
``low == position == high``; a case with every criterion unknown has the widest band, [0, 1].

Every function here is pure: no I/O, no global state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, cast, get_args

import pandas as pd

__all__ = [
    "CODES",
    "CRITERIA",
    "CRITERION_INFO",
    "DEFAULT_WEIGHTS",
    "TEACHING_MODEL_NOTE",
    "CaseAttributes",
    "Classification",
    "Code",
    "Criterion",
    "CriterionInfo",
    "Neighbour",
    "Reason",
    "classify",
    "classify_cases",
    "contribution",
    "nearest_cases",
    "points_toward_assistance",
    "validate_code",
    "zone",
]

Code = Literal["yes", "no", "unknown"]
"""The value of one coded attribute."""

CODES: Final[tuple[Code, ...]] = get_args(Code)

Criterion = Literal[
    "contract_before_invasion", "lethal", "platform", "dual_use", "sanctioned", "battlefield_use"
]
"""The six criteria, named as the columns of ``cases.csv``."""

CRITERIA: Final[tuple[Criterion, ...]] = get_args(Criterion)

TEACHING_MODEL_NOTE: Final = (
    "Teaching model, not a legal test: six coded criteria with stated weights; "
    "an unknown counts half and widens the range."
)


@dataclass(frozen=True)
class CriterionInfo:
    """How one criterion is read: its question, the answer that counts toward assistance, why."""

    label: str
    question: str
    toward_assistance: Literal["yes", "no"]
    because: str
    """Completes "counts toward assistance because ..." when the answer points that way."""
    because_normal: str
    """Completes "counts toward normal cooperation because ..." otherwise."""


CRITERION_INFO: Final[Mapping[Criterion, CriterionInfo]] = {
    "contract_before_invasion": CriterionInfo(
        label="Contract before invasion",
        question="Was the contract signed before Russia's full-scale invasion (24 Feb 2022)?",
        toward_assistance="no",
        because="the transfer was agreed after the invasion, so it cannot be read as the "
        "continuation of earlier contracts",
        because_normal="it continues a contract agreed before the war (path dependency)",
    ),
    "lethal": CriterionInfo(
        label="Lethal",
        question="Is the item itself a weapon or munition?",
        toward_assistance="yes",
        because="the item is itself lethal",
        because_normal="the item is not itself a weapon or munition",
    ),
    "platform": CriterionInfo(
        label="Whole platform",
        question="Is it a whole platform (a vehicle, ship, aircraft, system), not a component?",
        toward_assistance="yes",
        because="a whole platform adds fighting capacity directly",
        because_normal="it is a component that needs the recipient's own production",
    ),
    "dual_use": CriterionInfo(
        label="Dual-use",
        question="Does the item also have ordinary civilian uses?",
        toward_assistance="no",
        because="it is purpose-built for military use",
        because_normal="it also has civilian uses, so its end use is ambiguous",
    ),
    "sanctioned": CriterionInfo(
        label="Sanctioned",
        question="Is the item or its supplier subject to sanctions or an embargo?",
        toward_assistance="yes",
        because="it moves against sanctions or an embargo",
        because_normal="no sanctions or embargo apply to it",
    ),
    "battlefield_use": CriterionInfo(
        label="Used in the war",
        question="Is the item reported in use in the war in Ukraine?",
        toward_assistance="yes",
        because="it is reported in use on the battlefield",
        because_normal="it is not reported in use in the war",
    ),
}

DEFAULT_WEIGHTS: Final[Mapping[Criterion, float]] = {
    "contract_before_invasion": 2.0,
    "lethal": 2.0,
    "platform": 1.0,
    "dual_use": 1.0,
    "sanctioned": 1.0,
    "battlefield_use": 3.0,
}
"""The teaching model's stated weights (sum 10). Use in the war weighs most, then timing and
lethality; the rest weigh one each. They are a choice to argue with, not a finding."""


def validate_code(criterion: str, value: object) -> Code:
    """Return ``value`` as a :data:`Code`, or raise ``ValueError`` naming the criterion.

    Surrounding spaces and capitals are tolerated (``" Yes"`` → ``"yes"``).
    """
    if criterion not in CRITERIA:
        raise ValueError(f"unknown criterion {criterion!r}; expected one of {', '.join(CRITERIA)}")
    text = value.strip().lower() if isinstance(value, str) else value
    for code in CODES:
        if text == code:
            return code
    raise ValueError(
        f"invalid value {value!r} for criterion {criterion!r}; expected one of {', '.join(CODES)}"
    )


@dataclass(frozen=True)
class CaseAttributes:
    """One case coded on the six criteria (each ``"yes"``, ``"no"`` or ``"unknown"``).

    Values are validated on construction: anything else raises ``ValueError``.
    """

    contract_before_invasion: Code = "unknown"
    lethal: Code = "unknown"
    platform: Code = "unknown"
    dual_use: Code = "unknown"
    sanctioned: Code = "unknown"
    battlefield_use: Code = "unknown"

    def __post_init__(self) -> None:
        for criterion in CRITERIA:
            value: object = getattr(self, criterion)
            object.__setattr__(self, criterion, validate_code(criterion, value))

    def get(self, criterion: Criterion) -> Code:
        """The code of one criterion."""
        return cast(Code, getattr(self, criterion))

    def as_dict(self) -> dict[Criterion, Code]:
        """Criterion → code, in :data:`CRITERIA` order."""
        return {criterion: self.get(criterion) for criterion in CRITERIA}

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> CaseAttributes:
        """Build from a mapping such as a row of ``cases.csv``.

        Missing criteria or invalid codes raise ``ValueError``.
        """
        missing = [c for c in CRITERIA if c not in values]
        if missing:
            raise ValueError(f"missing criteria: {', '.join(missing)}")
        return cls(**{c: validate_code(c, values[c]) for c in CRITERIA})


@dataclass(frozen=True)
class Reason:
    """Why one criterion moved (or did not move) the position."""

    criterion: Criterion
    code: Code
    direction: Literal["assistance", "normal", "unknown"]
    weight: float
    contribution: float
    text: str


@dataclass(frozen=True)
class Classification:
    """The teaching model's result for one case."""

    attributes: CaseAttributes
    position: float
    """0 = normal cooperation … 1 = military assistance (unknowns count half)."""
    low: float
    """Position if every unknown pointed to normal cooperation."""
    high: float
    """Position if every unknown pointed to assistance."""
    zone: str
    reasons: tuple[Reason, ...]
    weights: Mapping[Criterion, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @property
    def band(self) -> float:
        """Width of the uncertainty band (``high - low``)."""
        return self.high - self.low

    @property
    def unknowns(self) -> tuple[Criterion, ...]:
        """The criteria coded ``"unknown"``."""
        return tuple(r.criterion for r in self.reasons if r.direction == "unknown")

    def reasons_toward_assistance(self) -> tuple[str, ...]:
        """The reason texts of the criteria that counted toward assistance (full weight)."""
        return tuple(r.text for r in self.reasons if r.direction == "assistance" and r.weight > 0)


def points_toward_assistance(criterion: Criterion, code: Code) -> bool | None:
    """``True``: counts toward assistance; ``False``: toward normal; ``None``: unknown."""
    if code == "unknown":
        return None
    return code == CRITERION_INFO[criterion].toward_assistance


def contribution(criterion: Criterion, code: Code, weight: float) -> float:
    """One criterion's share of the score: full weight, nothing, or half weight if unknown."""
    toward = points_toward_assistance(criterion, code)
    if toward is None:
        return weight / 2
    return weight if toward else 0.0


def zone(position: float) -> str:
    """A name for a region of the scale (thirds), for prose and tables."""
    if position < 1 / 3:
        return "closer to normal cooperation"
    if position <= 2 / 3:
        return "grey zone"
    return "closer to military assistance"


def _check_weights(weights: Mapping[Criterion, float]) -> dict[Criterion, float]:
    unknown = [k for k in weights if k not in CRITERIA]
    if unknown:
        raise ValueError(f"unknown criterion in weights: {', '.join(map(str, unknown))}")
    checked: dict[Criterion, float] = {}
    for criterion in CRITERIA:
        w = float(weights.get(criterion, DEFAULT_WEIGHTS[criterion]))
        if not w >= 0:
            raise ValueError(f"weight of {criterion!r} must be zero or positive, got {w}")
        checked[criterion] = w
    if sum(checked.values()) <= 0:
        raise ValueError("at least one criterion needs a positive weight")
    return checked


def _reason(criterion: Criterion, code: Code, weight: float) -> Reason:
    info = CRITERION_INFO[criterion]
    toward = points_toward_assistance(criterion, code)
    share = contribution(criterion, code, weight)
    if toward is None:
        direction: Literal["assistance", "normal", "unknown"] = "unknown"
        text = f"{info.label}: unknown, counts half weight and widens the range"
    elif toward:
        direction = "assistance"
        text = f"{info.label} = {code}: counts toward assistance because {info.because}"
    else:
        direction = "normal"
        text = (
            f"{info.label} = {code}: counts toward normal cooperation "
            f"because {info.because_normal}"
        )
    if weight == 0:
        text += " (weight 0: switched off)"
    return Reason(criterion, code, direction, weight, share, text)


def classify(
    attributes: CaseAttributes | Mapping[str, object],
    weights: Mapping[Criterion, float] | None = None,
) -> Classification:
    """Place one case on the 0–1 scale with the TEACHING MODEL's stated rules.

    ``weights`` overrides :data:`DEFAULT_WEIGHTS` criterion by criterion (zero switches a
    criterion off). Raises ``ValueError`` on an invalid code, an unknown criterion, a negative
    weight or all weights zero.
    """
    attrs = attributes if isinstance(attributes, CaseAttributes) else CaseAttributes.from_mapping(
        attributes
    )
    w = _check_weights(weights or {})
    total = sum(w.values())
    reasons = tuple(_reason(c, attrs.get(c), w[c]) for c in CRITERIA)
    position = sum(r.contribution for r in reasons) / total
    low = sum(r.weight for r in reasons if r.direction == "assistance") / total
    high = low + sum(r.weight for r in reasons if r.direction == "unknown") / total
    return Classification(attrs, position, low, high, zone(position), reasons, w)


def classify_cases(
    cases: pd.DataFrame, weights: Mapping[Criterion, float] | None = None
) -> pd.DataFrame:
    """Score every row of ``cases.csv`` (as loaded by ``data.load_cases()``).

    Returns the input columns plus ``position``, ``low``, ``high``, ``band``, ``zone``,
    ``unknowns`` (count) and ``reasons`` (one string, reasons joined by "; "), sorted by
    position (highest first). A row with an invalid code raises ``ValueError`` naming its id.
    """
    rows: list[dict[str, object]] = []
    for raw in cases.to_dict(orient="records"):
        record = {str(k): v for k, v in raw.items()}
        try:
            result = classify(record, weights)
        except ValueError as err:
            raise ValueError(f"case {record.get('id')!r}: {err}") from None
        rows.append(
            {
                **record,
                "position": result.position,
                "low": result.low,
                "high": result.high,
                "band": result.band,
                "zone": result.zone,
                "unknowns": len(result.unknowns),
                "reasons": "; ".join(r.text for r in result.reasons),
            }
        )
    out = pd.DataFrame(rows)
    return out.sort_values(["position", "id"], ascending=[False, True]).reset_index(drop=True)


@dataclass(frozen=True)
class Neighbour:
    """A real case near the student's coding."""

    id: str
    case: str
    position: float
    differences: int
    """Number of criteria coded differently."""
    differing: tuple[Criterion, ...]


def nearest_cases(
    attributes: CaseAttributes, scored: pd.DataFrame, n: int = 3
) -> tuple[Neighbour, ...]:
    """The ``n`` real cases coded most like ``attributes`` (fewest differing criteria, then the
    closest position under default weights). ``scored`` is :func:`classify_cases` output."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    own = classify(attributes).position
    found: list[tuple[int, float, str, Neighbour]] = []
    for record in scored.to_dict(orient="records"):
        differing = tuple(c for c in CRITERIA if str(record[c]) != attributes.get(c))
        position = float(record["position"])
        neighbour = Neighbour(str(record["id"]), str(record["case"]), position, len(differing),
                              differing)
        found.append((len(differing), abs(position - own), str(record["id"]), neighbour))
    found.sort(key=lambda item: item[:3])
    return tuple(item[3] for item in found[:n])
