"""Twin-source air/ground unit: one heat pump that runs on the borefield below a switchover
outdoor temperature and on its air coil above it.  Physics in
:mod:`designopt.evaluate.sources.borefield`."""

from designopt.evaluate.sources.base import SourceModel
from designopt.evaluate.sources.borefield import assess_borefield

SOURCE = SourceModel(
    name="twin_source",
    description="twin-source unit: ground below the switchover temperature, air coil above",
    assess=assess_borefield,
    seasonal_label="SPF_H3",
)
