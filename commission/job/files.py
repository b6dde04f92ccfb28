"""Job files on disk: crash-safe saving, a backup of the last good state, and clear errors.

Every change is written as a whole new file next to the old one (write, flush, fsync), the old file
is hard-linked to ``<name>.bak``, the new one is renamed over the old (``os.replace`` is atomic on
POSIX) and the folder is fsynced. A kill at any instant therefore leaves either the old or the new
file, both complete. A file that cannot be read is reported with its name and the problem and is
never overwritten: :func:`restore_backup` is the explicit way back to the previous good state.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from commission.checklist import (
    Checklist,
    ChoiceItem,
    ConfirmItem,
    DerivedItem,
    Item,
    MeasurementItem,
    TextItem,
    Verdict,
    VerdictStatus,
    evaluate_choice,
    evaluate_derived,
    evaluate_measurement,
    evaluate_text,
)
from commission.errors import JobFileError
from commission.job.models import SECRET_MARK, Entry, Job, Location, Position, utc_now
from commission.results import Outcome

Clock = Callable[[], datetime]
CONFIRM_ANSWERS = ("yes", "no")


def backup_path(path: Path) -> Path:
    """Where the previous good state of job file ``path`` is kept."""
    return path.with_name(path.name + ".bak")


def write_atomically(path: Path, data: bytes, *, backup: Path | None = None) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file, never a mix.

    Args:
        path: the file to write; its folder must exist.
        data: the complete new content.
        backup: when given and ``path`` exists, the old file is kept here (hard link, or a copy on
            file systems without links) before it is replaced.

    Raises:
        OSError: when the folder is not writable, the disk is full, and the like. The old file is
            then untouched and the temporary file removed.
    """
    folder = path.parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if backup is not None and path.exists():
            _keep_backup(path, backup)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_folder(folder)


