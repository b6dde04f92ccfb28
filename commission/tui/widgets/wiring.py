"""The wiring view: 13 PCIe connectors, six fan headers and the pump header, ticked and confirmed.

The technician ticks each connector as it is plugged in; live data then confirms it. A chain the
firmware found confirms the connector that feeds it; a chain it did not find lights up its hash
board and connector, so the technician knows which plug to reseat. Which chain sits on which
connector comes from :mod:`commission.miner.layout` (the one table of it).
"""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Checkbox, Label

from commission.miner.layout import (
    BOARDS,
    CHAIN_PLACES,
    CONTROLLER_CONNECTOR,
    FAN_HEADERS,
    PUMP_HEADER,
    connectors_of_board,
)
from commission.miner.models import MinerSnapshot
from commission.results import Status
from commission.tui.guard import Guarded
from commission.tui.widgets.status_style import status_markup
from commission.tui.widgets.tickbox import TickBox

CONNECTOR_CHAIN: dict[str, int] = {place.connector: chain for chain, place in CHAIN_PLACES.items()}
"""PCIe connector name -> the API chain it feeds."""


def dom_id(name: str) -> str:
    """A DOM id for a connector or header name (``PCIe-B1.1`` -> ``plug-pcie-b1-1``)."""
    return "plug-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class Plug(Vertical):
    """One connector or header: a tick box and a line of live confirmation."""

    DEFAULT_CSS = """
    Plug {
        height: 2;
        width: 1fr;
    }
    Plug > Checkbox {
        border: none;
        padding: 0;
        height: 1;
        width: 1fr;
        background: transparent;
    }
    Plug > Checkbox:focus {
        border: none;
        background: $primary 25%;
    }
    Plug > .plug--live {
        height: 1;
        padding-left: 2;
        color: $text-muted;
    }
    Plug.-missing > Checkbox {
        color: $error;
        text-style: bold;
    }
    """

    def __init__(self, name: str, label: str, *, ticked: bool = False) -> None:
        super().__init__(id=dom_id(name))
        self.plug_name = name
        self.label = label
        self.ticked = ticked

    def compose(self) -> ComposeResult:
        """The tick box over the live line."""
        yield TickBox(self.label, self.ticked)
        yield Label("live: waiting", classes="plug--live")

    def live(self, markup: str, *, missing: bool = False) -> None:
        """Show a live confirmation (Content markup) and mark the plug when it is missing."""
        self.query_one(".plug--live", Label).update(markup)
        self.set_class(missing, "-missing")


class WiringView(Guarded, Vertical):
    """Hash boards 1-4 with three PCIe connectors each, the controller, fans and pump."""

    DEFAULT_CSS = """
    WiringView {
        height: auto;
    }
    WiringView > Grid {
        grid-size: 4;
        grid-gutter: 0 1;
        height: auto;
    }
    WiringView .wiring--box {
        border: round $primary;
        height: auto;
        padding: 0 1;
    }
    WiringView .wiring--box.-missing {
        border: heavy $error;
    }
    WiringView .wiring--box.-confirmed {
        border: round $success;
    }
    WiringView #wiring-summary {
        padding: 0 1;
        height: auto;
    }
    """

    class Ticked(Message):
        """The technician ticked or unticked one connector or header."""

        def __init__(self, view: WiringView, plug: str, ticked: bool) -> None:
            self.view = view
            self.plug = plug
            self.ticked = ticked
            super().__init__()

        @property
        def control(self) -> WiringView:
            """The wiring view that sent this."""
            return self.view

    ticked: reactive[frozenset[str]] = reactive(frozenset(), init=False)
    """Names of connectors and headers the technician has ticked."""

    def __init__(self, ticked: frozenset[str] = frozenset(), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(WiringView.ticked, frozenset(ticked))

    def compose(self) -> ComposeResult:
        """Four board boxes, then controller, fans and pump."""
        yield Label("live: waiting for the miner", id="wiring-summary")
        with Grid():
            for board in BOARDS:
                with Vertical(classes="wiring--box", id=f"board-{board}") as box:
                    box.border_title = f"Board {board}"
                    for connector in connectors_of_board(board):
                        short = connector.removeprefix("PCIe-")
                        yield Plug(connector, short, ticked=connector in self.ticked)
            with Vertical(classes="wiring--box", id="controller") as box:
                box.border_title = "Control"
                yield Plug(
                    CONTROLLER_CONNECTOR,
                    CONTROLLER_CONNECTOR.removeprefix("PCIe-"),
                    ticked=CONTROLLER_CONNECTOR in self.ticked,
                )
                yield Plug(PUMP_HEADER, "PUMP", ticked=PUMP_HEADER in self.ticked)
            for first in (0, 2, 4):
                with Vertical(classes="wiring--box", id=f"fans-{first // 2 + 1}") as box:
                    box.border_title = "Fans"
                    for header in FAN_HEADERS[first : first + 2]:
                        yield Plug(header, header, ticked=header in self.ticked)

    @on(Checkbox.Changed)
    def _ticked(self, event: Checkbox.Changed) -> None:
        event.stop()
        plug = event.checkbox.parent
        if not isinstance(plug, Plug):
            return
        names = set(self.ticked)
        if event.value:
            names.add(plug.plug_name)
        else:
            names.discard(plug.plug_name)
        self.ticked = frozenset(names)
        self.post_message(self.Ticked(self, plug.plug_name, event.value))

    def show(self, snapshot: MinerSnapshot | None, reason: str = "") -> None:
        """Confirm or flag every plug from ``snapshot`` (None: the miner is not answering)."""
        plugs = {plug.plug_name: plug for plug in self.query(Plug)}
        summaries = list(self.query("#wiring-summary").results(Label))
        if not summaries or len(plugs) < len(CONNECTOR_CHAIN) + len(FAN_HEADERS) + 2:
            return  # not composed yet, or being removed: the screen shows the next reading
        summary = summaries[0]
        if snapshot is None:
            for plug in plugs.values():
                plug.live("live: no data", missing=False)
            summary.update(status_markup(Status.ERROR, reason or "the miner is not answering"))
            return
        missing_boards: set[int] = set()
        missing: list[str] = []
        for connector, chain in CONNECTOR_CHAIN.items():
            reading = snapshot.chain(chain)
            plug = plugs[connector]
            if reading is not None and reading.present:
                plug.live(f"[$success]✔[/] ch{chain} {reading.asics}")
            else:
                plug.live(f"[$error]✘ ch{chain} none[/]", missing=True)
                missing_boards.add(CHAIN_PLACES[chain].board)
                missing.append(f"{connector} (chain {chain})")
        plugs[CONTROLLER_CONNECTOR].live("[$success]✔[/] answers")
        plugs[PUMP_HEADER].live("– unsensed")
        speeds = {reading.index: reading.rpm for reading in snapshot.fans}
        for index, header in enumerate(FAN_HEADERS, start=1):
            rpm = speeds.get(index)
            if rpm is None:
                plugs[header].live("[$error]✘ unread[/]", missing=True)
            elif rpm <= 0:
                plugs[header].live("[$error]✘ 0 rpm[/]", missing=True)
                missing.append(f"{header} (stalled)")
            else:
                plugs[header].live(f"[$success]✔[/] {rpm:,}")
        for board in BOARDS:
            box = self.query_one(f"#board-{board}")
            box.set_class(board in missing_boards, "-missing")
            box.set_class(board not in missing_boards, "-confirmed")
        if missing:
            summary.update(status_markup(Status.FAIL, "check: " + ", ".join(missing)))
        else:
            summary.update(status_markup(Status.PASS, "all 12 chains and 6 fans confirmed live"))
