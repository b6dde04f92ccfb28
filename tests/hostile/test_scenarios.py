"""Scenario tests on real loopback sockets: a healthy S9 Hydro whose web UI sends each Digest
malformation, and one whose kernel log is oversized. Each runs the stock client and the verifier end
to end and checks the finding, its evidence and the miner's exit code."""

from __future__ import annotations

import pytest

from commission.errors import ExitCode
from commission.results import Status
from commission.verify.report import miner_exit_code
from tests.hostile import fake, menu


def _finding(report: fake.MinerReport, rule_id: str) -> tuple[Status, str]:
    found = next(o for o in report.outcomes if o.rule_id == rule_id)
    return found.status, " | ".join([found.observed, *(e.value for e in found.evidence)])


@pytest.mark.parametrize("name", sorted(menu.MALFORMED_CHALLENGES))
async def test_digest_malformation_scenario(name: str) -> None:
    values = menu.MALFORMED_CHALLENGES[name]
    replies = menu.base("simulator")
    case = menu.Case(
        name, menu.Replies(replies.rpc, replies.web, challenges=values), menu.WEB_LOGIN
    )
    report = await fake.verify_on_loopback(case)
    assert fake.false_passes(report, case) == []
    # The RPC side is judged as usual; the web side is "not judged", never "root/root refused".
    assert _finding(report, menu.CHAINS_PRESENT)[0] is Status.PASS
    status, said = _finding(report, menu.KERNEL_LOG)
    assert status is Status.ERROR
    assert ("challenge" in said or "Digest" in said) and "refused the login" not in said
    assert _finding(report, menu.DEFAULT_PASSWORD)[0] is Status.ERROR
    assert miner_exit_code(report) is ExitCode.NOT_JUDGED


async def test_oversized_kernel_log_scenario() -> None:
    stream = menu.KernelLogStream(menu.BIG_LOG_BYTES, menu.FATAL_LINE)
    replies = menu.base("simulator")
    case = menu.Case(
        "50 MB kernel log, fatal at the bottom",
        menu.Replies(replies.rpc, {**replies.web, "kernel_log": stream}),
        frozenset({menu.KERNEL_LOG}),
    )
    report = await fake.verify_on_loopback(case, timeout=5.0)
    assert fake.false_passes(report, case) == []
    status, said = _finding(report, menu.KERNEL_LOG)
    # The fatal line at the bottom of the kept tail fails the check (the unread head cannot undo
    # a fatal line that was read).
    assert status is Status.FAIL
    assert menu.FATAL_LINE in said
    assert miner_exit_code(report) is ExitCode.CHECK_FAILED
