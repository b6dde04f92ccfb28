"""Where each rule's outcome belongs in the checklist: item id and section, read from the checklist.

Rules know nothing about checklists; the checklist's live items name a rule id
(``rule = "chains.present"``). This module reads those items, so the item ids and sections live in
one place, the checklist file, and the runner, the reports and the TUI agree on where an outcome
goes. A rule that a (custom) checklist does not bind still runs; its outcome goes to a separate
"other live checks" section rather than being dropped.

It also supplies the few miner readings that checklist answers are compared with
(:func:`live_readings`: the firmware date the technician typed against the one the miner reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from commission.checklist import Checklist, LiveItem, load_builtin
from commission.miner.models import MinerSnapshot
from commission.verify.rules import RULES

UNBOUND_SECTION: Final = "live-checks"
UNBOUND_TITLE: Final = "Other live checks"


@dataclass(frozen=True)
class Binding:
    """The checklist item and section one rule's outcomes belong to."""

    item_id: str
    section: str
    section_title: str


def bindings_from_checklist(checklist: Checklist) -> dict[str, Binding]:
    """Rule id -> binding from the checklist's live items, in checklist order.

    When several live items name one rule, the first one is used. Rules no item names are bound
    to ``live-checks.<rule id>`` in the "Other live checks" section, after the others.

    Args:
        checklist: a loaded, validated checklist.
    """
    bindings: dict[str, Binding] = {}
    for section, _step, item in checklist.items():
        if isinstance(item, LiveItem) and item.rule not in bindings:
            bindings[item.rule] = Binding(item.id, section.id, section.title)
    for rule_id in RULES:
        if rule_id not in bindings:
            bindings[rule_id] = Binding(
                f"{UNBOUND_SECTION}.{rule_id}", UNBOUND_SECTION, UNBOUND_TITLE
            )
    return bindings


@cache
def _builtin() -> dict[str, Binding]:
    return bindings_from_checklist(load_builtin())


def default_bindings() -> dict[str, Binding]:
    """The bindings of the built-in S9 Hydro checklist (loaded once).

    Raises:
        ChecklistError: the built-in checklist cannot be read (a broken installation).
    """
    return dict(_builtin())


def live_readings(snapshot: MinerSnapshot | None) -> dict[str, str]:
    """Readings from the miner that checklist answers are compared with, by ``LIVE_READINGS`` key.

    Today the firmware build date (``firmware-date``, ``YYYYMMDD`` as the guide writes the File
    System Version), so the date the technician typed is checked against the miner's own. A
    reading the snapshot does not hold is left out (the answer then waits, it never passes).
    """
    readings: dict[str, str] = {}
    identity = snapshot.identity if snapshot is not None else None
    if identity is not None and identity.firmware_date is not None:
        readings["firmware-date"] = f"{identity.firmware_date.replace(tzinfo=None):%Y%m%d}"
    return readings
