"""The search machinery on the Binh-Korn problem (Deb 2001, Table 21): resumable storage, exact
trial counts with workers, failures recorded, infeasible designs kept off the front."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from designopt.errors import ConfigurationError
from designopt.results import from_study, load, write_atomic
from designopt.search import StudySettings, hypervolume, run_study
from designopt.search.study import ORPHAN_ATTR
from designopt.search.testing import bnh_problem


def _bnh_exact_front(n: int = 2001) -> np.ndarray:
    """Analytic Pareto front of BNH: x = y in [0, 3], then y = 3, x in [3, 5] (Deb 2001)."""
    a = np.linspace(0, 3, n)
    b = np.linspace(3, 5, n)
    xs = np.concatenate([a, b])
    ys = np.concatenate([a, np.full(n, 3.0)])
    return np.column_stack([4 * xs**2 + 4 * ys**2, (xs - 5) ** 2 + (ys - 5) ** 2])


def test_study_writes_dataset_with_units(tmp_path):
    problem = bnh_problem()
    study = run_study(
        problem, StudySettings(out_dir=tmp_path, n_trials=60, seed=3, population_size=20)
    )
    ds = from_study(study, problem)
    assert ds.sizes["trial"] == 60
    for name, var in ds.variables.items():
        assert "units" in var.attrs, name
        assert "long_name" in var.attrs, name
    assert ds.attrs["case_fingerprint"] == problem.fingerprint
    assert ds.attrs["sampler"] == "nsga2" and ds.attrs["seed"] == 3
    path = write_atomic(ds, tmp_path / "results.nc")
    back = load(path)
    assert back.sizes["trial"] == 60
    assert bool(back.pareto.any())
    assert not (tmp_path / "results.nc.tmp").exists()


def test_a_repeated_design_is_marked_and_counted_once_on_the_front():
    """A sampler may propose a design again (NSGA-II did so in 149 of 2,000 trials of the ASHP
    retrofit case): the repeat stays a trial, points to its first trial, and the Pareto set and
    its count hold each distinct design once."""
    from designopt.results import Record, from_records

    problem = bnh_problem()
    ev = problem.evaluate

    def rec(number, x, y):
        e = ev({"x": x, "y": y})
        values = [e.objectives[o.name] for o in problem.objectives]
        return Record(number, {"x": x, "y": y}, "COMPLETE", values, dict(e.constraints), {})

    records = [rec(0, 0.0, 0.0), rec(1, 5.0, 3.0), rec(2, 0.0, 0.0), rec(3, 2.0, 2.0)]
    ds = from_records(records, problem)
    assert ds["repeat_of"].values.tolist() == [-1, -1, 0, -1]
    assert ds.pareto.values.tolist() == [True, True, False, True]
    assert ds.attrs["n_pareto"] == 3


def test_nsga2_reaches_the_analytic_front(tmp_path):
    """Quality bound: 600 NSGA-II trials reach >= 95 % of the exact front's hypervolume."""
    problem = bnh_problem()
    study = run_study(
        problem, StudySettings(out_dir=tmp_path, n_trials=600, seed=1, population_size=40)
    )
    ds = from_study(study, problem, reference=[140.0, 50.0])
    ref = np.array([140.0, 50.0])
    exact = hypervolume(_bnh_exact_front(), ref)
    assert ds.attrs["hypervolume"] >= 0.95 * exact


def test_rerun_resumes_and_extends(tmp_path):
    problem = bnh_problem()
    run_study(problem, StudySettings(out_dir=tmp_path, n_trials=20, seed=1))
    study = run_study(problem, StudySettings(out_dir=tmp_path, n_trials=20, seed=1))
    assert len(study.trials) == 20
    study = run_study(problem, StudySettings(out_dir=tmp_path, n_trials=35, seed=1))
    assert len(study.trials) == 35


def test_other_case_in_same_folder_is_refused(tmp_path):
    run_study(bnh_problem(), StudySettings(out_dir=tmp_path, n_trials=5))
    with pytest.raises(ConfigurationError, match="holds a study of another case"):
        run_study(bnh_problem(fail_above_x=1.0), StudySettings(out_dir=tmp_path, n_trials=5))


