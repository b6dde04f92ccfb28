"""The verification rules: pure functions from a miner snapshot to a finding, with stable ids.

Each rule reads one typed :class:`~commission.miner.models.MinerSnapshot` (never the wire) and says
what it expected, what it saw, the values it read and where, and what the technician should touch:
which hash board, which PCIe connector, which fan header. Rules know nothing about checklists; the
runner attaches the checklist item and section (see :mod:`commission.verify.bindings`).

A rule that needs a part of the snapshot the client could not read (a ``Problem``) ends in ERROR
with the problem as evidence, never PASS.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from commission.miner.layout import (
    ASICS_PER_CHAIN,
    CHAIN_PLACES,
    CHAINS,
    FAN_HEADERS,
    PUMP_HEADER,
    chains_of_board,
    connectors_of_board,
)
from commission.miner.models import ChainReading, MinerSnapshot, Problem
from commission.results import Evidence, Status
from commission.verify.limits import DEFAULT_LIMITS, Limits


@dataclass(frozen=True)
class Finding:
    """What one rule concluded; the runner turns it into an :class:`~commission.results.Outcome`."""

    status: Status
    expected: str
    observed: str
    action: str = ""
    evidence: tuple[Evidence, ...] = ()


SnapshotCheck = Callable[[MinerSnapshot, Limits], Finding]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its stable id, title, guide section and the check itself."""

    rule_id: str
    title: str
    guide_ref: str
    needs: tuple[str, ...] = ()
    """Words that mark a snapshot problem as one this rule depends on (matched in its source)."""
    check: SnapshotCheck | None = field(default=None, compare=False)
    """The snapshot check; None for rules judged elsewhere (reachability, soak, console)."""


RULES: dict[str, Rule] = {}
"""Every rule by id, in the order they are shown and run."""


def _register(rule: Rule) -> None:
    if rule.rule_id in RULES:
        raise ValueError(f"rule {rule.rule_id!r} is registered twice")
    RULES[rule.rule_id] = rule


def rule(
    rule_id: str, *, title: str, guide_ref: str, needs: Sequence[str] = ()
) -> Callable[[SnapshotCheck], SnapshotCheck]:
    """Register a snapshot check under a stable id (decorator)."""

    def decorate(check: SnapshotCheck) -> SnapshotCheck:
        _register(Rule(rule_id, title, guide_ref, tuple(needs), check))
        return check

    return decorate


# Rules judged by the runner, the soak and the console reader rather than from one snapshot.
_register(Rule("miner.reachable", "Miner answers on its RPC API", "5"))

# ---------------------------------------------------------------------------------------------
# Phrases shared by several rules: the physical places a technician touches.


def chain_place(chain: int) -> str:
    """``chain 7 (hash board 4, PCIe connector PCIe-B4.2)``, or just ``chain N`` if unknown."""
    place = CHAIN_PLACES.get(chain)
    if place is None:
        return f"chain {chain}"
    return f"chain {chain} (hash board {place.board}, PCIe connector {place.connector})"


def board_hot_action(board: int) -> str:
    return (
        f"air is trapped in the cold plate of hash board {board}: with the loop running, tilt the "
        "server slowly left and right to bleed it, top up the water, and check that board's hoses "
        "are not kinked (guide 4)"
    )


def loop_action(limits: Limits) -> str:
    return (
        f"all boards are hot, so look at the water loop: the pump on the {PUMP_HEADER} header "
        "running (if flow stays low, unplug and replug the pump 2-3 times with power off), the flow "
        "(5-15 L/min), and the inlet temperature (15-55 °C, at least 3 °C above the dew "
        f"point); the firmware stops at {limits.pcb_cutoff_c:.0f} °C PCB (guide 3, 4, 7)"
    )


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _chain_ev(chain: ChainReading, label: str, value: object, key: str) -> Evidence:
    return Evidence(
        label=f"chain {chain.chain} {label}", value=str(value), source=f"rpc stats {key}"
    )


# ---------------------------------------------------------------------------------------------
# Problems: a rule that depends on a part that could not be read ends in ERROR.


def relevant_problems(snapshot: MinerSnapshot, needs: Iterable[str]) -> tuple[Problem, ...]:
    """The snapshot problems whose source mentions any of ``needs`` (case-insensitive)."""
    words = [word.lower() for word in needs]
    return tuple(
        problem
        for problem in snapshot.problems
        if any(word in problem.source.lower() for word in words)
    )


def problem_evidence(problems: Iterable[Problem]) -> tuple[Evidence, ...]:
    """Problems as evidence lines (what could not be read and why)."""
    return tuple(
        Evidence(label="could not read", value=problem.message, source=problem.source)
        for problem in problems
    )


def unread_action(problems: Iterable[Problem]) -> str:
    """What to do when part of a miner could not be read (a refused web login differs)."""
    if any("refused the login" in p.message or "401" in p.message for p in problems):
        return (
            "the web UI refused the login: set $COMMISSION_WEB_PASSWORD to the miner's web "
            "password (and --web-user if it is not root), then verify again"
        )
    return "check the miner's network connection and that it is running, then verify again"


