"""The recent-jobs list under the data folder, so a technician can pick up yesterday's job.

A small JSON file (``recent-jobs.json`` in :func:`commission.settings.data_home`) with the newest
job first. It is an index only: the job files stay the truth, and an entry whose file has gone is
shown as missing rather than dropped silently.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, Field

from commission.errors import JobFileError
from commission.job.files import MAX_JOB_DEPTH, JobFile, json_depth, read_bounded, write_atomically
from commission.job.models import Job
from commission.settings import data_home

RECENT_FILE: Final = "recent-jobs.json"
RECENT_SCHEMA: Final = "commission.recent-jobs/1"
RECENT_LIMIT: Final = 20
RECENT_BYTES: Final = 1024 * 1024
"""The largest recent-jobs list read (twenty lines take a few kilobytes)."""


class RecentJob(BaseModel):
    """One line of the recent-jobs list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    technician: str
    site: str
    miner_serial: str = ""
    location: str = ""
    updated: datetime

    @property
    def exists(self) -> bool:
        """True while the job file is still there."""
        return Path(self.path).is_file()


class _RecentList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_: str = Field(default=RECENT_SCHEMA, alias="schema")
    jobs: list[RecentJob] = []


class RecentJobs:
    """The recent-jobs list in ``folder`` (default: the data folder from the environment)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder if folder is not None else data_home()
        self.path = self.folder / RECENT_FILE

    def entries(self) -> list[RecentJob]:
        """The remembered jobs, newest first; empty when nothing was remembered yet.

        Raises:
            JobFileError: when the list file exists but is broken (it is left as it is).
        """
        if not self.path.exists() and not self.path.is_symlink():
            return []
        data = read_bounded(self.path, what="recent-jobs list", limit=RECENT_BYTES)
        try:
            if json_depth(data) > MAX_JOB_DEPTH:
                raise ValueError(f"nested more than {MAX_JOB_DEPTH} levels deep")
            return _RecentList.model_validate(json.loads(data.decode("utf-8"))).jobs
        except (ValueError, RecursionError) as error:
            raise JobFileError(
                f"{self.path}: the recent-jobs list is broken ({error}); delete it to start a "
                "new list (the job files themselves are not affected)"
            ) from None

    def remember(self, job_file: JobFile) -> None:
        """Put ``job_file`` at the top of the list (once), keeping the newest entries only."""
        job = job_file.job
        path = str(job_file.path.resolve())
        entry = RecentJob(
            path=path,
            technician=job.technician,
            site=job.site,
            miner_serial=job.miner_serial,
            location=job.location.label(),
            updated=job.updated,
        )
        kept = [old for old in self.entries() if old.path != path]
        self._write([entry, *kept][:RECENT_LIMIT])

    def forget(self, path: str | Path) -> None:
        """Remove a job from the list (the job file is not touched)."""
        target = str(Path(path).resolve())
        self._write([old for old in self.entries() if old.path != target])

    def _write(self, jobs: list[RecentJob]) -> None:
        listing = _RecentList(jobs=jobs).model_dump_json(by_alias=True, indent=2) + "\n"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, listing.encode("utf-8"))
        except OSError as error:
            raise JobFileError(f"{self.path}: cannot be saved ({error})") from error


def default_job_path(job: Job, folder: Path | None = None) -> Path:
    """A file name for a new job in the data folder's ``jobs/``: serial (or id) and date."""
    base = (folder if folder is not None else data_home()) / "jobs"
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", job.miner_serial).strip("-.") or job.id[:12]
    return base / f"{name}-{job.created.strftime('%Y%m%d-%H%M%S')}.json"
