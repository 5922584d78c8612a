"""``designopt switchover CASE``: borehole length, fuel, cost and CO2 against the switchover
temperature of a hybrid (heat pump + boiler, or a twin-source air/ground unit)."""

from __future__ import annotations

import argparse
from pathlib import Path

from designopt.cli.evaluate import add_set_argument, parse_sets

NAME = "switchover"
HELP = (
    "size the borefield and value one design at several switchover temperatures of a hybrid"
    " (heat pump + boiler, or twin source) against the heat pump alone"
)


def register(p: argparse.ArgumentParser) -> None:
    p.add_argument("case", type=Path, help="case TOML file with a [boiler] table or a twin source")
    add_set_argument(p)
    p.add_argument(
        "--values",
        default=None,
        help="switchover temperatures [degC], comma-separated (default: 5 values across the"
        " case's range of switchover_temperature_degC)",
    )
    p.add_argument(
        "--out", default=None, help="output folder (default: results/<case name>/switchover)"
    )
    p.add_argument("--force", action="store_true", help="write into a folder of other files")


def _values(text: str | None, case) -> list[float]:
    import math

    from designopt.errors import ConfigurationError

    if text is not None:
        try:
            vals = [float(x) for x in text.split(",") if x.strip()]
        except ValueError:
            raise ConfigurationError(
                f"--values={text!r} must be numbers in degC separated by commas, e.g. 8,4,0,-4"
            ) from None
        if not vals or not all(math.isfinite(v) for v in vals):
            raise ConfigurationError(f"--values={text!r} must be finite numbers in degC")
        from designopt.case import check_switchover, check_variable_value

        for v in vals:
            check_variable_value("switchover_temperature_degC", v, "--values")
        if case.boiler is not None:
            check_switchover(case, vals, "--values")
        return vals
    spec = case.space.get("switchover_temperature_degC")
    if spec is not None:
        import numpy as np

        return [float(v) for v in np.linspace(spec.high, spec.low, 5)]
    if "switchover_temperature_degC" in case.fixed:
        return [float(case.fixed["switchover_temperature_degC"])]
    raise ConfigurationError(
        "give --values (the case has no switchover_temperature_degC in [space] or [fixed])"
    )


def _markdown(ds) -> str:
    cols = [
        ("borehole_total_length_m", "borehole total [m]", "{:,.0f}"),
        ("length_saving", "length saved", "{:.0%}"),
        ("heat_pump_heat_share", "heat from the heat pump", "{:.0%}"),
        ("annual_fuel_kWh", "fuel [kWh/a]", "{:,.0f}"),
        ("annual_electricity_kWh", "electricity [kWh/a]", "{:,.0f}"),
        ("seasonal_performance", "SPF/SCOP", "{:.2f}"),
        ("capital_cost", "capital [EUR]", "{:,.0f}"),
        ("net_present_cost", "net present cost [EUR]", "{:,.0f}"),
        ("npc_saving", "NPC saved [EUR]", "{:,.0f}"),
        ("lifetime_co2", "lifetime CO2 [t]", "{:,.1f}"),
        ("feasible", "meets the constraints", "{}"),
    ]
    if not (ds["borehole_total_length_m"] > 0).any():
        cols = cols[2:]
    head = "| option | " + " | ".join(c[1] for c in cols) + " |"
    lines = [f"# {ds.attrs['title']}", "", head, "|---" * (len(cols) + 1) + "|"]
    for i, opt in enumerate(ds.option.values):
        cells = []
        for k, _, f in cols:
            v = float(ds[k].values[i])
            if k == "lifetime_co2":
                v /= 1000.0
            if v != v:
                cells.append("-")
            elif k == "feasible":
                cells.append("yes" if v > 0 else "no")
            else:
                cells.append(f.format(v))
        lines.append(f"| {opt} | " + " | ".join(cells) + " |")
    fails = [(o, r) for o, r in zip(ds.option.values, ds.failure.values, strict=True) if r]
    if fails:
        lines += ["", *[f"- {o}: {r}" for o, r in fails]]
    lines += [
        "",
        f"Borefield sizing: {ds.attrs['sizing']}. Reference: {ds.attrs['reference']}.",
    ]
    return "\n".join(lines) + "\n"


def _figure(ds, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    rows = ds.isel(option=slice(1, None))
    x = rows["switchover_temperature_degC"].values
    sized = bool((ds["borehole_total_length_m"] > 0).any())
    panels = [
        (
            "net_present_cost",
            f"{ds.attrs.get('lifetime_years', '')}-year net present cost [EUR]",
            1.0,
        ),
        ("lifetime_co2", "Lifetime CO2 [t]", 1e-3),
    ]
    if sized:
        panels.append(
            ("borehole_total_length_m", "Borehole length that meets the fluid limit [m]", 1.0)
        )
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.2))
    thousands = FuncFormatter(lambda v, _: f"{v:,.0f}")
    ref = ds.attrs["reference"]
    for ax, (name, label, scale) in zip(axes, panels, strict=True):
        ax.plot(x, scale * rows[name].values, "o-", color="#c0392b", label="hybrid")
        ax.axhline(scale * float(ds[name].values[0]), color="grey", ls="--", label=ref)
        ax.set_xlabel("Switchover outdoor temperature [°C]")
        ax.set_ylabel(label.lstrip("-"))
        ax.yaxis.set_major_formatter(thousands)
        ax.legend(frameon=False)
    fig.suptitle(ds.attrs["title"])
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    from designopt.case import load_case
    from designopt.cli._outputs import output_folder
    from designopt.evaluate import design_from_strings
    from designopt.evaluate.switchover import reference_case, switchover_table
    from designopt.results import write_atomic

    case = load_case(args.case)
    reference_case(case)  # a case without a switchover is refused before any work
    values = _values(args.values, case)
    design = design_from_strings(case, parse_sets(args.sets))
    design.pop("switchover_temperature_degC", None)
    out = output_folder(
        args.out if args.out is not None else Path("results") / case.name / "switchover",
        force=args.force,
    )
    ds = switchover_table(case, design, values)
    ds.attrs["title"] = f"Switchover temperature: {case.report_title}"
    ds.attrs["lifetime_years"] = case.economics.lifetime_years
    ds.attrs["design"] = ", ".join(f"{k}={v}" for k, v in design.items())
    write_atomic(ds, out / "switchover.nc")
    ds.drop_vars("failure").to_dataframe().to_csv(out / "switchover.csv")
    (out / "switchover.md").write_text(_markdown(ds), encoding="utf-8")
    _figure(ds, out / "switchover.png")
    print((out / "switchover.md").read_text(encoding="utf-8"))
    print(f"written: {out}/switchover.nc, .csv, .md, .png")
    return 0
