"""The verification rules: pure functions from a miner snapshot to a finding, with stable ids.

Each rule reads one typed :class:`~commission.miner.models.MinerSnapshot` (never the wire) and says
what it expected, what it saw, the values it read and where, and what the technician should touch:
which hash board, all of that board's PCIe leads and its ribbon cable, which fan header. Rules know
nothing about checklists; the runner attaches the checklist item and section (see
:mod:`commission.verify.bindings`).

The rules live by what they judge: :mod:`.identity`, :mod:`.chains`, :mod:`.hashrate`, :mod:`.fans`,
:mod:`.thermal`, :mod:`.pools`, :mod:`.security`, :mod:`.logs`; :mod:`.base` holds the registry and
the one place (:func:`apply_rule`) that keeps a rule with unusable input from passing. Importing
this package registers them all, in display order.
"""

from __future__ import annotations

from commission.miner.models import MinerSnapshot
from commission.verify.limits import DEFAULT_LIMITS, Limits
from commission.verify.rules.base import (
    RULES,
    Finding,
    Rule,
    SnapshotCheck,
    apply_rule,
    chain_place,
    not_read,
    problem_evidence,
    problem_words,
    register,
    rule,
    unjudged,
    unread_action,
    warming_up,
)

register(Rule("miner.reachable", "Miner answers on its RPC API", "5"))

# Imported for their registrations, in display order (which is why isort must not sort them).
# isort: off
from commission.verify.rules import identity as identity  # noqa: E402
from commission.verify.rules import chains as chains  # noqa: E402
from commission.verify.rules import hashrate as hashrate  # noqa: E402
from commission.verify.rules import fans as fans  # noqa: E402
from commission.verify.rules import thermal as thermal  # noqa: E402
from commission.verify.rules import pools as pools  # noqa: E402
from commission.verify.rules import security as security  # noqa: E402
from commission.verify.rules import logs as logs  # noqa: E402

# isort: on
from commission.verify.rules.logs import check_console, fatal_action, fatal_lines  # noqa: E402
from commission.verify.rules.pools import stratum_url_problem  # noqa: E402
from commission.verify.rules.thermal import (  # noqa: E402
    board_hot_action,
    board_temperatures,
    hot_board,
    loop_action,
    sensor_faults,
)

# Judged by the soak and the console reader; registered here so ids and titles live in one table.
register(Rule("soak.stability", "Stable through the commissioning run", "3"))
register(Rule("console.fatal", "Serial console: chains detected, no fatal line", "7"))

SNAPSHOT_RULES: tuple[Rule, ...] = tuple(r for r in RULES.values() if r.check is not None)
"""The rules that judge one snapshot, in display order."""


def check_snapshot(
    snapshot: MinerSnapshot, limits: Limits = DEFAULT_LIMITS
) -> list[tuple[Rule, Finding]]:
    """Apply every snapshot rule to ``snapshot``.

    Args:
        snapshot: what was read from the miner.
        limits: the limits to judge against.

    Returns:
        One ``(rule, finding)`` per snapshot rule, in display order.
    """
    return [(rule_, apply_rule(rule_, snapshot, limits)) for rule_ in SNAPSHOT_RULES]


__all__ = [
    "RULES",
    "SNAPSHOT_RULES",
    "Finding",
    "Rule",
    "SnapshotCheck",
    "apply_rule",
    "board_hot_action",
    "board_temperatures",
    "chain_place",
    "check_console",
    "check_snapshot",
    "fatal_action",
    "fatal_lines",
    "hot_board",
    "loop_action",
    "not_read",
    "problem_evidence",
    "problem_words",
    "rule",
    "sensor_faults",
    "stratum_url_problem",
    "unjudged",
    "unread_action",
    "warming_up",
]
