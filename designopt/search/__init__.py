"""Multi-objective design search with Optuna: problems, resumable studies, Pareto analysis."""

from designopt.search.pareto import (
    hypervolume,
    non_dominated_mask,
    to_minimisation,
    weakly_dominated,
)
from designopt.search.problem import (
    Constraint,
    Direction,
    Evaluation,
    Objective,
    Problem,
    Variable,
    VariableKind,
)
from designopt.search.study import SAMPLERS, StudySettings, evaluate_safely, run_study

__all__ = [
    "SAMPLERS",
    "Constraint",
    "Direction",
    "Evaluation",
    "Objective",
    "Problem",
    "StudySettings",
    "Variable",
    "VariableKind",
    "evaluate_safely",
    "hypervolume",
    "non_dominated_mask",
    "run_study",
    "to_minimisation",
    "weakly_dominated",
]
