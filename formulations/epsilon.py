"""Exact Pareto fronts by the ε-constraint method over a discretised design space.

Every design d of a discretised space has precomputed metrics (capital cost C_d, lifetime cost
L_d, feasibility).  The MILP picks one design, ``sum_d x_d = 1``, minimising capital subject to
``sum_d L_d x_d <= ε``; a second, lexicographic solve minimises lifetime cost at that capital so that
every point returned is Pareto-optimal, not merely weakly so.  Sweeping ε gives the front
(Haimes, Lasdon & Wismer 1971, doi:10.1109/TSMC.1971.5408347; Mavrotas 2009,
doi:10.1016/j.amc.2009.03.037).  The model is built once and ε changed on a mutable parameter;
the persistent HiGHS interface re-solves without rebuilding.

:func:`compare_fronts` checks another front (e.g. an Optuna study's) against the exact one:
whether every point is weakly dominated by it, and the gap in exact 2-D hypervolume.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from designopt.errors import ConfigurationError, SolverError
from formulations._units import unit
from formulations.data import DesignSpace
from formulations.solve import declare_family, make_solver, solve

__all__ = [
    "add_design_choice_block",
    "build_epsilon_model",
    "epsilon_front",
    "pareto_front",
    "hypervolume_2d",
    "FrontComparison",
    "compare_fronts",
]


def add_design_choice_block(b: pyo.Block, space: DesignSpace) -> None:
    """One binary per feasible design, exactly one chosen; capital and lifetime cost expressions."""
    idx = np.nonzero(space.feasible)[0]
    b.D = pyo.Set(initialize=idx.tolist(), ordered=True, doc="feasible designs")
    b.x = pyo.Var(
        b.D, domain=pyo.Binary, bounds=(0, 1), units=unit("1"), doc="1 if design d is chosen [1]"
    )
    b.one = pyo.Constraint(expr=sum(b.x[d] for d in b.D) == 1, doc="exactly one design")
    # the cost coefficients are floats times the unit EUR, not indexed Params: Params with units
    # become expressions that the persistent interface re-evaluates before every solve
    # (2 x 10^4 of them for 10^4 designs)
    eur = unit("EUR")
    eur = 1.0 if eur is None else eur
    xs = [b.x[d] for d in b.D]
    b.capital = pyo.Expression(
        expr=eur
        * LinearExpression(
            constant=0.0, linear_coefs=space.capital_cost_EUR[idx].tolist(), linear_vars=xs
        ),
        doc="capital cost [EUR]",
    )
    b.lifetime = pyo.Expression(
        expr=eur
        * LinearExpression(
            constant=0.0, linear_coefs=space.lifetime_cost_EUR[idx].tolist(), linear_vars=xs
        ),
        doc="lifetime cost [EUR]",
    )


def build_epsilon_model(space: DesignSpace, epsilon_EUR: float | None = None) -> pyo.ConcreteModel:
    """Build (never solve) ``min capital subject to lifetime <= ε`` over the feasible designs.

    Parameters
    ----------
    space : DesignSpace
    epsilon_EUR : float, optional
        Initial bound on the lifetime cost [EUR]; default: the largest feasible lifetime cost
        (no restriction).  Change ``model.epsilon`` and re-solve to sweep.

    Returns
    -------
    pyomo.environ.ConcreteModel
        Block ``design``; mutable params ``epsilon`` [EUR] and ``capital_cap`` [EUR]
        (the lexicographic stage); constraints ``lifetime_bound``, ``capital_bound``
        (deactivated); objectives ``min_capital`` (active) and ``min_lifetime`` (deactivated).
    """
    m = pyo.ConcreteModel(name="epsilon")
    m.design = pyo.Block()
    add_design_choice_block(m.design, space)
    lmax = float(np.max(space.lifetime_cost_EUR[space.feasible]))
    cmax = float(np.max(space.capital_cost_EUR[space.feasible]))
    m.epsilon = pyo.Param(
        initialize=lmax if epsilon_EUR is None else float(epsilon_EUR),
        mutable=True,
        units=unit("EUR"),
        doc="bound on lifetime cost [EUR]",
    )
    m.capital_cap = pyo.Param(
        initialize=cmax,
        mutable=True,
        units=unit("EUR"),
        doc="capital bound of the lexicographic stage [EUR]",
    )
    m.lifetime_bound = pyo.Constraint(
        expr=m.design.lifetime <= m.epsilon, doc="ε-constraint on lifetime cost"
    )
    m.capital_bound = pyo.Constraint(
        expr=m.design.capital <= m.capital_cap, doc="lexicographic stage: keep the optimal capital"
    )
    m.capital_bound.deactivate()
    m.min_capital = pyo.Objective(
        expr=m.design.capital, sense=pyo.minimize, doc="capital cost [EUR]"
    )
    m.min_lifetime = pyo.Objective(
        expr=m.design.lifetime, sense=pyo.minimize, doc="lifetime cost [EUR]"
    )
    m.min_lifetime.deactivate()
    declare_family(
        m, "epsilon", [m.lifetime_bound], "raise ε: no feasible design has a lifetime cost this low"
    )
    return m


def _half_gap(values) -> float:
    """Half the smallest positive difference between distinct values (1.0 if all are equal).

    Stepping a bound by this amount excludes the current value and nothing else, independent of
    the solver's feasibility tolerance."""
    u = np.unique(values)
    return float(np.min(np.diff(u))) / 2.0 if u.size > 1 else 1.0


