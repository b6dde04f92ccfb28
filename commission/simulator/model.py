"""The physical S9 Hydro and its bmminer process, as a small deterministic model.

Owns what the replies report: which chains and ASICs were detected, frequencies and ideal rates,
the hash-rate ramp after bmminer starts, board and chip temperatures driven by the water inlet
temperature, the flow and the power, fan speeds, hardware errors, share counters, the 80 °C PCB
trip, bmminer crashing and restarting (``restart-loop``), and the log lines bmminer writes.

Seed 0 is the guide's example miner: its chains run at the frequencies of the guide's status page
and its four boards are alike. Every other seed is one particular miner: each board sits a little
warmer or cooler and takes heat a little differently, the sensors read with noise, and the water
loop warms up over the first minutes after the chains start (the warm-up curve a soak must see
settle). Time comes only from the clock passed to :meth:`HydroModel.advance_to`, and randomness only
from the seed, so two models with the same seed and the same clock readings report the same
numbers.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Final

from commission.miner.fields import FATAL_LINES, FATAL_TEMPERATURE, LOG_CHAIN_ASICS
from commission.miner.layout import ASICS_PER_CHAIN, BOARDS, CHAIN_PLACES, CHAINS, chains_of_board
from commission.simulator.scenarios import ScenarioSet

CORES_PER_ASIC: Final = 114
"""BM1387 cores: ideal GH/s = MHz x cores x chips / 1000."""
GUIDE_FREQUENCIES: Final = (744, 748, 735, 749, 749, 749, 749, 743, 750, 749, 743, 735)
"""Average MHz of chains 2, 3, 4, 6-14 on the guide's status page (seed 0 uses them as is)."""
TRIP_PCB_C: Final = 80.0
"""The firmware stops hashing when a PCB reading reaches this (the guide, section 7)."""
INIT_SECONDS: Final = 30.0
"""bmminer's chain detection and tuning before the first nonce."""
RAMP_SECONDS: Final = 15.0
"""Time constant of the hash-rate rise once hashing starts."""
BOARD_TAU_SECONDS: Final = 60.0
"""Time constant of a board's temperature following its equilibrium."""
PCB_RISE_C: Final = 24.0
"""PCB above the water at full power and nominal flow (guide: ~55 °C at a ~29 °C inlet)."""
CHIP_RISE_C: Final = 15.0
"""Chips above their PCB at full power."""
NOMINAL_FLOW_LPM: Final = 10.0
BOARD_OFFSET_C: Final = 1.5
"""A board sits up to this much warmer or cooler than the others (cold-plate contact, its share
of the flow); seeds other than 0 only."""
BOARD_HEAT_SPREAD: Final = 0.05
"""A board takes up to 5 % more or less heat rise than the others; seeds other than 0 only."""
SENSOR_NOISE_C: Final = 0.6
"""Each temperature sensor reads up to this much off, changing every 5 s, before the firmware
rounds it; seeds other than 0 only."""
LOOP_RISE_C: Final = (1.5, 3.0)
"""The water leaves the radiator this much above the inlet setting at full load, once the loop
has warmed up; seeds other than 0 only (seed 0's water stays at the inlet temperature)."""
LOOP_TAU_SECONDS: Final = 180.0
"""Time constant of the water loop warming up after the chains start (seeds other than 0)."""
WATER_TAU_SECONDS: Final = 30.0
"""Time constant of seed 0's water following the inlet temperature."""
FAULTY_SENSOR_C: Final = -83
"""What a broken chip sensor reads (a real 2019 stock S9 capture shows ``temp2_7: -83``)."""
MIN_FANS: Final = 2
"""bmminer stops with "Fan lost!" when fewer fans than this turn (``MIN_FAN_NUM``)."""
POOL_DIFFICULTY: Final = 65536
NO_WORK_FATAL_SECONDS: Final = 120.0
BOOT_LINE_SECONDS: Final = 0.02
"""Console pacing of the boot messages (compressed: a real boot takes about a minute)."""
CHAIN_DETECT_SECONDS: Final = 0.4
"""When bmminer's chain detection lines reach the console after it starts."""
CRASH_LINE: Final = "bmminer exited unexpectedly (signal 11); the monitor starts it again"
"""What the ``restart-loop`` scenario writes to the log when bmminer crashes (not a firmware
``Fatal Error`` line: only the soak's restart detection catches it)."""
MAX_STEP_SECONDS: Final = 1.0
MAX_STEPS: Final = 4000
_MASK64: Final = (1 << 64) - 1
_TWO32: Final = float(1 << 32)

