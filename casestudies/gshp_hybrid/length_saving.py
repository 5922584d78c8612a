"""Borehole length saved by the hybrid against ground-only operation (the table in README.md).

Run:  python casestudies/gshp_hybrid/length_saving.py     (about 30 s with cached g-functions)

For one unit (the compressor, plate, coil and back-up of a Pareto design of the study) and each
switchover temperature, the borehole length that just keeps the mean fluid temperature at
0 degC over 20 years (designopt.evaluate.sources.borefield.required_length: coupled hourly simulation),
then the design evaluated at that length.
"""

from pathlib import Path

from designopt.case import load_case
from designopt.evaluate import evaluate
from designopt.evaluate.sources.borefield import required_length

case = load_case(Path(__file__).with_name("case.toml"))
unit = {
    "swept_volume_cm3": 55.1,
    "evaporator_area_m2": 1.5,
    "air_coil_area_m2": 30.2,
    "backup_kW": 6.0,
}
print(
    "| switchover [degC] | length per borehole [m] | total [m] | saved vs ground only "
    "| ground share | SPF_H3 | capital [EUR] | NPC [EUR] |"
)
print("|---|---|---|---|---|---|---|---|")
H_ground_only = None
for t_sw in (20.0, 8.0, 4.0, 0.0, -4.0, -8.0):  # 20 degC: every heating hour on the ground
    design = {**unit, "switchover_temperature_degC": t_sw}
    H = required_length(design, case, xtol_m=0.1)
    H_ground_only = H_ground_only or H
    m = evaluate({**design, "borehole_length_m": H}, case).metrics
    print(
        f"| {t_sw:g} | {H:.1f} | {m['borehole_total_length_m']:.0f} | "
        f"{100 * (1 - H / H_ground_only):.0f} % | {m['ground_heat_share']:.2f} | {m['spf_h3']:.2f} | "
        f"{m['capital_cost']:,.0f} | {m['net_present_cost']:,.0f} |"
    )
