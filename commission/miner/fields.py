"""The stock S9 firmware's wire vocabulary: ports, status codes, field names, their order and types.

This is the one module that spells the firmware's field names. The parsers read replies with it and
the simulator writes replies with it, so a name fixed here is fixed for both. Sources are cited in
../shared/reference/miner-protocols.md (bmminer ``api.c`` and ``driver-btm-c5.c``, real captures).

A field's *kind* says how bmminer prints it: ``int`` (``%d``), ``f2``/``f4``/``f6``/``f8`` (a double
with that many decimals, unquoted), ``str`` (quoted), ``bool`` (``true``/``false``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final, Literal, NamedTuple

Kind = Literal["int", "f2", "f4", "f6", "f8", "str", "bool"]

RPC_PORT: Final = 4028
WEB_PORT: Final = 80
IP_REPORT_LISTEN_PORT: Final = 14235
"""The port a listener (IP Reporter) binds; miners send ``IP,MAC`` here."""
IP_REPORT_MINER_PORT: Final = 14236
"""The port the miner sends from and waits on for the MAC echo."""
RPC_MAX_REQUEST: Final = 8191
"""bmminer does one ``recv`` of at most this many bytes per connection."""
DIGEST_REALM: Final = "antMiner Configuration"
DEFAULT_WEB_USER: Final = "root"
DEFAULT_WEB_PASSWORD: Final = "root"
STATUS_DESCRIPTION: Final = "bmminer 1.0.0"
MINER_TYPE_HYDRO: Final = "Antminer S9 Hydro"

CHAIN_SLOTS: Final = 16
"""bmminer prints every per-chain array for 16 slots (``BITMAIN_MAX_CHAIN_NUM``)."""
FAN_SLOTS: Final = 8
"""bmminer prints 8 fan slots (``BITMAIN_MAX_FAN_NUM``)."""


class Field(NamedTuple):
    """One key of a reply object, in wire order."""

    key: str
    kind: Kind


class Status(NamedTuple):
    """The STATUS block's code and message for one command (``%d`` filled with a count)."""

    code: int
    msg: str
    section: str


COMMAND_STATUS: Final[dict[str, Status]] = {
    "version": Status(22, "BMMiner versions", "VERSION"),
    "summary": Status(11, "Summary", "SUMMARY"),
    "stats": Status(70, "BMMiner stats", "STATS"),
    "pools": Status(7, "%d Pool(s)", "POOLS"),
    "devs": Status(9, "%d ASC(s)", "DEVS"),
}
"""The commands the stock access group ``A`` may run, with their STATUS code and section name."""

STOCK_ALLOWED_COMMANDS: Final = frozenset(COMMAND_STATUS)
JOINABLE_COMMANDS: Final = frozenset(
    "version config devs edevs pools summary noncenum pgacount notify devdetails stats estats coin "
    "usbstats asccount lcd lockstats".split()
)
KNOWN_COMMANDS: Final = JOINABLE_COMMANDS | frozenset(
    "pga pgaenable pgadisable pgaidentify gpu gpuenable gpudisable gpurestart gpuintensity gpumem "
    "gpuengine gpufan gpuvddc gpucount asc ascenable ascdisable ascidentify ascset switchpool "
    "enablepool disablepool addpool removepool poolpriority poolquota save quit restart privileged "
    "check failover-only setconfig zero hotplug debug pgaset".split()
)

CODE_INVALID_COMMAND: Final = 14
CODE_INVALID_JSON: Final = 23
CODE_MISSING_COMMAND: Final = 24
CODE_ACCESS_DENIED: Final = 45
MSG_INVALID_COMMAND: Final = "Invalid command"
MSG_INVALID_JSON: Final = "Invalid JSON"
MSG_MISSING_COMMAND: Final = "Missing JSON 'command'"
MSG_ACCESS_DENIED: Final = "Access denied to '%s' command"

STATUS_KEYS: Final = (
    Field("STATUS", "str"),
    Field("When", "int"),
    Field("Code", "int"),
    Field("Msg", "str"),
    Field("Description", "str"),
)

VERSION_FIELDS: Final = (
    Field("BMMiner", "str"),
    Field("API", "str"),
    Field("Miner", "str"),
    Field("CompileTime", "str"),
    Field("Type", "str"),
)

