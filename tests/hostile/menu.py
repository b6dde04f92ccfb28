"""The menu of hostile replies, the bases they mutate, and the verdict oracle.

A *base* is a full set of answers of one miner: the simulator's healthy S9 Hydro, or the real
captured stock S9 replies of ``tests/fixtures/samples`` (completed with the simulator's summary,
devs and web pages where no capture exists). A *mutation* spoils one firmware field, one whole
reply, the Digest challenge or the kernel log, and names the checks that read what it spoiled: the
oracle. It is written here from the firmware's point of view (which check is about which field),
not taken from the rules, so it can catch a rule that reads a field it does not declare.

For every case: no tainted check may be PASS, nothing may raise past the client, and the verify
must end within its deadline.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from commission.errors import MinerProtocolError
from commission.miner import fields as F
from commission.miner import transport
from commission.miner.layout import CHAIN_PLACES
from commission.simulator.clock import ManualClock
from commission.simulator.miner import SimulatedMiner
from commission.simulator.replies import answer

SAMPLES: Final = Path(__file__).resolve().parents[1] / "fixtures" / "samples"
COMMANDS: Final = ("version", "summary", "stats", "pools", "devs")
CGIS: Final = ("system_info", "network_info", "miner_conf", "kernel_log")
UPTIME_S: Final = 900.0
"""The bases show a miner that has run 15 minutes, so warm-up-gated checks are judged."""

# The checks, by what they are about (rule ids as bound to the checklist).
IDENTITY_MODEL: Final = "identity.model"
IDENTITY_FIRMWARE: Final = "identity.firmware"
CHAINS_PRESENT: Final = "chains.present"
ASIC_STATUS: Final = "chains.asic_status"
RATE_NOMINAL: Final = "hashrate.nominal"
RATE_IDEAL: Final = "hashrate.ideal"
HW_ERRORS: Final = "hashrate.hw_errors"
FANS: Final = "fans.reporting"
TEMPS: Final = frozenset({"temps.margin", "temps.spread"})
POOLS_CONFIGURED: Final = "pools.configured"
POOLS_ACTIVE: Final = "pools.active"
DEFAULT_PASSWORD: Final = "security.default_password"
KERNEL_LOG: Final = "log.fatal"

READS: Final[Mapping[str, frozenset[str]]] = {
    "version": frozenset(),
    "stats": frozenset({CHAINS_PRESENT, ASIC_STATUS, RATE_IDEAL, HW_ERRORS, FANS} | TEMPS),
    "summary": frozenset(),
    "pools": frozenset({POOLS_CONFIGURED, POOLS_ACTIVE}),
    "devs": frozenset(),
}
"""Which checks have nothing left to judge from when one RPC reply is unreadable. The type and
firmware date are printed by version, stats and the web UI; the machine's rate by summary, stats and
devs; the hardware error share by summary and stats (with each chain's count): losing one of those
replies leaves the others, so nothing is tainted by it alone."""
WEB_LOGIN: Final = frozenset({DEFAULT_PASSWORD, KERNEL_LOG})
"""What cannot be judged when no login to the web UI can be made."""
SNAPSHOT_CHECKS: Final = (
    frozenset(
        {IDENTITY_MODEL, IDENTITY_FIRMWARE, CHAINS_PRESENT, ASIC_STATUS, RATE_NOMINAL, RATE_IDEAL}
        | {HW_ERRORS, FANS, POOLS_CONFIGURED, POOLS_ACTIVE}
        | TEMPS
    )
    | WEB_LOGIN
)
"""Every check judged from a snapshot (all of them are lost when the RPC API cannot be read)."""

MISSING: Final = object()
"""A value that means: delete the key."""
NUMBER_GARBAGE: Final = (MISSING, None, "garbage", [], -1, 1e308)
FUTURE_OR_GARBAGE_DATES: Final = ("Thu Jan  1 00:00:00 CST 2099", "garbage", MISSING, None, 12)
"""Values no numeric field may be judged from."""
ABSURD_TEMPERATURES: Final = (MISSING, None, "hot", 500, -300, 1e308)
HTML_LOGIN_PAGE: Final = (
    b"<html><head><title>Login</title></head><body><form method='post'>"
    b"<input name='username'><input type='password' name='password'></form></body></html>\n"
)
FATAL_LINE: Final = "Fatal Error: Temperature is too high!"
BIG_LOG_BYTES: Final = 50 * 1024 * 1024


@dataclass(frozen=True)
class KernelLogStream:
    """A kernel log too large to build in memory: ``size`` bytes of filler lines, served in chunks,
    ending with ``last_line``."""

    size: int
    last_line: str = ""

    def chunks(self, chunk: int = 1 << 16) -> Iterator[bytes]:
        """The body, piece by piece (never held whole)."""
        tail = (self.last_line + "\n").encode() if self.last_line else b""
        line = b"[ 1234.567890] bmminer: FAN PWM: 80\n"
        block = line * (chunk // len(line))
        left = self.size - len(tail)
        while left > 0:
            piece = block[: min(left, len(block))]
            left -= len(piece)
            yield piece if left or len(piece) < 2 else piece[:-1] + b"\n"
        if tail:
            yield tail


WebBody = bytes | KernelLogStream


@dataclass(frozen=True)
class Replies:
    """Everything one fake miner answers.

    Attributes:
        rpc: command -> the complete single-command reply (NUL included, or any bytes at all).
        web: CGI key (see ``fields.CGI_PATHS``) -> body, or an HTTP status for an error answer.
        challenges: the ``WWW-Authenticate`` values of a 401; None means the stock challenge.
        web_password: the password the web UI accepts.
    """

    rpc: Mapping[str, bytes]
    web: Mapping[str, WebBody | int]
    challenges: tuple[str, ...] | None = None
    web_password: str = F.DEFAULT_WEB_PASSWORD


@dataclass(frozen=True)
class Wire:
    """How the fake miner misbehaves on the wire (loopback cases only)."""

    rpc: str = ""
    """'' (normal), 'drip' (a byte every 100 ms), 'slow' (silent past the deadline), 'cut' (half a
    reply, then close) or 'refuse' (nothing listens)."""
    web: str = ""
    """'' or 'drip' / 'slow' for every web answer."""


@dataclass(frozen=True)
class Case:
    """One hostile case: the answers, how they are served, and the checks that must not PASS."""

    name: str
    replies: Replies
    tainted: frozenset[str]
    wire: Wire = field(default_factory=Wire)


# ------------------------------------------------------------------------------------- bases


def _request(command: str) -> bytes:
    return json.dumps({"command": command}).encode()


def simulator_base(scenarios: str | None = None, seed: int = 0) -> Replies:
    """The simulator's answers (healthy by default) after :data:`UPTIME_S` of running."""
    clock = ManualClock()
    miner = SimulatedMiner(scenarios, seed=seed, clock=clock, console=False)
    clock.advance(UPTIME_S)
    now = clock.now()
    rpc = {command: answer(_request(command), miner.model, now) for command in COMMANDS}
    miner.model.advance_to(now)
    service = miner._web  # the simulated web UI's CGIs, called in-process
    web: dict[str, WebBody | int] = {
        cgi: service._routes[F.CGI_PATHS[cgi]]("GET", {}, b"").body for cgi in CGIS
    }
    return Replies(rpc=rpc, web=web, web_password=miner.web_password)


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes().rstrip() + b"\x00"


def sample_base(kind: str = "stock-2019") -> Replies:
    """The real captured replies (stock 2019 S9 or asicseer S9); the simulator's where none."""
    simulated = simulator_base()
    prefix = {"stock-2019": "s9-2019-stock", "asicseer": "s9-asicseer"}[kind]
    rpc = dict(simulated.rpc)
    for command in ("version", "stats", "pools"):
        rpc[command] = _sample(f"{prefix}-{command}.json")
    web = dict(simulated.web)
    web["miner_conf"] = (SAMPLES / "s9-2017-get_miner_conf.txt").read_bytes()
    web["network_info"] = (SAMPLES / "antminer-2017-get_network_info.json").read_bytes()
    return Replies(rpc=rpc, web=web)


BASE_NAMES: Final = ("simulator", "simulator-seed7", "stock-2019", "asicseer")


@functools.cache
def base(name: str) -> Replies:
    """One of :data:`BASE_NAMES` (built once; cases copy what they change)."""
    if name == "simulator":
        return simulator_base()
    if name == "simulator-seed7":
        return simulator_base(seed=7)
    return sample_base(name)


# ------------------------------------------------------------------------------------- editing


def decoded(raw: bytes) -> dict[str, Any] | None:
    """A reply as a JSON object, or None when it is no longer one (already spoiled)."""
    try:
        return transport.decode(raw)
    except MinerProtocolError:
        return None  # a spoiled reply is not edited further


def encoded(reply: Mapping[str, Any]) -> bytes:
    """A JSON object as a bmminer reply (compact, NUL-terminated)."""
    return json.dumps(reply, separators=(",", ":")).encode() + b"\x00"


def device_block(stats: dict[str, Any]) -> dict[str, Any] | None:
    """The BC5 device block of a stats reply (the one with per-chain keys)."""
    blocks = stats.get("STATS")
    if not isinstance(blocks, list):
        return None
    return next(
        (block for block in blocks if isinstance(block, dict) and "chain_acn1" in block), None
    )


def present_chains(device: Mapping[str, Any]) -> list[int]:
    """Chains with ASICs in a device block, in order."""
    chains = []
    for chain in range(1, 17):
        value = device.get(f"chain_acn{chain}")
        if isinstance(value, int | float) and value > 0:
            chains.append(chain)
    return chains


def _set(block: dict[str, Any], key: str, value: object) -> None:
    if value is MISSING:
        block.pop(key, None)
    else:
        block[key] = value


def _with_rpc(replies: Replies, command: str, raw: bytes) -> Replies:
    return replace(replies, rpc={**replies.rpc, command: raw})


def _with_web(replies: Replies, cgi: str, body: WebBody | int) -> Replies:
    return replace(replies, web={**replies.web, cgi: body})


Apply = Callable[[Replies, int], Replies | None]
"""Spoil a base (``pick`` chooses the chain, board, pool or value); None when it does not apply."""


@dataclass(frozen=True)
class Mutation:
    """One item of the menu: what it spoils, and which checks read that."""

    name: str
    tainted: frozenset[str]
    apply: Apply
    wire: Wire = field(default_factory=Wire)
    loopback_only: bool = False
    touches: frozenset[str] = frozenset()
    """The replies it changes ('stats', 'web', ...): two mutations of one reply do not combine,
    since the later one may undo the earlier (an HTTP error page replaces a contradictory type)."""


def _stats_edit(edit: Callable[[dict[str, Any], int], bool]) -> Apply:
    """A mutation of the stats device block; ``edit`` returns False when it does not apply."""

    def apply(replies: Replies, pick: int) -> Replies | None:
        stats = decoded(replies.rpc["stats"])
        device = device_block(stats) if stats is not None else None
        if stats is None or device is None or not edit(device, pick):
            return None
        return _with_rpc(replies, "stats", encoded(stats))

    return apply


def _chain_field(key: str, values: tuple[object, ...]) -> Apply:
    def edit(device: dict[str, Any], pick: int) -> bool:
        chains = present_chains(device)
        if not chains:
            return False
        chain = chains[pick % len(chains)]
        _set(device, f"{key}{chain}", values[(pick // len(chains)) % len(values)])
        return True

    return _stats_edit(edit)


def _board_chains(device: Mapping[str, Any]) -> dict[int, list[int]]:
    boards: dict[int, list[int]] = {}
    for chain in present_chains(device):
        place = CHAIN_PLACES.get(chain)
        if place is not None:
            boards.setdefault(place.board, []).append(chain)
    return boards


_TEMP_KEYS: Final = ("temp{n}", "temp2_{n}", "temp3_{n}", "temp_pcb{n}", "temp_chip{n}")


def _spoil_board_temps(device: dict[str, Any], chains: list[int], value: object) -> None:
    for chain in chains:
        for key in _TEMP_KEYS:
            name = key.format(n=chain)
            if name in device or value is not MISSING:
                _set(device, name, value)


def _board_temps(replies: Replies, pick: int) -> Replies | None:
    def edit(device: dict[str, Any], pick: int) -> bool:
        boards = _board_chains(device)
        if not boards:
            return False
        board = sorted(boards)[pick % len(boards)]
        value = ABSURD_TEMPERATURES[(pick // len(boards)) % len(ABSURD_TEMPERATURES)]
        _spoil_board_temps(device, boards[board], value)
        return True

    return _stats_edit(edit)(replies, pick)


def _three_boards_without_temps(replies: Replies, pick: int) -> Replies | None:
    def edit(device: dict[str, Any], pick: int) -> bool:
        boards = _board_chains(device)
        if len(boards) < 4:
            return False
        kept = sorted(boards)[pick % len(boards)]
        for board, chains in boards.items():
            if board != kept:
                _spoil_board_temps(device, chains, MISSING)
        return True

    return _stats_edit(edit)(replies, pick)


def _device_field(keys: tuple[str, ...], values: tuple[object, ...]) -> Apply:
    def edit(device: dict[str, Any], pick: int) -> bool:
        value = values[pick % len(values)]
        for key in keys:
            _set(device, key, value)
        return True

    return _stats_edit(edit)


def _fan(values: tuple[object, ...]) -> Apply:
    def edit(device: dict[str, Any], pick: int) -> bool:
        turning = [n for n in range(1, 9) if isinstance(device.get(f"fan{n}"), int | float)]
        turning = [n for n in turning if device[f"fan{n}"] > 0]
        if not turning:
            return False
        fan = turning[pick % len(turning)]
        _set(device, f"fan{fan}", values[(pick // len(turning)) % len(values)])
        return True

    return _stats_edit(edit)


def _fan_num(values: tuple[object, ...]) -> Apply:
    def edit(device: dict[str, Any], pick: int) -> bool:
        if not any(
            isinstance(device.get(f"fan{n}"), int) and device[f"fan{n}"] > 0
            for n in (1, 2, 3, 4, 5, 6, 7, 8)
        ):
            return False
        device["fan_num"] = values[pick % len(values)]
        return True

    return _stats_edit(edit)


def _section_field(
    command: str, section: str, keys: tuple[str, ...], values: tuple[object, ...]
) -> Apply:
    """A field of the first record of a command's section (e.g. summary ``GHS 5s``)."""

    def apply(replies: Replies, pick: int) -> Replies | None:
        reply = decoded(replies.rpc[command])
        records = reply.get(section) if reply is not None else None
        if not isinstance(records, list) or not records or not isinstance(records[0], dict):
            return None
        value = values[pick % len(values)]
        for key in keys:
            _set(records[0], key, value)
        return _with_rpc(replies, command, encoded(reply))

    return apply


def _every_block(
    command: str, section: str, keys: tuple[str, ...], values: tuple[object, ...]
) -> Apply:
    """A field in every record of a section that has it (stats prints Type in its first block)."""

    def apply(replies: Replies, pick: int) -> Replies | None:
        reply = decoded(replies.rpc[command])
        records = reply.get(section) if reply is not None else None
        if not isinstance(records, list):
            return None
        value = values[pick % len(values)]
        for record in records:
            if isinstance(record, dict):
                for key in keys:
                    if key in record:
                        _set(record, key, value)
        return _with_rpc(replies, command, encoded(reply))

    return apply


def _web_field(cgi: str, key: str, values: tuple[object, ...]) -> Apply:
    """A field of a web CGI's JSON answer."""

    def apply(replies: Replies, pick: int) -> Replies | None:
        raw = replies.web.get(cgi)
        page = decoded(raw) if isinstance(raw, bytes) else None
        if page is None:
            return None
        _set(page, key, values[pick % len(values)])
        return _with_web(replies, cgi, json.dumps(page).encode())

    return apply


def _all(*edits: Apply) -> Apply:
    """Every edit with the same pick (a figure printed in several replies, spoiled in each)."""

    def apply(replies: Replies, pick: int) -> Replies | None:
        for edit in edits:
            spoiled = edit(replies, pick)
            if spoiled is None:
                return None
            replies = spoiled
        return replies

    return apply


def _both(first: Apply, second: Apply) -> Apply:
    """Both edits with the same pick (a figure printed in two replies, spoiled in both)."""

    def apply(replies: Replies, pick: int) -> Replies | None:
        once = first(replies, pick)
        return second(once, pick) if once is not None else None

    return apply


def _active_pool(keys: tuple[str, ...], values: tuple[object, ...]) -> Apply:
    """A field of the pool with priority 0 (the one mining)."""

    def apply(replies: Replies, pick: int) -> Replies | None:
        reply = decoded(replies.rpc["pools"])
        pools = reply.get("POOLS") if reply is not None else None
        if not isinstance(pools, list) or not pools:
            return None
        first = next(
            (pool for pool in pools if isinstance(pool, dict) and pool.get("Priority") == 0), None
        )
        if first is None:
            return None
        value = values[pick % len(values)]
        for key in keys:
            _set(first, key, value)
        return _with_rpc(replies, "pools", encoded(reply))

    return apply


def _whole_reply(command: str) -> Apply:
    """The whole reply spoiled: empty, truncated, binary, HTML, oversized, refused, not an object."""

    def apply(replies: Replies, pick: int) -> Replies | None:
        raw = replies.rpc[command]
        body = raw.rstrip(b"\x00")
        kinds: tuple[bytes, ...] = (
            b"",
            body[: max(1, (pick * 7919) % max(1, len(body) - 2))],
            bytes((pick * 31 + i * 97) % 256 for i in range(200)),
            HTML_LOGIN_PAGE,
            b'{"STATUS":[{"STATUS":"S"}],"pad":"' + b"x" * (transport.MAX_REPLY_BYTES + 10) + b'"}',
            json.dumps(
                {"STATUS": [{"STATUS": "E", "Code": 14, "Msg": "Invalid command"}], "id": 1}
            ).encode(),
            b"[" + body + b"]",
            b"\x00",
        )
        return _with_rpc(replies, command, kinds[pick % len(kinds)])

    return apply


def _kernel_log(bodies: tuple[WebBody, ...]) -> Apply:
    def apply(replies: Replies, pick: int) -> Replies | None:
        return _with_web(replies, "kernel_log", bodies[pick % len(bodies)])

    return apply


def _system_info_type(replies: Replies, pick: int) -> Replies | None:
    raw = replies.web.get("system_info")
    info = decoded(raw) if isinstance(raw, bytes) else None
    if info is None:
        return None
    info["minertype"] = ("Antminer L3+", "Antminer S9", "Antminer T9+")[pick % 3]
    return _with_web(replies, "system_info", json.dumps(info).encode())


def _web_down(replies: Replies, pick: int) -> Replies | None:
    status = (500, 404, 403)[pick % 3]
    return replace(replies, web=dict.fromkeys(CGIS, status))


def _challenge(values: tuple[str, ...]) -> Apply:
    def apply(replies: Replies, pick: int) -> Replies | None:
        return replace(replies, challenges=values)

    return apply


_NONCE: Final = 'nonce="0123456789abcdef"'
MALFORMED_CHALLENGES: Final[Mapping[str, tuple[str, ...]]] = {
    "no WWW-Authenticate": (),
    "Basic only": ('Basic realm="antMiner Configuration"',),
    "algorithm=FOO": (f'Digest realm="antMiner Configuration", {_NONCE}, algorithm=FOO',),
    'qop="auth-int"': (f'Digest realm="antMiner Configuration", {_NONCE}, qop="auth-int"',),
    "bare token": ("Digest abcdef",),
    "non-ASCII realm": (f'Digest realm="antMiner Konfigurätion", {_NONCE}',),
    "no nonce": ('Digest realm="antMiner Configuration", qop="auth"',),
    "unterminated quote": (f'Digest realm="antMiner Configuration, {_NONCE}',),
    "repeated realm": (f'Digest realm="a", realm="b", {_NONCE}',),
    "empty Digest": ("Digest ",),
}
"""Each Digest malformation of #9, and a few more; none may be read as "root/root refused"."""

KERNEL_LOGS: Final = (
    b"",
    b"\n\n\n",
    HTML_LOGIN_PAGE,
    bytes(range(256)) * 4,
    KernelLogStream(BIG_LOG_BYTES),
    KernelLogStream(3 * 1024 * 1024, FATAL_LINE),
)
"""Kernel logs nobody may call clean: empty, blank, a login page, binary, 50 MB, fatal at the end."""

STATS_RULES: Final = READS["stats"]

FIELD_MENU: Final[tuple[Mutation, ...]] = (
    Mutation(
        "chain_acnN garbage or absurd",
        frozenset({CHAINS_PRESENT}),
        _chain_field("chain_acn", (MISSING, None, "x", -1, 100, 1e308, 19)),
    ),
    Mutation(
        "chain_acsN missing or garbage",
        frozenset({ASIC_STATUS}),
        _chain_field("chain_acs", (MISSING, None, "", "garbage!", " oooo", 12345)),
    ),
    Mutation(
        "chain_rateN garbage or absurd",
        frozenset({RATE_IDEAL}),
        _chain_field("chain_rate", NUMBER_GARBAGE),
    ),
    Mutation(
        "chain_rateidealN garbage or absurd",
        frozenset({RATE_IDEAL}),
        _chain_field("chain_rateideal", NUMBER_GARBAGE),
    ),
    Mutation(
        "chain_hwN garbage or negative",
        frozenset({HW_ERRORS}),
        _chain_field("chain_hw", NUMBER_GARBAGE),
    ),
    Mutation("board temperatures absent or absurd", TEMPS, _board_temps),
    Mutation("three boards without temperatures", TEMPS, _three_boards_without_temps),
    Mutation("fanN garbage or absurd", frozenset({FANS}), _fan(NUMBER_GARBAGE)),
    Mutation("fan_num contradicts the fans", frozenset({FANS}), _fan_num((0, -1, "x", 100))),
    Mutation(
        "GHS 5s and GHS av garbage or absurd (summary, stats and devs)",
        frozenset({RATE_NOMINAL}),
        _all(
            _device_field(("GHS 5s", "GHS av"), NUMBER_GARBAGE),
            _section_field("summary", "SUMMARY", ("GHS 5s", "GHS av"), NUMBER_GARBAGE),
            _section_field("devs", "DEVS", ("MHS 5s", "MHS av"), NUMBER_GARBAGE),
        ),
    ),
    Mutation(
        "Device Hardware% garbage, negative or over 100",
        frozenset({HW_ERRORS}),
        _both(
            _device_field(("Device Hardware%",), (MISSING, None, "x", -1, 101, 1e308)),
            _section_field(
                "summary", "SUMMARY", ("Device Hardware%",), (MISSING, None, "x", -1, 101, 1e308)
            ),
        ),
    ),
    Mutation(
        "firmware date in the future or garbage (version, stats and web)",
        frozenset({IDENTITY_FIRMWARE}),
        _all(
            _every_block("version", "VERSION", ("CompileTime",), FUTURE_OR_GARBAGE_DATES),
            _every_block("stats", "STATS", ("CompileTime",), FUTURE_OR_GARBAGE_DATES),
            _web_field("system_info", "system_filesystem_version", FUTURE_OR_GARBAGE_DATES),
        ),
    ),
    Mutation(
        "type missing or garbage (version, stats and web)",
        frozenset({IDENTITY_MODEL}),
        _all(
            _every_block("version", "VERSION", ("Type",), (MISSING, None, "", 7)),
            _every_block("stats", "STATS", ("Type",), (MISSING, None, "", 7)),
            _web_field("system_info", "minertype", (MISSING, None, "", 7)),
        ),
    ),
    Mutation(
        "active pool status garbage",
        frozenset({POOLS_ACTIVE}),
        _active_pool(("Status",), (MISSING, None, "Weird", 5)),
    ),
    Mutation(
        "active pool Accepted negative or garbage",
        frozenset({POOLS_ACTIVE}),
        _active_pool(("Accepted",), (-5, "x", 1e308, None, MISSING)),
    ),
    Mutation(
        "active pool URL garbage",
        frozenset({POOLS_CONFIGURED}),
        _active_pool(("URL",), (MISSING, None, 5)),
    ),
    Mutation(
        "active pool worker garbage",
        frozenset({POOLS_CONFIGURED}),
        _active_pool(("User",), (MISSING, None, 5)),
    ),
    Mutation(
        "kernel log empty, a login page, binary or oversized",
        frozenset({KERNEL_LOG}),
        _kernel_log(KERNEL_LOGS),
    ),
    Mutation("web type contradicts the RPC type", frozenset({IDENTITY_MODEL}), _system_info_type),
)
"""Mutations of what the replies say (judged by the parsers and rules)."""

TRANSPORT_MENU: Final[tuple[Mutation, ...]] = (
    *(
        Mutation(f"{command} reply spoiled", READS[command], _whole_reply(command))
        for command in COMMANDS
    ),
    Mutation("web UI answers HTTP errors", WEB_LOGIN, _web_down),
    *(
        Mutation(f"Digest challenge: {name}", WEB_LOGIN, _challenge(values))
        for name, values in MALFORMED_CHALLENGES.items()
    ),
)
"""Mutations of how the miner answers: whole replies, HTTP errors, the Digest challenge."""

_TOUCHES: Final = (
    ("GHS 5s", {"stats", "summary", "devs"}),
    ("Device Hardware%", {"stats", "summary"}),
    ("firmware date", {"version", "stats", "web"}),
    ("type missing", {"version", "stats", "web"}),
    ("active pool", {"pools"}),
    ("kernel log", {"web"}),
    ("web ", {"web"}),
    ("Digest", {"web"}),
    *((f"{command} reply", {command}) for command in COMMANDS),
    ("", {"stats"}),
)


def _touching(mutation: Mutation) -> Mutation:
    touches = next(replies for start, replies in _TOUCHES if mutation.name.startswith(start))
    return replace(mutation, touches=frozenset(touches))


MENU: Final = tuple(_touching(mutation) for mutation in FIELD_MENU + TRANSPORT_MENU)
"""Every mutation served in-process and on loopback."""

WIRE_MENU: Final[tuple[Mutation, ...]] = (
    Mutation(
        "RPC drips a byte every 100 ms",
        SNAPSHOT_CHECKS - WEB_LOGIN,
        lambda r, p: r,
        Wire(rpc="drip"),
        True,
    ),
    Mutation(
        "RPC silent past the deadline",
        SNAPSHOT_CHECKS - WEB_LOGIN,
        lambda r, p: r,
        Wire(rpc="slow"),
        True,
    ),
    Mutation(
        "RPC sends half a reply and closes",
        # The API answers (garbage): the web UI still tells the type and the firmware date.
        SNAPSHOT_CHECKS - WEB_LOGIN - {IDENTITY_MODEL, IDENTITY_FIRMWARE},
        lambda r, p: r,
        Wire(rpc="cut"),
        True,
    ),
    Mutation(
        "RPC refuses connections",
        SNAPSHOT_CHECKS - WEB_LOGIN,
        lambda r, p: r,
        Wire(rpc="refuse"),
        True,
    ),
    Mutation("web drips a byte every 100 ms", WEB_LOGIN, lambda r, p: r, Wire(web="drip"), True),
    Mutation("web silent past the deadline", WEB_LOGIN, lambda r, p: r, Wire(web="slow"), True),
)
"""Misbehaviour on the wire: only real sockets show it."""


WIRE_MENU = tuple(
    replace(wire, touches=frozenset({"web"} if wire.wire.web else COMMANDS)) for wire in WIRE_MENU
)


def build(base_name: str, mutations: tuple[tuple[Mutation, int], ...]) -> Case | None:
    """A case: ``base_name`` spoiled by each (mutation, pick) in turn; None if one did not apply."""
    replies = base(base_name)
    tainted: frozenset[str] = frozenset()
    wire = Wire()
    names = []
    touched: set[str] = set()
    for mutation, pick in mutations:
        if touched & mutation.touches:
            return None
        touched |= mutation.touches
        spoiled = mutation.apply(replies, pick)
        if spoiled is None:
            return None
        replies = spoiled
        tainted |= mutation.tainted
        wire = Wire(rpc=mutation.wire.rpc or wire.rpc, web=mutation.wire.web or wire.web)
        names.append(f"{mutation.name} #{pick}")
    return Case(f"{base_name}: {' + '.join(names)}", replies, tainted, wire)
