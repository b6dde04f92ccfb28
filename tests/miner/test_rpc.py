"""RpcClient against small asyncio servers on 127.0.0.1 ephemeral ports."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from commission.errors import MinerCommandError, MinerProtocolError, MinerUnreachable
from commission.miner.rpc import RpcClient

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
Reply = Callable[[bytes, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def rpc_server(reply: Reply) -> AsyncIterator[tuple[int, list[bytes]]]:
    """A one-request-per-connection server like bmminer's; yields (port, requests seen)."""
    requests: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.read(8191)
        requests.append(request)
        try:
            await reply(request, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield port, requests
    finally:
        server.close()
        await server.wait_closed()


def _status(code: int, msg: str, letter: str = "S") -> dict[str, object]:
    return {"STATUS": letter, "When": 1, "Code": code, "Msg": msg, "Description": "bmminer 1.0.0"}


def _denied(command: str) -> bytes:
    reply = {"STATUS": [_status(45, f"Access denied to '{command}' command", "E")], "id": 1}
    return json.dumps(reply).encode() + b"\x00"


SINGLE = {
    "version": (SAMPLES / "s9-2019-stock-version.json").read_bytes(),
    "stats": (SAMPLES / "s9-2019-stock-stats.json").read_bytes(),
    "pools": (SAMPLES / "s9-2019-stock-pools.json").read_bytes(),
}


async def test_single_command_split_reply_with_nul() -> None:
    async def reply(request: bytes, writer: asyncio.StreamWriter) -> None:
        body = SINGLE["stats"] + b"\x00"
        for start in range(0, len(body), 700):
            writer.write(body[start : start + 700])
            await writer.drain()
            await asyncio.sleep(0.001)

    async with rpc_server(reply) as (port, requests):
        stats = await RpcClient("127.0.0.1", port, timeout=2).command("stats")
    assert requests == [b'{"command":"stats"}']
    assert stats["STATS"][1]["ID"] == "BC50"


async def test_refused_connection_is_unreachable() -> None:
    async with rpc_server(lambda r, w: asyncio.sleep(0)) as (port, _):
        pass  # closed again: nothing listens on the port now
    with pytest.raises(MinerUnreachable, match="cannot connect"):
        await RpcClient("127.0.0.1", port, timeout=1).command("version")


async def test_silent_miner_times_out_as_unreachable() -> None:
    async def reply(request: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b'{"STATUS":[')
        await writer.drain()
        await asyncio.sleep(1)

    async with rpc_server(reply) as (port, _):
        with pytest.raises(
            MinerUnreachable, match=r"not complete within 0.2 s \(11 bytes received"
        ):
            await RpcClient("127.0.0.1", port, timeout=0.2).command("version")


async def test_dripping_miner_ends_at_the_exchange_deadline() -> None:
    async def reply(request: bytes, writer: asyncio.StreamWriter) -> None:
        for byte in SINGLE["version"]:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.05)

    async with rpc_server(reply) as (port, _):
        with pytest.raises(MinerUnreachable, match=r"not complete within 0\.3 s") as caught:
            await RpcClient("127.0.0.1", port, timeout=0.3).command("version")
    assert "bytes received, starting '{" in str(caught.value)


async def test_slow_but_steady_reply_is_accepted() -> None:
    async def reply(request: bytes, writer: asyncio.StreamWriter) -> None:
        for piece in (SINGLE["version"][:50], SINGLE["version"][50:], b"\x00"):
            await asyncio.sleep(0.1)
            writer.write(piece)
            await writer.drain()

    async with rpc_server(reply) as (port, _):
        reply_obj = await RpcClient("127.0.0.1", port, timeout=5).command("version")
    assert reply_obj["VERSION"][0]["Miner"] == "30.0.1.3"


async def test_access_denied_is_a_command_error() -> None:
    async def reply(request: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(_denied("config"))

    async with rpc_server(reply) as (port, _):
        with pytest.raises(MinerCommandError, match="Access denied to 'config'"):
            await RpcClient("127.0.0.1", port, timeout=1).command("config")


async def test_garbage_reply_is_a_protocol_error() -> None:
    async def reply(request: bytes, writer: asyncio.StreamWriter) -> None:
        writer.write(b"\xff\xfe garbage \x00")

    async with rpc_server(reply) as (port, _):
        with pytest.raises(MinerProtocolError, match="does not start with a JSON object"):
            await RpcClient("127.0.0.1", port, timeout=1).command("stats")


def _joined(parts: dict[str, bytes]) -> bytes:
    body = ",".join(f'"{name}":[{raw.decode()}]' for name, raw in parts.items())
    return ("{" + body + ',"id":1}').encode() + b"\x00"


async def test_joined_request_with_defects_and_a_refused_part_retried_alone() -> None:
    async def reply(request: bytes, writer: asyncio.StreamWriter) -> None:
        command = json.loads(request)["command"]
        if "+" in command:
            parts = {
                name: SINGLE.get(name, _denied(name).rstrip(b"\x00")) for name in command.split("+")
            }
            writer.write(_joined(parts))
        else:
            writer.write(_denied(command))

    async with rpc_server(reply) as (port, requests):
        results = await RpcClient("127.0.0.1", port, timeout=1).commands(
            ("version", "stats", "pools", "devs")
        )
    assert requests[0] == b'{"command":"version+stats+pools+devs"}'
    assert requests[1:] == [b'{"command":"devs"}']
    assert isinstance(results["devs"], MinerCommandError)
    assert results["stats"]["STATS"][1]["ID"] == "BC50"  # the "}{" gap was repaired
    assert results["version"]["VERSION"][0]["Type"] == "Antminer S9\nV1.3.58"


async def test_join_refused_as_a_whole_falls_back_to_single_commands() -> None:
    async def reply(request: bytes, writer: asyncio.StreamWriter) -> None:
        command = json.loads(request)["command"]
        if "+" in command:
            writer.write(json.dumps({"STATUS": [_status(14, "Invalid command", "E")]}).encode())
        else:
            writer.write(SINGLE[command] + b"\x00")

    async with rpc_server(reply) as (port, requests):
        results = await RpcClient("127.0.0.1", port, timeout=1).commands(("version", "pools"))
    assert len(requests) == 3
    assert results["pools"]["POOLS"][0]["POOL"] == 0


async def test_broken_joined_reply_falls_back_to_single_commands() -> None:
    async def reply(request: bytes, writer: asyncio.StreamWriter) -> None:
        command = json.loads(request)["command"]
        writer.write(b'{"version":[{"STA' if "+" in command else SINGLE[command])

    async with rpc_server(reply) as (port, _):
        results = await RpcClient("127.0.0.1", port, timeout=1).commands(("version", "stats"))
    assert set(results) == {"version", "stats"}
    assert all(isinstance(result, dict) for result in results.values())


async def test_miner_that_dies_after_the_join_fails_unreachable() -> None:
    async with rpc_server(lambda r, w: asyncio.sleep(0)) as (port, _):
        pass
    with pytest.raises(MinerUnreachable):
        await RpcClient("127.0.0.1", port, timeout=1).commands(("version", "stats"))
