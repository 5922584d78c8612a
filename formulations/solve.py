"""The one solve wrapper: HiGHS through Pyomo's ``contrib.solver`` interface.

:func:`solve` hands a model built by a ``build_<name>_model`` function to HiGHS (highspy) through
:class:`pyomo.contrib.solver.solvers.highs.Highs`, maps Pyomo's termination condition onto
:class:`Termination` and raises :class:`designopt.errors.SolverError` on anything but a proven
optimum.  When HiGHS proves the model infeasible, the wrapper re-solves it with one *constraint
family* switched off at a time (families are declared by the builders, see
:func:`declare_family`) and names in the message the families whose relaxation restores
feasibility, with the data field to change.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass

from designopt.errors import ConfigurationError, SolverError

__all__ = ["Termination", "SolveResult", "declare_family", "make_solver", "solve"]


class Termination(enum.Enum):
    """How a solve ended (a stable, solver-independent subset of Pyomo's conditions)."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    INTERRUPTED = "interrupted"
    ERROR = "error"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SolveResult:
    """Summary of one solve.

    Attributes
    ----------
    termination : Termination
    objective : float
        Objective value of the loaded solution [objective's unit].
    bound : float
        Best proven bound on the objective (equal to ``objective`` for LPs) [objective's unit].
    wall_time_s : float
        Time spent in :func:`solve`, including Pyomo's hand-over to HiGHS [s].
    solver : str
        Solver name and version, e.g. ``"highs 1.16.0"``.
    """

    termination: Termination
    objective: float
    bound: float
    wall_time_s: float
    solver: str


def declare_family(model, name: str, components, hint: str) -> None:
    """Register a family of constraints the infeasibility diagnosis may relax.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
    name : str
        Short name of the family, e.g. ``"noise"``.
    components : list of Pyomo components
        Constraints (or blocks) deactivated together to test the family.
    hint : str
        What the user changes to relax it, e.g. ``"raise noise_limit_dB=35.0"``.
    """
    families = model.__dict__.setdefault("_designopt_families", {})
    families[name] = (list(components), hint)


def _map(tc) -> Termination:
    from pyomo.contrib.solver.common.results import TerminationCondition as TC

    return {
        TC.convergenceCriteriaSatisfied: Termination.OPTIMAL,
        TC.provenInfeasible: Termination.INFEASIBLE,
        TC.locallyInfeasible: Termination.INFEASIBLE,
        TC.unbounded: Termination.UNBOUNDED,
        TC.infeasibleOrUnbounded: Termination.INFEASIBLE_OR_UNBOUNDED,
        TC.maxTimeLimit: Termination.TIME_LIMIT,
        TC.iterationLimit: Termination.ITERATION_LIMIT,
        TC.interrupted: Termination.INTERRUPTED,
        TC.error: Termination.ERROR,
    }.get(tc, Termination.UNKNOWN)


def make_solver(
    *, time_limit_s: float | None = None, mip_rel_gap: float = 1e-9, presolve: bool = True
):
    """Return a configured persistent HiGHS solver (re-use it to re-solve after data changes).

    Parameters
    ----------
    time_limit_s : float, optional
        Wall-clock limit [s]; reaching it raises :class:`SolverError`.
    mip_rel_gap : float
        Relative MIP gap at which HiGHS stops [1]; the default proves optimality to round-off.
    presolve : bool
        HiGHS presolve.  Off pays for the selection MILP, whose disaggregated formulation is
        already tight: presolve took 3.8 s of a 3.9 s solve on 505 products x 26 bins, the
        solve without it 0.2 s (benchmarks/bench_formulations.py).
    """
    import pyomo.environ  # noqa: F401  (registers Pyomo's plugins)
    from pyomo.contrib.solver.solvers.highs import Highs

    if time_limit_s is not None and not time_limit_s > 0:
        raise ConfigurationError(f"{time_limit_s=} must be positive (seconds) or None")
    if not 0 <= mip_rel_gap < 1:
        raise ConfigurationError(f"{mip_rel_gap=} must lie in [0, 1)")
    solver = Highs()
    if not solver.available():
        raise SolverError("HiGHS (highspy) is not available; install the 'highspy' package")
    solver.config.raise_exception_on_nonoptimal_result = False
    solver.config.load_solutions = False
    solver.config.time_limit = time_limit_s
    solver.config.rel_gap = mip_rel_gap
    solver.config.solver_options["output_flag"] = False
    if not presolve:
        solver.config.solver_options["presolve"] = "off"
    return solver


def _relaxing_families(model, what: str) -> list[tuple[str, str]]:
    """Return (family, hint) pairs whose deactivation makes ``model`` feasible."""
    families = model.__dict__.get("_designopt_families", {})
    found = []
    for name, (components, hint) in families.items():
        for c in components:
            c.deactivate()
        try:
            res = make_solver(time_limit_s=30).solve(model)
            if _map(res.termination_condition) in (Termination.OPTIMAL, Termination.UNBOUNDED):
                found.append((name, hint))
        finally:
            for c in components:
                c.activate()
    return found


def solve(model, *, solver=None, diagnose: bool = True, name: str | None = None) -> SolveResult:
    """Solve ``model`` with HiGHS and load the optimal solution into its variables.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        A model from one of the ``build_*_model`` functions.
    solver : optional
        A solver from :func:`make_solver` (persistent: keeps the model inside HiGHS between calls).
    diagnose : bool
        On infeasibility, find which declared constraint family to relax (re-solves the model
        once per family).
    name : str, optional
        Model name used in messages (defaults to ``model.name``).

    Returns
    -------
    SolveResult

    Raises
    ------
    SolverError
        If the solve does not end at a proven optimum (infeasible, unbounded, time limit ...).
    """
    solver = solver if solver is not None else make_solver()
    label = name or model.name
    t0 = time.perf_counter()
    res = solver.solve(model)
    term = _map(res.termination_condition)
    version = "highs " + ".".join(str(v) for v in solver.version())
    if term is Termination.OPTIMAL:
        res.solution_loader.load_vars()
        bound = res.objective_bound if res.objective_bound is not None else res.incumbent_objective
        return SolveResult(
            termination=term,
            objective=float(res.incumbent_objective),
            bound=float(bound),
            wall_time_s=time.perf_counter() - t0,
            solver=version,
        )
    if term in (Termination.INFEASIBLE, Termination.INFEASIBLE_OR_UNBOUNDED):
        msg = f"HiGHS found the {label} model infeasible (termination {term.value})"
        families = model.__dict__.get("_designopt_families", {})
        if diagnose and families:
            fixes = _relaxing_families(model, label)
            if fixes:
                msg += "; it becomes feasible when one of these constraint families is relaxed: "
                msg += "; ".join(f"'{n}' ({h})" for n, h in fixes)
            else:
                msg += (
                    "; no single constraint family restores feasibility on its own; relax several of: "
                    + "; ".join(f"'{n}' ({h})" for n, (_, h) in families.items())
                )
        elif families:
            msg += "; constraint families that may be relaxed: " + ", ".join(families)
        raise SolverError(msg)
    if term is Termination.TIME_LIMIT:
        raise SolverError(
            f"HiGHS stopped the {label} model at its time limit ({solver.config.time_limit} s) "
            f"before proving optimality; raise time_limit_s or shrink the model (fewer candidates/periods)"
        )
    raise SolverError(
        f"HiGHS ended the {label} model with termination {term.value!r} "
        f"(Pyomo: {res.termination_condition.name}); only 'optimal' is accepted"
    )
