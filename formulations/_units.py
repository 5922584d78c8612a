"""Pyomo units for the formulations, with a currency unit.

Pyomo's unit system needs the optional dependency ``pint``.  When it is installed every ``Var``
and ``Param`` of the builders carries its unit and :func:`pyomo.util.check_units.assert_units_consistent`
checks the models; without it :func:`unit` returns ``None`` (dimensionless to Pyomo) so that the
models still build and solve.  :data:`HAVE_UNITS` tells which case holds.

Costs are in euro (``EUR``), declared here as a new base dimension ``[currency]``.
"""

from __future__ import annotations

import functools
import importlib.util

HAVE_UNITS: bool = importlib.util.find_spec("pint") is not None


@functools.cache
def _registry():
    from pyomo.environ import units

    units.load_definitions_from_strings(["EUR = [currency]"])
    return units


class _Namespace(dict):
    def __missing__(self, key):
        return getattr(_registry(), key)


def unit(expression: str):
    """Return the Pyomo unit for ``expression`` (e.g. ``"EUR/J"``), or ``None`` without pint.

    Parameters
    ----------
    expression : str
        A product/quotient of unit names known to Pyomo (pint) or ``EUR``; ``"1"`` is dimensionless.
    """
    if not HAVE_UNITS:
        return None
    if expression.strip() == "1":
        return _registry().dimensionless
    return eval(expression, {"__builtins__": {}}, _Namespace())  # noqa: S307 - unit names only