def _keep_backup(path: Path, backup: Path) -> None:
    staging = backup.with_name(f".{backup.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(staging)
    try:
        os.link(path, staging)
    except OSError:
        # No hard links here (some network and FUSE file systems): copy and flush instead.
        shutil.copyfile(path, staging)
        with open(staging, "rb") as stream:
            os.fsync(stream.fileno())
    os.replace(staging, backup)


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_job(path: Path) -> tuple[Job, bytes]:
    """Read and validate the job file ``path``; returns the job and the bytes it was read from.

    Raises:
        JobFileError: naming the file and the problem (missing, unreadable, not JSON, not a job),
            and pointing at the backup when there is one.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise JobFileError(f"{path}: no such job file") from None
    except IsADirectoryError:
        raise JobFileError(f"{path}: is a folder, not a job file") from None
    except OSError as error:
        raise JobFileError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise _corrupt(path, f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    except json.JSONDecodeError as error:
        problem = f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        if not data.strip():
            problem = "the file is empty"
        raise _corrupt(path, problem) from None
    try:
        return Job.model_validate(raw), data
    except ValidationError as error:
        details = [
            f"{'.'.join(str(part) for part in detail['loc']) or '(top level)'}: {detail['msg']}"
            for detail in error.errors(include_url=False)[:5]
        ]
        more = error.error_count() - len(details)
        if more > 0:
            details.append(f"and {more} more")
        raise _corrupt(path, "not a valid job: " + "; ".join(details)) from None


def _corrupt(path: Path, problem: str) -> JobFileError:
    backup = backup_path(path)
    if backup.exists():
        hint = (
            f"; it was left untouched. The previous good state is in {backup}: "
            "restore it explicitly (commission.job.restore_backup) or repair the file by hand"
        )
    else:
        hint = "; it was left untouched and there is no backup to restore"
    return JobFileError(f"{path}: {problem}{hint}")


def restore_backup(path: str | Path, *, now: Clock = utc_now) -> Path:
    """Put the backup of a broken job file back in its place, keeping the broken file aside.

    Returns:
        Where the broken file was moved (``<name>.broken-<UTC time>``), so nothing is lost.

    Raises:
        JobFileError: when there is no backup or the backup itself is not a valid job.
    """
    path = Path(path)
    backup = backup_path(path)
    if not backup.exists():
        raise JobFileError(f"{path}: there is no backup {backup} to restore")
    read_job(backup)  # refuse to restore a backup that is itself broken
    aside = path.with_name(f"{path.name}.broken-{now().strftime('%Y%m%dT%H%M%S')}")
    try:
        if path.exists():
            os.replace(path, aside)
        write_atomically(path, backup.read_bytes())
    except OSError as error:
        raise JobFileError(f"{path}: cannot restore the backup ({error})") from error
    return aside


class JobFile:
    """An open job and the file it lives in; every change is saved at once.

    Read the job through :attr:`job` and change it only through the methods here, which validate
    the change, stamp the time and save. Bind a checklist to judge answers and keep derived items
    (dew-point margin, PSU load, J/TH) up to date as their inputs change. One writer per file.
    """

    def __init__(
        self,
        path: Path,
        job: Job,
        on_disk: bytes | None,
        *,
        checklist: Checklist | None = None,
        now: Clock = utc_now,
    ) -> None:
        self.path = path
        self._job = job
        self._on_disk = on_disk
        self.checklist = checklist
        self._now = now

    @classmethod
    def create(
        cls,
        path: str | Path,
        job: Job,
        *,
        checklist: Checklist | None = None,
        now: Clock = utc_now,
    ) -> JobFile:
        """Save a new job to ``path`` (the folder is created); refuses to replace an existing file.

        Raises:
            JobFileError: when ``path`` exists already or cannot be written.
        """
        path = Path(path)
        if path.exists():
            raise JobFileError(f"{path}: a job file exists already; open it to resume")
        if checklist is not None and job.checklist_id != checklist.id:
            raise JobFileError(
                f"{path}: the job is for checklist {job.checklist_id!r}, not {checklist.id!r}"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise JobFileError(f"{path}: cannot create its folder ({error.strerror})") from None
        job_file = cls(path, job, None, checklist=checklist, now=now)
        job_file._save()
        return job_file

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        checklist: Checklist | None = None,
        now: Clock = utc_now,
    ) -> JobFile:
        """Reopen a job where it stopped.

        Raises:
            JobFileError: when the file is missing or broken (it is left as it is), or belongs to
                another checklist than ``checklist``.
        """
        path = Path(path)
        job, data = read_job(path)
        if checklist is not None and job.checklist_id != checklist.id:
            raise JobFileError(
                f"{path}: the job was made with checklist {job.checklist_id!r}, "
                f"not {checklist.id!r}"
            )
        for stale in path.parent.glob(f".{path.name}.*.tmp"):
            # Left by a save that was killed before its rename; the job file itself is complete.
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()
        return cls(path, job, data, checklist=checklist, now=now)

    @property
    def job(self) -> Job:
        """The job as last saved (treat it as read-only; use the methods to change it)."""
        return self._job

    @property
    def backup(self) -> Path:
        """Where the previous good state is kept."""
        return backup_path(self.path)

    # -- changes ------------------------------------------------------------------------------

    def update_details(
        self,
        *,
        technician: str | None = None,
        site: str | None = None,
        miner_serial: str | None = None,
        miner_mac: str | None = None,
        miner_host: str | None = None,
        location: Location | None = None,
    ) -> None:
        """Change who, where and which miner; only the arguments given are changed.

        Raises:
            JobFileError: when a value is invalid (e.g. a malformed MAC); nothing is saved then.
        """
        changes: dict[str, Any] = {
            name: value
            for name, value in (
                ("technician", technician),
                ("site", site),
                ("miner_serial", miner_serial),
                ("miner_mac", miner_mac),
                ("miner_host", miner_host),
                ("location", location),
            )
            if value is not None
        }
        self._change(changes)

    def move_to(self, section: str, step: str) -> None:
        """Remember the step the technician is on, so the job reopens there."""
        if self.checklist is not None:
            try:
                step_ids = {s.id for s in self.checklist.section(section).steps}
            except KeyError as error:
                raise JobFileError(f"{self.path}: {error.args[0]}") from None
            if step not in step_ids:
                raise JobFileError(f"{self.path}: section {section!r} has no step {step!r}")
        self._change({"position": Position(section=section, step=step)})

    def answer(self, item: Item, text: str) -> Verdict:
        """Judge and record the technician's answer to ``item``.

        Measurements are parsed and checked against their limits; choices against their options;
        confirmations take ``yes`` or ``no``; a secret text item records only that it was set.
        An invalid answer (a typo) is returned with its reason and not recorded.

        Returns:
            The verdict, to show next to the input.

        Raises:
            ValueError: for items nobody answers by typing (live, derived, info).
        """
        at = self._now()
        if isinstance(item, MeasurementItem):
            verdict = evaluate_measurement(item, text)
            entry = Entry(
                value=text.strip(),
                at=at,
                number=verdict.value,
                unit=item.unit,
                status=verdict.status,
                reason=verdict.reason,
            )
        elif isinstance(item, ConfirmItem):
            answer = text.strip().lower()
            if answer not in CONFIRM_ANSWERS:
                verdict = Verdict(status=VerdictStatus.INVALID, reason="answer yes or no")
            else:
                passed = answer == "yes"
                verdict = Verdict(
                    status=VerdictStatus.PASS if passed else VerdictStatus.FAIL,
                    reason="confirmed" if passed else "not done",
                )
            entry = Entry(value=answer, at=at, status=verdict.status, reason=verdict.reason)
        elif isinstance(item, ChoiceItem):
            verdict = evaluate_choice(item, text)
            entry = Entry(value=text, at=at, status=verdict.status, reason=verdict.reason)
        elif isinstance(item, TextItem):
            verdict = evaluate_text(item, text)
            if item.secret:
                entry = Entry(
                    value=SECRET_MARK,
                    secret=True,
                    at=at,
                    status=verdict.status,
                    reason=verdict.reason,
                )
            else:
                entry = Entry(
                    value=text.strip(), at=at, status=verdict.status, reason=verdict.reason
                )
        else:
            raise ValueError(
                f"item {item.id!r} is a {item.kind} item; it is not answered by typing"
            )
        if verdict.status is VerdictStatus.INVALID:
            return verdict
        self._record({item.id: entry})
        return verdict

    def mark_secret_set(self, item_id: str, note: str = "") -> Entry:
        """Record that a secret (a pool password, the new web password) was set, without its value."""
        entry = Entry(value=SECRET_MARK, secret=True, at=self._now(), status="pass", note=note)
        self._record({item_id: entry})
        return entry

    def record(self, item_id: str, entry: Entry) -> None:
        """Append a ready-made entry to an item's history (imports, tools); secrets are refused.

        Raises:
            JobFileError: when the bound checklist marks ``item_id`` as a secret and the entry
                holds a value.
        """
        self._record({item_id: entry})

    def add_results(self, outcomes: Iterable[Outcome]) -> None:
        """Append verification outcomes to the job's results."""
        self._change({"results": [*self._job.results, *outcomes]})

    # -- internals ----------------------------------------------------------------------------

    def _record(self, entries: dict[str, Entry]) -> None:
        for item_id, entry in entries.items():
            if self._is_secret(item_id) and not entry.secret:
                raise JobFileError(
                    f"{self.path}: item {item_id!r} is a secret; only that it was set may be "
                    "recorded (use mark_secret_set)"
                )
        answers = {key: list(history) for key, history in self._job.answers.items()}
        for item_id, entry in entries.items():
            answers.setdefault(item_id, []).append(entry)
        answers.update(self._derived_entries(answers))
        self._change({"answers": answers})

    def _is_secret(self, item_id: str) -> bool:
        if self.checklist is None:
            return False
        try:
            item = self.checklist.item(item_id)
        except KeyError:
            return False
        return isinstance(item, TextItem) and item.secret

    def _derived_entries(self, answers: dict[str, list[Entry]]) -> dict[str, list[Entry]]:
        """New histories for derived items whose value or verdict changed with these answers."""
        if self.checklist is None:
            return {}
        numbers = {item_id: history[-1].number for item_id, history in answers.items()}
        changed: dict[str, list[Entry]] = {}
        for _, _, item in self.checklist.items():
            if not isinstance(item, DerivedItem):
                continue
            verdict = evaluate_derived(item, numbers)
            if verdict.status is VerdictStatus.INCOMPLETE:
                continue
            history = answers.get(item.id, [])
            last = history[-1] if history else None
            if last and (last.number, last.status, last.reason) == (
                verdict.value,
                verdict.status,
                verdict.reason,
            ):
                continue
            shown = "" if verdict.value is None else f"{verdict.value:g}"
            entry = Entry(
                value=shown,
                at=self._now(),
                number=verdict.value,
                unit=item.unit,
                status=verdict.status,
                reason=verdict.reason,
            )
            changed[item.id] = [*history, entry]
            numbers[item.id] = verdict.value
        return changed

    def _change(self, changes: dict[str, Any]) -> None:
        data = self._job.model_dump(by_alias=True)
        data.update(changes)
        data["updated"] = self._now()
        try:
            job = Job.model_validate(data)
        except ValidationError as error:
            first = error.errors(include_url=False)[0]
            where = ".".join(str(part) for part in first["loc"])
            raise JobFileError(f"{self.path}: {where}: {first['msg']}") from None
        previous = self._job
        self._job = job
        try:
            self._save()
        except JobFileError:
            self._job = previous
            raise

    def _save(self) -> None:
        data = self._job.to_json().encode("utf-8")
        if self._on_disk is not None:
            try:
                current = self.path.read_bytes()
            except FileNotFoundError:
                current = None
            except OSError as error:
                raise JobFileError(f"{self.path}: cannot be read ({error.strerror})") from None
            if current != self._on_disk:
                raise JobFileError(
                    f"{self.path}: the file was changed or removed by something else since this "
                    "job was opened; not overwriting it. Reopen the job to continue"
                )
        try:
            write_atomically(self.path, data, backup=self.backup)
        except OSError as error:
            raise JobFileError(f"{self.path}: cannot be saved ({error})") from error
        self._on_disk = data
