"""Header arithmetic: compact targets and the Stratum header assembly rule."""

from __future__ import annotations

import pytest

from commission.errors import HashInputError
from commission.hashing.header import DIFF1_TARGET, header_from_stratum, target_from_bits
from commission.hashing.vectors import BLOCK_125552

MERKLE_125552 = bytes.fromhex("e320b6c2fffc8d750423db8b1eb942ae710e951ed797f7affc8892b0f1fc122b")


@pytest.mark.parametrize(
    ("bits", "target"),
    [
        (0x1D00FFFF, DIFF1_TARGET),
        (0x1A44B9F2, 0x44B9F2 << (8 * 23)),
        (0x03123456, 0x123456),
        (0x02123456, 0x1234),
        (0x01123456, 0x12),
        (0x00123456, 0),
    ],
)
def test_target_from_bits(bits: int, target: int) -> None:
    assert target_from_bits(bits) == target


@pytest.mark.parametrize(
    ("bits", "fragment"),
    [(-1, "32-bit"), (1 << 32, "32-bit"), (0x1D800000, "sign bit"), (0x227FFFFF, "wider than 256")],
)
def test_bad_bits(bits: int, fragment: str) -> None:
    with pytest.raises(HashInputError, match=fragment):
        target_from_bits(bits)


def test_block_125552_header_bytes() -> None:
    # The header as block explorers serialise it: the Stratum prevhash with its words swapped.
    assert BLOCK_125552.header.hex() == (
        "01000000"
        "81cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000"
        "e320b6c2fffc8d750423db8b1eb942ae710e951ed797f7affc8892b0f1fc122b"
        "c7f5d74d"
        "f2b9441a"
        "42a14695"
    )


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("version", "0000001", "version is not hex"),
        ("version", "0000000100", "version must be 4 bytes"),
        ("prevhash", "zz" * 32, "prevhash is not hex"),
        ("ntime", "", "ntime must be 4 bytes"),
        ("nbits", "1a44b9", "nbits must be 4 bytes"),
        ("nonce", "9546a14", "nonce is not hex"),
    ],
)
def test_bad_stratum_fields_name_the_field(field: str, value: str, fragment: str) -> None:
    fields = {
        "version": "00000001",
        "prevhash": "ab02cd818b9e567ee21793cddef299feb29ad444a41b85b8000008a300000000",
        "ntime": "4dd7f5c7",
        "nbits": "1a44b9f2",
        "nonce": "9546a142",
    }
    fields[field] = value
    with pytest.raises(HashInputError, match=fragment):
        header_from_stratum(merkle_root=MERKLE_125552, **fields)


def test_short_merkle_root() -> None:
    with pytest.raises(HashInputError, match="merkle_root must be 32 bytes"):
        header_from_stratum("00000001", "00" * 32, bytes(31), "00000000", "1d00ffff", "00000000")
