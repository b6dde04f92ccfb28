"""Crash safety: a writer killed with SIGKILL at random moments never leaves a broken job file.

The bulk test forks writers (cheap: the modules are already imported) and kills each after a random
few milliseconds, hundreds of times, bounded to a few seconds. A second test does the same with
freshly started interpreters, the way a real crash of ``commission`` would look.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from commission.checklist import Checklist, load_builtin
from commission.job import Job, JobFile, read_job
from tests.conftest import REPO

ITEM = "water.flow"
KILLS = 200
MIN_KILLS = 30
TIME_LIMIT_S = 3.0
HARD_LIMIT_S = 30.0
"""On a slow, busy machine the test goes on past TIME_LIMIT_S until it has proved its point."""

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL (POSIX)")


@pytest.fixture(scope="module")
def checklist() -> Checklist:
    return load_builtin()


def _start(path: Path, checklist: Checklist) -> None:
    job = Job(technician="Ana", site="Hall B", checklist_id=checklist.id, checklist_version=1)
    with JobFile.create(path, job, checklist=checklist) as job_file:
        job_file.answer(checklist.item(ITEM), "0")


def _counter(path: Path) -> int:
    """The current reading of the test item: read_job raises if the file is not a valid job."""
    job, _ = read_job(path)
    entry = job.current(ITEM)
    assert entry is not None and entry.number is not None
    return int(entry.number)


def _write_forever(path: Path, checklist: Checklist) -> None:
    """Child process body: reopen the job and save one new reading after another."""
    job_file = JobFile.open(path, checklist=checklist)
    item = checklist.item(ITEM)
    count = _counter(path)
    while True:
        count += 1
        job_file.answer(item, str(count))


def _save_seconds(folder: Path, checklist: Checklist) -> float:
    """How long one save takes on this machine now (the median of a few; fsync speed varies)."""
    path = folder / "timing.json"
    _start(path, checklist)
    times = []
    with JobFile.open(path, checklist=checklist) as job_file:
        for count in range(5):
            started = time.perf_counter()
            job_file.answer(checklist.item(ITEM), str(count))
            times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def test_sigkill_at_random_moments_always_leaves_a_valid_job(
    tmp_path: Path, checklist: Checklist
) -> None:
    # Kills land from the writer's start to a few saves in, however slow the disk is today.
    span = max(0.012, 4 * _save_seconds(tmp_path / "timing", checklist))
    path = tmp_path / "job.json"
    _start(path, checklist)
    chance = random.Random(20260301)
    last = _counter(path)
    kills = interrupted_saves = 0
    started = time.monotonic()

    def more() -> bool:
        elapsed = time.monotonic() - started
        proved = kills >= MIN_KILLS and interrupted_saves > 0 and last > 0
        return kills < KILLS and (elapsed < TIME_LIMIT_S or (not proved and elapsed < HARD_LIMIT_S))

    while more():
        pid = os.fork()
        if pid == 0:  # the writer
            try:
                _write_forever(path, checklist)
            finally:
                os._exit(1)
        time.sleep(chance.uniform(0, span))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), "the writer ended on its own: it must have failed"
        kills += 1
        leftovers = list(path.parent.glob(".job.json.*.tmp"))
        interrupted_saves += bool(leftovers)
        current = _counter(path)  # raises if the kill left a broken file
        assert current >= last, "a kill lost a save that had already completed"
        last = current
        read_job(path.with_name("job.json.bak"))  # the backup is a valid job too
    assert kills >= MIN_KILLS, f"only {kills} kills in {HARD_LIMIT_S} s"
    assert interrupted_saves > 0, "no kill landed inside a save; the test proved nothing"
    assert last > 0, "the writers never completed a save"
    print(f"{kills} kills, {interrupted_saves} mid-save, {last} saves completed")


WRITER = textwrap.dedent(
    f"""
    import sys
    from commission.checklist import load_builtin
    from commission.job import JobFile
    checklist = load_builtin()
    job_file = JobFile.open(sys.argv[1], checklist=checklist)
    item = checklist.item({ITEM!r})
    count = int(job_file.job.current({ITEM!r}).number)
    print("ready", flush=True)
    while True:
        count += 1
        job_file.answer(item, str(count))
    """
)


def test_sigkill_of_a_real_writer_process(tmp_path: Path, checklist: Checklist) -> None:
    path = tmp_path / "job.json"
    _start(path, checklist)
    chance = random.Random(7)
    last = _counter(path)
    for _ in range(3):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(chance.uniform(0.005, 0.05))
        writer.send_signal(signal.SIGKILL)
        assert writer.wait(timeout=10) == -signal.SIGKILL
        writer.stdout.close()
        current = _counter(path)
        assert current >= last
        last = current
    assert last > 0
