"""The IP Report step: listen for the miner's button and hand its address and MAC to the job.

The panel binds the IP-report UDP port in a worker and waits; when the miner's datagram arrives it
echoes the MAC (so the miner stops repeating) and posts :class:`IpReportPanel.Found`. On the
simulator a button presses the simulated miner's IP Report button.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Label

from commission.errors import CommissionError
from commission.miner.ipreport import IpReport, IpReportListener
from commission.results import Status
from commission.tui.guard import Guarded
from commission.tui.widgets.status_style import status_markup

Presser = Callable[[tuple[str, int]], Awaitable[bool]]


class IpReportPanel(Guarded, Vertical):
    """Listens for IP Report datagrams and shows each miner found."""

    DEFAULT_CSS = """
    IpReportPanel {
        height: auto;
        border: round $primary;
        padding: 0 1;
        margin-bottom: 1;
    }
    IpReportPanel Horizontal {
        height: auto;
    }
    IpReportPanel Button {
        margin-right: 2;
    }
    IpReportPanel .ip--found {
        text-style: bold;
    }
    IpReportPanel #ip-status {
        width: 1fr;
    }
    """

    class Found(Message):
        """A miner reported its address and MAC."""

        def __init__(self, panel: IpReportPanel, ip: str, mac: str) -> None:
            self.panel = panel
            self.ip = ip
            self.mac = mac
            super().__init__()

        @property
        def control(self) -> IpReportPanel:
            """The panel that heard the report."""
            return self.panel

    class _Listening(Message):
        def __init__(self, address: tuple[str, int]) -> None:
            self.address = address
            super().__init__()

    class _Heard(Message):
        def __init__(self, report: IpReport) -> None:
            self.report = report
            super().__init__()

    class _Problem(Message):
        def __init__(self, reason: str) -> None:
            self.reason = reason
            super().__init__()

    def __init__(
        self,
        bind: tuple[str, int],
        reply_port: int | None,
        press: Presser | None = None,
        *,
        known: str = "",
    ) -> None:
        super().__init__(id="ip-report")
        self.bind = bind
        self.reply_port = reply_port
        self.press = press
        self.known = known
        self.address: tuple[str, int] | None = None

    def compose(self) -> ComposeResult:
        """Status line, found line and the buttons."""
        self.border_title = "IP Report"
        yield Label("starting the listener…", id="ip-status")
        yield Label(self.known, classes="ip--found", id="ip-found")
        with Horizontal():
            yield Button("Listen again", id="ip-listen")
            if self.press is not None:
                yield Button("Press the simulated button", id="ip-press", variant="primary")

    def on_mount(self) -> None:
        """Start listening at once."""
        self.listen()

    @work(exclusive=True, group="ip-report")
    async def listen(self) -> None:
        """Bind the report port and post every miner heard until the panel goes away."""
        listener = IpReportListener(self.bind[0], self.bind[1], reply_port=self.reply_port)
        try:
            await listener.start()
        except CommissionError as error:
            self.post_message(self._Problem(str(error)))
            return
        try:
            self.post_message(self._Listening(listener.address))
            async for event in listener.events():
                if isinstance(event, IpReport):
                    self.post_message(self._Heard(event))
                else:
                    self.post_message(
                        self._Problem(f"unreadable datagram from {event.sender[0]}: {event.reason}")
                    )
        except CommissionError as error:
            self.post_message(self._Problem(str(error)))
        finally:
            await listener.stop()

    @work(exclusive=True, group="ip-press")
    async def press_button(self, address: tuple[str, int]) -> None:
        """Press the simulated miner's button (it reports to ``address``)."""
        assert self.press is not None
        try:
            acked = await self.press(address)
        except (CommissionError, OSError) as error:
            self.post_message(self._Problem(f"pressing the simulated button failed: {error}"))
            return
        if not acked:
            self.post_message(self._Problem("the simulated miner got no echo and gave up"))

    @on(_Listening)
    def _listening(self, message: _Listening) -> None:
        self.address = message.address
        host, port = self.bind
        where = f"UDP {host}:{port}" if port else f"UDP {host} (a free port, for the simulator)"
        self.query_one("#ip-status", Label).update(
            f"[$primary]◉[/] listening on {where}: hold the IP Report button on the controller "
            "for about 5 s, until it beeps"
        )

    @on(_Heard)
    def _heard(self, message: _Heard) -> None:
        report = message.report
        self.query_one("#ip-found", Label).update(
            status_markup(Status.PASS, f"miner at {report.ip}, MAC {report.mac}")
        )
        self.post_message(self.Found(self, report.ip, report.mac))

    @on(_Problem)
    def _problem(self, message: _Problem) -> None:
        self.query_one("#ip-status", Label).update(status_markup(Status.ERROR, message.reason))
        self.notify(message.reason, title="IP Report", severity="error")

    @on(Button.Pressed, "#ip-listen")
    def _listen_again(self, event: Button.Pressed) -> None:
        event.stop()
        self.listen()

    @on(Button.Pressed, "#ip-press")
    def _press(self, event: Button.Pressed) -> None:
        event.stop()
        if self.address is None:
            self.notify("the listener is not running yet", severity="warning")
            return
        self.press_button(self.address)
