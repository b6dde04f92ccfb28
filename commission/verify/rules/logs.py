"""Log rules: no fatal line in the kernel log (web UI) or on the serial console, and the chains
the boot log found."""

from __future__ import annotations

import re
from collections.abc import Sequence

from commission.miner.layout import ASICS_PER_CHAIN, FAN_HEADERS
from commission.miner.models import FieldKey, MinerSnapshot
from commission.results import Evidence, Status
from commission.verify.limits import DEFAULT_LIMITS, Limits
from commission.verify.rules.base import (
    Finding,
    chain_place,
    not_read,
    rule,
    whole_read_problems,
    with_board_note,
)
from commission.verify.rules.chains import missing_chain_action
from commission.verify.rules.thermal import loop_action


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


@rule(
    "log.fatal",
    title="No fatal line in the kernel log",
    guide_ref="7",
    reads=(FieldKey.KERNEL_LOG,),
)
def check_kernel_log(snapshot: MinerSnapshot, limits: Limits) -> Finding:
    """The kernel log (web UI) has no firmware ``Fatal Error`` line.

    "No fatal line" counts only in a log that was read and is a log: an empty page or an HTML
    page is a problem on the kernel log (see the parser), and the rule is not judged.
    """
    expected = "no 'Fatal Error' line in the kernel log"
    if snapshot.kernel_log is None:
        if whole_read_problems(snapshot, (FieldKey.KERNEL_LOG,)):
            return not_read(snapshot, (FieldKey.KERNEL_LOG,), expected, "the kernel log")
        return Finding(Status.SKIPPED, expected, "not checked (web UI not read)")
    lines = snapshot.kernel_log
    fatal = fatal_lines(lines)
    observed = f"{len(lines)} lines, {len(fatal)} fatal"
    if not fatal:
        if not any(line.strip() for line in lines):
            return Finding(
                Status.UNJUDGED,
                expected,
                "the kernel log page is empty, so it cannot show whether the firmware stopped",
                "open System > Kernel Log in the web UI; if it stays empty, restart the miner",
                (Evidence(label="lines read", value="0", source="web get_kernel_log.cgi"),),
            )
        return Finding(
            Status.PASS,
            expected,
            observed,
            evidence=(
                Evidence(
                    label="lines read", value=str(len(lines)), source="web get_kernel_log.cgi"
                ),
            ),
        )
    evidence = tuple(
        Evidence(label="fatal line", value=text, source=f"kernel log line {n}") for n, text in fatal
    )
    actions = list(dict.fromkeys(fatal_action(text, limits) for _, text in fatal))
    return Finding(Status.FAIL, expected, observed, "; ".join(actions), evidence)


_CHAIN_LINE = re.compile(r"Chain\[J(?P<chain>\d+)\] has (?P<asics>\d+) asic")


def check_console(lines: Sequence[str], limits: Limits = DEFAULT_LIMITS) -> Finding:
    """Judge the serial console's lines (see :func:`console_finding`), marking assumed boards."""
    return with_board_note(console_finding(lines, limits))


def console_finding(lines: Sequence[str], limits: Limits = DEFAULT_LIMITS) -> Finding:
    """Judge what the control board printed on its serial console while we verified.

    Fails on a firmware ``Fatal Error`` line and on a chain the boot log found short of ASICs
    (``Chain[J7] has 0 asic``), naming the board with its PCIe leads and ribbon cable; chain lines
    are evidence.

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
        actions.append(missing_chain_action(missing))
    actions.extend(
        f"{chain_place(c)} found only {detected[c][0]} ASICs at boot: reseat that board's PCIe "
        "leads and ribbon cable"
        for c in short
        if detected[c][0] > 0
    )
    return Finding(Status.FAIL, expected, observed, "; ".join(actions), evidence)
