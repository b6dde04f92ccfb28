"""Drive the TUI as a technician would: start a job, open steps, type answers, wait for data.

Shared by the Pilot tests, the snapshot tests and ``tools/screenshots.py`` (which regenerates the
README screenshots), so all three drive the real app the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from commission.simulator import ManualClock
from commission.tui.link import LinkOpener, MinerLink
from commission.tui.targets import simulator_opener

WARM_SECONDS = 15 * 60 + 15
"""How long the simulated miner has run before the first reading (the guide's page: 15m15s)."""


class StepClock(ManualClock):
    """A manual clock whose sleeps move time forward at once (a 20-minute soak in a blink)."""

    async def sleep(self, seconds: float) -> None:
        """Advance by ``seconds`` and yield to the event loop."""
        if seconds > 0:
            self.advance(seconds)
        await asyncio.sleep(0)


def warm_opener(scenarios: str, clock: ManualClock, warm_s: float = WARM_SECONDS) -> LinkOpener:
    """A simulator opener whose miner has already run ``warm_s`` seconds when first read."""
    opener = simulator_opener(scenarios, seed=0, clock=clock)

    async def open_warm() -> MinerLink:
        link = await opener()
        clock.advance(warm_s)
        return link

    return open_warm


async def wait_for(
    pilot: Pilot[object], condition: Callable[[], bool], timeout: float = 10.0
) -> None:
    """Let the app run until ``condition()`` holds; fail with a clear message after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await pilot.pause(0.05)


async def start_job(pilot: Pilot[object], technician: str = "Ada", site: str = "Farm 1") -> None:
    """Fill the start form (typing into each field) and start the job."""
    for field_id, text in (
        ("job-technician", technician),
        ("job-site", site),
        ("job-serial", "HYD0042"),
    ):
        pilot.app.screen.query_one(f"#{field_id}", Input).focus()
        await pilot.pause()
        await pilot.press(*text)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "WalkthroughScreen")


async def go_to_step(pilot: Pilot[object], step_id: str, *, by_keys: bool = False) -> None:
    """Open ``step_id`` in the walkthrough and wait until its widgets are mounted.

    With ``by_keys`` it pages forward with F8 as a technician would; otherwise it jumps there as
    choosing the section in the list does.
    """
    from commission.tui.screens.walkthrough import WalkthroughScreen

    screen = pilot.app.screen
    assert isinstance(screen, WalkthroughScreen)
    await wait_for(pilot, lambda: screen.built_step == screen.step.id)
    if not by_keys:
        screen.go_to(step_id)
        await wait_for(pilot, lambda: screen.built_step == step_id)
        return
    for _ in range(60):
        await wait_for(pilot, lambda: screen.built_step == screen.step.id)
        if screen.step.id == step_id:
            return
        await pilot.press("f8")
    raise AssertionError(f"step {step_id} not reached")


async def type_into(pilot: Pilot[object], item_id: str, text: str) -> None:
    """Focus an item's input (as Tab would), type ``text`` and press Enter (which saves it)."""
    field = pilot.app.screen.query_one("#input-" + item_id.replace(".", "_"), Input)
    field.focus()
    field.scroll_visible(animate=False)
    await pilot.pause()
    if len(text) > 6:  # long text arrives as a paste (key by key is slow and adds nothing)
        field.insert_text_at_cursor(text)
    else:
        await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


KEY_CHARS: dict[str, str | None] = {"space": " ", "enter": "\r", "tab": "\t", "backspace": "\x08"}
"""The character a named key types (others type none, or themselves when one character long)."""


async def press_fast(pilot: Pilot[object], keys: Sequence[str]) -> None:
    """Press ``keys`` as fast as a hurried technician: no waiting for the screen between keys.

    :meth:`Pilot.press` waits until the app is idle after every key; a real terminal does not,
    so a burst here lets keys overtake step rebuilds and late results, as they do by hand.
    """
    app = pilot.app
    for key in keys:
        char = KEY_CHARS.get(key, key if len(key) == 1 else None)
        app.post_message(events.Key(key, char))
        await asyncio.sleep(0)
    await pilot.pause()
