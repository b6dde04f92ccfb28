"""The S9 Hydro's physical layout: which API chain sits on which hash board and PCIe connector.

The guide says the Hydro has 4 hash boards with 3 PCIe power connectors each, plus one on the
controller, and the firmware reports 12 chains numbered 2, 3, 4, 6-14 with 18 ASICs each. It does
not say which chain is on which board. The table below is a documented assumption (from the T9+
PIC grouping in bmminer: chains {2,9,10}, {3,11,12}, {4,13,14}, plus the S9 trio {6,7,8}), and it is
the only place in the code that holds it: correct it here and every message follows.
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


class ChainPlace(NamedTuple):
    """Where one API chain physically is."""

    chain: int
    board: int
    connector: str
    """The PCIe power connector that feeds this chain, e.g. ``PCIe-B2.3``."""
    ribbon: str
    """The ribbon cable between this board and the control board."""


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
