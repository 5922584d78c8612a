"""The one small interface of a source plug-in.

A source type (air, water, ground, hybrid, ...) is one module that builds a
:class:`SourceModel` and one registration in :mod:`designopt.evaluate.sources`.  It composes
public physics (cycle, seasonal, ground, noise) and the shared steps of the evaluation core
(:mod:`~designopt.evaluate.designs`, :mod:`~designopt.evaluate.mapview`,
:mod:`~designopt.evaluate.charge`) and returns a price-free
:class:`~designopt.evaluate.performance.Performance`; money and rules are not its business.
Every registered source passes the contract tests in ``tests/test_evaluate_sources.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from designopt.case import Case
    from designopt.evaluate.performance import Performance

__all__ = ["SourceModel"]


@dataclass(frozen=True, kw_only=True)
class SourceModel:
    """A source plug-in.

    Attributes
    ----------
    name : str
        The ``[source] type`` it serves (a value of :class:`designopt.case.SourceType`).
    description : str
        One line for the docs.
    assess : callable
        ``assess(design, case) -> Performance``: the physics of one design (raise a
        :class:`~designopt.errors.DesignOptError` if nothing can be assessed).
    seasonal_label : str
        What its ``seasonal_cop`` is (``"SCOP (EN 14825)"`` or ``"SPF_H3"``).
    """

    name: str
    description: str
    assess: Callable[[dict[str, Any], Case], Performance]
    seasonal_label: str
