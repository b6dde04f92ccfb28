"""Plain-text summaries of items: what an item asks for and what it must meet, in one line.

Shared by the headless printout, the TUI and the exports so an item reads the same everywhere.
"""

from __future__ import annotations

from commission.checklist.models import (
    ChoiceItem,
    ConfirmItem,
    DerivedItem,
    Figure,
    InfoItem,
    Item,
    LiveItem,
    MeasurementItem,
    TextItem,
    describe_limits,
    format_value,
)


def figures_text(figures: tuple[Figure, ...]) -> str:
    """Figures as ``label value unit`` joined by semicolons."""
    return "; ".join(
        f"{figure.label} {format_value(figure.value, figure.unit)}" for figure in figures
    )


def requirement(item: Item) -> str:
    """What ``item`` expects, e.g. ``11.88–12.12 V (typical 12 V)`` or ``rule chains.present``."""
    parts: list[str] = []
    if isinstance(item, MeasurementItem | DerivedItem):
        if isinstance(item, DerivedItem):
            inputs = ", ".join(item.inputs.values())
            parts.append(f"{item.function}({inputs})")
        limits = item.limit_text
        if limits:
            parts.append(limits)
        if item.typical is not None:
            parts.append(f"typical {format_value(item.typical, item.unit)}")
        if not limits and item.typical is None:
            parts.append(f"recorded in {item.unit}" if item.unit else "recorded")
        parts.extend(_warnings(item))
        if item.limit_note:
            parts.append(f"limits: {item.limit_note}")
    elif isinstance(item, LiveItem):
        parts.append(f"rule {item.rule}")
    elif isinstance(item, ChoiceItem):
        accepted = item.accepted or item.options
        parts.append("one of: " + " | ".join(item.options))
        if item.accepted:
            parts.append("passes: " + " | ".join(accepted))
    elif isinstance(item, TextItem):
        if item.secret:
            parts.append("secret (only recorded as set)")
        elif item.example:
            parts.append(f"e.g. {item.example}")
        else:
            parts.append("text")
    elif isinstance(item, ConfirmItem):
        parts.append("confirm when done")
    elif isinstance(item, InfoItem) and not item.figures:
        parts.append("read")
    if item.figures:
        parts.append(figures_text(item.figures))
    return "; ".join(parts)


def _warnings(item: MeasurementItem | DerivedItem) -> list[str]:
    """The advisory band and any allowance in words (``warns above 240 V``)."""
    parts = []
    if item.warn_below is not None:
        parts.append(f"warns below {format_value(item.warn_below, item.unit)}")
    if item.warn_above is not None:
        parts.append(f"warns above {format_value(item.warn_above, item.unit)}")
    if isinstance(item, MeasurementItem) and item.allowance is not None:
        allowance = item.allowance
        wider = describe_limits(
            allowance.min if allowance.min is not None else item.min,
            allowance.max if allowance.max is not None else item.max,
            item.unit,
            item.min_bound,
            item.max_bound,
        )
        parts.append(
            f"{wider} warns instead of failing when {allowance.when} is {allowance.answer!r}"
        )
    return parts


def place(item: Item) -> str:
    """The physical place an item concerns: ``PCIe-B2.1 · board 2 · chains 3, 11, 12``, or empty."""
    parts: list[str] = []
    if item.connector:
        parts.append(item.connector)
    if item.header:
        parts.append(item.header)
    if item.board is not None:
        parts.append(f"board {item.board}")
    if item.chains:
        parts.append(f"chains {', '.join(map(str, item.chains))}")
    return " · ".join(parts)
