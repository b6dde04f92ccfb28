"""Plain words for reports: readings, limits, where a reading came from, and what a status means.

Every export reads the same words from here, so a PDF, a web page and a text file say the same
thing. Internal names (rule ids, calculation function names, raw firmware keys) never reach a
printed page through this module; the machine-readable formats keep them next to the words.
"""

from __future__ import annotations

from typing import Final

from commission.checklist.describe import figures_text
from commission.checklist.models import (
    Checklist,
    ChoiceItem,
    ConfirmItem,
    DerivedItem,
    InfoItem,
    Item,
    LiveItem,
    MeasurementItem,
    TextItem,
    format_value,
)
from commission.miner.fields import describe_source
from commission.results import Status

STATUS_MEANING: Final[dict[Status, str]] = {
    Status.PASS: "within the limit",
    Status.SKIPPED: "does not apply to this run",
    Status.WARN: "passes, but worth a look",
    Status.UNJUDGED: "could not be judged from what the miner reported",
    Status.ERROR: "could not be checked: the miner did not answer properly",
    Status.FAIL: "outside the limit: act on it",
}


def legend() -> tuple[tuple[str, str], ...]:
    """What each word in a report's status column means, for the reader of the paper."""
    words = [
        (f"{status.glyph} {status.word}", meaning) for status, meaning in STATUS_MEANING.items()
    ]
    words += [
        (
            "DONE, SET, RECORDED",
            "confirmed done, secret set (never recorded), or answer written down",
        ),
        ("OPEN, NOT DONE", "not done yet (or answered no): the job cannot be READY"),
        ("INFO", "reference figures from the guide; nothing to check"),
        (
            "DANGER, CAUTION",
            "getting it wrong can hurt someone or damage hardware; or costs lifetime",
        ),
    ]
    return tuple(words)


def readable_number(value: float, unit: str = "") -> str:
    """A reading as people write it: ``1.31 °C``, ``2,040 W``, ``0.995``, never ``1.30685``."""
    if abs(value) >= 1 or value == 0:
        return format_value(round(value, 2), unit)
    return format_value(float(f"{value:.3g}"), unit)


def source_words(source: str) -> str:
    """Where a reading came from, in words (``miner API, stats: chain 7 ASIC count``).

    The firmware vocabulary lives in :func:`commission.miner.fields.describe_source`; this only
    adds the soak's own sources (``soak rpc temp_pcb``, ``soak series``).
    """
    text = source.strip()
    if text.startswith("soak "):
        rest = describe_source(text[len("soak ") :])
        return f"commissioning soak, {rest}"
    if text == "soak":
        return "commissioning soak"
    return describe_source(text)


def requirement_words(item: Item, checklist: Checklist | None = None) -> str:
    """What ``item`` must meet, in words: ``11.88–12.12 V (typical 12 V)``, ``confirm it was done``.

    A derived item names the readings it is computed from by their titles (not the calculation's
    function name); a live item says it is checked on the running miner.
    """
    parts: list[str] = []
    if isinstance(item, MeasurementItem | DerivedItem):
        limits = item.limit_text
        if limits:
            parts.append(limits)
        if item.typical is not None:
            parts.append(f"typical {format_value(item.typical, item.unit)}")
        if isinstance(item, DerivedItem):
            names = [_title_of(checklist, source) for source in item.inputs.values()]
            parts.append("worked out from " + _join(names))
        elif not limits and item.typical is None:
            parts.append(f"write it down in {item.unit}" if item.unit else "write it down")
    elif isinstance(item, LiveItem):
        parts.append("checked on the running miner")
    elif isinstance(item, ChoiceItem):
        accepted = item.accepted or item.options
        if item.accepted:
            parts.append("acceptable: " + " or ".join(accepted))
        else:
            parts.append("one of: " + " or ".join(item.options))
    elif isinstance(item, TextItem):
        if item.secret:
            parts.append("set it; only the fact that it was set is recorded")
        elif item.example:
            parts.append(f"for example {item.example}")
        else:
            parts.append("write it down")
    elif isinstance(item, ConfirmItem):
        parts.append("confirm it was done")
    elif isinstance(item, InfoItem) and not item.figures:
        parts.append("for reference")
    if item.figures:
        parts.append(figures_text(item.figures))
    return "; ".join(parts)


def _title_of(checklist: Checklist | None, item_id: str) -> str:
    if checklist is None:
        return item_id
    try:
        return checklist.item(item_id).title.lower()
    except KeyError:
        return item_id


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
