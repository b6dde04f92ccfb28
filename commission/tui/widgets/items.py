"""One input per checklist item kind, each judging its answer as it is typed.

A measurement shows the value read, its unit, pass or fail and why, at every keystroke; a choice
and a text answer are judged the same way; a live item shows the latest outcome of its rule with the
evidence and the action; a derived item computes its value from other answers. Each view posts
:class:`ItemView.Answered` when the answer should be saved (the screen owns the job).
"""

from __future__ import annotations

from collections.abc import Mapping

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet, Static

from commission.checklist import (
    NO_CONTEXT,
    AnswerContext,
    ChoiceItem,
    ConfirmItem,
    DerivedItem,
    InfoItem,
    Item,
    LiveItem,
    MeasurementItem,
    Severity,
    TextItem,
    Verdict,
    VerdictStatus,
    evaluate_choice,
    evaluate_derived,
    evaluate_measurement,
    evaluate_text,
)
from commission.checklist.models import format_value
from commission.results import Outcome, Status
from commission.tui.guard import Guarded
from commission.tui.widgets.outcomes import outcome_markup
from commission.tui.widgets.status_style import status_markup
from commission.tui.widgets.tickbox import TickBox

SAVE_AFTER_IDLE_S = 0.6
"""A typed answer is saved this long after the last keystroke (and at once on Enter or leaving)."""

VERDICT_STATUS: dict[VerdictStatus, Status] = {
    VerdictStatus.PASS: Status.PASS,
    VerdictStatus.WARN: Status.WARN,
    VerdictStatus.QUESTION: Status.UNJUDGED,
    VerdictStatus.FAIL: Status.FAIL,
    VerdictStatus.INVALID: Status.ERROR,
    VerdictStatus.INCOMPLETE: Status.SKIPPED,
}

SEVERITY_MARK: dict[Severity, str] = {
    Severity.CAUTION: "[$warning]▲ CAUTION[/] ",
    Severity.DANGER: "[$error]⚠ DANGER[/] ",
    Severity.INFO: "",
    Severity.NORMAL: "",
}


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


def verdict_markup(verdict: Verdict) -> str:
    """Content markup of a verdict: glyph, word, the value read and why."""
    status = VERDICT_STATUS[verdict.status]
    word = "INVALID" if verdict.status is VerdictStatus.INVALID else status.word
    if verdict.status is VerdictStatus.INCOMPLETE:
        word = "WAITING"
    if verdict.status is VerdictStatus.QUESTION:
        word = "WHICH?"
    return f"[${_token(status)}]{status.glyph} {word}[/] {_escape(verdict.reason)}"


def _token(status: Status) -> str:
    from commission.tui.widgets.status_style import TOKENS

    return TOKENS[status]


class ItemView(Guarded, Vertical):
    """Base of every item input: title with severity, instruction text and a verdict line."""

    DEFAULT_CSS = """
    ItemView {
        height: auto;
        padding: 0 1;
        margin-bottom: 1;
        border-left: wide $primary-muted;
    }
    ItemView.-caution {
        border-left: wide $warning;
        background: $warning-muted;
    }
    ItemView.-danger {
        border-left: wide $error;
        background: $error-muted;
    }
    ItemView .item--title {
        text-style: bold;
        width: 1fr;
    }
    ItemView .item--text {
        color: $text-muted;
        width: 1fr;
    }
    ItemView .item--verdict {
        width: 1fr;
    }
    ItemView Input {
        width: 40;
        max-width: 100%;
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    ItemView Input:focus {
        border: none;
        background: $primary 25%;
    }
    ItemView Checkbox, ItemView RadioSet {
        border: none;
        padding: 0;
        background: transparent;
    }
    ItemView Checkbox:focus, ItemView RadioSet:focus {
        border: none;
        background: $primary 25%;
    }
    """

    class Answered(Message):
        """The technician gave (or changed) the answer to one item."""

        def __init__(self, view: ItemView, item: Item, answer: str, verdict: Verdict) -> None:
            self.view = view
            self.item = item
            self.answer = answer
            self.verdict = verdict
            super().__init__()

        @property
        def control(self) -> ItemView:
            """The item view that sent this."""
            return self.view

    def __init__(self, item: Item, answer: str | None = None) -> None:
        super().__init__(id=f"item-{item.id.replace('.', '_')}")
        self.item = item
        self.answer = answer
        self.set_class(item.severity is Severity.CAUTION, "-caution")
        self.set_class(item.severity is Severity.DANGER, "-danger")

    def compose(self) -> ComposeResult:
        """Title, instruction, the kind's input and the verdict line."""
        optional = "" if self.item.required else " [$text-muted](optional)[/]"
        yield Label(
            f"{SEVERITY_MARK[self.item.severity]}{_escape(self.item.title)}{optional}"
            f"  [$text-muted]guide {self.item.guide}[/]",
            classes="item--title",
        )
        if self.item.text:
            yield Static(self.item.text, classes="item--text", markup=False)
        for figure in self.item.figures:
            yield Label(
                f"  · {_escape(figure.label)}: [b]{format_value(figure.value, figure.unit)}[/b]",
                classes="item--text",
            )
        yield from self.compose_input()
        yield Label("", classes="item--verdict")

    def compose_input(self) -> ComposeResult:
        """The input for this kind (none for plain views)."""
        yield from ()

    def show_verdict(self, verdict: Verdict | None) -> None:
        """Show ``verdict`` (or clear the line)."""
        label = self.query_one(".item--verdict", Label)
        label.update("" if verdict is None else verdict_markup(verdict))

    def answered(self, answer: str, verdict: Verdict) -> None:
        """Remember ``answer`` and tell the screen to save it."""
        self.answer = answer
        self.post_message(self.Answered(self, self.item, answer, verdict))


