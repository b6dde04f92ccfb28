"""Async client for the stock web UI (lighttpd CGIs behind HTTP Digest auth), over httpx.

It reads system and network info, bmminer.conf and the kernel log, writes pools through
set_miner_conf.cgi (14 positional form fields, encoded the way the firmware's shell parser decodes
them) and changes the password through passwd.cgi. Passwords never reach a log line: passwd.cgi
takes them in the query string, so a filter on httpx's logger masks them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, Final

import httpx
from pydantic import SecretStr

from commission.errors import (
    MinerAuthError,
    MinerCommandError,
    MinerProtocolError,
    MinerUnreachable,
    UsageError,
)
from commission.miner import fields, transport
from commission.miner.parse import MinerConf, PoolSetting

APPLY_TIMEOUT: Final = 30.0
"""set_miner_conf.cgi restarts bmminer and sleeps about 6 s before it answers ``ok``."""
_ENCODED: Final = {chr(int(escape[1:], 16)): escape for escape in fields.SET_MINER_CONF_DECODED}
_UNCARRIABLE: Final = frozenset('"\\')
_SECRET_QUERY: Final = re.compile(r"((?:current_pw|new_pw|new_pw_ctrl)=)[^&\s\"]*")


class _MaskPasswords(logging.Filter):
    """Mask passwd.cgi query values in httpx's request log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(
                _SECRET_QUERY.sub(r"\1***", str(arg)) if "_pw=" in str(arg) else arg for arg in args
            )
        if isinstance(record.msg, str) and "_pw=" in record.msg:
            record.msg = _SECRET_QUERY.sub(r"\1***", record.msg)
        return True


_MASK = _MaskPasswords()
for _name in ("httpx", "httpcore"):
    if _MASK not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_MASK)


def encode_form_value(value: str, what: str) -> str:
    """Encode one form value the way set_miner_conf.cgi decodes it.

    The stock parser turns ``+`` into a space and decodes only a fixed set of ``%XX`` escapes, so
    exactly those characters are escaped and everything else is sent as is.

    Raises:
        UsageError: the value holds a character the stock parser cannot carry (``"``, ``\\``,
            control characters, non-ASCII); ``what`` names the field, the value is not shown.
    """
    out = []
    for char in value:
        if char in _UNCARRIABLE or not (" " <= char <= "~"):
            shown = repr(char) if char in _UNCARRIABLE else f"U+{ord(char):04X}"
            raise UsageError(
                f"{what} contains {shown}, which the stock firmware's form parser cannot store"
            )
        if char == " ":
            out.append("+")
        else:
            out.append(_ENCODED.get(char, char))
    return "".join(out)


def miner_conf_form(conf: MinerConf, pools: Sequence[PoolSetting]) -> str:
    """The set_miner_conf.cgi body: three pools, then the settings kept from ``conf``, in order.

    Raises:
        UsageError: more than three pools, or a value the firmware cannot store.
    """
    if len(pools) > fields.CONF_POOL_SLOTS:
        raise UsageError(
            f"the stock firmware holds {fields.CONF_POOL_SLOTS} pools; {len(pools)} were given"
        )
    values: list[str] = []
    for number in range(1, fields.CONF_POOL_SLOTS + 1):
        pool = pools[number - 1] if number <= len(pools) else PoolSetting(url="", user="")
        values.append(encode_form_value(pool.url, f"pool {number} URL"))
        values.append(encode_form_value(pool.user, f"pool {number} worker"))
        values.append(
            encode_form_value(pool.password.get_secret_value(), f"pool {number} password")
        )
    values += [
        "true" if conf.nobeeper else "false",
        "true" if conf.notempoverctrl else "false",
        "true" if conf.fan_ctrl else "false",
        encode_form_value(conf.fan_pwm if conf.fan_ctrl else "", "fan speed"),
        encode_form_value(conf.frequency, "frequency"),
    ]
    return "&".join(
        f"{name}={value}" for name, value in zip(fields.SET_MINER_CONF_FIELDS, values, strict=True)
    )


