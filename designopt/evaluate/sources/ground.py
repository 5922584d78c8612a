"""Ground source: a brine-to-water unit on a borefield, simulated hour by hour over the
lifetime with the fluid temperature fed back to the COP.  Physics in
:mod:`designopt.evaluate.sources.borefield`."""

from designopt.evaluate.sources.base import SourceModel
from designopt.evaluate.sources.borefield import assess_borefield

SOURCE = SourceModel(
    name="ground",
    description="brine-to-water unit on vertical boreholes, coupled hourly lifetime simulation",
    assess=assess_borefield,
    seasonal_label="SPF_H3",
)
