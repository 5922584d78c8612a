"""``designopt dispatch``: hourly heat pump / gas boiler split by LP, against switchover rules."""

from __future__ import annotations

import argparse
from pathlib import Path

from designopt.cli._outputs import add_force_argument

NAME = "dispatch"
HELP = "optimal hourly heat-pump/boiler dispatch (LP) for a case, compared with switchover rules"


def _band(text: str):
    try:
        a, b, p = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--tou {text!r} must be START_H,END_H,PRICE_PER_KWH"
        ) from None
    if not (0.0 <= a < 24.0 and 0.0 < b <= 24.0 and a != b):
        raise argparse.ArgumentTypeError(
            f"--tou {text!r}: START_H and END_H are hours of the day, 0 <= START_H < 24, "
            "0 < END_H <= 24, different"
        )
    if not (0.0 <= p <= 10.0):
        raise argparse.ArgumentTypeError(
            f"--tou {text!r}: PRICE_PER_KWH={p} must lie in 0 .. 10 per kWh"
        )
    return (a, b, p)


def _kWh(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (0.0 <= value <= 1e6):
        raise argparse.ArgumentTypeError(f"{value} must lie in 0 .. 1e6 kWh (0: no storage)")
    return value


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "case", type=Path, help="case TOML file (weather_file or EN 14825 synthetic year)"
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--product", help="hplib product name (manufacturer + model)")
    who.add_argument(
        "--selection", type=Path, help="selection.nc from 'designopt select' (uses its choice)"
    )
    p.add_argument(
        "--tou",
        type=_band,
        action="append",
        help="time-of-use band START_H,END_H,PRICE (repeat; must cover 24 h)",
    )
    p.add_argument(
        "--boiler-kW", type=float, default=None, help="boiler capacity [kW] (default: design load)"
    )
    p.add_argument("--boiler-efficiency", type=float, default=0.9)
    p.add_argument("--storage-kWh", type=_kWh, default=0.0, help="hot-water buffer [kWh] (0: none)")
    p.add_argument(
        "--pyomo",
        action="store_true",
        help="solve the Pyomo model instead of the direct highspy build",
    )
    p.add_argument(
        "--out", type=str, default=None, help="NetCDF output (default: results/<case>/dispatch.nc)"
    )
    p.add_argument(
        "--no-plot", action="store_true", help="skip the PNG figure next to the NetCDF file"
    )
    add_force_argument(p)


def run(args: argparse.Namespace) -> int:
    import hashlib

    import xarray as xr

    from designopt.cli._outputs import output_file
    from designopt.errors import DataFormatError
    from designopt.io.hplib_catalogue import load_hplib_catalogue
    from designopt.results import write_atomic
    from formulations.case_data import dispatch_data_from_case, load_case_for_formulations
    from formulations.data import Storage
    from formulations.dispatch import (
        compare_with_switchover,
        solve_dispatch,
        solve_dispatch_highspy,
    )

    case = load_case_for_formulations(args.case)
    out = output_file(
        args.out if args.out is not None else Path("results") / case.name / "dispatch.nc",
        suffix=".nc",
        inputs=[args.case, args.selection],
        force=args.force,
    )
    product = args.product
    if product is None:
        try:
            with xr.open_dataset(args.selection) as sel:
                product = str(sel.attrs["selected_name"])
        except (OSError, ValueError, KeyError) as exc:
            raise DataFormatError(
                f"--selection {args.selection}: not a selection.nc from 'designopt select' "
                f"(needs the attribute 'selected_name'): {exc}"
            ) from None
    storage = Storage(capacity_J=args.storage_kWh * 3.6e6) if args.storage_kWh > 0 else None
    data = dispatch_data_from_case(
        case,
        load_hplib_catalogue(),
        product,
        boiler_capacity_W=None if args.boiler_kW is None else args.boiler_kW * 1e3,
        boiler_efficiency=args.boiler_efficiency,
        tou_bands=args.tou,
        storage=storage,
    )
    if args.pyomo:
        ds, _, _ = solve_dispatch(data)
    else:
        ds, _ = solve_dispatch_highspy(data)
    cmp = compare_with_switchover(data, ds)
    ds.attrs.update(
        {
            "product": product,
            "case_file": str(args.case),
            "case_sha256": hashlib.sha256(Path(args.case).read_bytes()).hexdigest(),
            "rule_cost_EUR": cmp.rule_cost_EUR,
            "rule_switchover_K": cmp.rule_switchover_K,
            "implied_switchover_K": cmp.implied_switchover_K,
            "switchover_agreement": cmp.agreement,
            "saving_vs_rule_pct": cmp.saving_pct,
        }
    )
    write_atomic(ds, out)
    if not args.no_plot:
        from formulations.plots import plot_dispatch

        plot_dispatch(ds, out.with_suffix(".png"), implied_switchover_K=cmp.implied_switchover_K)
    hp_share = float(ds.heat_pump_heat.sum() / ds.heat_demand.sum())
    print(
        f"designopt dispatch: {product}, {data.n} h, heat-pump share {100 * hp_share:.1f} % of the heat"
    )
    print(
        f"  LP cost {cmp.lp_cost_EUR:.2f} EUR; best switchover rule {cmp.rule_cost_EUR:.2f} EUR at {cmp.rule_switchover_K - 273.15:.1f} degC (LP saves {cmp.saving_pct:.2f} %)"
    )
    print(
        f"  switchover implied by the LP {cmp.implied_switchover_K - 273.15:.2f} degC ({100 * cmp.agreement:.1f} % of hours agree)"
    )
    print(
        f"  build {ds.attrs['build_time_s']:.2f} s, solve {ds.attrs['solve_time_s']:.2f} s -> {out}"
    )
    return 0
