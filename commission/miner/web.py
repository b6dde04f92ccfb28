"""Async client for the stock web UI (lighttpd CGIs behind HTTP Digest auth), over httpx.

It reads system and network info, bmminer.conf and the kernel log, writes pools through
set_miner_conf.cgi (14 positional form fields, encoded the way the firmware's shell parser decodes
them) and changes the password through passwd.cgi. Passwords never reach a log line: passwd.cgi
takes them in the query string, so a filter on httpx's logger masks them.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import ssl
from collections.abc import AsyncIterator, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Final

import httpx
from pydantic import SecretStr

from commission.errors import (
    MinerAuthError,
    MinerChallengeError,
    MinerCommandError,
    MinerProtocolError,
    MinerUnreachable,
    UsageError,
)
from commission.miner import fields, transport
from commission.miner.parse import MinerConf, PoolSetting

APPLY_TIMEOUT: Final = 30.0
"""set_miner_conf.cgi restarts bmminer and sleeps about 6 s before it answers ``ok``."""
MAX_PAGE_BYTES: Final = 256 * 1024
"""A CGI's JSON or HTML answer is a few KB; anything over 256 KiB is not the stock web UI."""
MAX_KERNEL_LOG_BYTES: Final = 1 << 20
"""The kernel log is read up to its last MiB (a healthy one is well under 200 KB)."""
KERNEL_LOG_DEADLINES: Final = 4
"""The kernel log gets four deadlines: an oversized one must be read to its end (its tail is what
counts), e.g. 50 MB in the 20 s that a 5 s timeout gives, at about 20 Mbit/s."""
CHALLENGE_QUOTE_CHARS: Final = 200
DIGEST_ALGORITHMS: Final = frozenset({"MD5", "MD5-SESS", "SHA-256", "SHA-256-SESS"})
"""The Digest algorithms a login is computed for (lighttpd on the stock firmware uses MD5)."""
_HTTP_TOKEN: Final = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_AUTH_PARAM: Final = re.compile(
    rf"[ \t]*(?P<name>{_HTTP_TOKEN})[ \t]*=[ \t]*"
    rf'(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<token>{_HTTP_TOKEN}))[ \t]*(?:,|$)'
)
_ENCODED: Final = {chr(int(escape[1:], 16)): escape for escape in fields.SET_MINER_CONF_DECODED}
_UNCARRIABLE: Final = frozenset('"\\')
_DECODED_AFTER_PERCENT: Final = {
    escape: chr(int(escape[1:], 16)) for escape in fields.SET_MINER_CONF_DECODED if escape != "%25"
}
"""The escapes the stock CGI replaces after ``%25`` (case-sensitive, as its shell substitutions)."""
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


@dataclass(frozen=True)
class Page:
    """The body of one CGI answer, and how many bytes were left out of its front."""

    body: bytes
    dropped: int = 0

    @property
    def text(self) -> str:
        """The body as text (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")


async def _read_body(response: httpx.Response, where: str, limit: int, keep_tail: bool) -> Page:
    """Read a streamed body without ever holding much more than ``limit`` bytes.

    With ``keep_tail`` an oversized body keeps its last ``limit`` bytes; without, it is refused.
    """
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in {"", "identity"}:
        raise MinerProtocolError(f"{where}: the answer is compressed ({encoding!r})")
    kept = bytearray()
    total = 0
    async for chunk in _raw_chunks(response):
        total += len(chunk)
        kept += chunk
        if keep_tail:
            if len(kept) > 2 * limit:
                del kept[: len(kept) - limit]
        elif total > limit:
            raise MinerProtocolError(
                f"{where}: the answer exceeds {limit} bytes; it starts with "
                f"{transport.excerpt(bytes(kept[: transport.EXCERPT_CHARS]))!r}"
            )
    if len(kept) > limit:
        del kept[: len(kept) - limit]
    return Page(bytes(kept), total - len(kept))


async def _raw_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body as it arrives; a body already in memory (an in-memory test transport) at once."""
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    except httpx.StreamConsumed:
        yield response.content


def quote_challenge(value: str) -> str:
    """A WWW-Authenticate value as shown in an error: printable, escaped, at most 200 chars."""
    shown = value.encode("unicode_escape").decode("ascii")
    if len(shown) > CHALLENGE_QUOTE_CHARS:
        shown = shown[:CHALLENGE_QUOTE_CHARS] + "…"
    return f"'{shown}'"


