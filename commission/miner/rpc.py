"""Async client for bmminer's RPC API (TCP 4028): single commands and the joined request.

The stock API serves one request per connection, one connection at a time, so this client sends the
read commands as one joined request (``version+summary+stats+pools+devs``) and falls back to single
commands, one after another, when the joined reply is refused or broken. Framing and repair live in
:mod:`commission.miner.transport`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from commission.errors import MinerCommandError, MinerProtocolError, MinerUnreachable
from commission.miner import fields, transport

SNAPSHOT_COMMANDS: Final = ("version", "summary", "stats", "pools", "devs")
"""The read commands a snapshot needs; all of them are in the stock access group ``A``."""

CommandResult = dict[str, Any] | MinerProtocolError | MinerCommandError | MinerUnreachable
"""One command's decoded reply, or the error that stopped it."""


class RpcClient:
    """Talks to one miner's RPC API.

    Args:
        host: address of the miner.
        port: RPC port (4028 on stock firmware).
        timeout: seconds allowed for each whole exchange (connect, request and complete reply).
    """

    def __init__(self, host: str, port: int = fields.RPC_PORT, timeout: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"RpcClient({self.host!r}, port={self.port}, timeout={self.timeout:g})"

    async def raw(self, command: str, parameter: str | None = None) -> bytes:
        """Send one request and return the reply bytes as read (NUL and all).

        Raises:
            MinerUnreachable: no connection, or the miner went silent.
            MinerProtocolError: the reply is absurdly large.
        """
        payload = transport.encode_request(command, parameter)
        return await transport.exchange(self.host, self.port, payload, timeout=self.timeout)

    async def command(self, command: str, parameter: str | None = None) -> dict[str, Any]:
        """Run one command and return its decoded, status-checked reply.

        Raises:
            MinerUnreachable: no connection, or the miner went silent.
            MinerProtocolError: the reply cannot be decoded.
            MinerCommandError: the miner refused the command (e.g. access denied).
        """
        reply = transport.decode(await self.raw(command, parameter))
        transport.check_status(reply, command)
        return reply

    async def commands(
        self, commands: Sequence[str] = SNAPSHOT_COMMANDS
    ) -> dict[str, CommandResult]:
        """Run several read commands: joined first, then one by one for whatever the join missed.

        Returns:
            Each command's reply, or the error that stopped it (so one refused command does not hide
            the others).

        Raises:
            MinerUnreachable: the API cannot be reached at all (the joined request and every
                single command failed to connect or went silent).
        """
        wanted = list(dict.fromkeys(commands))
        results: dict[str, CommandResult] = {}
        joined_error: MinerProtocolError | MinerCommandError | None = None
        try:
            reply = transport.decode(await self.raw("+".join(wanted)))
        except MinerProtocolError as error:
            joined_error = error
        else:
            if fields.KEY_STATUS in reply and not any(command in reply for command in wanted):
                # The whole join was refused (an API without '+' support answers with one STATUS).
                try:
                    transport.check_status(reply, "+".join(wanted))
                    joined_error = MinerProtocolError("joined reply has none of the commands")
                except (MinerCommandError, MinerProtocolError) as error:
                    joined_error = error
            else:
                for command, part in transport.split_joined(reply, wanted).items():
                    if isinstance(part, dict):
                        results[command] = part
        silent: MinerUnreachable | None = None
        for command in wanted:
            if command in results:
                continue
            if silent is not None:
                # The miner stopped answering: asking again would only add a deadline per command.
                results[command] = MinerUnreachable(f"{command}: not asked ({silent})")
                continue
            try:
                results[command] = await self.command(command)
            except MinerUnreachable as error:
                results[command] = silent = error
            except (MinerProtocolError, MinerCommandError) as error:
                results[command] = error
        if all(isinstance(result, MinerUnreachable) for result in results.values()):
            first = results[wanted[0]]
            note = f" (the joined request said: {joined_error})" if joined_error else ""
            raise MinerUnreachable(f"{first}{note}")
        return results
