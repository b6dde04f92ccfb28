"""The walkthrough: the guide's sections on the left, the current step's items on the right.

Every answer is saved to the job as it is given (the app owns the job file); the step the
technician is on is saved too, so the job reopens exactly there. Some steps get a panel on top of
their items: the wiring view for the PCIe, fan and pump steps, the IP Report listener, applying
the pools and changing the password. Live items show the latest outcome of their rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import SecretStr
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from commission.checklist import LiveItem, Step, TextItem
from commission.miner.models import MinerSnapshot
from commission.results import Outcome
from commission.tui.guard import Guarded
from commission.tui.progress import section_progress
from commission.tui.widgets.ip_report import IpReportPanel
from commission.tui.widgets.items import (
    ConfirmView,
    DerivedView,
    ItemView,
    LiveView,
    TextView,
    TypedView,
    item_view,
)
from commission.tui.widgets.miner_actions import PasswordPanel, PoolsPanel
from commission.tui.widgets.wiring import WiringView

if TYPE_CHECKING:
    from commission.tui.app import CommissionApp

IP_REPORT_STEP_ITEMS = ("network.address", "network.mac")
PRESSED_ITEM = "network.ip-report-pressed"


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


class WalkthroughScreen(Guarded, Screen[None]):
    """Sections, steps and items of the checklist, with the job's answers."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f7", "step(-1)", "◀ Prev", tooltip="the previous step"),
        Binding("f8", "step(1)", "Next ▶", tooltip="the next step"),
        Binding("f9", "toggle_sections", "Sections"),
    ]

    NARROW = 110
    """Below this width the section list hides (F9 shows it) so the step gets the room."""

    def __init__(self) -> None:
        super().__init__()
        self.section_index = 0
        self.step_index = 0
        self._section_prompts: list[str] = []
        self._building = False
        self.built_step = ""
        """The id of the step whose widgets are mounted (tests and screenshots wait for it)."""

    @property
    def commission_app(self) -> CommissionApp:
        """The app, typed."""
        from commission.tui.app import CommissionApp

        assert isinstance(self.app, CommissionApp)
        return self.app

    def compose(self) -> ComposeResult:
        """Section list beside the step view."""
        yield Header()
        with Horizontal():
            yield OptionList(id="sections")
            yield VerticalScroll(id="step")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        """Open the step the job was left at and follow live data."""
        self.title = "Walkthrough"
        app = self.commission_app
        app.walkthrough = self
        job = app.job_file.job if app.job_file else None
        checklist = app.checklist
        if job is not None and job.position is not None:
            for s, section in enumerate(checklist.sections):
                if section.id != job.position.section:
                    continue
                for t, step in enumerate(section.steps):
                    if step.id == job.position.step:
                        self.section_index, self.step_index = s, t
        self.refresh_sections()
        self.show_step(save=False)
        self.watch(app, "snapshot", self._live)

    def on_resize(self, event: events.Resize) -> None:
        """Hide the section list on narrow terminals."""
        self.set_class(event.size.width < self.NARROW, "-narrow")

    def action_toggle_sections(self) -> None:
        """Show or hide the section list (it hides by itself on narrow terminals)."""
        self.toggle_class("-toggled")
        sections = self.query_one("#sections", OptionList)
        if sections.display:
            sections.focus()

    # -- navigation ---------------------------------------------------------------------------

    @property
    def step(self) -> Step:
        """The step on screen."""
        return self.commission_app.checklist.sections[self.section_index].steps[self.step_index]

    def action_step(self, delta: int) -> None:
        """Go ``delta`` steps forward or back, across sections."""
        sections = self.commission_app.checklist.sections
        flat = [(s, t) for s, section in enumerate(sections) for t in range(len(section.steps))]
        here = flat.index((self.section_index, self.step_index))
        target = min(max(here + delta, 0), len(flat) - 1)
        if target != here:
            self.section_index, self.step_index = flat[target]
            self.show_step()

    def go_to(self, step_id: str) -> None:
        """Open the step ``step_id`` (KeyError naming it when the checklist has no such step)."""
        for s, section in enumerate(self.commission_app.checklist.sections):
            for t, step in enumerate(section.steps):
                if step.id == step_id:
                    self.section_index, self.step_index = s, t
                    self.show_step()
                    return
        raise KeyError(f"the checklist has no step {step_id!r}")

    @on(OptionList.OptionSelected, "#sections")
    def _section_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option_index != self.section_index:
            self.section_index, self.step_index = event.option_index, 0
            self.show_step()
        if self.has_class("-narrow"):
            self.remove_class("-toggled")

    @on(Button.Pressed, "#step-prev")
    def _prev(self) -> None:
        self.action_step(-1)

    @on(Button.Pressed, "#step-next")
    def _next(self) -> None:
        self.action_step(1)

    def refresh_sections(self) -> None:
        """Redraw the section list's glyphs and counts."""
        app = self.commission_app
        if app.job_file is None:
            return
        options = self.query_one("#sections", OptionList)
        progress = section_progress(app.checklist, app.job_file.job, app.rule_outcomes)
        prompts = [
            f"[${entry.token}]{entry.glyph}[/] [$text-muted]{entry.done:>2}/"
            f"{entry.total:<2}[/] {_escape(entry.section.title)}"
            for entry in progress
        ]
        if prompts == self._section_prompts:
            return  # nothing changed: leave the list (and its highlight) alone
        self._section_prompts = prompts
        # Keep the highlight where the technician moved it (the list redraws on live data).
        highlighted = options.highlighted if options.highlighted is not None else self.section_index
        options.clear_options()
        options.add_options(
            Option(prompt, id=entry.section.id)
            for prompt, entry in zip(prompts, progress, strict=True)
        )
        options.highlighted = highlighted

    def show_step(self, *, save: bool = True) -> None:
        """Rebuild the step view for the current step; remember the position in the job."""
        app = self.commission_app
        section = app.checklist.sections[self.section_index]
        step = self.step
        if save:
            app.save_position(section.id, step.id)
        self.query_one("#sections", OptionList).highlighted = self.section_index
        self.built_step = ""
        if not self._building:
            # One build at a time, never cancelled half-way (a widget cancelled while mounting
            # never settles); keys pressed meanwhile only move the target, built next.
            self._building = True
            self.run_worker(self._build_until_current(), group="build-step")

    async def _build_until_current(self) -> None:
        try:
            while True:
                target = (self.section_index, self.step_index)
                await self._build()
                if target == (self.section_index, self.step_index):
                    return
        finally:
            self._building = False

    def focus_first_in_step(self) -> None:
        """Put the cursor in the step's first input, tick box or button (keyboard first)."""
        for widget in self.query_one("#step", VerticalScroll).query("Input, Checkbox, Button"):
            if widget.focusable:
                widget.focus(scroll_visible=False)
                return

    def save_pending(self) -> None:
        """Save answers typed on this step but not saved yet (before it goes, or the app quits)."""
        app = self.commission_app
        for view in self.query(TypedView):
            text = view.pending()
            if text is not None:
                view.answer = text
                app.record_answer(view.item, text)
                if isinstance(view.item, TextItem) and view.item.secret:
                    self._secret_typed(view.item, text)

    async def _build(self) -> None:
        app = self.commission_app
        section = app.checklist.sections[self.section_index]
        step = self.step
        container = self.query_one("#step", VerticalScroll)
        self.save_pending()
        if self.focused is not None and self.focused.id != "sections":
            # A focused widget that is removed takes the screen's keys with it (F7/F8 would be
            # lost while the step is rebuilt): hold focus on the screen until the new step is in.
            self.set_focus(None)
        await container.remove_children()
        flat_total = sum(len(s.steps) for s in app.checklist.sections)
        flat_here = (
            sum(len(s.steps) for s in app.checklist.sections[: self.section_index])
            + self.step_index
            + 1
        )
        widgets: list[Widget] = [
            Label(
                f"[b]{_escape(section.title)}[/b] › {_escape(step.title)}  "
                f"[$text-muted]step {flat_here}/{flat_total} · guide {section.guide}[/]",
                classes="step--title",
            )
        ]
        if step.text:
            widgets.append(Static(step.text, classes="step--text", markup=False))
        wired = app.wiring_items()
        shown_items = [item for item in step.items if item.id not in wired.values()]
        if len(shown_items) != len(step.items):
            widgets.append(WiringView(app.wiring_ticked(), id="wiring"))
        if step.id == "network.ip-report":
            link = app.link
            job = app.job_file.job if app.job_file else None
            known = (
                f"last found: {job.miner_host} {job.miner_mac}" if job and job.miner_host else ""
            )
            widgets.append(
                IpReportPanel(
                    link.report_address if link else ("0.0.0.0", 14235),
                    link.report_reply_port if link else 14236,
                    link.press_button if link else None,
                    known=known,
                )
            )
        if any(isinstance(i, LiveItem) and i.rule == "pools.configured" for i in step.items):
            widgets.append(PoolsPanel(app.pool_drafts(), app.link.client if app.link else None))
        for item in shown_items:
            view = item_view(item, app.stored_answer(item))
            if isinstance(view, TextView) and app.job_file is not None:
                view.secret_recorded = app.job_file.job.current(item.id) is not None
                view.secret_in_memory = item.id in app.secrets
            if isinstance(view, DerivedView):
                view.input_titles = tuple(
                    app.checklist.item(source).title for source in view.item.inputs.values()
                )
            widgets.append(view)
        if any(
            isinstance(i, LiveItem) and i.rule == "security.default_password" for i in step.items
        ):
            widgets.append(
                PasswordPanel(
                    app.secrets.get("admin.new-password"),
                    app.link.client if app.link else None,
                )
            )
        nav = Horizontal(
            Button("◀ Previous (F7)", id="step-prev"),
            Button("Next (F8) ▶", id="step-next", variant="primary"),
            classes="step--nav",
        )
        widgets.append(nav)
        await container.mount_all(widgets)
        container.scroll_home(animate=False)
        if self.focused is None or self.focused.id != "sections":
            self.focus_first_in_step()
        self._recompute_derived()
        self._refresh_context()
        if step is not self.step:
            return  # a key moved on meanwhile: the next build shows the step now wanted
        self.built_step = step.id
        self._live(app.snapshot)

    # -- answers ------------------------------------------------------------------------------

    @on(ItemView.Answered)
    def _answered(self, event: ItemView.Answered) -> None:
        event.stop()
        app = self.commission_app
        verdict = app.record_answer(event.item, event.answer)
        if verdict is not None and verdict.status == "invalid":
            return
        if isinstance(event.item, TextItem) and event.item.secret:
            self._secret_typed(event.item, event.answer)
        self._recompute_derived()
        self._refresh_context()
        self.refresh_sections()

    def _secret_typed(self, item: TextItem, text: str) -> None:
        for panel in self.query(PasswordPanel):
            if item.id == "admin.new-password":
                panel.set_new_password(SecretStr(text))

    @on(WiringView.Ticked)
    def _ticked(self, event: WiringView.Ticked) -> None:
        event.stop()
        app = self.commission_app
        item_id = app.wiring_items().get(event.plug)
        if item_id is None:
            return
        app.record_answer(app.checklist.item(item_id), "yes" if event.ticked else "no")
        self.refresh_sections()

    @on(IpReportPanel.Found)
    def _found(self, event: IpReportPanel.Found) -> None:
        event.stop()
        app = self.commission_app
        app.record_ip_report(event.ip, event.mac)
        for confirm in self.query(ConfirmView):
            if confirm.item.id == PRESSED_ITEM:
                confirm.set_confirmed()
        for item_id, value in (("network.address", event.ip), ("network.mac", event.mac)):
            for view in self.query(ItemView):
                if view.item.id == item_id:
                    view.answer = value
                    view.query_one(Input).value = value
        self.refresh_sections()

    @on(PoolsPanel.Applied)
    @on(PasswordPanel.Changed)
    def _written(self, event: PoolsPanel.Applied | PasswordPanel.Changed) -> None:
        app = self.commission_app
        if isinstance(event, PasswordPanel.Changed):
            app.record_miner_write("web-password", "the miner accepted the new web password")
        else:
            app.record_miner_write("pools", f"{event.count} pools written to the miner")
        app.action_refresh_now()

    def _refresh_context(self) -> None:
        """Judge again the inputs whose verdict depends on other answers or on the miner."""
        views = [view for view in self.query(TypedView) if view.uses_context()]
        if views:
            context = self.commission_app.answer_context()
            for view in views:
                view.rejudge(context)

    def _recompute_derived(self) -> None:
        app = self.commission_app
        if app.job_file is None:
            return
        numbers = app.job_file.job.numbers()
        for view in self.query(DerivedView):
            view.recompute(numbers)

    # -- live ---------------------------------------------------------------------------------

    def refresh_live(self) -> None:
        """Show the latest live data on the step's live items, wiring and pools."""
        self._live(self.commission_app.snapshot)

    def _live(self, snapshot: MinerSnapshot | None) -> None:
        app = self.commission_app
        if not self.built_step:
            # The step is being replaced: its views are going or not composed yet. The new step
            # shows the latest data when its build finishes, so this reading is dropped here.
            return
        outcomes: dict[str, Outcome] = app.rule_outcomes
        for view in self.query(LiveView):
            view.show_outcome(outcomes.get(view.item.rule), app.miner_problem)
        self._refresh_context()
        for wiring in self.query(WiringView):
            wiring.show(snapshot, app.miner_problem)
        if snapshot is not None:
            for panel in self.query(PoolsPanel):
                panel.show_live(snapshot.pools)
        if snapshot is not None:
            self.refresh_sections()
