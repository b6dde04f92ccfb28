"""Where each rule's outcome belongs in the checklist: item id and section, in one place.

Rules know nothing about checklists; the checklist's live items name a rule id. This module is the
one table that maps rule id -> (checklist item id, section id, section title) and the only code
that knows it, so the runner, the reports and the TUI agree on where an outcome goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from commission.verify.rules import RULES


@dataclass(frozen=True)
class Binding:
    """The checklist item and section one rule's outcomes belong to."""

    item_id: str
    section: str
    section_title: str


_SECTION_TITLES: Final = {
    "network": "IP report and web login",
    "monitoring": "Monitoring",
    "fans-pump": "Fans and pump",
    "water": "Water loop and commissioning run",
    "pools": "Pools",
    "administration": "Administration",
}

_TABLE: Final[dict[str, tuple[str, str]]] = {
    "miner.reachable": ("network.reachable", "network"),
    "identity.model": ("monitoring.model", "monitoring"),
    "identity.firmware": ("administration.firmware", "administration"),
    "chains.present": ("monitoring.chains", "monitoring"),
    "chains.asic_status": ("monitoring.asic-status", "monitoring"),
    "hashrate.nominal": ("monitoring.hashrate", "monitoring"),
    "hashrate.ideal": ("monitoring.hashrate-ideal", "monitoring"),
    "hashrate.hw_errors": ("monitoring.hw-errors", "monitoring"),
    "fans.reporting": ("fans-pump.fans-running", "fans-pump"),
    "temps.margin": ("monitoring.temperatures", "monitoring"),
    "temps.spread": ("water.bleed-air", "water"),
    "pools.configured": ("pools.configured", "pools"),
    "pools.active": ("pools.active", "pools"),
    "security.default_password": ("administration.password", "administration"),
    "log.fatal": ("monitoring.kernel-log", "monitoring"),
    "soak.stability": ("water.commissioning-run", "water"),
    "console.fatal": ("monitoring.console", "monitoring"),
}


def default_bindings() -> dict[str, Binding]:
    """The binding of every registered rule."""
    missing = set(RULES) - set(_TABLE)
    if missing:
        raise ValueError(f"rules without a checklist binding: {', '.join(sorted(missing))}")
    return {
        rule_id: Binding(item_id, section, _SECTION_TITLES[section])
        for rule_id, (item_id, section) in _TABLE.items()
    }
