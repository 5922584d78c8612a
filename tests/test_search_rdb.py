"""Studies shared by several processes (or machines) through a real PostgreSQL server
(issue 12, item 8).  The ``postgres_url`` fixture (conftest.py) gives each test a fresh database
on the server ``.ci/run`` started, or on a throwaway server the session starts itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import optuna

from designopt.results import load
from designopt.search.study import StudySettings, make_storage, orphan_numbers

TINY = Path(__file__).parent / "data" / "cases" / "tiny_air.toml"
TIMEOUT_S = 180  # generous: a bound against hanging, not a speed check


def _study(url: str):
    settings = StudySettings(out_dir=Path("/nonexistent"), n_trials=1, storage_url=url)
    return optuna.load_study(study_name="designopt", storage=make_storage(settings))


def _counted(trials) -> list:
    orphans = orphan_numbers(trials)
    return [t for t in trials if t.number not in orphans]


def _wait_for(what, predicate, procs=()):
    """Poll ``predicate`` until true; fail early if one of ``procs`` has ended."""
    deadline = time.monotonic() + TIMEOUT_S
    while not predicate():
        for p in procs:
            assert p.poll() is None, f"{what}: a process ended early ({p.returncode})"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.1)


def test_two_cli_runs_on_one_postgres_study_give_the_exact_count(postgres_url, tmp_path):
    """Two ``designopt run --storage postgresql://...`` processes with their own output folders
    (as on two machines; one with two workers) share a study: exactly the requested number of
    trials, unique numbers, none left RUNNING, and both write the whole study's results."""
    n = 10
    cmd = [sys.executable, "-m", "designopt", "run", str(TINY), "--storage", postgres_url]
    cmd += ["--trials", str(n), "--no-progress", "--no-report"]
    runs = [["--out", str(tmp_path / "a"), "--workers", "2", "--seed", "1"]]
    runs += [["--out", str(tmp_path / "b"), "--seed", "2"]]
    procs = [subprocess.Popen([*cmd, *r], stderr=subprocess.PIPE, text=True) for r in runs]
    errs = [p.communicate(timeout=TIMEOUT_S)[1] for p in procs]
    codes = [p.returncode for p in procs]
    assert all(c in (0, 3) for c in codes), (codes, errs)  # 3: no feasible design in 10
    assert not any("Warning" in e or "Traceback" in e for e in errs), errs
    trials = _study(postgres_url).get_trials(deepcopy=False)
    numbers = [t.number for t in trials]
    assert len(numbers) == len(set(numbers)) == n
    assert all(t.state.is_finished() for t in trials)
    assert len(_counted(trials)) == n
    for out in ("a", "b"):
        assert load(tmp_path / out / "results.nc").sizes["trial"] == n


_WORKER = textwrap.dedent(
    """
    import dataclasses, sys, time, warnings
    from pathlib import Path
    from designopt.errors import DesignOptWarning
    from designopt.search import StudySettings, run_study
    from designopt.search.testing import bnh_problem

    role, url, out, n = sys.argv[1:5]
    problem = bnh_problem()
    if role == "victim":  # starts one trial and hangs in it until killed or released
        evaluate = problem.evaluate
        def hang(params):
            Path(out, "started").write_text("x")
            while not Path(out, "release").exists():
                time.sleep(0.05)
            return evaluate(params)
        problem = dataclasses.replace(problem, evaluate=hang)
    settings = StudySettings(
        out_dir=out, n_trials=int(n), storage_url=url, sampler="random",
        seed=7 if role == "victim" else 8, heartbeat_interval_s=1,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_study(problem, settings)
    for w in caught:
        if issubclass(w.category, DesignOptWarning):
            print("WARNING:", w.message)
    """
)


