"""The report of a study (designopt.report): marked designs, constraint diagnostics, exports,
figures, the interactive page, the progress bar and the dashboard.

Most checks run on a small synthetic results Dataset whose answers are worked out by hand in
``_study`` below; two run a real study (the Binh-Korn problem; a tiny air case that no design
can satisfy).
"""

from __future__ import annotations

import io
import json
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from designopt.errors import ConfigurationError
from designopt.report import (
    blocking_text,
    constraint_diagnostics,
    design_table,
    knee_index,
    markers,
    pareto_html,
    pareto_table,
    summary_markdown,
    write_report,
)
from designopt.report.labels import axis_label
from designopt.report.tables import shown_rows
from designopt.results import Record, from_records
from designopt.search.problem import (
    Constraint,
    Direction,
    Objective,
    Problem,
    Variable,
    VariableKind,
)

CASES = Path(__file__).parent / "data" / "cases"


def _problem() -> Problem:
    return Problem(
        name="synthetic",
        variables=(
            Variable(name="area_m2", kind=VariableKind.FLOAT, low=1.0, high=100.0, unit="m2"),
            Variable(name="refrigerant", kind=VariableKind.CATEGORICAL, choices=("R290", "R32")),
        ),
        objectives=(
            Objective(name="capital_cost", direction=Direction.MINIMIZE, unit="EUR"),
            Objective(name="net_present_cost", direction=Direction.MINIMIZE, unit="EUR"),
        ),
        constraints=(Constraint(name="noise"), Constraint(name="capacity")),
        evaluate=lambda params: None,  # never called: the records are given
        metric_units={"noise_margin_dB": "dB"},
        fingerprint="synthetic",
    )


#: trial: (area, refrigerant, capital, NPC, g_noise, g_capacity, noise margin [dB]); None: failed.
_TRIALS = {
    0: (10.0, "R290", 100.0, 500.0, -0.1, -0.1, -3.0),
    1: (20.0, "R290", 200.0, 300.0, -0.1, -0.2, -2.0),
    2: (15.0, "R32", 150.0, 350.0, -0.2, -0.1, -4.0),
    3: (40.0, "R290", 400.0, 250.0, -0.3, -0.3, -5.0),
    4: (5.0, "R290", 90.0, 600.0, 0.05, -0.2, 1.5),  # noise alone
    5: (30.0, "R32", 300.0, 280.0, 0.2, 0.5, 6.0),  # noise and capacity
    6: (15.0, "R32", 150.0, 350.0, -0.2, -0.1, -4.0),  # the design of trial 2 again
    7: (25.0, "R290", 250.0, 400.0, -0.1, -0.1, -1.0),  # feasible, dominated by trial 1
    8: None,
}


def _study(trials=_TRIALS, **attrs):
    """A results Dataset of the synthetic study.  By hand:

    * feasible distinct designs 0, 1, 2, 3, 7; Pareto set 0, 2, 1, 3 (7 is dominated by 1);
    * cheapest compliant 0 (capital 100); lowest lifetime cost 3 (NPC 250);
    * knee: over the front, capital spans 100..400 and NPC 250..500, so trials 0, 2, 1, 3 sit
      at (0, 1), (1/6, 0.4), (1/3, 0.2), (1, 0); the distance |x + y - 1| / sqrt(2) to the line
      joining the extremes is 0, 0.306, 0.330, 0: the knee is trial 1;
    * of the 7 distinct evaluated designs (6 repeats 2, 8 failed) noise is violated by 4 and 5,
      by 4 alone, least by 4 (0.05, 1.5 dB); capacity by 5 only (0.5 of the load: 3 kW of 6).
    """
    records = []
    for n, t in trials.items():
        if t is None:
            records.append(
                Record(n, {"area_m2": 99.0, "refrigerant": "R32"}, "FAIL", None, {}, {}, "no point")
            )
            continue
        area, ref, cap, npc, gn, gc, margin = t
        records.append(
            Record(
                number=n,
                params={"area_m2": area, "refrigerant": ref},
                state="COMPLETE",
                values=[cap, npc],
                constraints={"noise": gn, "capacity": gc},
                metrics={"noise_margin_dB": margin},
            )
        )
    ds = from_records(records, _problem())
    ds.attrs.update({"lifetime_years": 15, "design_heat_load_kW": 6.0, "title": "Test house"})
    ds.attrs.update(attrs)
    return ds