COMPILE_TIME_HYDRO: Final = "Mon Aug 20 11:12:13 CST 2018"
COMPILE_TIME_OLD: Final = "Fri Nov 17 17:37:49 CST 2017"
MINER_VERSION_HYDRO: Final = "30.0.1.3"
MINER_VERSION_OLD: Final = "16.8.1.3"


def unit_noise(*keys: int) -> float:
    """A deterministic pseudo-random number in [0, 1) from integer keys (splitmix64 finaliser)."""
    x = hash(keys) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    x ^= x >> 31
    return x / float(1 << 64)


@dataclass
class ChainModel:
    """One hash chain: what bmminer detected and what it is doing."""

    chain: int
    board: int
    asics: int
    """ASICs detected (0 when the chain is missing)."""
    failed: tuple[int, ...]
    """Indexes (0-based) of chips shown as ``x``."""
    frequency_mhz: float
    rate_factor: float
    """Real-time rate / ideal rate when fully ramped."""
    hw_share: float
    """Hardware errors per diff-1 work unit."""
    heat_factor: float
    """1 normally; more when air is trapped in this board's cold plate."""
    pcb_offsets: tuple[float, float, float]
    chip_offsets: tuple[float, float, float]
    board_offset_c: float = 0.0
    """How much warmer this chain's board sits than an average board (0 for seed 0)."""
    noise_c: float = 0.0
    """Sensor noise amplitude (0 for seed 0)."""
    noise_seed: int = 0
    faulty_chip_sensor: int | None = None
    """Index (0-2) of a chip sensor that reads :data:`FAULTY_SENSOR_C` (``sensor-faulty``)."""
    bucket: int = 0
    """The 5-second window of the latest reading (state: sensor noise changes per window)."""
    pcb_c: float = 0.0
    """The board's mean PCB temperature (state)."""
    load: float = 0.0
    """Fraction of full power the chain draws right now (state)."""
    hashes_gh: float = 0.0
    """Work done since bmminer started, in GH (state)."""
    hw_errors: float = 0.0

    @property
    def present(self) -> bool:
        """True when bmminer found ASICs on this chain."""
        return self.asics > 0

    @property
    def ideal_ghs(self) -> float:
        """bmminer's ``chain_rateideal``: MHz x 114 cores x chips / 1000."""
        return self.frequency_mhz * CORES_PER_ASIC * self.asics / 1000.0

    def _noise(self, sensor: int) -> float:
        if not self.noise_c:
            return 0.0
        return (
            (unit_noise(self.noise_seed, self.chain, sensor, self.bucket) - 0.5) * 2 * self.noise_c
        )

    def pcb_readings(self) -> tuple[int, int, int]:
        """The three PCB sensor readings, as the firmware rounds them."""
        a, b, c = (
            round(self.pcb_c + offset + self._noise(index))
            for index, offset in enumerate(self.pcb_offsets)
        )
        return a, b, c

    def chip_readings(self, flow_factor: float) -> tuple[int, int, int]:
        """The three chip readings: the board plus the chips' own rise at the current load."""
        rise = CHIP_RISE_C * self.load * self.heat_factor * flow_factor
        a, b, c = (
            FAULTY_SENSOR_C
            if index == self.faulty_chip_sensor
            else round(self.pcb_c + rise + offset + self._noise(10 + index))
            for index, offset in enumerate(self.chip_offsets)
        )
        return a, b, c

    def asic_status(self) -> str:
        """bmminer's ``chain_acs``: a space before every group of 8, ``o`` or ``x`` per chip."""
        out = []
        for index in range(self.asics):
            if index % 8 == 0:
                out.append(" ")
            out.append("x" if index in self.failed else "o")
        return "".join(out)


@dataclass
class PoolModel:
    """One configured pool: its settings and whether it answers."""

    url: str
    user: str
    password: str = field(repr=False)
    reachable: bool = True

    @property
    def alive(self) -> bool:
        """True when the pool is configured and reachable."""
        return bool(self.url) and self.reachable


