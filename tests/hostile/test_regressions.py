"""Named hostile cases: every false pass, crash and hang that #9 lists, one test each.

Each case spoils one thing of the simulator's healthy S9 Hydro (or a real capture) and asserts the
oracle (the checks that read it are neither PASS nor SKIPPED) plus what the finding must say.
"""

from __future__ import annotations

import asyncio

import pytest

from commission.results import Status
from commission.verify.report import MinerReport
from tests.hostile import fake, menu
from tests.hostile.menu import Mutation


def one(
    name: str, tainted: frozenset[str], apply: menu.Apply, base: str = "simulator"
) -> menu.Case:
    case = menu.build(base, ((Mutation(name, tainted, apply), 0),))
    assert case is not None, name
    return case


def outcome(report: MinerReport, rule_id: str) -> tuple[Status, str]:
    found = next(o for o in report.outcomes if o.rule_id == rule_id)
    evidence = " | ".join(f"{e.label}: {e.value}" for e in found.evidence)
    return found.status, f"{found.observed} | {evidence}"


async def judged(
    case: menu.Case, *, loopback: bool = False, timeout: float = fake.TIMEOUT_S
) -> MinerReport:
    if loopback:
        report = await fake.verify_on_loopback(case, timeout)
    else:
        report = await fake.verify_in_process(case)
    assert fake.false_passes(report, case) == [], case.name
    return report


async def test_a_401_without_a_digest_challenge_is_not_root_root_refused() -> None:
    case = one("no challenge", menu.WEB_LOGIN, menu._challenge(()))
    report = await judged(case)
    status, said = outcome(report, menu.KERNEL_LOG)
    assert status is Status.ERROR
    assert "without a WWW-Authenticate challenge" in said
    assert "refused" not in said.replace("was not refused", "")
    status, said = outcome(report, menu.DEFAULT_PASSWORD)
    assert status is Status.ERROR and "unknown" in said


@pytest.mark.parametrize("name", sorted(menu.MALFORMED_CHALLENGES))
async def test_each_digest_malformation_is_a_typed_finding_quoting_the_challenge(name: str) -> None:
    values = menu.MALFORMED_CHALLENGES[name]
    report = await judged(one(name, menu.WEB_LOGIN, menu._challenge(values)))
    status, said = outcome(report, menu.KERNEL_LOG)
    assert status is Status.ERROR
    if values:
        shown = values[0].encode("unicode_escape").decode("ascii")[:60]
        assert shown in said, said
    assert "Traceback" not in said
    assert outcome(report, menu.DEFAULT_PASSWORD)[0] is Status.ERROR


async def test_the_other_miners_keep_their_results_when_one_has_a_broken_challenge() -> None:
    from commission.verify.runner import Verifier, verify_many

    broken = one(
        "algorithm=FOO", menu.WEB_LOGIN, menu._challenge(menu.MALFORMED_CHALLENGES["algorithm=FOO"])
    )
    healthy = menu.build("simulator", ())
    assert healthy is not None
    clients = [fake.in_process_client(c.replies) for c in (healthy, broken, healthy)]
    reports = await verify_many(Verifier(), clients)
    assert len(reports) == 3
    assert outcome(reports[0], menu.KERNEL_LOG)[0] is Status.PASS
    assert outcome(reports[1], menu.KERNEL_LOG)[0] is Status.ERROR
    assert outcome(reports[2], menu.KERNEL_LOG)[0] is Status.PASS
    for client in clients:
        await client.aclose()


async def test_a_dripping_rpc_port_ends_at_the_deadline_on_loopback() -> None:
    case = menu.Case(
        "drip", menu.base("simulator"), menu.SNAPSHOT_CHECKS - menu.WEB_LOGIN, menu.Wire(rpc="drip")
    )
    report = await judged(case, loopback=True)
    assert not report.reachable
    status, said = outcome(report, "miner.reachable")
    assert status is not Status.PASS and "not complete within" in said


async def test_a_dripping_web_ui_ends_at_the_deadline_on_loopback() -> None:
    case = menu.Case("web drip", menu.base("simulator"), menu.WEB_LOGIN, menu.Wire(web="drip"))
    report = await judged(case, loopback=True)
    status, said = outcome(report, menu.KERNEL_LOG)
    assert status is Status.ERROR and "no complete answer within" in said


