"""Benchmark of the evaluation core split: assess once, value many times.

Run:  python benchmarks/bench_value.py [--designs 2000] [--scenarios 10000] [--assess 40]

Prints (this machine, medians):
* ``assess``: physics of new air designs of the ashp_retrofit case (new compressor sizes, so new
  performance maps; property tables warm), and of a hybrid design of gshp_hybrid;
* ``value`` of one design under the case (what the study adds per trial);
* ``value_arrays``: D designs x S scenarios (electricity price, carbon price, grant, discount
  rate and GWP cap varied) with a flat tariff and with a tariff and grid CO2 factor by month and
  hour of the day, on one
  core (OpenBLAS/OMP threads limited to 1 before numpy is imported), with the peak resident
  memory of the process.  The D designs are the assessed hybrid and air Performances repeated
  with jittered sizes and energies (valuation cost does not depend on where they came from).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

ROOT = Path(__file__).resolve().parents[1]


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--designs", type=int, default=2000)
    ap.add_argument("--scenarios", type=int, default=10000)
    ap.add_argument("--assess", type=int, default=40)
    args = ap.parse_args()

    import numpy as np

    from designopt.case import load_case
    from designopt.evaluate import (
        PerformanceSet,
        Scenarios,
        assess,
        build_problem,
        value,
        value_arrays,
    )

    air = load_case(ROOT / "casestudies" / "ashp_retrofit" / "case.toml")
    problem = build_problem(air)
    rng = np.random.default_rng(0)

    def draw():
        return {
            v.name: (
                v.choices[rng.integers(len(v.choices))] if v.choices else rng.uniform(v.low, v.high)
            )
            for v in problem.variables
        }

    perfs, times = [], []
    for _ in range(3):  # warm the property tables
        try:
            assess(draw(), air)
        except Exception:
            pass
    while len(times) < args.assess:
        d = draw()
        t = time.perf_counter()
        try:
            p = assess(d, air)
        except Exception:
            continue
        times.append(time.perf_counter() - t)
        perfs.append(p)
    print(
        f"assess, air (ashp_retrofit), new designs: median {1e3 * statistics.median(times):.1f} ms over {len(times)}"
    )
    t = time.perf_counter()
    for p in perfs:
        value(p, air)
    print(
        f"value, one design x the case: {1e6 * (time.perf_counter() - t) / len(perfs):.0f} us per design"
    )

    hyb = load_case(ROOT / "casestudies" / "gshp_hybrid" / "case.toml")
    hd = {"borehole_length_m": 120.0, "switchover_temperature_degC": 2.0, "swept_volume_cm3": 80.0}
    assess(hd, hyb)
    ht = []
    for length in (100.0, 110.0, 130.0):
        t = time.perf_counter()
        hp = assess({**hd, "borehole_length_m": length}, hyb)
        ht.append(time.perf_counter() - t)
    print(
        f"assess, hybrid (gshp_hybrid, maps cached, 20-year coupled run): median {1e3 * statistics.median(ht):.0f} ms"
    )
    t = time.perf_counter()
    value(hp, hyb)
    print(
        f"value, hybrid design x the case: {1e6 * (time.perf_counter() - t):.0f} us (was a 154 ms re-run)"
    )

    # D designs: the hybrid's hourly profile and the air sizes, jittered
    base = PerformanceSet.from_performances([hp])
    D, S = args.designs, args.scenarios
    jitter = rng.uniform(0.8, 1.2, D)
    arrays = {
        k: np.repeat(v, D) * (jitter if k not in ("gwp100", "lfl_kg_m3", "n_boreholes") else 1.0)
        for k, v in base.arrays.items()
    }
    labels = {k: np.repeat(v, D) for k, v in base.labels.items()}
    ps = PerformanceSet(
        arrays=arrays,
        labels=labels,
        profile=np.repeat(base.profile, D, axis=0) * jitter[:, None, None],
        metrics={},
    )
    axes = {
        "electricity_price_per_kWh": rng.uniform(0.1, 0.6, S),
        "carbon_price_per_t": rng.uniform(0.0, 300.0, S),
        "capital_subsidy": rng.uniform(0.0, 7500.0, S),
        "discount_rate": rng.uniform(0.0, 0.08, S),
        "gwp_cap": rng.choice([150.0, 750.0, np.nan], S),
    }
    flat = Scenarios.from_case(hyb, S, **axes)
    t = time.perf_counter()
    out = value_arrays(ps, flat, hyb)
    dt = time.perf_counter() - t
    print(
        f"value_arrays, flat tariff: {D} x {S} in {dt:.1f} s = {1e6 * dt / (D * S):.2f} us per pair; peak RSS {_peak_mib():.0f} MiB"
    )
    # a seasonal time-of-use tariff and a grid CO2 factor, both by month x hour of the day
    cheap = rng.uniform(0.05, 0.2, S)[:, None, None]
    peak = rng.uniform(0.3, 0.6, S)[:, None, None]
    winter = 1.0 + 0.3 * np.cos(2 * np.pi * np.arange(12) / 12)[None, :, None]
    hour = np.arange(24)[None, None, :]
    tou = np.where(hour < 7, cheap, peak) * winter
    co2 = rng.uniform(0.05, 0.4, S)[:, None, None] * winter * (1.2 - 0.4 * (hour < 7))
    tou_sc = Scenarios.from_case(
        hyb, S, tou_price_per_kWh=tou, grid_co2_profile_kg_per_kWh=co2, **axes
    )
    t = time.perf_counter()
    out = value_arrays(ps, tou_sc, hyb)
    dt = time.perf_counter() - t
    print(
        f"value_arrays, month x hour tariff and grid CO2 profile: {D} x {S} in {dt:.1f} s = {1e6 * dt / (D * S):.2f} us per pair; peak RSS {_peak_mib():.0f} MiB"
    )
    assert np.isfinite(out["net_present_cost"]).all()


if __name__ == "__main__":
    main()