def test_failures_are_recorded_not_raised(tmp_path):
    problem = bnh_problem(fail_above_x=2.5)
    study = run_study(
        problem, StudySettings(out_dir=tmp_path, n_trials=40, sampler="random", seed=2)
    )
    ds = from_study(study, problem)
    failed = ds.state == "FAIL"
    assert int(failed.sum()) > 0
    assert all(
        "above the test failure threshold" in r for r in ds.failure_reason.values[failed.values]
    )
    assert not bool((ds.pareto & failed).any())
    assert float(ds.x.where(ds.pareto).max()) <= 2.5


def test_infeasible_case_gives_empty_front(tmp_path):
    problem = bnh_problem(infeasible=True)
    study = run_study(problem, StudySettings(out_dir=tmp_path, n_trials=15, sampler="random"))
    ds = from_study(study, problem)
    assert int(ds.feasible.sum()) == 0
    assert int(ds.pareto.sum()) == 0
    assert ds.attrs["n_pareto"] == 0
    assert (ds.g_g1 > 0).all()


def test_two_workers_exact_count_unique_numbers(tmp_path):
    problem = bnh_problem(delay_s=0.01)
    study = run_study(problem, StudySettings(out_dir=tmp_path, n_trials=40, workers=2, seed=5))
    numbers = [t.number for t in study.trials]
    assert len(numbers) == 40
    assert len(set(numbers)) == 40
    assert all(t.state.name == "COMPLETE" for t in study.trials)


def test_second_concurrent_run_is_refused(tmp_path):
    from designopt.search.study import RUN_LOCK, _flock

    with _flock(tmp_path / RUN_LOCK):
        with pytest.raises(ConfigurationError, match="another designopt run"):
            run_study(bnh_problem(), StudySettings(out_dir=tmp_path, n_trials=3))


_SCRIPT = textwrap.dedent(
    """
    import sys
    from designopt.search import StudySettings, run_study
    from designopt.search.testing import bnh_problem
    run_study(bnh_problem(delay_s=0.05), StudySettings(out_dir=sys.argv[1], n_trials=int(sys.argv[2]), seed=1))
    """
)


def test_kill_9_mid_study_then_resume(tmp_path):
    """kill -9 a running study: finished trials survive, no trial stays RUNNING, the count is met."""
    import optuna

    from designopt.search.study import StudySettings as S
    from designopt.search.study import make_storage

    script = tmp_path / "run.py"
    script.write_text(_SCRIPT)
    out = tmp_path / "out"
    # 1,000 trials at 50 ms each: the kill comes long before the end, however loaded the machine
    proc = subprocess.Popen([sys.executable, str(script), str(out), "1000"])
    journal = out / "study.journal"
    deadline = time.monotonic() + 60
    settings = S(out_dir=out, n_trials=1000)

    def finished() -> int:
        if not journal.exists():
            return 0
        try:
            st = optuna.load_study(study_name="designopt", storage=make_storage(settings))
        except KeyError:
            # the child creates the journal file a moment before it writes the study into it;
            # a poll in between reads KeyError('Record does not exist.') (seen under load)
            return 0
        return sum(t.state.name == "COMPLETE" for t in st.get_trials(deepcopy=False))

    while finished() < 10 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    st = optuna.load_study(study_name="designopt", storage=make_storage(settings))
    before = {t.number: t.values for t in st.trials if t.state.name == "COMPLETE"}
    assert len(before) >= 10
    assert len(before) < 1000

    subprocess.run([sys.executable, str(script), str(out), "30"], check=True, timeout=120)
    st = optuna.load_study(study_name="designopt", storage=make_storage(settings))
    after = {t.number: t for t in st.trials}
    for number, values in before.items():  # every finished trial intact
        assert after[number].state.name == "COMPLETE"
        assert after[number].values == values
    assert not any(t.state.name == "RUNNING" for t in after.values())
    counted = [t for t in after.values() if not t.user_attrs.get(ORPHAN_ATTR)]
    assert len(counted) == max(30, len(before))
    orphans = [t for t in after.values() if t.user_attrs.get(ORPHAN_ATTR)]
    requeued = [t for t in after.values() if "requeued_from_trial" in t.user_attrs]
    assert len(orphans) <= 1
    # an orphan killed between ask() and its first suggest has no parameters to re-queue (seen
    # under load: 3 of 30 runs); one killed later is evaluated again with its parameters
    assert sorted(t.user_attrs["requeued_from_trial"] for t in requeued) == [
        t.number for t in orphans if t.params
    ]


