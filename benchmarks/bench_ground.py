"""Speed and accuracy figures of designopt.ground (printed, never asserted).

    python benchmarks/bench_ground.py

1. sizing a 3x3 field from 20 years of monthly loads with its g-function family cached;
2. cold start (empty cache, g-functions computed) for a 10x10 field, 'grid' and 'exact' modes;
3. interpolation error of the cached family against direct pygfunction evaluations, and its
   effect on the sized length (grid vs exact);
4. hourly sizing (10 years, one borehole).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

import numpy as np

os.environ["DESIGNOPT_CACHE_DIR"] = tempfile.mkdtemp(prefix="designopt-bench-ground-")

from designopt.ground import (  # noqa: E402
    Borefield,
    FluidLimits,
    Ground,
    HourlyLoads,
    MonthlyLoads,
    compute_gfunction,
    family_for,
    size_length,
)
from designopt.ground.gfunction import clear_memory_cache  # noqa: E402

T0 = 273.15
GROUND = Ground(conductivity=2.2, volumetric_heat_capacity=2.4e6, t_undisturbed=T0 + 10.5)
LIMITS = FluidLimits(t_min=T0 - 1.0, t_max=T0 + 25.0)
FRAC_H = np.array([0.155, 0.148, 0.125, 0.099, 0.064, 0, 0, 0, 0.061, 0.087, 0.117, 0.144])
FRAC_C = np.array([0.025, 0.05, 0.05, 0.05, 0.075, 0.1, 0.2, 0.2, 0.1, 0.075, 0.05, 0.025])


def loads(annual_MWh: float, years: int = 20) -> MonthlyLoads:
    ext = FRAC_H * annual_MWh * 1e3
    inj = FRAC_C * 0.3 * annual_MWh * 1e3
    return MonthlyLoads.from_energy_kWh(
        extraction_kWh=ext,
        injection_kWh=inj,
        peak_extraction_kW=ext / 730 * 2.5,
        peak_injection_kW=inj / 730 * 2.5,
        years=years,
    )


def timed(fn, n=1):
    out, times = None, []
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return out, times


def main() -> None:
    print("designopt.ground benchmark (cache in", os.environ["DESIGNOPT_CACHE_DIR"], ")")
    # 1. 3x3 warm
    f33 = Borefield.rectangle(nx=3, ny=3, spacing=6.0, H=100.0)
    l33 = loads(60.0)

    def size33():
        return size_length(borefield=f33, ground=GROUND, loads=l33, limits=LIMITS, resistance=0.12)

    res, t_first = timed(size33)
    _, t_warm = timed(size33, 20)
    print(
        f"[1] 3x3, 20 a monthly: H = {res.H:.2f} m; first call (nodes computed) "
        f"{t_first[0] * 1e3:.0f} ms; cached: median {statistics.median(t_warm) * 1e3:.1f} ms, "
        f"max {max(t_warm) * 1e3:.1f} ms (20 runs)"
    )
    # varying length as an optimiser would: different loads -> different H, same family
    t_var = []
    for a in np.linspace(40, 90, 10):
        _, t = timed(
            lambda a=a: size_length(
                borefield=f33, ground=GROUND, loads=loads(a), limits=LIMITS, resistance=0.12
            )
        )
        t_var += t
    print(
        f"    optimiser-like sweep (10 load levels, H 60-150 m): median "
        f"{statistics.median(t_var) * 1e3:.1f} ms, max {max(t_var) * 1e3:.1f} ms"
    )

    # 2. 10x10 cold
    f10 = Borefield.rectangle(nx=10, ny=10, spacing=6.0, H=100.0)
    l10 = loads(600.0)
    for mode in ("grid", "exact"):
        os.environ["DESIGNOPT_CACHE_DIR"] = tempfile.mkdtemp(prefix="designopt-bench-cold-")
        clear_memory_cache()
        r, t = timed(
            lambda mode=mode: size_length(
                borefield=f10,
                ground=GROUND,
                loads=l10,
                limits=LIMITS,
                resistance=0.12,
                gfunction=mode,
            )
        )
        fam = family_for(f10)
        print(
            f"[2] 10x10 cold start, gfunction={mode!r}: {t[0]:.2f} s, H = {r.H:.2f} m, "
            f"pygfunction calls {fam.n_computed}"
        )

    # 3. interpolation error
    fam = family_for(f33)
    lntts = np.linspace(-9.5, 3.4, 40)
    worst = 0.0
    for H in (47.0, 83.0, 131.0, 207.0):
        direct = compute_gfunction(f33.with_length(H), lntts)
        worst = max(worst, float(np.max(np.abs(fam(H, lntts) / direct - 1))))
    print(
        f"[3] family vs direct pygfunction (3x3, H 47-207 m, 40 times): max rel. error "
        f"{worst * 100:.3f} %"
    )
    for a in (40.0, 60.0, 90.0):
        kw = dict(borefield=f33, ground=GROUND, loads=loads(a), limits=LIMITS, resistance=0.12)
        hg = size_length(gfunction="grid", **kw).H
        he = size_length(gfunction="exact", **kw).H
        print(f"    sized length grid {hg:.2f} m vs exact {he:.2f} m: {(hg / he - 1) * 100:+.3f} %")

    # 4. hourly
    h = np.arange(8760)
    q = 4000 * np.cos(2 * np.pi * h / 8760) + 1500 + 2000 * np.sin(2 * np.pi * h / 24)
    f1 = Borefield.rectangle(nx=1, ny=1, spacing=6.0, H=100.0)
    kw = dict(
        borefield=f1,
        ground=GROUND,
        loads=HourlyLoads(net=q, years=10),
        limits=LIMITS,
        resistance=0.12,
    )
    size_length(**kw)
    r, t = timed(lambda: size_length(**kw), 3)
    print(
        f"[4] hourly, 1 borehole, 10 a (87600 h): H = {r.H:.2f} m, "
        f"median {statistics.median(t) * 1e3:.0f} ms (cached g)"
    )


if __name__ == "__main__":
    main()
