"""
Air-to-water heat pump for a semi-detached retrofit
===================================================

The default case study (``casestudies/ashp_retrofit``): a 6 kW house with radiators at 55 °C,
the outdoor unit 5 m from the neighbour's bedroom window, where MCS 020(a) allows 37 dB(A).
What is the cheapest unit, and how much more should we pay up front to save over 20 years?

The case study's README runs 2,000 trials; this page runs a short study of the same case so
that it builds in seconds. The front is rougher, the conclusions are the same.
"""

# %%
# The case file
# -------------
# Refrigerant, coil and plate areas, fan, compressor and back-up heater are varied; capital
# cost and 20-year net present cost are minimised under the noise, capacity and charge limits.
import tempfile
from pathlib import Path

from designopt.case import load_case

CASE = Path("../../casestudies/ashp_retrofit/case.toml")  # from docs/gallery/, where this runs
case = load_case(CASE)
print(case.description)
print("varied:", ", ".join(case.space))
print("objectives:", case.optimisation.objectives, "constraints:", case.optimisation.constraints)

# %%
# Run the study
# -------------
# The same command as ``designopt run casestudies/ashp_retrofit/case.toml``, with fewer trials
# and one worker process, into a scratch folder.
from designopt.cli import main

out = Path(tempfile.mkdtemp()) / "ashp_retrofit"
main(["run", str(CASE), "--trials", "120", "--workers", "1", "--out", str(out), "--no-progress"])

# %%
# The Pareto front
# ----------------
# ``designopt run`` writes the report's figures next to ``results.nc``: the front of capital
# cost against net present cost, with the cheapest compliant design, the knee and the lowest
# lifetime cost marked, and which constraint blocks the other designs.
from designopt.results import load

ds = load(out / "results.nc")
front = ds.where(ds.pareto, drop=True).sortby("capital_cost")
print(
    front[["refrigerant", "capital_cost", "net_present_cost", "scop_55", "backup_kW"]]
    .to_dataframe()
    .round(2)
    .to_string()
)

# %%
# The marked designs
# ------------------
# The report points at three designs of the front and says why (``summary.md``): the cheapest
# design that meets every constraint, the knee of the front and the lowest lifetime cost.
from designopt.report.analysis import markers

for mark in markers(ds):
    d = ds.sel(trial=mark.trial)
    print(
        f"{mark.label} (trial {mark.trial}): {d.refrigerant.item()}, "
        f"capital {d.capital_cost.item():,.0f} EUR, 20-year NPC {d.net_present_cost.item():,.0f} EUR, "
        f"SCOP 55 degC {d.scop_55.item():.2f}, back-up {d.backup_kW.item():g} kW"
    )
