"""The RPC API on real loopback sockets: framing, envelope, samples' structure, access control."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from commission.miner import fields as F
from commission.miner.layout import ASICS_PER_CHAIN, CHAINS
from commission.simulator import ManualClock
from tests.simulator.conftest import MinerFactory, repair, rpc_json, rpc_raw


def _sample(samples_dir: Path, name: str) -> Any:
    return json.loads((samples_dir / name).read_text().replace("}{", "},{"))


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return type(value).__name__


def _chain_keys_removed(keys: list[str]) -> list[str]:
    """Keys without the ones that exist only for present chains or only on Hydro-era firmware."""
    per_present = ("chain_xtime", "chain_offside_", "chain_opencore_", "temp_pcb", "temp_chip")
    return [key for key in keys if not key.startswith(per_present)]


async def test_reply_is_compact_json_with_one_trailing_nul(make_miner: MinerFactory) -> None:
    miner = await make_miner()
    reply = await rpc_raw(miner.api_address, b'{"command":"version"}')
    assert reply.endswith(b"}\x00") and reply.count(b"\x00") == 1
    assert b": " not in reply and b", " not in reply


@pytest.mark.parametrize(
    ("command", "sample", "section"),
    [
        ("version", "s9-2017-stock-version.json", "VERSION"),
        ("pools", "s9-2019-stock-pools.json", "POOLS"),
    ],
)
async def test_keys_order_and_types_match_the_stock_samples(
    make_miner: MinerFactory, samples_dir: Path, command: str, sample: str, section: str
) -> None:
    miner = await make_miner()
    ours = await rpc_json(miner, command)
    stock = _sample(samples_dir, sample)
    assert list(ours) == list(stock)
    assert list(ours["STATUS"][0]) == list(stock["STATUS"][0])
    assert ours["STATUS"][0]["Code"] == stock["STATUS"][0]["Code"]
    assert ours["STATUS"][0]["Msg"] == stock["STATUS"][0]["Msg"]
    for mine, theirs in zip(ours[section], stock[section], strict=True):
        assert list(mine) == list(theirs)
        assert {k: _kind(v) for k, v in mine.items()} == {k: _kind(v) for k, v in theirs.items()}


async def test_stats_matches_the_2019_stock_reply_apart_from_the_chain_layout(
    make_miner: MinerFactory, samples_dir: Path
) -> None:
    clock = ManualClock()
    miner = await make_miner(clock=clock)
    clock.advance(300)
    raw = await rpc_raw(miner.api_address, b'{"command":"stats"}')
    assert b'"Type":"Antminer S9 Hydro"}{"STATS":0' in raw, "the stock }{ defect is missing"
    ours = repair(raw)
    stock = _sample(samples_dir, "s9-2019-stock-stats.json")
    assert list(ours["STATS"][0]) == list(stock["STATS"][0])
    mine, theirs = ours["STATS"][1], stock["STATS"][1]
    assert _chain_keys_removed(list(mine)) == _chain_keys_removed(list(theirs))
    for key, value in theirs.items():
        if key in mine:
            assert _kind(mine[key]) == _kind(value), key
    assert isinstance(mine["GHS 5s"], str) and isinstance(mine["GHS av"], float)
    for chain in range(1, 17):
        present = chain in CHAINS
        assert mine[f"chain_acn{chain}"] == (ASICS_PER_CHAIN if present else 0)
        assert (f"chain_xtime{chain}" in mine) is present
        if present:
            assert mine[f"chain_acs{chain}"] == " oooooooo oooooooo oo"
            assert len(mine[f"temp_pcb{chain}"].split("-")) == 3
        else:
            assert mine[f"chain_acs{chain}"] == "" and mine[f"chain_rate{chain}"] == ""
            assert mine[f"temp_pcb{chain}"] == "NaN-NaN-NaN"
    assert [mine[f"fan{n}"] > 0 for n in range(1, 9)] == [True] * 6 + [False] * 2
    assert mine["total_acn"] == 216 and mine["miner_count"] == 12


async def test_ghs_5s_has_seven_significant_digits(make_miner: MinerFactory) -> None:
    clock = ManualClock()
    miner = await make_miner(clock=clock)
    clock.advance(600)
    summary = (await rpc_json(miner, "summary"))["SUMMARY"][0]
    rate = summary["GHS 5s"]
    assert len(rate.replace(".", "")) == 7, rate
    assert 17_000 < float(rate) < 19_500


async def test_text_request_gets_a_text_reply(make_miner: MinerFactory) -> None:
    miner = await make_miner()
    reply = await rpc_raw(miner.api_address, b"summary|")
    text = reply.rstrip(b"\x00").decode()
    status, summary, tail = text.split("|")
    assert status.startswith("STATUS=S,When=") and "Code=11,Msg=Summary" in status
    assert summary.startswith("SUMMARY,Elapsed=") and tail == ""


async def test_text_request_without_separator_lists_pools(make_miner: MinerFactory) -> None:
    miner = await make_miner()
    reply = await rpc_raw(miner.api_address, b"pools")
    assert "Msg=3 Pool(s)" in reply.decode()
    assert "URL=stratum+tcp://solo.antpool.com:3333" in reply.decode()


async def test_joined_request_uses_bmminers_array_layout(make_miner: MinerFactory) -> None:
    miner = await make_miner()
    reply = await rpc_json(miner, "summary+pools+summary+")
    assert list(reply) == ["summary", "pools", "id"]
    assert reply["summary"][0]["STATUS"][0]["Code"] == 11
    assert len(reply["pools"][0]["POOLS"]) == 3


async def test_joined_request_refuses_one_command_and_runs_the_others(
    make_miner: MinerFactory,
) -> None:
    miner = await make_miner()
    reply = await rpc_json(miner, "version+devdetails+stats")
    assert reply["devdetails"][0]["STATUS"][0]["Code"] == F.CODE_ACCESS_DENIED
    assert reply["version"][0]["VERSION"][0]["Type"] == "Antminer S9 Hydro"
    assert reply["stats"][0]["STATS"][1]["ID"] == "BC50"


@pytest.mark.parametrize("command", ["config", "devdetails", "switchpool", "restart", "quit"])
async def test_commands_outside_the_stock_group_are_denied(
    make_miner: MinerFactory, command: str
) -> None:
    miner = await make_miner()
    status = (await rpc_json(miner, command))["STATUS"][0]
    assert (status["STATUS"], status["Code"]) == ("E", 45)
    assert status["Msg"] == f"Access denied to '{command}' command"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b'{"command":', F.CODE_INVALID_JSON),
        (b'{"parameter":"0"}', F.CODE_MISSING_COMMAND),
        (b'{"command":7}', F.CODE_INVALID_COMMAND),
        (b'{"command":"bogus"}', F.CODE_INVALID_COMMAND),
    ],
)
async def test_bad_requests_get_the_stock_error_codes(
    make_miner: MinerFactory, payload: bytes, code: int
) -> None:
    miner = await make_miner()
    status = repair(await rpc_raw(miner.api_address, payload))["STATUS"][0]
    assert (status["STATUS"], status["Code"]) == ("E", code)


@pytest.mark.parametrize(
    "payload",
    [
        b'{ "command" : "summary" }\n',
        b'{"command": "summary", "parameter": 0}',
        b'{"command":"summary","parameter":"0"}\n',
    ],
)
async def test_json_parsing_is_tolerant(make_miner: MinerFactory, payload: bytes) -> None:
    miner = await make_miner()
    assert repair(await rpc_raw(miner.api_address, payload))["STATUS"][0]["Code"] == 11


async def test_when_follows_the_clock_and_counters_grow(make_miner: MinerFactory) -> None:
    clock = ManualClock()
    miner = await make_miner(clock=clock)
    clock.advance(120)
    first = (await rpc_json(miner, "summary"))["SUMMARY"][0]
    clock.advance(600)
    reply = await rpc_json(miner, "summary")
    second = reply["SUMMARY"][0]
    assert reply["STATUS"][0]["When"] == int(clock.now())
    assert second["Elapsed"] == first["Elapsed"] + 600
    assert second["Accepted"] > first["Accepted"]
    assert second["Total MH"] > first["Total MH"]


async def test_connections_are_served_concurrently(make_miner: MinerFactory) -> None:
    miner = await make_miner()
    replies = await asyncio.gather(
        *(rpc_raw(miner.api_address, b'{"command":"summary"}') for _ in range(50))
    )
    assert all(repair(reply)["STATUS"][0]["STATUS"] == "S" for reply in replies)


@pytest.mark.parametrize(
    "payload",
    [
        b"\x00\x01\x02\xff\xfe garbage",
        b"{" + b"\xff" * 100,
        b'{"command":["summary"]}',
        b"[1,2,3]",
        b"|||",
        b"",
    ],
)
async def test_garbage_gets_a_stock_error_and_the_miner_keeps_serving(
    make_miner: MinerFactory, payload: bytes
) -> None:
    miner = await make_miner()
    reply = await rpc_raw(miner.api_address, payload)
    assert reply.endswith(b"\x00") and (b"STATUS=E" in reply or b'"STATUS":"E"' in reply)
    assert (await rpc_json(miner, "version"))["STATUS"][0]["STATUS"] == "S"


async def test_huge_request_is_read_once_and_answered_or_closed(make_miner: MinerFactory) -> None:
    miner = await make_miner()
    payload = b'{"command":"summary","parameter":"' + b"x" * 100_000 + b'"}'
    try:
        reply = await rpc_raw(miner.api_address, payload)
    except ConnectionResetError:
        reply = b""
    assert reply == b"" or b'"Code":23' in reply
    assert (await rpc_json(miner, "version"))["STATUS"][0]["STATUS"] == "S"


async def test_half_sent_request_is_answered_from_the_first_read(
    make_miner: MinerFactory,
) -> None:
    miner = await make_miner()
    reader, writer = await asyncio.open_connection(*miner.api_address)
    writer.write(b'{"command":"sum')
    await writer.drain()
    reply = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    assert repair(reply)["STATUS"][0]["Code"] == F.CODE_INVALID_JSON


async def test_a_silent_client_is_dropped_after_the_read_timeout(
    make_miner: MinerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from commission.simulator import rpc

    monkeypatch.setattr(rpc, "READ_TIMEOUT_SECONDS", 0.2)
    miner = await make_miner()
    reader, writer = await asyncio.open_connection(*miner.api_address)
    try:
        data = await asyncio.wait_for(reader.read(), 5)
    except ConnectionResetError:
        data = b""
    writer.close()
    assert data == b""
    assert (await rpc_json(miner, "version"))["STATUS"][0]["STATUS"] == "S"


def test_text_escaping_follows_bmminer() -> None:
    from commission.simulator.wire import json_string, significant, text_escape

    assert text_escape("a|b,c=d\\e") == "a\\|b\\,c\\=d\\\\e"
    assert json_string('say "hi" \\') == '"say \\"hi\\" \\\\"'
    assert significant(18465.931, 7) == "18465.93"
    assert significant(9039.7312, 7) == "9039.731"
    assert significant(0.0, 7) == "0.000000"
    assert significant(4618.851, 6) == "4618.85"
