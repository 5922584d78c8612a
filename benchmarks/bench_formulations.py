"""Speed of the formulations: construction and solve timed separately.

Targets (issue 7): 8,760-hour dispatch LP build + solve <= 5 s; selection MILP over 500
products x 26 bins <= 10 s; ε-constraint front of 20 points over 10,000 designs <= 60 s.

Run:  python benchmarks/bench_formulations.py [--repeat N]
Prints one line per measurement (best of N repeats, wall clock, seconds).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def _best(fn, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def dispatch_data(storage: bool):
    from designopt.seasonal.weather import en14825_weather
    from formulations.data import DispatchData, Storage, per_kWh

    w = en14825_weather("average")
    t = np.asarray(w["t_air"].values, float)
    h = np.arange(t.size)
    return DispatchData(
        t_outdoor_K=t,
        heat_demand_W=np.clip(8000.0 * (289.15 - t) / 26.0, 0.0, None),
        hp_cop=np.clip(3.0 + 0.08 * (t - 273.15), 1.5, None),
        hp_capacity_W=np.clip(6000.0 + 100.0 * (t - 273.15), 1000.0, None),
        boiler_capacity_W=12000.0,
        electricity_price_EUR_per_J=per_kWh(np.where((h % 24 >= 17) & (h % 24 < 20), 0.45, 0.25)),
        gas_price_EUR_per_J=per_kWh(0.09),
        carbon_price_EUR_per_kg=0.1,
        electricity_emission_kg_per_J=per_kWh(0.3),
        gas_emission_kg_per_J=per_kWh(0.2),
        storage=Storage(capacity_J=3.6e7, loss_per_step=0.005) if storage else None,
    )


def bench_dispatch(repeat):
    from formulations.dispatch import build_dispatch_model, solve_dispatch_highspy
    from formulations.solve import make_solver, solve

    for storage in (False, True):
        data = dispatch_data(storage)
        tag = f"dispatch LP {data.n} h{' + storage' if storage else ''}"
        t_build, m = _best(lambda: build_dispatch_model(data), repeat)  # noqa: B023
        t_solve, res = _best(lambda: solve(m, solver=make_solver()), repeat)  # noqa: B023
        print(
            f"{tag:45s} pyomo   build {t_build:6.2f} s  solve {t_solve:6.2f} s  total {t_build + t_solve:6.2f} s  cost {res.objective:.2f} EUR"
        )
        t_tot, (ds, res2) = _best(lambda: solve_dispatch_highspy(data), repeat)  # noqa: B023
        print(
            f"{tag:45s} highspy build {ds.attrs['build_time_s']:6.2f} s  solve {res2.wall_time_s:6.2f} s  total {t_tot:6.2f} s  cost {res2.objective:.2f} EUR"
        )


def selection_data():
    from designopt.economics.lifetime import capital_recovery_factor
    from designopt.io.hplib_catalogue import load_hplib_catalogue
    from designopt.seasonal.climates import reference_season
    from formulations.data import (
        Backup,
        BoreholeSurrogate,
        Periods,
        SelectionData,
        candidates_from_hplib,
        per_kWh,
    )

    season = reference_season("average")
    per = Periods.from_bins(
        t_bins_degC=season.t_bin_degC,
        hours=season.hours_h,
        design_load_W=8000.0,
        t_design_degC=season.t_design_degC,
    )
    cat = load_hplib_catalogue()
    cand = candidates_from_hplib(
        cat,
        per,
        t_flow_K=season.flow_temperature_K(per.t_outdoor_K, 35),
        capital_cost_EUR=4000.0 + 0.6 * cat["p_th_ref_W"].to_numpy(),
        receiver_distance_m=5.0,
    )
    return SelectionData(
        periods=per,
        candidates=cand,
        backup=Backup(
            cost_per_W_EUR=0.03,
            fixed_cost_EUR=100.0,
            energy_price_EUR_per_J=per_kWh(0.30),
            max_capacity_W=8000.0,
        ),
        electricity_price_EUR_per_J=per_kWh(0.30),
        annuity_factor_per_year=float(capital_recovery_factor(0.035, 20)),
        noise_limit_dB=42.0,
        gwp_limit=750.0,
        borehole=BoreholeSurrogate(
            extraction_W=[0.0, 1000.0, 2500.0, 5000.0],
            length_m=[0.0, 70.0, 160.0, 330.0],
            cost_per_m_EUR=50.0,
        ),
    )


def bench_selection(repeat):
    from formulations.selection import build_selection_model, selection_dataset
    from formulations.solve import make_solver, solve

    data = selection_data()
    t_build, m = _best(lambda: build_selection_model(data), repeat)
    t_solve, res = _best(lambda: solve(m, solver=make_solver(presolve=False)), repeat)
    ds = selection_dataset(m, data, res)
    tag = f"selection MILP {data.candidates.n} products x {data.periods.n} bins"
    print(
        f"{tag:45s} pyomo   build {t_build:6.2f} s  solve {t_solve:6.2f} s  total {t_build + t_solve:6.2f} s  -> {ds.attrs['selected_name']} ({res.objective:.1f} EUR/a)"
    )


def bench_epsilon(repeat):
    from formulations.data import DesignSpace
    from formulations.epsilon import epsilon_front

    rng = np.random.default_rng(0)
    n = 10_000
    a = rng.uniform(5.0, 20.0, n)
    cap = 1000.0 * a + 3000.0 * rng.uniform(0, 1, n) + rng.normal(0.0, 200.0, n)
    life = cap + 2.0e5 / a + rng.normal(0.0, 2000.0, n)
    space = DesignSpace(capital_cost_EUR=cap, lifetime_cost_EUR=life, feasible=rng.random(n) > 0.1)
    t_tot, ds = _best(lambda: epsilon_front(space, n_points=20), repeat)
    print(
        f"{'ε-constraint front, 20 ε over 10,000 designs':45s} pyomo   build {ds.attrs['build_time_s']:6.2f} s  solve {ds.attrs['solve_time_s']:6.2f} s  total {t_tot:6.2f} s  ({ds.sizes['point']} distinct points)"
    )


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=1)
    a = p.parse_args()
    bench_dispatch(a.repeat)
    bench_selection(a.repeat)
    bench_epsilon(a.repeat)


if __name__ == "__main__":
    main()
