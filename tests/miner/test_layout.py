"""The wiring table says what is known (the chain groups) and what is assumed (board order, leads)."""

from __future__ import annotations

from commission.miner import layout
from commission.results import Status
from commission.verify.rules import RULES, apply_rule, check_console
from tests.verify.snapshots import healthy, missing_chain, with_chains


def test_the_firmware_chain_groups_are_the_boards() -> None:
    groups = {frozenset(layout.chains_of_board(board)) for board in layout.BOARDS}
    assert groups == {
        frozenset({6, 7, 8}),
        frozenset({2, 9, 10}),
        frozenset({3, 11, 12}),
        frozenset({4, 13, 14}),
    }
    assert sorted(n for board in layout.BOARDS for n in layout.chains_of_board(board)) == sorted(
        layout.CHAINS
    )


def test_a_chain_place_names_every_lead_of_its_board() -> None:
    place = layout.place_of(7)
    assert place.connectors == ("PCIe-B4.1", "PCIe-B4.2", "PCIe-B4.3")
    assert layout.board_parts(4) == (
        "hash board 4 (PCIe leads PCIe-B4.1, PCIe-B4.2, PCIe-B4.3 and its ribbon cable)"
    )
    assert layout.chain_board(7) == "chain 7 on hash board 4"
    assert layout.chain_board(5) == "chain 5"


def test_an_action_for_one_missing_chain_names_the_whole_board_and_says_the_order_is_assumed() -> (
    None
):
    finding = apply_rule(RULES["chains.present"], with_chains(healthy(), c7=missing_chain(7)))
    assert finding.status is Status.FAIL
    for part in ("hash board 4", "PCIe-B4.1", "PCIe-B4.2", "PCIe-B4.3", "ribbon cable"):
        assert part in finding.action
    assert layout.BOARD_ORDER_NOTE in finding.action
    assert "PCIe connector PCIe-B4.2" not in finding.action  # never one connector for one chain


def test_a_passing_finding_that_names_a_board_carries_the_note_as_evidence() -> None:
    finding = apply_rule(RULES["temps.margin"], healthy())
    assert finding.status is Status.PASS
    assert "hash board" in finding.observed
    assert any(e.value == layout.BOARD_ORDER_NOTE for e in finding.evidence)


def test_console_actions_carry_the_note() -> None:
    finding = check_console(["Chain[J7] has 0 asic"])
    assert finding.status is Status.FAIL and layout.BOARD_ORDER_NOTE in finding.action
