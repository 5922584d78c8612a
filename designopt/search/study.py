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
* **Many machines**: ``storage_url`` takes an RDB URL (PostgreSQL).  There "count, then ask"
  runs under a PostgreSQL advisory lock per study, shared by every machine.  A RUNNING trial
  may belong to a live worker elsewhere, so nothing is failed on resume; instead each worker
  records Optuna heartbeats for its trial, and a trial whose heartbeat is older than twice
  ``heartbeat_interval_s`` is failed and re-queued once (one warning line).  A worker that
  reaches the count while trials still run waits for them, so the count is exact.
* **Full disk**: see :mod:`designopt.search.journal`; ``ENOSPC`` ends the run with
  :class:`~designopt.errors.StorageFullError`, finished trials kept.
* **Signals**: the first SIGINT (Ctrl-C, or ``kill -INT`` to the parent alone) or SIGTERM asks
  the run to stop: the parent passes it on to its workers as SIGTERM, each worker finishes the
  trial it holds and stops, and :func:`run_study` raises
  :class:`~designopt.errors.StudyInterrupted` once all have stopped, so the caller can write the
  results of every finished trial.  A second SIGINT stops at once; the trials it cuts off are
  orphans, re-queued on resume.
* **Sampler history**: a resume may use another sampler or seed, and machines sharing a
  database run with seeds of their own; each is recorded (study user attribute
  ``designopt_runs``: sampler, seed and the first trial number of each run), so the results
  state every sampler that proposed trials.  A resume of a journal study that changes them is
  announced in one warning line.

Only :class:`~designopt.errors.DesignOptError` raised by ``evaluate`` is caught: it becomes a FAIL
trial with its reason in ``failure_reason``; any other exception is a bug and stops the study.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import math
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designopt.errors import (
    ConfigurationError,
    DesignOptError,
    DesignOptWarning,
    StorageFullError,
    StudyInterrupted,
)
from designopt.search.problem import Evaluation, Problem, suggest
from designopt.search.signals import EXIT_INTERRUPTED, StopSignals, exit_interrupted

SAMPLERS = ("nsga2", "nsga3", "tpe", "random", "qmc")

