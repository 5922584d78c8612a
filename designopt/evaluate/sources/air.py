"""Air source: an outdoor unit (finned coil and fan) rated by the EN 14825 bin method, or hour
by hour with a weather file; quiet (night) mode.  Physics in
:mod:`designopt.evaluate.sources.unitary`."""

from designopt.evaluate.sources.base import SourceModel
from designopt.evaluate.sources.unitary import assess_unitary

SOURCE = SourceModel(
    name="air",
    description="air-to-water unit: finned coil and fan outdoors, EN 14825 season or EPW year",
    assess=assess_unitary,
    seasonal_label="SCOP (EN 14825)",
)
