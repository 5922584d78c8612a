"""Policy sweeps (designopt.sweep): a finished study's designs valued under many scenarios.

Checks: a scenario equal to the case values every design as the study did (results.nc); the
hybrid reference equals the cheapest feasible hybrid variant by designopt.evaluate; a climate
axis reproduces designopt.evaluate in the other climate and assesses each design once (disk
cache); Pareto membership per scenario equals a brute-force check and rule axes remove what
they ban; the
gas-boiler reference equals an explicit year-by-year cash-flow sum (Short, Packey & Holt 1995,
NREL/TP-462-5173 conventions: capital at t = 0, annual costs at the end of years 1..N); a
GWP-cap axis removes the designs above the cap; a resumed sweep computes only the missing
batches and gives the same numbers; bad sweep files and an unreachable scheduler end with one
line and exit 2, leaving no sweep.nc; a real `dask scheduler` with two `dask worker` processes
runs a sweep.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from designopt.case import load_case
from designopt.errors import ConfigurationError
from designopt.sweep import load_sweep, run_sweep

DATA = Path(__file__).parent / "data"
TINY = DATA / "cases" / "tiny_air_quiet.toml"  # its screened start gives feasible designs


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("study")
    cmd = [sys.executable, "-m", "designopt", "run", str(TINY), "--out", str(out)]
    cmd += ["--trials", "16", "--no-progress", "--no-report", "--workers", "1"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr  # feasible designs found
    return out


def _sweep_file(folder: Path, study: Path, body: str, **top) -> Path:
    head = {"schema": 1, "name": "t", "case": str(TINY), "study": str(study), "candidates": "all"}
    head.update(top)
    lines = [f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"' for k, v in head.items()]
    path = folder / "sweep.toml"
    path.write_text("\n".join(lines) + "\n" + body, encoding="utf-8")
    return path


GRID = """
[scenarios]
mode = "grid"

[axes.electricity_price_per_kWh]
values = [0.30, 0.45]

