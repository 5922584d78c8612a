"""Speed and agreement benchmark of designopt.seasonal (EN 14825 rating + physics routes).

Run::

    python benchmarks/bench_seasonal.py [--keymark PATH] [--ablation]

1. Rating route: rates every record of the Keymark reference file (``--keymark``, default
   ``/work/shared/reference/keymark_en14825.csv``; skipped when absent), prints the time and the
   agreement with the declared SCOP per climate, application and type (share within ±2 %,
   median error), and with ``--ablation`` the effect of each alternative convention.
2. Physics route: time of ``seasonal_performance`` for one design (35 and 55 °C) on a synthetic
   map with 11 speeds, with the map built (Dataset and pre-extracted ``MapArrays``), and
   HSPF2 from the same map.
3. The default R290 design: map, both SCOPs and HSPF2; its cooling map (11 x 3 x 5) and SEER2.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import xarray as xr

from designopt.seasonal.ahri import hspf2_from_map
from designopt.seasonal.en14825 import (
    CyclingConvention,
    MapArrays,
    RatingConventions,
    rate_declared,
    seasonal_performance,
)

DEFAULT_KEYMARK = Path("/work/shared/reference/keymark_en14825.csv")


def _table(df, err, by):
    g = df.assign(err=err).groupby(by)["err"]
    out = g.agg(
        n="size",
        within_2pct=lambda e: 100 * np.mean(np.abs(e) <= 2),
        within_5pct=lambda e: 100 * np.mean(np.abs(e) <= 5),
        median_pct="median",
    )
    return out.round(2)


def bench_rating(path: Path, ablation: bool) -> None:
    from designopt.io.keymark import read_declared

    t0 = time.perf_counter()
    dp, df, _ = read_declared(path)
    t1 = time.perf_counter()
    res = rate_declared(dp)
    t2 = time.perf_counter()
    reps = 5
    for _ in range(reps):
        rate_declared(dp)
    t3 = time.perf_counter()
    print(
        f"rating route: {dp.n} records; read {t1 - t0:.2f} s, rate {t2 - t1:.3f} s "
        f"(repeat mean {(t3 - t2) / reps:.3f} s)"
    )
    err = 100 * (res.scop / df["SCOP"].to_numpy() - 1)
    ok = np.abs(err) <= 2
    print(
        f"all rows: within ±2 %: {100 * ok.mean():.1f} %, within ±5 %: "
        f"{100 * np.mean(np.abs(err) <= 5):.1f} %, median error {np.nanmedian(err):+.2f} %"
    )
    clean = df["qc_flags"].isna().to_numpy()
    print(f"rows without QC flag ({clean.sum()}): within ±2 %: {100 * ok[clean].mean():.1f} %")
    print(_table(df, err, ["climate", "application_C"]).to_string())
    print(_table(df, err, ["hp_type"]).to_string())
    print(_table(df, err, ["reversible"]).to_string())
    if ablation:
        import dataclasses

        from designopt.seasonal.en14825 import legacy_water_cycling

        variants = {
            "cycling at the bins (former default)": RatingConventions(
                cycling=CyclingConvention.BIN
            ),
            "E point extrapolated below Tdesignh": RatingConventions(e_point_at_tdesign=False),
            "cycling also at points at/below Tbiv": RatingConventions(full_load_at_tbiv=False),
            "no cycling loss (Cdh = 1)": RatingConventions(cdh_override=1.0),
            "Cdh = 0.9 at every point": RatingConventions(cdh_override=0.9),
            "heating-only off-mode hours for all": RatingConventions(reversible_off_hours=False),
            "back-up max(0, Ph - Pdh) in every bin": RatingConventions(backup_above_tbiv=True),
            "E/F values win over coinciding points": RatingConventions(prefer_ef_points=True),
            "hold D values above +12 °C": RatingConventions(extrapolate_above_d=False),
        }
        legacy = legacy_water_cycling(df["cert_date"], dp.source_type)
        records = {name: dp for name in variants}
        name = "+ legacy_water_cycling (opt-in rule)"
        variants[name] = RatingConventions()
        records[name] = dataclasses.replace(dp, copd_includes_cycling=legacy)
        print("\nablation (share within ±2 %, rows fixed / broken vs default):")
        for name, conv in variants.items():
            e = 100 * (
                rate_declared(records[name], conventions=conv).scop / df["SCOP"].to_numpy() - 1
            )
            okv = np.abs(e) <= 2
            print(
                f"  {name:42s} {100 * okv.mean():5.1f} %  fixed {int((okv & ~ok).sum()):4d}"
                f"  broken {int((~okv & ok).sum()):4d}"
            )
    fails = df.assign(err=err)[~ok]
    print("\nrows outside ±2 % by manufacturer (top 10):")
    print(fails.groupby("manufacturer").size().sort_values(ascending=False).head(10).to_string())


def synthetic_map(n_speed: int = 11) -> xr.Dataset:
    """A Carnot-fraction air-source map (50 % of Carnot, capacity rising with source temp)."""
    ts = np.arange(-25.0, 26.0, 2.5) + 273.15
    tk = np.arange(20.0, 66.0, 2.5) + 273.15
    s = np.linspace(0.2, 1.2, n_speed)
    tsg, tkg, sg = np.meshgrid(ts, tk, s, indexing="ij")
    heat = 8000.0 * sg * (1 + 0.025 * (tsg - 280.15))
    cop = 0.5 * tkg / (tkg - tsg + 10.0)
    dims = ("t_source", "t_sink", "speed")
    return xr.Dataset(
        {
            "heat_output": (dims, heat, {"units": "W", "long_name": "heat output"}),
            "electric_power": (dims, heat / cop, {"units": "W", "long_name": "electric power"}),
            "cop": (dims, cop, {"units": "1", "long_name": "COP"}),
            "status": (dims, np.zeros(heat.shape, np.int8), {"units": "1", "long_name": "status"}),
        },
        coords={
            "t_source": ("t_source", ts, {"units": "K", "long_name": "source temperature"}),
            "t_sink": ("t_sink", tk, {"units": "K", "long_name": "sink outlet temperature"}),
            "speed": ("speed", s, {"units": "1", "long_name": "speed"}),
        },
        attrs={"source_type": "air", "speed_min": 0.2, "speed_max": 1.2},
    )


def bench_physics() -> None:
    ds = synthetic_map()
    seasonal_performance(ds)  # warm-up (imports)
    n = 50
    t0 = time.perf_counter()
    for _ in range(n):
        for app in (35, 55):
            seasonal_performance(ds, application_degC=app)
    t1 = time.perf_counter()
    m = MapArrays.from_dataset(ds)
    t2 = time.perf_counter()
    for _ in range(n):
        for app in (35, 55):
            seasonal_performance(m, application_degC=app)
    t3 = time.perf_counter()
    for _ in range(n):
        hspf2_from_map(m)
    t4 = time.perf_counter()
    r35 = seasonal_performance(ds, application_degC=35)
    r55 = seasonal_performance(ds, application_degC=55)
    print(
        f"\nphysics route, one design, 35 + 55 °C: {1e3 * (t1 - t0) / n:.2f} ms from the Dataset, "
        f"{1e3 * (t3 - t2) / n:.2f} ms from MapArrays"
    )
    print(f"  SCOP 35 °C {r35.scop:.2f}, 55 °C {r55.scop:.2f}; Pdesignh {r35.pdesignh_W:.0f} W")
    print(
        f"HSPF2 (region IV) from the map: {1e3 * (t4 - t3) / n:.2f} ms, "
        f"HSPF2 = {hspf2_from_map(m).hspf2:.2f} Btu/Wh"
    )


def bench_real_design() -> None:
    """Physics route on a real cycle design (designopt.cycle), when available."""
    try:
        from designopt.cycle import default_air_water_design, performance_map
    except ImportError:
        print("designopt.cycle not available: real-design benchmark skipped")
        return
    t0 = time.perf_counter()
    design = default_air_water_design()
    t1 = time.perf_counter()
    pmap = performance_map(
        design,
        np.arange(-25.0, 21.0, 5.0) + 273.15,
        np.arange(20.0, 61.0, 5.0) + 273.15,
        np.linspace(0.3, 1.2, 4),
    )
    t2 = time.perf_counter()
    n = 20
    for _ in range(n):
        r35 = seasonal_performance(pmap, application_degC=35)
        r55 = seasonal_performance(pmap, application_degC=55)
    t3 = time.perf_counter()
    print(
        f"\nreal design (default_air_water_design, R290): design {t1 - t0:.2f} s, "
        f"map 10x9x4 {t2 - t1:.2f} s, seasonal 35+55 °C {1e3 * (t3 - t2) / n:.2f} ms"
    )
    print(
        f"  SCOP 35 °C {r35.scop:.2f}, 55 °C {r55.scop:.2f}, Pdesignh {r35.pdesignh_W:.0f} W, "
        f"HSPF2 {hspf2_from_map(pmap).hspf2:.2f} Btu/Wh"
    )
    from designopt.cycle import cooling_map
    from designopt.seasonal.ahri import seer2_from_map

    t4 = time.perf_counter()
    cmap = cooling_map(
        design,
        np.arange(15.0, 41.0, 2.5) + 273.15,
        np.array([5.0, 7.0, 12.0]) + 273.15,
        np.linspace(0.25, 1.2, 5),
    )
    t5 = time.perf_counter()
    for _ in range(n):
        s2 = seer2_from_map(cmap)
    t6 = time.perf_counter()
    print(
        f"  cooling map 11x3x5 {t5 - t4:.2f} s, SEER2 from it {1e3 * (t6 - t5) / n:.2f} ms: "
        f"SEER2 {s2.seer2:.2f} Btu/Wh, EER2 at A {s2.eer2_a:.2f} Btu/Wh"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keymark", type=Path, default=DEFAULT_KEYMARK)
    ap.add_argument("--ablation", action="store_true")
    args = ap.parse_args()
    if args.keymark.exists():
        bench_rating(args.keymark, args.ablation)
    else:
        print(f"{args.keymark} not found: rating benchmark skipped")
    bench_physics()
    bench_real_design()


if __name__ == "__main__":
    main()
