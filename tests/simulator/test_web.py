"""The web UI: Digest auth through httpx, the stock CGIs, restarts, and hostile requests."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from commission.miner import fields as F
from commission.simulator import ManualClock, SimulatedMiner
from commission.simulator.web import stock_form_decode
from tests.simulator.conftest import MinerFactory, rpc_json, rpc_raw


def _url(miner: SimulatedMiner, path: str) -> str:
    host, port = miner.web_address
    return f"http://{host}:{port}{path}"


def _client(miner: SimulatedMiner) -> httpx.AsyncClient:
    return httpx.AsyncClient(auth=httpx.DigestAuth(miner.web_user, miner.web_password))


async def _raw_http(miner: SimulatedMiner, payload: bytes, timeout: float = 5.0) -> bytes:
    reader, writer = await asyncio.open_connection(*miner.web_address)
    try:
        writer.write(payload)
        await writer.drain()
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()


async def test_without_credentials_the_stock_401_page_and_realm(
    make_miner: MinerFactory, samples_dir: Path
) -> None:
    miner = await make_miner()
    async with httpx.AsyncClient() as client:
        response = await client.get(_url(miner, "/"))
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Digest ") and 'realm="antMiner Configuration"' in challenge
    assert 'qop="auth"' in challenge and "MD5" in challenge
    assert response.text == (samples_dir / "antminer-http-401-body.html").read_text()


async def test_wrong_password_is_refused(make_miner: MinerFactory) -> None:
    miner = await make_miner()
    async with httpx.AsyncClient(auth=httpx.DigestAuth("root", "admin")) as client:
        response = await client.get(_url(miner, F.CGI_PATHS["system_info"]))
    assert response.status_code == 401


async def test_system_info_has_the_stock_keys_in_order(
    make_miner: MinerFactory, samples_dir: Path
) -> None:
    miner = await make_miner()
    async with _client(miner) as client:
        response = await client.get(_url(miner, F.CGI_PATHS["system_info"]))
    info = json.loads(response.text)
    sample = json.loads((samples_dir / "l3plus-2017-get_system_info.json").read_text())
    stock_keys = [("bmminer_version" if k == "cgminer_version" else k) for k in sample]
    assert list(info) == stock_keys == list(F.SYSTEM_INFO_KEYS)
    assert all(isinstance(value, str) for value in info.values())
    assert info["minertype"] == "Antminer S9 Hydro" and info["macaddr"] == miner.mac
    assert response.text.startswith('{\n"minertype":"Antminer S9 Hydro",\n')


async def test_network_info_matches_the_sample_shape(
    make_miner: MinerFactory, samples_dir: Path
) -> None:
    miner = await make_miner()
    async with _client(miner) as client:
        response = await client.get(_url(miner, F.CGI_PATHS["network_info"]))
    info = json.loads(response.text)
    sample = json.loads((samples_dir / "antminer-2017-get_network_info.json").read_text())
    assert list(info) == list(sample)
    assert info["ipaddress"] == miner.host


async def test_miner_conf_is_pretty_printed_like_the_stock_file(
    make_miner: MinerFactory, samples_dir: Path
) -> None:
    miner = await make_miner()
    async with _client(miner) as client:
        text = (await client.get(_url(miner, F.CGI_PATHS["miner_conf"]))).text
    sample = (samples_dir / "s9-2017-get_miner_conf.txt").read_text().rstrip("\n")

    def shape(conf: str) -> list[str]:
        return [line.split(" : ")[0] for line in conf.splitlines()]

    ours = shape(text)
    assert ours == shape(sample.replace(":noncenum", ""))
    assert json.loads(text)["pools"][0]["url"] == "stratum+tcp://solo.antpool.com:3333"


async def test_set_miner_conf_changes_pools_and_restarts_bmminer(
    make_miner: MinerFactory, samples_dir: Path
) -> None:
    clock = ManualClock()
    miner = await make_miner(clock=clock)
    clock.advance(300)
    body = (samples_dir / "s9-set_miner_conf-request-body.txt").read_text().strip()
    async with _client(miner) as client:
        response = await client.post(
            _url(miner, F.CGI_PATHS["set_miner_conf"]),
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert (response.status_code, response.text) == (200, "ok")
        await asyncio.sleep(0.05)
        with pytest.raises(ConnectionRefusedError):
            await rpc_raw(miner.api_address, b'{"command":"pools"}')
        clock.advance(miner.restart_seconds + 1)
        for _ in range(100):
            if miner.api_listening:
                break
            await asyncio.sleep(0.01)
        pools = (await rpc_json(miner, "pools"))["POOLS"]
        conf = (await client.get(_url(miner, F.CGI_PATHS["miner_conf"]))).text
    assert [pool["URL"] for pool in pools] == [
        f"stratum+tcp://my-test-pool{n}.com:5588" for n in (1, 2, 3)
    ]
    assert [pool["User"] for pool in pools] == [f"my-test-username{n}" for n in (1, 2, 3)]
    assert '"pass" : "my-test-password1"' in conf and '"bitmain-freq" : "550"' in conf
    summary = (await rpc_json(miner, "summary"))["SUMMARY"][0]
    assert summary["Elapsed"] <= miner.restart_seconds + 1


def test_form_decoding_keeps_quote_and_backslash_escapes() -> None:
    assert stock_form_decode("stratum%2Btcp%3A%2F%2Fa.b%3A3333") == "stratum+tcp://a.b:3333"
    assert stock_form_decode("a+b%22c%5Cd%2C") == "a b%22c%5Cd,"


def test_form_decoding_is_sequential_like_the_stock_shell_code() -> None:
    # %25 first, then the others one after another: a '%' made by the first step is decoded again.
    assert stock_form_decode("farm%252Frig1") == "farm/rig1"
    assert stock_form_decode("a%2540b") == "a@b"
    assert stock_form_decode("100%2525") == "100%25"
    assert stock_form_decode("50%25+off") == "50% off"
    # Exact-case substitutions: a lower-case escape is not one of them.
    assert stock_form_decode("a%2fb%2c") == "a%2fb%2c"


@pytest.mark.parametrize(
    ("query", "message", "changed"),
    [
        ("current_pw=root&new_pw=s3cret&new_pw_ctrl=s3cret", "Updating Password", True),
        ("current_pw=nope&new_pw=s3cret&new_pw_ctrl=s3cret", "Invalid Password", False),
        ("current_pw=root&new_pw=&new_pw_ctrl=", "New Password must be set", False),
        ("current_pw=root&new_pw=a&new_pw_ctrl=b", "New Password does not match", False),
    ],
)
async def test_passwd_cgi(
    make_miner: MinerFactory, query: str, message: str, changed: bool
) -> None:
    miner = await make_miner()
    async with _client(miner) as client:
        response = await client.get(_url(miner, f"{F.CGI_PATHS['passwd']}?{query}"))
    assert message in response.text
    assert (miner.web_password == "s3cret") is changed
    async with httpx.AsyncClient(auth=httpx.DigestAuth("root", "root")) as client:
        again = await client.get(_url(miner, F.CGI_PATHS["system_info"]))
    assert again.status_code == (401 if changed else 200)


async def test_reboot_takes_both_ports_down_then_boots_fresh(make_miner: MinerFactory) -> None:
    clock = ManualClock()
    miner = await make_miner(clock=clock)
    clock.advance(600)
    async with _client(miner) as client:
        response = await client.get(_url(miner, F.CGI_PATHS["reboot"]))
    assert response.status_code == 200
    await asyncio.sleep(0.05)
    with pytest.raises(ConnectionRefusedError):
        await rpc_raw(miner.api_address, b"summary")
    with pytest.raises(httpx.ConnectError):
        async with _client(miner) as client:
            await client.get(_url(miner, F.CGI_PATHS["system_info"]))
    clock.advance(miner.reboot_seconds + 1)
    for _ in range(100):
        if miner.api_listening:
            break
        await asyncio.sleep(0.01)
    async with _client(miner) as client:
        info = json.loads((await client.get(_url(miner, F.CGI_PATHS["system_info"]))).text)
    assert int(info["uptime"]) <= miner.reboot_seconds + 1


async def test_status_page_lists_the_chains(make_miner: MinerFactory) -> None:
    miner = await make_miner("chain-missing:7")
    async with _client(miner) as client:
        page = (await client.get(_url(miner, F.CGI_PATHS["miner_status"]))).text
    assert "<td>8</td><td>18</td>" in page and "<td>7</td><td>18</td>" not in page


@pytest.mark.parametrize(
    "payload",
    [
        b"\x00\xff garbage \r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nX: " + b"b" * 20000 + b"\r\n\r\n",
        b"POST /cgi-bin/set_miner_conf.cgi HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n",
        b"POST /cgi-bin/set_miner_conf.cgi HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nConnection: close\r\nAuthorization: Digest garbage, =, \xe9\r\n\r\n",
        b'GET / HTTP/1.1\r\nConnection: close\r\nAuthorization: Digest username="root"\r\n\r\n',
    ],
)
async def test_hostile_requests_get_an_error_and_the_server_lives_on(
    make_miner: MinerFactory, payload: bytes
) -> None:
    miner = await make_miner()
    reply = await _raw_http(miner, payload)
    assert reply.startswith(b"HTTP/1.1 4") or reply.startswith(b"HTTP/1.1 5")
    async with _client(miner) as client:
        assert (await client.get(_url(miner, F.CGI_PATHS["system_info"]))).status_code == 200


async def test_half_sent_request_is_dropped_without_harm(make_miner: MinerFactory) -> None:
    miner = await make_miner()
    _, writer = await asyncio.open_connection(*miner.web_address)
    writer.write(b"GET /cgi-bin/get_system_info.cgi HTTP/1.1\r\nHost: x\r\n")
    await writer.drain()
    writer.close()
    async with _client(miner) as client:
        assert (await client.get(_url(miner, F.CGI_PATHS["system_info"]))).status_code == 200