async def test_a_50_mb_kernel_log_is_read_by_its_tail_in_bounded_memory() -> None:
    import tracemalloc

    stream = menu.KernelLogStream(menu.BIG_LOG_BYTES)
    case = one("50 MB log", frozenset({menu.KERNEL_LOG}), menu._kernel_log((stream,)))
    tracemalloc.start()
    try:
        # A 5 s timeout, as on the command line: the kernel log gets 20 s to be read to its end.
        report = await judged(case, loopback=True, timeout=5.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    status, said = outcome(report, menu.KERNEL_LOG)
    assert status is not Status.PASS
    assert "52,428,800 bytes; only its last" in said
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB while reading a 50 MB log"


async def test_an_oversized_kernel_log_with_a_fatal_line_at_the_bottom_is_not_passed() -> None:
    stream = menu.KernelLogStream(3 * 1024 * 1024, menu.FATAL_LINE)
    report = await judged(
        one("big fatal log", frozenset({menu.KERNEL_LOG}), menu._kernel_log((stream,)))
    )
    status, said = outcome(report, menu.KERNEL_LOG)
    assert status in {Status.FAIL, Status.ERROR}
    assert menu.FATAL_LINE in said


@pytest.mark.parametrize("command", menu.COMMANDS)
@pytest.mark.parametrize("pick", range(8))
async def test_a_spoiled_reply_taints_only_what_reads_it(command: str, pick: int) -> None:
    mutation = Mutation(f"{command} spoiled", menu.READS[command], menu._whole_reply(command))
    case = menu.build("simulator", ((mutation, pick),))
    assert case is not None
    await judged(case)


async def test_web_errors_leave_the_web_checks_unjudged() -> None:
    report = await judged(one("HTTP 500", menu.WEB_LOGIN, menu._web_down))
    assert "HTTP 500" in outcome(report, menu.KERNEL_LOG)[1]


def test_cases_are_built_from_the_real_captures() -> None:
    stock = menu.base("stock-2019")
    assert b"}{" in stock.rpc["stats"]  # the capture's own missing comma is served as captured
    assert asyncio.run(fake.verify_in_process(menu.Case("stock", stock, frozenset()))).reachable


async def test_a_miner_whose_client_breaks_unexpectedly_keeps_the_others_results() -> None:
    from commission.verify.runner import Verifier, verify_many

    healthy = menu.build("simulator", ())
    assert healthy is not None

    class Broken(fake.StockMinerClient):
        async def snapshot(self, *, web: bool = True) -> fake.MinerSnapshot:
            raise RuntimeError("a bug nobody foresaw")

    broken = Broken("127.0.0.2", timeout=fake.TIMEOUT_S)
    clients = [fake.in_process_client(healthy.replies), broken]
    reports = await verify_many(Verifier(), clients)
    assert [r.host for r in reports] == ["127.0.0.1", "127.0.0.2"]
    assert outcome(reports[0], menu.CHAINS_PRESENT)[0] is Status.PASS
    status, said = outcome(reports[1], "miner.reachable")
    assert status is Status.ERROR and "RuntimeError: a bug nobody foresaw" in said
    for client in clients:
        await client.aclose()


# The false passes #9 lists, each on the simulator's healthy Hydro.


NAMED = {
    "missing chain_acsN": (
        frozenset({menu.ASIC_STATUS}),
        menu._chain_field("chain_acs", (menu.MISSING,)),
    ),
    "temperature keys for three boards absent": (menu.TEMPS, menu._three_boards_without_temps),
    "fan_num 0": (frozenset({menu.FANS}), menu._fan_num((0,))),
    "chain_acnN 100": (frozenset({menu.CHAINS_PRESENT}), menu._chain_field("chain_acn", (100,))),
    "GHS 5s 1e308": (
        frozenset({menu.RATE_NOMINAL}),
        menu._all(
            menu._device_field(("GHS 5s",), (1e308,)),
            menu._section_field("summary", "SUMMARY", ("GHS 5s",), (1e308,)),
            menu._section_field("devs", "DEVS", ("MHS 5s",), (1e308,)),
        ),
    ),
    "negative HW%": (
        frozenset({menu.HW_ERRORS}),
        menu._all(
            menu._device_field(("Device Hardware%",), (-1,)),
            menu._section_field("summary", "SUMMARY", ("Device Hardware%",), (-1,)),
        ),
    ),
    "negative Accepted": (frozenset({menu.POOLS_ACTIVE}), menu._active_pool(("Accepted",), (-5,))),
    "firmware date in 2099": (
        frozenset({menu.IDENTITY_FIRMWARE}),
        menu._all(
            menu._every_block(
                "version", "VERSION", ("CompileTime",), ("Thu Jan  1 00:00:00 CST 2099",)
            ),
            menu._every_block(
                "stats", "STATS", ("CompileTime",), ("Thu Jan  1 00:00:00 CST 2099",)
            ),
            menu._web_field(
                "system_info", "system_filesystem_version", ("Thu Jan  1 00:00:00 CST 2099",)
            ),
        ),
    ),
    "kernel log empty": (frozenset({menu.KERNEL_LOG}), menu._kernel_log((b"",))),
    "kernel log an HTML login page": (
        frozenset({menu.KERNEL_LOG}),
        menu._kernel_log((menu.HTML_LOGIN_PAGE,)),
    ),
    "kernel log binary": (frozenset({menu.KERNEL_LOG}), menu._kernel_log((bytes(range(256)) * 4,))),
}


@pytest.mark.parametrize("name", sorted(NAMED))
async def test_named_false_pass_of_issue_9_is_not_passed(name: str) -> None:
    tainted, apply = NAMED[name]
    report = await judged(one(name, tainted, apply))
    for rule_id in tainted:
        status, said = outcome(report, rule_id)
        assert status in {Status.UNJUDGED, Status.ERROR, Status.FAIL, Status.WARN}, (rule_id, said)
