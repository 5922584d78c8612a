"""Run a resumable Optuna study over a :class:`~designopt.search.problem.Problem`.

Storage design (measured facts with Optuna 5.0.0 are in ``docs/search.md``):

* **Default: an Optuna JournalStorage file in the output folder**, opened through an absolute
  path.  Journal appends are atomic and cheap enough (tens of ms per trial on a 2-core machine,
  against ~150 ms for SQLite), and the journal is readable by plain Optuna.
* **One run per folder**: ``run_study`` takes an exclusive ``fcntl.flock`` on ``OUT/run.lock``.
  The kernel releases it when the process dies, even on ``kill -9``, so when a new run gets the
  lock, no process of an earlier run is alive.
* **Initial population**: a *new* study (no trial in the storage yet) whose problem has
  ``initial_designs`` enqueues ``min(population_size, n_trials)`` of them before the sampler
  proposes anything (user attribute ``designopt_initial``); a resumed or extended study never
  does, so its trials and their order stay as they were.
* **Resume**: a trial left RUNNING by a killed run is therefore an orphan.  The resume step marks
  it FAIL (user attribute ``designopt_orphaned``), and enqueues its parameters again, so the
  design is re-evaluated and no finished trial is lost (an orphan killed between ``ask`` and its
  first parameter has none; the sampler simply proposes anew).  Stale journal lock files are
  removed.
* **Exact trial count with N workers**: workers are forked processes sharing the journal; asking
  for a trial happens under a second ``flock`` (``OUT/ask.lock``) after counting the trials that
  count (every trial except orphans and enqueued WAITING ones), so the study stops at exactly the
  requested number.
* **Many machines**: ``storage_url`` takes an RDB URL (e.g. PostgreSQL).  There a RUNNING trial
  may belong to a live worker on another machine, so orphans are *not* re-queued automatically;
  the trial count still holds exactly (orphans count until failed by hand with
  :func:`requeue_orphans` once every worker has stopped).

Only :class:`~designopt.errors.DesignOptError` raised by ``evaluate`` is caught: it becomes a FAIL
trial with its reason in ``failure_reason``; any other exception is a bug and stops the study.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import multiprocessing as mp
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designopt.errors import ConfigurationError, DesignOptError
from designopt.search.problem import Evaluation, Problem, suggest

SAMPLERS = ("nsga2", "nsga3", "tpe", "random", "qmc")

JOURNAL_NAME = "study.journal"
RUN_LOCK = "run.lock"
ASK_LOCK = "ask.lock"
ORPHAN_ATTR = "designopt_orphaned"
FAILURE_ATTR = "failure_reason"
METRICS_ATTR = "metrics"
PERFORMANCE_ATTR = "performance"
FINGERPRINT_ATTR = "designopt_fingerprint"
INITIAL_ATTR = "designopt_initial"


@dataclass(frozen=True, kw_only=True)
class StudySettings:
    """How to run a study.

    Parameters
    ----------
    out_dir
        Output folder; holds the journal and the locks (created if missing).
    n_trials
        Total number of trials the study should hold (finished or failed, orphans excluded).
        Rerunning with the same number resumes; a larger number extends the study.
    sampler
        One of :data:`SAMPLERS`; NSGA-II by default.
    seed
        Sampler seed (worker ``i`` uses ``seed + i``).
    workers
        Number of processes on this machine.
    storage_url
        An Optuna RDB URL (``postgresql://...``) instead of the journal file.
    population_size
        NSGA-II/III population size.
    study_name
        Optuna study name inside the storage.
    progress
        Show a progress bar on standard error.
    initial_population
        Start a new study with the problem's ``initial_designs`` (if it has them).
    """

    out_dir: Path
    n_trials: int
    sampler: str = "nsga2"
    seed: int = 0
    workers: int = 1
    storage_url: str | None = None
    population_size: int = 50
    study_name: str = "designopt"
    progress: bool = False
    initial_population: bool = True

    def __post_init__(self) -> None:
        if self.sampler not in SAMPLERS:
            raise ConfigurationError(f"sampler={self.sampler!r} is not one of {SAMPLERS}")
        if not isinstance(self.n_trials, int) or self.n_trials < 1:
            raise ConfigurationError(f"n_trials={self.n_trials!r} must be a positive integer")
        if not isinstance(self.workers, int) or self.workers < 1:
            raise ConfigurationError(f"workers={self.workers!r} must be a positive integer")
        if self.population_size < 2:
            raise ConfigurationError(f"population_size={self.population_size!r} must be at least 2")
        object.__setattr__(self, "out_dir", Path(self.out_dir).expanduser().resolve())


def make_sampler(name: str, *, seed: int, population_size: int = 50):
    """Create the Optuna sampler ``name`` with an explicit seed."""
    import optuna

    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(population_size=population_size, seed=seed)
    if name == "nsga3":
        return optuna.samplers.NSGAIIISampler(population_size=population_size, seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "qmc":
        return optuna.samplers.QMCSampler(seed=seed, scramble=True)
    raise ConfigurationError(f"sampler={name!r} is not one of {SAMPLERS}")


def make_storage(settings: StudySettings):
    """The study's storage: the journal file in ``out_dir`` or the RDB at ``storage_url``."""
    import optuna
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock

    if settings.storage_url:
        # no heartbeat: Optuna records heartbeats only inside Study.optimize, and the workers
        # here use ask/tell
        return optuna.storages.RDBStorage(settings.storage_url)
    path = str(settings.out_dir / JOURNAL_NAME)  # absolute: relative lock paths spin after a kill
    return optuna.storages.JournalStorage(
        JournalFileBackend(path, lock_obj=JournalFileOpenLock(path))
    )


@contextlib.contextmanager
def _flock(path: Path, *, blocking: bool = True) -> Iterator[bool]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _counted(study) -> int:
    """Trials that count towards the target: all but orphans and not-yet-started WAITING ones."""
    from optuna.trial import TrialState

    n = 0
    for t in study.get_trials(deepcopy=False):
        if t.state == TrialState.WAITING:
            continue
        if t.state == TrialState.FAIL and t.user_attrs.get(ORPHAN_ATTR):
            continue
        n += 1
    return n


def _remove_stale_journal_locks(out_dir: Path) -> None:
    for p in out_dir.glob(JOURNAL_NAME + ".lock*"):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def requeue_orphans(study) -> int:
    """Fail every RUNNING trial (an orphan of a killed run) and enqueue its parameters again.

    Must only be called while no other process works on the study (``run_study`` holds the run
    lock).  Returns the number of re-queued trials.
    """
    from optuna.trial import TrialState

    n = 0
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        study._storage.set_trial_user_attr(t._trial_id, ORPHAN_ATTR, True)
        study.tell(t.number, state=TrialState.FAIL, skip_if_finished=True)
        if t.params:
            study.enqueue_trial(dict(t.params), user_attrs={"requeued_from_trial": t.number})
        n += 1
    return n


def enqueue_initial_population(study, problem: Problem, settings: StudySettings) -> int:
    """Enqueue the problem's initial designs into a new ``study``; returns how many.

    ``min(population_size, n_trials)`` designs from ``problem.initial_designs(variables, n, seed)``, each
    marked with the user attribute ``designopt_initial``; nothing without the hook or with
    ``settings.initial_population`` off.
    """
    if not settings.initial_population or problem.initial_designs is None:
        return 0
    n = min(settings.population_size, settings.n_trials)
    if settings.progress:
        print(f"designopt: choosing an initial population of {n} designs", file=sys.stderr)
    designs = problem.initial_designs(problem.variables, n, settings.seed)
    for d in designs:
        study.enqueue_trial(dict(d), user_attrs={INITIAL_ATTR: True})
    study.set_user_attr("initial_population", len(designs))
    return len(designs)


def _join_generation(study, trial) -> None:
    """Give an initial design its generation in a genetic sampler (NSGA-II/III).

    Optuna's genetic samplers assign a trial its generation only when they sample it; an
    enqueued design is not sampled, so it would belong to no generation and never be a parent
    (the sampler's own first ``population_size`` trials would form generation 0 instead).
    Asking the sampler now (``get_trial_generation``, which computes and stores it as sampling
    would) makes the initial population generation 0.  Only designs marked ``designopt_initial``
    are touched: re-queued orphans keep Optuna's behaviour, so resumed studies are unchanged.
    """
    sampler = study.sampler
    if not hasattr(sampler, "get_trial_generation"):
        return
    frozen = study._storage.get_trial(trial._trial_id)
    if frozen.user_attrs.get(INITIAL_ATTR):
        sampler.get_trial_generation(study, frozen)


def _record(study, trial, problem: Problem, ev: Evaluation) -> None:
    from optuna.trial import TrialState

    metrics = {k: (float(v) if isinstance(v, int | float) else v) for k, v in ev.metrics.items()}
    metrics = {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v)
        for k, v in metrics.items()
    }
    trial.set_user_attr(METRICS_ATTR, json.dumps(metrics))
    if ev.performance is not None:
        trial.set_user_attr(PERFORMANCE_ATTR, json.dumps(ev.performance))
    if ev.failure is not None:
        trial.set_user_attr(FAILURE_ATTR, ev.failure)
        study.tell(trial, state=TrialState.FAIL)
        return
    for c in problem.constraints:
        trial.set_constraint(c.name, float(ev.constraints[c.name]))
    study.tell(trial, problem.objective_values(ev))


