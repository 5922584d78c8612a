"""The design study's view of the evaluation core: ``evaluate`` and ``build_problem``.

``evaluate(design, case) = value(assess(design, case), case)``: :func:`assess` runs the
physics of the case's source plug-in (:mod:`designopt.evaluate.sources`) once and returns a
price-free :class:`~designopt.evaluate.performance.Performance`; :func:`value` applies the
case's economics and rules (:mod:`designopt.evaluate.value`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from designopt.case import Case, VariableSpec
from designopt.catalogue import CONSTRAINTS, METRICS, OBJECTIVES, VARIABLES, VariableInfo
from designopt.economics.capital import CAPITAL_ITEMS
from designopt.errors import ConfigurationError
from designopt.evaluate import sources
from designopt.evaluate.initial import InitialPopulation
from designopt.evaluate.performance import Performance
from designopt.evaluate.value import receiver_slug, value
from designopt.search.problem import (
    Constraint,
    Direction,
    Evaluation,
    Objective,
    Problem,
    Variable,
    VariableKind,
)

__all__ = ["CaseEvaluator", "assess", "build_problem", "evaluate", "search_variables"]


def assess(design: dict[str, Any], case: Case) -> Performance:
    """The physics of one design of ``case``: its source plug-in's
    :class:`~designopt.evaluate.performance.Performance` (no prices, no rules)."""
    return sources.get(case.source.type).assess(design, case)


def evaluate(design: dict[str, Any], case: Case) -> Evaluation:
    """Evaluate one design of ``case``: objectives, scaled constraints (met when <= 0) and
    metrics; ``value(assess(design, case), case)``.

    Raises a :class:`~designopt.errors.DesignOptError` for a design that cannot be evaluated
    (the study records it as a failed trial).
    """
    return value(assess(design, case), case)


class CaseEvaluator:
    """Picklable ``params -> Evaluation`` bound to a case, with a small memo: NSGA-II proposes
    the same design again now and then, and ``evaluate`` is pure."""

    def __init__(self, case: Case, memo_size: int = 4096):
        self.case = case
        self.memo_size = memo_size
        self._memo: dict[tuple, Evaluation] = {}

    def __call__(self, params: dict[str, Any]) -> Evaluation:
        key = tuple(sorted((k, repr(v)) for k, v in params.items()))
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        performance = assess(params, self.case)
        ev = dataclasses.replace(value(performance, self.case), performance=performance.to_record())
        if len(self._memo) >= self.memo_size:
            self._memo.pop(next(iter(self._memo)))
        self._memo[key] = ev
        return ev


def search_variables(case: Case) -> tuple[Variable, ...]:
    """The case's ``[space]`` as search variables."""
    out = []
    for name, spec in case.space.items():
        info = VARIABLES[name]
        out.append(_variable(name, spec, info))
    return tuple(out)


def _variable(name: str, spec: VariableSpec, info: VariableInfo) -> Variable:
    if info.kind == "categorical":
        return Variable(
            name=name, kind=VariableKind.CATEGORICAL, choices=tuple(spec.choices), unit=info.unit
        )
    kind = VariableKind.INT if (spec.type == "int" or info.kind == "int") else VariableKind.FLOAT
    return Variable(
        name=name,
        kind=kind,
        low=spec.low,
        high=spec.high,
        log=spec.log,
        step=spec.step,
        unit=info.unit,
    )


def build_problem(case: Case) -> Problem:
    """The search problem of ``case``."""
    if not case.space:
        raise ConfigurationError(
            "the case has an empty [space]: give at least one design variable range"
        )
    objectives = tuple(
        Objective(
            name=o,
            direction=Direction(OBJECTIVES[o][0]),
            unit=OBJECTIVES[o][1],
            long_name=OBJECTIVES[o][2],
        )
        for o in case.optimisation.objectives
    )
    constraints = tuple(
        Constraint(name=c, long_name=CONSTRAINTS[c]) for c in case.optimisation.constraints
    )
    units = {k: u for k, (u, _) in METRICS.items()}
    longs = {k: n for k, (_, n) in METRICS.items()}
    for r in case.noise.receivers:
        units[f"level_{receiver_slug(r.name)}_dBA"] = "dB(A)"
        longs[f"level_{receiver_slug(r.name)}_dBA"] = (
            f"sound pressure level at receiver {r.name!r} ({r.method})"
        )
    for item in CAPITAL_ITEMS:
        units[f"capex_{item}"] = OBJECTIVES["capital_cost"][1]
        longs[f"capex_{item}"] = f"capital cost item: {item.replace('_', ' ')}"
    for o, (_, unit, long_name) in OBJECTIVES.items():
        units.setdefault(o, unit)
        longs.setdefault(o, long_name)
    return Problem(
        name=case.name,
        variables=search_variables(case),
        objectives=objectives,
        constraints=constraints,
        evaluate=CaseEvaluator(case),
        metric_units=units,
        metric_long_names=longs,
        fingerprint=case.fingerprint(),
        initial_designs=InitialPopulation(case),
    )