SUMMARY_FIELDS: Final = (
    Field("Elapsed", "int"),
    Field("GHS 5s", "str"),
    Field("GHS av", "f2"),
    Field("Found Blocks", "int"),
    Field("Getworks", "int"),
    Field("Accepted", "int"),
    Field("Rejected", "int"),
    Field("Hardware Errors", "int"),
    Field("Utility", "f2"),
    Field("Discarded", "int"),
    Field("Stale", "int"),
    Field("Get Failures", "int"),
    Field("Local Work", "int"),
    Field("Remote Failures", "int"),
    Field("Network Blocks", "int"),
    Field("Total MH", "f4"),
    Field("Work Utility", "f2"),
    Field("Difficulty Accepted", "f8"),
    Field("Difficulty Rejected", "f8"),
    Field("Difficulty Stale", "f8"),
    Field("Best Share", "int"),
    Field("Device Hardware%", "f4"),
    Field("Device Rejected%", "f4"),
    Field("Pool Rejected%", "f4"),
    Field("Pool Stale%", "f4"),
    Field("Last getwork", "int"),
)

POOL_FIELDS: Final = (
    Field("POOL", "int"),
    Field("URL", "str"),
    Field("Status", "str"),
    Field("Priority", "int"),
    Field("Quota", "int"),
    Field("Long Poll", "str"),
    Field("Getworks", "int"),
    Field("Accepted", "int"),
    Field("Rejected", "int"),
    Field("Discarded", "int"),
    Field("Stale", "int"),
    Field("Get Failures", "int"),
    Field("Remote Failures", "int"),
    Field("User", "str"),
    Field("Last Share Time", "str"),
    Field("Diff", "str"),
    Field("Diff1 Shares", "int"),
    Field("Proxy Type", "str"),
    Field("Proxy", "str"),
    Field("Difficulty Accepted", "f8"),
    Field("Difficulty Rejected", "f8"),
    Field("Difficulty Stale", "f8"),
    Field("Last Share Difficulty", "f8"),
    Field("Has Stratum", "bool"),
    Field("Stratum Active", "bool"),
    Field("Stratum URL", "str"),
    Field("Has GBT", "bool"),
    Field("Best Share", "int"),
    Field("Pool Rejected%", "f4"),
    Field("Pool Stale%", "f4"),
)
POOL_STATUSES: Final = ("Alive", "Dead", "Disabled", "Rejecting", "Unknown")

DEVS_FIELDS: Final = (
    Field("ASC", "int"),
    Field("Name", "str"),
    Field("ID", "int"),
    Field("Enabled", "str"),
    Field("Status", "str"),
    Field("Temperature", "f2"),
    Field("MHS av", "f2"),
    Field("MHS 5s", "f2"),
    Field("Accepted", "int"),
    Field("Rejected", "int"),
    Field("Hardware Errors", "int"),
    Field("Utility", "f2"),
    Field("Last Share Pool", "int"),
    Field("Last Share Time", "int"),
    Field("Total MH", "f4"),
    Field("Diff1 Work", "int"),
    Field("Difficulty Accepted", "f8"),
    Field("Difficulty Rejected", "f8"),
    Field("Last Share Difficulty", "f8"),
    Field("Last Valid Work", "int"),
    Field("Device Hardware%", "f4"),
    Field("Device Rejected%", "f4"),
    Field("Device Elapsed", "int"),
)

STATS_HEAD_FIELDS: Final = (
    Field("BMMiner", "str"),
    Field("Miner", "str"),
    Field("CompileTime", "str"),
    Field("Type", "str"),
)
"""``STATS[0]``: the version block that bmminer prints before the device (the ``}{`` defect)."""

_SLOTS: Final = range(1, CHAIN_SLOTS + 1)


def _per_slot(template: str, kind: Kind, slots: Iterable[int] = _SLOTS) -> tuple[Field, ...]:
    return tuple(Field(template.format(n), kind) for n in slots)


