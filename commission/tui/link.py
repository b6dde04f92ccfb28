"""The TUI's connection to one miner: a client, an IP-report port, and (simulated) a button.

The app never builds clients itself: it is handed a :data:`LinkOpener` (by :func:`run` from the
command line, or by a test) and awaits it in a worker. That keeps the App injectable and keeps the
simulator out of every layer below the front end.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from commission.miner.client import MinerClient


@dataclass
class MinerLink:
    """An open connection to a miner, real or simulated.

    Attributes:
        client: the miner client every device call goes through.
        label: how to name the miner on screen (``simulator healthy 127.0.0.1:4028``).
        report_address: where the IP-report listener binds (host, UDP port; 0 picks one).
        report_reply_port: the port the MAC is echoed to (14236 on real miners); None echoes to
            the port the report came from.
        press_button: for the simulator only, presses its IP Report button so that it reports to
            the given (host, port); None on real hardware, where the technician presses it.
        closers: coroutines that release what the opener started (client, simulator), run in order.
        simulated: the simulator's scenario when the miner is the built-in simulator; None for
            real hardware. The job records it, so a practice run is never taken for a real one.
    """

    client: MinerClient
    label: str
    report_address: tuple[str, int] = ("0.0.0.0", 14235)
    report_reply_port: int | None = 14236
    press_button: Callable[[tuple[str, int]], Awaitable[bool]] | None = None
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    simulated: str | None = None

    async def aclose(self) -> None:
        """Close the client and stop whatever the opener started; later closers still run."""
        errors: list[BaseException] = []
        for closer in self.closers:
            try:
                await closer()
            except Exception as error:  # noqa: BLE001 - collected and re-raised below
                errors.append(error)
        if errors:
            raise errors[0]


LinkOpener = Callable[[], Awaitable[MinerLink]]
"""An async callable that opens the link; awaited inside the app's event loop."""
