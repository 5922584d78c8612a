"""Benchmark of ``designopt sweep`` (issue 18): scale, Dask overhead, physics speed-up, kill -9.

Run from the repository root (2 cores; a few minutes)::

    PYTHONPATH=. python benchmarks/bench_sweep.py --out /tmp/bench_sweep [--parts all]

Parts (``--parts valuation,overhead,physics,climates,kill``):

valuation
    10,000 Sobol scenarios (9 valuation axes: prices, carbon, discount rate, grant, F-gas
    year, BEG noise rule, SCOP minimum) x 2,000 designs on an embedded LocalCluster of 2
    workers, wall time including the cluster start, and the peak memory of the process tree
    (parent + workers, RSS sampled every 50 ms).  The 2,000 designs are replicas of a real
    study's designs with sizes, electricity and sound power jittered by +-10 % / +-2 dB
    (valuation speed does not depend on where the physics came from).
overhead
    Dask's cost per task: 2,000 no-op tasks on the same kind of cluster.
physics
    The physics part (the 300 designs of a real study re-assessed for 2 climates, cold caches)
    with 1 and with 2 workers, 3 times each: the speed-up of the least disturbed runs (the
    2 cores are shared).  Each worker's start-up (imports, property tables, the first design's
    maps: ``warm_up``) runs before the physics step and is reported separately.
climates
    3 climates x 10,000 valuation scenarios on the 300-design study, figures included.
kill
    A real kill -9: ``designopt sweep`` as a child process group, SIGKILL after some batches
    are marked done, rerun: only the missing batches are computed and ``sweep.nc`` equals an
    uninterrupted run's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "tests" / "data" / "cases" / "tiny_air_quiet.toml"


class PeakRSS:
    """Peak resident memory of this process and all its children, sampled in a thread."""

    def __init__(self, interval_s: float = 0.05):
        import psutil

        self.proc = psutil.Process()
        self.interval = interval_s
        self.peak = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for p in [self.proc, *self.proc.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def __enter__(self) -> PeakRSS:
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()


def run_study(out: Path, trials: int) -> Path:
    if (out / "results.nc").is_file():
        return out
    cmd = [sys.executable, "-m", "designopt", "run", str(CASE), "--out", str(out)]
    cmd += ["--trials", str(trials), "--no-progress", "--no-report", "--workers", "2"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out


def replicate_study(study: Path, out: Path, n: int, seed: int = 1) -> Path:
    """A study folder holding only performance.nc with ``n`` jittered replicas of ``study``'s
    designs (candidates = 'all')."""
    import xarray as xr

    out.mkdir(parents=True, exist_ok=True)
    ds = xr.open_dataset(study / "performance.nc").load()
    rng = np.random.default_rng(seed)
    pos = np.resize(np.arange(ds.sizes["design"]), n)
    big = ds.isel(design=pos).assign_coords(design=np.arange(n))
    for k in (
        "compressor_displacement_m3_s",
        "evaporator_area_m2",
        "condenser_area_m2",
        "charge_kg",
        "annual_electricity_kWh",
        "heat_output_rating_W",
    ):
        big[k] = big[k] * rng.uniform(0.9, 1.1, n)
    big["sound_power_dBA"] = big["sound_power_dBA"] + rng.uniform(-2.0, 2.0, n)
    big.to_netcdf(out / "performance.nc", engine="h5netcdf")
    return out


def sweep_file(path: Path, study: Path, body: str, **top) -> Path:
    head = {"schema": 1, "name": "bench", "case": str(CASE), "study": str(study)}
    head.update({"candidates": "all", **top})
    text = "\n".join(f"{k} = {json.dumps(v)}" for k, v in head.items()) + "\n" + body
    path.write_text(text, encoding="utf-8")
    return path


SAMPLE = """
[scenarios]
mode = "sample"
n = {n}
seed = 1
method = "sobol"

