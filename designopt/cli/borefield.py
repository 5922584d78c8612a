"""``designopt borefield``: size a borefield or simulate its lifetime fluid temperatures.

    designopt borefield size FILE.toml [--json]
    designopt borefield simulate FILE.toml --out FILE.nc

The TOML schema is documented in docs/ground.md (example: casestudies/borefield_example/).
"""

from __future__ import annotations

import argparse
import json

from designopt.cli._outputs import add_force_argument

NAME = "borefield"
HELP = "size a ground-source borefield or simulate its lifetime fluid temperatures"


def register(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="borefield_action", metavar="ACTION", required=True)
    p = sub.add_parser("size", help="required borehole length (or number of boreholes)")
    p.add_argument("case", help="borefield case TOML file")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    s = sub.add_parser("simulate", help="lifetime mean fluid temperatures to NetCDF")
    s.add_argument("case", help="borefield case TOML file")
    s.add_argument("--out", required=True, help="output NetCDF file")
    add_force_argument(s)
    s.add_argument(
        "--length-m",
        type=float,
        default=None,
        help="borehole length [m] (default: [borefield] length_m of the case)",
    )


def _size(case) -> dict:
    from designopt.ground import size_count, size_length

    if case.target == "count":
        bf, sim = size_count(
            H=case.borefield.H,
            spacing=case.borefield.spacing or 6.0,
            ground=case.ground,
            loads=case.loads,
            limits=case.limits,
            resistance=case.resistance,
            D=case.borefield.D,
            r_b=case.borefield.r_b,
            method=case.method,
            max_boreholes=case.max_boreholes,
        )
        ex = sim if isinstance(sim, dict) else sim.extremes()
        return {
            "target": "count",
            "n_boreholes": bf.n_boreholes,
            "shape": list(bf.shape),
            "length_per_borehole_m": bf.H,
            "total_length_m": bf.total_length,
            "t_fluid_min_degC": ex["t_fluid_min"] - 273.15,
            "year_min": ex["year_min"],
            "t_fluid_max_degC": ex["t_fluid_max"] - 273.15,
            "year_max": ex["year_max"],
            "method": case.method,
        }
    res = size_length(
        borefield=case.borefield,
        ground=case.ground,
        loads=case.loads,
        limits=case.limits,
        resistance=case.resistance,
        method=case.method,
        gfunction=case.gfunction,
        H_min=case.H_min,
        H_max=case.H_max,
    )
    return {
        "target": "length",
        "length_per_borehole_m": res.H,
        "n_boreholes": res.n_boreholes,
        "total_length_m": res.total_length,
        "binding_limit": res.binding_limit,
        "binding_year": res.binding_year,
        "t_fluid_min_degC": res.t_fluid_min - 273.15,
        "year_min": res.year_min,
        "t_fluid_max_degC": res.t_fluid_max - 273.15,
        "year_max": res.year_max,
        "t_min_mean_fluid_limit_degC": res.t_min_mean - 273.15,
        "t_max_mean_fluid_limit_degC": res.t_max_mean - 273.15,
        "borehole_resistance_mK_per_W": res.r_b_star,
        "at_lower_bound": res.at_lower_bound,
        "method": res.method,
    }


def run(args: argparse.Namespace) -> int:
    from designopt.io.borefield_toml import load_borefield_case

    case = load_borefield_case(args.case)
    if args.borefield_action == "size":
        out = _size(case)
        if args.json:
            print(json.dumps(out, indent=2))
        else:
            for k, v in out.items():
                print(f"{k:32s} {v:.3f}" if isinstance(v, float) else f"{k:32s} {v}")
        return 0
    from designopt import __version__
    from designopt.cli._outputs import output_file
    from designopt.ground import fluid_temperatures
    from designopt.results import write_atomic

    out = output_file(args.out, suffix=".nc", inputs=[case.source], force=args.force)

    bf = case.borefield if args.length_m is None else case.borefield.with_length(args.length_m)
    method = "hourly" if case.method == "hourly" else "monthly"
    sim = fluid_temperatures(
        borefield=bf,
        ground=case.ground,
        loads=case.loads,
        resistance=case.resistance,
        method=method,
    )
    ds = sim.to_dataset()
    ds.attrs.update(designopt_version=__version__, case_file=case.source, method=method)
    write_atomic(ds, out)
    ex = sim.extremes()
    print(
        f"wrote {out}: {len(ds.time)} steps, mean fluid "
        f"{ex['t_fluid_min'] - 273.15:.2f}..{ex['t_fluid_max'] - 273.15:.2f} degC"
    )
    return 0