class ConfirmView(ItemView):
    """A tick box: done / not done."""

    item: ConfirmItem

    def compose_input(self) -> ComposeResult:
        """A checkbox."""
        yield TickBox("done", self.answer == "yes")

    @on(Checkbox.Changed)
    def _changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        verdict = Verdict(
            status=VerdictStatus.PASS if event.value else VerdictStatus.INCOMPLETE,
            reason="confirmed" if event.value else "not confirmed yet",
        )
        self.show_verdict(verdict)
        answer = "yes" if event.value else "no"
        if answer != self.answer:
            self.answered(answer, verdict)

    def set_confirmed(self) -> None:
        """Show the item as confirmed when something else recorded it (the IP Report)."""
        self.answer = "yes"
        self.query_one(TickBox).value = True

    def on_mount(self) -> None:
        """Show the stored state."""
        if self.answer == "yes":
            self.show_verdict(Verdict(status=VerdictStatus.PASS, reason="confirmed"))


class TypedView(ItemView):
    """An Input judged at every keystroke and saved after a pause, on Enter or on leaving.

    What was typed is kept in :attr:`typed` as well, so the screen can save an answer that is still
    pending (typed, not yet saved) when the step changes or the app quits: nothing typed is lost.
    """

    _save_timer: Timer | None = None
    typed: str | None = None
    """The input's text after the last keystroke; None before any."""
    context: AnswerContext = NO_CONTEXT
    """Other answers and miner readings the answer is judged with (set by the screen)."""

    def uses_context(self) -> bool:
        """True when the verdict depends on other answers or on the miner."""
        return False

    def rejudge(self, context: AnswerContext) -> None:
        """Take a new context and show the verdict of the current text again."""
        self.context = context
        text = self.typed if self.typed is not None else self.answer
        if text and text.strip():
            self.show_verdict(self.judge(text))

    def placeholder(self) -> str:
        """What the empty input shows."""
        return ""

    def password(self) -> bool:
        """True to mask the input (secrets)."""
        return False

    def judge(self, text: str) -> Verdict:
        """Judge the typed text."""
        raise NotImplementedError

    def compose_input(self) -> ComposeResult:
        """The input, prefilled with the stored answer."""
        yield Input(
            self.answer or "",
            placeholder=self.placeholder(),
            password=self.password(),
            id=f"input-{self.item.id.replace('.', '_')}",
        )

    def on_mount(self) -> None:
        """Judge the stored answer so a resumed job shows its verdicts."""
        if self.answer:
            self.show_verdict(self.judge(self.answer))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        text = event.value
        self.typed = text
        self.show_verdict(self.judge(text) if text.strip() else None)
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_AFTER_IDLE_S, self.save_now)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save_now()

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        event.stop()
        self.save_now()

    def pending(self) -> str | None:
        """Text typed since the last save, or None when there is nothing to save."""
        if self.typed is None or self.typed == (self.answer or ""):
            return None
        return self.typed

    def save_now(self) -> None:
        """Save the current text if it changed since the last save."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        text = self.pending()
        if text is not None:
            self.answered(text, self.judge(text))

    def on_unmount(self) -> None:
        """Stop the save timer (the screen saves what is pending before removing a step)."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None


class MeasurementView(TypedView):
    """A number with its unit, judged against the limits as it is typed."""

    item: MeasurementItem

    def compose_input(self) -> ComposeResult:
        """The limits, then the input."""
        limits = self.item.limit_text or "no limit (recorded only)"
        typical = (
            f", typical {format_value(self.item.typical, self.item.unit)}"
            if self.item.typical is not None
            else ""
        )
        yield Label(f"limit: [b]{_escape(limits)}[/b]{typical}", classes="item--text")
        yield from super().compose_input()

    def placeholder(self) -> str:
        """The unit the value is typed in."""
        return f"value in {self.item.unit}" if self.item.unit else "value"

    def judge(self, text: str) -> Verdict:
        """Parse and judge against the limits."""
        return evaluate_measurement(self.item, text, self.context)

    def uses_context(self) -> bool:
        """An allowance depends on another answer."""
        return self.item.allowance is not None