def _chosen(m) -> int:
    x = {d: m.design.x[d].value for d in m.design.D}
    return int(max(x, key=x.get))


def _solve_point(m, solver, eps, capital_step, space):
    """Lexicographic solve at one ε; returns the chosen design index or None if infeasible.

    Stage 1 minimises capital under ``lifetime <= ε``; a design the solver accepts within its
    feasibility tolerance but whose lifetime cost exceeds ε is excluded and stage 1 repeated.  Stage 2 minimises lifetime under
    ``capital <= C_1 + δ`` with ``C_1`` the capital of the stage-1 design (from the data, not the
    solver's objective) and δ = max(capital_step, 1e-6 C_1), and ε raised to the stage-1 design's
    lifetime if the solver accepted it within its feasibility tolerance, so that the stage-1
    design stays feasible.
    """
    m.epsilon.set_value(float(eps))
    m.capital_bound.deactivate()
    m.min_lifetime.deactivate()
    m.min_capital.activate()
    excluded = []
    try:
        while True:
            try:
                solve(m, solver=solver, diagnose=False, name="ε-constraint")
            except SolverError:
                return None
            d1 = _chosen(m)
            if space.lifetime_cost_EUR[d1] <= eps:
                break
            # accepted within HiGHS's (row-scaled) feasibility tolerance but above ε in the
            # data: exclude it by its bound and re-solve
            m.design.x[d1].setub(0)
            solver.update_variables([m.design.x[d1]])
            excluded.append(d1)
    finally:
        for d in excluded:
            m.design.x[d].setub(1)
        if excluded:
            solver.update_variables([m.design.x[d] for d in excluded])
    c1, l1 = space.capital_cost_EUR[d1], space.lifetime_cost_EUR[d1]
    cap_bound = float(c1 + max(capital_step, 1e-6 * max(1.0, abs(c1))))
    # stage 2 can only change the answer if another design within the capital bound has a lower
    # lifetime cost (checked on the data); skip the solve otherwise
    feas = space.feasible
    rivals = feas & (space.capital_cost_EUR <= cap_bound) & (space.lifetime_cost_EUR < l1)
    if not rivals.any():
        return d1
    m.epsilon.set_value(max(float(eps), float(l1)))
    m.capital_cap.set_value(cap_bound)
    m.capital_bound.activate()
    m.min_capital.deactivate()
    m.min_lifetime.activate()
    try:
        solve(m, solver=solver, diagnose=False, name="ε-constraint (lexicographic stage)")
    except SolverError:
        return d1
    d2 = _chosen(m)
    ok = space.lifetime_cost_EUR[d2] <= l1 and space.capital_cost_EUR[d2] <= m.capital_cap.value
    return d2 if ok else d1


