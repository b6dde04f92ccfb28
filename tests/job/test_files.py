"""Job files that fight back: a second writer, symlinks, FIFOs, devices, huge and deep files.

Two real processes on one job: the second is refused, naming the first, and no saved entry is
lost. A file that is not a job (a FIFO, /dev/zero, 16 MiB of anything, a 100,000-deep array) gets
a clear JobFileError naming it, from the library and from ``commission export``, and never hangs:
the FIFO tests carry a guard that unblocks a reader stuck on the FIFO and fails the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from commission.checklist import Checklist, load_builtin
from commission.errors import JobFileError
from commission.job import (
    MAX_JOB_BYTES,
    Job,
    JobFile,
    RecentJobs,
    lock_path,
    read_job,
)
from tests.conftest import REPO

ITEM = "water.flow"
ENTRIES = 40
PROCESS_TIMEOUT_S = 120
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file types")


@pytest.fixture(scope="module")
def checklist() -> Checklist:
    return load_builtin()


def new_job(path: Path, checklist: Checklist) -> Path:
    job = Job(technician="Ana", site="Hall B", checklist_id=checklist.id, checklist_version=1)
    with JobFile.create(path, job, checklist=checklist):
        pass
    return path


WRITER = textwrap.dedent(
    f"""
    import sys
    from commission.checklist import load_builtin
    from commission.errors import JobFileError
    from commission.job import JobFile
    checklist = load_builtin()
    item = checklist.item({ITEM!r})
    try:
        job_file = JobFile.open(sys.argv[1], checklist=checklist)
    except JobFileError as error:
        print("refused", error, flush=True)
        sys.exit(2)
    print("open", flush=True)
    for count in range(int(sys.argv[2]), int(sys.argv[2]) + {ENTRIES}):
        job_file.answer(item, str(count))
    print("written", flush=True)
    sys.stdin.readline()  # hold the job until the test lets go
    """
)


def writer(path: Path, first: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(first)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )


def test_a_second_process_is_refused_naming_the_holder_and_no_entry_is_lost(
    tmp_path: Path, checklist: Checklist
) -> None:
    path = new_job(tmp_path / "job.json", checklist)
    first = writer(path, 1)
    try:
        assert first.stdout is not None and first.stdin is not None
        assert first.stdout.readline().strip() == "open"
        assert first.stdout.readline().strip() == "written"
        second = writer(path, 1001)
        out, err = second.communicate("", timeout=PROCESS_TIMEOUT_S)
        assert second.returncode == 2, err
        assert out.startswith(f"refused {path}: the job is open in another process")
        assert f"pid {first.pid} on host " in out
        assert " since 20" in out and "close it there" in out
        # The holder is still at work: it saves more while the other was turned away.
        first.stdin.write("\n")
        first.stdin.flush()
        assert first.wait(timeout=PROCESS_TIMEOUT_S) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            first.kill()
        first.communicate(timeout=PROCESS_TIMEOUT_S)
    # Once the first has gone, the next writer gets the job and carries on from every entry.
    third = writer(path, 2001)
    out, err = third.communicate("\n", timeout=PROCESS_TIMEOUT_S)
    assert third.returncode == 0, err
    job, _ = read_job(path)
    numbers = [entry.number for entry in job.history(ITEM)]
    assert numbers == [float(n) for n in (*range(1, 1 + ENTRIES), *range(2001, 2001 + ENTRIES))]


def test_the_same_process_cannot_open_a_job_twice_until_it_is_closed(
    tmp_path: Path, checklist: Checklist
) -> None:
    path = new_job(tmp_path / "job.json", checklist)
    holder = JobFile.open(path, checklist=checklist)
    with pytest.raises(JobFileError, match=f"already open in this process .*pid {os.getpid()}"):
        JobFile.open(path, checklist=checklist)
    holder.close()
    assert holder.closed
    with pytest.raises(JobFileError, match="the job was closed"):
        holder.answer(checklist.item(ITEM), "7")
    JobFile.open(path, checklist=checklist).close()
    assert lock_path(path).exists()  # kept for the next writer, holding only who had it


def test_opening_a_job_leaves_a_live_writers_temporary_files_alone(
    tmp_path: Path, checklist: Checklist
) -> None:
    path = new_job(tmp_path / "job.json", checklist)
    sleeper = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        alive = tmp_path / f".job.json.{sleeper.pid}.abc123.tmp"
        foreign = tmp_path / ".job.json.k3j4h5.tmp"  # no pid: of unknown origin
        dead = tmp_path / f".job.json.{2**22 + 12345}.zzz.tmp"
        dead_backup = tmp_path / f".job.json.bak.{2**22 + 12346}.tmp"
        for leftover in (alive, foreign, dead, dead_backup):
            leftover.write_text("partial")
        with JobFile.open(path, checklist=checklist) as job_file:
            job_file.answer(checklist.item(ITEM), "7")
        assert alive.exists() and foreign.exists()
        assert not dead.exists() and not dead_backup.exists()
    finally:
        sleeper.communicate(b"", timeout=PROCESS_TIMEOUT_S)


def test_saving_through_a_symlink_writes_to_its_target(
    tmp_path: Path, checklist: Checklist
) -> None:
    real = new_job(tmp_path / "real" / "job.json", checklist)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with JobFile.open(link, checklist=checklist) as job_file:
        assert job_file.target == real.resolve()
        job_file.answer(checklist.item(ITEM), "7")
        with pytest.raises(JobFileError, match="already open in this process"):
            JobFile.open(real, checklist=checklist)  # one lock, whichever name is used
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert read_job(real)[0].current(ITEM) is not None
    assert (real.parent / "job.json.bak").is_file()
    assert not (tmp_path / "link.json.bak").exists()


def test_creating_through_a_dangling_symlink_writes_its_target(
    tmp_path: Path, checklist: Checklist
) -> None:
    real = tmp_path / "jobs" / "new.json"
    link = tmp_path / "link.json"
    link.symlink_to(real)
    new_job(link, checklist)
    assert link.is_symlink() and real.is_file()


@contextlib.contextmanager
def fifo_guard(fifo: Path) -> Iterator[threading.Event]:
    """Fail rather than hang: after a while, open the FIFO's other end to free a stuck reader."""
    fired = threading.Event()
    done = threading.Event()

    def unblock() -> None:
        if done.wait(timeout=20):
            return
        fired.set()
        with contextlib.suppress(OSError):
            descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(descriptor)

    guard = threading.Thread(target=unblock, daemon=True)
    guard.start()
    try:
        yield fired
    finally:
        done.set()
        guard.join()


