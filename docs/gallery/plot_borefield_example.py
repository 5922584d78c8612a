"""
Borefield of a small office
===========================

The case study ``casestudies/borefield_example``: a heating-dominated office (about 67 MWh a
year extracted, 16 MWh injected by passive cooling) on 3 x 4 single-U boreholes 6 m apart.
How long must the boreholes be so that the fluid entering the heat pump stays above −2 °C in
heating and below 25 °C in cooling over 25 years? The loads are illustrative, not measured.
"""

# %%
# Size the borefield
# ------------------
# ``designopt borefield size`` finds the shortest boreholes that keep the fluid within its
# limits in every month of the lifetime (g-functions from pygfunction) and says which limit and
# which year bind.
from pathlib import Path

from designopt.cli import main

CASE = Path("../../casestudies/borefield_example/borefield.toml")  # from docs/gallery/
main(["borefield", "size", str(CASE)])

# %%
# The fluid temperatures over the lifetime
# ----------------------------------------
# ``designopt borefield simulate`` writes the monthly mean fluid temperature and the peaks of
# extraction and injection over the 25 years to NetCDF, at the case's length (100 m).
import tempfile

import matplotlib.pyplot as plt
import xarray as xr

out = Path(tempfile.mkdtemp())
main(["borefield", "simulate", str(CASE), "--out", str(out / "temps.nc")])
temps = xr.open_dataset(out / "temps.nc")
print(temps)

# %%
# The mean fluid temperature each month with the ends of the extraction and injection peaks:
# the ground cools a little year on year, because the office extracts four times the heat it
# injects, so the limit binds in the last year (the sizing above says so too).
fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
years = temps.time / (365.25 * 86400.0)
for name in ("t_fluid_max", "t_fluid", "t_fluid_min"):
    ax.plot(years, temps[name] - 273.15, label=temps[name].attrs["long_name"])
ax.set_xlabel("years of operation")
ax.set_ylabel("mean fluid temperature [°C]")
ax.set_title(f"{temps.attrs['n_boreholes']} boreholes of {temps.attrs['borehole_length_m']:g} m")
ax.legend(fontsize="small", loc="upper right")
ax.grid(alpha=0.3)
