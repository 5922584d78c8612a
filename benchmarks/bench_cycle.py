"""Benchmark of the cycle model: one operating point, a 15 x 15 x 3 map, and accuracy.

Run:  python benchmarks/bench_cycle.py [--repeat 20]

Prints medians (wall clock, this machine) for
* one off-design operating point of the default 8 kW air/water R290 design (finite-area
  evaporator and condenser), solved from a cold start (no warm start, map cache cleared);
* a 15 (source) x 15 (sink) x 3 (speed) performance map, in-memory map cache cleared;
* the same map and point of the design with a vapour-injection compressor;
* the same operating point with direct CoolProp HEOS properties, and the deviation of the
  tabulated solve (backend "tables") from it.
Property tables and CoolProp are loaded before timing (one-off costs are printed separately).

Then the same for the transcritical R744 design (``default_air_water_design(refrigerant="R744")``,
gas cooler in 12 segments, Liao et al. optimum high-side pressure): one operating point, the
15 x 15 x 3 map (also at a set high-side pressure of 10 MPa), and the deviation of the tabulated solve from the direct-HEOS solve
(``backend="HEOS"``) over random operating points.  ``--fluid R290`` or ``--fluid R744`` runs
one part only.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _median_ms(fn, repeat):
    """Median wall-clock and CPU (process) time [ms]; CPU time is less disturbed by other
    processes sharing the cores."""
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return _Ms(1e3 * statistics.median(wall), 1e3 * statistics.median(cpu), 1e3 * min(wall))


class _Ms:
    def __init__(self, wall, cpu, best):
        self.wall, self.cpu, self.best = wall, cpu, best

    def __format__(self, spec):
        w, c, b = (format(x, spec) for x in (self.wall, self.cpu, self.best))
        return f"{w} ms wall / {c} ms CPU (best {b} ms)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--fluid", choices=("R290", "R744", "both"), default="both")
    ap.add_argument("--heos-points", type=int, default=12, help="R744 points checked against HEOS")
    args = ap.parse_args()
    if args.fluid in ("R290", "both"):
        bench_r290(args)
    if args.fluid in ("R744", "both"):
        bench_r744(args)


def bench_r290(args) -> None:

    t0 = time.perf_counter()
    import CoolProp  # noqa: F401

    t_import = time.perf_counter() - t0
    from designopt.cycle import (
        clear_map_cache,
        default_air_water_design,
        performance_map,
        solve_operating_point,
    )
    from designopt.cycle.tables import fluid_tables

    t0 = time.perf_counter()
    fluid_tables("Propane")
    t_tables = time.perf_counter() - t0
    design = default_air_water_design()
    print(
        f"import CoolProp: {t_import:.2f} s; property tables (disk cache or build): {t_tables:.2f} s"
    )

    kw = dict(t_source_K=275.15, t_sink_out_K=318.15, speed=0.7)
    ms_point = _median_ms(lambda: solve_operating_point(design, **kw), args.repeat)
    rng = np.random.default_rng(1)
    conds = [
        (float(rng.uniform(258, 288)), float(rng.uniform(303, 328)), float(rng.uniform(0.3, 1.2)))
        for _ in range(50)
    ]

    def many():
        for a, b, c in conds:
            solve_operating_point(design, t_source_K=a, t_sink_out_K=b, speed=c)

    ms_many = _median_ms(many, 3)
    print(
        f"50 random operating points, per point: {ms_many.wall / 50:.2f} ms wall / {ms_many.cpu / 50:.2f} ms CPU"
    )
    print(f"operating point (tables from HEOS, scalar path), median: {ms_point:.2f}")

    ts = np.linspace(253.15, 293.15, 15)
    tk = np.linspace(298.15, 338.15, 15)
    sp = np.array([0.4, 0.7, 1.0])

    def run_map():
        clear_map_cache()
        return performance_map(design, ts, tk, sp)

    ms_map = _median_ms(run_map, max(3, args.repeat // 4))
    ds = run_map()
    n_ok = int((ds.status == 0).sum())
    print(
        f"15x15x3 map (tables from HEOS, vectorised), median: {ms_map:.1f} ({n_ok}/675 points converged, rest outside the envelope)"
    )

    import dataclasses

    evi = dataclasses.replace(
        design, compressor=dataclasses.replace(design.compressor, injection="vapour")
    )

    def run_map_evi():
        clear_map_cache()
        return performance_map(evi, ts, tk, sp)

    ms_evi = _median_ms(run_map_evi, max(3, args.repeat // 4))
    n_evi = int((run_map_evi().status == 0).sum())
    ms_evi_point = _median_ms(lambda: solve_operating_point(evi, **kw), args.repeat)
    print(
        f"15x15x3 map with vapour injection (economiser), median: {ms_evi:.1f} ({n_evi}/675 converged); "
        f"one point (vectorised path): {ms_evi_point:.2f}"
    )

    ms_heos = _median_ms(lambda: solve_operating_point(design, backend="HEOS", **kw), 3)
    a = solve_operating_point(design, **kw)
    b = solve_operating_point(design, backend="HEOS", **kw)
    print(f"operating point (direct CoolProp HEOS, vectorised path), median: {ms_heos:.1f}")
    print(
        f"tables vs HEOS: COP {100 * (a.cop / b.cop - 1):+.4f} %, heat output {100 * (a.heat_output_W / b.heat_output_W - 1):+.4f} %, t_cond {a.t_cond_K - b.t_cond_K:+.4f} K, t_discharge {a.t_discharge_K - b.t_discharge_K:+.4f} K"
    )


def bench_r744(args) -> None:
    from designopt.cycle import (
        clear_map_cache,
        default_air_water_design,
        performance_map,
        solve_arrays,
        solve_operating_point,
    )
    from designopt.cycle.tables import fluid_tables
    from designopt.cycle.transcritical import supercritical_tables

    t0 = time.perf_counter()
    fluid_tables("CarbonDioxide")
    supercritical_tables()
    print(f"\nR744: property tables (disk cache or build): {time.perf_counter() - t0:.2f} s")
    design = default_air_water_design(refrigerant="R744")
    kw = dict(t_source_K=275.15, t_sink_out_K=318.15, speed=0.7)
    ms_point = _median_ms(lambda: solve_operating_point(design, **kw), max(3, args.repeat // 2))
    print(f"R744 operating point (tables, vectorised path), median: {ms_point:.2f}")

    ts = np.linspace(253.15, 293.15, 15)
    tk = np.linspace(298.15, 338.15, 15)
    sp = np.array([0.4, 0.7, 1.0])

    def run_map():
        clear_map_cache()
        return performance_map(design, ts, tk, sp)

    ms_map = _median_ms(run_map, max(5, args.repeat // 2))
    ds = run_map()
    n_ok = int((ds.status == 0).sum())
    print(
        f"R744 15x15x3 map (tables, vectorised), median: {ms_map:.1f} ({n_ok}/675 points converged, rest outside the envelope)"
    )

    import dataclasses

    fixed = dataclasses.replace(design, high_pressure_Pa=10e6)

    def run_map_fixed():
        clear_map_cache()
        return performance_map(fixed, ts, tk, sp)

    ms_fixed = _median_ms(run_map_fixed, max(5, args.repeat // 2))
    n_ok = int((run_map_fixed().status == 0).sum())
    print(
        f"R744 15x15x3 map at high_pressure_Pa=10 MPa, median: {ms_fixed:.1f} ({n_ok}/675 converged)"
    )

    rng = np.random.default_rng(2)
    n = args.heos_points
    a_ts = rng.uniform(258.0, 293.0, n)
    a_tk = rng.uniform(303.0, 333.0, n)
    a_sp = rng.uniform(0.4, 1.2, n)
    a = solve_arrays(design, a_ts, a_tk, a_sp)
    t0 = time.perf_counter()
    b = solve_arrays(design, a_ts, a_tk, a_sp, backend="HEOS")
    t_heos = time.perf_counter() - t0
    ok = (a["status"] == 0) & (b["status"] == 0)
    same = int(np.sum(a["status"] == b["status"]))
    d_cop = 100 * np.max(np.abs(a["cop"][ok] / b["cop"][ok] - 1))
    d_q = 100 * np.max(np.abs(a["heat_output"][ok] / b["heat_output"][ok] - 1))
    d_t3 = np.max(np.abs(a["t_cond"][ok] - b["t_cond"][ok]))
    d_t2 = np.max(np.abs(a["t_discharge"][ok] - b["t_discharge"][ok]))
    d_p = 100 * np.max(np.abs(a["p_cond"][ok] / b["p_cond"][ok] - 1))
    print(
        f"R744 tables vs direct HEOS over {n} random points ({int(ok.sum())} converged in both, "
        f"same status {same}/{n}; HEOS solve {t_heos:.1f} s): max |dCOP| {d_cop:.4f} %, "
        f"|dQ| {d_q:.4f} %, |dp_gc| {d_p:.4f} %, |dT_gc,out| {d_t3:.4f} K, |dT_discharge| {d_t2:.4f} K"
    )


if __name__ == "__main__":
    main()