def evaluate_safely(problem: Problem, params: dict[str, Any]) -> Evaluation:
    """Evaluate ``params``; a :class:`DesignOptError` becomes a failed :class:`Evaluation`."""
    try:
        return problem.check(problem.evaluate(params))
    except DesignOptError as exc:
        return Evaluation(failure=f"{type(exc).__name__}: {exc}")


def _worker(
    problem: Problem, settings: StudySettings, worker_id: int, parent_pid: int | None
) -> int:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    storage = make_storage(settings)
    sampler = make_sampler(
        settings.sampler, seed=settings.seed + worker_id, population_size=settings.population_size
    )
    study = optuna.load_study(study_name=settings.study_name, storage=storage, sampler=sampler)
    ask_lock = settings.out_dir / ASK_LOCK
    done = 0
    bar = _progress_bar(settings, study) if (settings.progress and settings.workers == 1) else None
    while True:
        if parent_pid is not None and os.getppid() != parent_pid:
            break  # the parent run was killed: stop, the next run resumes
        with _flock(ask_lock):
            if _counted(study) >= settings.n_trials:
                break
            trial = study.ask()
            _join_generation(study, trial)
        params = suggest(trial, problem.variables)
        ev = evaluate_safely(problem, params)
        _record(study, trial, problem, ev)
        done += 1
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return done