def epsilon_front(space: DesignSpace, *, n_points: int | None = 20, time_limit_s: float = 60.0):
    """The exact Pareto front (capital vs lifetime cost) by the ε-constraint method.

    Parameters
    ----------
    space : DesignSpace
    n_points : int or None
        Number of ε values, evenly spaced from the lifetime cost of the cheapest-capital design down
        to the minimum lifetime cost (both ends included; duplicates merged).  ``None`` walks the
        whole front: after each point ε is set just below its lifetime cost, until infeasible, which
        yields every Pareto-optimal design.
    time_limit_s : float
        Per-solve time limit [s].

    Returns
    -------
    xarray.Dataset
        Dim ``point`` (sorted by capital): ``capital_cost``, ``lifetime_cost`` [EUR], ``design``
        (index into the space), ``epsilon`` [EUR] that produced it, and the design variables.
    """
    import xarray as xr

    import designopt

    if n_points is not None and n_points < 2:
        raise ConfigurationError(f"{n_points=} must be >= 2 or None (the whole front)")
    t0 = time.perf_counter()
    m = build_epsilon_model(space)
    t_build = time.perf_counter() - t0
    solver = make_solver(time_limit_s=time_limit_s, mip_rel_gap=0.0, presolve=False)
    # only parameters, activations and (explicitly pushed) bounds change between solves: skip
    # the persistent interface's scan of all 10^4 variables and constraint bodies per solve
    upd = solver.config.auto_updates
    upd.check_for_new_or_removed_vars = False
    upd.update_vars = False
    upd.update_constraints = False
    upd.update_named_expressions = False
    t1 = time.perf_counter()
    life = space.lifetime_cost_EUR
    feas = space.feasible
    # steps that separate distinct metric values exactly (designs are discrete)
    life_step = _half_gap(life[feas])
    cap_step = _half_gap(space.capital_cost_EUR[feas])
    lmax = float(np.max(life[feas]))
    first = _solve_point(m, solver, lmax, cap_step, space)
    found: dict[int, float] = {first: lmax}
    lmin = float(np.min(life[feas]))
    if n_points is None:
        d = first
        while life[d] > lmin:
            eps = life[d] - life_step
            d_next = _solve_point(m, solver, eps, cap_step, space)
            if d_next is None or life[d_next] >= life[d]:
                break
            d = d_next
            found.setdefault(d, eps)
    else:
        for eps in np.linspace(life[first], lmin, n_points)[1:]:
            d = _solve_point(m, solver, eps, cap_step, space)
            if d is not None:
                found.setdefault(d, float(eps))
    t_solve = time.perf_counter() - t1
    designs = np.array(sorted(found, key=lambda d: (space.capital_cost_EUR[d], life[d])))
    coords = {
        "point": ("point", np.arange(designs.size), {"units": "1", "long_name": "front point"})
    }
    data_vars = {
        "capital_cost": (
            "point",
            space.capital_cost_EUR[designs],
            {"units": "EUR", "long_name": "capital cost"},
        ),
        "lifetime_cost": ("point", life[designs], {"units": "EUR", "long_name": "lifetime cost"}),
        "design": (
            "point",
            designs,
            {"units": "1", "long_name": "index of the design in the design space"},
        ),
        "epsilon": (
            "point",
            np.array([found[d] for d in designs]),
            {"units": "EUR", "long_name": "ε bound that produced the point"},
        ),
    }
    for k, v in space.variables.items():
        data_vars[k] = (
            "point",
            np.asarray(v)[designs],
            {"units": "1", "long_name": f"design variable {k}"},
        )
    return xr.Dataset(
        data_vars,
        coords=coords,
        attrs={
            "designopt_version": designopt.__version__,
            "formulation": "epsilon-constraint",
            "solver": "highs " + ".".join(map(str, solver.version())),
            "n_designs": space.n,
            "n_feasible": int(space.feasible.sum()),
            "n_points_requested": -1 if n_points is None else n_points,
            "build_time_s": t_build,
            "solve_time_s": t_solve,
        },
    )


