"""Policy what-if sweeps: a study's stored designs valued under thousands of scenarios.

:mod:`designopt.sweep.spec` reads the sweep file; :mod:`designopt.sweep.engine` runs it in
batches on Dask into a Zarr store and writes ``sweep.nc``.  See ``docs/sweep.md``.
"""

from designopt.sweep.engine import SweepResult, run_sweep, scenario_table, value_batch
from designopt.sweep.spec import AXES, SweepSpec, load_sweep

__all__ = [
    "AXES",
    "SweepResult",
    "SweepSpec",
    "load_sweep",
    "run_sweep",
    "scenario_table",
    "value_batch",
]