def stats_device_fields(present_chains: Sequence[int]) -> tuple[Field, ...]:
    """The keys of ``STATS[1]`` (the BC5 device) in wire order.

    Args:
        present_chains: API chain numbers that have ASICs; only they get the ``chain_xtime``,
            ``chain_offside_`` and ``chain_opencore_`` keys, as in bmminer.
    """
    return (
        Field("STATS", "int"),
        Field("ID", "str"),
        Field("Elapsed", "int"),
        Field("Calls", "int"),
        Field("Wait", "f6"),
        Field("Max", "f6"),
        Field("Min", "f6"),
        Field("GHS 5s", "str"),
        Field("GHS av", "f2"),
        Field("miner_count", "int"),
        Field("frequency", "int"),
        Field("fan_num", "int"),
        *_per_slot("fan{}", "int", range(1, FAN_SLOTS + 1)),
        Field("temp_num", "int"),
        *_per_slot("temp{}", "int"),
        *_per_slot("temp2_{}", "int"),
        *_per_slot("temp3_{}", "int"),
        *_per_slot("temp_pcb{}", "str"),
        *_per_slot("temp_chip{}", "str"),
        *_per_slot("freq_avg{}", "f2"),
        Field("total_rateideal", "f2"),
        Field("total_freqavg", "f2"),
        Field("total_acn", "int"),
        Field("total_rate", "f2"),
        *_per_slot("chain_rateideal{}", "f2"),
        Field("temp_max", "int"),
        Field("Device Hardware%", "f4"),
        Field("no_matching_work", "int"),
        *_per_slot("chain_acn{}", "int"),
        *_per_slot("chain_acs{}", "str"),
        *_per_slot("chain_hw{}", "int"),
        *_per_slot("chain_rate{}", "str"),
        *_per_slot("chain_xtime{}", "str", present_chains),
        *_per_slot("chain_offside_{}", "str", present_chains),
        *_per_slot("chain_opencore_{}", "str", present_chains),
        Field("miner_version", "str"),
    )


# Per-chain key templates, for readers that look up one chain at a time.
CHAIN_ACN: Final = "chain_acn{}"
CHAIN_ACS: Final = "chain_acs{}"
CHAIN_HW: Final = "chain_hw{}"
CHAIN_RATE: Final = "chain_rate{}"
CHAIN_RATEIDEAL: Final = "chain_rateideal{}"
FREQ_AVG: Final = "freq_avg{}"
TEMP_PCB: Final = "temp{}"
"""bmminer's ``tempN``: the sensor chip's local reading, i.e. the board (PCB) temperature."""
TEMP_CHIP: Final = "temp2_{}"
"""bmminer's ``temp2_N``: the remote diode inside an ASIC, i.e. the chip temperature."""
TEMP_CHIP2: Final = "temp3_{}"
TEMP_PCB_DASHED: Final = "temp_pcb{}"
"""Later firmware: three or four PCB readings as one dash-separated string, e.g. ``"55-55-52"``."""
TEMP_CHIP_DASHED: Final = "temp_chip{}"
FAN: Final = "fan{}"

# get_system_info.cgi, in order (2017 web scripts; S9 says bmminer_version).
SYSTEM_INFO_KEYS: Final = (
    "minertype", "nettype", "netdevice", "macaddr", "hostname", "ipaddress", "netmask",
    "gateway", "dnsservers", "curtime", "uptime", "loadaverage", "mem_total", "mem_used",
    "mem_free", "mem_buffers", "mem_cached", "system_mode", "ant_hwv", "system_kernel_version",
    "system_filesystem_version", "bmminer_version",
)  # fmt: skip
NETWORK_INFO_KEYS: Final = (
    "nettype", "netdevice", "macaddr", "ipaddress", "netmask", "conf_nettype", "conf_hostname",
    "conf_ipaddress", "conf_netmask", "conf_gateway", "conf_dnsservers",
)  # fmt: skip
SET_MINER_CONF_FIELDS: Final = (
    "_ant_pool1url", "_ant_pool1user", "_ant_pool1pw",
    "_ant_pool2url", "_ant_pool2user", "_ant_pool2pw",
    "_ant_pool3url", "_ant_pool3user", "_ant_pool3pw",
    "_ant_nobeeper", "_ant_notempoverctrl", "_ant_fan_customize_switch",
    "_ant_fan_customize_value", "_ant_freq",
)  # fmt: skip
"""set_miner_conf.cgi reads its 14 form fields by position, not by name."""
SET_MINER_CONF_DECODED: Final = (
    "%23", "%24", "%25", "%26", "%2C", "%2B", "%3A", "%3B", "%3C", "%3D", "%3E", "%3F", "%40",
    "%5B", "%5D", "%5E", "%7B", "%7C", "%7D", "%2F",
)  # fmt: skip
"""The only percent escapes the stock form parser decodes (``%22`` and ``%5C`` stay as they are)."""
PASSWD_QUERY_KEYS: Final = ("current_pw", "new_pw", "new_pw_ctrl")
CGI_PATHS: Final = {
    "system_info": "/cgi-bin/get_system_info.cgi",
    "network_info": "/cgi-bin/get_network_info.cgi",
    "miner_conf": "/cgi-bin/get_miner_conf.cgi",
    "set_miner_conf": "/cgi-bin/set_miner_conf.cgi",
    "passwd": "/cgi-bin/passwd.cgi",
    "kernel_log": "/cgi-bin/get_kernel_log.cgi",
    "reboot": "/cgi-bin/reboot.cgi",
    "miner_status": "/cgi-bin/minerStatus.cgi",
}

