"""Shared helpers for the formulations' result Datasets and model statistics."""

from __future__ import annotations

from dataclasses import dataclass

import pyomo.environ as pyo

__all__ = ["ModelSize", "model_size", "base_attrs"]


@dataclass(frozen=True)
class ModelSize:
    """Counts of the active components of a model (its degrees of freedom before presolve)."""

    n_variables: int
    n_binaries: int
    n_constraints: int
    n_equalities: int


def model_size(m: pyo.ConcreteModel) -> ModelSize:
    """Count the variables (binaries separately) and active constraints (equalities separately)."""
    vars_ = list(m.component_data_objects(pyo.Var, descend_into=True))
    cons = list(m.component_data_objects(pyo.Constraint, active=True, descend_into=True))
    return ModelSize(
        n_variables=len(vars_),
        n_binaries=sum(1 for v in vars_ if v.is_binary()),
        n_constraints=len(cons),
        n_equalities=sum(1 for c in cons if c.equality),
    )


def base_attrs(m: pyo.ConcreteModel, res, *, build_time_s: float) -> dict:
    """Dataset attrs common to every formulation: package version, solver, sizes, timings."""
    import designopt

    size = model_size(m)
    return {
        "designopt_version": getattr(designopt, "__version__", "unknown"),
        "formulation": m.name,
        "solver": res.solver,
        "termination": res.termination.value,
        "objective_bound": res.bound,
        "n_variables": size.n_variables,
        "n_binaries": size.n_binaries,
        "n_constraints": size.n_constraints,
        "build_time_s": build_time_s,
        "solve_time_s": res.wall_time_s,
    }
