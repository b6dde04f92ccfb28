"""``commission --verify HOST --job FILE``: one record per miner, kept without the TUI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from commission.checklist import load_builtin
from commission.job import Job, JobFile, Readiness, judge_job, read_job
from commission.results import Status
from tests.conftest import REPO


def commission(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "commission", *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env={**os.environ, "COLUMNS": "160"},
        timeout=180,
    )


def test_verify_creates_then_updates_the_job_of_a_simulated_miner(tmp_path: Path) -> None:
    path = tmp_path / "miner-1.json"
    done = commission("--verify", "--simulate", "healthy", "--job", str(path))
    assert done.returncode == 0, done.stderr
    job, _ = read_job(path)
    assert f"job {path} created: INCOMPLETE: " in done.stderr
    assert "SIMULATED MINER: practice record, not a commissioning record" in done.stderr
    assert job.simulated and "healthy" in job.simulated_notice
    assert job.technician and job.site.startswith("not recorded")
    assert job.miner_host == "127.0.0.1"
    chains = job.live["chains.present"]
    assert chains.latest.status is Status.PASS and chains.readings == 1

    again = commission("--verify", "--simulate", "healthy", "--job", str(path))
    assert again.returncode == 0, again.stderr
    assert f"job {path} updated: " in again.stderr
    job, _ = read_job(path)
    assert job.live["chains.present"].readings == 2
    assert job.live["chains.present"].latest.at > chains.latest.at
    # Every live item the run judged is no longer a reason of the verdict.
    verdict = judge_job(job, load_builtin())
    assert verdict.verdict is Readiness.INCOMPLETE
    judged = {reason.check_id for reason in verdict.reasons if reason.check_id}
    assert "chains.present" not in judged


def test_a_soak_is_recorded_with_its_series(tmp_path: Path) -> None:
    path = tmp_path / "miner-1.json"
    done = commission("--verify", "--simulate", "healthy", "--soak", "2", "--job", str(path))
    assert done.returncode == 0, done.stderr
    job, _ = read_job(path)
    assert job.soak is not None and not job.soak.stopped
    assert job.soak.minutes == 2 and len(job.soak.samples) >= 2
    assert job.soak.outcome is not None and job.soak.outcome.status is Status.PASS
    assert job.latest("soak.stability") == job.soak.outcome


def test_a_failing_miner_makes_the_job_not_ready(tmp_path: Path) -> None:
    path = tmp_path / "miner-2.json"
    done = commission("--verify", "--simulate", "board-missing:2", "--job", str(path))
    assert done.returncode == 1, done.stderr
    assert f"job {path} created: NOT READY: " in done.stderr
    job, _ = read_job(path)
    assert judge_job(job, load_builtin()).verdict is Readiness.NOT_READY


def test_a_job_held_by_another_program_is_refused_before_the_miner_is_read(
    tmp_path: Path,
) -> None:
    path = tmp_path / "miner-1.json"
    checklist = load_builtin()
    job = Job(technician="Ana", site="Hall B", checklist_id=checklist.id, checklist_version=1)
    with JobFile.create(path, job, checklist=checklist):
        done = commission("--verify", "--simulate", "healthy", "--job", str(path))
    assert done.returncode == 2
    assert f"pid {os.getpid()} on host" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""  # nothing was verified
    assert read_job(path)[0].live == {}


def test_a_job_of_another_miner_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "miner-9.json"
    checklist = load_builtin()
    job = Job(
        technician="Ana",
        site="Hall B",
        miner_mac="00:11:22:33:44:55",
        checklist_id=checklist.id,
        checklist_version=1,
    )
    with JobFile.create(path, job, checklist=checklist):
        pass
    before = path.read_bytes()
    done = commission("--verify", "--simulate", "healthy", "--job", str(path))
    assert done.returncode == 2, done.stderr
    assert "the job is for the miner with MAC 00:11:22:33:44:55" in done.stderr
    assert path.read_bytes() == before


def test_job_takes_one_host(tmp_path: Path) -> None:
    done = commission("--verify", "127.0.0.1", "127.0.0.2", "--job", str(tmp_path / "j.json"))
    assert done.returncode == 2
    assert "--job records one miner" in done.stderr
    assert not (tmp_path / "j.json").exists()


def test_a_run_that_cannot_start_leaves_no_job(tmp_path: Path) -> None:
    path = tmp_path / "job.json"
    done = commission("--verify", "--simulate", "no-such-fault", "--job", str(path))
    assert done.returncode == 2
    assert not path.exists()


def test_a_broken_job_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "job.json"
    path.write_text(json.dumps([[[]]]))
    done = commission("--verify", "--simulate", "healthy", "--job", str(path))
    assert done.returncode == 2
    assert f"{path}: not a valid job" in done.stderr and "Traceback" not in done.stderr
