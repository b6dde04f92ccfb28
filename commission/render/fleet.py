"""The fleet summary a farm manager reads: one row per miner, worst first, and the totals.

Rows come from :func:`commission.verify.fleet.fleet_row`; this module only lays them out (address,
MAC, location label, hash rate, worst status, what is wrong and the first thing to do), plus the
one-line progress text the headless verifier rewrites on a terminal while a fleet runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Group
from rich.table import Table
from rich.text import Text

from commission.render.outcomes import STATUS_STYLE, status_text
from commission.results import Status
from commission.verify.fleet import FleetRow


def hash_rate_text(ghs: float | None) -> str:
    """``13.51 TH/s``, or ``-`` when there is no reading."""
    return "-" if ghs is None else f"{ghs / 1000:.2f} TH/s"


def totals_text(
    by_status: Mapping[Status, int], miners: int, exit_code: int, *, strict: bool, shown: int
) -> Text:
    """``1000 miners: 990 pass, 6 fail, 4 unreachable · exit 1`` (with the rows shown if fewer)."""
    text = Text(f"{miners} miner{'s' if miners != 1 else ''} verified: ")
    first = True
    for status in Status:
        count = by_status.get(status, 0)
        if count:
            if not first:
                text.append(", ")
            text.append(f"{count} {status.word}", style=STATUS_STYLE[status])
            first = False
    if first:
        text.append("none")
    if shown != miners:
        text.append(f" · {shown} shown", style="dim")
    text.append(
        f" · exit {exit_code}" + (" (strict: warnings fail)" if strict else ""), style="dim"
    )
    return text


def fleet_table(rows: Sequence[FleetRow]) -> Table:
    """The summary table (rows in the order given: sort them worst first before)."""
    table = Table(title="fleet summary", title_justify="left", expand=False, show_lines=False)
    table.add_column("address", no_wrap=True)
    table.add_column("MAC", no_wrap=True)
    table.add_column("location")
    table.add_column("hash rate", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("what is wrong")
    table.add_column("first action")
    for row in rows:
        status = status_text(row.status)
        if not row.reachable:
            status = Text.assemble(status, Text(" unreachable", style=STATUS_STYLE[row.status]))
        table.add_row(
            row.host,
            row.mac or "-",
            row.label or "-",
            hash_rate_text(row.ghs),
            status,
            Text(row.reason or "-"),
            Text(row.action or "-"),
        )
    return table


EXPLAINED_ROWS = 20
"""Miners explained in words under the table; the table itself has every one."""


def fleet_summary(
    rows: Sequence[FleetRow],
    by_status: Mapping[Status, int],
    miners: int,
    exit_code: int,
    *,
    strict: bool,
    headline: str,
) -> Group:
    """The table, the totals line, then the run in words (one line per miner not verified)."""
    parts: list[Table | Text] = []
    if rows:
        parts.append(fleet_table(rows))
    parts.append(totals_text(by_status, miners, exit_code, strict=strict, shown=len(rows)))
    reasons = [row.explanation for row in rows if row.explanation]
    words = Text(headline, style="bold" if reasons else "")
    for reason in reasons[:EXPLAINED_ROWS]:
        words.append("\n  " + reason)
    if len(reasons) > EXPLAINED_ROWS:
        words.append(f"\n  ... and {len(reasons) - EXPLAINED_ROWS} more miners: see the table")
    parts.append(words)
    return Group(*parts)


def progress_line(
    done: int, total: int, failed: int, rate: float | None, eta_s: float | None
) -> str:
    """``412/1000 verified · 3 not passing · 210 miners/s · ETA 3 s`` for a terminal's status line."""
    parts = [f"{done}/{total} verified", f"{failed} not passing"]
    if rate is not None:
        parts.append(f"{rate:.0f} miners/s")
    if eta_s is not None:
        parts.append(f"ETA {eta_s:.0f} s")
    return " · ".join(parts)
