"""Speed and reference shares of ``designopt tender`` (issue 13).

* spec from a finished study: ``design_from_study`` + ``spec_from_design`` + writing the five
  files (target <= 2 s; the first call includes CoolProp's table build for the rating points);
* checking the full Keymark collection (6,934 records) against a spec (target <= 1 s);
* the shares of Keymark air/water average-climate 35 degC records with a declared outdoor L_WA
  that meet the Regulation 813/2013 outdoor limit, the limit - 5 dB and - 10 dB (an independent
  count gave about 99 %, 88 %, 60 %).

    python benchmarks/bench_tender.py --keymark /path/to/keymark_en14825.csv \
        [--study results/ashp_retrofit --trial 51 --case casestudies/ashp_retrofit/case.toml]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

BANDS = [6.0, 12.0, 30.0, 70.0]
LIMITS = [65.0, 70.0, 78.0, 88.0]


def noise_spec(application_C: int = 35):
    from designopt.tender.derive import spec_from_requirements

    reqs = [
        {
            "id": f"limit-{off}",
            "quantity": "sound_power_outdoor_dBA",
            "op": "<=",
            "limit": LIMITS[0] - off,
            "bands_kW": BANDS,
            "band_limits": [x - off for x in LIMITS],
        }
        for off in (0, 5, 10)
    ]
    return spec_from_requirements(
        {"tender": {"application_C": application_C, "date": "2026-01-01"}, "requirement": reqs},
        where="benchmark",
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--keymark", required=True, type=Path)
    p.add_argument("--study", type=Path)
    p.add_argument("--trial", type=int)
    p.add_argument("--case", type=Path)
    p.add_argument("--repeat", type=int, default=5)
    a = p.parse_args()
    from designopt.tender.check import check_products

    for app in (35, 55):
        spec = noise_spec(app)
        times = []
        for _ in range(a.repeat):
            t = time.perf_counter()
            chk = check_products(spec, a.keymark)
            times.append(time.perf_counter() - t)
        n_all = sum(1 for _ in open(a.keymark, encoding="utf-8")) - 1
        shares = ", ".join(f"{chk.share_passing(f'limit-{o}'):.1%}" for o in (0, 5, 10))
        print(
            f"check {n_all:,} records ({chk.n_products:,} air/water average {app} degC): best "
            f"{min(times):.3f} s, median {sorted(times)[len(times) // 2]:.3f} s; shares meeting "
            f"limit, -5 dB, -10 dB: {shares}"
        )
    if a.study is not None:
        from designopt.case import load_case
        from designopt.tender.derive import spec_from_design
        from designopt.tender.designs import design_from_study
        from designopt.tender.render import write_spec_files

        case = load_case(a.case)
        times = []
        for _ in range(a.repeat):
            t = time.perf_counter()
            design = design_from_study(a.study, a.trial, case)
            spec = spec_from_design(design, case, date=dt.date(2027, 3, 1))
            with tempfile.TemporaryDirectory() as d:
                write_spec_files(spec, Path(d))
            times.append(time.perf_counter() - t)
        print(
            f"spec from study trial {a.trial}: first {times[0]:.2f} s, best {min(times):.2f} s "
            f"({len(spec.requirements)} requirements)"
        )


if __name__ == "__main__":
    main()
