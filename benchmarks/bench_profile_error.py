"""How much does valuing by month x hour of the day miss against an 8760-hour price series?

Run:  python benchmarks/bench_profile_error.py --epw PATH/TO/WEATHER.epw [--designs 12]

A study stores each design's annual electricity by month and hour of the day (12 x 24); an
hourly price series is reduced to its cell means (``designopt.economics.profiles``).  The cost
is then exact unless electricity and price co-vary within a cell.  This script measures that
error with a real price year (DK2 day-ahead 2019, ``tests/data/hourly_grid``; UTC, shifted to
the weather file's local standard time UTC+1) on designs simulated hour by hour on a real
weather file: air designs of ``casestudies/ashp_retrofit`` and ground/air hybrid designs of
``casestudies/gshp_hybrid``, both with ``site.weather_file`` set to ``--epw``.  It prints, per
design, the exact annual energy cost sum(e_t p_t), the error of the 12 x 24 valuation, and for
comparison the error of a 24-hour profile and of the flat annual mean price.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PRICES = ROOT / "tests" / "data" / "hourly_grid" / "dk2_2019_dayahead_price.csv"


def _case_with_weather(name: str, epw: Path, folder: Path):
    from designopt.case import load_case

    src = ROOT / "casestudies" / name / "case.toml"
    text = src.read_text(encoding="utf-8")
    shutil.copy(epw, folder / "weather.epw")
    if "[site]" in text:
        text = text.replace("[site]", '[site]\nweather_file = "weather.epw"', 1)
    else:  # a new table at the end: top-level keys stay top-level
        text += '\n[site]\nweather_file = "weather.epw"\n'
    path = folder / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return load_case(path)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epw", type=Path, required=True)
    ap.add_argument("--designs", type=int, default=12)
    args = ap.parse_args()

    import pandas as pd

    import designopt.economics.profiles as profiles
    from designopt.evaluate import assess, build_problem
    from designopt.evaluate.initial import sobol_designs

    prices = pd.read_csv(PRICES)
    p_utc = prices["price_eur_per_mwh"].to_numpy() / 1000.0  # EUR/kWh
    time_utc = pd.to_datetime(prices["time_utc"]).dt.tz_localize(None).to_numpy()
    p_local = np.roll(p_utc, 1)  # local standard time UTC+1: local hour t is UTC hour t-1
    cells = profiles.month_hour_mean(p_utc, time_utc, utc_offset_h=1.0)
    by_hour = np.array([p_local[h::24].mean() for h in range(24)])

    captured: list[np.ndarray] = []
    original = profiles.month_hour_sum

    def spy(values, time=None, **kw):  # keep the 8760-hour series the profile is made of
        captured.append(np.asarray(values, float).copy())
        return original(values, time, **kw)

    profiles.month_hour_sum = spy
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("ashp_retrofit", "gshp_hybrid"):
            case = _case_with_weather(name, args.epw, Path(tmp))
            problem = build_problem(case)
            for design in sobol_designs(problem.variables, args.designs, seed=1):
                captured.clear()
                try:
                    perf = assess(design, case)
                except Exception as exc:  # noqa: BLE001 - a design without a rating point
                    print(f"{name}: skipped a design ({type(exc).__name__})")
                    continue
                e = captured[-1]  # kWh in each hour of the (mean) year
                exact = float(e @ p_local)
                mh = float((perf.electricity_profile_kWh * cells).sum())
                h24 = float(perf.electricity_profile_kWh.sum(axis=0) @ by_hour)
                flat = float(e.sum() * p_local.mean())
                rows.append((name, exact, mh, h24, flat))
    print(f"{'case':14s} {'exact EUR/a':>11s} {'12x24 err':>10s} {'24-h err':>9s} {'flat err':>9s}")
    errs = {"mh": [], "h24": [], "flat": []}
    for name, exact, mh, h24, flat in rows:
        r = [(x - exact) / exact for x in (mh, h24, flat)]
        for k, v in zip(errs, r, strict=True):
            errs[k].append(v)
        print(f"{name:14s} {exact:11.1f} {100 * r[0]:9.2f}% {100 * r[1]:8.2f}% {100 * r[2]:8.2f}%")
    for k, label in (("mh", "month x hour"), ("h24", "24-hour"), ("flat", "flat mean")):
        a = 100 * np.abs(errs[k])
        print(
            f"{label:13s}: |error| median {np.median(a):.2f} %, max {a.max():.2f} % over {a.size} designs"
        )


if __name__ == "__main__":
    main()
