"""
Tutorial: from a case file to a chosen design
=============================================

The whole path of a design study in Python, on the air-to-water retrofit case: read the case
file, evaluate one design by hand, search the design space, look at the front, choose a design,
ask how the choice holds if the electricity price changes, and write the report.

Each step has a command-line twin (``designopt evaluate``, ``designopt run``, ``designopt
report``, ``designopt sweep``); the :doc:`../cli` lists them.
"""

# %%
# 1. The case file
# ----------------
# A case file (TOML) says what is fixed, what is varied and within which bounds, which
# objectives to minimise and which limits to meet. It is validated when it is read: an unknown
# key or a value out of range is an error that names the key (:doc:`../generated/case-schema`).
from pathlib import Path

from designopt.case import load_case

case = load_case(Path("../../casestudies/ashp_retrofit/case.toml"))  # from docs/gallery/
for name, spec in case.space.items():
    print(f"{name:28s} {spec.choices or (spec.low, spec.high)}")

# %%
# 2. One design, evaluated by hand
# --------------------------------
# :func:`designopt.evaluate.evaluate` runs the physics (cycle map, EN 14825 season, charge,
# sound power) and values the design (capital and lifetime cost, noise at the neighbour's
# window). Constraints are scaled by their limit and met when they are at most 0.
from designopt.evaluate import evaluate

design = {
    "refrigerant": "R290",
    "evaporator_area_m2": 40.0,
    "condenser_area_m2": 1.2,
    "swept_volume_cm3": 30.0,
    "fan_diameter_m": 0.6,
    "air_flow_per_area_m3_s_m2": 0.02,
    "backup_kW": 3.0,
}
result = evaluate(design, case)
print("objectives: ", {k: round(v) for k, v in result.objectives.items()})
print("constraints:", {k: round(v, 3) for k, v in result.constraints.items()})
print("limits broken:", [k for k, v in result.constraints.items() if v > 0] or "none")
print(
    f"SCOP at 55 degC {result.metrics['scop_55']:.2f}, sound power {result.metrics['sound_power_dBA']:.1f} dB(A)"
)

# %%
# 3. Search the design space
# --------------------------
# The case becomes a search problem (variables, objectives, scaled constraints) and NSGA-II
# searches it. The study is stored in a journal in ``out``, so an interrupted run resumes.
# A real study runs the case's 2,000 trials on two workers (under a minute); 120 trials on one
# worker are enough to see the shape of the front.
import tempfile

from designopt.evaluate import build_problem
from designopt.results import from_study
from designopt.search import StudySettings, run_study

out = Path(tempfile.mkdtemp())
problem = build_problem(case)
study = run_study(
    problem, StudySettings(out_dir=out, n_trials=120, seed=1, workers=1, progress=False)
)
ds = from_study(study, problem)
print(
    f"{ds.attrs['n_trials']} trials, {ds.attrs['n_feasible']} feasible, {ds.attrs['n_pareto']} on the front"
)

# %%
# 4. The front
# ------------
# ``ds`` is an :class:`xarray.Dataset` over ``trial``, with units on every variable. Designs
# that break a limit are grey; the Pareto designs are joined.
import matplotlib.pyplot as plt

feasible = ds.where(ds.feasible, drop=True)
front = ds.where(ds.pareto, drop=True).sortby("capital_cost")
fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
ax.scatter(ds.capital_cost, ds.net_present_cost, s=8, color="0.8", label="violates a limit")
for refrigerant in sorted(set(feasible.refrigerant.values)):
    sel = feasible.where(feasible.refrigerant == refrigerant, drop=True)
    ax.scatter(sel.capital_cost, sel.net_present_cost, s=14, label=f"feasible, {refrigerant}")
ax.plot(front.capital_cost, front.net_present_cost, "k.-", label="Pareto front")
ax.set_xlabel(f"capital cost [{ds.capital_cost.attrs['units']}]")
ax.set_ylabel(f"20-year net present cost [{ds.net_present_cost.attrs['units']}]")
ax.legend(fontsize="small")
ax.grid(alpha=0.3)

# %%
# 5. Choose a design
# ------------------
# The report marks three designs: the cheapest compliant one, the knee of the front (the best
# trade between the two objectives) and the lowest lifetime cost. Take the knee.
from designopt.report.analysis import markers

marks = {m.key: m for m in markers(ds)}
chosen = marks.get("knee", next(iter(marks.values())))
pick = ds.sel(trial=chosen.trial)
print(f"{chosen.label}: trial {chosen.trial} ({chosen.rule})")
for name in [*case.space, "capital_cost", "net_present_cost", "scop_55", "sound_power_dBA"]:
    value = pick[name].item()
    unit = pick[name].attrs.get("units", "")
    print(
        f"  {name:28s} {value:.4g} {unit}"
        if not isinstance(value, str)
        else f"  {name:28s} {value}"
    )

# %%
# 6. What if electricity costs more?
# ----------------------------------
# Every trial stored its price-free physics (a :class:`~designopt.evaluate.PerformanceSet`), so
# the front's designs can be valued again under other prices without running the physics.
# ``designopt sweep`` does this for thousands of price, carbon, grant and rule scenarios on Dask
# (:doc:`../sweep`); here three electricity prices are enough.
import numpy as np

from designopt.evaluate import PerformanceSet, Scenarios, value_arrays
from designopt.results import performance_from_study

performance = PerformanceSet.from_dataset(
    performance_from_study(study).sel(design=front.trial.values)
)
prices = np.array([0.20, 0.30, 0.40])
scenarios = Scenarios.from_case(case, n=prices.size, electricity_price_per_kWh=prices)
npc = value_arrays(performance, scenarios, case)["net_present_cost"]  # (design, scenario)
row = {int(t): i for i, t in enumerate(front.trial.values)}
print(
    "electricity [EUR/kWh]  "
    + "  ".join(f"{m.label:>28s}" for m in marks.values())
    + "  best of the front"
)
for j, price in enumerate(prices):
    cells = "  ".join(f"{npc[row[m.trial], j]:>28,.0f}" for m in marks.values())
    print(f"{price:21.2f}  {cells}  {npc[:, j].min():>17,.0f}")

# %%
# At each price, compare the chosen design's lifetime cost with the best of the front: a gap
# that grows with the price says the choice leans on cheap electricity.
#
# 7. The report
# -------------
# ``designopt report OUT`` (also the end of ``designopt run``) writes the figures below,
# ``summary.md``, the CSV and Excel tables and an interactive front (:doc:`../report`).
from designopt.report import write_report

written = write_report(ds, out)
print("\n".join(sorted(p.name for p in written)))