# Kernel-log lines (bmminer format strings; J-number = API chain number).
LOG_CHAIN_ASICS: Final = "Chain[J{chain}] has {asics} asic"
FATAL_TEMPERATURE: Final = "Fatal Error: Temperature is too high!"
FATAL_LINES: Final = (
    FATAL_TEMPERATURE,
    "Fatal Error: Fan lost!",
    "Fatal Error: Fan speed too low!",
    "Fatal Error: network connection lost!",
    "Fatal Error: unkown status.",
)
IP_REPORT_ACK: Final = b"OK" + b"\x00" * 8
"""The 10-byte datagram a miner sends after its MAC was echoed back."""
IP_REPORT_NACK: Final = b"FAILD" + b"\x00" * 5

# Single keys the parsers look up (each also appears in the wire-order tables above).
KEY_STATUS: Final = "STATUS"
"""Both the envelope's STATUS array and the letter inside its block."""
KEY_CODE: Final = "Code"
KEY_MSG: Final = "Msg"
STATUS_OK_LETTERS: Final = frozenset({"S", "I"})
"""STATUS letters of a reply that carries data; E, W and F mean the command was refused."""
VERSION_BMMINER: Final = "BMMiner"
VERSION_API: Final = "API"
VERSION_MINER: Final = "Miner"
VERSION_COMPILE_TIME: Final = "CompileTime"
VERSION_TYPE: Final = "Type"
ELAPSED: Final = "Elapsed"
GHS_5S: Final = "GHS 5s"
"""A string on the S9 (``"13883.81"``), a number elsewhere."""
GHS_AV: Final = "GHS av"
ACCEPTED: Final = "Accepted"
REJECTED: Final = "Rejected"
STALE: Final = "Stale"
HARDWARE_ERRORS: Final = "Hardware Errors"
DEVICE_HW_PCT: Final = "Device Hardware%"
STATS_ID: Final = "ID"
STATS_FREQUENCY: Final = "frequency"
"""A string (``"550"``) in the 2017 source, a number (``645``) in 2019 firmware."""
STATS_TOTAL_RATEIDEAL: Final = "total_rateideal"
STATS_TOTAL_FREQAVG: Final = "total_freqavg"
STATS_HW_ERRORS: Final = "no_matching_work"
STATS_FAN_NUM: Final = "fan_num"
POOL_INDEX: Final = "POOL"
POOL_URL: Final = "URL"
POOL_STATUS: Final = "Status"
POOL_PRIORITY: Final = "Priority"
POOL_USER: Final = "User"
POOL_LAST_SHARE_TIME: Final = "Last Share Time"
POOL_DIFF: Final = "Diff"
POOL_STRATUM_ACTIVE: Final = "Stratum Active"
DEVS_NAME: Final = "Name"
DEVS_ENABLED: Final = "Enabled"
DEVS_STATUS: Final = "Status"
DEVS_TEMPERATURE: Final = "Temperature"
DEVS_MHS_AV: Final = "MHS av"
DEVS_MHS_5S: Final = "MHS 5s"
SYSTEM_MINER_TYPE: Final = "minertype"
SYSTEM_MAC: Final = "macaddr"
SYSTEM_HOSTNAME: Final = "hostname"
SYSTEM_IP: Final = "ipaddress"
SYSTEM_HW_VERSION: Final = "ant_hwv"
SYSTEM_FILESYSTEM_VERSION: Final = "system_filesystem_version"
"""Line 1 of ``/usr/bin/compile_time``: the firmware build date, as in ``CompileTime``."""
SYSTEM_BMMINER_VERSION: Final = "bmminer_version"
NETWORK_MAC: Final = "macaddr"
NETWORK_IP: Final = "ipaddress"
NETWORK_HOSTNAME: Final = "conf_hostname"

