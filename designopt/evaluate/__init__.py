"""The evaluation core: one design of a case, assessed once and valued many times.

``evaluate(design, case) -> Evaluation`` is ``value(assess(design, case), case)``:

* :func:`assess` (:mod:`designopt.evaluate.problem`) runs the physics of the case's source
  plug-in (:mod:`designopt.evaluate.sources`: air, water, ground, hybrid) and returns a
  price-free :class:`Performance` (:mod:`designopt.evaluate.performance`);
* :func:`value` (:mod:`designopt.evaluate.value`) applies economics and rules: capital and
  lifetime cost, CO2, objectives and scaled constraints; :func:`value_arrays` does it for
  ``D`` designs x ``S`` scenarios in one broadcast pass.

Modules depend one way (``docs/architecture.md``): catalogue and case -> designs, mapview,
charge, performance -> sources -> value -> problem.  Design variables are listed in
:data:`designopt.catalogue.VARIABLES`; see ``docs/case-files.md``.
"""

from designopt.catalogue import METRIC_UNITS, METRICS, VARIABLES, VariableInfo
from designopt.evaluate.charge import saturated_densities
from designopt.evaluate.designs import (
    air_mode_design,
    check_design,
    design_from_strings,
    heat_pump_design,
    resolve,
)
from designopt.evaluate.mapview import at_point, at_speeds, rating_compressor_power
from designopt.evaluate.performance import Performance, PerformanceSet
from designopt.evaluate.problem import (
    CaseEvaluator,
    assess,
    build_problem,
    evaluate,
    search_variables,
)
from designopt.evaluate.sources.unitary import map_grid
from designopt.evaluate.value import (
    UNMET_TOLERANCE,
    Scenarios,
    case_receivers,
    value,
    value_arrays,
)

__all__ = [
    "METRICS",
    "METRIC_UNITS",
    "UNMET_TOLERANCE",
    "VARIABLES",
    "CaseEvaluator",
    "Performance",
    "PerformanceSet",
    "Scenarios",
    "VariableInfo",
    "air_mode_design",
    "assess",
    "at_point",
    "at_speeds",
    "build_problem",
    "case_receivers",
    "check_design",
    "design_from_strings",
    "evaluate",
    "heat_pump_design",
    "map_grid",
    "rating_compressor_power",
    "resolve",
    "saturated_densities",
    "search_variables",
    "value",
    "value_arrays",
]
