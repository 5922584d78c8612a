"""The journal file under a full disk or a kill mid-write (issue 12, item 1).

A write that fails half-way (ENOSPC) or a process killed inside ``write`` leaves a torn last
line in ``study.journal``.  Optuna skips a torn *last* line, but the next append lands after it,
and from then on every load of the journal raises ``JSONDecodeError``.  These tests tear the
journal of a small BNH study on purpose and check that a resume recovers every finished trial,
and that a run hitting ENOSPC stops with one line saying what is kept.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest
from optuna.storages.journal import JournalFileBackend

from designopt.cli import main
from designopt.errors import DesignOptError
from designopt.search import StudySettings, run_study
from designopt.search.study import JOURNAL_NAME, ORPHAN_ATTR
from designopt.search.testing import bnh_problem

TINY = Path(__file__).parent / "data" / "cases" / "tiny_air.toml"

TORN = b'{"op_code":9,"worker_id":'  # the tail measured after a disk-full run


def _plain_optuna_trials(out):
    """The trials as plain Optuna reads the journal (no designopt code involved)."""
    import optuna

    storage = optuna.storages.JournalStorage(JournalFileBackend(str(out / JOURNAL_NAME)))
    return optuna.load_study(study_name="designopt", storage=storage).trials


def _finished(out) -> dict[int, list[float]]:
    return {t.number: t.values for t in _plain_optuna_trials(out) if t.state.name == "COMPLETE"}


def _fail_write_on_call(monkeypatch, n: int) -> None:
    """Make the ``n``-th journal append write half of its first record, then raise ENOSPC,
    as ``write`` does when the disk fills up mid-record; later appends fail at once."""
    real = JournalFileBackend.append_logs
    calls = {"n": 0}

    def append_logs(self, logs):
        calls["n"] += 1
        if calls["n"] < n:
            return real(self, logs)
        if calls["n"] == n:
            data = json.dumps(logs[0], separators=(",", ":")).encode()
            with open(self._file_path, "ab") as f:
                f.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(JournalFileBackend, "append_logs", append_logs)


def test_torn_last_line_is_set_aside_and_the_study_resumes(tmp_path):
    """A torn last line (disk full or kill mid-write) is moved to a file next to the journal,
    the journal is cut back to its last whole record, and the resume keeps every trial."""
    problem = bnh_problem()
    run_study(problem, StudySettings(out_dir=tmp_path, n_trials=8, sampler="random", seed=1))
    before = _finished(tmp_path)
    assert len(before) == 8
    journal = tmp_path / JOURNAL_NAME
    whole = journal.read_bytes()
    with open(journal, "ab") as f:
        f.write(TORN)

    with pytest.warns(UserWarning, match=r"torn record .* moved to study\.journal\.torn-"):
        study = run_study(
            problem, StudySettings(out_dir=tmp_path, n_trials=12, sampler="random", seed=1)
        )
    assert len(study.trials) == 12
    after = _finished(tmp_path)  # plain Optuna reads the repaired journal
    assert len(after) == 12
    assert {k: after[k] for k in before} == before
    assert journal.read_bytes().startswith(whole)  # nothing before the torn bytes changed
    aside = sorted(tmp_path.glob(JOURNAL_NAME + ".torn-*"))
    assert len(aside) == 1
    assert aside[0].read_bytes() == TORN  # the torn bytes are kept, not deleted


def test_disk_full_mid_run_keeps_finished_trials_and_resumes(tmp_path, monkeypatch):
    """ENOSPC half-way through a journal write: the run stops with a StorageFullError naming
    the folder; the journal holds no torn record; the resume reaches the exact count and every
    trial finished before the failure is intact."""
    problem = bnh_problem()
    settings = StudySettings(out_dir=tmp_path, n_trials=12, sampler="random", seed=4)
    _fail_write_on_call(monkeypatch, 40)  # a few trials in (each trial appends ~6 records)
    with pytest.raises(OSError) as info:
        run_study(problem, settings)
    assert isinstance(info.value, DesignOptError)  # StorageFullError: one line in the CLI
    msg = str(info.value)
    assert "\n" not in msg
    assert str(tmp_path) in msg
    assert "finished trials are kept" in msg and "resume" in msg
    assert (tmp_path / JOURNAL_NAME).read_bytes().endswith(b"\n")
    before = _finished(tmp_path)
    assert 0 < len(before) < 12

    monkeypatch.undo()  # space freed
    study = run_study(problem, settings)
    trials = study.trials
    counted = [t for t in trials if not t.user_attrs.get(ORPHAN_ATTR)]
    assert len(counted) == 12
    assert all(t.state.name == "COMPLETE" for t in counted)
    after = _finished(tmp_path)
    assert {k: after[k] for k in before} == before


def test_disk_full_with_two_workers_is_one_error(tmp_path, monkeypatch):
    """Forked workers hitting ENOSPC end the run with the same StorageFullError (not 'worker
    crashed'); the resume completes the study."""
    problem = bnh_problem()
    settings = StudySettings(out_dir=tmp_path, n_trials=16, sampler="random", seed=2, workers=2)
    _fail_write_on_call(monkeypatch, 25)  # each forked worker counts its own appends
    with pytest.raises(DesignOptError, match="finished trials are kept"):
        run_study(problem, settings)
    monkeypatch.undo()
    study = run_study(problem, settings)
    counted = [t for t in study.trials if not t.user_attrs.get(ORPHAN_ATTR)]
    assert len(counted) == 16
    assert len({t.number for t in study.trials}) == len(study.trials)


def test_cli_run_on_full_disk_prints_one_line(tmp_path, monkeypatch, capsys):
    """``designopt run`` on a full disk: exit code 2 and one line on standard error naming the
    folder, saying the finished trials are kept and how to resume; no traceback.  The resume
    after a torn record warns in one line and completes the study."""
    out = tmp_path / "study"
    _fail_write_on_call(monkeypatch, 30)
    code = main(["run", str(TINY), "--out", str(out), "--no-progress", "--no-report"])
    err = capsys.readouterr().err
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert str(out) in lines[0]
    assert "finished trials are kept" in lines[0] and "rerun" in lines[0]

    monkeypatch.undo()  # space freed; then a kill mid-write tears the last record
    with open(out / JOURNAL_NAME, "ab") as f:
        f.write(TORN)
    code = main(["run", str(TINY), "--out", str(out), "--no-progress", "--no-report"])
    assert code in (0, 3)  # 3: no feasible design among 6 random trials is possible
    warned = [x for x in capsys.readouterr().err.splitlines() if "warning" in x]
    assert len(warned) == 1 and warned[0].startswith("designopt run: warning: "), warned
    assert "torn record" in warned[0] and "moved to study.journal.torn-" in warned[0]
    assert len([t for t in _plain_optuna_trials(out) if not t.user_attrs.get(ORPHAN_ATTR)]) == 6


def test_cli_results_file_on_full_disk_is_one_line(tmp_path, monkeypatch, capsys):
    """The study finishes but ``results.nc`` cannot be written: one line, no half-written
    file left, and the rerun writes the results."""
    import xarray as xr

    out = tmp_path / "study"

    def full(self, path, *args, **kwargs):
        Path(path).write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(xr.Dataset, "to_netcdf", full)
    code = main(["run", str(TINY), "--out", str(out), "--no-progress", "--no-report"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert str(out) in err and "the 6 finished trials are kept" in err
    assert not list(out.glob("*.nc*"))
    monkeypatch.undo()
    assert main(["run", str(TINY), "--out", str(out), "--no-progress", "--no-report"]) in (0, 3)
    assert (out / "results.nc").is_file()
