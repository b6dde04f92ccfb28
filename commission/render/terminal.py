"""The one way this package makes a Rich console for printing.

Rich replaces ``:name:`` with an emoji and colours anything that looks like a number or an address.
Both corrupt what a technician must copy exactly: the MAC ``02:5A:11:AB:00:98`` contains ``:AB:``,
which Rich would print as an emoji. Every console the front ends print to comes from here, with
emoji codes and automatic highlighting off.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console


def terminal(**options: Any) -> Console:
    """A Rich console with emoji codes and automatic highlighting off (override via ``options``)."""
    options.setdefault("emoji", False)
    options.setdefault("highlight", False)
    return Console(**options)