def digest_challenge(values: Sequence[str], where: str) -> dict[str, str]:
    """Check the ``WWW-Authenticate`` values of a 401 and return the Digest parameters.

    Only a challenge this client can answer correctly passes: the Digest scheme, well-formed
    ``name=value`` parameters in ASCII, a realm and a nonce, a supported algorithm and (when a
    ``qop`` is offered) ``auth`` among them.

    Raises:
        MinerChallengeError: naming what is wrong and quoting the challenge.
    """
    if not values:
        raise MinerChallengeError(
            f"{where}: answered Unauthorized without a WWW-Authenticate challenge, so no login "
            "can be tried (the password was not refused: this is not the stock web server)"
        )
    digest = next((value for value in values if value[:7].lower() == "digest "), None)
    if digest is None:
        shown = ", ".join(quote_challenge(value) for value in values)
        raise MinerChallengeError(f"{where}: asks for a login other than Digest: {shown}")
    quoted = quote_challenge(digest)
    if not digest.isascii() or not digest.isprintable():
        raise MinerChallengeError(
            f"{where}: the Digest challenge holds non-ASCII or control characters: {quoted}"
        )
    text = digest[7:].strip()
    params: dict[str, str] = {}
    position = 0
    while position < len(text):
        match = _AUTH_PARAM.match(text, position)
        if match is None or match.end() == position:
            raise MinerChallengeError(
                f"{where}: the Digest challenge is malformed near "
                f"{quote_challenge(text[position:])}: {quoted}"
            )
        name = match.group("name").lower()
        if name in params:
            raise MinerChallengeError(f"{where}: the Digest challenge repeats {name!r}: {quoted}")
        value = match.group("quoted")
        params[name] = re.sub(r"\\(.)", r"\1", value) if value is not None else match.group("token")
        position = match.end()
    for needed in ("realm", "nonce"):
        if not params.get(needed):
            raise MinerChallengeError(f"{where}: the Digest challenge has no {needed}: {quoted}")
    algorithm = params.get("algorithm", "MD5")
    if algorithm.upper() not in DIGEST_ALGORITHMS:
        raise MinerChallengeError(
            f"{where}: the Digest challenge asks for algorithm {algorithm!r}, which is not "
            f"supported ({', '.join(sorted(DIGEST_ALGORITHMS))}): {quoted}"
        )
    if "qop" in params:
        offered = [option.strip().lower() for option in params["qop"].split(",")]
        if "auth" not in offered:
            raise MinerChallengeError(
                f"{where}: the Digest challenge offers only qop {params['qop']!r} ('auth' is the "
                f"one supported): {quoted}"
            )
    return params


