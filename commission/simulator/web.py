"""The stock web UI of a simulated S9 Hydro: a small HTTP/1.1 server with Digest auth and CGIs.

The real miner runs lighttpd with Digest auth (realm ``antMiner Configuration``) over everything
and shell CGIs behind it. This is a hand-written imitation on asyncio streams: bounded request
heads and bodies, read timeouts, keep-alive, 401 with the stock body, and the CGIs a commissioning
client uses (system and network info, the miner configuration and its save with the stock
positional form decoding, password change, kernel log, reboot, a status page).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import logging
import os
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Final
from urllib.parse import parse_qsl, urlsplit

from commission.miner import fields as F
from commission.simulator.rpc import PausableListener

if TYPE_CHECKING:
    from commission.simulator.miner import SimulatedMiner

log = logging.getLogger(__name__)

MAX_HEAD_BYTES: Final = 8192
MAX_BODY_BYTES: Final = 65536
READ_TIMEOUT_SECONDS: Final = 10.0
MAX_REQUESTS_PER_CONNECTION: Final = 100
NONCE_LIFETIME_SECONDS: Final = 600.0
SERVER_NAME: Final = "lighttpd/1.4.32"

UNAUTHORIZED_BODY: Final = (
    '<?xml version="1.0" encoding="iso-8859-1"?>\n'
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
    '         "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n'
    " <head>\n"
    "  <title>401 - Unauthorized</title>\n"
    " </head>\n"
    " <body>\n"
    "  <h1>401 - Unauthorized</h1>\n"
    " </body>\n"
    "</html>"
)
"""lighttpd's 401 page, byte for byte as captured (tests/fixtures/samples/antminer-http-401-body.html)."""

_REASONS: Final = {
    200: "OK",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    411: "Length Required",
    413: "Request Entity Too Large",
    431: "Request Header Fields Too Large",
    505: "HTTP Version Not Supported",
}
_AUTH_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


class HttpError(Exception):
    """A request that gets an error status and closes the connection."""

    def __init__(self, status: int) -> None:
        super().__init__(_REASONS.get(status, "Error"))
        self.status = status


class Reply:
    """One HTTP response."""

    def __init__(
        self,
        status: int,
        body: bytes | str = b"",
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.content_type = content_type
        self.headers = headers or {}


def stock_form_decode(value: str) -> str:
    """Decode one form value the way set_miner_conf.cgi does, step by step like its shell code.

    ``+`` becomes a space, then ``${value//%25/%}`` replaces every ``%25``, then each of the other
    escapes of :data:`~commission.miner.fields.SET_MINER_CONF_DECODED` is replaced in turn (exact
    case, as shell substitutions do). A ``%`` made by the first step is therefore decoded again by
    a later one: ``farm%252Frig1`` is stored as ``farm/rig1``.
    """
    value = value.replace("+", " ")
    value = value.replace("%25", "%")
    for escape in F.SET_MINER_CONF_DECODED:
        if escape != "%25":
            value = value.replace(escape, chr(int(escape[1:], 16)))
    return value


def digest_ha1(user: str, password: str) -> str:
    """The htdigest hash ``MD5(user:realm:password)``."""
    return hashlib.md5(f"{user}:{F.DIGEST_REALM}:{password}".encode()).hexdigest()


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class DigestAuth:
    """Stateless Digest nonces (time + HMAC, like lighttpd's) and response checks."""

    def __init__(self) -> None:
        self._secret = os.urandom(16)

    def nonce(self) -> str:
        """A fresh nonce: its issue time (16 hex digits) and an HMAC of it."""
        stamp = f"{int(time.monotonic() * 1000):016x}"
        return stamp + hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:24]

    def _nonce_fresh(self, nonce: str) -> bool:
        stamp, mac = nonce[:16], nonce[16:]
        expected = hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:24]
        if len(nonce) != 40 or not hmac.compare_digest(mac.encode(), expected.encode()):
            return False
        issued = int(stamp, 16) / 1000.0
        return time.monotonic() - issued < NONCE_LIFETIME_SECONDS

    def challenge(self, stale: bool = False) -> str:
        """The ``WWW-Authenticate`` value of a 401."""
        value = (
            f'Digest realm="{F.DIGEST_REALM}", charset="UTF-8", algorithm=MD5, '
            f'nonce="{self.nonce()}", qop="auth"'
        )
        return value + (", stale=true" if stale else "")

    def check(self, header: str | None, method: str, user: str, password: str) -> tuple[bool, bool]:
        """(authorised, stale) for an ``Authorization`` header."""
        if not header or header[:7].lower() != "digest ":
            return False, False
        params = {
            match.group(1).lower(): match.group(2) if match.group(2) is not None else match.group(3)
            for match in _AUTH_PARAM.finditer(header[7:])
        }
        needed = ("username", "realm", "nonce", "uri", "response")
        if any(key not in params for key in needed):
            return False, False
        if params["username"] != user or params["realm"] != F.DIGEST_REALM:
            return False, False
        if params.get("algorithm", "MD5").upper() != "MD5":
            return False, False
        ha1 = digest_ha1(user, password)
        ha2 = _md5(f"{method}:{params['uri']}")
        qop = params.get("qop")
        if qop:
            if qop != "auth" or "nc" not in params or "cnonce" not in params:
                return False, False
            expected = _md5(f"{ha1}:{params['nonce']}:{params['nc']}:{params['cnonce']}:auth:{ha2}")
        else:
            expected = _md5(f"{ha1}:{params['nonce']}:{ha2}")
        if not hmac.compare_digest(expected.encode(), params["response"].lower().encode()):
            return False, False
        if not self._nonce_fresh(params["nonce"]):
            return False, True
        return True, False


