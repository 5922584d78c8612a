"""Stopping a study by signal, and resuming it with another sampler (issue 12, item 5).

A ``designopt run`` with forked workers must stop cleanly on Ctrl-C (SIGINT to the whole process
group, as a terminal sends it), on SIGINT to the parent alone (``kill -INT <pid>``) and on SIGTERM
(a batch scheduler): the workers end after their current trial, ``results.nc`` holds every
finished trial, one line says so and the exit status is 130 (128 + SIGINT, the shell's convention).
The run resumes by running the same command again.  These tests run the real command line on the
ASHP retrofit case study in a child process; a signal is sent once the journal holds some
finished trials.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xarray as xr

from designopt.results import RESULTS_NAME

CASE = Path(__file__).resolve().parents[1] / "casestudies" / "ashp_retrofit" / "case.toml"
#: far more trials than finish before the signal, however fast the machine
MANY = "20000"


def _finished(out: Path) -> int:
    """Trials finished in the study's journal (read with Optuna, as a second process would)."""
    import optuna

    from designopt.search.study import StudySettings, make_storage

    if not (out / "study.journal").exists():
        return 0
    try:
        st = optuna.load_study(
            study_name="designopt", storage=make_storage(StudySettings(out_dir=out, n_trials=1))
        )
    except KeyError:  # the journal exists a moment before the study is written into it
        return 0
    return sum(t.state.is_finished() for t in st.get_trials(deepcopy=False))


def _start(out: Path, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "designopt", "run", str(CASE), "--out", str(out), "--trials", MANY]
    cmd += ["--no-progress", "--no-report", *extra]
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )


def _wait_for_trials(proc: subprocess.Popen, out: Path, n: int = 8) -> None:
    deadline = time.monotonic() + 120
    while _finished(out) < n:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the study did not start within 120 s"
        time.sleep(0.2)


def _stop(proc: subprocess.Popen, send) -> tuple[int, str, str]:
    send()
    try:
        stdout, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # on the old code the workers run the whole study
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"the run did not stop within 60 s of the signal; stderr: {stderr[-500:]}")
    return proc.returncode, stdout, stderr


@pytest.mark.parametrize(
    "how",
    ["ctrl-c", "sigint-to-parent", "sigterm-to-parent", "ctrl-c-one-worker"],
)
def test_signal_stops_workers_and_writes_results(tmp_path, how):
    out = tmp_path / "out"
    proc = _start(out, "--workers", "1" if how.endswith("one-worker") else "2")
    _wait_for_trials(proc, out)
    send = {
        "ctrl-c": lambda: os.killpg(proc.pid, signal.SIGINT),  # a terminal signals the group
        "ctrl-c-one-worker": lambda: os.killpg(proc.pid, signal.SIGINT),
        "sigint-to-parent": lambda: os.kill(proc.pid, signal.SIGINT),
        "sigterm-to-parent": lambda: os.kill(proc.pid, signal.SIGTERM),
    }[how]
    rc, stdout, stderr = _stop(proc, send)
    assert rc == 130, stderr
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "interrupted" in lines[0], stderr
    assert "resume" in lines[0]
    with xr.open_dataset(out / RESULTS_NAME) as ds:
        n = int(ds.attrs["n_trials"])
        assert ds.attrs["stopped_by"] == ("SIGTERM" if "sigterm" in how else "SIGINT")
    # results.nc states the trials of the journal once every worker stopped: none still running
    assert 8 <= n == _finished(out) < int(MANY)
    assert f"{n} trials" in stdout


def _ctrl_c_twice(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)


@pytest.mark.parametrize("presses", [1, 2])
def test_interrupted_study_resumes_to_the_exact_count(tmp_path, presses):
    """Ctrl-C once stops after the current trials; twice stops at once (no results.nc, the cut
    trials are orphans).  Either way: one line, no traceback, and the resume reaches the count."""
    out = tmp_path / "out"
    proc = _start(out, "--workers", "2")
    _wait_for_trials(proc, out)
    send = (
        (lambda: os.killpg(proc.pid, signal.SIGINT))
        if presses == 1
        else lambda: _ctrl_c_twice(proc)
    )
    rc, _, stderr = _stop(proc, send)
    assert rc == 130
    assert "Traceback" not in stderr, stderr
    assert len(stderr.strip().splitlines()) == 1 and "interrupted" in stderr, stderr
    n = _finished(out)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "designopt",
            "run",
            str(CASE),
            "--out",
            str(out),
            "--trials",
            str(n + 6),
            "--no-progress",
            "--no-report",
            "--workers",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 3), done.stderr
    with xr.open_dataset(out / RESULTS_NAME) as ds:
        assert int(ds.attrs["n_trials"]) == n + 6
        assert "stopped_by" not in ds.attrs


def test_resume_with_another_sampler_and_seed_is_recorded(tmp_path):
    """A resume may change the sampler or seed (e.g. widen a random start with NSGA-II); it is
    announced in one warning line and results.nc states both runs, not the first alone."""
    out = tmp_path / "out"
    base = [
        sys.executable,
        "-m",
        "designopt",
        "run",
        str(CASE),
        "--out",
        str(out),
        "--no-progress",
        "--no-report",
    ]
    first = subprocess.run(
        base + ["--trials", "6", "--sampler", "random", "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode in (0, 3), first.stderr
    with xr.open_dataset(out / RESULTS_NAME) as ds:
        assert ds.attrs["sampler"] == "random" and int(ds.attrs["seed"]) == 3
    second = subprocess.run(
        base + ["--trials", "10", "--sampler", "tpe", "--seed", "4"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert second.returncode in (0, 3), second.stderr
    warnings = [line for line in second.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "random" in warnings[0] and "tpe" in warnings[0], second.stderr
    with xr.open_dataset(out / RESULTS_NAME) as ds:
        assert ds.attrs["sampler"] == "random, then tpe"
        assert int(ds.attrs["seed"]) == -1  # more than one: see search_history
        assert ds.attrs["search_history"] == (
            "random, seed 3 (from trial 0); tpe, seed 4 (from trial 6)"
        )
    # the same sampler and seed again: no warning, nothing added to the history
    third = subprocess.run(
        base + ["--trials", "12", "--sampler", "tpe", "--seed", "4"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "warning" not in third.stderr, third.stderr
    with xr.open_dataset(out / RESULTS_NAME) as ds:
        assert ds.attrs["search_history"].endswith("; tpe, seed 4 (from trial 6)")
        assert int(ds.attrs["n_trials"]) == 12


def test_a_hard_stop_waits_for_the_journal_record():
    """A second SIGINT while a journal record is written (``uninterrupted``) stops only once
    the record is complete; outside, it stops at once."""
    from designopt.search.signals import StopSignals, uninterrupted

    calls: list[str] = []
    stop = StopSignals(hard_stop=lambda: calls.append("stop"))
    stop._handle(signal.SIGINT, None)  # the first: a request only
    assert stop.signal_name == "SIGINT" and calls == []
    with uninterrupted():
        stop._handle(signal.SIGINT, None)
        assert calls == []  # the record is still being written
    assert calls == ["stop"]
    stop._handle(signal.SIGINT, None)
    assert calls == ["stop", "stop"]