def _progress_bar(settings: StudySettings, study):
    from tqdm import tqdm

    return tqdm(
        total=settings.n_trials, initial=_counted(study), unit="trial", desc="designopt", leave=True
    )


def run_study(problem: Problem, settings: StudySettings):
    """Create or resume the study in ``settings.out_dir`` and run it to ``settings.n_trials``.

    Returns the :class:`optuna.Study`.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    with _flock(settings.out_dir / RUN_LOCK, blocking=False) as got:
        if not got:
            raise ConfigurationError(
                f"another designopt run is working in {settings.out_dir}; wait for it or use another --out"
            )
        if not settings.storage_url:
            _remove_stale_journal_locks(settings.out_dir)
        storage = make_storage(settings)
        study = optuna.create_study(
            study_name=settings.study_name,
            storage=storage,
            directions=problem.directions,
            load_if_exists=True,
        )
        fp = study.user_attrs.get(FINGERPRINT_ATTR)
        if fp is None and not study.get_trials(deepcopy=False):
            enqueue_initial_population(study, problem, settings)
        if fp is None:
            study.set_user_attr(FINGERPRINT_ATTR, problem.fingerprint)
            study.set_user_attr("objectives", [o.name for o in problem.objectives])
            study.set_user_attr("constraints", [c.name for c in problem.constraints])
            study.set_user_attr("sampler", settings.sampler)
            study.set_user_attr("seed", settings.seed)
        elif fp != problem.fingerprint:
            raise ConfigurationError(
                f"{settings.out_dir} holds a study of another case (fingerprint {fp} != {problem.fingerprint});"
                " use another --out or delete the folder"
            )
        if len(study.directions) != len(problem.objectives):
            raise ConfigurationError(
                f"{settings.out_dir} holds a study with {len(study.directions)} objectives, the case has"
                f" {len(problem.objectives)}"
            )
        if not settings.storage_url:
            # With an RDB shared by several machines a RUNNING trial may belong to a live worker
            # elsewhere: only the local journal (guarded by the run lock) is cleaned here.
            requeue_orphans(study)
        if settings.workers == 1:
            _worker(problem, settings, 0, None)
        else:
            _run_parallel(problem, settings, study)
        return optuna.load_study(study_name=settings.study_name, storage=make_storage(settings))


def _run_parallel(problem: Problem, settings: StudySettings, study) -> None:
    ctx = mp.get_context("fork")
    procs = [
        ctx.Process(target=_worker, args=(problem, settings, i, os.getpid()), daemon=False)
        for i in range(settings.workers)
    ]
    for p in procs:
        p.start()
    bar = _progress_bar(settings, study) if settings.progress else None
    try:
        while any(p.is_alive() for p in procs):
            time.sleep(0.5)
            if bar is not None:
                bar.n = _counted(study)
                bar.refresh()
    finally:
        for p in procs:
            p.join()
        if bar is not None:
            bar.n = _counted(study)
            bar.close()
    bad = [p.exitcode for p in procs if p.exitcode != 0]
    if bad:
        raise RuntimeError(
            f"{len(bad)} worker process(es) crashed (exit codes {bad}); see the traceback above"
        )
