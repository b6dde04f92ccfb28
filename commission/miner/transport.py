"""RPC framing for bmminer's TCP API, and the one place that repairs the firmware's broken JSON.

bmminer answers one request per connection, ends the reply with a NUL and closes the socket. Its
JSON is not always JSON: the ``stats`` reply misses a comma between its first two objects (``}{``),
doubles can print as bare ``nan``/``inf``, the ``Type`` string can hold a raw newline, and some
builds leave ``,}``, ``[,{`` or bytes after the object. :func:`repair` fixes all of that with one
tokenizer that never touches the inside of a string (except to escape raw control characters), so a
pool user containing ``}{`` survives. Everything that cannot be repaired is a
:class:`~commission.errors.MinerProtocolError` carrying a short excerpt of the offending bytes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from commission.errors import (
    MinerCommandError,
    MinerProtocolError,
    MinerUnreachable,
)
from commission.miner import fields

MAX_REPLY_BYTES: Final = 1 << 20
"""A full joined reply is about 20 KB; anything over 1 MiB is not bmminer talking."""
MAX_DEPTH: Final = 32
"""bmminer nests three levels deep (joined reply); deeper input is garbage, not a reply."""
EXCERPT_CHARS: Final = 60
CLOSE_WAIT_S: Final = 1.0
"""How long closing a connection may take once the exchange is over (a reset is fine)."""

_TOKEN: Final = re.compile(
    r"""
    (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<open>[{\[])
  | (?P<close>[}\]])
  | (?P<comma>,)
  | (?P<colon>:)
  | (?P<number>-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>-?[A-Za-z_]+)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE: Final = re.compile(r"\\(.)|[\x00-\x1f]", re.DOTALL)
_VALID_ESCAPES: Final = frozenset('"\\/bfnrtu')
_CONTROL_ESCAPES: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_LITERALS: Final = frozenset({"true", "false", "null"})
_NOT_A_NUMBER: Final = frozenset({"nan", "-nan", "inf", "-inf", "infinity", "-infinity"})
_CLOSER: Final = {"{": "}", "[": "]"}


def excerpt(text: str | bytes, at: int = 0) -> str:
    """A short, printable piece of ``text`` around position ``at`` for error messages."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    start = max(0, at - EXCERPT_CHARS // 2)
    piece = text[start : start + EXCERPT_CHARS]
    shown = piece.encode("unicode_escape").decode("ascii")
    return ("…" if start else "") + shown + ("…" if start + EXCERPT_CHARS < len(text) else "")


def _fix_string(token: str) -> str:
    """Escape raw control characters inside a JSON string and drop invalid escapes like ``\\'``."""

    def fix(match: re.Match[str]) -> str:
        escaped = match.group(1)
        if escaped is None:
            char = match.group(0)
            return _CONTROL_ESCAPES.get(char, f"\\u{ord(char):04x}")
        if escaped in _VALID_ESCAPES:
            return match.group(0)
        return _fix_string(f'"{escaped}"')[1:-1]

    return _ESCAPE.sub(fix, token)


