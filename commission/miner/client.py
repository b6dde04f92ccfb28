"""The one interface everything above the miner layer talks to, and the stock-firmware client.

:class:`MinerClient` is the protocol the verifier, the soak and the TUI use; the CLI hands them
either :class:`StockMinerClient` (a real S9 Hydro: RPC plus web UI) or the simulator's client, and
they cannot tell the difference. A snapshot never hides a partial read: a refused command, a garbled
reply or a web UI that is down becomes a :class:`~commission.miner.models.Problem` in it. Only an
RPC API that cannot be reached at all raises :class:`~commission.errors.MinerUnreachable`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar, runtime_checkable

from pydantic import SecretStr

from commission.errors import MinerAuthError, MinerError, MinerProtocolError
from commission.miner import fields, parse
from commission.miner.models import MinerSnapshot, Problem
from commission.miner.parse import PoolSetting
from commission.miner.rpc import SNAPSHOT_COMMANDS, RpcClient
from commission.miner.web import WebClient, miner_conf_form

__all__ = ["MinerClient", "PoolSetting", "StockMinerClient"]

Clock = Callable[[], datetime]
PARSER_FAILED = "the reply could not be parsed"
"""How a Problem says that a parser met a reply shape it did not foresee (bench counts these)."""
_T = TypeVar("_T")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@runtime_checkable
class MinerClient(Protocol):
    """What the verifier needs from a miner, real or simulated."""

    host: str

    async def snapshot(self, *, web: bool = True) -> MinerSnapshot:
        """Read everything at once; partial failures become Problems in the snapshot.

        Args:
            web: also read the web UI (identity, kernel log, default password); the soak turns this
                off to sample quickly.

        Raises:
            MinerUnreachable: the RPC API cannot be reached at all.
        """
        ...

    async def kernel_log(self) -> list[str]:
        """The kernel log page as lines.

        Raises:
            MinerUnreachable: the web UI does not answer.
            MinerAuthError: the web UI refuses the login.
        """
        ...

    async def apply_pools(self, pools: Sequence[PoolSetting]) -> None:
        """Write up to three pools, keeping the miner's other settings (bmminer restarts)."""
        ...

    async def change_password(self, current: str, new: str) -> None:
        """Change the web UI password from ``current`` to ``new``."""
        ...

    async def default_password_active(self) -> bool:
        """True when the factory web login (root/root) still works."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


class StockMinerClient:
    """A real S9 Hydro on stock Bitmain firmware: RPC on ``api_port`` plus the web UI.

    Args:
        host: address of the miner.
        api_port: RPC port (4028).
        web_port: web UI port (80).
        timeout: seconds allowed for each connect and each read.
        web_user: web UI user (``root``).
        web_password: web UI password; None means the factory default.
        clock: gives the snapshot time (tests pass a fixed one).
    """

    def __init__(
        self,
        host: str,
        api_port: int = fields.RPC_PORT,
        web_port: int = fields.WEB_PORT,
        timeout: float = 5.0,
        web_user: str = fields.DEFAULT_WEB_USER,
        web_password: SecretStr | None = None,
        *,
        clock: Clock = _utc_now,
    ) -> None:
        self.host = host
        self.rpc = RpcClient(host, api_port, timeout)
        self.web = WebClient(host, web_port, timeout, web_user, web_password)
        self._clock = clock

    def __repr__(self) -> str:
        return (
            f"StockMinerClient({self.host!r}, api_port={self.rpc.port}, web_port={self.web.port})"
        )

    async def snapshot(self, *, web: bool = True) -> MinerSnapshot:
        """Read RPC (joined request) and, with ``web``, the web UI; see :class:`MinerClient`."""
        taken_at = self._clock()
        problems: list[Problem] = []
        results = await self.rpc.commands(SNAPSHOT_COMMANDS)
        parsed: dict[str, Any] = {}
        parsers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "version": parse.parse_version,
            "summary": parse.parse_summary,
            "stats": parse.parse_stats,
            "pools": parse.parse_pools,
            "devs": parse.parse_devs,
        }
        for command, result in results.items():
            if isinstance(result, MinerError):
                problems.append(Problem(source=f"rpc {command}", message=str(result)))
                continue
            try:
                parsed[command] = parsers[command](result)
            except MinerProtocolError as error:
                problems.append(Problem(source=f"rpc {command}", message=str(error)))
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
                # A reply shaped in a way the parser did not foresee: that command is unread,
                # said so with the parser's own words, and the other commands still count.
                problems.append(
                    Problem(
                        source=f"rpc {command}",
                        message=f"{PARSER_FAILED} ({error.__class__.__name__}: {error})",
                    )
                )
        pools, pool_problems = parsed.get("pools", ((), ()))
        problems.extend(pool_problems)
        webs: list[parse.WebIdentity] = []
        kernel_log: list[str] | None = None
        default_password: bool | None = None
        if web:
            webs, kernel_log, default_password = await self._read_web(problems)
        return parse.assemble(
            self.host,
            taken_at,
            identity=parsed.get("version"),
            summary=parsed.get("summary"),
            stats=parsed.get("stats"),
            pools=pools,
            device=parsed.get("devs"),
            web=webs,
            kernel_log=kernel_log,
            default_password_active=default_password,
            problems=problems,
        )

    async def _read_web(
        self, problems: list[Problem]
    ) -> tuple[list[parse.WebIdentity], list[str] | None, bool | None]:
        """Read the web UI parts of a snapshot; each failure is recorded, none is raised."""

        refused: list[MinerAuthError] = []

        async def attempt(source: str, read: Awaitable[_T]) -> _T | None:
            try:
                return await read
            except MinerError as error:
                if isinstance(error, MinerAuthError):
                    refused.append(error)
                problems.append(Problem(source=f"web {source}", message=str(error)))
                return None
            except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
                problems.append(
                    Problem(
                        source=f"web {source}",
                        message=f"{PARSER_FAILED} ({error.__class__.__name__}: {error})",
                    )
                )
                return None

        async def system() -> parse.WebIdentity:
            return parse.parse_system_info(await self.web.system_info())

        async def network() -> parse.WebIdentity:
            return parse.parse_network_info(await self.web.network_info())

        system_info, network_info, kernel_log = await asyncio.gather(
            attempt("get_system_info.cgi", system()),
            attempt("get_network_info.cgi", network()),
            attempt("get_kernel_log.cgi", self._kernel_log_read(problems)),
        )
        webs = [part for part in (system_info, network_info) if part is not None]
        default_password: bool | None
        if self.web.uses_default_password:
            # Our own login is root/root: whether it worked is the answer.
            logged_in = bool(webs) or kernel_log is not None
            default_password = True if logged_in else (False if refused else None)
            if default_password is None:
                problems.append(
                    Problem(
                        source="web default password check",
                        message="no web page could be read, so whether root/root still logs in "
                        "is unknown",
                    )
                )
        else:
            default_password = await attempt(
                "default password check", self.default_password_active()
            )
        return webs, kernel_log, default_password

    async def kernel_log(self) -> list[str]:
        """The kernel log page as lines (of an oversized log, its last MiB); see
        :class:`MinerClient`."""
        return parse.parse_kernel_log((await self.web.kernel_log()).text)

    async def _kernel_log_read(self, problems: list[Problem]) -> list[str]:
        """The kernel log lines for a snapshot; an oversized log is recorded as a problem."""
        page = await self.web.kernel_log()
        if page.dropped:
            problems.append(
                Problem(
                    source="web get_kernel_log.cgi",
                    message=(
                        f"the kernel log is {page.dropped + len(page.body):,} bytes; only its "
                        f"last {len(page.body):,} bytes were read (the first "
                        f"{page.dropped:,} were not)"
                    ),
                )
            )
        return parse.parse_kernel_log(page.text)

    async def apply_pools(self, pools: Sequence[PoolSetting]) -> None:
        """Write up to three pools through set_miner_conf.cgi, keeping the other settings.

        Reads bmminer.conf first (beeper, temperature control, fan and frequency settings) and sends
        them back unchanged with the new pools.

        Raises:
            UsageError: more than three pools, or a value the stock form parser cannot store.
            MinerUnreachable: the web UI does not answer.
            MinerAuthError: the web UI refuses the login.
            MinerCommandError: the miner did not confirm the change.
            MinerProtocolError: bmminer.conf could not be read.
        """
        conf = parse.parse_miner_conf(await self.web.miner_conf())
        await self.web.set_miner_conf(miner_conf_form(conf, pools))

    async def change_password(self, current: str, new: str) -> None:
        """Change the web password; later web reads log in with ``new``.

        Raises:
            UsageError: the new password is empty.
            MinerAuthError: ``current`` does not log in.
            MinerCommandError: passwd.cgi refused the change.
        """
        await self.web.change_password(SecretStr(current), SecretStr(new))

    async def default_password_active(self) -> bool:
        """True when root/root still logs in to the web UI.

        Raises:
            MinerUnreachable: the web UI does not answer.
        """
        return await self.web.login_works(
            fields.DEFAULT_WEB_USER, SecretStr(fields.DEFAULT_WEB_PASSWORD)
        )

    async def aclose(self) -> None:
        """Close the web client's connections (RPC uses one connection per request)."""
        await self.web.aclose()