def test_report_writes_figures_and_summary(tmp_path):
    from designopt.report import write_report

    problem = bnh_problem(fail_above_x=4.0)
    study = run_study(
        problem, StudySettings(out_dir=tmp_path, n_trials=40, sampler="random", seed=1)
    )
    ds = from_study(study, problem)
    paths = write_report(ds, tmp_path)
    for p in paths:
        assert p.stat().st_size > 200, p
    text = (tmp_path / "summary.md").read_text()
    assert "Pareto designs" in text
    assert "hypervolume" in text


def test_report_on_infeasible_study_says_so(tmp_path):
    from designopt.report import summary_markdown

    problem = bnh_problem(infeasible=True)
    study = run_study(problem, StudySettings(out_dir=tmp_path, n_trials=8, sampler="random"))
    assert "No feasible design" in summary_markdown(from_study(study, problem))


def test_grid_enumeration_and_discretised_study(tmp_path):
    """On a 21 x 21 grid of BNH, the exact front by enumeration weakly dominates every design
    a study of the discretised copy finds, and NSGA-II reaches >= 98 % of its hypervolume."""
    from designopt.results import from_records
    from designopt.search.grid import discretised, enumerate_designs, grid_designs

    problem = discretised(bnh_problem(), 21)
    designs = grid_designs(problem)
    assert len(designs) == 21 * 21
    exact = from_records(enumerate_designs(problem, designs, workers=2), problem)
    ref = [140.0, 50.0]
    front = exact[["f1", "f2"]].where(exact.pareto, drop=True).to_array().values.T
    hv_exact = hypervolume(front, ref)
    study = run_study(
        problem, StudySettings(out_dir=tmp_path, n_trials=300, seed=2, population_size=30)
    )
    ds = from_study(study, problem, reference=ref)
    found = np.column_stack([ds.f1.values[ds.pareto.values], ds.f2.values[ds.pareto.values]])
    from designopt.search import weakly_dominated

    assert weakly_dominated(found, front).all()
    assert ds.attrs["hypervolume"] >= 0.98 * hv_exact
    grid_x = set(np.round(np.linspace(0, 5, 21), 9))
    assert set(np.round(ds.x.values, 9)) <= grid_x


def test_rdb_storage_url(tmp_path):
    """An RDB URL (here SQLite; PostgreSQL in production) instead of the journal file: the study
    runs, resumes and keeps the fingerprint check."""
    url = f"sqlite:///{tmp_path / 'study.db'}"
    problem = bnh_problem()
    run_study(
        problem,
        StudySettings(out_dir=tmp_path / "out", n_trials=8, storage_url=url, sampler="random"),
    )
    study = run_study(
        problem,
        StudySettings(out_dir=tmp_path / "out", n_trials=12, storage_url=url, sampler="random"),
    )
    assert len(study.trials) == 12
    assert not (tmp_path / "out" / "study.journal").exists()
    with pytest.raises(ConfigurationError, match="holds a study of another case"):
        run_study(
            bnh_problem(fail_above_x=1.0),
            StudySettings(out_dir=tmp_path / "out", n_trials=3, storage_url=url),
        )


