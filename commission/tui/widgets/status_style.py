"""Status colours as theme tokens, always paired with a glyph or word.

Every coloured thing in the TUI goes through here so that a colour never stands alone (a glyph or a
word carries the same meaning for colour-blind technicians and monochrome terminals) and no colour
is hard-coded: they are the theme's ``$success``, ``$warning`` and ``$error``.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import App

from commission.results import Status

TOKENS: dict[Status, str] = {
    Status.PASS: "success",
    Status.SKIPPED: "text-muted",
    Status.WARN: "warning",
    Status.UNJUDGED: "warning",
    Status.FAIL: "error",
    Status.ERROR: "error",
}
"""The theme variable that colours each status."""


def status_markup(status: Status, text: str = "") -> str:
    """Content markup for ``glyph WORD text`` in the status's theme colour."""
    label = f"{status.glyph} {status.word}" + (f" {text}" if text else "")
    return f"[${TOKENS[status]}]{_escape(label)}[/]"


def token_markup(token: str, text: str) -> str:
    """Content markup for ``text`` in the theme colour ``token`` (e.g. ``error``)."""
    return f"[${token}]{_escape(text)}[/]"


def token_text(app: App[object], token: str, text: str, *, bold: bool = False) -> Text:
    """A Rich Text coloured with the current theme's ``token``, for widgets that render Rich."""
    colour = app.theme_variables.get(token)
    return Text(text, style=Style(color=colour, bold=bold), end="")


def status_text(app: App[object], status: Status, text: str) -> Text:
    """A Rich Text ``glyph text`` coloured with the status's theme token."""
    return token_text(app, TOKENS[status], f"{status.glyph} {text}")


def _escape(text: str) -> str:
    return text.replace("[", r"\[")
