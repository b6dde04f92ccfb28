"""``commission discover --scan``: find the miners on a subnet and say what each address is.

Each address gets a TCP connect to the RPC port (4028) and the web port (80), both at once, with a
short timeout and its own concurrency (a farm's /22 has a thousand addresses, most answer in
milliseconds, the dead ones cost exactly one timeout). An address where neither port said anything
is tried again (``retries``) before it is called silent. The ones that answered are identified: the
model from the RPC ``version`` reply (``stats`` when ``version`` is refused), the MAC, model and
firmware from the web UI when it logs in. Every address ends in one of four kinds: an S9 Hydro,
another miner (named), an address that answers but is not a miner, or silent.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from pydantic import SecretStr

from commission.errors import MinerAuthError, MinerError, MinerUnreachable
from commission.headless import inventory
from commission.headless.targets import Target
from commission.miner import fields, parse
from commission.miner.rpc import RpcClient
from commission.miner.web import WebClient

SCAN_SCHEMA: Final = "commission.scan/1"
FDS_PER_ADDRESS: Final = 2
"""A probe holds two sockets at once (4028 and 80)."""

Probe = bool | None
"""True: the port accepted; False: it refused (something is there); None: no answer at all."""


@dataclass(frozen=True)
class ScanOptions:
    """How hard to look."""

    concurrency: int = 1024
    probe_timeout_s: float = 1.0
    retries: int = 1
    timeout_s: float = 5.0
    """Each identification request's connect and read timeout."""
    web_port: int = fields.WEB_PORT
    web_user: str = fields.DEFAULT_WEB_USER
    web_password: SecretStr | None = None


@dataclass(frozen=True)
class ScanResult:
    """What one address turned out to be."""

    target: Target
    kind: str
    """One of :data:`commission.headless.inventory.KINDS`."""
    model: str = ""
    mac: str = ""
    firmware: str = ""
    rpc: Probe = None
    web: Probe = None
    attempts: int = 1
    note: str = ""
    """Why it is classified so, when that is not obvious (login refused, API garbled, ...)."""
    seen_at: str = ""

    @property
    def is_miner(self) -> bool:
        """An S9 Hydro or another miner."""
        return self.kind in (inventory.KIND_S9_HYDRO, inventory.KIND_OTHER_MINER)

    def inventory_row(self) -> inventory.InventoryRow:
        """The row ``--save`` writes for this address."""
        return inventory.InventoryRow(
            address=str(self.target),
            mac=self.mac,
            label=self.target.label,
            kind=self.kind,
            model=self.model,
            firmware=self.firmware,
            seen_at=self.seen_at,
            source=inventory.SOURCE_SCAN,
        )

    def as_json(self) -> dict[str, Any]:
        """One address in the ``commission.scan/1`` document."""
        return {
            "address": str(self.target),
            "kind": self.kind,
            "model": self.model or None,
            "mac": self.mac or None,
            "firmware": self.firmware or None,
            "rpc": _probe_word(self.rpc),
            "web": _probe_word(self.web),
            "attempts": self.attempts,
            "note": self.note,
            "seen_at": self.seen_at,
        }


def _probe_word(probe: Probe) -> str:
    return "open" if probe else ("refused" if probe is False else "silent")


async def probe(host: str, port: int, timeout: float) -> Probe:
    """Connect once: True when it accepts, False when refused, None when nothing comes back."""
    try:
        async with asyncio.timeout(timeout):
            _, writer = await asyncio.open_connection(host, port)
    except TimeoutError:
        return None
    except ConnectionRefusedError:
        return False
    except OSError as error:
        if error.errno in (errno.ECONNREFUSED, errno.ECONNRESET):
            return False
        return None  # unreachable network or host: nothing answered
    writer.close()
    with contextlib.suppress(OSError):  # the peer closed first: the connect proved the port open
        await writer.wait_closed()
    return True


def _model_of(identity: Any) -> str:
    return str(getattr(identity, "miner_type", "") or "")


