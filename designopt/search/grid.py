"""Discretised design spaces: enumerate every design of a grid, exactly.

Used to measure how close a study gets to the exact front (``benchmarks/bench_study.py``) and
to feed the exact epsilon-constraint front of :mod:`formulations.epsilon` with precomputed
metrics.  :func:`discretised` returns a copy of a problem whose numeric variables take only the
grid's values (a ``step``), so an Optuna study over the copy samples the same finite set that
:func:`grid_designs` enumerates.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing as mp
from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any

from designopt.errors import ConfigurationError
from designopt.results import Record
from designopt.search.problem import Evaluation, Problem, Variable, VariableKind
from designopt.search.study import evaluate_safely


def _points(name: str, points: int | Mapping[str, int]) -> int:
    n = points.get(name, 3) if isinstance(points, Mapping) else int(points)
    if n < 1:
        raise ConfigurationError(f"grid points for {name!r} = {n} must be at least 1")
    return n


def discretised(problem: Problem, points: int | Mapping[str, int] = 3) -> Problem:
    """A copy of ``problem`` whose numeric variables take ``points`` evenly spaced values
    (a linear step, also for log-scale variables); categorical variables are unchanged."""
    variables = []
    for v in problem.variables:
        if v.kind is VariableKind.CATEGORICAL:
            variables.append(v)
            continue
        n = _points(v.name, points)
        if n == 1 or v.high == v.low:
            variables.append(dataclasses.replace(v, high=v.low, log=False, step=None))
            continue
        if v.kind is VariableKind.INT:
            step = max(1, round((v.high - v.low) / (n - 1)))
            variables.append(dataclasses.replace(v, log=False, step=step))
            continue
        # a step with a short decimal form and the high bound it implies, so that Optuna's
        # decimal divisibility check keeps every grid value (it would silently drop the top one);
        # rounded down, so that the top value never lies above ``high``
        d_low = Decimal(repr(float(v.low)))
        d_step = Decimal(repr(float((v.high - v.low) / (n - 1)))).quantize(
            Decimal("1e-9"), rounding=ROUND_DOWN
        )
        high = float(d_low + d_step * (n - 1))
        variables.append(dataclasses.replace(v, log=False, step=float(d_step), high=high))
    return dataclasses.replace(
        problem,
        variables=tuple(variables),
        fingerprint=f"{problem.fingerprint}-grid{_grid_key(points)}",
    )


def _grid_key(points: int | Mapping[str, int]) -> str:
    if isinstance(points, Mapping):
        return "-".join(f"{k}{v}" for k, v in sorted(points.items()))
    return str(points)


def grid_designs(problem: Problem) -> list[dict[str, Any]]:
    """Every design of a discretised problem (the Cartesian product of its variables' grids)."""
    axes: list[Sequence[Any]] = []
    for v in problem.variables:
        if v.kind is not VariableKind.CATEGORICAL and v.step is None and v.high != v.low:
            raise ConfigurationError(
                f"variable {v.name!r} is continuous; call discretised(problem, points) first"
            )
        axes.append(_axis(v))
    names = [v.name for v in problem.variables]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)]


def _axis(v: Variable) -> list[Any]:
    if v.kind is VariableKind.CATEGORICAL:
        return list(v.choices)
    if v.high == v.low:
        return [int(v.low) if v.kind is VariableKind.INT else float(v.low)]
    n = int(round((v.high - v.low) / v.step)) + 1
    vals = [v.low + i * v.step for i in range(n)]
    vals = [x for x in vals if x <= v.high + 1e-9 * max(1.0, abs(v.high))]
    return [int(round(x)) for x in vals] if v.kind is VariableKind.INT else [float(x) for x in vals]


_POOL_PROBLEM: Problem | None = None


def _eval_one(item: tuple[int, dict[str, Any]]) -> tuple[int, dict[str, Any], Evaluation]:
    number, params = item
    assert _POOL_PROBLEM is not None
    return number, params, evaluate_safely(_POOL_PROBLEM, params)


def enumerate_designs(
    problem: Problem, designs: Sequence[dict[str, Any]], *, workers: int = 1
) -> list[Record]:
    """Evaluate every design (in ``workers`` forked processes) and return records."""
    global _POOL_PROBLEM
    items = list(enumerate(designs))
    _POOL_PROBLEM = problem
    try:
        if workers > 1:
            with mp.get_context("fork").Pool(workers) as pool:
                results = pool.map(_eval_one, items, chunksize=max(1, len(items) // (8 * workers)))
        else:
            results = [_eval_one(it) for it in items]
    finally:
        _POOL_PROBLEM = None
    records = []
    for number, params, ev in results:
        ok = ev.failure is None
        records.append(
            Record(
                number=number,
                params=params,
                state="COMPLETE" if ok else "FAIL",
                values=problem.objective_values(ev) if ok else None,
                constraints=dict(ev.constraints) if ok else {},
                metrics=dict(ev.metrics),
                failure=ev.failure or "",
            )
        )
    return records
