"""Temperature rules: the margin to the 80 °C cut-off per hash board, the spread across boards,
and faulty sensors (a sensor finding of its own, while the board's other sensors still judge it)."""

from __future__ import annotations

import statistics

from commission.miner.fields import TEMP_CHIP, TEMP_PCB
from commission.miner.layout import (
    BOARDS,
    CHAIN_PLACES,
    PUMP_HEADER,
    board_name,
    chains_of_board,
)
from commission.miner.models import MinerSnapshot, Problem
from commission.miner.parse import TEMP_PLAUSIBLE_C
from commission.results import Evidence, Status
from commission.verify.limits import Limits
from commission.verify.rules.base import Finding, fmt, not_read, problem_evidence, rule

BOARD_TEMPS = ("board.*.temp_pcb", "board.*.temp_chip")
SENSORS = ("chain.*.temp_pcb.*", "chain.*.temp_chip.*")


def loop_action(limits: Limits) -> str:
    return (
        f"all boards are hot, so look at the water loop: the pump on the {PUMP_HEADER} header "
        "running (if flow stays low, unplug and replug the pump 2-3 times with power off), the flow "
        "(5-15 L/min), and the inlet temperature (15-55 °C, at least 3 °C above the dew "
        f"point); the firmware stops at {limits.pcb_cutoff_c:.0f} °C PCB (guide 3, 4, 7)"
    )


def board_hot_action(board: int) -> str:
    return (
        f"air is trapped in the cold plate of {board_name(board)}: with the loop running, tilt the "
        "server slowly left and right to bleed it, top up the water, and check that board's hoses "
        "are not kinked (guide 4)"
    )


def _plausible(readings: tuple[float, ...]) -> list[float]:
    low, high = TEMP_PLAUSIBLE_C
    return [t for t in readings if low <= t <= high]


def board_temperatures(snapshot: MinerSnapshot) -> dict[int, tuple[float | None, float | None]]:
    """Hottest plausible (PCB, chip) reading per hash board, over the board's detected chains."""
    boards: dict[int, tuple[float | None, float | None]] = {}
    for reading in snapshot.chains:
        board = reading.board
        if board is None or not reading.present:
            continue
        pcb, chip = boards.get(board, (None, None))
        pcb_max = max(_plausible(reading.temps_pcb), default=None)
        chip_max = max(_plausible(reading.temps_chip), default=None)
        if pcb_max is not None:
            pcb = pcb_max if pcb is None else max(pcb, pcb_max)
        if chip_max is not None:
            chip = chip_max if chip is None else max(chip, chip_max)
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


def temp_evidence(boards: dict[int, tuple[float | None, float | None]]) -> tuple[Evidence, ...]:
    out: list[Evidence] = []
    for board in BOARDS:
        pcb, chip = boards.get(board, (None, None))
        keys = "/".join(
            key.format(n) for n in chains_of_board(board) for key in (TEMP_PCB, TEMP_CHIP)
        )
        out.append(
            Evidence(
                label=f"{board_name(board)} PCB / chip",
                value=f"{'-' if pcb is None else fmt(pcb, 0)} / "
                f"{'-' if chip is None else fmt(chip, 0)} °C",
                source=f"rpc stats {keys}",
            )
        )
    return tuple(out)


def _sensor_words(problem: Problem) -> str:
    """``chain 7 on hash board 4: chip sensor temp2_7 reads -83``."""
    parts = problem.field.split(".")
    chain = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    kind = "board (PCB)" if "temp_pcb" in problem.field else "chip"
    key = problem.source.rsplit(" ", 1)[-1]
    place = CHAIN_PLACES.get(chain) if chain is not None else None
    where = f"chain {chain}" + (f" on {board_name(place.board)}" if place else "")
    return f"{where}: {kind} sensor {key} reads {problem.value}"


def sensor_faults(snapshot: MinerSnapshot) -> tuple[Problem, ...]:
    """The temperature sensors that gave an implausible reading, each by itself."""
    return snapshot.problems_with(SENSORS)


def _boards_without(boards: dict[int, tuple[float | None, float | None]]) -> list[int]:
    return [b for b in BOARDS if b not in boards or None in boards[b]]


