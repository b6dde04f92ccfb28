"""Consoles print what a technician must copy exactly: no emoji codes, no auto-highlighting."""

from __future__ import annotations

import io
import re
from pathlib import Path

from commission.render.terminal import terminal

PACKAGE = Path(__file__).resolve().parents[2] / "commission"


def test_a_mac_with_an_emoji_code_in_it_prints_as_it_is() -> None:
    out = io.StringIO()
    console = terminal(file=out, width=80)
    console.print("miner 2: mac 02:5A:11:AB:00:98 on [b]127.0.1.2[/b]")
    assert out.getvalue() == "miner 2: mac 02:5A:11:AB:00:98 on 127.0.1.2\n"


def test_front_ends_make_consoles_only_through_terminal() -> None:
    # Rich is imported from L5 up; outside the TUI (Textual owns its own), every console that
    # prints comes from commission.render.terminal so the emoji fix cannot be forgotten.
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("tui/") or relative == "render/terminal.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if line.lstrip().startswith("class "):
                continue  # a class named Console (the simulator's console protocol) makes none
            if re.search(r"(?<![\w.`])Console\(", line) and "emoji=False" not in line:
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
