"""The S9 Hydro's physical layout: which API chain sits on which hash board, and what is known.

The guide says the Hydro has 4 hash boards with 3 PCIe power connectors each, plus one on the
controller, and the firmware reports 12 chains numbered 2, 3, 4, 6-14 with 18 ASICs each. It does
not say which chain is on which board.

What is known: decompiled stock firmware groups the chains per board as {6,7,8}, {2,9,10},
{3,11,12} and {4,13,14} (the T9+ PIC grouping in bmminer). What is not published: which physical
board is "board 1", and which of a board's three PCIe leads feeds which chain. So live data
confirms a *board*, never a single connector: every action names the board, all three of its PCIe
leads and its ribbon cable, and every text that names a board number says the numbering is
assumed (:data:`BOARD_ORDER_NOTE`). This module is the only place that holds the assumption:
correct it here and every message follows.
"""

from __future__ import annotations

from typing import Final, NamedTuple

CHAINS: Final = (2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14)
"""API chain numbers of a healthy S9 Hydro, in the firmware's order."""
ASICS_PER_CHAIN: Final = 18
BOARDS: Final = (1, 2, 3, 4)
CHAINS_PER_BOARD: Final = 3
TOTAL_ASICS: Final = ASICS_PER_CHAIN * len(CHAINS)  # 216, as in the guide's spec table
FAN_HEADERS: Final = ("FAN1", "FAN2", "FAN3", "FAN4", "FAN5", "FAN6")
"""Four 4-pin fan headers plus the two-way split pair; API fans 1-6 report, 7-8 read 0."""
PUMP_HEADER: Final = "PUMP (black 4-pin)"
CONTROLLER_CONNECTOR: Final = "PCIe-C"


BOARD_ORDER_NOTE: Final = (
    "board numbers are assumed: the firmware groups the chains per board as 6-7-8, 2-9-10, "
    "3-11-12 and 4-13-14, but which physical board is which is not published"
)
"""Said wherever a board number is shown, so nobody takes the numbering for a published fact."""
CONNECTOR_ORDER_NOTE: Final = (
    "which of a board's three PCIe leads feeds which chain is not published"
)


class ChainPlace(NamedTuple):
    """Where one API chain physically is (board assumed; see :data:`BOARD_ORDER_NOTE`)."""

    chain: int
    board: int
    connector: str
    """A PCIe lead of this chain's board, by position, e.g. ``PCIe-B2.3``. Which lead feeds which
    chain is *not* known (:data:`CONNECTOR_ORDER_NOTE`): actions name all of :attr:`connectors`."""
    ribbon: str
    """The ribbon cable between this board and the control board."""

    @property
    def connectors(self) -> tuple[str, ...]:
        """All three PCIe leads of this chain's board (one of them feeds the chain)."""
        return connectors_of_board(self.board)


def _connector(board: int, position: int) -> str:
    return f"PCIe-B{board}.{position}"


_BOARD_CHAINS: Final[dict[int, tuple[int, int, int]]] = {
    1: (2, 9, 10),
    2: (3, 11, 12),
    3: (4, 13, 14),
    4: (6, 7, 8),
}

CHAIN_PLACES: Final[dict[int, ChainPlace]] = {
    chain: ChainPlace(
        chain, board, _connector(board, position), f"ribbon cable of hash board {board}"
    )
    for board, chains in _BOARD_CHAINS.items()
    for position, chain in enumerate(chains, start=1)
}
"""API chain number -> board, PCIe connector and ribbon cable."""

PCIE_CONNECTORS: Final = (
    *(
        _connector(board, position)
        for board in BOARDS
        for position in range(1, CHAINS_PER_BOARD + 1)
    ),
    CONTROLLER_CONNECTOR,
)
"""All 13 PCIe power connectors: B1.1-B4.3 for the hash boards, then the controller's."""


def chains_of_board(board: int) -> tuple[int, ...]:
    """The API chain numbers on one hash board (1-4)."""
    if board not in _BOARD_CHAINS:
        raise ValueError(f"hash board {board} does not exist; the S9 Hydro has boards 1-4")
    return _BOARD_CHAINS[board]


def connectors_of_board(board: int) -> tuple[str, ...]:
    """The three PCIe connector names of one hash board (1-4)."""
    chains_of_board(board)
    return tuple(_connector(board, position) for position in range(1, CHAINS_PER_BOARD + 1))


def place_of(chain: int) -> ChainPlace:
    """Where API chain ``chain`` physically is; ValueError for a chain the Hydro does not have."""
    try:
        return CHAIN_PLACES[chain]
    except KeyError:
        raise ValueError(
            f"chain {chain} does not exist on an S9 Hydro; its chains are "
            + ", ".join(map(str, CHAINS))
        ) from None


def board_name(board: int) -> str:
    """``hash board 4``: the words for a board number (the numbering is assumed)."""
    return f"hash board {board}"


def board_parts(board: int) -> str:
    """What to check on one board: ``hash board 4 (PCIe leads PCIe-B4.1, PCIe-B4.2, PCIe-B4.3
    and its ribbon cable)``."""
    leads = ", ".join(connectors_of_board(board))
    return f"{board_name(board)} (PCIe leads {leads} and its ribbon cable)"


def chain_board(chain: int) -> str:
    """``chain 7 on hash board 4``, or ``chain N`` for a chain the Hydro does not have."""
    place = CHAIN_PLACES.get(chain)
    return f"chain {chain}" if place is None else f"chain {chain} on {board_name(place.board)}"