class StockDigestAuth(httpx.Auth):
    """httpx's Digest login behind a check of every challenge, so each failure is typed.

    httpx's own :class:`httpx.DigestAuth` computes the answer; it crashes (``KeyError``,
    ``ValueError``, ``NotImplementedError``) on challenges it cannot parse, so each one is checked
    by :func:`digest_challenge` before it is handed over, and anything httpx still raises becomes a
    :class:`~commission.errors.MinerChallengeError`.
    """

    def __init__(self, user: str, password: str, where: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._where = where

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """First request without credentials; on a 401 a checked challenge is answered once."""
        flow = self._digest.auth_flow(request)
        response = yield next(flow)
        if response.status_code != httpx.codes.UNAUTHORIZED:
            return
        values = response.headers.get_list("www-authenticate")
        digest_challenge(values, self._where)
        try:
            retry = flow.send(response)
        except StopIteration:
            raise MinerChallengeError(
                f"{self._where}: no Digest challenge could be answered: "
                f"{', '.join(quote_challenge(value) for value in values)}"
            ) from None
        except (KeyError, ValueError, NotImplementedError, httpx.HTTPError) as error:
            raise MinerChallengeError(
                f"{self._where}: the Digest challenge cannot be answered "
                f"({error.__class__.__name__}: {error}): "
                f"{', '.join(quote_challenge(value) for value in values)}"
            ) from error
        response = yield retry
        if response.status_code == httpx.codes.UNAUTHORIZED:
            # A refusal comes with a fresh, valid challenge; anything else is not a refusal.
            digest_challenge(response.headers.get_list("www-authenticate"), self._where)


def encode_form_value(value: str, what: str) -> str:
    """Encode one form value so that set_miner_conf.cgi stores exactly ``value``.

    The stock CGI turns ``+`` into a space and then replaces a fixed set of ``%XX`` escapes one
    after another, ``%25`` (``%``) first. So exactly those characters are escaped and everything
    else is sent as is; and a typed ``%`` followed by one of the other escapes' hex pairs (``%2F``
    typed as text) cannot be carried at all: once ``%25`` has become ``%``, the later replacement
    decodes it a second time (``farm%2Frig1`` would be stored as ``farm/rig1``).

    Raises:
        UsageError: the value holds a character the stock parser cannot carry (``"``, ``\\``,
            control characters, non-ASCII) or such a ``%`` sequence; ``what`` names the field and
            the character, the value is not shown (it may be a password).
    """
    out = []
    for index, char in enumerate(value):
        if char in _UNCARRIABLE or not (" " <= char <= "~"):
            shown = repr(char) if char in _UNCARRIABLE else f"U+{ord(char):04X}"
            raise UsageError(
                f"{what} contains {shown}, which the stock firmware's form parser cannot store"
            )
        # Refused in either case: the firmware's substitutions are exact-case, but a build that
        # decoded lower case too would store a different value without a word.
        escape = value[index : index + 3].upper()
        if char == "%" and escape in _DECODED_AFTER_PERCENT:
            raise UsageError(
                f"{what} contains '%' followed by {value[index + 1 : index + 3]!r}: the stock firmware decodes "
                f"{escape!r} a second time (to {_DECODED_AFTER_PERCENT[escape]!r}) and would store "
                "a different value; change that part of it"
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


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for every client: httpx otherwise loads the CA bundle per client (about
    a quarter of a second of CPU each), which dominates verifying a fleet. The web UI is plain
    HTTP, so the context is never used to connect; it only has to exist."""
    return ssl.create_default_context()


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
            verify=_tls_context(),
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
        limit: int = MAX_PAGE_BYTES,
        keep_tail: bool = False,
    ) -> Page:
        """One CGI exchange under one deadline (connect, Digest round trip and the whole body).

        Raises:
            MinerUnreachable: no connection, or no complete answer within the deadline.
            MinerChallengeError: the Digest challenge is missing, malformed or unsupported.
            MinerAuthError: the login was refused.
            MinerCommandError: an HTTP error other than 401.
            MinerProtocolError: the answer is not HTTP, is compressed, or (without ``keep_tail``)
                is larger than ``limit``.
        """
        path = fields.CGI_PATHS[cgi]
        where = f"web {path.rsplit('/', 1)[-1]} on {self.host}:{self.port}"
        user, password = login or (self.user, self._password)
        headers = {"Accept-Encoding": "identity"}
        if content:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        deadline = timeout or self.timeout
        auth = StockDigestAuth(user, password.get_secret_value(), where)

        async def exchange() -> Page:
            async with self._client.stream(
                method,
                path,
                params=params,
                content=content,
                headers=headers,
                auth=auth,
                timeout=httpx.Timeout(deadline),
            ) as response:
                if response.status_code == httpx.codes.UNAUTHORIZED:
                    raise MinerAuthError(f"{where}: the web UI refused the login of user {user!r}")
                if response.status_code != httpx.codes.OK:
                    raise MinerCommandError(
                        f"{where}: HTTP {response.status_code} {response.reason_phrase}"
                    )
                return await _read_body(response, where, limit, keep_tail)

        try:
            async with asyncio.timeout(deadline):
                try:
                    return await exchange()
                except httpx.RemoteProtocolError:
                    # A kept-alive connection the server closed while idle (lighttpd and the
                    # simulator drop idle ones) fails before any answer: a GET is safe to send
                    # once more, on a new connection, within the same deadline.
                    if method != "GET":
                        raise
                    auth = StockDigestAuth(user, password.get_secret_value(), where)
                    return await exchange()
        except (TimeoutError, httpx.TimeoutException) as error:
            raise MinerUnreachable(f"{where}: no complete answer within {deadline:g} s") from error
        except httpx.ProtocolError as error:
            raise MinerProtocolError(
                f"{where}: the answer is not valid HTTP ({error.__class__.__name__}: "
                f"{transport.excerpt(str(error))})"
            ) from error
        except httpx.TransportError as error:
            raise MinerUnreachable(
                f"{where}: cannot connect ({error.__class__.__name__}: {error})"
            ) from error
        except httpx.HTTPError as error:
            raise MinerProtocolError(
                f"{where}: the answer could not be read ({error.__class__.__name__}: "
                f"{transport.excerpt(str(error))})"
            ) from error

    async def _json(self, cgi: str) -> dict[str, Any]:
        page = await self._request("GET", cgi)
        try:
            return transport.decode(page.body)
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

    async def kernel_log(self) -> Page:
        """``get_kernel_log.cgi``; beyond :data:`MAX_KERNEL_LOG_BYTES` only its tail is kept (a
        fatal line is at the bottom), starting at a whole line, and ``Page.dropped`` says how much
        was left out."""
        page = await self._request(
            "GET",
            "kernel_log",
            limit=MAX_KERNEL_LOG_BYTES,
            keep_tail=True,
            timeout=self.timeout * KERNEL_LOG_DEADLINES,
        )
        if not page.dropped:
            return page
        cut = page.body.find(b"\n")
        cut = cut + 1 if 0 <= cut < len(page.body) - 1 else 0
        return Page(page.body[cut:], page.dropped + cut)

    async def set_miner_conf(self, body: str) -> None:
        """POST a set_miner_conf.cgi body (see :func:`miner_conf_form`); the miner answers ``ok``.

        Raises:
            MinerCommandError: the miner answered something other than ``ok``.
        """
        page = await self._request(
            "POST",
            "set_miner_conf",
            content=body,
            timeout=max(self.timeout, APPLY_TIMEOUT),
        )
        answer = page.text.strip()
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
        answered = await self._request("GET", "passwd", params=params, login=(self.user, current))
        page = answered.text
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