# ------------------------------------------------------------------------------ markers, knee
def test_summary_warns_when_a_marked_designs_heat_pump_covers_little_of_the_load():
    """Cheapest compliant trial 0 covers 30 % (< 50 %): warned; the knee (1) and the lowest
    lifetime cost (3) cover 80 % and 120 %: not warned."""
    ds = _study()
    cov = np.array([0.3, 0.8, 0.6, 1.2, 0.1, 0.9, 0.6, 0.7, np.nan])
    ds["heat_pump_coverage"] = ("trial", cov, {"units": "1", "role": "metric"})
    text = summary_markdown(ds)
    warned = [line for line in text.splitlines() if line.startswith("- **Warning**")]
    assert len(warned) == 1 and "(trial 0) covers only 30%" in warned[0]
    assert "Warning" not in summary_markdown(_study())  # no coverage metric: no warning


def test_markers_match_the_hand_computed_designs():
    ds = _study()
    assert list(np.flatnonzero(ds.pareto.values)) == [0, 1, 2, 3]
    got = {m.key: m.trial for m in markers(ds)}
    assert got == {"cheapest": 0, "knee": 1, "lifetime": 3}


def test_knee_is_the_point_farthest_from_the_line_joining_the_extremes():
    pts = np.array([[100.0, 500.0], [150.0, 350.0], [200.0, 300.0], [400.0, 250.0]])
    assert knee_index(pts) == 2
    assert knee_index(pts[:2]) is None  # two points have no knee
    assert knee_index(np.array([[0.0, 2.0], [1.0, 1.0], [2.0, 0.0]])) is None  # a straight front


def test_a_maximised_objective_is_turned_before_the_knee():
    """Same front with the second objective maximised (values negated): same knee."""
    ds = _study()
    ds["net_present_cost"] = -ds["net_present_cost"]
    ds["net_present_cost"].attrs.update(direction="maximize", role="objective", units="EUR")
    assert {m.key: m.trial for m in markers(ds)}["knee"] == 1


# ------------------------------------------------------------------------------ diagnostics
def test_constraint_diagnostics_count_the_known_violations():
    diag = {d.name: d for d in constraint_diagnostics(_study())}
    noise, cap = diag["noise"], diag["capacity"]
    assert (noise.evaluated, noise.violated, noise.alone) == (7, 2, 1)
    assert (noise.smallest, noise.closest_trial, noise.physical) == (0.05, 4, 1.5)
    assert noise.closest_text() == "trial 4: 1.5 dB above the noise limit at the worst receiver"
    assert (cap.violated, cap.alone, cap.closest_trial) == (1, 0, 5)
    assert cap.physical == pytest.approx(3.0) and cap.unit == "kW"


def test_without_a_physical_scale_the_scaled_value_is_given():
    ds = _study()
    del ds.attrs["design_heat_load_kW"]
    cap = {d.name: d for d in constraint_diagnostics(ds)}["capacity"]
    assert np.isnan(cap.physical)
    assert cap.closest_text() == "trial 5: 0.5 (scaled)"


def test_an_infeasible_study_names_the_blocking_constraints():
    trials = {n: t for n, t in _TRIALS.items() if t is None or t[4] > 0}  # trials 4, 5, 8
    ds = _study(trials)
    assert ds.attrs["n_feasible"] == 0
    text = blocking_text(ds)
    assert text.startswith("blocked by noise (violated by every design, 1 by it alone;")
    assert "capacity (violated by 1 of 2 designs; closest trial 5: 3.0 kW short" in text
    assert text.endswith("relax noise and capacity or widen the design space")
    md = summary_markdown(ds)
    assert "**No feasible design was found**: blocked by noise" in md
    assert "| noise | 2 | 1 | 0.05 | trial 4: 1.5 dB above the noise limit" in md
    assert "1 x no point" in md


# ------------------------------------------------------------------------------ exports
def test_pareto_and_feasible_exports_hold_each_distinct_design_once(tmp_path):
    ds = _study()
    paths = write_report(ds, tmp_path)
    pareto = pd.read_csv(tmp_path / "pareto_designs.csv")
    assert list(pareto["trial"]) == [0, 2, 1, 3]  # by capital cost
    assert list(pareto["trials (identical designs)"].astype(str)) == ["0", "2; 6", "1", "3"]
    assert list(pareto["marker"].fillna("")) == [
        "Cheapest compliant design",
        "",
        "Knee of the front",
        "Lowest lifetime cost",
    ]
    assert list(pareto.columns[3:]) == [
        "area_m2 [m2]",
        "refrigerant",
        "capital_cost [EUR]",
        "net_present_cost [EUR]",
        "g_noise [-]",
        "g_capacity [-]",
        "noise_margin_dB [dB]",
    ]
    assert list(pareto["capital_cost [EUR]"]) == [100.0, 150.0, 200.0, 400.0]
    assert list(pareto["refrigerant"]) == ["R290", "R32", "R290", "R290"]
    feasible = pd.read_csv(tmp_path / "feasible_designs.csv")
    assert list(feasible["trial"]) == [0, 2, 1, 7, 3]
    book = pd.read_excel(tmp_path / "designs.xlsx", sheet_name=None)
    assert list(book) == ["Pareto designs", "Feasible designs", "Constraints", "About"]
    pd.testing.assert_frame_equal(
        book["Pareto designs"].fillna(""), pareto.fillna(""), check_dtype=False
    )
    assert list(book["Feasible designs"]["trial"]) == [0, 2, 1, 7, 3]
    cons = book["Constraints"].set_index("constraint")
    assert cons.loc["noise", "designs violating it"] == 2
    assert cons.loc["noise", "closest trial"] == 4
    assert cons.loc["capacity", "smallest violation [physical]"] == pytest.approx(3.0)
    # every file went into the output folder, nothing elsewhere
    assert {p.parent for p in paths} == {tmp_path}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


