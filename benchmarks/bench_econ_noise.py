"""Speed of the economics and noise functions, and the noise model against Keymark data.

Run:  python benchmarks/bench_econ_noise.py [--keymark PATH_TO_keymark_en14825.csv]

Prints the time per call for one design (scalars) and per design for arrays of designs, for the
full chain an optimiser calls: capital cost, charge, lifetime cost, TEWI, sound power, receiver
levels (3 receivers). With ``--keymark`` it also compares the typical-design sound power with the
certified outdoor sound power of air/water units by capacity band (median, IQR, and the share of
certificates within +-3 dB of the model).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from designopt.economics import capital_cost, lifetime_cost, refrigerant_charge, tewi
from designopt.noise import Receiver, outdoor_unit_sound_power, receiver_levels

RECEIVERS = [
    Receiver("front", 8.0, 2, "none"),
    Receiver("side", 4.0, 1, "solid-no-view"),
    Receiver("rear", 12.0, 3, "thin-partial-view"),
]


def draw_inputs(n: int | None, seed: int = 1) -> dict:
    """Random design inputs: floats for one design (n=None) or arrays of n designs."""
    rng = np.random.default_rng(seed)

    def draw(lo: float, hi: float):
        return float(rng.uniform(lo, hi)) if n is None else rng.uniform(lo, hi, n)

    return {
        "area_e": draw(20, 100),
        "area_c": draw(0.5, 3),
        "disp": draw(0.001, 0.005),
        "fan_d": draw(0.4, 0.8),
        "q": draw(5e3, 12e3),
        "e": draw(2000, 5000),
        "flow": draw(0.5, 2.0),
        "p_comp": draw(1e3, 4e3),
    }


def chain(x: dict):
    """What the optimiser calls for each design (all economics + noise)."""
    ch = refrigerant_charge(
        evaporator_area_m2=x["area_e"],
        condenser_area_m2=x["area_c"],
        rho_liquid_cond_kg_m3=460.0,
        rho_vapour_cond_kg_m3=40.0,
        rho_liquid_evap_kg_m3=530.0,
        rho_vapour_evap_kg_m3=9.0,
    )
    cap = capital_cost(
        compressor_displacement_m3_s=x["disp"],
        evaporator_area_m2=x["area_e"],
        condenser_area_m2=x["area_c"],
        fan_diameter_m=x["fan_d"],
        refrigerant_charge_kg=ch.total,
        refrigerant="R290",
        heat_output_W=x["q"],
        backup_heater_W=6000.0,
    )
    lc = lifetime_cost(
        capital=cap.total,
        discount_rate=0.04,
        lifetime_years=20,
        annual_electricity_kWh=x["e"],
        electricity_price_per_kWh=0.30,
        electricity_escalation=0.02,
        maintenance_per_year=150.0,
        annual_heat_kWh=12000.0,
    )
    t = tewi(
        charge_kg=ch.total,
        gwp=3.0,
        lifetime_years=20,
        annual_electricity_kWh=x["e"],
        grid_factor_kg_per_kWh=0.2,
    )
    lw = outdoor_unit_sound_power(
        volume_flow_m3_s=x["flow"], compressor_power_W=x["p_comp"], fan_diameter_m=x["fan_d"]
    )
    a = receiver_levels(lw["total"], RECEIVERS)
    return lc.npc, t.total, a.constraint


def timeit(fn, repeat: int, rounds: int = 5) -> float:
    """Best of ``rounds`` mean times over ``repeat`` calls [s] (the minimum filters out the noise
    of a shared machine)."""
    fn()
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - t0) / repeat)
    return best


def keymark(path: str) -> None:
    import pandas as pd

    from designopt.noise import typical_outdoor_unit

    df = pd.read_csv(path)
    d = df[(df.hp_type == "air/water") & df.Lw_outdoor_dBA.notna() & (df.climate == "average")]
    bins = [0, 6, 10, 12, 16, 20, 30]
    print("\nKeymark air/water outdoor L_WA by Prated band (average climate, both applications)")
    print(
        f"{'band kW':>10} {'n':>5} {'q25':>5} {'med':>5} {'q75':>5} {'model(mid)':>10} {'within±3dB':>10}"
    )
    for lo, hi in zip(bins[:-1], bins[1:], strict=True):
        x = d[(d.Prated_kW > lo) & (d.Prated_kW <= hi)]
        u = typical_outdoor_unit(x.Prated_kW.to_numpy() * 1000)
        lw = outdoor_unit_sound_power(
            volume_flow_m3_s=u["volume_flow_m3_s"],
            compressor_power_W=u["compressor_power_W"],
            fan_diameter_m=u["fan_diameter_m"],
        )["total"]
        mid = typical_outdoor_unit(1000.0 * (lo + hi) / 2 if lo else 4000.0)
        lw_mid = outdoor_unit_sound_power(
            volume_flow_m3_s=mid["volume_flow_m3_s"],
            compressor_power_W=mid["compressor_power_W"],
            fan_diameter_m=mid["fan_diameter_m"],
        )["total"]
        q = x.Lw_outdoor_dBA.quantile([0.25, 0.5, 0.75]).to_numpy()
        share = np.mean(np.abs(x.Lw_outdoor_dBA.to_numpy() - lw) <= 3.0)
        print(
            f"{lo:>4}-{hi:<5} {len(x):>5} {q[0]:>5.1f} {q[1]:>5.1f} {q[2]:>5.1f} {float(lw_mid):>10.1f} {share:>10.0%}"
        )
    u = typical_outdoor_unit(d.Prated_kW.to_numpy() * 1000)
    lw = outdoor_unit_sound_power(
        volume_flow_m3_s=u["volume_flow_m3_s"],
        compressor_power_W=u["compressor_power_W"],
        fan_diameter_m=u["fan_diameter_m"],
    )["total"]
    err = d.Lw_outdoor_dBA.to_numpy() - lw
    print(
        f"all rows: n={len(err)}, median(certified - model) = {np.median(err):+.1f} dB, "
        f"IQR of the difference {np.percentile(err, 25):+.1f} .. {np.percentile(err, 75):+.1f} dB"
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--keymark", default=None, help="path to keymark_en14825.csv (optional)")
    args = p.parse_args()
    one = draw_inputs(None)
    parts = {
        "refrigerant_charge": lambda: refrigerant_charge(
            evaporator_area_m2=50.0,
            condenser_area_m2=1.0,
            rho_liquid_cond_kg_m3=460.0,
            rho_vapour_cond_kg_m3=40.0,
            rho_liquid_evap_kg_m3=530.0,
            rho_vapour_evap_kg_m3=9.0,
        ),
        "capital_cost": lambda: capital_cost(
            compressor_displacement_m3_s=0.002,
            evaporator_area_m2=50.0,
            condenser_area_m2=1.0,
            fan_diameter_m=0.5,
            refrigerant_charge_kg=1.0,
            heat_output_W=8e3,
        ),
        "lifetime_cost": lambda: lifetime_cost(
            capital=1e4,
            discount_rate=0.04,
            lifetime_years=20,
            annual_electricity_kWh=3000.0,
            electricity_price_per_kWh=0.3,
            annual_heat_kWh=12000.0,
        ),
        "tewi": lambda: tewi(
            charge_kg=1.0,
            gwp=3.0,
            lifetime_years=20,
            annual_electricity_kWh=3000.0,
            grid_factor_kg_per_kWh=0.2,
        ),
        "outdoor_unit_sound_power": lambda: outdoor_unit_sound_power(
            volume_flow_m3_s=1.0, compressor_power_W=2e3, fan_diameter_m=0.6
        ),
        "receiver_levels (3)": lambda: receiver_levels(60.0, RECEIVERS),
    }
    for name, fn in parts.items():
        print(f"  {name:<26} {timeit(fn, 200) * 1e6:8.1f} us (one design)")
    t1 = timeit(lambda: chain(one), 100)
    print(
        f"one design, full chain (charge, capital, lifetime, TEWI, L_WA, 3 receivers): {t1 * 1e3:.3f} ms"
    )
    for n in (100, 10_000):
        many = draw_inputs(n)
        tn = timeit(lambda many=many: chain(many), 5 if n > 1000 else 50)
        print(f"{n:>6} designs vectorised: {tn * 1e3:.2f} ms total, {tn / n * 1e6:.2f} us/design")
    if args.keymark:
        keymark(args.keymark)


if __name__ == "__main__":
    main()
