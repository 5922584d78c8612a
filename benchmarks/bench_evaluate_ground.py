"""Benchmark of one ground/hybrid design evaluation, and the error of the one-pass coupling.

Run:  python benchmarks/bench_evaluate_ground.py [--repeat 10] [--case casestudies/gshp_hybrid/case.toml]

Prints (wall clock and CPU time, medians, this machine):
* the first evaluation (g-function family computed if not cached, property tables loaded);
* a repeated design (performance maps in the in-memory cache: the hourly lifetime simulation
  and the borefield coupling only);
* new designs (new compressor size, hence new maps) with varying length and switchover;
* the coupling: iterations, and the one-pass approximation (COP at the undisturbed ground
  temperature, no feedback) against the converged fixed point -- lowest mean fluid
  temperature, SPF and the borehole length that just meets the limit.
g-functions are cached in DESIGNOPT_CACHE_DIR (default the user cache).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _timed(fn):
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - t, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--case", default=str(ROOT / "casestudies" / "gshp_hybrid" / "case.toml"))
    args = ap.parse_args()

    from designopt.case import load_case
    from designopt.evaluate import evaluate
    from designopt.evaluate.sources.borefield import required_length, simulate_ground_design

    case = load_case(args.case)
    base = {
        "borehole_length_m": 100.0,
        "switchover_temperature_degC": 2.0,
        "swept_volume_cm3": 75.0,
        "evaporator_area_m2": 2.0,
        "air_coil_area_m2": 45.0,
        "backup_kW": 2.0,
    }
    base = {k: v for k, v in base.items() if k in case.space or k == "borehole_length_m"}
    ev, wall, cpu = _timed(lambda: evaluate(base, case))
    print(f"case {case.name}: {case.source.type}, {case.ground.years} years")
    print(
        f"first evaluation (cold caches)      : {wall * 1e3:8.0f} ms wall, {cpu * 1e3:6.0f} ms CPU"
    )

    rep = [_timed(lambda: evaluate(base, case)) for _ in range(args.repeat)]
    print(
        f"same design again (maps cached)     : {statistics.median(r[1] for r in rep) * 1e3:8.0f} ms"
        f" wall, {statistics.median(r[2] for r in rep) * 1e3:6.0f} ms CPU (median of {args.repeat})"
    )
    new = []
    for i in range(args.repeat):
        d = dict(base)
        d["borehole_length_m"] = 60.0 + 12.0 * i
        if "swept_volume_cm3" in case.space:
            d["swept_volume_cm3"] = 55.0 + 4.0 * i
        if "switchover_temperature_degC" in case.space:
            d["switchover_temperature_degC"] = -6.0 + 1.5 * i
        new.append(_timed(lambda d=d: evaluate(d, case)))
    print(
        f"new designs (new maps)              : {statistics.median(r[1] for r in new) * 1e3:8.0f} ms"
        f" wall, {statistics.median(r[2] for r in new) * 1e3:6.0f} ms CPU (median of {args.repeat})"
    )
    print(
        f"coupling iterations of those designs: {[r[0].metrics['coupling_iterations'] for r in new]}"
    )

    # one-pass approximation vs the converged fixed point
    conv = simulate_ground_design(base, case)
    one = simulate_ground_design(base, case, max_iter=1)

    def spf(r):
        return r.heat_hp.sum() / r.electric_hp.sum()

    print(
        f"lowest mean fluid temperature       : converged {conv.t_fluid.min() - 273.15:6.2f} degC,"
        f" one-pass {one.t_fluid.min() - 273.15:6.2f} degC"
        f" ({one.t_fluid.min() - conv.t_fluid.min():+.2f} K)"
    )
    print(
        f"SPF_H1                              : converged {spf(conv):6.3f}, one-pass {spf(one):6.3f}"
        f" ({100 * (spf(one) / spf(conv) - 1):+.1f} %)"
    )
    g_conv = conv.ground_load.sum()
    print(
        f"ground heat                         : one-pass {100 * (one.ground_load.sum() / g_conv - 1):+.1f} %"
        " vs converged"
    )
    design = {k: v for k, v in base.items() if k != "borehole_length_m"}
    (H_c, w1, _) = _timed(lambda: required_length(design, case, xtol_m=0.05))
    H_1 = required_length(design, case, xtol_m=0.05, max_iter=1)
    print(
        f"length meeting the limit            : converged {H_c:6.1f} m, one-pass {H_1:6.1f} m"
        f" ({100 * (H_1 / H_c - 1):+.1f} %); sizing took {w1:.1f} s"
    )


if __name__ == "__main__":
    main()
