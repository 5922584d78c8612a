"""
Ground-source heat pump and gas boiler
======================================

The case study ``casestudies/gshp_boiler``: a detached house needs 10 kW at −10 °C with
radiators at 55 °C. A ground-source heat pump alone needs long boreholes, sized by the cold
spells. Keeping the gas boiler for the hours below a switchover outdoor temperature spares the
borefield those hours. How much borehole does a switchover save, and what does it cost over 20
years, in money and in CO2?
"""

# %%
# One command
# -----------
# ``designopt switchover`` sizes the borefield for each switchover temperature (the shortest
# length that keeps the brine above 0 °C over 20 years, heat pump and borefield coupled hour by
# hour), values the design and compares it with the heat pump alone. The case study's README
# runs five switchover temperatures; three are enough to see the trade. The warmer the
# switchover, the shorter the borefield and the cheaper the system, and the more gas is burnt:
# money and carbon pull in opposite directions.
import tempfile
from pathlib import Path

from designopt.cli import main

CASE = Path("../../casestudies/gshp_boiler/case.toml")  # from docs/gallery/
out = Path(tempfile.mkdtemp())
main(["switchover", str(CASE), "--values", "8,0,-8", "--set", "boiler_kW=10", "--out", str(out)])
