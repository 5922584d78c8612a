"""Benchmark of heat pump + boiler hybrid evaluations (issue 14's speed targets).

Run:  python benchmarks/bench_hybrid.py [--repeat 10]

* a ground + boiler design of ``casestudies/gshp_boiler`` (20-year coupled hourly simulation,
  boiler below the switchover): target at most 300 ms per evaluation;
* an air design of ``casestudies/ashp_retrofit`` with and without a ``[boiler]`` table (the
  hybrid adds an hourly year on the EN 14825 reference year);
* ``designopt switchover`` on gshp_boiler (5 switchover temperatures, each borefield sized).

Medians over ``--repeat`` evaluations after one warm-up (maps and g-functions cached), one core.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from designopt.case import BoilerTable, load_case
from designopt.evaluate import evaluate
from designopt.evaluate.switchover import switchover_table

ROOT = Path(__file__).resolve().parents[1]


def _median_ms(f, repeat: int) -> float:
    """Median time of ``f(i)`` for i = 1..repeat after ``f(0)`` (each i a new design, so no
    evaluation is answered from a cache)."""
    f(0)
    times = []
    for i in range(1, repeat + 1):
        t = time.perf_counter()
        f(i)
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    gb = load_case(ROOT / "casestudies" / "gshp_boiler" / "case.toml")

    def ground(i):
        d = {"borehole_length_m": 90.0 + i, "switchover_temperature_degC": 0.0, "boiler_kW": 10.0}
        return evaluate(d, gb)

    ms = _median_ms(ground, args.repeat)
    print(
        f"ground + boiler (gshp_boiler, 20 years): median {ms:.0f} ms per evaluation (target <= 300)"
    )
    air = load_case(ROOT / "casestudies" / "ashp_retrofit" / "case.toml")

    def d_air(i):
        return {"evaporator_area_m2": 40.0 + i, "swept_volume_cm3": 40.0 + 0.5 * i}

    ms_air = _median_ms(lambda i: evaluate(d_air(i), air), args.repeat)
    hybrid = air.model_copy(update={"boiler": BoilerTable()})
    ms_hyb = _median_ms(
        lambda i: evaluate({**d_air(i + 50), "switchover_temperature_degC": 0.0}, hybrid),
        args.repeat,
    )
    print(
        f"air (ashp_retrofit): median {ms_air:.0f} ms; the same with a gas boiler: {ms_hyb:.0f} ms"
    )
    t = time.perf_counter()
    switchover_table(gb, {"boiler_kW": 10.0}, [8.0, 4.0, 0.0, -4.0, -8.0])
    print(
        f"switchover table, gshp_boiler, 5 temperatures + reference: {time.perf_counter() - t:.1f} s"
    )


if __name__ == "__main__":
    main()
