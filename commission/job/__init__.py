"""The commissioning job: who, where, which miner, every answer and result, and the one verdict.

:class:`Job` is the record (a pydantic model stored as one versioned JSON file); :class:`JobFile`
opens, changes and saves it crash-safely after every change, one writer at a time;
:func:`judge_job` gives the one READY / NOT READY / INCOMPLETE verdict with its reasons;
:class:`RecentJobs` remembers where the jobs are. Secrets are never stored: a password item only
records that it was set.
"""

from commission.job.files import (
    MAX_JOB_BYTES,
    MAX_JOB_DEPTH,
    JobFile,
    backup_path,
    read_bounded,
    read_job,
    restore_backup,
    write_atomically,
)
from commission.job.lock import JobLock, lock_path
from commission.job.models import (
    JOB_SCHEMA,
    LIVE_SPAN_LIMIT,
    SECRET_MARK,
    SIMULATED_NOTICE,
    Entry,
    Job,
    LiveCheck,
    LiveSpan,
    Location,
    MinerSource,
    MinerWrite,
    Position,
    SelfTestRun,
    SelfTestTier,
    SoakReading,
    SoakRun,
    migrate,
)
from commission.job.recent import RecentJob, RecentJobs, default_job_path
from commission.job.verdict import (
    SELFTEST_ID,
    JobVerdict,
    Readiness,
    Reason,
    ReasonSeverity,
    judge_job,
)

__all__ = [
    "JOB_SCHEMA",
    "LIVE_SPAN_LIMIT",
    "MAX_JOB_BYTES",
    "MAX_JOB_DEPTH",
    "SECRET_MARK",
    "SELFTEST_ID",
    "SIMULATED_NOTICE",
    "Entry",
    "Job",
    "JobFile",
    "JobLock",
    "JobVerdict",
    "LiveCheck",
    "LiveSpan",
    "Location",
    "MinerSource",
    "MinerWrite",
    "Position",
    "Readiness",
    "Reason",
    "ReasonSeverity",
    "RecentJob",
    "RecentJobs",
    "SelfTestRun",
    "SelfTestTier",
    "SoakReading",
    "SoakRun",
    "backup_path",
    "default_job_path",
    "judge_job",
    "lock_path",
    "migrate",
    "read_bounded",
    "read_job",
    "restore_backup",
    "write_atomically",
]
