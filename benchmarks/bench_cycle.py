"""Benchmark of the cycle model: one operating point, a 15 x 15 x 3 map, and accuracy.

Run:  python benchmarks/bench_cycle.py [--repeat 20]

Prints medians (wall clock, this machine) for
* one off-design operating point of the default 8 kW air/water R290 design (finite-area
  evaporator and condenser), solved from a cold start (no warm start, map cache cleared);
* a 15 (source) x 15 (sink) x 3 (speed) performance map, in-memory map cache cleared;
* the same operating point with direct CoolProp HEOS properties, and the deviation of the
  tabulated solve (backend "tables") from it.
Property tables and CoolProp are loaded before timing (one-off costs are printed separately).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _median_ms(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    t0 = time.perf_counter()
    import CoolProp  # noqa: F401

    t_import = time.perf_counter() - t0
    from designopt.cycle import clear_map_cache, default_air_water_design, performance_map, solve_operating_point
    from designopt.cycle.tables import fluid_tables

    t0 = time.perf_counter()
    fluid_tables("Propane")
    t_tables = time.perf_counter() - t0
    design = default_air_water_design()
    print(f"import CoolProp: {t_import:.2f} s; property tables (disk cache or build): {t_tables:.2f} s")

    kw = dict(t_source_K=275.15, t_sink_out_K=318.15, speed=0.7)
    ms_point = _median_ms(lambda: solve_operating_point(design, **kw), args.repeat)
    print(f"operating point (tables from HEOS), median: {ms_point:.2f} ms")

    ts = np.linspace(253.15, 293.15, 15)
    tk = np.linspace(298.15, 338.15, 15)
    sp = np.array([0.4, 0.7, 1.0])

    def run_map():
        clear_map_cache()
        return performance_map(design, ts, tk, sp)

    ms_map = _median_ms(run_map, max(3, args.repeat // 4))
    ds = run_map()
    n_ok = int((ds.status == 0).sum())
    print(f"15x15x3 map (tables from HEOS), median: {ms_map:.1f} ms ({n_ok}/675 points converged, rest outside the envelope)")

    ms_heos = _median_ms(lambda: solve_operating_point(design, backend="HEOS", **kw), 3)
    a = solve_operating_point(design, **kw)
    b = solve_operating_point(design, backend="HEOS", **kw)
    print(f"operating point (direct CoolProp HEOS), median: {ms_heos:.1f} ms")
    print(
        "tables vs HEOS: COP {:+.4f} %, heat output {:+.4f} %, t_cond {:+.4f} K, t_discharge {:+.4f} K".format(
            100 * (a.cop / b.cop - 1), 100 * (a.heat_output_W / b.heat_output_W - 1), a.t_cond_K - b.t_cond_K, a.t_discharge_K - b.t_discharge_K
        )
    )


if __name__ == "__main__":
    main()