def repair(raw: bytes) -> str:
    """Turn one bmminer reply into valid JSON text, fixing every known firmware defect.

    Repairs, all outside strings unless noted: the trailing NUL; the missing comma in ``}{`` between
    array elements; bare ``nan``/``-nan``/``inf`` (become ``null``: not a reading); ``,}``/``,]``
    and ``[,{``; an empty value (``": ,"``, becomes ``null``); anything after the top-level object;
    and, inside strings, raw newlines and other control characters (escaped) and invalid escapes
    such as ``\\'``.

    Args:
        raw: the bytes read from the socket (or a web reply body).

    Returns:
        JSON text that :func:`json.loads` accepts.

    Raises:
        MinerProtocolError: the reply is empty, too large, truncated, nested absurdly deep, or
            contains something that is not JSON even after repair.
    """
    if len(raw) > MAX_REPLY_BYTES:
        raise MinerProtocolError(
            f"reply is {len(raw)} bytes, more than the {MAX_REPLY_BYTES} a miner sends; "
            f"it starts with {excerpt(raw[:EXCERPT_CHARS])!r}"
        )
    text = raw.decode("utf-8", errors="replace").rstrip("\x00 \t\r\n")
    if not text.strip():
        raise MinerProtocolError("empty reply (the miner closed the connection without data)")
    out: list[str] = []
    stack: list[str] = []
    previous = ""  # kind of the last significant token written
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        token = match.group()
        if kind == "space":
            continue
        if not stack and out:
            break  # the top-level object is complete: what follows is trailing garbage
        if not stack and token != "{":
            raise MinerProtocolError(
                f"reply does not start with a JSON object: {excerpt(text, match.start())!r}"
            )
        if kind == "string":
            out.append(_fix_string(token))
        elif kind == "open":
            if previous == "close" and stack and stack[-1] == "[":
                out.append(",")  # the "}{" gap between two array elements
            if len(stack) >= MAX_DEPTH:
                raise MinerProtocolError(
                    f"reply nests deeper than {MAX_DEPTH} levels near "
                    f"{excerpt(text, match.start())!r}"
                )
            stack.append(token)
            out.append(token)
        elif kind == "close":
            if previous == "comma":
                out.pop()  # ",}" and ",]"
            elif previous == "colon":
                out.append("null")  # '"key": }'
            opened = stack.pop()
            if _CLOSER[opened] != token:
                raise MinerProtocolError(
                    f"reply closes {opened!r} with {token!r} near {excerpt(text, match.start())!r}"
                )
            out.append(token)
        elif kind == "comma":
            if previous in {"open", "comma"}:
                continue  # "[,{" and doubled commas
            if previous == "colon":
                out.append("null")  # '"key": ,' (an empty value in get_miner_conf)
            out.append(token)
        elif kind in {"colon", "number"}:
            out.append(token)
        elif kind == "word":
            lowered = token.lower()
            if lowered in _NOT_A_NUMBER:
                out.append("null")
                kind = "number"
            elif token in _LITERALS:
                out.append(token)
            else:
                raise MinerProtocolError(
                    f"unquoted word {token[:20]!r} in reply near {excerpt(text, match.start())!r}"
                )
        else:
            if token == '"':
                raise MinerProtocolError(
                    f"reply ends inside a string (truncated?) near {excerpt(text, match.start())!r}"
                )
            raise MinerProtocolError(
                f"unexpected character {token!r} in reply near {excerpt(text, match.start())!r}"
            )
        previous = kind
    if stack:
        raise MinerProtocolError(
            f"reply ends before its JSON object is complete (truncated?): "
            f"…{excerpt(text[-EXCERPT_CHARS:])!r}"
        )
    return "".join(out)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not strict JSON")


def decode(raw: bytes) -> dict[str, Any]:
    """Repair and parse one reply into a JSON object.

    Raises:
        MinerProtocolError: the reply cannot be repaired or is not a JSON object.
    """
    if len(raw) <= MAX_REPLY_BYTES:
        # Fast path: a reply that is already strict JSON (no NaN/Infinity either) needs no repair.
        try:
            value = json.loads(raw.rstrip(b"\x00"), parse_constant=_reject_constant)
        except (ValueError, RecursionError):
            pass  # not strict JSON: the repairing tokenizer below handles it or says why not
        else:
            if isinstance(value, dict):
                return value
    text = repair(raw)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        position = getattr(error, "pos", 0) or 0
        raise MinerProtocolError(
            f"reply is not JSON even after repair ({error.__class__.__name__}): "
            f"{excerpt(text, position)!r}"
        ) from error
    if not isinstance(value, dict):
        raise MinerProtocolError(f"reply is not a JSON object: {excerpt(text)!r}")
    return value


def encode_request(command: str, parameter: str | None = None) -> bytes:
    """The bytes of one JSON request, e.g. ``{"command":"stats"}`` (no terminator needed)."""
    request: dict[str, str] = {"command": command}
    if parameter is not None:
        request["parameter"] = parameter
    payload = json.dumps(request, separators=(",", ":")).encode("ascii")
    if len(payload) > fields.RPC_MAX_REQUEST:
        raise ValueError(f"request of {len(payload)} bytes exceeds bmminer's single read")
    return payload


