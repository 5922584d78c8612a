"""The numbers of README.md from a finished sweep: ``python analyse.py OUT/sweep.nc [FIGDIR]``.

Prints three Markdown tables: (1) the break-even electricity/gas price ratio of the best
heat pump against the gas condensing boiler by carbon price, gas price and grant (radiators,
no noise rule, no GWP cap); (2) the cheapest compliant design under the noise rule from "off"
to 10 dB below the 813/2013 limit; (3) the optimal refrigerant and its cost with and without
the GWP-150 cap; and the hybrid reference at the base prices.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import xarray as xr

BASE = {
    "electricity_price_per_kWh": 0.39,
    "gas_price_per_kWh": 0.1233,
    "carbon_price_per_t": 55.0,
    "capital_subsidy_fraction": 0.3,
}


def _select(ds, **values):
    mask = np.ones(ds.sizes["scenario"], bool)
    for k, v in values.items():
        col = ds[k].values
        mask &= np.isnan(col) if isinstance(v, float) and np.isnan(v) else np.isclose(col, v)
    return ds.isel(scenario=np.flatnonzero(mask))


def break_even(ds) -> str:
    out = []
    for grant in (0.0, 0.3):
        out.append(f"\nGrant {grant:.0%} of the capital cost (no noise rule, no GWP cap):\n")
        gases = np.unique(ds["gas_price_per_kWh"].values)
        out.append(
            "| carbon price [EUR/t] | " + " | ".join(f"gas {g:g} EUR/kWh" for g in gases) + " |"
        )
        out.append("|---" * (len(gases) + 1) + "|")
        for carbon in np.unique(ds["carbon_price_per_t"].values):
            cells = []
            for gas in gases:
                sub = _select(
                    ds,
                    gas_price_per_kWh=gas,
                    carbon_price_per_t=carbon,
                    capital_subsidy_fraction=grant,
                    noise_below_ecodesign_dB=np.nan,
                    gwp_cap=np.nan,
                )
                pe = sub["electricity_price_per_kWh"].values
                s = sub["npc_saving_vs_boiler"].values
                order = np.argsort(pe)
                pe, s = pe[order], s[order]
                if (s > 0).all():
                    cells.append(f"> {pe[-1] / gas:.2f}")
                elif (s <= 0).all():
                    cells.append(f"< {pe[0] / gas:.2f}")
                else:  # the saving falls with the electricity price: interpolate its zero
                    p_star = float(np.interp(0.0, s[::-1], pe[::-1]))
                    cells.append(f"{p_star / gas:.2f} ({p_star:.3f} EUR/kWh)")
            out.append(f"| {carbon:g} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def noise(ds) -> str:
    rows = [
        "| noise rule | best NPC [EUR] | + vs no rule [EUR] | best capital cost [EUR] |"
        " feasible designs |",
        "|---|---|---|---|---|",
    ]
    sub = _select(ds, **BASE, gwp_cap=np.nan)
    ref = None
    for x in (np.nan, 0.0, 5.0, 10.0):
        r = _select(sub, noise_below_ecodesign_dB=x)
        npc = float(r["best_net_present_cost"][0])
        ref = npc if ref is None else ref
        label = "none" if np.isnan(x) else f"813/2013 limit - {x:g} dB"
        rows.append(
            f"| {label} | {npc:,.0f} | {npc - ref:,.0f} | {float(r['best_capital_cost'][0]):,.0f}"
            f" | {float(r['feasible_share'][0]):.0%} |"
        )
    return "\n".join(rows)


def refrigerant(ds) -> str:
    rows = [
        "| GWP cap | optimal refrigerant | best NPC [EUR] | R32 designs feasible |",
        "|---|---|---|---|",
    ]
    sub = _select(ds, **BASE, noise_below_ecodesign_dB=np.nan)
    r32 = ds["refrigerant"].values == "R32"
    for cap in (np.nan, 150.0):
        r = _select(sub, gwp_cap=cap)
        feas = r["feasible"].values[:, 0].astype(bool)
        rows.append(
            f"| {'none' if np.isnan(cap) else f'{cap:g}'} | {str(r['best_refrigerant'].values[0])}"
            f" | {float(r['best_net_present_cost'][0]):,.0f} | {int(feas[r32].sum())} of"
            f" {int(r32.sum())} |"
        )
    return "\n".join(rows)


def base(ds) -> str:
    r = _select(ds, **BASE, noise_below_ecodesign_dB=10.0, gwp_cap=np.nan)
    names = [
        "best_net_present_cost",
        "boiler_net_present_cost",
        "hybrid_net_present_cost",
        "hybrid_switchover_degC",
        "npc_saving_vs_boiler",
        "npc_saving_vs_hybrid",
        "best_lifetime_co2",
        "boiler_lifetime_co2",
        "hybrid_lifetime_co2",
    ]
    return "\n".join(f"- {k}: {float(r[k][0]):,.1f}" for k in names)


def figures(sw, folder: Path) -> None:
    """Heatmaps of the radiator house at gas 0.1233 EUR/kWh, no noise rule, no GWP cap."""
    from designopt.sweep.report import heatmap

    rad = sw.sel(physics=sw["emitter"] == "radiators").squeeze("physics", drop=True)
    folder.mkdir(parents=True, exist_ok=True)
    for grant in (0.0, 0.3):
        sub = _select(
            rad,
            gas_price_per_kWh=0.1233,
            capital_subsidy_fraction=grant,
            noise_below_ecodesign_dB=np.nan,
            gwp_cap=np.nan,
        )
        heatmap(
            sub,
            "electricity_price_per_kWh",
            "carbon_price_per_t",
            "npc_saving_vs_boiler",
            folder / f"radiators_saving_grant{int(grant * 100)}.png",
            "1970s house with radiators: 20-year cost saving of the best air-source heat pump\n"
            f"against a gas condensing boiler (gas 0.1233 EUR/kWh, grant {grant:.0%}, carbon"
            " price on gas)",
        )


def main(path: str) -> None:
    sw = xr.open_dataset(path)
    if len(sys.argv) > 2:
        figures(sw, Path(sys.argv[2]))
    for emitter in sw["emitter"].values if "emitter" in sw.coords else [None]:
        ds = sw if emitter is None else sw.sel(physics=sw["emitter"] == emitter).squeeze("physics")
        if emitter is not None:
            print(f"\n## emitter: {emitter}")
        print("\n### Break-even electricity/gas price ratio\n" + break_even(ds))
        print("\n### Noise rule at the base prices\n" + noise(ds))
        print("\n### GWP-150 cap at the base prices\n" + refrigerant(ds))
        print("\n### Base prices, BEG 2026 noise rule\n" + base(ds))


if __name__ == "__main__":
    main(sys.argv[1])
