"""A checkbox whose state shows as a glyph, not only as a colour."""

from __future__ import annotations

from textual.widgets import Checkbox


class TickBox(Checkbox):
    """A Checkbox that draws ``✔`` when ticked and a blank when not.

    Textual's checkbox draws the same ``X`` in both states and tells them apart by colour only;
    on a monochrome terminal (or for a colour-blind technician) a tick must be visible as a shape.
    """

    BUTTON_INNER = " "

    def __init__(self, label: str, value: bool = False, *, id: str | None = None) -> None:
        super().__init__(label, value, id=id)
        self.BUTTON_INNER = "✔" if value else " "

    def watch_value(self) -> None:
        """Draw the tick, then do what every checkbox does (``-on`` class, Changed message)."""
        self.BUTTON_INNER = "✔" if self.value else " "
        super().watch_value()
