"""Rules on the hash chains: every Hydro chain detected with its 18 ASICs, no chip in error."""

from __future__ import annotations

from collections.abc import Sequence

from commission.miner.layout import (
    ASICS_PER_CHAIN,
    CHAIN_PLACES,
    CHAINS,
    board_name,
    board_parts,
    chains_of_board,
)
from commission.miner.models import ChainReading, FieldKey, MinerSnapshot
from commission.results import Evidence, Status
from commission.verify.limits import Limits
from commission.verify.rules.base import Finding, chain_place, not_read, rule


def chain_evidence(chain: ChainReading, label: str, value: object, key: str) -> Evidence:
    return Evidence(
        label=f"chain {chain.chain} {label}", value=str(value), source=f"rpc stats {key}"
    )


def missing_chain_action(missing: Sequence[int]) -> str:
    """Power off and check each board with a missing chain: all its PCIe leads and its ribbon."""
    parts: list[str] = []
    by_board: dict[int, list[int]] = {}
    for chain in missing:
        place = CHAIN_PLACES.get(chain)
        if place is not None:
            by_board.setdefault(place.board, []).append(chain)
    for board, chains in sorted(by_board.items()):
        if sorted(chains) == sorted(chains_of_board(board)):
            parts.append(f"{board_name(board)} is not detected at all: check {board_parts(board)}")
        else:
            which = ", ".join(map(str, sorted(chains)))
            noun = "chain" if len(chains) == 1 else "chains"
            parts.append(f"{noun} {which} of {board_parts(board)}")
    return "power off, then check " + "; ".join(parts) + "; power on and verify again"


def missing_chains(snapshot: MinerSnapshot) -> list[int]:
    """Hydro chains read cleanly as having no ASICs (a chain whose count is unusable is not here)."""
    return [
        n
        for n in CHAINS
        if snapshot.usable(FieldKey.chain(n, "asics"))
        and ((r := snapshot.chain(n)) is None or not r.present)
    ]


@rule(
    "chains.present",
    title="All 12 chains with 18 ASICs each",
    guide_ref="7",
    reads=("chain.*.asics", FieldKey.CHAIN_LAYOUT),
    partial=True,
)
def check_chains_present(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """Every Hydro chain is detected with its full count of ASICs (and no other chain is)."""
    expected = (
        f"{len(CHAINS)} chains ({', '.join(map(str, CHAINS))}) with {ASICS_PER_CHAIN} ASICs each"
    )
    if not snapshot.chains:
        return not_read(snapshot, ("chain.*.asics",), expected, "the chain table")
    evidence = tuple(
        chain_evidence(reading, "ASICs", reading.asics, f"chain_acn{reading.chain}")
        for reading in snapshot.chains
    )
    missing = missing_chains(snapshot)
    short = [
        r
        for n in CHAINS
        if (r := snapshot.chain(n)) is not None
        and snapshot.usable(FieldKey.chain(n, "asics"))
        and 0 < r.asics < ASICS_PER_CHAIN
    ]
    total = sum(r.asics for r in snapshot.chains if r.chain in CHAIN_PLACES)
    observed = f"{len(CHAINS) - len(missing)} of {len(CHAINS)} chains, {total} ASICs"
    if not missing and not short:
        return Finding(Status.PASS, expected, observed, evidence=evidence)
    actions: list[str] = []
    details: list[str] = []
    if missing:
        details.append("missing: " + ", ".join(map(str, missing)))
        actions.append(missing_chain_action(missing))
    for reading in short:
        details.append(f"chain {reading.chain} has {reading.asics} of {ASICS_PER_CHAIN} ASICs")
        actions.append(
            f"{chain_place(reading.chain)} answers with only {reading.asics} ASICs: reseat that "
            "board's PCIe leads and ribbon cable, restart; if the count stays short the hash "
            "board needs repair"
        )
    return Finding(
        Status.FAIL, expected, f"{observed}; {'; '.join(details)}", "; ".join(actions), evidence
    )


def bad_positions(status: str) -> list[int]:
    """1-based positions of the chips marked ``x`` or ``-`` in a per-chip status string."""
    chips = [c for c in status if not c.isspace()]
    return [i for i, c in enumerate(chips, start=1) if c.lower() == "x" or c == "-"]


@rule(
    "chains.asic_status",
    title="No ASIC in error",
    guide_ref="7",
    reads=("chain.*.asic_status",),
    partial=True,
)
def check_asic_status(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """No chip is marked ``x`` (error) or ``-`` (dead) in the per-chain status strings."""
    expected = "every chip 'o' in the ASIC status (no 'x' error, no '-' dead)"
    present = [r for r in snapshot.chains if r.present]
    if not present:
        if not snapshot.chains:
            return not_read(snapshot, ("chain.*.asic_status",), expected, "the ASIC status")
        return Finding(
            Status.UNJUDGED,
            expected,
            "no chain is detected, so no chip status can be read (see the chains check)",
            "bring the chains up first (see the chains check), then verify again",
            tuple(
                chain_evidence(r, "ASICs", r.asics, f"chain_acn{r.chain}") for r in snapshot.chains
            ),
        )
    usable = [r for r in present if snapshot.usable(FieldKey.chain(r.chain, "asic_status"))]
    bad = [r for r in usable if r.failed_asics or r.dead_asics]
    evidence = tuple(
        chain_evidence(r, "ASIC status", repr(r.asic_status), f"chain_acs{r.chain}")
        for r in bad or present
    )
    if not bad:
        return Finding(Status.PASS, expected, f"{len(usable)} chains all 'o'", evidence=evidence)
    observed = "; ".join(f"chain {r.chain}: {r.failed_asics} 'x', {r.dead_asics} '-'" for r in bad)
    action = "; ".join(
        f"{chain_place(r.chain)} has chips in error at positions "
        + ", ".join(str(i) for i in bad_positions(r.asic_status))
        for r in bad
    )
    return Finding(
        Status.FAIL,
        expected,
        observed,
        action + ": check that board's cooling and PCIe power, restart the miner; chips that stay "
        "in error mean the hash board needs repair",
        evidence,
    )
