"""Analytic test problems for the search machinery (no physics, known answers).

:func:`bnh_problem` is the constrained bi-objective problem of Binh and Korn (1997), "MOBES: a
multiobjective evolution strategy for constrained optimization problems", Proc. 3rd Int. Conf. on
Genetic Algorithms (Mendel 97), pp. 176-182, as tabulated by Deb (2001), *Multi-Objective
Optimization using Evolutionary Algorithms*, Wiley, Table 21:

    minimise f1 = 4 x^2 + 4 y^2,  f2 = (x - 5)^2 + (y - 5)^2
    subject to (x - 5)^2 + y^2 <= 25,  (x - 8)^2 + (y + 3)^2 >= 7.7,  0 <= x <= 5, 0 <= y <= 3.

Its Pareto front runs from (0, 50) to (200, 0): for x = y in [0, 3] and for x in [3, 5], y = 3.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from designopt.errors import InfeasibleDesignError
from designopt.search.problem import (
    Constraint,
    Direction,
    Evaluation,
    Objective,
    Problem,
    Variable,
    VariableKind,
)


def _bnh(params: dict[str, Any], *, delay_s: float, fail_above_x: float | None) -> Evaluation:
    x, y = float(params["x"]), float(params["y"])
    if delay_s:
        time.sleep(delay_s)
    if fail_above_x is not None and x > fail_above_x:
        raise InfeasibleDesignError(f"x={x:.3f} is above the test failure threshold {fail_above_x}")
    f1 = 4 * x**2 + 4 * y**2
    f2 = (x - 5) ** 2 + (y - 5) ** 2
    g1 = ((x - 5) ** 2 + y**2) / 25.0 - 1.0
    g2 = 1.0 - ((x - 8) ** 2 + (y + 3) ** 2) / 7.7
    return Evaluation(
        objectives={"f1": f1, "f2": f2},
        constraints={"g1": g1, "g2": g2},
        metrics={"radius": float(np.hypot(x, y))},
    )


class _BNH:
    def __init__(self, delay_s: float, fail_above_x: float | None):
        self.delay_s = delay_s
        self.fail_above_x = fail_above_x

    def __call__(self, params: dict[str, Any]) -> Evaluation:
        return _bnh(params, delay_s=self.delay_s, fail_above_x=self.fail_above_x)


def bnh_problem(
    *, delay_s: float = 0.0, fail_above_x: float | None = None, infeasible: bool = False
) -> Problem:
    """The Binh-Korn problem; ``delay_s`` slows each evaluation (kill/resume tests),
    ``fail_above_x`` makes part of the space fail with :class:`InfeasibleDesignError`,
    ``infeasible`` shrinks the box to x in [0, 0.1], y in [1, 3], where ``g1`` is violated
    everywhere ((x - 5)^2 + y^2 >= 24.01 + 1 > 25)."""
    return Problem(
        name="bnh",
        variables=(
            Variable(name="x", kind=VariableKind.FLOAT, low=0.0, high=0.1 if infeasible else 5.0),
            Variable(name="y", kind=VariableKind.FLOAT, low=1.0 if infeasible else 0.0, high=3.0),
        ),
        objectives=(
            Objective(name="f1", direction=Direction.MINIMIZE),
            Objective(name="f2", direction=Direction.MINIMIZE),
        ),
        constraints=(Constraint(name="g1"), Constraint(name="g2")),
        evaluate=_BNH(delay_s, fail_above_x),
        metric_units={"radius": "1"},
        fingerprint=f"bnh-{delay_s}-{fail_above_x}-{infeasible}",
    )
