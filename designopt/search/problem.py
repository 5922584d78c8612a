"""The optimisation problem as the search sees it: variables, objectives, constraints, evaluate.

A :class:`Problem` is independent of Optuna: the same object is enumerated on a grid, sampled
by a study or turned into MILP data.  ``evaluate(params) -> Evaluation`` must be a pure
function of the parameter values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from designopt.errors import ConfigurationError


class VariableKind(StrEnum):
    """The kind of a design variable."""

    FLOAT = "float"
    INT = "int"
    CATEGORICAL = "categorical"


class Direction(StrEnum):
    """Direction of an objective."""

    MINIMIZE = "minimize"
    MAXIMIZE = "maximize"


@dataclass(frozen=True, kw_only=True)
class Variable:
    """One design variable.

    Parameters
    ----------
    name
        Variable name, e.g. ``"evaporator_area_m2"`` (the unit is part of the name).
    kind
        ``float``, ``int`` or ``categorical``.
    low, high
        Bounds of numeric variables (inclusive).
    log
        Sample on a logarithmic scale (numeric variables with ``low > 0``).
    step
        Discretisation step of numeric variables, or ``None``.
    choices
        The options of a categorical variable.
    unit
        Unit text for results (``"m2"``, ``"K"``, ``"1"``).
    """

    name: str
    kind: VariableKind
    low: float | None = None
    high: float | None = None
    log: bool = False
    step: float | None = None
    choices: tuple[Any, ...] = ()
    unit: str = "1"

    def __post_init__(self) -> None:
        kind = VariableKind(self.kind)
        object.__setattr__(self, "kind", kind)
        if kind is VariableKind.CATEGORICAL:
            if len(self.choices) < 1:
                raise ConfigurationError(
                    f"categorical variable {self.name!r} needs at least one choice"
                )
            object.__setattr__(self, "choices", tuple(self.choices))
            return
        if self.low is None or self.high is None:
            raise ConfigurationError(f"numeric variable {self.name!r} needs low and high bounds")
        if not (math.isfinite(self.low) and math.isfinite(self.high)) or self.low > self.high:
            raise ConfigurationError(
                f"variable {self.name!r}: bounds low={self.low!r}, high={self.high!r} must be finite with low <= high"
            )
        if self.log and self.low <= 0:
            raise ConfigurationError(
                f"variable {self.name!r}: log scale needs low > 0, got low={self.low!r}"
            )
        if self.log and self.step is not None:
            raise ConfigurationError(
                f"variable {self.name!r}: log scale and step cannot be combined"
            )
        if self.step is not None and self.step <= 0:
            raise ConfigurationError(f"variable {self.name!r}: step={self.step!r} must be positive")
        if kind is VariableKind.INT:
            if self.step is not None and self.step != int(self.step):
                raise ConfigurationError(
                    f"int variable {self.name!r}: step={self.step!r} must be a positive integer"
                )
            if math.ceil(self.low) > math.floor(self.high):
                raise ConfigurationError(
                    f"int variable {self.name!r}: no integer lies in "
                    f"[low={self.low!r}, high={self.high!r}]"
                )

    def grid(self, n: int) -> list[Any]:
        """Return ``n`` evenly spaced values (all choices for categoricals, the step grid if set)."""
        import numpy as np

        if self.kind is VariableKind.CATEGORICAL:
            return list(self.choices)
        if self.step is not None:
            values = np.arange(self.low, self.high + 0.5 * self.step, self.step)
        elif self.log:
            values = np.geomspace(self.low, self.high, n)
        else:
            values = np.linspace(self.low, self.high, n)
        if self.kind is VariableKind.INT:
            return sorted({int(round(v)) for v in values})
        return [float(v) for v in values]


@dataclass(frozen=True, kw_only=True)
class Objective:
    """An objective: its name (a key of :attr:`Evaluation.objectives`), direction and unit."""

    name: str
    direction: Direction
    unit: str = "1"
    long_name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "direction", Direction(self.direction))


@dataclass(frozen=True, kw_only=True)
class Constraint:
    """A scaled constraint ``g`` (met when ``g <= 0``) with a description of its scaling."""

    name: str
    long_name: str = ""


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """The result of evaluating one design.

    ``failure`` is ``None`` for a design that could be evaluated; then every objective and every
    constraint is a finite float.  A design that could not be evaluated (no operating point,
    infeasible borefield, ...) carries the reason in ``failure`` and no objectives.
    """

    objectives: Mapping[str, float] = field(default_factory=dict)
    constraints: Mapping[str, float] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    failure: str | None = None
    #: the price-free physics of the design as a JSON-able mapping, when the evaluator keeps it
    #: (:meth:`designopt.evaluate.Performance.to_record`); stored with the trial.
    performance: Mapping[str, Any] | None = None

    @property
    def feasible(self) -> bool:
        return self.failure is None and all(v <= 0.0 for v in self.constraints.values())


@dataclass(frozen=True, kw_only=True)
class Problem:
    """Variables, objectives, constraints and the evaluation function of a study."""

    name: str
    variables: tuple[Variable, ...]
    objectives: tuple[Objective, ...]
    constraints: tuple[Constraint, ...]
    evaluate: Callable[[dict[str, Any]], Evaluation]
    metric_units: Mapping[str, str] = field(default_factory=dict)
    metric_long_names: Mapping[str, str] = field(default_factory=dict)
    fingerprint: str = ""
    #: ``initial_designs(variables, n, seed) -> list of params``: designs a new study starts with
    #: (enqueued before the sampler's own), over the problem's ``variables``, e.g.
    #: :class:`designopt.evaluate.initial.InitialPopulation`; None: the sampler starts alone.
    initial_designs: Callable[[Sequence[Variable], int, int], list[dict[str, Any]]] | None = None

    def __post_init__(self) -> None:
        if not self.objectives:
            raise ConfigurationError("a problem needs at least one objective")
        names = [v.name for v in self.variables]
        if len(set(names)) != len(names):
            raise ConfigurationError(f"duplicate variable names in {names}")

    @property
    def directions(self) -> list[str]:
        return [o.direction.value for o in self.objectives]

    def check(self, ev: Evaluation) -> Evaluation:
        """Validate an evaluation: finite objectives and constraints, all of them present.

        A violation turns the evaluation into a failure with the reason, so that Optuna never sees
        ``inf``/``NaN`` objectives and never a trial with a missing constraint.
        """
        if ev.failure is not None:
            return ev
        for o in self.objectives:
            v = ev.objectives.get(o.name)
            if v is None or not math.isfinite(v):
                return Evaluation(
                    metrics=ev.metrics, failure=f"objective {o.name}={v!r} is not a finite number"
                )
        for c in self.constraints:
            v = ev.constraints.get(c.name)
            if v is None or not math.isfinite(v):
                return Evaluation(
                    metrics=ev.metrics, failure=f"constraint {c.name}={v!r} is not a finite number"
                )
        return ev

    def objective_values(self, ev: Evaluation) -> list[float]:
        return [float(ev.objectives[o.name]) for o in self.objectives]

    def constraint_values(self, ev: Evaluation) -> list[float]:
        return [float(ev.constraints[c.name]) for c in self.constraints]


def suggest(trial: Any, variables: Sequence[Variable]) -> dict[str, Any]:
    """Ask an Optuna trial for values of ``variables``."""
    params: dict[str, Any] = {}
    for v in variables:
        if v.kind is VariableKind.CATEGORICAL:
            params[v.name] = trial.suggest_categorical(v.name, list(v.choices))
        elif v.kind is VariableKind.INT:
            params[v.name] = trial.suggest_int(
                v.name,
                math.ceil(v.low),
                math.floor(v.high),
                step=int(v.step or 1),
                log=v.log,
            )
        else:
            params[v.name] = trial.suggest_float(v.name, v.low, v.high, step=v.step, log=v.log)
    return params
