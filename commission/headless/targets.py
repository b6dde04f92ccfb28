"""Miner targets the way farms write them: addresses, HOST:PORT, CIDR blocks, ranges and files.

``--verify`` and ``discover --scan`` take the same target words: ``10.1.2.3``, ``10.1.2.3:4029``,
``[fd00::3]:4028``, a host name, ``10.1.2.0/24`` (its host addresses), ``10.1.2.10-10.1.2.60`` or
``10.1.2.10-60`` (inclusive), and ``--hosts-file FILE`` with one such word per line and ``#``
comments, or an inventory written by ``discover`` (recognised by its header). Everything is
expanded here, duplicates are dropped (first one wins, a later one may add the MAC or label it
knows), and every bad entry is reported with where it came from (argument number or file line),
all of them at once, so a typo in line 412 of a hosts file is named rather than skipped.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from commission.errors import UsageError
from commission.headless import inventory
from commission.miner import fields

MAX_BLOCK: Final = 65_536
"""The most addresses one CIDR block or range may expand to (a /16): a /8 is a typo, not a farm."""
MAX_ERRORS_SHOWN: Final = 20
_RANGE: Final = re.compile(r"^(?P<first>\d+\.\d+\.\d+\.\d+)-(?P<last>[^:]+)(?::(?P<port>.*))?$")


@dataclass(frozen=True)
class Target:
    """One miner to reach: its address and RPC port, plus what an inventory knows about it."""

    host: str
    api_port: int = fields.RPC_PORT
    mac: str = ""
    label: str = ""

    def __str__(self) -> str:
        if self.api_port == fields.RPC_PORT:
            return self.host
        return (
            f"[{self.host}]:{self.api_port}" if ":" in self.host else f"{self.host}:{self.api_port}"
        )

    @property
    def key(self) -> tuple[str, int]:
        """What makes two targets the same miner: address and port."""
        return (self.host, self.api_port)


class TargetError(ValueError):
    """One target word that cannot be read; the message says why (the caller adds where)."""


def _split_port(raw: str) -> tuple[str, int | None]:
    """``HOST[:PORT]`` or ``[IPv6]:PORT`` -> host and port (None when no port was written)."""
    port_text: str | None = None
    host = raw
    if raw.startswith("["):
        close = raw.find("]")
        if close < 0:
            raise TargetError("missing ']' after the IPv6 address")
        host, rest = raw[1:close], raw[close + 1 :]
        if rest and (not rest.startswith(":") or len(rest) == 1):
            raise TargetError("expected ':PORT' after ']'")
        port_text = rest[1:] if rest else None
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise TargetError(f"{host!r} is not an IPv6 address") from None
    elif raw.count(":") == 1:
        host, port_text = raw.split(":")
        if not port_text:
            raise TargetError("a ':' must be followed by the RPC port")
    elif raw.count(":") > 1:
        try:
            ipaddress.IPv6Address(raw)
        except ValueError:
            raise TargetError("write an IPv6 address with a port as [ADDRESS]:PORT") from None
    if port_text is None:
        return host, None
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise TargetError(f"port {port_text!r} must be a number from 1 to 65535")
    return host, int(port_text)


def _check_host(host: str) -> None:
    if not host or any(c.isspace() or c in "/?#@,;" for c in host):
        raise TargetError("not a host name or address")
    if all(part.isdigit() for part in host.split(".")) and host.count(".") == 3:
        try:
            ipaddress.IPv4Address(host)
        except ValueError as error:
            raise TargetError(f"not an IPv4 address ({error})") from None


def _block(text: str) -> list[str]:
    """The host addresses of a CIDR block."""
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError as error:
        raise TargetError(f"not a CIDR block ({error})") from None
    if network.num_addresses > MAX_BLOCK:
        raise TargetError(
            f"/{network.prefixlen} is {network.num_addresses:,} addresses; the most one entry may "
            f"expand to is {MAX_BLOCK:,} (a /16): split it"
        )
    if network.num_addresses == 1:
        return [str(network.network_address)]
    return [str(address) for address in network.hosts()]


def _range(first_text: str, last_text: str) -> list[str]:
    """``a.b.c.10-a.b.c.60`` or ``a.b.c.10-60`` (both ends included)."""
    try:
        first = ipaddress.IPv4Address(first_text)
    except ValueError:
        raise TargetError(f"range start {first_text!r} is not an IPv4 address") from None
    if last_text.isdigit() and "." not in last_text:
        if int(last_text) > 255:
            raise TargetError(f"range end {last_text!r} is more than 255")
        last = ipaddress.IPv4Address(int(first) & ~0xFF | int(last_text))
    else:
        try:
            last = ipaddress.IPv4Address(last_text)
        except ValueError:
            raise TargetError(f"range end {last_text!r} is not an IPv4 address") from None
    if last < first:
        raise TargetError(f"the range runs backwards ({last} is before {first})")
    count = int(last) - int(first) + 1
    if count > MAX_BLOCK:
        raise TargetError(
            f"the range is {count:,} addresses; the most one entry may expand to is {MAX_BLOCK:,}"
        )
    return [str(ipaddress.IPv4Address(value)) for value in range(int(first), int(last) + 1)]


def expand(text: str, *, default_port: int = fields.RPC_PORT) -> list[Target]:
    """Every target one word stands for (one for an address, many for a block or a range).

    Raises:
        TargetError: saying what is wrong with the word.
    """
    raw = text.strip()
    if not raw:
        raise TargetError("empty target")
    if "/" in raw:
        block, _, port_text = raw.partition(":") if raw.count(":") == 1 else (raw, "", "")
        hosts = _block(block)
        port = _port(port_text) if port_text else default_port
        return [Target(host, port) for host in hosts]
    ranged = _RANGE.match(raw)
    if ranged:
        port = _port(ranged["port"]) if ranged["port"] is not None else default_port
        return [Target(host, port) for host in _range(ranged["first"], ranged["last"])]
    host, port_or_none = _split_port(raw)
    _check_host(host)
    return [Target(host, default_port if port_or_none is None else port_or_none)]


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise TargetError(f"port {text!r} must be a number from 1 to 65535")
    return int(text)


@dataclass(frozen=True)
class _Source:
    where: str
    text: str
    mac: str = ""
    label: str = ""


def _file_entries(path: Path) -> list[_Source]:
    """The entries of a hosts file or an inventory, each with its line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"hosts file {str(path)!r} does not exist") from None
    except UnicodeDecodeError as error:
        raise UsageError(f"hosts file {str(path)!r} is not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise UsageError(f"cannot read hosts file {str(path)!r}: {error.strerror}") from None
    if inventory.is_inventory(text):
        try:
            rows = inventory.read_text(text, str(path))
        except inventory.InventoryError as error:
            raise UsageError(str(error)) from None
        return [_Source(f"{path} line {row.line}", row.address, row.mac, row.label) for row in rows]
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        word = line.split("#", 1)[0].strip()
        if word:
            entries.append(_Source(f"{path} line {number}", word))
    return entries


def resolve(
    words: Sequence[str],
    hosts_files: Iterable[str | Path] = (),
    *,
    default_port: int = fields.RPC_PORT,
    what: str = "target",
) -> list[Target]:
    """Expand command-line words and hosts files into distinct targets, in the order given.

    Args:
        words: target words from the command line.
        hosts_files: files of targets (one per line, ``#`` comments) or inventories.
        default_port: the port of a word that names none.
        what: how the command calls its targets in messages.

    Raises:
        UsageError: listing every bad entry with its argument number or file line.
    """
    sources = [_Source(f"argument {index}", word) for index, word in enumerate(words, start=1)]
    for path in hosts_files:
        sources.extend(_file_entries(Path(path)))
    found: dict[tuple[str, int], Target] = {}
    problems: list[str] = []
    for source in sources:
        try:
            expanded = expand(source.text, default_port=default_port)
        except TargetError as error:
            problems.append(f"{source.where}: {what} {source.text.strip()!r}: {error}")
            continue
        for target in expanded:
            if source.mac or source.label:
                target = replace(target, mac=source.mac, label=source.label)
            known = found.get(target.key)
            if known is None:
                found[target.key] = target
            elif (not known.mac and target.mac) or (not known.label and target.label):
                found[target.key] = replace(
                    known, mac=known.mac or target.mac, label=known.label or target.label
                )
    if problems:
        shown = problems[:MAX_ERRORS_SHOWN]
        more = len(problems) - len(shown)
        raise UsageError(
            f"{len(problems)} bad {what}{'s' if len(problems) != 1 else ''}:\n  "
            + "\n  ".join(shown)
            + (f"\n  ... and {more} more" if more else "")
        )
    return list(found.values())
