"""WebClient error paths and form encoding with httpx.MockTransport (the happy path runs against
the simulator's real Digest server in test_client_simulator.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from commission.errors import (
    MinerAuthError,
    MinerCommandError,
    MinerProtocolError,
    MinerUnreachable,
    UsageError,
)
from commission.miner import fields, parse, transport
from commission.miner.parse import PoolSetting
from commission.miner.web import WebClient, encode_form_value, miner_conf_form
from commission.simulator.web import stock_form_decode

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
CHALLENGE = {"WWW-Authenticate": 'Digest realm="antMiner Configuration", nonce="abc", qop="auth"'}


def client(handler: Callable[[httpx.Request], httpx.Response]) -> WebClient:
    return WebClient("127.0.0.1", 8080, timeout=1, http_transport=httpx.MockTransport(handler))


def test_form_encoding_matches_the_stock_parser() -> None:
    assert encode_form_value("stratum+tcp://pool.example:3333", "url") == (
        "stratum%2Btcp%3A%2F%2Fpool.example%3A3333"
    )
    assert encode_form_value("a b&c=d%e!", "x") == "a+b%26c%3Dd%25e!"
    for bad in ('pa"ss', "back\\slash", "tab\t", "émile"):
        with pytest.raises(UsageError, match="pool 1 password") as caught:
            encode_form_value(bad, "pool 1 password")
        assert bad not in str(caught.value)


@pytest.mark.parametrize(
    ("typed", "pair"),
    [("farm%2Frig1", "2F"), ("me%40home", "40"), ("x%3a1", "3a"), ("%7C", "7C")],
)
def test_a_percent_the_stock_cgi_would_decode_twice_is_refused(typed: str, pair: str) -> None:
    with pytest.raises(UsageError, match=rf"pool 2 worker contains '%' followed by '{pair}'"):
        encode_form_value(typed, "pool 2 worker")


def test_a_percent_the_stock_cgi_decodes_once_is_carried() -> None:
    assert stock_form_decode(encode_form_value("100%", "x")) == "100%"
    assert stock_form_decode(encode_form_value("50%25 off", "x")) == "50%25 off"
    assert stock_form_decode(encode_form_value("%41%zz%2", "x")) == "%41%zz%2"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=24))
def test_every_value_is_stored_as_typed_or_refused_naming_the_field(typed: str) -> None:
    # The simulator's decoder is a separate, step-by-step copy of the stock shell code.
    try:
        encoded = encode_form_value(typed, "pool 3 password")
    except UsageError as error:
        assert str(error).startswith("pool 3 password contains ")
        return
    assert stock_form_decode(encoded) == typed
    assert "&" not in encoded and "=" not in encoded


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="%2F40aB3", max_size=12))
def test_percent_runs_are_stored_as_typed_or_refused(typed: str) -> None:
    try:
        encoded = encode_form_value(typed, "pool 1 worker")
    except UsageError:
        return
    assert stock_form_decode(encoded) == typed


def test_miner_conf_form_keeps_settings_and_pads_pools() -> None:
    conf = parse.parse_miner_conf(
        transport.decode((SAMPLES / "s9-2017-get_miner_conf.txt").read_bytes())
    )
    body = miner_conf_form(
        conf, [PoolSetting(url="stratum+tcp://a.example:3333", user="w.1", password=SecretStr("x"))]
    )
    pairs = [pair.split("=", 1) for pair in body.split("&")]
    assert [name for name, _ in pairs] == list(fields.SET_MINER_CONF_FIELDS)
    values = [value for _, value in pairs]
    assert values[:3] == ["stratum%2Btcp%3A%2F%2Fa.example%3A3333", "w.1", "x"]
    assert values[3:9] == [""] * 6
    assert values[9:] == ["false", "false", "false", "", "550"]


def test_same_body_as_the_recorded_client_request() -> None:
    sample = (SAMPLES / "s9-set_miner_conf-request-body.txt").read_text().strip()
    conf = parse.MinerConf((), False, False, False, "", "550")
    pools = [
        PoolSetting(
            url=f"stratum+tcp://my-test-pool{n}.com:5588",
            user=f"my-test-username{n}",
            password=SecretStr(f"my-test-password{n}"),
        )
        for n in (1, 2, 3)
    ]
    assert miner_conf_form(conf, pools) == sample


def test_four_pools_are_refused() -> None:
    conf = parse.MinerConf((), False, False, False, "", "550")
    with pytest.raises(UsageError, match="3 pools"):
        miner_conf_form(conf, [PoolSetting(url="u", user="w")] * 4)


async def test_wrong_password_is_auth_error() -> None:
    web = client(lambda request: httpx.Response(401, headers=CHALLENGE))
    with pytest.raises(MinerAuthError, match="refused the login of user 'root'"):
        await web.system_info()
    assert await web.login_works("root", SecretStr("root")) is False
    await web.aclose()


async def test_server_error_is_command_error() -> None:
    web = client(lambda request: httpx.Response(500))
    with pytest.raises(MinerCommandError, match="HTTP 500"):
        await web.kernel_log()
    await web.aclose()


async def test_garbage_json_is_protocol_error() -> None:
    web = client(lambda request: httpx.Response(200, content=b"<html>oops</html>"))
    with pytest.raises(MinerProtocolError, match=r"get_system_info\.cgi"):
        await web.system_info()
    await web.aclose()


async def test_connection_refused_is_unreachable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    web = client(refuse)
    with pytest.raises(MinerUnreachable, match="cannot connect"):
        await web.network_info()
    await web.aclose()


async def test_timeout_is_unreachable() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    web = client(slow)
    with pytest.raises(MinerUnreachable, match="no complete answer within 1 s"):
        await web.miner_conf()
    await web.aclose()


async def test_set_miner_conf_needs_ok() -> None:
    web = client(lambda request: httpx.Response(200, text="error"))
    with pytest.raises(MinerCommandError, match="instead of 'ok'"):
        await web.set_miner_conf("a=b")
    await web.aclose()


@pytest.mark.parametrize(
    ("page", "error"),
    [("<p>Invalid Password</p>", "Invalid Password"), ("<p>?</p>", "did not confirm")],
)
async def test_passwd_refusals(page: str, error: str) -> None:
    web = client(lambda request: httpx.Response(200, text=page))
    with pytest.raises(MinerCommandError, match=error):
        await web.change_password(SecretStr("root"), SecretStr("n3w"))
    await web.aclose()


async def test_password_change_never_logs_the_passwords(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(parse_qsl(request.url.query.decode())))
        return httpx.Response(200, text="<p>Updating Password</p>")

    web = client(handler)
    with caplog.at_level(logging.DEBUG):
        await web.change_password(SecretStr("old-Secret-1"), SecretStr("new-Secret-2"))
    assert seen == [
        {"current_pw": "old-Secret-1", "new_pw": "new-Secret-2", "new_pw_ctrl": "new-Secret-2"}
    ]
    assert any("passwd.cgi" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        assert "Secret" not in record.getMessage()
    assert not web.uses_default_password
    assert "Secret" not in repr(web)
    await web.aclose()


async def test_empty_new_password_is_refused_before_sending() -> None:
    web = client(lambda request: pytest.fail("nothing may be sent"))
    with pytest.raises(UsageError, match="empty"):
        await web.change_password(SecretStr("root"), SecretStr(""))
    await web.aclose()