JOURNAL_NAME = "study.journal"
RUN_LOCK = "run.lock"
ASK_LOCK = "ask.lock"
ORPHAN_ATTR = "designopt_orphaned"
FAILURE_ATTR = "failure_reason"
METRICS_ATTR = "metrics"
PERFORMANCE_ATTR = "performance"
FINGERPRINT_ATTR = "designopt_fingerprint"
#: ``errno`` values meaning "no room left to write": disk full, disk quota exceeded.
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
#: Exit status of a forked worker that stopped because the disk was full.
EXIT_STORAGE_FULL = 28
#: User attribute of a trial enqueued again: the number of the orphan it replaces.
REQUEUED_ATTR = "requeued_from_trial"
#: Connections of one worker process's SQLAlchemy pool (main thread and heartbeat thread).
POOL_SIZE = 2
#: libpq TCP keepalives: the server notices a machine that vanished (and drops its locks)
#: within about a minute instead of the kernel default of two hours.
TCP_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}
#: How often a worker that waits for other workers' running trials looks again [s].
WAIT_POLL_S = 1.0
INITIAL_ATTR = "designopt_initial"
#: Study user attribute: one ``{"sampler", "seed", "first_trial"}`` per run that added trials.
RUNS_ATTR = "designopt_runs"


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
    heartbeat_interval_s
        With ``storage_url``: each worker records a heartbeat of its running trial this often
        [s]; a RUNNING trial whose heartbeat is older than twice this is taken as left by a
        dead worker, failed and re-queued (Optuna's heartbeat, ``RDBStorage``).
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
    heartbeat_interval_s: int = 20
    initial_population: bool = True

    def __post_init__(self) -> None:
        if self.sampler not in SAMPLERS:
            raise ConfigurationError(f"sampler={self.sampler!r} is not one of {SAMPLERS}")
        if not isinstance(self.n_trials, int) or self.n_trials < 1:
            raise ConfigurationError(f"n_trials={self.n_trials!r} must be a positive integer")
        if not isinstance(self.workers, int) or self.workers < 1:
            raise ConfigurationError(f"workers={self.workers!r} must be a positive integer")
        if not isinstance(self.heartbeat_interval_s, int) or self.heartbeat_interval_s < 1:
            raise ConfigurationError(
                f"heartbeat_interval_s={self.heartbeat_interval_s!r} must be a positive integer"
            )
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


def rdb_url(url: str) -> str:
    """``url`` with the driver designopt installs for PostgreSQL (psycopg 3) made explicit:
    SQLAlchemy 2.0 reads a bare ``postgresql://`` as psycopg2, 2.1 as psycopg."""
    import importlib.util

    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername == "postgresql" and importlib.util.find_spec("psycopg"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _engine_kwargs(url: str) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return {}
    kwargs: dict[str, Any] = {
        "pool_size": POOL_SIZE,  # the worker's main thread and its heartbeat thread
        "max_overflow": 0,
        "pool_pre_ping": True,  # a connection the server dropped is replaced, not used
    }
    if backend == "postgresql":
        kwargs["connect_args"] = dict(TCP_KEEPALIVES)
    return kwargs


class _RequeueStaleTrial:
    """Optuna's stale-trial callback: a trial whose worker stopped sending heartbeats (it has
    been failed already) is enqueued again, once, and reported in one warning line."""

    def __init__(self, grace_s: int):
        self.grace_s = grace_s

    def __call__(self, study, trial) -> None:
        cause = f"its worker sent no heartbeat for {self.grace_s} s (killed or cut off)"
        if trial.user_attrs.get(REQUEUED_ATTR) is not None:
            msg = f"trial {trial.number} was left RUNNING: {cause}; kept as FAIL (already a retry)"
        else:
            study.enqueue_trial(dict(trial.params), user_attrs={REQUEUED_ATTR: trial.number})
            msg = f"trial {trial.number} was left RUNNING: {cause}; marked FAIL and re-queued"
        warnings.warn(msg, DesignOptWarning, stacklevel=2)


def make_storage(settings: StudySettings):
    """The study's storage: the journal file in ``out_dir`` or the RDB at ``storage_url``
    (with heartbeats: a trial of a dead worker is failed and re-queued by the others)."""
    if settings.storage_url:
        # one RDBStorage (one connection pool) per process: a forked worker makes its own
        key = (os.getpid(), settings.storage_url, settings.heartbeat_interval_s)
        if key not in _RDB_STORAGES:
            _RDB_STORAGES[key] = _rdb_storage(settings)
        return _RDB_STORAGES[key]
    from designopt.search.journal import journal_storage

    return journal_storage(settings.out_dir / JOURNAL_NAME)


_RDB_STORAGES: dict[tuple[int, str, int], Any] = {}


def _rdb_storage(settings: StudySettings):
    import inspect

    import optuna

    url = rdb_url(settings.storage_url)
    params = inspect.signature(optuna.storages.RDBStorage).parameters
    callback = (  # renamed in Optuna 4.9
        "heartbeat_stale_trial_callback"
        if "heartbeat_stale_trial_callback" in params
        else "failed_trial_callback"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.storages.RDBStorage(
            url,
            engine_kwargs=_engine_kwargs(url),
            heartbeat_interval=settings.heartbeat_interval_s,
            grace_period=2 * settings.heartbeat_interval_s,
            **{callback: _RequeueStaleTrial(2 * settings.heartbeat_interval_s)},
        )


class _PostgresStudyLock:
    """A PostgreSQL advisory lock, one per study name and database: it serialises "count the
    trials, then ask for one" (and creating the tables and the study) across every machine.
    The server drops it when the holder's connection dies, even on ``kill -9``."""

    def __init__(self, url: str, study_name: str):
        import sqlalchemy

        self._engine = sqlalchemy.create_engine(
            rdb_url(url),
            poolclass=sqlalchemy.pool.NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args=dict(TCP_KEEPALIVES),
        )
        digest = hashlib.blake2b(f"designopt:{study_name}".encode(), digest_size=8).digest()
        self._key = int.from_bytes(digest, "big", signed=True)
        self._conn = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        from sqlalchemy import text

        if self._conn is None:
            self._conn = self._engine.connect()
        self._conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": self._key})
        try:
            yield
        finally:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._engine.dispose()


@contextlib.contextmanager
def _study_lock(settings: StudySettings) -> Iterator[Any]:
    """A lock factory for "count, then ask": a PostgreSQL advisory lock shared by every
    machine, or an ``flock`` on ``OUT/ask.lock`` (the journal, and other RDBs on one machine)."""
    from sqlalchemy.engine import make_url

    url = settings.storage_url
    if url and make_url(url).get_backend_name() == "postgresql":
        lock = _PostgresStudyLock(url, settings.study_name)
        try:
            yield lock.hold
        finally:
            lock.close()
    else:
        yield lambda: _flock(settings.out_dir / ASK_LOCK)


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


def orphan_numbers(trials) -> set[int]:
    """Numbers of the trials that do not count: failed because their worker died (found on
    resume, or by a stale heartbeat) and enqueued again."""
    from optuna.trial import TrialState

    out = {t.number for t in trials if t.state == TrialState.FAIL and t.user_attrs.get(ORPHAN_ATTR)}
    out.update(t.user_attrs[REQUEUED_ATTR] for t in trials if REQUEUED_ATTR in t.user_attrs)
    return out


def _tally(study) -> tuple[int, int]:
    """(trials that count towards the target, RUNNING trials).  All count but orphans and
    not-yet-started WAITING ones."""
    return _tally_of(study.get_trials(deepcopy=False))


def _tally_of(trials) -> tuple[int, int]:
    """:func:`_tally` of a list of trials already read."""
    from optuna.trial import TrialState

    orphans = orphan_numbers(trials)
    counted = sum(t.state != TrialState.WAITING and t.number not in orphans for t in trials)
    return counted, sum(t.state == TrialState.RUNNING for t in trials)


def _counted(study) -> int:
    return _tally(study)[0]


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
            study.enqueue_trial(dict(t.params), user_attrs={REQUEUED_ATTR: t.number})
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
        study.tell(trial, state=TrialState.FAIL, skip_if_finished=True)
        return
    for c in problem.constraints:
        trial.set_constraint(c.name, float(ev.constraints[c.name]))
    # skip_if_finished: another worker may fail the trial between the attributes and the tell
    study.tell(trial, problem.objective_values(ev), skip_if_finished=True)


def evaluate_safely(problem: Problem, params: dict[str, Any]) -> Evaluation:
    """Evaluate ``params``; a :class:`DesignOptError` becomes a failed :class:`Evaluation`."""
    try:
        return problem.check(problem.evaluate(params))
    except DesignOptError as exc:
        return Evaluation(failure=f"{type(exc).__name__}: {exc}")


@contextlib.contextmanager
def _heartbeat(storage, trial_id: int, interval_s: int) -> Iterator[None]:
    """Record the trial's heartbeat every ``interval_s`` in a thread while the block runs."""

    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(interval_s):
            storage.record_heartbeat(trial_id)

    thread = threading.Thread(target=beat, name=f"heartbeat-{trial_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _fail_stale_trials(study) -> None:
    """Fail the RUNNING trials whose heartbeat is stale (their callback re-queues them)."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)


def _worker(
    problem: Problem,
    settings: StudySettings,
    worker_id: int,
    parent_pid: int | None,
    stop: StopSignals,
) -> int:
    """Ask, evaluate and tell until the study holds ``n_trials`` or ``stop`` holds a signal.
    With heartbeats (RDB), a worker that reaches the count while other trials still run waits
    for them: they finish, or their heartbeat goes stale and this worker re-evaluates them, so
    the count is exact."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    storage = make_storage(settings)
    sampler = make_sampler(
        settings.sampler, seed=settings.seed + worker_id, population_size=settings.population_size
    )
    study = optuna.load_study(study_name=settings.study_name, storage=storage, sampler=sampler)
    beats = settings.storage_url is not None
    done = 0
    bar = (
        Progress(settings, study, problem)
        if (settings.progress and settings.workers == 1)
        else None
    )
    with _study_lock(settings) as lock:
        while stop.signal_name is None:
            if parent_pid is not None and os.getppid() != parent_pid:
                break  # the parent run was killed: stop, the next run resumes
            trial = None
            with lock():
                if beats:
                    _fail_stale_trials(study)
                counted, running = _tally(study)
                if counted < settings.n_trials:
                    with warnings.catch_warnings():  # heartbeats are recorded here, by hand
                        warnings.filterwarnings("ignore", "Heartbeat of storage is supposed")
                        trial = study.ask()
                        _join_generation(study, trial)
                    if beats:  # before the lock is released: a trial never runs unwatched
                        storage.record_heartbeat(trial._trial_id)
                elif not (beats and running):
                    break
            if trial is None:  # others' trials still run: wait for them, or for them to go stale
                time.sleep(WAIT_POLL_S)
                continue
            with (
                _heartbeat(storage, trial._trial_id, settings.heartbeat_interval_s)
                if beats
                else contextlib.nullcontext()
            ):
                params = suggest(trial, problem.variables)
                ev = evaluate_safely(problem, params)
                try:
                    _record(study, trial, problem, ev)
                except optuna.exceptions.UpdateFinishedTrialError:  # see the warning
                    warnings.warn(
                        f"trial {trial.number} was taken for dead by another worker (this one"
                        f" sent no heartbeat for {2 * settings.heartbeat_interval_s} s: suspended"
                        " or cut off) and re-queued; its result here is dropped, the re-queued"
                        " copy counts",
                        DesignOptWarning,
                        stacklevel=2,
                    )
                    continue
            done += 1
            if bar is not None:
                bar.add(trial.number, ev, problem)
    if bar is not None:
        bar.close()
    return done


def _short(v: float) -> str:
    """A number for the progress bar: 9,109 / 27.4 / 3.49."""
    return f"{v:,.0f}" if abs(v) >= 1000 else (f"{v:.1f}" if abs(v) >= 10 else f"{v:.3g}")


class Progress:
    """The tqdm bar of a run; its postfix shows the feasible trials so far and the best value
    of each objective among them (``feasible=12 capital_cost=9,109 net_present_cost=27,442``).

    Cheap: a worker adds each evaluation it records (:meth:`add`, no storage read); the parent
    of forked workers adds the trials it reads anyway to count them (:meth:`add_trials`, each
    trial once).  A resumed study starts from the trials already in the storage.
    """

    def __init__(self, settings: StudySettings, study, problem: Problem) -> None:
        from tqdm import tqdm

        self.names = [o.name for o in problem.objectives]
        self.signs = [-1.0 if d == "maximize" else 1.0 for d in problem.directions]
        self.best = [math.inf] * len(self.names)  # in minimisation space
        self.feasible = 0
        self.seen: set[int] = set()
        trials = study.get_trials(deepcopy=False)
        self.bar = tqdm(
            total=settings.n_trials,
            initial=_tally_of(trials)[0],
            unit="trial",
            desc="designopt",
            leave=True,
        )
        self.add_trials(trials)

    def _feasible(self, values) -> None:
        self.feasible += 1
        for j, v in enumerate(values):
            self.best[j] = min(self.best[j], self.signs[j] * float(v))

    def add(self, number: int, ev: Evaluation, problem: Problem) -> None:
        """Count the evaluation of trial ``number`` and advance the bar by one."""
        if number not in self.seen:
            self.seen.add(number)
            if ev.feasible:
                self._feasible(problem.objective_values(ev))
        self.bar.set_postfix_str(self.postfix(), refresh=False)
        self.bar.update(1)

    def add_trials(self, trials) -> None:
        """Count the finished trials not seen yet and set the bar to the trials that count."""
        from optuna.trial import TrialState

        for t in trials:
            if t.number in self.seen or t.state not in (TrialState.COMPLETE, TrialState.FAIL):
                continue
            self.seen.add(t.number)
            if t.state == TrialState.COMPLETE and t.values is not None:
                if all(c <= 0.0 for c in t.constraints.values()):
                    self._feasible(t.values)
        self.bar.n = _tally_of(trials)[0]
        self.bar.set_postfix_str(self.postfix(), refresh=False)
        self.bar.refresh()

    def postfix(self) -> str:
        parts = [f"feasible={self.feasible}"]
        for name, sign, best in zip(self.names, self.signs, self.best, strict=True):
            if math.isfinite(best):
                parts.append(f"{name}={_short(sign * best)}")
        return " ".join(parts)

    def close(self) -> None:
        self.bar.close()


def _finished_count(settings: StudySettings) -> int | None:
    """Finished trials in the storage (orphans excluded), or None if it cannot be read."""
    import optuna

    try:
        study = optuna.load_study(study_name=settings.study_name, storage=make_storage(settings))
        trials = study.get_trials(deepcopy=False)
        orphans = orphan_numbers(trials)
        return sum(t.state.is_finished() and t.number not in orphans for t in trials)
    except Exception:  # only a number for a message: never hide the disk-full error
        return None


def storage_full_error(settings: StudySettings, exc: OSError) -> StorageFullError:
    """The one-line error of a run that ran out of disk space (``exc``), saying what is kept."""
    n = _finished_count(settings)
    kept = "the finished trials are kept" if n is None else f"the {n} finished trials are kept"
    where = "in the database" if settings.storage_url else f"in {JOURNAL_NAME}"
    return StorageFullError(
        f"no space left on the disk holding {settings.out_dir} ({exc.strerror or exc}); {kept}"
        f" {where} and the run can be resumed: free some space and rerun the same command"
    )


def run_study(problem: Problem, settings: StudySettings):
    """Create or resume the study in ``settings.out_dir`` and run it to ``settings.n_trials``.

    Returns the :class:`optuna.Study`.  A full disk (``ENOSPC``, ``EDQUOT``) raises
    :class:`~designopt.errors.StorageFullError`; every finished trial is kept and rerunning
    resumes.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        return _run_study(problem, settings)
    except OSError as exc:
        if exc.errno not in FULL_ERRNOS:
            raise
        raise storage_full_error(settings, exc) from exc


def _set_aside_torn_tail(settings: StudySettings) -> None:
    from designopt.search.journal import set_aside_torn_tail

    journal = settings.out_dir / JOURNAL_NAME
    torn = set_aside_torn_tail(journal)
    if torn is not None:
        aside, n = torn
        warnings.warn(
            f"{journal} ended in a torn record ({n} bytes) left by a run stopped mid-write (disk"
            f" full or killed); moved to {aside.name}, resuming from the last complete record",
            DesignOptWarning,
            stacklevel=3,
        )


def _run_study(problem: Problem, settings: StudySettings):
    import optuna

    settings.out_dir.mkdir(parents=True, exist_ok=True)
    with _flock(settings.out_dir / RUN_LOCK, blocking=False) as got:
        if not got:
            raise ConfigurationError(
                f"another designopt run is working in {settings.out_dir}; wait for it or use another --out"
            )
        if not settings.storage_url:
            _remove_stale_journal_locks(settings.out_dir)
            _set_aside_torn_tail(settings)
        with _study_lock(settings) as lock, lock():  # one machine at a time creates the tables
            study = _open_study(problem, settings)
        if not settings.storage_url:
            # With an RDB shared by several machines a RUNNING trial may belong to a live worker
            # elsewhere: there, heartbeats find the dead ones; only the local journal (guarded
            # by the run lock) is cleaned here.
            requeue_orphans(study)
        with StopSignals() as stop:
            if settings.workers == 1:
                _worker(problem, settings, 0, None, stop)
            else:
                _run_parallel(problem, settings, study, stop)
        study = optuna.load_study(study_name=settings.study_name, storage=make_storage(settings))
        if stop.signal_name is not None:
            n = _counted(study)
            raise StudyInterrupted(
                f"interrupted by {stop.signal_name} after {n} of {settings.n_trials} trials; the"
                " finished trials are kept and the same command resumes the study",
                signal_name=stop.signal_name,
                study=study,
            )
        return study


def _where(settings: StudySettings) -> str:
    if settings.storage_url:
        from sqlalchemy.engine import make_url

        url = make_url(settings.storage_url).render_as_string(hide_password=True)
        return f"study {settings.study_name!r} in {url}"
    return str(settings.out_dir)


def _elsewhere(settings: StudySettings) -> str:
    if settings.storage_url:
        return "use another database in --storage"
    return "use another --out or delete the folder"


def _open_study(problem: Problem, settings: StudySettings):
    """Create the study, or load it and check it holds the same case."""
    import optuna

    study = optuna.create_study(
        study_name=settings.study_name,
        storage=make_storage(settings),
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
        study.set_user_attr(RUNS_ATTR, [_run_entry(settings, 0)])
    elif fp != problem.fingerprint:
        raise ConfigurationError(
            f"{settings.out_dir} holds a study of another case (fingerprint {fp} != {problem.fingerprint});"
            " use another --out or delete the folder"
        )
    else:
        _record_run(study, settings)
    if len(study.directions) != len(problem.objectives):
        raise ConfigurationError(
            f"{_where(settings)} holds a study with {len(study.directions)} objectives, the case has"
            f" {len(problem.objectives)}"
        )
    return study


def _run_entry(settings: StudySettings, first_trial: int) -> dict[str, Any]:
    return {"sampler": settings.sampler, "seed": settings.seed, "first_trial": first_trial}


def sampler_runs(study) -> list[dict[str, Any]]:
    """The runs that added trials to ``study``: ``[{"sampler", "seed", "first_trial"}, ...]``.

    A study written before the history was kept has one run, from its ``sampler``/``seed``."""
    runs = study.user_attrs.get(RUNS_ATTR)
    if runs is None:
        return [
            {
                "sampler": str(study.user_attrs.get("sampler", "")),
                "seed": int(study.user_attrs.get("seed", -1)),
                "first_trial": 0,
            }
        ]
    return list(runs)


def _record_run(study, settings: StudySettings) -> None:
    """On resume, add a run to the history if its sampler or seed differs from the last one."""
    runs = sampler_runs(study)
    last = runs[-1]
    if (last["sampler"], last["seed"]) == (settings.sampler, settings.seed):
        return
    first = len(study.get_trials(deepcopy=False))
    if first >= settings.n_trials:
        return  # nothing to add: the sampler proposes no trial
    study.set_user_attr(RUNS_ATTR, [*runs, _run_entry(settings, first)])
    if settings.storage_url:
        return  # machines sharing a database run with seeds of their own, at the same time
    warnings.warn(
        f"{_where(settings)} was run with sampler {last['sampler']} seed {last['seed']}; trials"
        f" from number {first} on are proposed by {settings.sampler} seed {settings.seed}"
        " (both are recorded in the results)",
        DesignOptWarning,
        stacklevel=4,
    )


def _worker_process(
    problem: Problem, settings: StudySettings, worker_id: int, parent_pid: int
) -> None:
    """A forked worker: a full disk ends it quietly with :data:`EXIT_STORAGE_FULL`, a second
    SIGINT with :data:`EXIT_INTERRUPTED`, so the parent reports one line for all workers."""
    try:
        # a second SIGINT leaves at once (os._exit: no traceback, even after the loop ended)
        with StopSignals(hard_stop=exit_interrupted, restore=False) as stop:
            _worker(problem, settings, worker_id, parent_pid, stop)
    except OSError as exc:
        if exc.errno in FULL_ERRNOS:
            sys.exit(EXIT_STORAGE_FULL)
        raise


def _run_parallel(problem: Problem, settings: StudySettings, study, stop: StopSignals) -> None:
    ctx = mp.get_context("fork")
    procs = [
        ctx.Process(target=_worker_process, args=(problem, settings, i, os.getpid()), daemon=False)
        for i in range(settings.workers)
    ]
    for p in procs:
        p.start()
    bar = Progress(settings, study, problem) if settings.progress else None
    passed_on = False
    try:
        while any(p.is_alive() for p in procs):
            time.sleep(0.2)
            if stop.signal_name is not None and not passed_on:
                # a signal to the parent alone (kill -INT, a scheduler's SIGTERM) reaches the
                # workers too; after Ctrl-C they already have it and SIGTERM changes nothing
                for p in procs:
                    if p.is_alive():
                        os.kill(p.pid, signal.SIGTERM)
                passed_on = True
            if bar is not None:
                bar.add_trials(study.get_trials(deepcopy=False))
    finally:
        for p in procs:
            if p.is_alive() and not passed_on:  # stopped at once: ask the workers to stop too
                os.kill(p.pid, signal.SIGTERM)
            p.join()
        if bar is not None:
            bar.add_trials(study.get_trials(deepcopy=False))
            bar.close()
    bad = [p.exitcode for p in procs if p.exitcode not in (0, EXIT_INTERRUPTED)]
    if EXIT_STORAGE_FULL in bad:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    if bad:
        raise RuntimeError(
            f"{len(bad)} worker process(es) crashed (exit codes {bad}); see the traceback above"
        )
