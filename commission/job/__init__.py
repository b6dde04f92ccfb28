"""The commissioning job: who, where, which miner, every answer and measurement, and the results.

:class:`Job` is the record (a pydantic model stored as one JSON file); :class:`JobFile` opens,
changes and saves it crash-safely after every change; :class:`RecentJobs` remembers where the
jobs are. Secrets are never stored: a password item only records that it was set.
"""

from commission.job.files import (
    JobFile,
    backup_path,
    read_job,
    restore_backup,
    write_atomically,
)
from commission.job.models import JOB_SCHEMA, SECRET_MARK, Entry, Job, Location, Position
from commission.job.recent import RecentJob, RecentJobs, default_job_path

__all__ = [
    "JOB_SCHEMA",
    "SECRET_MARK",
    "Entry",
    "Job",
    "JobFile",
    "Location",
    "Position",
    "RecentJob",
    "RecentJobs",
    "backup_path",
    "default_job_path",
    "read_job",
    "restore_backup",
    "write_atomically",
]
