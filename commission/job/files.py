"""Job files on disk: crash-safe saving, a backup of the last good state, and clear errors.

Every change is written as a whole new file next to the old one (write, flush, fsync), the old file
is hard-linked to ``<name>.bak``, the new one is renamed over the old (``os.replace`` is atomic on
POSIX) and the folder is fsynced. A kill at any instant therefore leaves either the old or the new
file, both complete. A file that cannot be read is reported with its name and the problem and is
never overwritten: :func:`restore_backup` is the explicit way back to the previous good state.

Reading is bounded: :func:`read_bounded` refuses FIFOs, devices and files over
:data:`MAX_JOB_BYTES` without blocking, and :func:`read_job` refuses nesting deeper than
:data:`MAX_JOB_DEPTH` before parsing, so no job file can hang or crash ``export`` or the TUI. A job
is changed by one process at a time (:mod:`commission.job.lock`), saved to the real target of a
symlink, and temporary files are only ever removed by their own writer or once it is dead.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import ValidationError

from commission.checklist import (
    AnswerContext,
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
from commission.job.lock import JobLock
from commission.job.models import (
    JOB_SCHEMA,
    MINER_WRITE_LIMIT,
    OLDER_SCHEMAS,
    SECRET_MARK,
    SELFTEST_LIMIT,
    SOAK_RUN_LIMIT,
    Entry,
    Job,
    Location,
    MinerSource,
    MinerWrite,
    Position,
    SelfTestRun,
    SoakRun,
    fold_outcomes,
    migrate,
    utc_now,
)
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
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=folder
    )
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


MAX_JOB_BYTES: Final = 16 * 1024 * 1024
"""The largest job file read (a busy job is well under 1 MiB: live history is bounded)."""
MAX_JOB_DEPTH: Final = 64
"""The deepest nesting of arrays and objects read (a job nests about eight levels)."""
_JSON_STRING: Final = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET: Final = bytes(set(range(256)) - set(b"[]{}"))


def read_bounded(path: Path, *, what: str = "job file", limit: int = MAX_JOB_BYTES) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; never blocks or hangs.

    A FIFO, a device, a socket or a folder is refused before anything is read (the file is opened
    non-blocking, so a FIFO without a writer cannot stall the caller), and so is a file larger
    than ``limit`` (checked before and while reading, so ``/dev/zero``-like files cannot fill
    memory).

    Raises:
        JobFileError: naming the file and what it is instead of a readable file.
    """
    descriptor = _open_regular(path, what, limit)
    try:
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(descriptor, min(1 << 20, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise JobFileError(_too_big(path, what, total, limit))
        return b"".join(chunks)
    except OSError as error:
        raise JobFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    finally:
        os.close(descriptor)


def check_regular(path: Path, *, what: str = "job file", limit: int = MAX_JOB_BYTES) -> None:
    """Refuse ``path`` unless it is a regular file of at most ``limit`` bytes (reads nothing).

    Raises:
        JobFileError: as :func:`read_bounded` does.
    """
    os.close(_open_regular(path, what, limit))


def _open_regular(path: Path, what: str, limit: int) -> int:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise JobFileError(f"{path}: no such {what}") from None
    except IsADirectoryError:
        raise JobFileError(f"{path}: is a folder, not a {what}") from None
    except OSError as error:
        raise JobFileError(f"{path}: cannot be read ({error.strerror or error})") from None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise JobFileError(
                f"{path}: is {_file_kind(status.st_mode)}, not a {what}; nothing was read"
            )
        if status.st_size > limit:
            raise JobFileError(_too_big(path, what, status.st_size, limit))
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def _file_kind(mode: int) -> str:
    for test, kind in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def _too_big(path: Path, what: str, size: int, limit: int) -> str:
    return (
        f"{path}: is {size:,} bytes or more; a {what} is at most {limit:,} bytes, so this is not "
        "one (nothing was loaded)"
    )


def json_depth(data: bytes, limit: int = MAX_JOB_DEPTH) -> int:
    """How deep arrays and objects nest in JSON text ``data``, counting up to ``limit + 1``.

    Strings are skipped (brackets inside them do not count); the count stops as soon as it passes
    ``limit``, so a 100,000-deep array costs no more than a shallow one.
    """
    brackets = _JSON_STRING.sub(b"", data).translate(None, _NOT_BRACKET)
    depth = deepest = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def read_job(path: Path) -> tuple[Job, bytes]:
    """Read, check and validate the job file ``path`` (older formats are migrated).

    Returns:
        The job and the bytes it was read from.

    Raises:
        JobFileError: naming the file and the problem (missing, not a regular file, too large,
            nested too deep, not JSON, not a job, made by a newer version), and pointing at the
            backup when there is one. The file is never changed.
    """
    data = read_bounded(path)
    depth = json_depth(data)
    if depth > MAX_JOB_DEPTH:
        raise _corrupt(
            path, f"nests arrays or objects more than {MAX_JOB_DEPTH} levels deep; not a job"
        )
    try:
        raw = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise _corrupt(path, f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    except json.JSONDecodeError as error:
        problem = f"not valid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        if not data.strip():
            problem = "the file is empty"
        raise _corrupt(path, problem) from None
    except (ValueError, RecursionError) as error:
        raise _corrupt(path, f"not valid JSON ({error})") from None
    schema = raw.get("schema") if isinstance(raw, dict) else None
    if (
        isinstance(schema, str)
        and schema.startswith("commission.job/")
        and (schema != JOB_SCHEMA and schema not in OLDER_SCHEMAS)
    ):
        raise JobFileError(
            f"{path}: is a job of format {schema!r}, newer than this version of commission reads "
            f"({JOB_SCHEMA}); update commission to open it (the file was left untouched)"
        )
    try:
        return Job.model_validate(migrate(raw)), data
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
    shown = Path(path)
    path = Path(os.path.realpath(shown))
    backup = backup_path(path)
    if not backup.exists():
        raise JobFileError(f"{shown}: there is no backup {backup} to restore")
    _, good = read_job(backup)  # refuse to restore a backup that is itself broken
    aside = path.with_name(f"{path.name}.broken-{now().strftime('%Y%m%dT%H%M%S')}")
    lock = JobLock.acquire(path, shown=shown)
    try:
        if path.exists():
            os.replace(path, aside)
        write_atomically(path, good)
    except OSError as error:
        raise JobFileError(f"{shown}: cannot restore the backup ({error})") from error
    finally:
        lock.release()
    return aside


class JobFile:
    """An open job and the file it lives in; every change is saved at once.

    Read the job through :attr:`job` and change it only through the methods here, which validate
    the change, stamp the time and save. Bind a checklist to judge answers and keep derived items
    (dew-point margin, PSU load, J/TH) up to date as their inputs change.

    One writer per file: opening or creating a job takes its lock (:class:`JobLock`) and a second
    process is refused until :meth:`close` (or the end of this process). A job reached through a
    symlink is saved to the link's target; the link stays.
    """

    def __init__(
        self,
        path: Path,
        job: Job,
        on_disk: bytes | None,
        *,
        lock: JobLock,
        checklist: Checklist | None = None,
        now: Clock = utc_now,
    ) -> None:
        self.path = path
        """The job file as it was given (shown in messages)."""
        self.target = Path(os.path.realpath(path))
        """The file actually written: ``path`` with every symlink resolved."""
        self._job = job
        self._on_disk = on_disk
        self._lock = lock
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
            JobFileError: when ``path`` exists already, is being created by another process, or
                cannot be written.
        """
        path = Path(path)
        if path.exists():
            raise JobFileError(f"{path}: a job file exists already; open it to resume")
        if checklist is not None and job.checklist_id != checklist.id:
            raise JobFileError(
                f"{path}: the job is for checklist {job.checklist_id!r}, not {checklist.id!r}"
            )
        target = Path(os.path.realpath(path))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise JobFileError(f"{path}: cannot create its folder ({error.strerror})") from None
        lock = JobLock.acquire(target, shown=path)
        try:
            if target.exists():  # made by another process just before we took the lock
                raise JobFileError(f"{path}: a job file exists already; open it to resume")
            job_file = cls(path, job, None, lock=lock, checklist=checklist, now=now)
            job_file._save()
        except BaseException:
            lock.release()
            raise
        return job_file

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        checklist: Checklist | None = None,
        now: Clock = utc_now,
    ) -> JobFile:
        """Reopen a job where it stopped, for this process alone.

        Raises:
            JobFileError: when the file is missing or broken (it is left as it is), belongs to
                another checklist than ``checklist``, or is open in another process (the message
                names it).
        """
        path = Path(path)
        target = Path(os.path.realpath(path))

        def read() -> tuple[Job, bytes]:
            job, data = read_job(path)
            if checklist is not None and job.checklist_id != checklist.id:
                raise JobFileError(
                    f"{path}: the job was made with checklist {job.checklist_id!r}, "
                    f"not {checklist.id!r}"
                )
            return job, data

        check_regular(path)  # a FIFO, a device or a huge file is refused before any lock is made
        try:
            lock = JobLock.acquire(target, shown=path)
        except JobFileError:
            read()  # a broken file is reported as broken, whoever holds it
            raise
        try:
            job, data = read()
            _remove_leftovers(target)
        except BaseException:
            lock.release()
            raise
        return cls(path, job, data, lock=lock, checklist=checklist, now=now)

    def close(self) -> None:
        """Give up the job (release its lock); the job stays saved. Safe to call twice."""
        self._lock.release()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called; a closed job refuses changes."""
        return not self._lock.held

    def __enter__(self) -> JobFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def job(self) -> Job:
        """The job as last saved (treat it as read-only; use the methods to change it)."""
        return self._job

    @property
    def backup(self) -> Path:
        """Where the previous good state is kept."""
        return backup_path(self.target)

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

    def answer(self, item: Item, text: str, live: Mapping[str, str] | None = None) -> Verdict:
        """Judge and record the technician's answer to ``item``.

        Measurements are parsed and checked against their limits; choices against their options;
        confirmations take ``yes`` or ``no``; a secret text item records only that it was set.
        An invalid answer (a typo) or one asked back (``1,600`` where 1.6 could be meant) is
        returned with its reason and not recorded. ``live`` holds readings from the miner that
        an answer is compared with (``commission.verify.bindings.live_readings``).

        Returns:
            The verdict, to show next to the input.

        Raises:
            ValueError: for items nobody answers by typing (live, derived, info).
        """
        at = self._now()
        context = AnswerContext(answers=self._latest_texts(), live=live or {})
        if isinstance(item, MeasurementItem):
            verdict = evaluate_measurement(item, text, context)
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
            verdict = evaluate_text(item, text, context)
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
        if not verdict.recordable:
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

    def record_outcomes(self, outcomes: Iterable[Outcome]) -> None:
        """Record live outcomes as they were produced: each becomes its check's latest reading.

        Every outcome counts (not only a change of status): its check's latest outcome and time
        are replaced and its history grows (bounded, see :class:`LiveCheck`). One save for all.
        """
        recorded = list(outcomes)
        if recorded:
            self._change({"live": fold_outcomes(self._job.live, recorded)}, built=True)

    add_results = record_outcomes
    """The name used before version 2 of the job format."""

    def record_soak(self, run: SoakRun, outcomes: Iterable[Outcome] = ()) -> None:
        """Record a soak run with its series, and the outcomes read with it (one save).

        The run's own outcome (``soak.stability``) becomes that check's latest reading too,
        unless ``outcomes`` already holds it.
        """
        recorded = list(outcomes)
        if run.outcome is not None and run.outcome not in recorded:
            recorded.append(run.outcome)
        self._change(
            {
                "soaks": [*self._job.soaks, run][-SOAK_RUN_LIMIT:],
                "live": fold_outcomes(self._job.live, recorded),
            },
            built=True,
        )

    def record_selftest(self, run: SelfTestRun) -> None:
        """Record a hash self-test run."""
        self._change({"selftests": [*self._job.selftests, run][-SELFTEST_LIMIT:]})

    def record_miner_write(
        self, kind: Literal["pools", "web-password"], *, ok: bool, detail: str = ""
    ) -> MinerWrite:
        """Record that the pools or the web password were written to the miner (never a value)."""
        write = MinerWrite(kind=kind, at=self._now(), ok=ok, detail=detail)
        self._change({"miner_writes": [*self._job.miner_writes, write][-MINER_WRITE_LIMIT:]})
        return write

    def note_miner(self, *, simulated: bool, scenario: str = "", host: str = "") -> None:
        """Record which miner the next results come from: a real one at ``host``, or the simulator.

        Nothing is saved when it is the same source as the last one noted. A job that ever held
        simulated results stays marked as a practice record (:attr:`Job.simulated_notice`).
        """
        last = self._job.sources[-1] if self._job.sources else None
        if last is not None and (last.simulated, last.scenario, last.host) == (
            simulated,
            scenario,
            host,
        ):
            return
        source = MinerSource(
            simulated=simulated, scenario=scenario, host=host, first_at=self._now()
        )
        self._change({"sources": [*self._job.sources, source]})

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
        answers.update(self._rejudged_entries(answers))
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

    def _latest_texts(self) -> dict[str, str]:
        return {item_id: history[-1].value for item_id, history in self._job.answers.items()}

    def _rejudged_entries(self, answers: dict[str, list[Entry]]) -> dict[str, list[Entry]]:
        """New histories for measurements whose verdict changed with another answer (an
        allowance such as the external cold-water source), judged again from what was typed."""
        if self.checklist is None:
            return {}
        context = AnswerContext(answers={k: h[-1].value for k, h in answers.items() if h})
        changed: dict[str, list[Entry]] = {}
        for _, _, item in self.checklist.items():
            history = answers.get(item.id)
            if not isinstance(item, MeasurementItem) or item.allowance is None or not history:
                continue
            last = history[-1]
            verdict = evaluate_measurement(item, last.value, context)
            if not verdict.recordable or (last.status, last.reason) == (
                verdict.status,
                verdict.reason,
            ):
                continue
            entry = last.model_copy(
                update={"at": self._now(), "status": verdict.status, "reason": verdict.reason}
            )
            changed[item.id] = [*history, entry]
        return changed

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

    def _change(self, changes: dict[str, Any], *, built: bool = False) -> None:
        """Apply ``changes`` and save; ``built`` changes are models made by this module's own
        methods (already validated), so the whole job is not validated again on every reading."""
        if built:
            job = self._job.model_copy(update={**changes, "updated": self._now()})
        else:
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
        if not self._lock.held:
            raise JobFileError(f"{self.path}: the job was closed; open it again to change it")
        data = self._job.to_json().encode("utf-8")
        if self._on_disk is not None:
            try:
                current: bytes | None = read_bounded(self.target)
            except JobFileError:
                current = None
            if current != self._on_disk:
                raise JobFileError(
                    f"{self.path}: the file was changed or removed by something else since this "
                    "job was opened; not overwriting it. Reopen the job to continue"
                )
        try:
            write_atomically(self.target, data, backup=self.backup)
        except OSError as error:
            raise JobFileError(f"{self.path}: cannot be saved ({error})") from error
        self._on_disk = data


def _remove_leftovers(target: Path) -> None:
    """Delete temporary files that saves of ``target`` left when their process was killed.

    Only files named by a process that no longer runs on this machine are removed (the name
    carries the writer's pid); a live writer's files, or files of unknown origin, are left alone.
    Skipped on Windows, where a pid cannot be probed without side effects.
    """
    if sys.platform == "win32":
        return
    prefixes = (f".{target.name}.", f".{target.name}.bak.")
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        middle = leftover.name.removesuffix(".tmp")
        pid_text = ""
        for prefix in reversed(prefixes):
            if middle.startswith(prefix):
                pid_text = middle[len(prefix) :].split(".")[0]
                break
        if not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True