async def _rpc_identity(host: str, port: int, timeout: float) -> tuple[str, str, str]:
    """(model, firmware stamp, note) from ``version``, or ``stats`` when version is refused."""
    client = RpcClient(host, port, timeout)
    try:
        identity = parse.parse_version(await client.command("version"))
        return identity.miner_type, identity.compile_time, ""
    except MinerUnreachable as error:
        return "", "", f"TCP {port} accepted but the API did not answer ({error})"
    except MinerError as first:
        try:
            stats = await client.command("stats")
            identity = parse.parse_version(
                {"STATUS": stats.get("STATUS"), "VERSION": stats.get("STATS", [{}])[:1]}
            )
            return identity.miner_type, identity.compile_time, ""
        except MinerError:
            return "", "", f"TCP {port} answers, but not as a miner's API ({first})"
        except (AttributeError, TypeError, IndexError):
            return "", "", f"TCP {port} answers, but not as a miner's API ({first})"


async def _web_identity(host: str, options: ScanOptions) -> tuple[str, str, str, str]:
    """(model, MAC, firmware, note) from ``get_system_info.cgi``."""
    client = WebClient(
        host, options.web_port, options.timeout_s, options.web_user, options.web_password
    )
    try:
        web = parse.parse_system_info(await client.system_info())
    except MinerAuthError:
        return "", "", "", "the web UI refused the login (set $COMMISSION_WEB_PASSWORD)"
    except MinerError as error:
        return "", "", "", f"port {options.web_port} is not a miner's web UI ({error})"
    finally:
        await client.aclose()
    return web.miner_type or "", web.mac or "", web.filesystem_version or "", ""


def classify(model: str) -> str:
    """The kind a model name stands for (empty: not a miner)."""
    if not model:
        return inventory.KIND_NOT_A_MINER
    return (
        inventory.KIND_S9_HYDRO if model == fields.MINER_TYPE_HYDRO else inventory.KIND_OTHER_MINER
    )


async def scan_address(target: Target, options: ScanOptions) -> ScanResult:
    """Probe one address (with retries), then identify it when it answered."""
    host = target.host
    rpc: Probe = None
    web: Probe = None
    attempts = 0
    while attempts <= options.retries:
        attempts += 1
        rpc, web = await asyncio.gather(
            probe(host, target.api_port, options.probe_timeout_s),
            probe(host, options.web_port, options.probe_timeout_s),
        )
        if rpc is not None or web is not None:
            break
    seen_at = datetime.now(UTC).isoformat(timespec="seconds")
    if rpc is None and web is None:
        return ScanResult(target, inventory.KIND_SILENT, attempts=attempts, seen_at=seen_at)
    if not rpc and not web:
        return ScanResult(
            target,
            inventory.KIND_NOT_A_MINER,
            rpc=rpc,
            web=web,
            attempts=attempts,
            note=f"refuses TCP {target.api_port} and {options.web_port}"
            if rpc is False and web is False
            else "",
            seen_at=seen_at,
        )
    notes: list[str] = []
    rpc_model = firmware = ""
    if rpc:
        rpc_model, firmware, note = await _rpc_identity(host, target.api_port, options.timeout_s)
        if note:
            notes.append(note)
    web_model = mac = web_firmware = ""
    if web:
        web_model, mac, web_firmware, note = await _web_identity(host, options)
        if note and (rpc_model or not rpc):
            notes.append(note)
    model = rpc_model or web_model
    if rpc is not True and model:
        notes.append(f"the RPC API (TCP {target.api_port}) does not answer")
    return ScanResult(
        target,
        classify(model),
        model=model,
        mac=mac,
        firmware=web_firmware or firmware,
        rpc=rpc,
        web=web,
        attempts=attempts,
        note="; ".join(notes),
        seen_at=seen_at,
    )


async def scan(
    targets: Sequence[Target],
    options: ScanOptions,
    *,
    on_result: Callable[[ScanResult], None] | None = None,
) -> list[ScanResult]:
    """Scan every target, ``options.concurrency`` addresses at a time, in the order given.

    Args:
        targets: the addresses.
        options: timeouts, retries, concurrency, web login.
        on_result: called as each address is done (progress).
    """
    gate = asyncio.Semaphore(max(1, options.concurrency))

    async def one(target: Target) -> ScanResult:
        async with gate:
            result = await scan_address(target, options)
        if on_result is not None:
            on_result(result)
        return result

    return list(await asyncio.gather(*(one(target) for target in targets)))


def by_kind(results: Sequence[ScanResult]) -> dict[str, int]:
    """How many addresses ended in each kind (every kind present)."""
    counts = dict.fromkeys(inventory.KINDS, 0)
    for result in results:
        counts[result.kind] += 1
    return counts