def test_int_variable_suggests_only_values_inside_its_bounds():
    """An int variable with non-integer bounds is sampled on the integers inside them, and a
    non-integer step (Optuna would raise ValueError mid-study) is refused at construction."""
    import optuna

    from designopt.search.problem import Variable, suggest

    v = Variable(name="n", kind="int", low=1.5, high=4.5)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    seen = set()
    for _ in range(40):
        trial = study.ask()
        seen.add(suggest(trial, [v])["n"])
        study.tell(trial, 0.0)
    assert seen == {2, 3, 4}
    with pytest.raises(ConfigurationError, match="step=0.5 must be a positive integer"):
        Variable(name="n", kind="int", low=1, high=10, step=0.5)
    with pytest.raises(ConfigurationError, match="no integer lies in"):
        Variable(name="n", kind="int", low=1.2, high=1.8)


def test_discretised_grid_stays_inside_the_bounds():
    """A step rounded up to 9 decimals put the top grid value above ``high`` (1 + 6 x
    0.166666667 = 2.000000002 for 7 points on [1, 2]): outside the design space, and outside
    a variable's physical range when ``high`` is its limit (e.g. speed_max <= 2)."""
    import dataclasses

    from designopt.search.grid import discretised, grid_designs
    from designopt.search.problem import Variable

    base = dataclasses.replace(
        bnh_problem(), variables=(Variable(name="x", kind="float", low=1.0, high=2.0),)
    )
    for n in (3, 4, 6, 7, 12):
        xs = [d["x"] for d in grid_designs(discretised(base, n))]
        assert len(xs) == n
        assert min(xs) == 1.0
        assert max(xs) <= 2.0
        assert max(xs) == pytest.approx(2.0, abs=1e-8)


class _Corner:
    """An ``initial_designs`` hook for BNH: ``n`` designs along the diagonal, shifted by seed."""

    def __init__(self):
        self.calls = 0

    def __call__(self, variables, n, seed):
        self.calls += 1
        return [{"x": 0.1 * (i + seed), "y": 0.1 * (i + seed)} for i in range(n)]


def test_only_a_new_study_gets_the_initial_population(tmp_path):
    """A new study starts with the hook's designs (min(population, trials) of them, in order);
    rerunning, extending or resuming never enqueues them again, and a study begun without
    them (e.g. by an earlier version) is resumed as it was."""
    import dataclasses

    from designopt.search.study import INITIAL_ATTR

    hook = _Corner()
    problem = dataclasses.replace(bnh_problem(), initial_designs=hook)
    s = StudySettings(out_dir=tmp_path / "new", n_trials=6, seed=2, population_size=4)
    study = run_study(problem, s)
    trials = sorted(study.trials, key=lambda t: t.number)
    marked = [t for t in trials if t.user_attrs.get(INITIAL_ATTR)]
    assert [t.number for t in marked] == [0, 1, 2, 3]
    assert [t.params for t in marked] == hook(problem.variables, 4, 2)
    # NSGA-II takes them as its generation 0 (the parents of the first children)
    gen = [t.system_attrs.get("NSGAIISampler:generation") for t in trials]
    assert gen == [0, 0, 0, 0, 1, 1]
    hook.calls = 0
    study = run_study(problem, dataclasses.replace(s, n_trials=12))
    assert len(study.trials) == 12 and hook.calls == 0
    assert sum(bool(t.user_attrs.get(INITIAL_ATTR)) for t in study.trials) == 4

    old = tmp_path / "old"
    run_study(problem, StudySettings(out_dir=old, n_trials=5, seed=2, initial_population=False))
    study = run_study(problem, StudySettings(out_dir=old, n_trials=9, seed=2))
    assert hook.calls == 0 and len(study.trials) == 9
    assert not any(t.user_attrs.get(INITIAL_ATTR) for t in study.trials)


def test_initial_population_with_few_trials_and_two_workers(tmp_path):
    """Fewer trials than the population: only that many are enqueued; two workers share them
    and the count stays exact."""
    import dataclasses

    hook = _Corner()
    problem = dataclasses.replace(bnh_problem(delay_s=0.01), initial_designs=hook)
    study = run_study(
        problem,
        StudySettings(out_dir=tmp_path, n_trials=3, seed=0, workers=2, population_size=10),
    )
    assert len(study.trials) == 3
    assert sorted(t.params["x"] for t in study.trials) == pytest.approx([0.0, 0.1, 0.2])