DEFAULT_POOLS: Final = (
    ("stratum+tcp://solo.antpool.com:3333", "antminer_1", "123"),
    ("stratum+tcp://stratum.antpool.com:3333", "antminer_1", "123"),
    ("stratum+tcp://cn.ss.btc.com:3333", "antminer.1", "123"),
)
"""The pools on the guide's status page (the factory worker names)."""


class HydroModel:
    """A deterministic S9 Hydro: chains, water loop, fans, bmminer counters and logs.

    Args:
        scenarios: the faults to show.
        seed: makes frequencies, sensor offsets and noise differ between miners.
        now: the clock reading at power-on.
        mac: the control board's MAC (printed in a boot log line).
    """

    def __init__(self, scenarios: ScenarioSet, seed: int, now: float, mac: str) -> None:
        self.scenarios = scenarios
        self.seed = seed
        self.mac = mac
        rng = random.Random(seed)
        self.old_firmware = "old-firmware" in scenarios
        self.compile_time = COMPILE_TIME_OLD if self.old_firmware else COMPILE_TIME_HYDRO
        self.miner_version = MINER_VERSION_OLD if self.old_firmware else MINER_VERSION_HYDRO
        self.inlet_c = 56.0 if "inlet-too-warm" in scenarios else round(rng.uniform(27.5, 29.5), 1)
        """Water inlet temperature in °C (tests and demos may change it)."""
        self.flow_lpm = round(rng.uniform(8.5, 11.5), 1)
        """Water flow through the plates in L/min while the pump runs."""
        self.pump_running = "pump-stopped" not in scenarios
        self.water_c = self.inlet_c
        # A second stream, so that seed 0's numbers (and every draw above) stay as they were.
        variation = random.Random(f"hydro-boards-{seed}")
        varied = seed != 0
        self.board_offset_c = {
            board: variation.uniform(-BOARD_OFFSET_C, BOARD_OFFSET_C) if varied else 0.0
            for board in BOARDS
        }
        """How much warmer each hash board sits than an average one."""
        self.board_heat = {
            board: variation.uniform(1 - BOARD_HEAT_SPREAD, 1 + BOARD_HEAT_SPREAD)
            if varied
            else 1.0
            for board in BOARDS
        }
        self.loop_rise_c = variation.uniform(*LOOP_RISE_C) if varied else 0.0
        """How far above the inlet the water settles at full load."""
        self.sensor_noise_c = SENSOR_NOISE_C if varied else 0.0
        self.chains = self._make_chains(rng)
        stalled = scenarios.ints_of("fan-stalled")
        self.fan_base = {
            index: (
                0 if index in stalled else (1320 if index == 5 else 2280) + 120 * rng.randint(-1, 1)
            )
            for index in range(1, 7)
        }
        dead = set()
        if "pool-dead" in scenarios:
            dead.add(0)
        if "all-pools-dead" in scenarios:
            dead.update({0, 1, 2})
        worker_unset = "worker-unset" in scenarios
        configured = DEFAULT_POOLS[:1] if "one-pool" in scenarios else DEFAULT_POOLS
        self.pools = [
            PoolModel(url, "" if worker_unset else user, password, reachable=index not in dead)
            for index, (url, user, password) in enumerate(configured)
        ]
        self.conf_extra: dict[str, str | bool] = {}
        """Optional bmminer.conf settings saved through set_miner_conf.cgi."""
        self.frequency_setting = round(
            sum(GUIDE_FREQUENCIES) / len(GUIDE_FREQUENCIES) + (rng.randint(-5, 5) if seed else 0)
        )
        self.boot_at = now
        self.started_at = now
        self.updated_at = now
        self.stopped_at: float | None = None
        """When the temperature trip stopped hashing (None while running)."""
        self.no_work_logged = False
        self.dmesg: list[str] = []
        self.bmminer_log: list[str] = []
        self.console_lines: list[tuple[float, str]] = []
        """(clock time it is due, line) for the serial console, in order; the console writer
        sends each line once its time has come, so the boot log unrolls over the boot."""
        self._log_at = now
        self.calls = 0
        self._boot_logs(now)

    # ----------------------------------------------------------------------------- construction

    def _make_chains(self, rng: random.Random) -> dict[int, ChainModel]:
        scenarios = self.scenarios
        missing = set(scenarios.ints_of("chain-missing"))
        for board in scenarios.ints_of("board-missing"):
            missing.update(chains_of_board(board))
        fewer = {int(args[0]): int(args[1]) for args in scenarios.args_of("asics-missing")}
        failed_chains = scenarios.ints_of("asic-failed")
        trapped_boards = scenarios.ints_of("air-trapped")
        hw_chains = scenarios.ints_of("hw-errors")
        hw_board = rng.choice((1, 2, 3, 4)) if "hw-errors" in scenarios and not hw_chains else None
        faulty_sensors = scenarios.ints_of("sensor-faulty")
        low = "low-hashrate" in scenarios
        chains: dict[int, ChainModel] = {}
        for chain, base in zip(CHAINS, GUIDE_FREQUENCIES, strict=True):
            place = CHAIN_PLACES[chain]
            frequency = base + (rng.randint(-6, 6) if self.seed else 0)
            asics = 0 if chain in missing else ASICS_PER_CHAIN - fewer.get(chain, 0)
            failed = (rng.randrange(asics),) if chain in failed_chains and asics else ()
            rate = 1.0 + rng.uniform(-0.012, 0.012)
            if low:
                rate *= rng.uniform(0.72, 0.84)
            if failed:
                rate *= (asics - len(failed)) / asics
            hw_share = 2.0e-7
            if place.board == hw_board:
                hw_share = 0.03
                rate *= 0.97
            if chain in hw_chains:
                # About 900 errors in 15 minutes: the chain's own share is high, the miner's small.
                hw_share = 0.003
            pcb_offsets = (0.0, rng.choice((0.0, 1.0, 3.0)), -rng.choice((2.0, 3.0)))
            heat = 1.65 if place.board in trapped_boards else 1.0
            chains[chain] = ChainModel(
                chain=chain,
                board=place.board,
                asics=asics,
                failed=failed,
                frequency_mhz=float(frequency),
                rate_factor=rate,
                hw_share=hw_share,
                heat_factor=heat * self.board_heat[place.board],
                pcb_offsets=pcb_offsets,
                chip_offsets=pcb_offsets,
                board_offset_c=self.board_offset_c[place.board],
                noise_c=self.sensor_noise_c,
                noise_seed=self.seed,
                faulty_chip_sensor=1 if chain in faulty_sensors and asics else None,
                pcb_c=self.inlet_c,
            )
        return chains

    # ----------------------------------------------------------------------------- logs

    def _log(self, line: str, at: float | None = None) -> None:
        self.bmminer_log.append(line)
        self.console_lines.append((self._log_at if at is None else at, line))

    def console(self, line: str, at: float) -> None:
        """Queue a runtime message for the serial console."""
        self.console_lines.append((at, line))

    def _boot_logs(self, now: float) -> None:
        """The kernel's boot messages and bmminer's chain detection, as after power-on."""
        self.dmesg = [
            "[    0.000000] Booting Linux on physical CPU 0x0",
            "[    0.000000] Linux version 3.14.0-xilinx (simulated S9 Hydro control board)",
            "[    0.000000] Memory: 256 MB of RAM on the control board",
            "[    1.204417] NAND device found, 256 MiB, reading the root filesystem",
            f"[    2.513902] eth0: link up, 100 Mbps full duplex, MAC {self.mac}",
            "[    3.020113] Serial console ttyPS0 at 115200 baud, 8N1",
        ]
        boot = [
            "U-Boot 2014.01 (simulated control board)",
            "Reading the kernel image from NAND into memory ...",
            "Starting the kernel ...",
            "",
            *self.dmesg,
            "",
            "antMiner login: ",
        ]
        self.console_lines.extend(
            (now + BOOT_LINE_SECONDS * index, line) for index, line in enumerate(boot)
        )
        self._start_bmminer(now)

    def _start_bmminer(self, now: float) -> None:
        self.started_at = now
        self.updated_at = now
        self.stopped_at = None
        self.no_work_logged = False
        for chain in self.chains.values():
            chain.hashes_gh = 0.0
            chain.hw_errors = 0.0
            chain.load = 0.0
        self._log_at = now + CHAIN_DETECT_SECONDS
        self._log("Miner Type = S9 Hydro")
        self._log(f"Miner compile time: {self.compile_time}")
        for chain in self.chains.values():
            self._log(LOG_CHAIN_ASICS.format(chain=chain.chain, asics=chain.asics))
        for chain in self.chains.values():
            if chain.present:
                self._log(f"Chain[J{chain.chain}] PIC temp offset=62,0,0,0,0,0,35,28")
                self._log(f"OK: Chain[J{chain.chain}] is for this machine! [minerMAC: {self.mac}]")
        for chain in self.chains.values():
            if chain.present:
                self._log(f"Chain[J{chain.chain}] working frequency={chain.frequency_mhz:.0f}M")
        self._log_at = now

    def restart_bmminer(self, now: float) -> None:
        """bmminer restarts (new pools saved): counters and Elapsed start again from zero."""
        self.advance_to(now)
        self._log("bmminer restarted by the web interface", at=now)
        self._start_bmminer(now)

    def reboot(self, now: float) -> None:
        """The control board reboots: a fresh kernel log, boot messages, bmminer from zero."""
        self.advance_to(now)
        self.boot_at = now
        self.bmminer_log = []
        self._boot_logs(now)

    # ----------------------------------------------------------------------------- physics

    @property
    def running_pools(self) -> bool:
        """True when at least one pool gives work."""
        return any(pool.alive for pool in self.pools)

    @property
    def flow_factor(self) -> float:
        """How much hotter the boards run than at nominal flow (stagnant water: much hotter)."""
        if not self.pump_running or self.flow_lpm <= 0:
            return 1.5
        return (NOMINAL_FLOW_LPM / max(self.flow_lpm, 1.0)) ** 0.3

    def _inlet(self) -> float:
        stalled = sum(1 for rpm in self.fan_base.values() if rpm == 0)
        return self.inlet_c + 0.6 * stalled

    def _ramp(self, since_start: float) -> float:
        if since_start <= INIT_SECONDS:
            return 0.0
        return 1.0 - math.exp(-(since_start - INIT_SECONDS) / RAMP_SECONDS)

    def hashing(self, at: float) -> bool:
        """True when the chains are hashing at clock time ``at``."""
        return (
            self.stopped_at is None and self.running_pools and at - self.started_at > INIT_SECONDS
        )

    def advance_to(self, now: float) -> None:
        """Integrate the model up to clock time ``now`` (no-op when time has not moved)."""
        bucket = int(now // 5)
        for chain in self.chains.values():
            chain.bucket = bucket
        total = now - self.updated_at
        if total <= 0:
            return
        steps = min(MAX_STEPS, max(1, math.ceil(total / MAX_STEP_SECONDS)))
        dt = total / steps
        begin = self.updated_at
        for step in range(steps):
            self._step(begin + dt * step, dt)
        self.updated_at = now

    def _step(self, at: float, dt: float) -> None:
        end = at + dt
        period = self.scenarios.restart_every_s
        if period is not None and end - self.started_at >= period:
            crashed_at = self.started_at + period
            self._log(CRASH_LINE, at=crashed_at)
            self._start_bmminer(crashed_at)
        since_start = end - self.started_at
        hashing = self.hashing(end)
        ramp = self._ramp(since_start) if hashing else 0.0
        total_load = 0.0
        flow_factor = self.flow_factor
        decay = 1.0 - math.exp(-dt / BOARD_TAU_SECONDS)
        for chain in self.chains.values():
            if not chain.present:
                chain.load = 0.0
                chain.pcb_c += (self.water_c - chain.pcb_c) * decay
                continue
            chain.load = ramp * min(chain.rate_factor, 1.0)
            total_load += chain.load / len(self.chains)
            rise = PCB_RISE_C * chain.load * chain.heat_factor * flow_factor
            equilibrium = self.water_c + 1.5 + chain.board_offset_c + rise
            chain.pcb_c += (equilibrium - chain.pcb_c) * decay
            if hashing:
                gh = chain.ideal_ghs * chain.rate_factor * ramp * dt
                chain.hashes_gh += gh
                chain.hw_errors += gh * 1e9 / _TWO32 * chain.hw_share
        inlet = self._inlet()
        if self.pump_running:
            # The radiator gives the heat back with a lag: the loop warms over minutes.
            target = inlet + self.loop_rise_c * total_load
            tau = LOOP_TAU_SECONDS if self.loop_rise_c else WATER_TAU_SECONDS
            self.water_c += (target - self.water_c) * (1.0 - math.exp(-dt / tau))
        else:
            # Stagnant water in the plates takes the boards' heat and loses little of it.
            self.water_c += 0.09 * total_load * dt - (self.water_c - inlet) * dt / 3000.0
        if self.stopped_at is None and hashing:
            hottest = max(
                (max(chain.pcb_readings()) for chain in self.chains.values() if chain.present),
                default=0,
            )
            if hottest >= TRIP_PCB_C:
                self.stopped_at = end
                self._log(FATAL_TEMPERATURE, at=end)
            elif sum(1 for rpm in self.fan_base.values() if rpm > 0) < MIN_FANS:
                self.stopped_at = end
                self._log(FATAL_LINES[1], at=end)
        if (
            not self.running_pools
            and not self.no_work_logged
            and since_start >= NO_WORK_FATAL_SECONDS
        ):
            self.no_work_logged = True
            self._log(FATAL_LINES[3], at=end)

    # ----------------------------------------------------------------------------- readings

    def elapsed(self, now: float) -> int:
        """bmminer's ``Elapsed``: whole seconds since it started."""
        return max(0, int(now - self.started_at))

    def uptime(self, now: float) -> int:
        """Seconds since the control board booted."""
        return max(0, int(now - self.boot_at))

    def chain_rate(self, chain: ChainModel, now: float) -> float:
        """The 5-second real-time rate of one chain in GH/s (0 when it does not hash)."""
        if not chain.present or not self.hashing(now):
            return 0.0
        bucket = int(now // 5)
        wobble = (unit_noise(self.seed, chain.chain, bucket) - 0.5) * 0.03
        return (
            chain.ideal_ghs * chain.rate_factor * self._ramp(now - self.started_at) * (1 + wobble)
        )

    def fan_speeds(self, now: float) -> list[int]:
        """Speeds of fan slots 1-8 in r/min (7 and 8 always 0; a stalled fan 0)."""
        bucket = int(now // 5)
        speeds = []
        for index in range(1, 9):
            base = self.fan_base.get(index, 0)
            if base:
                base += 120 * (int(unit_noise(self.seed, 100 + index, bucket) * 3) - 1)
            speeds.append(base)
        return speeds

    def total_hashes_gh(self) -> float:
        """Work done since bmminer started, in GH."""
        return sum(chain.hashes_gh for chain in self.chains.values())

    def diff1_work(self) -> float:
        """Difficulty-1 work units done (hashes / 2^32)."""
        return self.total_hashes_gh() * 1e9 / _TWO32

    def hardware_errors(self) -> int:
        """Hardware errors since bmminer started."""
        return int(sum(chain.hw_errors for chain in self.chains.values()))

    def shares(self) -> tuple[int, int]:
        """Accepted and rejected shares at the pool difficulty since bmminer started."""
        found = self.diff1_work() / POOL_DIFFICULTY
        rejected = int(found * 0.0015)
        return int(found) - rejected, rejected

    def active_pool(self) -> int | None:
        """Index of the pool that gets the work (the first alive one), or None."""
        for index, pool in enumerate(self.pools):
            if pool.alive:
                return index
        return None

    def seconds_since_share(self, now: float) -> float | None:
        """Seconds since the last accepted share, or None before the first one."""
        accepted, _ = self.shares()
        if accepted == 0:
            return None
        rate = sum(self.chain_rate(chain, now) for chain in self.chains.values())
        if rate <= 0:
            return max(0.0, now - self.updated_at)
        per_share = POOL_DIFFICULTY * _TWO32 / (rate * 1e9)
        fraction = self.diff1_work() / POOL_DIFFICULTY - int(self.diff1_work() / POOL_DIFFICULTY)
        return fraction * per_share

    def kernel_log(self) -> list[str]:
        """What get_kernel_log.cgi shows: the kernel's messages, then bmminer's log."""
        return [*self.dmesg, *self.bmminer_log]
