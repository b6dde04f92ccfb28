"""transport.repair/decode: every known firmware defect is repaired, and only typed errors escape."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commission.errors import MinerCommandError, MinerProtocolError
from commission.miner import transport


def test_trailing_nul_is_stripped() -> None:
    assert transport.decode(b'{"a":1}\x00') == {"a": 1}


def test_missing_comma_between_stats_objects_is_inserted() -> None:
    reply = transport.decode(b'{"STATS":[{"Type":"S9"}{"ID":"BC50"}],"id":1}\x00')
    assert reply["STATS"] == [{"Type": "S9"}, {"ID": "BC50"}]


def test_gap_inside_a_string_is_left_alone() -> None:
    reply = transport.decode(b'{"POOLS":[{"User":"a}{b"}]}')
    assert reply["POOLS"][0]["User"] == "a}{b"


@pytest.mark.parametrize("word", [b"nan", b"-nan", b"inf", b"-inf", b"NaN", b"Infinity"])
def test_unquoted_not_a_number_becomes_null(word: bytes) -> None:
    assert transport.decode(b'{"total_freqavg":' + word + b',"x":1}') == {
        "total_freqavg": None,
        "x": 1,
    }


def test_quoted_nan_stays_text() -> None:
    assert transport.decode(b'{"temp_pcb2":"NaN-NaN-NaN"}') == {"temp_pcb2": "NaN-NaN-NaN"}


def test_raw_newline_inside_a_string_is_escaped() -> None:
    reply = transport.decode(b'{"VERSION":[{"Type":"Antminer S9\nV1.3.58"}]}')
    assert reply["VERSION"][0]["Type"] == "Antminer S9\nV1.3.58"


def test_trailing_garbage_after_the_object_is_dropped() -> None:
    assert transport.decode(b'{"id":1}"}\x00junk') == {"id": 1}


def test_stray_commas_are_removed() -> None:
    assert transport.decode(b'{"a":[,{"b":1,},],}') == {"a": [{"b": 1}]}


def test_empty_value_in_miner_conf_becomes_null() -> None:
    assert transport.decode(b'{"bitmain-fan-ctrl": ,"x":1}') == {"bitmain-fan-ctrl": None, "x": 1}


def test_invalid_escape_is_dropped() -> None:
    assert transport.decode(b'{"a":"it\\\'s"}') == {"a": "it's"}


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"", "empty reply"),
        (b"\x00", "empty reply"),
        (b'{"STATS":[{"a":1', "truncated"),
        (b'{"a":"unterminated', "inside a string"),
        (b"STATUS=E,When=1,Code=14|", "does not start with a JSON object"),
        (b'{"a":bogus}', "unquoted word"),
        (b'{"a":[1}', "closes"),
        (b'{"a":@}', "unexpected character"),
        (b"[" * 100 + b"]" * 100, "does not start"),
        (b'{"a":' + b"[" * 100 + b"nan" + b"]" * 100 + b"}", "deeper"),
    ],
)
def test_unrepairable_replies_raise_protocol_error_naming_the_defect(raw: bytes, says: str) -> None:
    with pytest.raises(MinerProtocolError, match=says):
        transport.decode(raw)


def test_huge_reply_is_refused_with_its_size() -> None:
    with pytest.raises(MinerProtocolError, match="bytes, more than"):
        transport.decode(b'{"a":"' + b"x" * (transport.MAX_REPLY_BYTES + 1) + b'"}')


def test_error_message_carries_a_short_printable_excerpt() -> None:
    with pytest.raises(MinerProtocolError) as caught:
        transport.decode(b'{"a":1,"b":\x01\x02' + b"z" * 500 + b"}")
    assert len(str(caught.value)) < 200
    assert "\\x01" in str(caught.value)


def test_check_status_raises_command_error_for_access_denied() -> None:
    reply = {"STATUS": [{"STATUS": "E", "Code": 45, "Msg": "Access denied to 'config' command"}]}
    with pytest.raises(MinerCommandError, match="Access denied"):
        transport.check_status(reply, "config")


def test_check_status_without_status_block_is_protocol_error() -> None:
    with pytest.raises(MinerProtocolError, match="no STATUS"):
        transport.check_status({"id": 1}, "stats")


def test_split_joined_returns_parts_and_errors() -> None:
    ok = {"STATUS": [{"STATUS": "S"}], "SUMMARY": [{}]}
    refused = {"STATUS": [{"STATUS": "E", "Code": 45, "Msg": "Access denied to 'devs' command"}]}
    parts = transport.split_joined({"summary": [ok], "devs": [refused]}, ["summary", "devs", "x"])
    assert parts["summary"] == ok
    assert isinstance(parts["devs"], MinerCommandError)
    assert isinstance(parts["x"], MinerProtocolError)


def test_encode_request_is_compact_json() -> None:
    assert transport.encode_request("stats") == b'{"command":"stats"}'
    assert transport.encode_request("ascset", "0,freq") == (
        b'{"command":"ascset","parameter":"0,freq"}'
    )


# --- property-based: garbage in, typed errors (or a valid object) out ---------------------------

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)


def _decode_or_typed_error(raw: bytes) -> None:
    try:
        reply = transport.decode(raw)
    except MinerProtocolError:
        return
    assert isinstance(reply, dict)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_binary_garbage_gives_only_protocol_errors(raw: bytes) -> None:
    _decode_or_typed_error(raw)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _json_values, max_size=6), st.data())
def test_truncated_replies_give_only_protocol_errors(
    obj: dict[str, object], data: st.DataObject
) -> None:
    raw = json.dumps(obj).encode() + b"\x00"
    assert transport.decode(raw) == obj
    cut = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    _decode_or_typed_error(raw[:cut])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["{", "}", "[", "]", ",", ":", '"a"', '"b\\', "nan", "1", "\x00", "}{"]),
        max_size=300,
    )
)
def test_nested_garbage_gives_only_protocol_errors(tokens: list[str]) -> None:
    _decode_or_typed_error("".join(tokens).encode())


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=1, max_value=5000))
def test_deep_nesting_gives_only_protocol_errors(depth: int) -> None:
    _decode_or_typed_error(b'{"a":' + b"[" * depth + b"]" * depth + b"}")


def test_deep_but_valid_json_takes_the_fast_path() -> None:
    value = transport.decode(b'{"a":' + b"[" * 100 + b"]" * 100 + b"}")["a"]
    depth = 0
    while value:
        value, depth = value[0], depth + 1
    assert depth == 99


def test_strict_json_with_nan_constant_is_still_repaired() -> None:
    assert transport.decode(b'{"a":NaN,"b":[1]}') == {"a": None, "b": [1]}


def test_huge_valid_reply_within_the_limit_decodes() -> None:
    items = ",".join(f'{{"chain_acn{n}":18,"x":"{"o" * 50}"}}' for n in range(5000))
    raw = ('{"STATS":[' + items + "]}").encode()
    assert len(transport.decode(raw)["STATS"]) == 5000
