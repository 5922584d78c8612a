"""Former home of the ground and hybrid study; kept so that existing scripts keep working.

The code lives in :mod:`designopt.evaluate.sources.borefield` (the coupled heat-pump/borefield
simulation) and :mod:`designopt.evaluate` (``evaluate``, ``assess``, ``value``).  Nothing in
designopt imports this module.
"""

from designopt.case import GroundTable, PipeTable
from designopt.evaluate.problem import evaluate as evaluate_ground
from designopt.evaluate.sources.borefield import (
    CDH,
    FLUID_SCALE_K,
    GroundRun,
    fluid_margin_K,
    required_length,
    simulate_ground_design,
)

__all__ = [
    "CDH",
    "FLUID_SCALE_K",
    "GroundRun",
    "GroundTable",
    "PipeTable",
    "evaluate_ground",
    "fluid_margin_K",
    "required_length",
    "simulate_ground_design",
]