# bmminer.conf as get_miner_conf.cgi returns it (the keys set_miner_conf.cgi writes).
CONF_POOLS: Final = "pools"
CONF_POOL_URL: Final = "url"
CONF_POOL_USER: Final = "user"
CONF_POOL_PASS: Final = "pass"
CONF_NOBEEPER: Final = "bitmain-nobeeper"
CONF_NOTEMPOVERCTRL: Final = "bitmain-notempoverctrl"
CONF_FAN_CTRL: Final = "bitmain-fan-ctrl"
CONF_FAN_PWM: Final = "bitmain-fan-pwm"
CONF_FREQ: Final = "bitmain-freq"
CONF_POOL_SLOTS: Final = 3
"""set_miner_conf.cgi always takes three pools (empty strings for an unused slot)."""

# passwd.cgi answers with an HTML page; these phrases tell success from refusal.
PASSWD_UPDATED: Final = "Updating Password"
PASSWD_REFUSALS: Final = (
    "Invalid Password",
    "New Password must be set",
    "New Password does not match",
)


# ---------------------------------------------------------------------------------------------
# Sources in plain words. A reading's source is written ``rpc <command> <key>`` (``rpc stats
# temp2_7``), ``rpc pools[<n>] <key>``, ``web <page> <key>``, or a whole read (``rpc stats``,
# ``web get_kernel_log.cgi``); reports show it to the technician through describe_source.

_COMMAND_WORDS: Final = {
    "version": "version",
    "summary": "summary",
    "stats": "stats",
    "pools": "pools",
    "devs": "devices",
}
_PAGE_WORDS: Final = {
    "get_system_info.cgi": "system page",
    "get_network_info.cgi": "network page",
    "get_kernel_log.cgi": "kernel log",
    "get_miner_conf.cgi": "miner configuration",
    "set_miner_conf.cgi": "miner configuration (save)",
    "passwd.cgi": "password page",
    "minerStatus.cgi": "status page",
    "default password check": "login with the default password",
}
_KEY_WORDS: Final = {
    ELAPSED: "running time",
    GHS_5S: "hash rate (5-second average)",
    GHS_AV: "hash rate (average since start)",
    ACCEPTED: "accepted shares",
    REJECTED: "rejected shares",
    STALE: "stale shares",
    HARDWARE_ERRORS: "hardware errors",
    DEVICE_HW_PCT: "hardware error share",
    "Device Rejected%": "rejected share",
    "Pool Rejected%": "pool rejected share",
    "Pool Stale%": "pool stale share",
    STATS_HW_ERRORS: "hardware errors",
    STATS_TOTAL_RATEIDEAL: "ideal hash rate",
    STATS_TOTAL_FREQAVG: "average frequency",
    "total_rate": "hash rate (sum of chains)",
    "total_acn": "ASIC count (all chains)",
    STATS_FREQUENCY: "frequency",
    STATS_FAN_NUM: "number of fans turning",
    "temp_num": "number of temperature sensors",
    "miner_count": "number of chains",
    "temp_max": "hottest temperature",
    VERSION_TYPE: "model",
    VERSION_COMPILE_TIME: "firmware build date",
    VERSION_BMMINER: "bmminer version",
    VERSION_MINER: "miner version",
    VERSION_API: "API version",
    POOL_URL: "URL",
    POOL_USER: "worker",
    POOL_STATUS: "status",
    POOL_PRIORITY: "priority",
    POOL_INDEX: "number",
    POOL_STRATUM_ACTIVE: "in use",
    POOL_LAST_SHARE_TIME: "last share time",
    POOL_DIFF: "difficulty",
    DEVS_MHS_5S: "hash rate (5-second average)",
    DEVS_MHS_AV: "hash rate (average since start)",
    DEVS_ENABLED: "enabled",
    DEVS_STATUS: "status",
    DEVS_NAME: "name",
    SYSTEM_MINER_TYPE: "model",
    SYSTEM_MAC: "MAC address",
    SYSTEM_HOSTNAME: "host name",
    SYSTEM_IP: "IP address",
    SYSTEM_FILESYSTEM_VERSION: "firmware file-system version",
    SYSTEM_BMMINER_VERSION: "bmminer version",
    NETWORK_HOSTNAME: "host name",
}
_PER_CHAIN_WORDS: Final = (
    (re.compile(r"^chain_acn(\d+)$"), "chain {} ASIC count"),
    (re.compile(r"^chain_acs(\d+)$"), "chain {} ASIC status"),
    (re.compile(r"^chain_hw(\d+)$"), "chain {} hardware errors"),
    (re.compile(r"^chain_rateideal(\d+)$"), "chain {} ideal hash rate"),
    (re.compile(r"^chain_rate(\d+)$"), "chain {} hash rate"),
    (re.compile(r"^freq_avg(\d+)$"), "chain {} average frequency"),
    (re.compile(r"^temp_pcb(\d+)$"), "chain {} board (PCB) temperatures"),
    (re.compile(r"^temp_chip(\d+)$"), "chain {} chip temperatures"),
    (re.compile(r"^temp2_(\d+)$"), "chain {} chip temperature"),
    (re.compile(r"^temp3_(\d+)$"), "chain {} second chip temperature"),
    (re.compile(r"^temp(\d+)$"), "chain {} board (PCB) temperature"),
    (re.compile(r"^fan(\d+)$"), "fan {} speed"),
)
_RPC_SOURCE: Final = re.compile(
    r"^rpc (?P<command>[a-z]+)(?:\[(?P<index>\d+)\])?(?: (?P<key>.+))?$"
)
_WEB_SOURCE: Final = re.compile(r"^web (?P<page>\S+(?: password check)?)(?: (?P<key>.+))?$")
_LINE_SOURCE: Final = re.compile(r"^(?P<where>kernel log|console) line (?P<line>\d+)$")