@POSIX
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, checklist: Checklist) -> None:
    fifo = tmp_path / "job.json"
    os.mkfifo(fifo)
    with fifo_guard(fifo) as fired:
        with pytest.raises(JobFileError, match=r"job.json: is a FIFO \(named pipe\), not a job"):
            read_job(fifo)
        with pytest.raises(JobFileError, match="is a FIFO"):
            JobFile.open(fifo, checklist=checklist)
        (tmp_path / "recent").mkdir()
        os.mkfifo(tmp_path / "recent" / "recent-jobs.json")
        with pytest.raises(JobFileError, match=r"is a FIFO .*not a recent-jobs list"):
            RecentJobs(tmp_path / "recent").entries()
    assert not fired.is_set(), "a reader blocked on the FIFO"
    assert not lock_path(fifo).exists()


@POSIX
def test_a_device_is_refused_before_reading(tmp_path: Path, checklist: Checklist) -> None:
    with pytest.raises(JobFileError, match="/dev/zero: is a character device, not a job file"):
        read_job(Path("/dev/zero"))
    link = tmp_path / "job.json"
    link.symlink_to("/dev/zero")
    with pytest.raises(JobFileError, match=r"job\.json: is a character device"):
        JobFile.open(link, checklist=checklist)
    assert not Path("/dev/.zero.lock").exists()


def test_a_huge_file_is_refused_without_loading_it(tmp_path: Path) -> None:
    huge = tmp_path / "job.json"
    with huge.open("wb") as stream:
        stream.truncate(MAX_JOB_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(JobFileError, match=r"is 16,777,217 bytes or more; a job file is at most"):
        read_job(huge)


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_a_deeply_nested_file_is_refused_before_parsing(tmp_path: Path, opener: str) -> None:
    deep = tmp_path / "job.json"
    closer = "]" if opener == "[" else "}"
    deep.write_text(opener * 100_000 + "0" + closer * 100_000)
    with pytest.raises(JobFileError, match="nests arrays or objects more than 64 levels deep"):
        read_job(deep)


def test_brackets_inside_strings_do_not_count_as_nesting(
    tmp_path: Path, checklist: Checklist
) -> None:
    path = new_job(tmp_path / "job.json", checklist)
    with JobFile.open(path, checklist=checklist) as job_file:
        job_file.update_details(site="[" * 500 + '"{' * 100)
    assert read_job(path)[0].site.startswith("[[[")


@POSIX
@pytest.mark.parametrize("kind", ["fifo", "device", "deep", "huge", "garbage"])
def test_export_reports_a_bad_job_file_clearly(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "job.json"
    if kind == "fifo":
        os.mkfifo(path)
        expected = "is a FIFO (named pipe), not a job file"
    elif kind == "device":
        path.symlink_to("/dev/zero")
        expected = "is a character device, not a job file"
    elif kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
        expected = "more than 64 levels deep"
    elif kind == "huge":
        with path.open("wb") as stream:
            stream.truncate(MAX_JOB_BYTES + 1)
        expected = "a job file is at most"
    else:
        path.write_bytes(json.dumps({"schema": "commission.job/2"}).encode() + b"\x00")
        expected = "not valid JSON"
    with fifo_guard(path) as fired:
        done = subprocess.run(
            [sys.executable, "-m", "commission", "export", str(path), "--format", "text"],
            capture_output=True,
            text=True,
            timeout=PROCESS_TIMEOUT_S,
            cwd=REPO,
        )
    assert not fired.is_set()
    assert done.returncode == 2, done.stderr
    assert str(path) in done.stderr and expected in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
