"""Link openers for the two kinds of miner the TUI drives: a real S9 Hydro or the simulator.

This is the one TUI module that imports :mod:`commission.simulator` (the front end is above it;
the core never is). Both openers hand the app the same thing: a :class:`MinerLink` around the stock
client, so the simulated miner is read over real sockets exactly like hardware.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import SecretStr

from commission.errors import UsageError
from commission.miner import fields
from commission.miner.client import StockMinerClient
from commission.simulator import SimulatedMiner
from commission.simulator.clock import Clock
from commission.tui.link import LinkOpener, MinerLink


def simulator_opener(
    scenarios: str = "healthy",
    *,
    seed: int = 0,
    clock: Clock | None = None,
    timeout: float = 5.0,
) -> LinkOpener:
    """An opener that starts a simulated S9 Hydro on loopback (free ports) and connects to it."""

    async def open_simulator() -> MinerLink:
        miner = SimulatedMiner(
            scenarios=scenarios,
            seed=seed,
            clock=clock,
            host="127.0.0.1",
            api_port=0,
            web_port=0,
            console=False,
            ip_report_port=0,
        )
        await miner.start()
        api_host, api_port = miner.api_address
        _, web_port = miner.web_address
        sim_clock = miner.clock
        client = StockMinerClient(
            api_host,
            api_port=api_port,
            web_port=web_port,
            timeout=timeout,
            clock=lambda: datetime.fromtimestamp(sim_clock.now(), UTC),
        )

        async def press(report_to: tuple[str, int]) -> bool:
            miner.report_to = report_to
            return await miner.press_ip_report()

        return MinerLink(
            client=client,
            label=f"built-in simulator ({scenarios}) on {api_host}",
            report_address=("127.0.0.1", 0),
            report_reply_port=None,
            press_button=press,
            closers=[client.aclose, miner.stop],
            simulated=scenarios,
        )

    return open_simulator


def miner_opener(
    target: str,
    *,
    timeout: float = 5.0,
    web_user: str = fields.DEFAULT_WEB_USER,
    web_password: SecretStr | None = None,
) -> LinkOpener:
    """An opener for a real miner at ``HOST`` or ``HOST:PORT`` (the RPC port)."""
    host, _, port_text = target.rpartition(":") if target.count(":") == 1 else (target, "", "")
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        raise UsageError(f"--miner {target}: {port_text!r} is not a TCP port (1-65535)")
    if not host.strip():
        raise UsageError(f"--miner {target!r}: no host given")
    api_port = int(port_text) if port_text else fields.RPC_PORT

    async def open_miner() -> MinerLink:
        client = StockMinerClient(
            host,
            api_port=api_port,
            timeout=timeout,
            web_user=web_user,
            web_password=web_password,
        )
        return MinerLink(
            client=client,
            label=f"miner {host}:{api_port}",
            report_address=("0.0.0.0", fields.IP_REPORT_LISTEN_PORT),
            report_reply_port=fields.IP_REPORT_MINER_PORT,
            closers=[client.aclose],
        )

    return open_miner