class WebClient:
    """Talks to one miner's web UI.

    Args:
        host: address of the miner.
        port: HTTP port (80 on stock firmware).
        timeout: seconds for connect and read of each request.
        user: web user (``root`` on stock firmware).
        password: web password; None means the factory default (``root``).
        http_transport: an httpx transport to use instead of the network (tests).
    """

    def __init__(
        self,
        host: str,
        port: int = fields.WEB_PORT,
        timeout: float = 5.0,
        user: str = fields.DEFAULT_WEB_USER,
        password: SecretStr | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.user = user
        self._password = password or SecretStr(fields.DEFAULT_WEB_PASSWORD)
        netloc = f"[{host}]" if ":" in host else host
        self._client = httpx.AsyncClient(
            base_url=f"http://{netloc}:{port}",
            timeout=httpx.Timeout(timeout),
            transport=http_transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"WebClient({self.host!r}, port={self.port}, user={self.user!r})"

    @property
    def uses_default_password(self) -> bool:
        """True when this client logs in with the factory default root/root."""
        return (
            self.user == fields.DEFAULT_WEB_USER
            and self._password.get_secret_value() == fields.DEFAULT_WEB_PASSWORD
        )

    async def _request(
        self,
        method: str,
        cgi: str,
        *,
        login: tuple[str, SecretStr] | None = None,
        params: dict[str, str] | None = None,
        content: str | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        path = fields.CGI_PATHS[cgi]
        where = f"web {path.rsplit('/', 1)[-1]} on {self.host}:{self.port}"
        user, password = login or (self.user, self._password)
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if content else None
        try:
            response = await self._client.request(
                method,
                path,
                params=params,
                content=content,
                headers=headers,
                auth=httpx.DigestAuth(user, password.get_secret_value()),
                timeout=httpx.Timeout(timeout or self.timeout),
            )
        except httpx.TimeoutException as error:
            raise MinerUnreachable(
                f"{where}: no answer within {timeout or self.timeout:g} s"
            ) from error
        except httpx.TransportError as error:
            raise MinerUnreachable(
                f"{where}: cannot connect ({error.__class__.__name__}: {error})"
            ) from error
        if response.status_code == httpx.codes.UNAUTHORIZED:
            raise MinerAuthError(f"{where}: the web UI refused the login of user {user!r}")
        if response.status_code != httpx.codes.OK:
            raise MinerCommandError(
                f"{where}: HTTP {response.status_code} {response.reason_phrase}"
            )
        return response

    async def _json(self, cgi: str) -> dict[str, Any]:
        response = await self._request("GET", cgi)
        try:
            return transport.decode(response.content)
        except MinerProtocolError as error:
            raise MinerProtocolError(f"web {fields.CGI_PATHS[cgi]}: {error}") from error

    async def system_info(self) -> dict[str, Any]:
        """``get_system_info.cgi`` as a JSON object."""
        return await self._json("system_info")

    async def network_info(self) -> dict[str, Any]:
        """``get_network_info.cgi`` as a JSON object."""
        return await self._json("network_info")

    async def miner_conf(self) -> dict[str, Any]:
        """``get_miner_conf.cgi`` (bmminer.conf) as a JSON object."""
        return await self._json("miner_conf")

    async def kernel_log(self) -> str:
        """``get_kernel_log.cgi`` as text."""
        response = await self._request("GET", "kernel_log")
        return response.content.decode("utf-8", errors="replace")

    async def set_miner_conf(self, body: str) -> None:
        """POST a set_miner_conf.cgi body (see :func:`miner_conf_form`); the miner answers ``ok``.

        Raises:
            MinerCommandError: the miner answered something other than ``ok``.
        """
        response = await self._request(
            "POST",
            "set_miner_conf",
            content=body,
            timeout=max(self.timeout, APPLY_TIMEOUT),
        )
        answer = response.text.strip()
        if answer != "ok":
            raise MinerCommandError(
                f"web set_miner_conf.cgi answered {transport.excerpt(answer)!r} instead of 'ok'"
            )

    async def change_password(self, current: SecretStr, new: SecretStr) -> None:
        """Change the web password with passwd.cgi, logging in with ``current``.

        Raises:
            UsageError: the new password is empty.
            MinerAuthError: ``current`` does not log in.
            MinerCommandError: passwd.cgi refused the change (its message is quoted).
        """
        if not new.get_secret_value():
            raise UsageError("the new web password is empty")
        params = dict(
            zip(
                fields.PASSWD_QUERY_KEYS,
                (current.get_secret_value(), new.get_secret_value(), new.get_secret_value()),
                strict=True,
            )
        )
        response = await self._request("GET", "passwd", params=params, login=(self.user, current))
        page = response.text
        refusal = next((phrase for phrase in fields.PASSWD_REFUSALS if phrase in page), None)
        if refusal:
            raise MinerCommandError(f"web passwd.cgi refused the change: {refusal}")
        if fields.PASSWD_UPDATED not in page:
            raise MinerCommandError(
                f"web passwd.cgi did not confirm the change: {transport.excerpt(page)!r}"
            )
        self._password = new

    async def login_works(self, user: str, password: SecretStr) -> bool:
        """True when ``user``/``password`` logs in (a 401 means no).

        Raises:
            MinerUnreachable: the web UI did not answer.
            MinerCommandError: it answered with an HTTP error other than 401.
        """
        try:
            await self._request("GET", "system_info", login=(user, password))
        except MinerAuthError:
            return False
        return True

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._client.aclose()
