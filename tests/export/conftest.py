"""Jobs with passes, failures, corrections, secrets, live results with history, a soak with a
missing sample, a self-test and a pools write, recorded through the job file API on a fixed clock.

``job`` came from the built-in simulator (so every page must carry the stamp); ``real_job`` is the
same record from a real miner.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commission.checklist import load_builtin
from commission.checklist.models import Checklist
from commission.job import Job, JobFile, Location, SelfTestRun, SelfTestTier, SoakReading, SoakRun
from commission.results import Evidence, Outcome, Status

POOL_PASSWORD = "hunter2-pool-secret"
WEB_PASSWORD = "n3w-web-secret"
GENERATED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
FAILED_TITLES = (
    "pH",
    "Inlet at least 3 °C above the dew point",
    "All 12 chains with 18 chips each",
)


def _clock() -> Iterator[datetime]:
    moment = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    while True:
        yield moment
        moment += timedelta(minutes=1)


def _at(minute: int) -> datetime:
    return datetime(2026, 11, 24, 9, minute, tzinfo=UTC)


@pytest.fixture(scope="session")
def checklist() -> Checklist:
    return load_builtin()


@pytest.fixture
def job_path(tmp_path: Path, checklist: Checklist) -> Path:
    return write_job(tmp_path / "job.json", checklist, simulated=True)


@pytest.fixture(scope="session")
def job(tmp_path_factory: pytest.TempPathFactory, checklist: Checklist) -> Job:
    """The simulated job as read back from its file (built once: the PDF tests reuse it)."""
    path = write_job(tmp_path_factory.mktemp("job") / "job.json", checklist, simulated=True)
    return Job.model_validate_json(path.read_text())


@pytest.fixture(scope="session")
def real_job(tmp_path_factory: pytest.TempPathFactory, checklist: Checklist) -> Job:
    """The same record from a real miner."""
    path = write_job(tmp_path_factory.mktemp("job") / "job.json", checklist, simulated=False)
    return Job.model_validate_json(path.read_text())


def soak_run() -> SoakRun:
    """A 20-minute soak, one reading a minute, the eighth sample unanswered."""
    samples = tuple(
        SoakReading(offset_s=index * 60, error="MinerUnreachable: timed out")
        if index == 7
        else SoakReading(
            offset_s=index * 60,
            elapsed_s=900 + index * 60,
            ghs_5s=17_800.0 + (index % 5) * 60,
            pcb_c={1: 55 + index * 0.3, 2: 57 + index * 0.2, 3: 56.0, 4: 60 - index * 0.1},
        )
        for index in range(21)
    )
    outcome = Outcome(
        rule_id="soak.stability",
        item_id="water.soak",
        title="Stable through the soak",
        status=Status.WARN,
        expected="20 min without a missed reading",
        observed="1 of 21 samples had no answer",
        action="check the network cable to the control board",
        section="water",
        guide_ref="4",
        at=_at(55),
    )
    return SoakRun(
        started_at=_at(35),
        finished_at=_at(55),
        minutes=20,
        interval_s=60,
        samples=samples,
        outcome=outcome,
    )


def write_job(path: Path, checklist: Checklist, *, simulated: bool) -> Path:
    """Record the fixture job at ``path`` through the real job file API."""
    ticks = _clock()
    job = Job(
        id="0123456789abcdef0123456789abcdef",
        technician="R. Ortega",
        site="Hall B",
        miner_serial="SIMH0001",
        miner_mac="02:5a:c5:00:00:01",
        miner_host="127.0.0.1",
        location=Location(shelf="3", step="2", position="14"),
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        created=datetime(2026, 11, 24, 8, 59, tzinfo=UTC),
        updated=datetime(2026, 11, 24, 8, 59, tzinfo=UTC),
    )
    with JobFile.create(path, job, checklist=checklist, now=lambda: next(ticks)) as job_file:
        _record(job_file, checklist, simulated=simulated)
    return path


def _record(job_file: JobFile, checklist: Checklist, *, simulated: bool) -> None:
    for item_id, text in (
        ("site.ambient-temperature", "24"),
        ("site.relative-humidity", "55"),
        ("psu.pcie.b1-1", "yes"),
        ("psu.pcie.b1-2", "no"),
        ("psu.output-voltage", "12,05 V"),
        ("water.ph", "9.8"),
        ("water.ph", "9.6"),
        ("water.inlet-temperature", "16"),
        ("pools.1.url", "stratum+tcp://pool.example.com:3333"),
        ("pools.1.password", POOL_PASSWORD),
        ("admin.new-password", WEB_PASSWORD),
    ):
        job_file.answer(checklist.item(item_id), text)
    job_file.note_miner(
        simulated=simulated, scenario="chain-missing:7" if simulated else "", host="127.0.0.1"
    )
    job_file.record_outcomes(
        [
            Outcome(
                rule_id="hashrate.nominal",
                item_id="monitoring.hashrate-nominal",
                title="Hash rate near 18.0 TH/s",
                status=Status.SKIPPED,
                expected="at least 17.1 TH/s once warmed up",
                observed="warming up (elapsed 120 s)",
                section="monitoring",
                guide_ref="7",
                at=_at(20),
            ),
            Outcome(
                rule_id="chains.present",
                item_id="monitoring.chains-present",
                title="All 12 chains present",
                status=Status.FAIL,
                expected="12 chains with 18 ASICs each",
                observed="11 of 12 chains; missing: 7",
                action="check hash board 4, PCIe connector PCIe-B4.2 and its ribbon cable",
                evidence=(
                    Evidence(label="chain 7 ASICs", value="0", source="rpc stats chain_acn7"),
                ),
                section="monitoring",
                guide_ref="7",
                at=_at(30),
            ),
            Outcome(
                rule_id="hashrate.nominal",
                item_id="monitoring.hashrate-nominal",
                title="Hash rate near 18.0 TH/s",
                status=Status.PASS,
                expected="at least 17.1 TH/s once warmed up",
                observed="17.95 TH/s",
                section="monitoring",
                guide_ref="7",
                at=_at(31),
            ),
            Outcome(
                rule_id="temps.margin",
                item_id="monitoring.temps-margin",
                title="Boards well below the 80 °C cut-off",
                status=Status.UNJUDGED,
                expected="every PCB at most 75 °C",
                observed="board 3 reported no temperature",
                action="read the status page again once board 3 reports",
                section="monitoring",
                guide_ref="7",
                at=_at(31),
            ),
        ]
    )
    job_file.record_soak(soak_run())
    job_file.record_miner_write("pools", ok=True, detail="3 pools, worker account.worker1")
    job_file.record_selftest(
        SelfTestRun(
            at=_at(58),
            implementation="compiled",
            tiers=(
                SelfTestTier(tier="sha-ni", passed=True, detail="2 of 2 match", mhs=41.5),
                SelfTestTier(tier="portable", passed=True, detail="2 of 2 match", mhs=6.2),
            ),
        )
    )