def not_read(expected: str, what: str, problems: Sequence[Problem]) -> Finding:
    """ERROR finding for a rule whose input is missing."""
    return Finding(
        Status.ERROR,
        expected,
        f"{what} could not be read",
        unread_action(problems),
        problem_evidence(problems),
    )


def apply_rule(rule_: Rule, snapshot: MinerSnapshot, limits: Limits = DEFAULT_LIMITS) -> Finding:
    """Run one snapshot rule, turning a problem it depends on into an ERROR finding.

    Args:
        rule_: the rule (must have a check).
        snapshot: what was read from the miner.
        limits: the limits to judge against.
    """
    if rule_.check is None:
        raise ValueError(f"rule {rule_.rule_id} is not a snapshot rule")
    problems = relevant_problems(snapshot, rule_.needs)
    finding = rule_.check(snapshot, limits)
    if problems and finding.status is not Status.ERROR:
        return Finding(
            Status.ERROR,
            finding.expected,
            f"part of the data was not read ({finding.observed})",
            unread_action(problems),
            problem_evidence(problems) + finding.evidence,
        )
    return finding


# ---------------------------------------------------------------------------------------------
# Identity


@rule("identity.model", title="Miner is an S9 Hydro", guide_ref="1.2", needs=("version",))
def check_model(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """The firmware's type string names the S9 Hydro."""
    expected = f"type {limits.miner_type!r}"
    identity = snapshot.identity
    if identity is None:
        return not_read(expected, "the miner type", relevant_problems(snapshot, ("version",)))
    evidence = (Evidence(label="type", value=identity.miner_type, source="rpc version Type"),)
    if identity.miner_type.strip().lower() == limits.miner_type.lower():
        return Finding(Status.PASS, expected, identity.miner_type, evidence=evidence)
    return Finding(
        Status.FAIL,
        expected,
        identity.miner_type or "(empty)",
        "this is not an S9 Hydro: check that the address belongs to the miner you are "
        "commissioning (press its IP Report button to confirm); these limits are for the S9 Hydro",
        evidence,
    )


@rule("identity.firmware", title="Firmware build date", guide_ref="8.1", needs=("version",))
def check_firmware(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """The firmware was built on or after the guide's reference version."""
    expected = f"built on or after {limits.firmware_min_date:%Y-%m-%d}"
    identity = snapshot.identity
    if identity is None:
        return not_read(expected, "the firmware version", relevant_problems(snapshot, ("version",)))
    evidence = (
        Evidence(
            label="compile time", value=identity.compile_time, source="rpc version CompileTime"
        ),
    )
    if identity.firmware_date is None:
        return Finding(
            Status.WARN,
            expected,
            f"build date not recognised: {identity.compile_time!r}",
            "read the File System Version under System > Overview and compare it with 20180820 "
            "(guide 8.1)",
            evidence,
        )
    built = identity.firmware_date.replace(tzinfo=None)
    observed = f"built {built:%Y-%m-%d}"
    if built.date() >= limits.firmware_min_date.date():
        return Finding(Status.PASS, expected, observed, evidence=evidence)
    return Finding(
        Status.WARN,
        expected,
        observed,
        "upgrade the firmware under System > Upgrade, keeping the miner powered throughout "
        "(guide 8.2)",
        evidence,
    )


# ---------------------------------------------------------------------------------------------
# Chains


def _missing_chain_action(missing: Sequence[int]) -> str:
    parts: list[str] = []
    by_board: dict[int, list[int]] = {}
    for chain in missing:
        place = CHAIN_PLACES.get(chain)
        if place is not None:
            by_board.setdefault(place.board, []).append(chain)
    for board, chains in sorted(by_board.items()):
        if sorted(chains) == sorted(chains_of_board(board)):
            connectors = ", ".join(connectors_of_board(board))
            parts.append(
                f"hash board {board} is not detected at all: check its PCIe connectors "
                f"{connectors} and the board's ribbon cable to the control board"
            )
        else:
            for chain in sorted(chains):
                place = CHAIN_PLACES[chain]
                parts.append(
                    f"chain {chain}: hash board {board}, PCIe connector {place.connector} and the "
                    "board's ribbon cable"
                )
    return "power off, then check " + "; ".join(parts) + "; power on and verify again"


@rule("chains.present", title="All 12 chains with 18 ASICs each", guide_ref="7", needs=("stats",))
def check_chains_present(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """Every Hydro chain is detected with its full count of ASICs."""
    expected = (
        f"{len(CHAINS)} chains ({', '.join(map(str, CHAINS))}) with {ASICS_PER_CHAIN} ASICs each"
    )
    if not snapshot.chains:
        return not_read(expected, "the chain table", relevant_problems(snapshot, ("stats",)))
    evidence = tuple(
        _chain_ev(reading, "ASICs", reading.asics, f"chain_acn{reading.chain}")
        for reading in snapshot.chains
    )
    missing = [n for n in CHAINS if (r := snapshot.chain(n)) is None or not r.present]
    short = [
        r for n in CHAINS if (r := snapshot.chain(n)) is not None and 0 < r.asics < ASICS_PER_CHAIN
    ]
    total = sum(r.asics for r in snapshot.chains if r.chain in CHAIN_PLACES)
    observed = f"{len(CHAINS) - len(missing)} of {len(CHAINS)} chains, {total} ASICs"
    if not missing and not short:
        return Finding(Status.PASS, expected, observed, evidence=evidence)
    actions: list[str] = []
    details: list[str] = []
    if missing:
        details.append("missing: " + ", ".join(map(str, missing)))
        actions.append(_missing_chain_action(missing))
    for reading in short:
        place = CHAIN_PLACES[reading.chain]
        details.append(f"chain {reading.chain} has {reading.asics} of {ASICS_PER_CHAIN} ASICs")
        actions.append(
            f"{chain_place(reading.chain)} answers with only {reading.asics} ASICs: reseat "
            f"{place.connector} and the ribbon cable of hash board {place.board}, restart; if the "
            "count stays short the hash board needs repair"
        )
    return Finding(
        Status.FAIL, expected, f"{observed}; {'; '.join(details)}", "; ".join(actions), evidence
    )


@rule("chains.asic_status", title="No ASIC in error", guide_ref="7", needs=("stats",))
def check_asic_status(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """No chip is marked ``x`` (error) or ``-`` (dead) in the per-chain status strings."""
    expected = "every chip 'o' in the ASIC status (no 'x' error, no '-' dead)"
    present = [r for r in snapshot.chains if r.present]
    if not present:
        return not_read(expected, "the ASIC status", relevant_problems(snapshot, ("stats",)))
    bad = [r for r in present if r.failed_asics or r.dead_asics]
    evidence = tuple(
        _chain_ev(r, "ASIC status", repr(r.asic_status), f"chain_acs{r.chain}")
        for r in bad or present
    )
    if not bad:
        return Finding(Status.PASS, expected, f"{len(present)} chains all 'o'", evidence=evidence)
    observed = "; ".join(f"chain {r.chain}: {r.failed_asics} 'x', {r.dead_asics} '-'" for r in bad)
    action = "; ".join(
        f"{chain_place(r.chain)} has chips in error at positions "
        + ", ".join(str(i) for i in _bad_positions(r.asic_status))
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


def _bad_positions(status: str) -> list[int]:
    chips = [c for c in status if not c.isspace()]
    return [i for i, c in enumerate(chips, start=1) if c.lower() == "x" or c == "-"]


# ---------------------------------------------------------------------------------------------
# Hash rate


def warm_up_wait(elapsed_s: int, limits: Limits) -> str:
    """``judged after 5 min of uptime: in about 4 min`` for a miner that has run ``elapsed_s``."""
    left = max(0, limits.warmup_s - elapsed_s)
    when = f"in about {max(1, round(left / 60))} min" if left >= 60 else f"in {left} s"
    return f"judged after {limits.warmup_s / 60:g} min of uptime: {when}"


def warm_up_action(elapsed_s: int, limits: Limits) -> str:
    """What to do while the miner warms up: when to verify again, or wait with --wait-ready."""
    left = max(0, limits.warmup_s - elapsed_s)
    return (
        f"the miner has run only {elapsed_s} s: verify again in about {max(1, round(left / 60))} "
        "min, or run with --wait-ready (it waits for the warm-up, then judges)"
    )


def _warming_up(snapshot: MinerSnapshot, limits: Limits, expected: str) -> Finding | None:
    totals = snapshot.totals
    if totals is not None and totals.elapsed_s is not None and totals.elapsed_s < limits.warmup_s:
        return Finding(
            Status.UNJUDGED,
            expected,
            f"not judged yet, warming up: bmminer has run {totals.elapsed_s} s; "
            + warm_up_wait(totals.elapsed_s, limits),
            warm_up_action(totals.elapsed_s, limits),
            (Evidence(label="elapsed", value=f"{totals.elapsed_s} s", source="rpc stats Elapsed"),),
        )
    return None


def _band(ratio: float, limits: Limits) -> Status:
    if ratio >= limits.hashrate_pass_ratio:
        return Status.PASS
    if ratio >= limits.hashrate_warn_ratio:
        return Status.WARN
    return Status.FAIL


def _weak_chains(snapshot: MinerSnapshot, limits: Limits) -> list[tuple[ChainReading, float]]:
    weak: list[tuple[ChainReading, float]] = []
    for reading in snapshot.chains:
        if not reading.present or not reading.rate_ideal_ghs:
            continue
        ratio = (reading.rate_ghs or 0.0) / reading.rate_ideal_ghs
        if ratio < limits.hashrate_pass_ratio:
            weak.append((reading, ratio))
    return weak


def _hashrate_action(snapshot: MinerSnapshot, limits: Limits) -> str:
    totals = snapshot.totals
    rate = (
        None if totals is None else (totals.ghs_5s if totals.ghs_5s is not None else totals.ghs_avg)
    )
    if rate is not None and rate < 0.05 * limits.nominal_ghs:
        return (
            "the miner is not hashing: the kernel-log check (log.fatal) shows whether the firmware "
            "stopped it (temperature, fans, network); the pool checks show whether it has work"
        )
    weak = _weak_chains(snapshot, limits)
    missing = [n for n in CHAINS if (r := snapshot.chain(n)) is None or not r.present]
    parts: list[str] = []
    if missing:
        which = ", ".join(map(str, missing))
        parts.append(
            (f"chain {which} is missing" if len(missing) == 1 else f"chains {which} are missing")
            + " (see chains.present)"
        )
    parts.extend(
        f"{chain_place(r.chain)} runs at {ratio:.0%} of its ideal rate" for r, ratio in weak
    )
    if parts:
        return (
            "; ".join(parts)
            + ": check those boards' PCIe power and cooling, then the HW error and temperature checks"
        )
    return (
        "no single chain stands out: check the PSU (12 V, at least 170 A) and its PCIe cables, "
        "and the temperatures"
    )


@rule(
    "hashrate.nominal",
    title="Hash rate near 18.0 TH/s",
    guide_ref="1.2",
    needs=("stats", "summary"),
)
def check_hashrate_nominal(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """After warm-up the real-time hash rate is within the band around the nominal 18.0 TH/s."""
    low = limits.nominal_ths * limits.hashrate_pass_ratio
    expected = (
        f">= {low:.1f} TH/s ({limits.hashrate_pass_ratio:.0%} of the nominal "
        f"{limits.nominal_ths:.1f} TH/s) after {limits.warmup_s} s"
    )
    totals = snapshot.totals
    rate = (
        None if totals is None else (totals.ghs_5s if totals.ghs_5s is not None else totals.ghs_avg)
    )
    if totals is None or rate is None:
        return not_read(
            expected, "the hash rate", relevant_problems(snapshot, ("stats", "summary"))
        )
    if (warming := _warming_up(snapshot, limits, expected)) is not None:
        return warming
    ratio = rate / limits.nominal_ghs
    evidence = (
        Evidence(label="GH/s (5 s)", value=_fmt(rate, 2), source="rpc summary GHS 5s"),
        Evidence(
            label="elapsed",
            value="not reported" if totals.elapsed_s is None else f"{totals.elapsed_s} s",
            source="rpc summary Elapsed",
        ),
    )
    observed = f"{rate / 1000:.2f} TH/s ({ratio:.0%} of nominal)"
    status = _band(ratio, limits)
    action = "" if status is Status.PASS else _hashrate_action(snapshot, limits)
    return Finding(status, expected, observed, action, evidence)


@rule(
    "hashrate.ideal", title="Hash rate near the firmware's ideal", guide_ref="7", needs=("stats",)
)
def check_hashrate_ideal(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """After warm-up the real-time rate is within the band of the firmware's own ideal rate."""
    expected = (
        f">= {limits.hashrate_pass_ratio:.0%} of the ideal rate (GH/S ideal) after "
        f"{limits.warmup_s} s, on every chain"
    )
    totals = snapshot.totals
    if totals is None or totals.ghs_ideal is None or not totals.ghs_ideal:
        return not_read(expected, "the ideal hash rate", relevant_problems(snapshot, ("stats",)))
    rate = totals.ghs_5s if totals.ghs_5s is not None else totals.ghs_avg
    if rate is None:
        return not_read(expected, "the hash rate", relevant_problems(snapshot, ("stats",)))
    if (warming := _warming_up(snapshot, limits, expected)) is not None:
        return warming
    ratio = rate / totals.ghs_ideal
    weak = _weak_chains(snapshot, limits)
    evidence = (
        Evidence(label="GH/s (5 s)", value=_fmt(rate, 2), source="rpc stats GHS 5s"),
        Evidence(
            label="GH/s ideal", value=_fmt(totals.ghs_ideal, 2), source="rpc stats total_rateideal"
        ),
        *(
            _chain_ev(
                r,
                "GH/s",
                f"{_fmt(r.rate_ghs or 0.0, 2)} of {_fmt(r.rate_ideal_ghs or 0.0, 2)}",
                f"chain_rate{r.chain}",
            )
            for r, _ in weak
        ),
    )
    status = _band(ratio, limits)
    if status is Status.PASS and weak:
        status = Status.WARN
    observed = f"{ratio:.1%} of ideal overall" + (
        "; weak: " + ", ".join(f"chain {r.chain} {q:.0%}" for r, q in weak) if weak else ""
    )
    action = "" if status is Status.PASS else _hashrate_action(snapshot, limits)
    return Finding(status, expected, observed, action, evidence)


@rule("hashrate.hw_errors", title="Hardware error rate", guide_ref="7", needs=("stats", "summary"))
def check_hw_errors(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """The share of wrong nonces (Device Hardware%) is low; the worst chain is named."""
    expected = f"Device Hardware% <= {limits.hw_error_warn_pct:g} %"
    totals = snapshot.totals
    if totals is None or totals.device_hw_pct is None:
        return not_read(
            expected, "the hardware error rate", relevant_problems(snapshot, ("stats", "summary"))
        )
    if (warming := _warming_up(snapshot, limits, expected)) is not None:
        return warming
    pct = totals.device_hw_pct
    worst_chain = max(snapshot.chains, key=lambda r: r.hw_errors, default=None)
    evidence: tuple[Evidence, ...] = (
        Evidence(label="Device Hardware%", value=f"{pct:g}", source="rpc summary Device Hardware%"),
        Evidence(
            label="HW errors", value=str(totals.hw_errors), source="rpc summary Hardware Errors"
        ),
    )
    if worst_chain is not None and worst_chain.hw_errors:
        evidence += (
            _chain_ev(
                worst_chain, "HW errors", worst_chain.hw_errors, f"chain_hw{worst_chain.chain}"
            ),
        )
    observed = f"{pct:g} % ({totals.hw_errors} errors)"
    if pct <= limits.hw_error_warn_pct:
        return Finding(Status.PASS, expected, observed, evidence=evidence)
    status = Status.WARN if pct <= limits.hw_error_fail_pct else Status.FAIL
    where = (
        f"most errors come from {chain_place(worst_chain.chain)}: check that board's temperature "
        "and PCIe power"
        if worst_chain is not None and worst_chain.hw_errors
        else "check the boards' temperatures and the PSU's PCIe cables"
    )
    return Finding(
        status,
        expected,
        observed,
        where + "; errors that persist after a restart mean the hash board needs repair",
        evidence,
    )


# ---------------------------------------------------------------------------------------------
# Fans


@rule("fans.reporting", title="At least 6 fans turning", guide_ref="3", needs=("stats",))
def check_fans(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """Six fans report a speed, and none on FAN1-FAN6 is stalled.

    The accessory spec asks for fans rated at least 3,500 r/min, but that is the rating at full
    duty; the firmware runs them slower when the water is cool (the guide's own status page shows
    2,280 and 1,320 r/min), so here a fan passes when it reports and turns, not at 3,500.
    """
    expected = (
        f">= {limits.fans_required} fans reporting, none on {FAN_HEADERS[0]}-{FAN_HEADERS[-1]} "
        f"below {limits.fan_stalled_below_rpm} r/min"
    )
    if not snapshot.fans:
        return not_read(expected, "the fan speeds", relevant_problems(snapshot, ("stats",)))
    evidence = tuple(
        Evidence(
            label=f"fan {fan.index}", value=f"{fan.rpm} r/min", source=f"rpc stats fan{fan.index}"
        )
        for fan in snapshot.fans
    )
    turning = [fan for fan in snapshot.fans if fan.rpm >= limits.fan_stalled_below_rpm]
    stalled = [
        fan
        for fan in snapshot.fans
        if 1 <= fan.index <= len(FAN_HEADERS) and fan.rpm < limits.fan_stalled_below_rpm
    ]
    observed = f"{len(turning)} fans turning" + (
        "; stalled: " + ", ".join(f"{FAN_HEADERS[f.index - 1]} {f.rpm} r/min" for f in stalled)
        if stalled
        else ""
    )
    if not stalled and len(turning) >= limits.fans_required:
        return Finding(Status.PASS, expected, observed, evidence=evidence)
    if stalled:
        headers = ", ".join(FAN_HEADERS[f.index - 1] for f in stalled)
        action = (
            f"the fan on header {headers} is stalled or unplugged: check its plug is pushed fully "
            "home on the control board and nothing blocks the blades; replace the fan if it does "
            "not turn (guide 3)"
        )
    else:
        action = (
            f"fit and connect at least {limits.fans_required} fans on headers "
            f"{', '.join(FAN_HEADERS)} (guide 3)"
        )
    return Finding(Status.FAIL, expected, observed, action, evidence)


# ---------------------------------------------------------------------------------------------
# Temperatures


def board_temperatures(snapshot: MinerSnapshot) -> dict[int, tuple[float | None, float | None]]:
    """Hottest (PCB, chip) reading per hash board, over the board's present chains."""
    boards: dict[int, tuple[float | None, float | None]] = {}
    for reading in snapshot.chains:
        board = reading.board
        if board is None or not reading.present:
            continue
        pcb, chip = boards.get(board, (None, None))
        if reading.pcb_max is not None:
            pcb = reading.pcb_max if pcb is None else max(pcb, reading.pcb_max)
        if reading.chip_max is not None:
            chip = reading.chip_max if chip is None else max(chip, reading.chip_max)
        boards[board] = (pcb, chip)
    return boards


def hot_board(pcb_by_board: dict[int, float], limits: Limits) -> tuple[int, float] | None:
    """The board that runs hotter than the median of the others by the warn spread, if any."""
    if len(pcb_by_board) < 2:
        return None
    board, hottest = max(pcb_by_board.items(), key=lambda item: item[1])
    others = [t for b, t in pcb_by_board.items() if b != board]
    excess = hottest - statistics.median(others)
    return (board, excess) if excess >= limits.board_spread_warn_c else None


def _temp_evidence(boards: dict[int, tuple[float | None, float | None]]) -> tuple[Evidence, ...]:
    out: list[Evidence] = []
    for board, (pcb, chip) in sorted(boards.items()):
        chains = "/".join(str(c) for c in chains_of_board(board))
        out.append(
            Evidence(
                label=f"hash board {board} PCB / chip",
                value=f"{'-' if pcb is None else _fmt(pcb, 0)} / {'-' if chip is None else _fmt(chip, 0)} °C",
                source=f"rpc stats temp_pcb/temp_chip (tempN/temp2_N) chains {chains}",
            )
        )
    return tuple(out)


@rule("temps.margin", title="Margin to the 80 °C cut-off", guide_ref="7", needs=("stats",))
def check_temp_margin(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """The hottest board and chip keep a margin to the firmware's 80 °C PCB cut-off."""
    expected = (
        f"PCB < {limits.pcb_warn_c:.0f} °C ({limits.pcb_margin_c:.0f} °C below the "
        f"{limits.pcb_cutoff_c:.0f} °C cut-off), chips < {limits.chip_warn_c:.0f} °C"
    )
    boards = board_temperatures(snapshot)
    pcb = {b: t for b, (t, _) in boards.items() if t is not None}
    chip = {b: t for b, (_, t) in boards.items() if t is not None}
    if not pcb and not chip:
        return not_read(expected, "the temperatures", relevant_problems(snapshot, ("stats",)))
    evidence = _temp_evidence(boards)
    pcb_board, pcb_max = max(pcb.items(), key=lambda item: item[1], default=(0, float("-inf")))
    chip_board, chip_max = max(chip.items(), key=lambda item: item[1], default=(0, float("-inf")))
    parts = []
    if pcb:
        parts.append(f"hottest PCB {pcb_max:.0f} °C on hash board {pcb_board}")
    if chip:
        parts.append(f"hottest chip {chip_max:.0f} °C on hash board {chip_board}")
    observed = ", ".join(parts)
    if pcb_max >= limits.pcb_fail_c or chip_max >= limits.chip_fail_c:
        status = Status.FAIL
    elif pcb_max >= limits.pcb_warn_c or chip_max >= limits.chip_warn_c:
        status = Status.WARN
    else:
        return Finding(Status.PASS, expected, observed, evidence=evidence)
    single = hot_board(pcb, limits)
    action = board_hot_action(single[0]) if single else loop_action(limits)
    return Finding(status, expected, observed, action, evidence)


@rule("temps.spread", title="Even temperatures across boards", guide_ref="4", needs=("stats",))
def check_temp_spread(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """Boards run at similar temperatures; one hot board means trapped air, all hot the loop."""
    expected = (
        f"no board more than {limits.board_spread_warn_c:.0f} °C above the others, and not "
        f"all boards at {limits.all_hot_pcb_c:.0f} °C PCB or more"
    )
    boards = board_temperatures(snapshot)
    pcb = {b: t for b, (t, _) in boards.items() if t is not None}
    if not pcb:
        return not_read(expected, "the board temperatures", relevant_problems(snapshot, ("stats",)))
    evidence = _temp_evidence(boards)
    spread = max(pcb.values()) - min(pcb.values())
    observed = f"PCB {min(pcb.values()):.0f}-{max(pcb.values()):.0f} °C across {len(pcb)} boards"
    single = hot_board(pcb, limits)
    if single is not None:
        board, excess = single
        status = Status.FAIL if excess >= limits.board_spread_fail_c else Status.WARN
        return Finding(
            status,
            expected,
            f"{observed}; hash board {board} runs {excess:.0f} °C above the others",
            board_hot_action(board),
            evidence,
        )
    if len(pcb) > 1 and min(pcb.values()) >= limits.all_hot_pcb_c:
        status = Status.FAIL if max(pcb.values()) >= limits.pcb_fail_c else Status.WARN
        return Finding(
            status, expected, f"{observed}; all boards hot", loop_action(limits), evidence
        )
    return Finding(Status.PASS, expected, f"{observed} (spread {spread:.0f} °C)", evidence=evidence)


# ---------------------------------------------------------------------------------------------
# Pools

_STRATUM_URL = re.compile(
    r"^(?:stratum\+tcp://)?(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(?P<port>\d{1,5})/?$"
)


def stratum_url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable stratum URL (``stratum+tcp://host:port``), or None if it is."""
    if not url.strip():
        return "no URL"
    match = _STRATUM_URL.match(url.strip())
    if match is None:
        return f"{url!r} is not stratum+tcp://host:port"
    if not 1 <= int(match["port"]) <= 65535:
        return f"port {match['port']} is out of range"
    return None


@rule("pools.configured", title="Three pools with URL and worker", guide_ref="6", needs=("pools",))
def check_pools_configured(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """Three pools are configured, each with a valid stratum URL and a worker name."""
    expected = f"{limits.pool_count} pools, each with a stratum+tcp://host:port URL and a worker"
    if not snapshot.pools:
        return not_read(expected, "the pool list", relevant_problems(snapshot, ("pools",)))
    evidence = tuple(
        Evidence(
            label=f"pool {pool.index}",
            value=f"{pool.url or '(no URL)'} worker {pool.user or '(none)'}",
            source=f"rpc pools POOL {pool.index} URL/User",
        )
        for pool in snapshot.pools
    )
    issues: list[str] = []
    for pool in sorted(snapshot.pools, key=lambda p: p.index):
        if (problem := stratum_url_problem(pool.url)) is not None:
            issues.append(f"pool {pool.index + 1}: {problem}")
        if not pool.user.strip():
            issues.append(f"pool {pool.index + 1}: no worker")
    configured = sum(1 for pool in snapshot.pools if pool.url.strip())
    if configured < limits.pool_count:
        issues.insert(0, f"{configured} of {limits.pool_count} pools configured")
    observed = f"{configured} pools configured" + ("; " + "; ".join(issues) if issues else "")
    if not issues:
        return Finding(Status.PASS, expected, observed, evidence=evidence)
    return Finding(
        Status.FAIL,
        expected,
        observed,
        "in the web UI's General Settings enter for pools 1-3 the URL "
        "(stratum+tcp://host:port) and your worker ID, then Save & Apply (guide 6)",
        evidence,
    )


@rule(
    "pools.active", title="Active pool alive and accepting shares", guide_ref="6", needs=("pools",)
)
def check_pools_active(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """The pool in use is Alive, has accepted shares and rejects few; the first pool is preferred."""
    expected = f"the first pool Alive and in use, shares accepted, rejects <= {limits.reject_warn_ratio:.0%}"
    pools = sorted(snapshot.pools, key=lambda p: (p.priority, p.index))
    if not pools:
        return not_read(expected, "the pool list", relevant_problems(snapshot, ("pools",)))
    evidence = tuple(
        Evidence(
            label=f"pool {p.index}",
            value=f"{p.status}, priority {p.priority}, accepted {p.accepted}, rejected {p.rejected}"
            + (", in use" if p.stratum_active else ""),
            source=f"rpc pools POOL {p.index} Status/Accepted/Rejected",
        )
        for p in pools
    )
    alive = [p for p in pools if p.status == "Alive"]
    active = next((p for p in pools if p.stratum_active), None) or (alive[0] if alive else None)
    if active is None or active.status != "Alive":
        return Finding(
            Status.FAIL,
            expected,
            "no pool is alive: " + ", ".join(f"pool {p.index} {p.status}" for p in pools),
            "check the network cable and the miner's gateway and DNS (Network page), and that the "
            "pool URLs and ports are right (guide 6)",
            evidence,
        )
    first = pools[0]
    notes: list[str] = [f"pool {active.index} {active.status}, {active.accepted} accepted"]
    status = Status.PASS
    action = ""
    if active is not first:
        status = Status.WARN
        notes.append(f"first pool {first.index} is {first.status}, mining on a backup")
        action = (
            f"pool {first.index} ({first.url or 'no URL'}) is {first.status}: check its URL, port "
            "and worker in General Settings, and that the pool is up"
        )
    elapsed = snapshot.totals.elapsed_s if snapshot.totals is not None else None
    if active.accepted == 0:
        if elapsed is not None and elapsed < limits.warmup_s:
            return Finding(
                Status.UNJUDGED,
                expected,
                "; ".join(notes)
                + f"; not judged yet: no share after {elapsed} s, "
                + warm_up_wait(elapsed, limits),
                warm_up_action(elapsed, limits),
                evidence,
            )
        return Finding(
            Status.FAIL,
            expected,
            "; ".join(notes) + "; no share accepted",
            "check the worker name and that the pool accepts it; check hash rate and HW errors",
            evidence,
        )
    rate = active.reject_rate
    notes.append(f"{rate:.2%} rejected")
    if rate > limits.reject_warn_ratio:
        status = (
            Status.FAIL
            if rate > limits.reject_fail_ratio
            else max(status, Status.WARN, key=lambda s: s.rank)
        )
        action = (action + "; " if action else "") + (
            "many shares are rejected: check the worker name, choose a pool server close to the "
            "site, and check HW errors"
        )
    return Finding(status, expected, "; ".join(notes), action, evidence)


# ---------------------------------------------------------------------------------------------
# Security and logs


@rule(
    "security.default_password",
    title="Default web password changed",
    guide_ref="8.3",
    needs=("password", "passwd", "auth"),
)
def check_default_password(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """The shipped root/root web login no longer works."""
    expected = "the default web login root/root refused"
    problems = relevant_problems(snapshot, ("password", "passwd", "auth"))
    active = snapshot.default_password_active
    if active is None:
        if problems:
            return not_read(expected, "the web login", problems)
        return Finding(Status.SKIPPED, expected, "not checked (web UI not read)")
    evidence = (
        Evidence(
            label="root/root logs in",
            value="yes" if active else "no",
            source="web digest login to get_system_info.cgi",
        ),
    )
    if not active:
        return Finding(Status.PASS, expected, "root/root refused", evidence=evidence)
    return Finding(
        Status.WARN,
        expected,
        "root/root still logs in",
        "change the web password under System > Administration, then Save & Apply (guide 8.3)",
        evidence,
    )


def fatal_action(line: str, limits: Limits = DEFAULT_LIMITS) -> str:
    """What to check for one firmware ``Fatal Error`` line."""
    lowered = line.lower()
    if "temperature" in lowered:
        return f"the firmware stopped hashing at {limits.pcb_cutoff_c:.0f} °C PCB: " + loop_action(
            limits
        )
    if "fan" in lowered:
        return f"check the fans on headers {', '.join(FAN_HEADERS)}: plugged in and turning"
    if "network" in lowered:
        return "the miner lost its pool: check the network cable, gateway, DNS and pool URLs"
    return "read the log around this line and restart the miner; if it repeats, contact support"


def fatal_lines(lines: Sequence[str]) -> list[tuple[int, str]]:
    """``(line number, text)`` of every firmware fatal line (``Fatal Error``), 1-based."""
    return [
        (n, text.strip()) for n, text in enumerate(lines, start=1) if "fatal error" in text.lower()
    ]


@rule("log.fatal", title="No fatal line in the kernel log", guide_ref="7", needs=("kernel",))
def check_kernel_log(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """The kernel log (web UI) has no firmware ``Fatal Error`` line."""
    expected = "no 'Fatal Error' line in the kernel log"
    problems = relevant_problems(snapshot, ("kernel",))
    if snapshot.kernel_log is None:
        if problems:
            return not_read(expected, "the kernel log", problems)
        return Finding(Status.SKIPPED, expected, "not checked (web UI not read)")
    fatal = fatal_lines(snapshot.kernel_log)
    observed = f"{len(snapshot.kernel_log)} lines, {len(fatal)} fatal"
    if not fatal:
        return Finding(
            Status.PASS,
            expected,
            observed,
            evidence=(
                Evidence(
                    label="lines read",
                    value=str(len(snapshot.kernel_log)),
                    source="web get_kernel_log.cgi",
                ),
            ),
        )
    evidence = tuple(
        Evidence(label="fatal line", value=text, source=f"kernel log line {n}") for n, text in fatal
    )
    actions = list(dict.fromkeys(fatal_action(text, limits) for _, text in fatal))
    return Finding(Status.FAIL, expected, observed, "; ".join(actions), evidence)


# Judged by the soak; registered here so ids and titles live in one table.
_register(Rule("soak.stability", "Stable through the commissioning run", "3"))
_register(Rule("console.fatal", "Serial console: chains detected, no fatal line", "7"))

_CHAIN_LINE = re.compile(r"Chain\[J(?P<chain>\d+)\] has (?P<asics>\d+) asic")


def check_console(lines: Sequence[str], limits: Limits = DEFAULT_LIMITS) -> Finding:
    """Judge what the control board printed on its serial console while we verified.

    Fails on a firmware ``Fatal Error`` line and on a chain the boot log found short of ASICs
    (``Chain[J7] has 0 asic``), naming the board and PCIe connector; chain lines are evidence.

    Args:
        lines: console lines in the order they were read.
        limits: the limits (for the actions' figures).
    """
    expected = f"no 'Fatal Error' line; chains found with {ASICS_PER_CHAIN} ASICs"
    fatal = fatal_lines(lines)
    detected: dict[int, tuple[int, int]] = {}
    for number, text in enumerate(lines, start=1):
        if (match := _CHAIN_LINE.search(text)) is not None:
            detected[int(match["chain"])] = (int(match["asics"]), number)
    short = sorted(chain for chain, (asics, _) in detected.items() if asics < ASICS_PER_CHAIN)
    evidence = tuple(
        Evidence(label="fatal line", value=text, source=f"console line {n}") for n, text in fatal
    ) + tuple(
        Evidence(label=f"chain {chain}", value=f"{asics} ASICs", source=f"console line {n}")
        for chain, (asics, n) in sorted(detected.items())
    )
    observed = f"{len(lines)} lines, {len(fatal)} fatal, {len(detected)} chains reported" + (
        ", short: " + ", ".join(f"chain {c} {detected[c][0]} ASICs" for c in short) if short else ""
    )
    if not lines:
        return Finding(
            Status.SKIPPED,
            expected,
            "the console printed nothing while we read it",
            "the board prints its chain detection at boot: keep --console reading (e.g. with "
            "--soak) and power-cycle the miner to see it",
        )
    if not fatal and not short:
        if not detected:
            observed += " (chain detection is printed at boot)"
        return Finding(Status.PASS, expected, observed, evidence=evidence)
    actions = list(dict.fromkeys(fatal_action(text, limits) for _, text in fatal))
    missing = [c for c in short if detected[c][0] == 0]
    if missing:
        actions.append(_missing_chain_action(missing))
    actions.extend(
        f"{chain_place(c)} found only {detected[c][0]} ASICs at boot: reseat its PCIe connector "
        "and the board's ribbon cable"
        for c in short
        if detected[c][0] > 0
    )
    return Finding(Status.FAIL, expected, observed, "; ".join(actions), evidence)


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
