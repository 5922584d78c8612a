"""Cost of CoolProp flashes, raw and through designopt.properties (prints microseconds).

Run: python benchmarks/bench_properties.py
"""

from __future__ import annotations

import timeit


def main() -> None:
    import CoolProp.CoolProp as CP  # noqa: N812

    from designopt import properties as pr

    a = pr.abstract_state("Propane")
    n = 5000
    cases = {
        "raw HEOS PT update": lambda: a.update(CP.PT_INPUTS, 5e5, 300.0),
        "raw HEOS QT update": lambda: a.update(CP.QT_INPUTS, 1.0, 280.0),
        "properties.state_pt (checked)": lambda: pr.state_pt("Propane", p=5e5, T=300.0),
        "properties.state_tq (checked)": lambda: pr.state_tq("Propane", T=280.0, q=1.0),
    }
    for name, fn in cases.items():
        fn()
        t = min(timeit.repeat(fn, number=n, repeat=3)) / n
        print(f"{name:32s} {t * 1e6:7.2f} us")


if __name__ == "__main__":
    main()
