"""designopt: design heat pumps by optimisation.

The package is layered (see ``docs/architecture.md``):

* physics: :mod:`designopt.properties`, :mod:`designopt.cycle`, :mod:`designopt.ground`,
  :mod:`designopt.noise`, :mod:`designopt.economics` -- pure SI functions;
* orchestration: :mod:`designopt.seasonal`, :mod:`designopt.evaluate`, :mod:`designopt.search`;
* front ends: :mod:`designopt.cli`, :mod:`designopt.case`, :mod:`designopt.report`.

Importing :mod:`designopt` is cheap: CoolProp, Optuna and Pyomo are imported only by the
modules that need them.
"""

from designopt.errors import (
    ConfigurationError,
    ConvergenceError,
    DataFormatError,
    DesignOptError,
    InfeasibleDesignError,
    OperatingPointError,
    PropertyError,
    SolverError,
    StorageFullError,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "ConfigurationError",
    "ConvergenceError",
    "DataFormatError",
    "DesignOptError",
    "InfeasibleDesignError",
    "OperatingPointError",
    "PropertyError",
    "SolverError",
    "StorageFullError",
]