@rule(
    "temps.margin",
    title="Margin to the 80 °C cut-off",
    guide_ref="7",
    reads=BOARD_TEMPS,
    partial=True,
)
def check_temp_margin(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """Each hash board's hottest PCB and chip reading keeps a margin to the 80 °C PCB cut-off.

    A faulty sensor (e.g. a chip at -83 °C) is a WARN of its own, naming the chain, its board and
    the sensor; the board is judged from its other sensors.
    """
    expected = (
        f"on each of the {len(BOARDS)} hash boards PCB < {limits.pcb_warn_c:.0f} °C "
        f"({limits.pcb_margin_c:.0f} °C below the {limits.pcb_cutoff_c:.0f} °C cut-off) and "
        f"chips < {limits.chip_warn_c:.0f} °C"
    )
    boards = board_temperatures(snapshot)
    pcb = {b: t for b, (t, _) in boards.items() if t is not None}
    chip = {b: t for b, (_, t) in boards.items() if t is not None}
    if not pcb and not chip:
        return not_read(snapshot, BOARD_TEMPS, expected, "the temperatures")
    evidence = temp_evidence(boards)
    pcb_board, pcb_max = max(pcb.items(), key=lambda item: item[1], default=(0, float("-inf")))
    chip_board, chip_max = max(chip.items(), key=lambda item: item[1], default=(0, float("-inf")))
    parts = []
    if pcb:
        parts.append(f"hottest PCB {pcb_max:.0f} °C on {board_name(pcb_board)}")
    if chip:
        parts.append(f"hottest chip {chip_max:.0f} °C on {board_name(chip_board)}")
    observed = ", ".join(parts)
    faults = sensor_faults(snapshot)
    fault_text = "; ".join(_sensor_words(p) for p in faults)
    if faults:
        evidence = problem_evidence(faults) + evidence
    if pcb_max >= limits.pcb_fail_c or chip_max >= limits.chip_fail_c:
        status = Status.FAIL
    elif pcb_max >= limits.pcb_warn_c or chip_max >= limits.chip_warn_c:
        status = Status.WARN
    else:
        status = Status.PASS
    action = ""
    if status is not Status.PASS:
        single = hot_board(pcb, limits)
        action = board_hot_action(single[0]) if single else loop_action(limits)
    unread = _boards_without(boards)
    if unread and status is not Status.FAIL:
        missing = ", ".join(board_name(b) for b in unread)
        return Finding(
            Status.UNJUDGED,
            expected,
            f"{observed}; no usable PCB and chip temperature from {missing}, so the margin "
            "cannot be judged on every board"
            + (f"; faulty sensors: {fault_text}" if faults else ""),
            "bring every board up (see the chains check) and check the sensors named in the evidence, "
            "then verify again",
            evidence,
        )
    if faults:
        observed += f"; faulty sensor{'s' if len(faults) > 1 else ''}, not used: {fault_text}"
        fault_action = (
            "a temperature sensor reports nonsense ("
            + fault_text
            + "): its board is judged from its other sensors; reseat that board's ribbon cable "
            "and restart; if it persists, the sensor on that board needs repair"
        )
        action = f"{action}; {fault_action}" if action else fault_action
        if status is Status.PASS:
            status = Status.WARN
    return Finding(status, expected, observed, action, evidence)


@rule(
    "temps.spread",
    title="Even temperatures across boards",
    guide_ref="4",
    reads=("board.*.temp_pcb",),
    partial=True,
)
def check_temp_spread(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """Boards run at similar temperatures; one hot board means trapped air, all hot the loop."""
    expected = (
        f"no board more than {limits.board_spread_warn_c:.0f} °C above the others, and not "
        f"all boards at {limits.all_hot_pcb_c:.0f} °C PCB or more"
    )
    boards = board_temperatures(snapshot)
    pcb = {b: t for b, (t, _) in boards.items() if t is not None}
    if not pcb:
        return not_read(snapshot, ("board.*.temp_pcb",), expected, "the board temperatures")
    evidence = temp_evidence(boards)
    spread = max(pcb.values()) - min(pcb.values())
    observed = f"PCB {min(pcb.values()):.0f}-{max(pcb.values()):.0f} °C across {len(pcb)} boards"
    single = hot_board(pcb, limits)
    if single is not None:
        board, excess = single
        status = Status.FAIL if excess >= limits.board_spread_fail_c else Status.WARN
        return Finding(
            status,
            expected,
            f"{observed}; {board_name(board)} runs {excess:.0f} °C above the others",
            board_hot_action(board),
            evidence,
        )
    if len(pcb) > 1 and min(pcb.values()) >= limits.all_hot_pcb_c:
        status = Status.FAIL if max(pcb.values()) >= limits.pcb_fail_c else Status.WARN
        return Finding(
            status, expected, f"{observed}; all boards hot", loop_action(limits), evidence
        )
    unread = [b for b in BOARDS if b not in pcb]
    if unread:
        return Finding(
            Status.UNJUDGED,
            expected,
            f"{observed}; no usable PCB temperature from "
            + ", ".join(board_name(b) for b in unread)
            + ", so the spread cannot be judged across all boards",
            "bring every board up (see the chains check), then verify again",
            evidence,
        )
    return Finding(Status.PASS, expected, f"{observed} (spread {spread:.0f} °C)", evidence=evidence)
