"""Property tests over the hostile menu: for every generated case no tainted check is PASS (or
SKIPPED), nothing raises past the client, and every verify ends within its deadline."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commission.verify.rules import RULES
from tests.hostile import fake, menu

CASES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _case(data: st.DataObject, mutations: tuple[menu.Mutation, ...], most: int) -> menu.Case:
    base_name = data.draw(st.sampled_from(menu.BASE_NAMES), label="base")
    chosen = data.draw(
        st.lists(
            st.tuples(st.sampled_from(mutations), st.integers(0, 10_000)), min_size=1, max_size=most
        ),
        label="mutations",
    )
    case = menu.build(base_name, tuple(chosen))
    if case is None:
        # A mutation that does not apply to this base (no board 4 on an S9): use the first one
        # alone on the simulator, which every mutation applies to.
        case = menu.build("simulator", (chosen[0],))
    assert case is not None
    return case


def _check(report_case: tuple[object, menu.Case]) -> None:
    report, case = report_case
    assert isinstance(report, fake.MinerReport), case.name
    assert fake.false_passes(report, case) == [], case.name


def test_the_oracle_names_only_real_checks() -> None:
    for mutation in (*menu.MENU, *menu.WIRE_MENU):
        assert mutation.tainted <= set(RULES), mutation.name
    # Every snapshot check is spoiled by some mutation (only devs is read by none).
    covered = frozenset().union(*(mutation.tainted for mutation in menu.MENU))
    assert covered == menu.SNAPSHOT_CHECKS


def test_every_mutation_applies_to_the_simulator() -> None:
    for mutation in menu.MENU:
        assert menu.build("simulator", ((mutation, 0),)) is not None, mutation.name


@CASES
@given(st.data())
def test_in_process_cases_are_never_passed(data: st.DataObject) -> None:
    case = _case(data, menu.MENU, most=2)
    report = asyncio.run(fake.verify_in_process(case))
    _check((report, case))


@settings(CASES, max_examples=12)
@given(st.data())
def test_loopback_cases_are_never_passed_and_always_end(data: st.DataObject) -> None:
    wire = data.draw(st.sampled_from(menu.WIRE_MENU), label="wire")
    base_name = data.draw(st.sampled_from(menu.BASE_NAMES), label="base")
    mutation = data.draw(st.sampled_from(menu.MENU), label="mutation")
    pick = data.draw(st.integers(0, 10_000), label="pick")
    case = menu.build(base_name, ((mutation, pick), (wire, 0))) or menu.build(
        "simulator", ((wire, 0),)
    )
    assert case is not None
    report = asyncio.run(fake.verify_on_loopback(case))
    _check((report, case))