def test_summary_lists_identical_designs_once_with_their_trials():
    md = summary_markdown(_study())
    assert "All 4 distinct designs; also in pareto_designs.csv" in md
    assert "| 2 (= 2, 6) |" in md
    assert md.count("| 6 ") == 0
    assert "- **Knee of the front**: trial 1" in md


def test_a_long_front_is_shortened_evenly_and_says_so(tmp_path):
    """45 Pareto designs on a straight front: 20 rows, both ends, even spacing, the counts;
    no constraint is violated anywhere."""
    trials = {
        n: (float(n + 1), "R290", 100.0 + n, 1000.0 - 3 * n, -0.1, -0.1, -1.0) for n in range(45)
    }
    ds = _study(trials)
    rows = pareto_table(ds)
    shown = [int(r["trial"]) for r in rows]
    assert len(shown) == 20 and shown[0] == 0 and shown[-1] == 44
    assert max(np.diff(shown)) <= 3
    md = summary_markdown(ds)
    assert "20 of 45 distinct designs shown, spread evenly along the front" in md
    assert "all in pareto_designs.csv and designs.xlsx" in md
    write_report(ds, tmp_path)
    assert len(pd.read_csv(tmp_path / "pareto_designs.csv")) == 45
    cons = pd.read_excel(tmp_path / "designs.xlsx", sheet_name="Constraints")
    assert list(cons["designs violating it"]) == [0, 0]


def test_shown_rows_keep_the_marked_designs_and_both_ends():
    assert shown_rows(10, [4], max_rows=4) == [0, 2, 4, 9]
    assert shown_rows(5, [], max_rows=20) == [0, 1, 2, 3, 4]
    rows = shown_rows(100, [37, 38], max_rows=10)
    assert len(rows) == 10 and {0, 37, 38, 99} <= set(rows)


# ------------------------------------------------------------------------------ figures, page
def test_axis_labels_name_the_quantity_unit_and_horizon():
    ds = _study()
    assert axis_label(ds, "net_present_cost") == "15-year net present cost [EUR]"
    assert axis_label(ds, "capital_cost") == "Capital cost [EUR]"
    del ds.attrs["lifetime_years"]
    assert axis_label(ds, "net_present_cost") == "Net present cost over the lifetime [EUR]"


def test_interactive_page_is_self_contained_with_hover_and_markers(tmp_path):
    ds = _study()
    text = pareto_html(ds, tmp_path / "front.html").read_text(encoding="utf-8")
    assert "<title>Test house</title>" in text
    assert not re.search(r"<script[^>]+src=", text)  # plotly.js is inline: works offline
    assert "Plotly.newPlot" in text
    data = json.loads(
        re.search(r"Plotly\.newPlot\(\s*\"pareto-front\",\s*(\[.*?\]),\s*\{", text, re.S)[1]
    )
    names = [t["name"] for t in data]
    assert "Cheapest compliant design (trial 0)" in names
    assert "Knee of the front (trial 1)" in names
    assert "Lowest lifetime cost (trial 3)" in names
    hover = " ".join(h for t in data for h in t.get("text", []) if isinstance(h, str))
    assert "trial 2</b> (same design: trials 2, 6)" in hover
    assert "area_m2 [m2]: 15.0" in hover and "15-year net present cost [EUR]: 350" in hover
    assert "violates: noise, capacity" in hover


def test_report_writes_every_file_and_titles_it(tmp_path):
    ds = _study()
    names = sorted(p.name for p in write_report(ds, tmp_path))
    assert names == sorted(
        [
            "pareto_front.png",
            "pareto_front.html",
            "constraints.png",
            "parallel_coordinates.png",
            "history.png",
            "pareto_designs.csv",
            "feasible_designs.csv",
            "designs.xlsx",
            "summary.md",
        ]
    )
    for name in names:
        assert (tmp_path / name).stat().st_size > 200, name
    assert (tmp_path / "summary.md").read_text().startswith("# Test house\n")


