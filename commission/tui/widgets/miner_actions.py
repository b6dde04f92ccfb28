"""Writing to the miner: the pools step and the password step, each behind a confirmation.

Both panels gather what the walkthrough's items hold (pool URLs and workers from the job, secrets
from memory only), ask :class:`~commission.tui.dialogs.confirm.ConfirmDialog` first, then run the
web-UI call in a worker and report the result with a message. The live items of the same step then
show the pools coming alive, or the default password gone, as snapshots arrive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import SecretStr
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from commission.errors import CommissionError
from commission.miner.client import MinerClient, PoolSetting
from commission.miner.models import PoolReading
from commission.results import Status
from commission.tui.dialogs.confirm import ConfirmDialog
from commission.tui.guard import Guarded
from commission.tui.widgets.status_style import status_markup
from commission.tui.widgets.telemetry import PoolTable


@dataclass(frozen=True)
class PoolDraft:
    """One pool as the technician entered it; the password only while the app runs."""

    number: int
    url: str
    worker: str
    url_ok: bool
    worker_ok: bool
    password: SecretStr | None
    password_recorded: bool
    """The job says a password was set (it may have been typed in an earlier session)."""

    def problems(self) -> list[str]:
        """What stops this pool from being applied."""
        found = []
        if not self.url_ok:
            found.append(f"pool {self.number}: the URL is missing or not stratum+tcp://host:port")
        if not self.worker_ok:
            found.append(f"pool {self.number}: the worker is missing or invalid")
        if self.password is None and self.password_recorded:
            found.append(
                f"pool {self.number}: the password was set in an earlier session and is never "
                "stored; type it again"
            )
        return found


class _Result(Message):
    def __init__(self, ok: bool, text: str) -> None:
        self.ok = ok
        self.text = text
        super().__init__()


class PoolsPanel(Guarded, Vertical):
    """Shows the three pools entered, applies them after a confirmation, then shows them live."""

    DEFAULT_CSS = """
    PoolsPanel {
        height: auto;
        border: round $primary;
        padding: 0 1;
        margin-bottom: 1;
    }
    PoolsPanel Horizontal {
        height: auto;
    }
    PoolsPanel #pools-drafts {
        height: auto;
        margin-bottom: 1;
    }
    """

    class Applied(Message):
        """The miner accepted the pools."""

        def __init__(self, panel: PoolsPanel, count: int) -> None:
            self.panel = panel
            self.count = count
            super().__init__()

        @property
        def control(self) -> PoolsPanel:
            """The panel that applied them."""
            return self.panel

    def __init__(self, drafts: Sequence[PoolDraft], client: MinerClient | None) -> None:
        super().__init__(id="pools-panel")
        self.drafts = tuple(drafts)
        self.client = client

    def compose(self) -> ComposeResult:
        """The drafts, the apply button, the result line and the live pool table."""
        self.border_title = "Apply pools to the miner"
        yield Static(self._drafts_markup(), id="pools-drafts")
        with Horizontal():
            yield Button("Apply to miner…", id="pools-apply", variant="warning")
        yield Label("", id="pools-result")
        yield Label("[b]Live[/b] (as the miner reports them)")
        yield PoolTable(id="pools-live")

    def _drafts_markup(self) -> str:
        lines = []
        for draft in self.drafts:
            if draft.password is not None:
                secret = "password entered"
            elif draft.password_recorded:
                secret = "[$warning]▲ password not in memory: re-enter it[/]"
            else:
                secret = "no password (empty)"
            glyph = "[$success]✔[/]" if not draft.problems() else "[$error]✘[/]"
            url = draft.url.replace("[", r"\[") or "(no URL)"
            worker = draft.worker.replace("[", r"\[") or "(no worker)"
            lines.append(f"{glyph} {draft.number}  {url}  {worker}  {secret}")
        return "\n".join(lines)

    def show_live(self, pools: Sequence[PoolReading]) -> None:
        """Show the pools the miner reports now."""
        self.query_one("#pools-live", PoolTable).show(pools)

    @on(Button.Pressed, "#pools-apply")
    def _apply(self, event: Button.Pressed) -> None:
        event.stop()
        problems = [problem for draft in self.drafts for problem in draft.problems()]
        if problems:
            self.query_one("#pools-result", Label).update(
                status_markup(Status.FAIL, "; ".join(problems))
            )
            return
        if self.client is None:
            self.query_one("#pools-result", Label).update(
                status_markup(Status.ERROR, "no miner connected")
            )
            return
        listing = "\n".join(f"  {d.number}. {d.url}  worker {d.worker}" for d in self.drafts)
        self.app.push_screen(
            ConfirmDialog(
                "Write these pools to the miner?",
                f"{listing}\n\nThe miner saves them and restarts its mining program; hashing "
                "pauses for a few seconds.",
            ),
            self._confirmed,
        )

    def _confirmed(self, go: bool | None) -> None:
        if not go:
            self.query_one("#pools-result", Label).update("not applied (cancelled)")
            return
        self.query_one("#pools-result", Label).update("[$primary]…[/] writing to the miner")
        self.apply_pools()

    @work(exclusive=True, group="pools")
    async def apply_pools(self) -> None:
        """Write the pools through the web UI."""
        assert self.client is not None
        settings = [
            PoolSetting(url=d.url, user=d.worker, password=d.password or SecretStr(""))
            for d in self.drafts
        ]
        try:
            await self.client.apply_pools(settings)
        except CommissionError as error:
            self.post_message(_Result(False, f"the miner refused the pools: {error}"))
        else:
            self.post_message(_Result(True, f"{len(settings)} pools written"))

    @on(_Result)
    def _result(self, message: _Result) -> None:
        status = Status.PASS if message.ok else Status.FAIL
        self.query_one("#pools-result", Label).update(
            status_markup(
                status, message.text + ("; watching them come alive" if message.ok else "")
            )
        )
        if message.ok:
            self.post_message(self.Applied(self, len(self.drafts)))
        else:
            self.notify(message.text, title="Pools", severity="error")


class PasswordPanel(Guarded, Vertical):
    """Changes the web password: current password, the new one twice, after a confirmation."""

    DEFAULT_CSS = """
    PasswordPanel {
        height: auto;
        border: round $primary;
        padding: 0 1;
        margin-bottom: 1;
    }
    PasswordPanel Input {
        width: 40;
        max-width: 100%;
    }
    PasswordPanel Horizontal {
        height: auto;
    }
    """

    class Changed(Message):
        """The miner accepted the new password."""

        def __init__(self, panel: PasswordPanel) -> None:
            self.panel = panel
            super().__init__()

        @property
        def control(self) -> PasswordPanel:
            """The panel that changed it."""
            return self.panel

    def __init__(self, new_password: SecretStr | None, client: MinerClient | None) -> None:
        super().__init__(id="password-panel")
        self.new_password = new_password
        self.client = client

    def compose(self) -> ComposeResult:
        """Current password, repeat of the new one, the button and the result."""
        self.border_title = "Change the web password"
        yield Input(placeholder="current password (factory: root)", password=True, id="pw-current")
        yield Input(placeholder="repeat the new password", password=True, id="pw-repeat")
        with Horizontal():
            yield Button("Change password…", id="pw-apply", variant="warning")
        yield Label("", id="pw-result")

    def set_new_password(self, password: SecretStr | None) -> None:
        """The new password typed in the step's item (kept in memory only)."""
        self.new_password = password

    def _problem(self) -> str:
        if self.new_password is None or not self.new_password.get_secret_value():
            return "type the new password in the item above first"
        repeat = self.query_one("#pw-repeat", Input).value
        if repeat != self.new_password.get_secret_value():
            return "the repeated password does not match the new one"
        if not self.query_one("#pw-current", Input).value:
            return "type the current password (factory: root)"
        if self.client is None:
            return "no miner connected"
        return ""

    @on(Button.Pressed, "#pw-apply")
    def _apply(self, event: Button.Pressed) -> None:
        event.stop()
        problem = self._problem()
        if problem:
            self.query_one("#pw-result", Label).update(status_markup(Status.FAIL, problem))
            return
        self.app.push_screen(
            ConfirmDialog(
                "Change the miner's web password?",
                "Write the new password down where your site keeps credentials: the miner "
                "cannot show it again. Resetting the miner (hold Reset for 10 s) brings back "
                "the factory password.",
                yes="Change",
            ),
            self._confirmed,
        )

    def _confirmed(self, go: bool | None) -> None:
        if not go:
            self.query_one("#pw-result", Label).update("not changed (cancelled)")
            return
        current = self.query_one("#pw-current", Input).value
        assert self.new_password is not None
        self.query_one("#pw-result", Label).update("[$primary]…[/] writing to the miner")
        self.change(current, self.new_password.get_secret_value())

    @work(exclusive=True, group="password")
    async def change(self, current: str, new: str) -> None:
        """Change the password through the web UI."""
        assert self.client is not None
        try:
            await self.client.change_password(current, new)
        except CommissionError as error:
            self.post_message(_Result(False, f"the miner refused: {error}"))
        else:
            self.post_message(_Result(True, "password changed"))

    @on(_Result)
    def _result(self, message: _Result) -> None:
        status = Status.PASS if message.ok else Status.FAIL
        self.query_one("#pw-result", Label).update(status_markup(status, message.text))
        for field in self.query(Input):
            field.value = ""
        if message.ok:
            self.post_message(self.Changed(self))
        else:
            self.notify(message.text, title="Password", severity="error")
