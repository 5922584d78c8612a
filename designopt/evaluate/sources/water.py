"""Water source: a brazed-plate evaporator on well, river or lake water at a constant inlet
temperature, rated by the EN 14825 bin method at W10/W35.  Physics in
:mod:`designopt.evaluate.sources.unitary`."""

from designopt.evaluate.sources.base import SourceModel
from designopt.evaluate.sources.unitary import assess_unitary

SOURCE = SourceModel(
    name="water",
    description="water-to-water unit on a constant-temperature water source, EN 14825 season",
    assess=assess_unitary,
    seasonal_label="SCOP (EN 14825)",
)