class TextView(TypedView):
    """Free text, checked against the item's pattern; secrets are masked."""

    item: TextItem
    secret_recorded = False
    """For a secret: the job says it was set earlier (the value itself is never stored)."""
    secret_in_memory = False
    """For a secret: it was typed in this session and is held in memory (never on disk)."""

    def on_mount(self) -> None:
        """For a secret set earlier, say so without showing it (Textual also runs the base's)."""
        if self.item.secret and self.secret_recorded and not self.answer:
            reason = (
                "entered; held in memory for this session only, never saved"
                if self.secret_in_memory
                else "set earlier; never saved, so type it again to apply it"
            )
            self.show_verdict(Verdict(status=VerdictStatus.PASS, reason=reason))

    def placeholder(self) -> str:
        """The example answer."""
        return self.item.example or self.item.title

    def password(self) -> bool:
        """Secrets are masked."""
        return self.item.secret

    def judge(self, text: str) -> Verdict:
        """Check against the pattern (and the miner's reading, for the firmware date)."""
        return evaluate_text(self.item, text, self.context)

    def uses_context(self) -> bool:
        """A text compared with a miner reading."""
        return self.item.live_reading is not None


class ChoiceView(ItemView):
    """One option out of a list; the accepted ones pass."""

    item: ChoiceItem

    def compose_input(self) -> ComposeResult:
        """A radio set of the options."""
        with RadioSet():
            for option in self.item.options:
                yield RadioButton(option, value=option == self.answer)

    def on_mount(self) -> None:
        """Judge the stored answer."""
        if self.answer:
            self.show_verdict(evaluate_choice(self.item, self.answer))

    @on(RadioSet.Changed)
    def _changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        answer = str(event.pressed.label)
        verdict = evaluate_choice(self.item, answer)
        self.show_verdict(verdict)
        self.answered(answer, verdict)


class DerivedView(ItemView):
    """A value computed from other answers (dew point margin, PSU load ...)."""

    item: DerivedItem
    input_titles: tuple[str, ...] = ()
    """Titles of the items it is computed from (set by the screen; ids are shown otherwise)."""

    def compose_input(self) -> ComposeResult:
        """The limits and the inputs it needs."""
        inputs = ", ".join(self.input_titles or tuple(self.item.inputs.values()))
        limit = f"; limit: [b]{_escape(self.item.limit_text)}[/b]" if self.item.limit_text else ""
        yield Label(f"calculated from {_escape(inputs)}{limit}", classes="item--text")

    def recompute(self, values: Mapping[str, float | None]) -> Verdict:
        """Compute from ``values`` (numbers by item id), show and return the verdict."""
        verdict = evaluate_derived(self.item, values)
        if verdict.status is VerdictStatus.INCOMPLETE and self.input_titles:
            reason = verdict.reason
            for source, title in zip(self.item.inputs.values(), self.input_titles, strict=True):
                reason = reason.replace(source, title.lower())
            verdict = verdict.model_copy(update={"reason": reason})
        if verdict.value is not None:
            shown = verdict.model_copy(
                update={
                    "reason": f"{format_value(round(verdict.value, 1), self.item.unit)}: "
                    f"{verdict.reason}"
                }
            )
            self.show_verdict(shown)
        else:
            self.show_verdict(verdict)
        return verdict


class LiveView(ItemView):
    """Checked against the running miner: the latest outcome of its rule, with evidence."""

    item: LiveItem

    def compose_input(self) -> ComposeResult:
        """The rule id and the outcome area."""
        yield Label(f"live check [b]{self.item.rule}[/b]", classes="item--text")
        yield Static(self._shown, classes="item--outcome")

    def show_outcome(self, outcome: Outcome | None, problem: str = "") -> None:
        """Show the rule's latest outcome (None: not judged yet, with ``problem`` if known).

        Safe at any time: before the view is composed, or while it is being removed, the outcome
        is kept and shown when the outcome area exists.
        """
        if outcome is None:
            self._shown = status_markup(Status.ERROR, problem) if problem else "waiting…"
        else:
            self._shown = outcome_markup(outcome)
        for area in self.query(".item--outcome").results(Static):
            area.update(self._shown)

    _shown = "waiting for the miner…"


class InfoView(ItemView):
    """A fact to read; nothing to answer."""

    item: InfoItem


def item_view(item: Item, answer: str | None) -> ItemView:
    """The view for ``item``'s kind, showing the stored ``answer``."""
    views: dict[str, type[ItemView]] = {
        "confirm": ConfirmView,
        "measurement": MeasurementView,
        "text": TextView,
        "choice": ChoiceView,
        "derived": DerivedView,
        "live": LiveView,
        "info": InfoView,
    }
    return views[item.kind](item, answer)
