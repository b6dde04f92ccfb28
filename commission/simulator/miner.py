"""One simulated S9 Hydro: the model plus its RPC port, web UI, IP Report button and console.

:class:`SimulatedMiner` is the in-process API the TUI, the verifier and the tests use: start it on
loopback (ephemeral ports by default), talk to it with any stock-firmware client, change the clock
to move time, press its IP Report button. Restarts (new pools saved, reboot) pause the RPC port
for a clock-based while, so clients see "connection refused" as on the real miner.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import random
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, Final

from commission.errors import UsageError
from commission.miner.fields import (
    DEFAULT_WEB_PASSWORD,
    IP_REPORT_LISTEN_PORT,
    IP_REPORT_MINER_PORT,
)
from commission.simulator import ipreport
from commission.simulator.clock import Clock, RealClock
from commission.simulator.console import MinerConsole, open_console
from commission.simulator.model import HydroModel
from commission.simulator.replies import answer
from commission.simulator.rpc import PausableListener, ReplyFaults, RpcProtocol
from commission.simulator.scenarios import DEFAULT_SLOW_REPLY_SECONDS, ScenarioSet, parse_scenarios

log = logging.getLogger(__name__)

RESTART_SECONDS: Final = 8.0
"""How long the RPC port refuses connections after set_miner_conf.cgi restarts bmminer."""
REBOOT_SECONDS: Final = 45.0
"""How long RPC and web refuse connections after reboot.cgi."""
CONSOLE_TICK_SECONDS: Final = 0.25


def make_mac(seed: int, index: int = 0) -> str:
    """A locally administered, upper-case MAC that is stable for a seed and fleet index."""
    rng = random.Random(seed * 100_003 + index)
    octets = [0x02, 0x5A, *(rng.randrange(256) for _ in range(4))]
    return ":".join(f"{octet:02X}" for octet in octets)


def make_serial(seed: int, index: int = 0) -> str:
    """A hash-board style serial number that is stable for a seed and fleet index."""
    rng = random.Random(seed * 7_919 + index + 1)
    return "SIMH" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(12))


def password_for(seed: int) -> str:
    """The changed web password of the password-changed scenario (stable for a seed)."""
    return f"hydro-{random.Random(seed + 31).randrange(10_000, 100_000)}"


class SimulatedMiner:
    """A simulated S9 Hydro speaking the stock firmware's protocols on loopback.

    Args:
        scenarios: faults to show: text like ``"pump-stopped,fan-stalled:3"``, a list of such
            strings, a parsed :class:`ScenarioSet`, or None for a healthy miner.
        seed: makes this miner's numbers (frequencies, offsets, noise, MAC) differ from others'.
        clock: the time source; a :class:`~commission.simulator.clock.ManualClock` lets a test
            move time by hand. Default: the wall clock.
        host: address to bind (loopback).
        api_port: RPC port (0: a free one; the real miner uses 4028).
        web_port: web UI port (0: a free one; the real miner uses 80).
        report_to: where IP Report datagrams go.
        console: open a serial console (see ``console_transport``).
        mac: the MAC to report (default derived from the seed).
        serial: the serial number (default derived from the seed).
        ip_report_port: the UDP port the button sends from (stock 14236; 0 for a free one).
        slow_reply_seconds: the delay of ``slow-replies`` when the scenario gives none.
        restart_seconds: how long the RPC port refuses connections after a bmminer restart.
        reboot_seconds: how long both ports refuse connections after a reboot.
        console_transport: ``auto`` (a pty where the OS has them, else a loopback socket opened
            as ``socket://HOST:PORT``), ``pty`` or ``socket``.

    Raises:
        UsageError: for bad scenarios or a bad address.
    """

    def __init__(
        self,
        scenarios: str | list[str] | ScenarioSet | None = None,
        seed: int = 0,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        api_port: int = 0,
        web_port: int = 0,
        report_to: tuple[str, int] = ("127.0.0.1", IP_REPORT_LISTEN_PORT),
        console: bool = True,
        mac: str | None = None,
        serial: str | None = None,
        *,
        ip_report_port: int = IP_REPORT_MINER_PORT,
        slow_reply_seconds: float = DEFAULT_SLOW_REPLY_SECONDS,
        restart_seconds: float = RESTART_SECONDS,
        console_transport: str = "auto",
        reboot_seconds: float = REBOOT_SECONDS,
    ) -> None:
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise UsageError(f"simulator address {host!r} is not an IPv4 address") from None
        self.scenarios = parse_scenarios(scenarios)
        self.seed = seed
        self.clock: Clock = clock or RealClock()
        self.host = host
        self.report_to = report_to
        self.mac = (mac or make_mac(seed)).upper()
        self.serial = serial or make_serial(seed)
        self.web_user = "root"
        self.web_password = (
            password_for(seed) if "password-changed" in self.scenarios else DEFAULT_WEB_PASSWORD
        )
        self.model = HydroModel(self.scenarios, seed, self.clock.now(), self.mac)
        """The physical model (tests may read or adjust it)."""
        self.restart_seconds = restart_seconds
        self.reboot_seconds = reboot_seconds
        self._ip_report_port = ip_report_port
        slow = self.scenarios.args_of("slow-replies")
        delay = 0.0
        if slow:
            delay = float(slow[0][0]) if slow[0] else slow_reply_seconds
        self.faults = ReplyFaults(delay_seconds=delay, split="split-replies" in self.scenarios)
        self._tasks: set[asyncio.Task[None]] = set()
        self._rpc = PausableListener(host, api_port, self._rpc_protocol)
        from commission.simulator.web import WebService

        self._web = WebService(self, host, web_port)
        self._want_console = console
        self.console_transport = console_transport
        """``auto`` (a pty where the OS has them, else a loopback socket), ``pty`` or ``socket``."""
        self._console: MinerConsole | None = None
        self._console_sent = 0
        self._api_back_at: float | None = None
        self._started = False

    def __repr__(self) -> str:
        return (
            f"SimulatedMiner(host={self.host!r}, mac={self.mac!r}, "
            f"scenarios={str(self.scenarios)!r}, seed={self.seed})"
        )

    # ------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Bind the ports (RPC stays silent under ``api-down``) and open the console."""
        if self._started:
            return
        try:
            await self._rpc.open(listening="api-down" not in self.scenarios)
            await self._web.open()
        except OSError as error:
            await self.stop()
            hint = ""
            if error.errno == errno.EADDRNOTAVAIL and self.host != "127.0.0.1":
                # macOS (and some BSDs) configure only 127.0.0.1 on the loopback interface.
                hint = (
                    f"; this system has no loopback address {self.host}: add it with "
                    f"'sudo ifconfig lo0 alias {self.host} up' (macOS), or simulate one miner"
                )
            raise UsageError(
                f"cannot start the simulated miner on {self.host}: {error.strerror or error}{hint}"
            ) from error
        self._started = True
        if self._want_console:
            self._console = await open_console(self.host, self.console_transport)
            self._pump_console()
            self._spawn(self._console_ticker())

    async def stop(self) -> None:
        """Close every port and the console; cancel background work."""
        self._started = False
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await self._rpc.close()
        await self._web.close()
        if self._console is not None:
            self._console.close()
            self._console = None

    async def __aenter__(self) -> SimulatedMiner:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "simulated miner %s: background task failed", self.host, exc_info=task.exception()
            )

    # ------------------------------------------------------------------------- addresses

    @property
    def api_address(self) -> tuple[str, int]:
        """(host, port) of the RPC API."""
        return self.host, self._rpc.port

    @property
    def web_address(self) -> tuple[str, int]:
        """(host, port) of the web UI."""
        return self.host, self._web.port

    @property
    def console_path(self) -> str | None:
        """What to open for the serial console (a pty path or ``socket://`` URL), or None."""
        return self._console.path if self._console else None

    @property
    def api_listening(self) -> bool:
        """True while the RPC port accepts connections."""
        return self._rpc.listening

    # ------------------------------------------------------------------------- RPC

    def _rpc_protocol(self) -> RpcProtocol:
        return RpcProtocol(self._respond, self.faults, self._tasks)

    def _respond(self, raw: bytes) -> bytes:
        reply = answer(raw, self.model, self.clock.now())
        self._pump_console()
        return reply

    # ------------------------------------------------------------------------- restarts

    def restart_bmminer(self) -> None:
        """What saving the pools does: bmminer restarts and its API is down for a while."""
        self.model.restart_bmminer(self.clock.now())
        self._pause_api(self.restart_seconds, web=False)

    def reboot(self) -> None:
        """What reboot.cgi does: the whole miner restarts; API and web are down for a while."""
        self.model.reboot(self.clock.now())
        self._pause_api(self.reboot_seconds, web=True)

    def _pause_api(self, seconds: float, web: bool) -> None:
        self._spawn(self._down_for(seconds, web))

    async def _down_for(self, seconds: float, web: bool) -> None:
        api_down = "api-down" in self.scenarios
        await self._rpc.pause()
        if web:
            await self._web.pause()
        await self.clock.sleep(seconds)
        if web:
            await self._web.resume()
        if not api_down:
            await self._rpc.resume()
        self._pump_console()

    # ------------------------------------------------------------------------- IP Report

    async def press_ip_report(self) -> bool:
        """Press the IP Report button: send ``IP,MAC`` until echoed (True) or give up (False)."""
        result = await ipreport.press(
            host=self.host,
            mac=self.mac,
            report_to=self.report_to,
            from_port=self._ip_report_port,
            clock=self.clock,
        )
        self.model.console(
            "IP Report: acknowledged" if result.acked else "IP Report: no listener answered",
            self.clock.now(),
        )
        self._pump_console()
        return result.acked

    # ------------------------------------------------------------------------- console

    def _pump_console(self) -> None:
        """Write the console lines whose time has come (in order, each once)."""
        lines = self.model.console_lines
        now = self.clock.now()
        due = self._console_sent
        while due < len(lines) and lines[due][0] <= now:
            due += 1
        if self._console is not None and due > self._console_sent:
            self._console.write_lines([line for _, line in lines[self._console_sent : due]])
        self._console_sent = due

    async def _console_ticker(self) -> None:
        """Write console lines when they fall due, and advance the model now and then so runtime
        messages (a temperature trip) reach the console without anyone asking."""
        while True:
            now = self.clock.now()
            lines = self.model.console_lines
            wait = CONSOLE_TICK_SECONDS
            if self._console_sent < len(lines):
                wait = min(wait, max(lines[self._console_sent][0] - now, 0.005))
            await self.clock.sleep(wait)
            self.model.advance_to(self.clock.now())
            self._pump_console()