[axes.electricity_price_per_kWh]
low = 0.15
high = 0.45
[axes.gas_price_per_kWh]
low = 0.05
high = 0.15
[axes.carbon_price_per_t]
low = 0.0
high = 300.0
[axes.discount_rate]
low = 0.0
high = 0.08
[axes.capital_subsidy_fraction]
low = 0.0
high = 0.7
[axes.fgas_year]
low = 2025.0
high = 2035.0
[axes.noise_below_ecodesign_dB]
low = 0.0
high = 12.0
[axes.min_scop]
low = 2.0
high = 3.5
[axes.grid_co2_kg_per_kWh]
low = 0.05
high = 0.7
"""


def part_valuation(out: Path, real: Path) -> dict:
    from designopt.sweep import load_sweep, run_sweep

    big = replicate_study(real, out / "study2000", 2000)
    path = sweep_file(out / "valuation.toml", big, SAMPLE.format(n=10_000), batch_size=500)
    spec = load_sweep(path)
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        res = run_sweep(spec, out / "valuation", workers=2, report=False)
        wall = time.perf_counter() - t0
    return {
        "scenarios": res.n_scenarios,
        "designs": res.n_designs,
        "batches": res.batches_total,
        "wall_s_incl_cluster_start": round(wall, 2),
        "steps_s": {k: round(v, 2) for k, v in res.timings.items()},
        "peak_rss_GiB": round(mem.peak / 2**30, 3),
    }


def _noop(x):
    return x


def part_overhead(n_tasks: int = 2000) -> dict:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        client.gather(client.map(_noop, range(50), pure=False))  # warm up
        t0 = time.perf_counter()
        client.gather(client.map(_noop, range(n_tasks), pure=False))
        dt = time.perf_counter() - t0
    return {"tasks": n_tasks, "per_task_ms": round(1e3 * dt / n_tasks, 3)}


def part_physics(out: Path, real: Path, repeats: int = 3) -> dict:
    from designopt.sweep import load_sweep, run_sweep

    body = (
        "[axes.electricity_price_per_kWh]\nvalues = [0.3]\n"
        "[axes.climate]\nvalues = ['colder', 'warmer']\n"
    )
    path = sweep_file(out / "physics.toml", real, body)
    spec = load_sweep(path)
    times: dict[int, list[float]] = {1: [], 2: []}
    steps = {}
    for _ in range(repeats):
        for workers in (1, 2):
            with tempfile.TemporaryDirectory() as cache:  # cold caches: maps and assessments
                os.environ["DESIGNOPT_CACHE_DIR"] = cache
                target = out / f"physics_{workers}"
                shutil.rmtree(target, ignore_errors=True)
                res = run_sweep(spec, target, workers=workers, report=False)
                times[workers].append(res.timings["physics"])
                steps[workers] = {k: round(v, 2) for k, v in res.timings.items()}
    os.environ.pop("DESIGNOPT_CACHE_DIR", None)
    best = {w: min(t) for w, t in times.items()}  # the least disturbed run (shared cores)
    return {
        "designs": res.n_designs,
        "physics_scenarios": res.n_physics,
        "physics_s_1_worker": [round(t, 2) for t in times[1]],
        "physics_s_2_workers": [round(t, 2) for t in times[2]],
        "speed_up_best_of_runs": round(best[1] / best[2], 2),
        "steps_s_last_run": steps,
    }


def part_climates(out: Path, real: Path) -> dict:
    from designopt.sweep import load_sweep, run_sweep

    body = SAMPLE.format(n=10_000) + "[axes.climate]\nvalues = ['average', 'colder', 'warmer']\n"
    path = sweep_file(out / "climates.toml", real, body, batch_size=1000)
    with tempfile.TemporaryDirectory() as cache, PeakRSS() as mem:
        os.environ["DESIGNOPT_CACHE_DIR"] = cache
        t0 = time.perf_counter()
        res = run_sweep(load_sweep(path), out / "climates", workers=2, report=True)
        wall = time.perf_counter() - t0
    os.environ.pop("DESIGNOPT_CACHE_DIR", None)
    return {
        "designs": res.n_designs,
        "scenarios": res.n_scenarios * res.n_physics,
        "wall_s_incl_cluster_start_and_report": round(wall, 2),
        "steps_s": {k: round(v, 2) for k, v in res.timings.items()},
        "peak_rss_GiB": round(mem.peak / 2**30, 3),
    }


def part_kill(out: Path, real: Path) -> dict:
    import xarray as xr
    import zarr

    from designopt.sweep import load_sweep, run_sweep

    big = out / "study2000"
    if not (big / "performance.nc").is_file():
        replicate_study(real, big, 2000)
    path = sweep_file(out / "kill.toml", big, SAMPLE.format(n=10_000), batch_size=100)
    target = out / "kill"
    cmd = [sys.executable, "-m", "designopt", "sweep", str(path), "--out", str(target)]
    cmd += ["--workers", "2", "--no-progress", "--no-report", "--force"]
    proc = subprocess.Popen(
        cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    store = target / "sweep.zarr"
    deadline = time.monotonic() + 300
    done = 0
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            done = int(np.asarray(zarr.open_group(str(store), mode="r")["batch_done"][:]).sum())
        except Exception:  # the store is not there yet
            continue
        if done >= 20:
            break
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its Dask workers: a real kill -9
    proc.wait()
    flags = np.asarray(zarr.open_group(str(store), mode="r")["batch_done"][:], bool)
    marked = int(flags.sum())
    assert not (target / "sweep.nc").exists(), "a killed sweep left a sweep.nc"
    spec = load_sweep(path)
    again = run_sweep(spec, target, workers=2, report=False)
    clean = run_sweep(spec, out / "kill_clean", workers=2, report=False)
    a, b = xr.open_dataset(again.netcdf), xr.open_dataset(clean.netcdf)
    xr.testing.assert_identical(a.drop_attrs(), b.drop_attrs())
    return {
        "batches_total": again.batches_total,
        "marked_done_at_kill": marked,
        "computed_on_rerun": again.batches_run,
        "only_missing_recomputed": again.batches_run == again.batches_total - marked,
        "equal_to_uninterrupted_run": True,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "bench_sweep")
    ap.add_argument("--parts", default="valuation,overhead,physics,climates,kill")
    ap.add_argument("--trials", type=int, default=48, help="designs of the study replicated")
    ap.add_argument(
        "--physics-trials", type=int, default=300, help="designs of the physics parts' study"
    )
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    parts = args.parts.split(",")
    real = run_study(args.out / "study", args.trials)
    report = {}
    for name in parts:
        t0 = time.perf_counter()
        if name == "overhead":
            report[name] = part_overhead()
        elif name in ("physics", "climates"):
            study = run_study(args.out / f"study{args.physics_trials}", args.physics_trials)
            report[name] = globals()[f"part_{name}"](args.out, study)
        else:
            report[name] = globals()[f"part_{name}"](args.out, real)
        report[name]["part_s"] = round(time.perf_counter() - t0, 1)
        print(name, json.dumps(report[name]), flush=True)
    (args.out / "bench_sweep.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