[axes.carbon_price_per_t]
values = [0.0, 100.0, 250.0]
"""


def test_case_scenario_reproduces_the_study(study, tmp_path):
    case = load_case(TINY)
    price = case.economics.electricity_price_per_kWh
    body = f"[axes.electricity_price_per_kWh]\nvalues = [{price}]\n"
    res = run_sweep(load_sweep(_sweep_file(tmp_path, study, body)), tmp_path, workers=1)
    sw = xr.open_dataset(res.netcdf)
    rs = xr.open_dataset(study / "results.nc")
    done = rs.where(rs.state == "COMPLETE", drop=True)
    npc = sw["net_present_cost"].sel(scenario=0, design=done.trial.values).values
    np.testing.assert_allclose(npc, done["net_present_cost"].values, rtol=1e-6)  # float32
    feasible = sw["feasible"].sel(scenario=0, design=done.trial.values).values.astype(bool)
    assert feasible.tolist() == done["feasible"].values.astype(bool).tolist()


def test_boiler_reference_is_the_explicit_cash_flow_sum(study, tmp_path):
    from designopt import economics

    case = load_case(TINY)
    econ = case.economics
    body = GRID + "\n[reference]\nboiler_efficiency = 0.9\nboiler_maintenance_per_year = 150.0\n"
    res = run_sweep(load_sweep(_sweep_file(tmp_path, study, body)), tmp_path, workers=1)
    sw = xr.open_dataset(res.netcdf)
    perf = xr.open_dataset(study / "performance.nc")
    heat = float(np.nanmedian(perf["annual_heat_kWh"].values))
    gas = heat / 0.9
    capex = float(
        economics.capital_cost(
            boiler_W=float(perf["design_load_W"].max()), include_installation=False
        ).items["gas_boiler"]
    )
    r, g, n = econ.discount_rate, econ.price_escalation, econ.lifetime_years
    for j in range(sw.sizes["scenario"]):
        carbon = float(sw["carbon_price_per_t"][j])
        cash = capex + sum(
            (
                gas * econ.gas_price_per_kWh * (1 + g) ** t
                + 150.0
                + gas * econ.gas_co2_kg_per_kWh * carbon / 1000
            )
            / (1 + r) ** t
            for t in range(1, n + 1)
        )
        assert float(sw["boiler_net_present_cost"][j]) == pytest.approx(cash, rel=1e-9)
    # more carbon cost: the boiler loses more, so the saving of the best heat pump grows
    s = sw["npc_saving_vs_boiler"].values.reshape(2, 3)
    assert np.all(np.diff(s, axis=1) > 0)


def test_gwp_cap_axis_removes_designs_above_the_cap(study, tmp_path):
    body = "[axes.gwp_cap]\nvalues = [1.0, 10.0]\n"  # R290 has GWP 3 (AR4)
    res = run_sweep(load_sweep(_sweep_file(tmp_path, study, body)), tmp_path, workers=1)
    sw = xr.open_dataset(res.netcdf)
    assert float(sw["feasible_share"][0]) == 0.0
    assert int(sw["best_design"][0]) == -1 and np.isnan(float(sw["best_net_present_cost"][0]))
    assert float(sw["feasible_share"][1]) > 0.0


def test_resume_computes_only_missing_batches(study, tmp_path):
    import zarr

    spec = load_sweep(_sweep_file(tmp_path, study, GRID, batch_size=2))
    first = run_sweep(spec, tmp_path, workers=1)
    assert (first.batches_run, first.batches_total) == (3, 3)
    before = xr.open_dataset(first.netcdf).load()
    group = zarr.open_group(str(tmp_path / "sweep.zarr"), mode="r+")
    group["batch_done"][0, 1] = 0  # as if killed while batch 1 ran
    group["net_present_cost"][:, :, 2:4] = 0.0
    again = run_sweep(spec, tmp_path, workers=1)
    assert again.batches_run == 1
    after = xr.open_dataset(again.netcdf).load()
    xr.testing.assert_identical(before, after)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (
            "[axes.electricity_prize]\nvalues = [0.3]\n",
            r"unknown axis \['electricity_prize'\]; valid axes",
        ),
        (
            "[axes.discount_rate]\nvalues = [0.9]\n",
            "discount_rate: 0.9 is outside its range 0 .. 0.5",
        ),
        ("[axes.discount_rate]\nvalues = []\n", "axes.discount_rate.values"),
        ("[axes.discount_rate]\nlow = 0.01\nhigh = 0.05\n", "mode='grid' takes values"),
        (
            "[scenarios]\nmode = 'sample'\n[axes.discount_rate]\nlow = 0.01\nhigh = 0.05\n",
            "needs scenarios.n",
        ),
    ],
)
def test_bad_sweep_files_are_named(study, tmp_path, body, match):
    with pytest.raises(ConfigurationError, match=match):
        load_sweep(_sweep_file(tmp_path, study, body))


def test_study_of_another_case_is_refused(study, tmp_path):
    other = DATA / "cases" / "tiny_air.toml"
    path = _sweep_file(tmp_path, study, GRID, case=str(other))
    with pytest.raises(ConfigurationError, match="holds a study of another case"):
        run_sweep(load_sweep(path), tmp_path, workers=1)


def _cli_sweep(path: Path, out: Path, scheduler: str, *, timeout: int):
    """``designopt sweep PATH --out OUT --scheduler ADDRESS`` in a child process."""
    cmd = [sys.executable, "-m", "designopt", "sweep", str(path), "--out", str(out)]
    cmd += ["--scheduler", scheduler, "--no-progress"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def test_cli_unreachable_scheduler_is_one_line_and_no_sweep_nc(study, tmp_path):
    path = _sweep_file(tmp_path, study, GRID)
    out = tmp_path / "out"
    done = _cli_sweep(path, out, "tcp://127.0.0.1:9", timeout=120)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "no Dask scheduler answers" in done.stderr
    assert not (out / "sweep.nc").exists()


def test_sweep_on_a_real_dask_scheduler_and_two_workers(study, tmp_path):
    dask = shutil.which("dask", path=str(Path(sys.executable).parent))
    assert dask, "the dask command comes with distributed"
    sched_file = tmp_path / "scheduler.json"
    procs = [
        subprocess.Popen(
            [
                dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(sched_file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        dask,
                        "worker",
                        "--scheduler-file",
                        str(sched_file),
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        import json

        address = json.loads(sched_file.read_text())["address"]
        path = _sweep_file(tmp_path, study, GRID, batch_size=1)
        out = tmp_path / "out"
        done = _cli_sweep(path, out, address, timeout=300)
        assert done.returncode == 0, done.stderr
        assert (out / "summary.md").is_file() and (out / "tornado_saving_vs_boiler.png").is_file()
        local = run_sweep(load_sweep(path), tmp_path / "local", workers=1)
        xr.testing.assert_allclose(
            xr.open_dataset(out / "sweep.nc").drop_attrs(),
            xr.open_dataset(local.netcdf).drop_attrs(),
        )
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def _economics(case, **changes):
    return case.model_copy(update={"economics": case.economics.model_copy(update=changes)})


def test_hybrid_reference_is_the_cheapest_feasible_hybrid_variant(study, tmp_path):
    """Every candidate gets the boiler (designs = 16): the sweep's hybrid reference must be the
    cheapest feasible variant by designopt.evaluate (one design, one case at a time)."""
    from designopt.evaluate import evaluate
    from designopt.sweep.physics import hybrid_case

    case = load_case(TINY)
    price = case.economics.electricity_price_per_kWh
    body = (
        f"[axes.electricity_price_per_kWh]\nvalues = [{price}, 0.45]\n"
        "[reference.hybrid]\nswitchover_temperature_degC = [-3.0, 4.0]\ndesigns = 16\n"
        "boiler_kW = 6.0\n"
    )
    res = run_sweep(load_sweep(_sweep_file(tmp_path, study, body)), tmp_path, workers=1)
    sw = xr.open_dataset(res.netcdf)
    rs = xr.open_dataset(study / "results.nc")
    constraints = [c for c in case.optimisation.constraints if c != "coverage"]
    for j, p in enumerate([price, 0.45]):
        hc = hybrid_case(_economics(case, electricity_price_per_kWh=p), "parallel")
        best = (np.inf, None)
        for t in rs.trial.values:
            d = {k: rs[k].sel(trial=t).item() for k in case.space}
            for sw_t in (-3.0, 4.0):
                ev = evaluate({**d, "switchover_temperature_degC": sw_t, "boiler_kW": 6.0}, hc)
                if all(ev.constraints[c] <= 0 for c in constraints):
                    best = min(best, (ev.objectives["net_present_cost"], sw_t), key=lambda x: x[0])
        assert float(sw["hybrid_net_present_cost"][j]) == pytest.approx(best[0], rel=1e-9)
        assert float(sw["hybrid_switchover_degC"][j]) == best[1]
        saving = float(sw["hybrid_net_present_cost"][j] - sw["best_net_present_cost"][j])
        assert float(sw["npc_saving_vs_hybrid"][j]) == pytest.approx(saving)


def test_physics_axis_assesses_once_per_climate_and_caches(study, tmp_path, monkeypatch):
    from designopt.evaluate import evaluate
    from designopt.sweep.physics import physics_case

    monkeypatch.setenv("DESIGNOPT_CACHE_DIR", str(tmp_path / "cache"))
    case = load_case(TINY)
    price = case.economics.electricity_price_per_kWh
    body = f"[axes.electricity_price_per_kWh]\nvalues = [{price}, 0.45]\n"
    plain = run_sweep(load_sweep(_sweep_file(tmp_path, study, body)), tmp_path / "a", workers=1)
    body += "[axes.climate]\nvalues = ['average', 'colder']\n"
    path = _sweep_file(tmp_path, study, body)
    res = run_sweep(load_sweep(path), tmp_path / "b", workers=2)
    sw = xr.open_dataset(res.netcdf)
    assert sw["net_present_cost"].dims == ("physics", "design", "scenario")
    assert sw["climate"].values.tolist() == ["average", "colder"]
    # the study's own climate gives the study's numbers
    base = xr.open_dataset(plain.netcdf)
    np.testing.assert_allclose(
        sw["net_present_cost"].isel(physics=0).values, base["net_present_cost"].values, rtol=1e-6
    )
    # the colder climate equals designopt.evaluate of each design in the colder case
    cold = physics_case(case, {"climate": "colder"})
    rs = xr.open_dataset(study / "results.nc")
    for t in rs.trial.values[:4]:
        d = {k: rs[k].sel(trial=t).item() for k in case.space}
        ev = evaluate(d, cold)
        got = float(sw["net_present_cost"].sel(physics=1, design=t, scenario=0))
        assert got == pytest.approx(ev.objectives["net_present_cost"], rel=1e-6)
    # every (design, climate) is in the cache once; a new sweep of them assesses nothing
    files = sorted((tmp_path / "cache" / "sweep").glob("*.json"))
    assert len(files) == 2 * rs.sizes["trial"]
    stamps = [f.stat().st_mtime_ns for f in files]
    again = run_sweep(load_sweep(path), tmp_path / "c", workers=1)
    assert [f.stat().st_mtime_ns for f in files] == stamps
    xr.testing.assert_identical(xr.open_dataset(again.netcdf), sw)


def test_pareto_membership_and_rule_axes(study, tmp_path):
    body = (
        "[axes.carbon_price_per_t]\nvalues = [0.0, 300.0]\n"
        "[axes.fgas_year]\nvalues = [nan, 2027.0]\n"
        "[axes.noise_below_ecodesign_dB]\nvalues = [nan, 15.0]\n"
    )
    res = run_sweep(load_sweep(_sweep_file(tmp_path, study, body)), tmp_path, workers=1)
    sw = xr.open_dataset(res.netcdf).load()
    r32 = sw["refrigerant"].values == "R32"
    for j in range(sw.sizes["scenario"]):
        s = sw.isel(scenario=j)
        feas = s["feasible"].values.astype(bool)
        npc, co2 = s["net_present_cost"].values, s["lifetime_co2"].values
        front = s["pareto"].values.astype(bool)
        for i in range(npc.size):  # brute force: feasible and dominated by no feasible design
            dominated = feas & (npc <= npc[i]) & (co2 <= co2[i]) & ((npc < npc[i]) | (co2 < co2[i]))
            assert front[i] == (feas[i] and not dominated.any()), (j, i)
        if float(s["fgas_year"]) == 2027.0:  # monobloc <= 12 kW with R32: banned
            assert not feas[r32].any()
        x = float(s["noise_below_ecodesign_dB"])
        if not np.isnan(x):  # 6 kW design load: the 70 or 65 dB(A) band minus 15 dB
            lwa = xr.open_dataset(study / "performance.nc")["sound_power_dBA"].values
            assert (lwa[feas] <= 70.0 - x).all()


def test_carbon_price_on_fuel_only(study, tmp_path):
    """carbon_price_on = 'fuel': the heat pump alone pays no carbon price on grid electricity;
    the hybrid pays it on its gas (present worth over the lifetime, no escalation), the boiler
    on all of its gas."""
    from designopt import economics

    case = load_case(TINY)
    body = (
        "[axes.carbon_price_per_t]\nvalues = [0.0, 200.0]\n"
        "[reference.hybrid]\nswitchover_temperature_degC = [2.0]\ndesigns = 1\n"
    )
    path = _sweep_file(tmp_path, study, body, carbon_price_on="fuel")
    sw = xr.open_dataset(run_sweep(load_sweep(path), tmp_path, workers=1).netcdf)
    npc = sw["net_present_cost"].values
    np.testing.assert_allclose(npc[:, 0], npc[:, 1], rtol=1e-6)  # electricity: no carbon price
    e = case.economics
    pw = float(economics.present_worth_factor(e.discount_rate, e.lifetime_years))
    # the hybrid's extra cost is its fuel CO2 [t/a] x price x present worth factor: a positive
    # amount of fuel, less than the boiler alone burns
    d_hybrid = float(sw["hybrid_net_present_cost"][1] - sw["hybrid_net_present_cost"][0])
    assert d_hybrid > 0
    fuel_t_per_year = d_hybrid / (200.0 * pw)
    gas_t_per_year = float(sw["boiler_lifetime_co2"][0]) / e.lifetime_years / 1e3
    assert 0 < fuel_t_per_year < gas_t_per_year  # the hybrid burns less gas than the boiler
    d_boiler = float(sw["boiler_net_present_cost"][1] - sw["boiler_net_present_cost"][0])
    assert d_boiler == pytest.approx(gas_t_per_year * 200.0 * pw, rel=1e-9)