def pareto_front(f1, f2) -> np.ndarray:
    """Indices of the non-dominated points of a bi-objective minimisation (brute force, numpy).

    A point is kept unless another point is no worse in both objectives and better in one;
    among exact duplicates the first is kept.  Returned sorted by ``f1``.
    """
    f1, f2 = np.asarray(f1, float), np.asarray(f2, float)
    ok = np.isfinite(f1) & np.isfinite(f2)
    idx = np.nonzero(ok)[0]
    order = idx[np.lexsort((f2[idx], f1[idx]))]
    keep, best = [], np.inf
    for i in order:
        if f2[i] < best:
            keep.append(i)
            best = f2[i]
    return np.array(keep, dtype=int)


def hypervolume_2d(points, reference) -> float:
    """Exact hypervolume (area) dominated by ``points`` and bounded by ``reference`` (minimisation).

    Points not strictly better than the reference in both objectives contribute nothing.
    """
    p = np.asarray(points, float).reshape(-1, 2)
    r = np.asarray(reference, float)
    p = p[(p[:, 0] < r[0]) & (p[:, 1] < r[1])]
    if p.size == 0:
        return 0.0
    p = p[pareto_front(p[:, 0], p[:, 1])]
    x_next = np.append(p[1:, 0], r[0])
    return float(np.sum((x_next - p[:, 0]) * (r[1] - p[:, 1])))


@dataclass(frozen=True)
class FrontComparison:
    """Another front (e.g. Optuna's) compared with the exact one.

    Attributes
    ----------
    all_weakly_dominated : bool
        Every other point is weakly dominated by some exact point (within ``rtol``).
    not_dominated : numpy.ndarray
        Indices of the other front's points that are *not* weakly dominated (should be empty).
    reference_point : tuple of float
        Hypervolume reference point (f1, f2).
    hypervolume_exact, hypervolume_other : float
        Exact 2-D hypervolumes [unit of f1 x unit of f2].
    hypervolume_gap : float
        ``hypervolume_exact - hypervolume_other``.
    hypervolume_gap_pct : float
        The gap as a percentage of ``hypervolume_exact`` [%].
    """

    all_weakly_dominated: bool
    not_dominated: np.ndarray
    reference_point: tuple[float, float]
    hypervolume_exact: float
    hypervolume_other: float
    hypervolume_gap: float
    hypervolume_gap_pct: float


def compare_fronts(exact, other, *, reference_point=None, rtol: float = 1e-9) -> FrontComparison:
    """Check another front against the exact front.

    Parameters
    ----------
    exact, other : array_like, shape (n, 2) and (k, 2)
        Objective pairs (capital, lifetime), both minimised.
    reference_point : (2,), optional
        Hypervolume reference; default: the componentwise maximum over both sets plus 10 % of
        their range in each objective (stated in the result).
    rtol : float
        Relative tolerance of the dominance test (round-off in recomputed metrics) [1].
    """
    e = np.asarray(exact, float).reshape(-1, 2)
    o = np.asarray(other, float).reshape(-1, 2)
    if e.size == 0:
        raise ConfigurationError("the exact front is empty")
    if reference_point is None:
        both = np.vstack([e, o]) if o.size else e
        hi, lo = both.max(axis=0), both.min(axis=0)
        ref = hi + 0.1 * np.where(hi > lo, hi - lo, np.maximum(np.abs(hi), 1.0))
    else:
        ref = np.asarray(reference_point, float)
        if ref.shape != (2,):
            raise ConfigurationError(f"reference_point must have 2 values, got {ref.shape}")
    tol = rtol * np.maximum(np.abs(e).max(axis=0), 1.0)
    if o.size:
        dom = np.all(e[None, :, :] <= o[:, None, :] + tol, axis=2).any(axis=1)
    else:
        dom = np.zeros(0, bool)
    hv_e, hv_o = hypervolume_2d(e, ref), hypervolume_2d(o, ref) if o.size else 0.0
    gap = hv_e - hv_o
    return FrontComparison(
        all_weakly_dominated=bool(dom.all()),
        not_dominated=np.nonzero(~dom)[0],
        reference_point=(float(ref[0]), float(ref[1])),
        hypervolume_exact=hv_e,
        hypervolume_other=hv_o,
        hypervolume_gap=gap,
        hypervolume_gap_pct=100.0 * gap / hv_e if hv_e > 0 else float("nan"),
    )
