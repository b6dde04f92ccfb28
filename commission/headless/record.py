"""``commission --verify HOST --job FILE``: keep one job record per miner without the TUI.

An existing job is opened before the miner is read, so a job that another program holds is refused
at once rather than after a 20-minute soak; a new one is made when the run has produced something
(naming the login user as technician, and saying that the site was not recorded). After the run every live outcome is recorded
with its time, the soak with its series when ``--soak`` was given, and whether the miner was the
built-in simulator; then the job's one verdict (:func:`commission.job.judge_job`) is printed. A job
whose miner has another MAC than the one verified is not touched: its record stays that miner's.
"""

from __future__ import annotations

import getpass
from datetime import timedelta
from pathlib import Path
from typing import Final

from commission.checklist import Checklist, load_builtin
from commission.errors import JobFileError
from commission.job import Job, JobFile, JobVerdict, SoakRun, judge_job
from commission.verify.report import MinerReport

SOAK_RULE: Final = "soak.stability"
UNKNOWN_SITE: Final = "not recorded (job made by commission --verify)"


class HeadlessRecord:
    """The job one ``--verify`` run records into: an existing job is held (locked) for the whole
    run; a new one is created once there is something to record, so a run that fails to start
    leaves no empty job behind."""

    def __init__(self, path: Path, job_file: JobFile | None, checklist: Checklist) -> None:
        self.path = path
        self.job_file = job_file
        self.checklist = checklist
        self.created = job_file is None

    @classmethod
    def open(cls, path: str | Path, *, checklist: Checklist | None = None) -> HeadlessRecord:
        """Open the job at ``path`` now when it exists; otherwise it is created by :meth:`record`.

        Raises:
            JobFileError: the file is broken, of another checklist, or held by another program.
        """
        checklist = checklist if checklist is not None else load_builtin()
        path = Path(path)
        if not path.exists() and not path.is_symlink():
            return cls(path, None, checklist)
        return cls(path, JobFile.open(path, checklist=checklist), checklist)

    def _job_file(self, report: MinerReport) -> JobFile:
        if self.job_file is None:
            job = Job(
                technician=_login_name(),
                site=UNKNOWN_SITE,
                miner_host=report.host,
                checklist_id=self.checklist.id,
                checklist_version=self.checklist.version,
            )
            self.job_file = JobFile.create(self.path, job, checklist=self.checklist)
        return self.job_file

    def record(self, report: MinerReport, *, simulated: str | None) -> JobVerdict:
        """Record one miner's run: the miner's source, every outcome, the soak; return the verdict.

        Args:
            report: what verifying the miner produced.
            simulated: the simulator's scenario when the miner was the built-in simulator.

        Raises:
            JobFileError: the job belongs to a miner with another MAC, or cannot be saved.
        """
        job_file = self._job_file(report)
        job = job_file.job
        mac = report.identity.mac if report.identity is not None else None
        if mac and job.miner_mac and mac.upper() != job.miner_mac:
            raise JobFileError(
                f"{job_file.path}: the job is for the miner with MAC {job.miner_mac}, but "
                f"{report.host} reports MAC {mac.upper()}; nothing was recorded (give this miner "
                "its own job file)"
            )
        new_host = report.host if report.host and report.host != job.miner_host else None
        new_mac = mac if mac and not job.miner_mac else None
        if new_host is not None or new_mac is not None:
            job_file.update_details(miner_host=new_host, miner_mac=new_mac)
        job_file.note_miner(
            simulated=simulated is not None, scenario=simulated or "", host=report.host
        )
        soak = next((o for o in report.outcomes if o.rule_id == SOAK_RULE), None)
        if report.soak is not None and soak is not None:
            ran = report.soak.samples[-1].offset_s if report.soak.samples else 0.0
            run = SoakRun.from_series(
                report.soak,
                started_at=report.finished_at - timedelta(seconds=ran),
                finished_at=report.finished_at,
                outcome=soak,
            )
            job_file.record_soak(run, report.outcomes)
        else:
            job_file.record_outcomes(report.outcomes)
        return judge_job(job_file.job, self.checklist)

    def close(self) -> None:
        """Let the job go (release its lock)."""
        if self.job_file is not None:
            self.job_file.close()


def _login_name() -> str:
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):  # no login name in this environment
        return "unknown"