class WebService:
    """The web UI of one simulated miner."""

    def __init__(self, miner: SimulatedMiner, host: str, port: int) -> None:
        self.miner = miner
        self.auth = DigestAuth()
        self._listener = PausableListener(host, port, self._protocol)
        self._connections: set[asyncio.Task[None]] = set()
        self.requests = 0
        self._routes: dict[str, Callable[[str, dict[str, str], bytes], Reply]] = {
            F.CGI_PATHS["system_info"]: self._system_info,
            F.CGI_PATHS["network_info"]: self._network_info,
            F.CGI_PATHS["miner_conf"]: self._miner_conf,
            F.CGI_PATHS["set_miner_conf"]: self._set_miner_conf,
            F.CGI_PATHS["passwd"]: self._passwd,
            F.CGI_PATHS["kernel_log"]: self._kernel_log,
            F.CGI_PATHS["reboot"]: self._reboot,
            F.CGI_PATHS["miner_status"]: self._miner_status,
            "/": self._index,
            "/index.html": self._index,
        }

    @property
    def port(self) -> int:
        """The bound port."""
        return self._listener.port

    def _protocol(self) -> asyncio.StreamReaderProtocol:
        reader = asyncio.StreamReader(limit=MAX_HEAD_BYTES)
        return asyncio.StreamReaderProtocol(reader, self._accept)

    async def open(self) -> None:
        """Bind and listen."""
        await self._listener.open()

    async def pause(self) -> None:
        """Refuse connections (the miner is rebooting)."""
        await self._listener.pause()

    async def resume(self) -> None:
        """Accept connections again."""
        await self._listener.resume()

    async def close(self) -> None:
        """Stop listening and drop open connections."""
        await self._listener.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(self._serve(reader, writer))
        self._connections.add(task)
        task.add_done_callback(self._connections.discard)

    # ------------------------------------------------------------------------- HTTP framing

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for _ in range(MAX_REQUESTS_PER_CONNECTION):
                keep_alive = await self._one_request(reader, writer)
                if not keep_alive:
                    break
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            log.debug("web: client went away: %s", error)
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except ConnectionError as error:
                log.debug("web: close after reset: %s", error)

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        try:
            head = await asyncio.wait_for(
                reader.readuntil(b"\r\n\r\n"), timeout=READ_TIMEOUT_SECONDS
            )
        except TimeoutError:
            return False
        except asyncio.LimitOverrunError:
            await self._send(writer, Reply(431, "header too large\n", "text/plain"), False)
            return False
        except asyncio.IncompleteReadError as error:
            if error.partial.strip():
                log.debug("web: half-sent request head (%d bytes)", len(error.partial))
            return False
        try:
            method, target, version, headers = self._parse_head(head)
            body = await self._read_body(reader, headers)
        except HttpError as error:
            await self._send(writer, Reply(error.status, f"{error}\n", "text/plain"), False)
            return False
        keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
        reply = self._dispatch(method, target, headers, body)
        await self._send(writer, reply, keep_alive, head_only=method == "HEAD")
        return keep_alive

    @staticmethod
    def _parse_head(head: bytes) -> tuple[str, str, str, dict[str, str]]:
        try:
            text = head.decode("iso-8859-1")
        except UnicodeDecodeError:
            raise HttpError(400) from None
        lines = text.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or not parts[1].startswith("/"):
            raise HttpError(400)
        method, target, version = parts
        if version not in ("HTTP/1.0", "HTTP/1.1"):
            raise HttpError(505 if version.startswith("HTTP/") else 400)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            name, colon, value = line.partition(":")
            if not colon or not name.strip() or name != name.strip():
                raise HttpError(400)
            headers[name.strip().lower()] = value.strip()
        return method, target, version, headers

    @staticmethod
    async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
        if "transfer-encoding" in headers:
            raise HttpError(411)
        length_text = headers.get("content-length", "0")
        if not length_text.isdigit():
            raise HttpError(400)
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            raise HttpError(413)
        if length == 0:
            return b""
        try:
            return await asyncio.wait_for(reader.readexactly(length), timeout=READ_TIMEOUT_SECONDS)
        except TimeoutError:
            raise HttpError(408) from None

    async def _send(
        self, writer: asyncio.StreamWriter, reply: Reply, keep_alive: bool, head_only: bool = False
    ) -> None:
        lines = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Error')}"]
        if reply.content_type:
            lines.append(f"Content-Type: {reply.content_type}")
        for name, value in reply.headers.items():
            lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(reply.body)}")
        lines.append(f"Connection: {'keep-alive' if keep_alive else 'close'}")
        lines.append(f"Server: {SERVER_NAME}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("iso-8859-1"))
        if not head_only:
            writer.write(reply.body)
        await writer.drain()

    # ------------------------------------------------------------------------- routing

    def _dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        self.requests += 1
        if method not in ("GET", "POST", "HEAD"):
            return Reply(405, "method not allowed\n", "text/plain", {"Allow": "GET, POST, HEAD"})
        authorised, stale = self.auth.check(
            headers.get("authorization"),
            method,
            self.miner.web_user,
            self.miner.web_password,
        )
        if not authorised:
            return Reply(
                401,
                UNAUTHORIZED_BODY,
                "text/html",
                {"WWW-Authenticate": self.auth.challenge(stale)},
            )
        parts = urlsplit(target)
        handler = self._routes.get(parts.path)
        if handler is None:
            return Reply(404, "404 - Not Found\n", "text/html")
        self.miner.model.advance_to(self.miner.clock.now())
        return handler(method, dict(parse_qsl(parts.query, keep_blank_values=True)), body)

    # ------------------------------------------------------------------------- CGIs

    @staticmethod
    def _json_lines(pairs: list[tuple[str, str]]) -> str:
        """The CGIs' hand-printed JSON: one ``"key":"value"`` per line, no spaces."""
        body = ",\n".join(f'"{key}":"{value}"' for key, value in pairs)
        return "{\n" + body + "\n}"

    def _system_info(self, method: str, query: dict[str, str], body: bytes) -> Reply:
        miner = self.miner
        model = miner.model
        now = miner.clock.now()
        uptime = model.uptime(now)
        values = {
            "minertype": F.MINER_TYPE_HYDRO,
            "nettype": "DHCP",
            "netdevice": "eth0",
            "macaddr": miner.mac,
            "hostname": "antMiner",
            "ipaddress": miner.host,
            "netmask": "255.255.255.0",
            "gateway": "",
            "dnsservers": "",
            "curtime": time.strftime("%H:%M:%S", time.gmtime(now)),
            "uptime": str(uptime),
            "loadaverage": "0.41, 0.37, 0.35",
            "mem_total": "1030596",
            "mem_used": "138612",
            "mem_free": "891984",
            "mem_buffers": "0",
            "mem_cached": "0",
            "system_mode": "GNU/Linux",
            "ant_hwv": model.miner_version,
            "system_kernel_version": "Linux 3.14.0-xilinx-ge8a2f71-dirty #82 SMP PREEMPT",
            "system_filesystem_version": model.compile_time,
            "bmminer_version": "" if not miner.api_listening else "2.0.0",
        }
        return Reply(200, self._json_lines([(key, values[key]) for key in F.SYSTEM_INFO_KEYS]))

    def _network_info(self, method: str, query: dict[str, str], body: bytes) -> Reply:
        miner = self.miner
        values = {
            "nettype": "DHCP",
            "netdevice": "eth0",
            "macaddr": miner.mac,
            "ipaddress": miner.host,
            "netmask": "255.255.255.0",
            "conf_nettype": "DHCP",
            "conf_hostname": "antMiner",
            "conf_ipaddress": "",
            "conf_netmask": "",
            "conf_gateway": "",
            "conf_dnsservers": "",
        }
        return Reply(200, self._json_lines([(key, values[key]) for key in F.NETWORK_INFO_KEYS]))

    def miner_conf_text(self) -> str:
        """bmminer.conf as get_miner_conf.cgi prints it (the stock pretty-printing)."""
        model = self.miner.model
        pools = ",\n".join(
            "{\n"
            f'"{F.CONF_POOL_URL}" : "{pool.url}",\n'
            f'"{F.CONF_POOL_USER}" : "{pool.user}",\n'
            f'"{F.CONF_POOL_PASS}" : "{pool.password}"\n'
            "}"
            for pool in model.pools
        )
        settings = [
            '"api-listen" : true',
            '"api-network" : true',
            '"api-groups" : "A:stats:pools:devs:summary:version"',
            '"api-allow" : "A:0/0,W:*"',
        ]
        extra = model.conf_extra
        if extra.get("nobeeper"):
            settings.append(f'"{F.CONF_NOBEEPER}" : true')
        if extra.get("notempoverctrl"):
            settings.append(f'"{F.CONF_NOTEMPOVERCTRL}" : true')
        if extra.get("fan_ctrl"):
            settings.append(f'"{F.CONF_FAN_CTRL}" : true')
            settings.append(f'"{F.CONF_FAN_PWM}" : "{extra.get("fan_pwm", "")}"')
        settings += [
            '"bitmain-use-vil" : true',
            f'"{F.CONF_FREQ}" : "{model.frequency_setting}"',
            '"multi-version" : "1"',
        ]
        return f'{{\n"{F.CONF_POOLS}" : [\n' + pools + "\n]\n,\n" + ",\n".join(settings) + "\n}"

    def _miner_conf(self, method: str, query: dict[str, str], body: bytes) -> Reply:
        return Reply(200, self.miner_conf_text())

    def _set_miner_conf(self, method: str, query: dict[str, str], body: bytes) -> Reply:
        if method != "POST":
            return Reply(405, "method not allowed\n", "text/plain", {"Allow": "POST"})
        text = body.decode("utf-8", errors="replace")
        values = []
        for item in text.split("&"):
            _, _, raw = item.partition("=")
            values.append(stock_form_decode(raw))
        values += [""] * (len(F.SET_MINER_CONF_FIELDS) - len(values))
        model = self.miner.model
        for index, pool in enumerate(model.pools):
            pool.url, pool.user, pool.password = values[3 * index : 3 * index + 3]
        model.conf_extra = {
            "nobeeper": values[9] == "true",
            "notempoverctrl": values[10] == "true",
            "fan_ctrl": values[11] == "true",
            "fan_pwm": values[12],
        }
        if values[13].strip().isdigit():
            model.frequency_setting = int(values[13].strip())
        self.miner.restart_bmminer()
        return Reply(200, "ok")

    def _passwd(self, method: str, query: dict[str, str], body: bytes) -> Reply:
        current, new, again = (query.get(key, "") for key in F.PASSWD_QUERY_KEYS)
        invalid, unset, mismatch = F.PASSWD_REFUSALS
        if not current or current != self.miner.web_password:
            message = invalid
        elif not new or not again:
            message = unset
        elif new != again:
            message = mismatch
        else:
            message = F.PASSWD_UPDATED
        page = (
            "<html><head><title>AntMiner</title></head><body>\n"
            f"<h2>{html.escape(message)}</h2>\n</body></html>\n"
        )
        if message == F.PASSWD_UPDATED:
            self.miner.web_password = new
        return Reply(200, page, "text/html")

    def _kernel_log(self, method: str, query: dict[str, str], body: bytes) -> Reply:
        return Reply(200, "\n".join(self.miner.model.kernel_log()) + "\n", "text/plain")

    def _reboot(self, method: str, query: dict[str, str], body: bytes) -> Reply:
        self.miner.reboot()
        return Reply(200, "")

    def _index(self, method: str, query: dict[str, str], body: bytes) -> Reply:
        return Reply(302, "", headers={"Location": F.CGI_PATHS["miner_status"]})

    def _miner_status(self, method: str, query: dict[str, str], body: bytes) -> Reply:
        return Reply(200, status_page(self.miner), "text/html")


def status_page(miner: SimulatedMiner) -> str:
    """The "Miner Status" page: summary, pools, chains and fans, like minerStatus.cgi."""
    model = miner.model
    now = miner.clock.now()
    rows = []
    for chain in model.chains.values():
        if not chain.present:
            continue
        pcb = "-".join(map(str, chain.pcb_readings()))
        chip = "-".join(map(str, chain.chip_readings(model.flow_factor)))
        rows.append(
            "<tr>"
            f"<td>{chain.chain}</td><td>{chain.asics}</td><td>{chain.frequency_mhz:.2f}</td>"
            f"<td>{chain.ideal_ghs:,.2f}</td><td>{model.chain_rate(chain, now):,.2f}</td>"
            f"<td>{int(chain.hw_errors)}</td><td>{pcb}</td><td>{chip}</td>"
            f"<td>{html.escape(chain.asic_status())}</td>"
            "</tr>"
        )
    pools = "".join(
        f"<tr><td>{index}</td><td>{html.escape(pool.url)}</td><td>{html.escape(pool.user)}</td>"
        f"<td>{'Alive' if pool.alive else 'Dead'}</td><td>{index}</td></tr>"
        for index, pool in enumerate(model.pools)
    )
    fans = "".join(f"<td>{rpm:,}</td>" for rpm in model.fan_speeds(now))
    elapsed = model.elapsed(now)
    return (
        "<html><head><title>Miner Status</title></head><body>\n"
        f'<h2>Miner Status</h2>\n<p id="ant_elapsed">{elapsed // 3600}h{elapsed // 60 % 60}m'
        f"{elapsed % 60}s</p>\n"
        '<table id="pools"><tr><th>Pool</th><th>URL</th><th>User</th><th>Status</th>'
        f"<th>Priority</th></tr>{pools}</table>\n"
        '<table id="chains"><tr><th>Chain#</th><th>ASIC#</th><th>Frequency(avg)</th>'
        "<th>GH/S(ideal)</th><th>GH/S(RT)</th><th>HW</th><th>Temp(PCB)</th><th>Temp(Chip)</th>"
        f"<th>ASIC status</th></tr>{''.join(rows)}</table>\n"
        f'<table id="fans"><tr><th>Fan#</th>{"".join(f"<th>Fan{i}</th>" for i in range(1, 9))}'
        f"</tr><tr><td>Speed (r/min)</td>{fans}</tr></table>\n</body></html>\n"
    )