def describe_key(key: str) -> str:
    """A firmware field name in plain words: ``chain_acn2`` -> ``chain 2 ASIC count``."""
    if key in _KEY_WORDS:
        return _KEY_WORDS[key]
    for pattern, words in _PER_CHAIN_WORDS:
        if (match := pattern.match(key)) is not None:
            return words.format(match[1])
    return f"field {key!r}"


def describe_source(source: str) -> str:
    """Where a reading came from, in words a technician reads without knowing the firmware.

    ``rpc stats chain_acn2`` -> ``miner API, stats: chain 2 ASIC count``; ``rpc pools[1] URL`` ->
    ``miner API, pools: pool 2 URL``; ``web get_kernel_log.cgi`` -> ``web UI, kernel log``;
    ``kernel log line 42`` -> ``kernel log, line 42``. A source in no known form is returned as
    it is.
    """
    text = source.strip()
    if (match := _RPC_SOURCE.match(text)) is not None:
        command = match["command"]
        words = f"miner API, {_COMMAND_WORDS.get(command, command)}"
        # Evidence sometimes joins several keys with "/" (``Status/Accepted/Rejected``).
        keys = (
            ", ".join(describe_key(part) for part in match["key"].split("/"))
            if match["key"]
            else ""
        )
        if match["index"] is not None:
            pool = f"pool {int(match['index']) + 1}"
            return f"{words}: {pool} {keys}" if keys else f"{words}: {pool}"
        return f"{words}: {keys}" if keys else words
    if (match := _WEB_SOURCE.match(text)) is not None:
        page = match["page"]
        words = f"web UI, {_PAGE_WORDS.get(page, page)}"
        return f"{words}: {describe_key(match['key'])}" if match["key"] else words
    if (match := _LINE_SOURCE.match(text)) is not None:
        where = "serial console" if match["where"] == "console" else "kernel log"
        return f"{where}, line {match['line']}"
    return text


READING_COMMANDS: Final = {
    "chain": ("rpc stats",),
    "chains": ("rpc stats",),
    "board": ("rpc stats",),
    "fan": ("rpc stats",),
    "fans": ("rpc stats",),
    "totals": ("rpc summary", "rpc stats", "rpc devs"),
    "identity": ("rpc version", "rpc stats", "web get_system_info.cgi"),
    "pool": ("rpc pools",),
    "pools": ("rpc pools",),
    "kernel_log": ("web get_kernel_log.cgi",),
    "web": ("web",),
}
"""The reads that supply each group of readings (the first part of a reading key): when a whole
read fails, these say which readings it leaves unread."""


def reads_supplying(key_pattern: str) -> tuple[str, ...]:
    """The whole-read sources (``rpc stats``, ...) that supply readings matching ``key_pattern``."""
    return READING_COMMANDS.get(key_pattern.split(".", 1)[0], ())
