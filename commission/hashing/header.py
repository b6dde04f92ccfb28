"""Bitcoin block-header arithmetic the hash engine needs: targets and header assembly.

A header is version, previous hash, merkle root, time, bits and nonce (80 bytes). The engine scans
the nonce over the first 76 bytes; a hash meets a target when, read as a little-endian 256-bit
integer, it is not larger. The Stratum form of the fields (hex as sent on the wire, previous hash
word-swapped) is turned into header bytes here, by the rule in miner-protocols.md section 7.3.
"""

from __future__ import annotations

from typing import Final

from commission.errors import HashInputError

HEADER_LENGTH: Final = 80
"""Bytes in a block header."""
PREFIX_LENGTH: Final = 76
"""Bytes before the nonce: what a Scanner takes."""
TARGET_LIMIT: Final = 1 << 256
"""Targets are 0 <= target < TARGET_LIMIT."""
DIFF1_TARGET: Final = 0x00000000FFFF0000000000000000000000000000000000000000000000000000
"""The difficulty-1 target (bits 0x1d00ffff)."""


def target_from_bits(bits: int) -> int:
    """The target a compact ``bits`` field stands for (mantissa x 256^(exponent - 3)).

    Args:
        bits: the header's 32-bit compact target, e.g. 0x1d00ffff.

    Returns:
        The full target as an integer.

    Raises:
        HashInputError: when bits is negative, has the sign bit set, or does not fit 256 bits.
    """
    if not 0 <= bits <= 0xFFFFFFFF:
        raise HashInputError(f"bits must be a 32-bit number, got {bits}")
    exponent, mantissa = bits >> 24, bits & 0xFFFFFF
    if mantissa & 0x800000:
        raise HashInputError(f"bits 0x{bits:08x} has the sign bit set (a negative target)")
    target = mantissa >> (8 * (3 - exponent)) if exponent <= 3 else mantissa << (8 * (exponent - 3))
    if target >= TARGET_LIMIT:
        raise HashInputError(f"bits 0x{bits:08x} stands for a target wider than 256 bits")
    return target


def _hex_field(name: str, text: str, size: int) -> bytes:
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raise HashInputError(f"{name} is not hex: {text!r}") from None
    if len(raw) != size:
        raise HashInputError(f"{name} must be {size} bytes ({2 * size} hex digits), got {len(raw)}")
    return raw


def _swap_words(raw: bytes) -> bytes:
    return b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))


def header_from_stratum(
    version: str, prevhash: str, merkle_root: bytes, ntime: str, nbits: str, nonce: str
) -> bytes:
    """Assemble the 80 header bytes from Stratum fields as they are sent on the wire.

    version, ntime, nbits and nonce are big-endian hex numbers (their 4 bytes are reversed into
    the header); prevhash has each 4-byte word reversed; the merkle root (raw bytes, as computed
    from the coinbase and branches) goes in unchanged.

    Args:
        version: 8 hex digits.
        prevhash: 64 hex digits in Stratum's word-swapped order.
        merkle_root: 32 raw bytes.
        ntime: 8 hex digits.
        nbits: 8 hex digits.
        nonce: 8 hex digits.

    Returns:
        The 80-byte header.

    Raises:
        HashInputError: naming the field that is not hex or has the wrong length.
    """
    if len(merkle_root) != 32:
        raise HashInputError(f"merkle_root must be 32 bytes, got {len(merkle_root)}")
    return (
        _hex_field("version", version, 4)[::-1]
        + _swap_words(_hex_field("prevhash", prevhash, 32))
        + bytes(merkle_root)
        + _hex_field("ntime", ntime, 4)[::-1]
        + _hex_field("nbits", nbits, 4)[::-1]
        + _hex_field("nonce", nonce, 4)[::-1]
    )