def _start_victim(tmp_path, postgres_url: str, n: int):
    """Start the victim worker of an ``n``-trial study and wait until it runs its trial;
    return ``start(role, out)`` for the survivor, the victim process and the survivor's folder."""
    script = tmp_path / "worker.py"
    script.write_text(_WORKER)
    victim_out, survivor_out = tmp_path / "victim", tmp_path / "survivor"
    victim_out.mkdir()

    def start(role, out):
        args = [sys.executable, str(script), role, postgres_url, str(out), str(n)]
        return subprocess.Popen(args, stdout=subprocess.PIPE, text=True)

    victim = start("victim", victim_out)
    _wait_for("the victim to start its trial", (victim_out / "started").exists, [victim])
    return start, victim, survivor_out


def test_worker_killed_mid_trial_is_detected_and_its_trial_rerun(postgres_url, tmp_path):
    """SIGKILL one worker while it evaluates a trial and a second worker is running: the
    second worker does not stop at the count while that trial hangs RUNNING; once its
    heartbeat is stale it marks it FAIL with one warning line, re-evaluates its parameters,
    and the study ends with exactly the requested count."""
    n = 8
    start, victim, survivor_out = _start_victim(tmp_path, postgres_url, n)
    study = _study(postgres_url)
    (hung,) = study.get_trials(deepcopy=False)
    survivor = start("survivor", survivor_out)

    def survivor_done_with_the_rest():
        trials = study.get_trials(deepcopy=False)
        return sum(t.state.is_finished() for t in trials) >= n - 1

    _wait_for("the survivor's trials", survivor_done_with_the_rest, [survivor, victim])
    assert study.get_trials(deepcopy=False)[hung.number].state.name == "RUNNING"  # alive: kept
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=TIMEOUT_S)

    out, _ = survivor.communicate(timeout=TIMEOUT_S)
    assert survivor.returncode == 0
    warnings_ = [line for line in out.splitlines() if line.startswith("WARNING:")]
    assert len(warnings_) == 1, out
    assert f"trial {hung.number} " in warnings_[0] and "re-queued" in warnings_[0]

    trials = study.get_trials(deepcopy=False)
    assert not any(t.state.name in ("RUNNING", "WAITING") for t in trials)
    assert trials[hung.number].state.name == "FAIL"
    assert orphan_numbers(trials) == {hung.number}
    counted = _counted(trials)
    assert len(counted) == n
    assert all(t.state.name == "COMPLETE" for t in counted)
    rerun = [t for t in counted if t.params == hung.params]
    assert len(rerun) == 1 and rerun[0].number > hung.number


def test_worker_suspended_past_its_heartbeat_drops_its_late_result(postgres_url, tmp_path):
    """A worker stopped (SIGSTOP) mid-trial for longer than the grace period is taken for dead
    and its trial re-run by another; when it continues, its late result is dropped with one
    warning (no crash), and the count stays exact."""
    n = 6
    start, victim, survivor_out = _start_victim(tmp_path, postgres_url, n)
    os.kill(victim.pid, signal.SIGSTOP)
    survivor = start("survivor", survivor_out)
    out, _ = survivor.communicate(timeout=TIMEOUT_S)  # ends once the stale trial is re-run
    assert survivor.returncode == 0
    assert sum(line.startswith("WARNING:") for line in out.splitlines()) == 1, out
    (tmp_path / "victim" / "release").write_text("x")
    os.kill(victim.pid, signal.SIGCONT)
    out, _ = victim.communicate(timeout=TIMEOUT_S)
    assert victim.returncode == 0
    late = [line for line in out.splitlines() if line.startswith("WARNING:")]
    assert len(late) == 1 and "taken for dead" in late[0] and "dropped" in late[0], out
    trials = _study(postgres_url).get_trials(deepcopy=False)
    assert len(_counted(trials)) == n
    assert all(t.state.name == "COMPLETE" for t in _counted(trials))


def test_postgres_connection_pool_is_bounded(postgres_url, tmp_path):
    """Each worker process opens at most the connections docs/search.md states: a pool of 2
    (main thread, heartbeat thread) with no overflow, plus one for the study lock."""
    settings = StudySettings(out_dir=tmp_path, n_trials=1, storage_url=postgres_url)
    storage = make_storage(settings)
    pool = storage.engine.pool
    assert pool.size() == 2
    assert pool._max_overflow == 0
    assert storage.get_heartbeat_interval() == settings.heartbeat_interval_s