async def exchange(
    host: str,
    port: int,
    payload: bytes,
    *,
    timeout: float,
    max_bytes: int = MAX_REPLY_BYTES,
) -> bytes:
    """Send one request on a fresh connection and read the reply until the miner closes it.

    ``timeout`` is one deadline for the whole exchange (connect, send and the complete reply), so
    a miner that drips its reply a byte at a time cannot hold the connection open past it.

    Raises:
        MinerUnreachable: the connection was refused or broke, or the exchange did not end within
            ``timeout`` (the message says how far it got).
        MinerProtocolError: the reply is larger than ``max_bytes``.
    """
    where = f"{host}:{port}"
    pieces: list[bytes] = []
    size = 0
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(payload)
            await writer.drain()
            while piece := await reader.read(65536):
                pieces.append(piece)
                size += len(piece)
                if size > max_bytes:
                    raise MinerProtocolError(
                        f"{where}: reply exceeds {max_bytes} bytes; it starts with "
                        f"{excerpt(pieces[0][:EXCERPT_CHARS])!r}"
                    )
    except TimeoutError as error:
        if writer is None:
            raise MinerUnreachable(
                f"{where}: no answer to the connection within {timeout:g} s"
            ) from error
        raise MinerUnreachable(
            f"{where}: the reply was not complete within {timeout:g} s "
            f"({size} bytes received{_so_far(pieces)})"
        ) from error
    except OSError as error:
        if writer is None:
            raise MinerUnreachable(
                f"{where}: cannot connect ({error.strerror or error})"
            ) from error
        raise MinerUnreachable(f"{where}: connection broke ({error.strerror or error})") from error
    finally:
        if writer is not None:
            writer.close()
            # The reply (or the error above) is already decided; a reset while closing changes
            # nothing, and a peer that never acknowledges the close does not get to hold us.
            with contextlib.suppress(OSError, TimeoutError):
                await asyncio.wait_for(writer.wait_closed(), timeout=CLOSE_WAIT_S)
    return b"".join(pieces)


def _so_far(pieces: list[bytes]) -> str:
    """``, starting '…'`` for the pieces of a reply read so far (nothing when none arrived)."""
    start = b"".join(pieces[:EXCERPT_CHARS])[:EXCERPT_CHARS]
    return f", starting {excerpt(start)!r}" if pieces else ""


def check_status(reply: Mapping[str, Any], command: str) -> None:
    """Raise unless the reply's STATUS block says success (``S``) or information (``I``).

    Raises:
        MinerCommandError: the miner refused the command (``E``/``W``/``F``), with its message.
        MinerProtocolError: the reply has no STATUS block.
    """
    blocks = reply.get(fields.KEY_STATUS)
    if not isinstance(blocks, list) or not blocks or not isinstance(blocks[0], dict):
        raise MinerProtocolError(f"{command}: reply has no STATUS block: {excerpt(str(reply))!r}")
    block = blocks[0]
    letter = block.get(fields.KEY_STATUS)
    if letter not in fields.STATUS_OK_LETTERS:
        message = block.get(fields.KEY_MSG, "")
        code = block.get(fields.KEY_CODE, "?")
        raise MinerCommandError(f"{command}: the miner refused it ({letter} {code}: {message})")


def split_joined(
    reply: Mapping[str, Any], commands: Iterable[str]
) -> dict[str, dict[str, Any] | MinerProtocolError | MinerCommandError]:
    """Split a joined (``a+b+c``) reply into one single-command reply per command.

    bmminer puts each command's whole reply into a one-element array under the command's name.
    A missing or refused part becomes the error for that command, so the caller can retry it alone.
    """
    parts: dict[str, dict[str, Any] | MinerProtocolError | MinerCommandError] = {}
    for command in commands:
        part = reply.get(command)
        if isinstance(part, list) and part and isinstance(part[0], dict):
            part = part[0]
        if not isinstance(part, dict):
            parts[command] = MinerProtocolError(
                f"{command}: missing from the joined reply ({excerpt(str(part))!r})"
            )
            continue
        try:
            check_status(part, command)
        except (MinerCommandError, MinerProtocolError) as error:
            parts[command] = error
        else:
            parts[command] = part
    return parts
