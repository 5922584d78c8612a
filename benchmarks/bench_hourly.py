"""Benchmark of the hourly simulation (issue 3 target: 8760 h in <= 50 ms with the map built).

Run: ``python benchmarks/bench_hourly.py [--repeat N] [--cycle]``.  Prints the median and best
wall time of ``designopt.seasonal.hourly.simulate`` over a synthetic EN 14825 year for:

* a Carnot-fraction stand-in map (13 x 11 x 3 grid), plain air-source unit;
* the same map with a hybrid boiler (bivalent-parallel) and domestic hot water;
* with ``--cycle``: a map of ``designopt.cycle.default_air_water_design()`` (11 x 8 x 5),
  also timing the map build once.

Timings include building the output Dataset and the summary; ``prepare_map`` is done once
(the "map built" condition), and its cost is printed separately.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _time(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm-up
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts) * 1e3, min(ts) * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--cycle", action="store_true", help="also time a cycle-model map")
    args = parser.parse_args()

    from designopt.seasonal.building import DomesticHotWater, HeatingCurve, HeatLoadLine
    from designopt.seasonal.hourly import Boiler, carnot_fraction_map, prepare_map, simulate
    from designopt.seasonal.weather import en14825_weather

    weather = en14825_weather("average")
    building = HeatLoadLine(design_load_W=8e3, t_design_K=263.15)
    ds_map = carnot_fraction_map(heat_nominal_W=8e3)
    t = time.perf_counter()
    pm = prepare_map(ds_map)
    print(f"prepare_map (13x11x3 grid): {(time.perf_counter() - t) * 1e3:.2f} ms")

    cases = {
        "air, underfloor, electric back-up": lambda: simulate(
            pm, weather, building, HeatingCurve.underfloor()
        ),
        "hybrid parallel + DHW, radiators": lambda: simulate(
            pm,
            weather,
            building,
            HeatingCurve.radiator(),
            boiler=Boiler(efficiency=0.95),
            switchover_K=271.15,
            mode="bivalent-parallel",
            dhw=DomesticHotWater.from_kWh_per_day(6.0),
        ),
        "air, Dataset map (prepare inside)": lambda: simulate(
            ds_map, weather, building, HeatingCurve.underfloor()
        ),
    }
    if args.cycle:
        from designopt.cycle import default_air_water_design, performance_map

        t = time.perf_counter()
        design = default_air_water_design()
        t_design = time.perf_counter() - t
        t = time.perf_counter()
        cmap = performance_map(
            design,
            np.arange(-25.0, 26.0, 5.0) + 273.15,
            np.arange(25.0, 61.0, 5.0) + 273.15,
            np.array([0.25, 0.5, 0.75, 1.0, 1.2]),
        )
        print(
            f"cycle design: {t_design * 1e3:.0f} ms, map 11x8x5: "
            f"{(time.perf_counter() - t) * 1e3:.0f} ms"
        )
        cpm = prepare_map(cmap)
        cases["cycle-model map, underfloor"] = lambda: simulate(
            cpm, weather, building, HeatingCurve.underfloor()
        )

    print(f"8760-h simulation, median / best of {args.repeat} [ms] (target <= 50 ms):")
    for name, fn in cases.items():
        med, best = _time(fn, args.repeat)
        print(f"  {name:40s} {med:7.2f} / {best:7.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