def test_bad_input_gives_one_line_errors(tmp_path):
    ds = _study()
    with pytest.raises(ConfigurationError, match="does not exist"):
        write_report(ds, tmp_path / "missing")
    with pytest.raises(ConfigurationError, match=r"the results lack \['pareto'\]"):
        write_report(ds.drop_vars("pareto"), tmp_path)
    with pytest.raises(ValueError, match="which='all' must be 'pareto' or 'feasible'"):
        design_table(ds, "all")
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ case title
def test_case_title_falls_back_and_leaves_the_fingerprint_alone():
    from designopt.case import Case
    from designopt.results import case_attrs

    data = tomllib.loads((CASES / "tiny_air_quiet.toml").read_text())
    case = Case.model_validate(data)
    titled = Case.model_validate({**data, "title": "Quiet house", "description": "a house"})
    assert case.report_title == "tiny_air_quiet"
    assert Case.model_validate({**data, "description": "a house"}).report_title == "a house"
    assert titled.report_title == "Quiet house"
    assert titled.fingerprint() == case.fingerprint()
    attrs = case_attrs(titled)
    assert attrs["title"] == "Quiet house" and attrs["lifetime_years"] == 20
    assert attrs["design_heat_load_kW"] == 6.0 and "gwp_cap" not in attrs


# ------------------------------------------------------------------------------ real studies
def test_progress_bar_shows_feasible_count_and_best_feasible_values(tmp_path, capsys):
    from designopt.results import from_study
    from designopt.search import StudySettings, run_study
    from designopt.search.testing import bnh_problem

    problem = bnh_problem()
    settings = StudySettings(
        out_dir=tmp_path, n_trials=24, sampler="random", seed=2, workers=1, progress=True
    )
    ds = from_study(run_study(problem, settings), problem)
    last = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    feas = ds.feasible.values
    want = (
        f"feasible={int(feas.sum())} f1={ds.f1.values[feas].min():.3g} "
        f"f2={ds.f2.values[feas].min():.3g}"
    )
    assert want in last


def test_infeasible_run_names_the_blocking_constraint(tmp_path, capsys):
    """The tiny quiet case with the neighbour 1 m away and a 14 kW load: nothing passes."""
    from designopt.cli import main

    text = (CASES / "tiny_air_quiet.toml").read_text()
    text = text.replace("distance_m = 5.0", "distance_m = 1.0")
    text = text.replace("design_heat_load_kW = 6.0", "design_heat_load_kW = 14.0")
    text = text.replace('name = "tiny_air_quiet"', 'name = "hopeless"\ntitle = "Hopeless house"')
    case = tmp_path / "case.toml"
    case.write_text(text)
    out = tmp_path / "out"
    code = main(["run", str(case), "--out", str(out), "--trials", "8", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 3
    line = [x for x in err.splitlines() if "no feasible design" in x][0]
    assert "blocked by" in line and "noise (violated by every design" in line
    assert "dB above the noise limit" in line and "relax" in line
    assert "relax the constraints" not in line
    assert (out / "summary.md").read_text().startswith("# Hopeless house\n")
    assert "## Constraints: which designs they block" in (out / "summary.md").read_text()


def test_the_study_journal_opens_in_optuna_dashboard(tmp_path):
    """``optuna-dashboard OUT/study.journal`` guesses a journal file from the path; its WSGI
    app lists the study and its trials."""
    pytest.importorskip("optuna_dashboard")
    from optuna_dashboard import wsgi
    from optuna_dashboard._storage_url import guess_storage_from_url

    from designopt.search import StudySettings, run_study
    from designopt.search.study import JOURNAL_NAME
    from designopt.search.testing import bnh_problem

    run_study(bnh_problem(), StudySettings(out_dir=tmp_path, n_trials=6, sampler="random"))
    app = wsgi(guess_storage_from_url(str(tmp_path / JOURNAL_NAME)))

    def get(path: str):
        status = []
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "wsgi.input": io.BytesIO(),
            "wsgi.url_scheme": "http",
        }
        body = b"".join(app(environ, lambda s, h, *a: status.append(s)))
        assert status[0].startswith("200"), (path, status, body[:300])
        return json.loads(body)

    studies = get("/api/studies")["study_summaries"]
    assert [s["study_name"] for s in studies] == ["designopt"]
    detail = get(f"/api/studies/{studies[0]['study_id']}")
    assert len(detail["trials"]) == 6
