"""Program cycles in words: the lead's modals and overview, the notes a pair gets when its cycle ends, and the
cycle's line on Home tabs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.domain.cycles import (
    ANSWER_DAYS,
    LENGTHS,
    NAME_MAX,
    CycleLine,
    EndedEarly,
    Overview,
    Problem,
    Refusal,
    Span,
    closeout_day,
    midpoint,
)
from bot.domain.inputs import whole_number

Rendered = tuple[str, list[dict[str, Any]]]
DEFAULT_MONTHS = 6


def day(when: date) -> str:
    return f"{when:%-d %b %Y}"


def refusal_text(refusal: Refusal) -> str:
    """A problem with a cycle's name or dates, in words for the lead."""
    other = refusal.other
    if refusal.problem is Problem.OVERLAPS and other is not None:
        return (
            f"That would overlap “{other.name}” ({day(other.starts_on)} to {day(other.ends_on)}). "
            "Cycles can't overlap: pick dates outside it."
        )
    return _REFUSALS.get(refusal.problem, "Those dates don't work. Please pick others.")


_REFUSALS = {
    Problem.NAME_EMPTY: "Give the cycle a name, like “Spring 2027”.",
    Problem.NAME_TOO_LONG: f"Keep the name to {NAME_MAX} characters or fewer.",
    Problem.NAME_MARKUP: "Leave out < and > (Slack reads them as links and mentions), like “Spring 2027”.",
    Problem.BAD_LENGTH: "Pick one of the lengths offered.",
    Problem.ALREADY_OVER: "A cycle with these dates would already be over. Pick a later start.",
    Problem.TOO_FAR_BACK: "That's too long ago: a cycle can start at most 90 days in the past.",
    Problem.TOO_FAR_AHEAD: "That's more than a year away. Plan it nearer the time.",
    Problem.DATE_PASSED: "That day has passed. Pick today or a later day.",
    Problem.NOT_LATER: "Pick a day after the current end. To finish sooner, use End early instead.",
    Problem.TOO_LONG: "A cycle can last two years at most.",
}


def cycle_modal(*, today: date, planning_after: Span | None = None) -> View:
    """Start a cycle (or plan the next one, starting the day after `planning_after` ends)."""
    start = planning_after.ends_on + timedelta(days=1) if planning_after else today
    return View(
        type="modal",
        callback_id=ids.CYCLE_VIEW,
        title="Plan the next cycle" if planning_after else "Start a cycle",
        submit="Plan it" if planning_after else "Start it",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text="A cycle gives everyone a shared beginning and end: a check-in halfway, a short close-out "
                    "survey near the end, and a choice to carry on together or close with a thank-you."
                )
            ),
            InputBlock(
                block_id=ids.B_CYCLE_NAME,
                label="Name",
                element=PlainTextInputElement(action_id=ids.A_VALUE, max_length=NAME_MAX, placeholder="Spring 2027"),
            ),
            InputBlock(
                block_id=ids.B_CYCLE_START,
                label="First day",
                element=DatePickerElement(action_id=ids.A_VALUE, initial_date=start.isoformat()),
            ),
            InputBlock(
                block_id=ids.B_CYCLE_LENGTH,
                label="Length",
                element=StaticSelectElement(
                    action_id=ids.A_VALUE,
                    options=[_months(m) for m in LENGTHS],
                    initial_option=_months(DEFAULT_MONTHS),
                ),
            ),
        ],
    )


def _months(months: int) -> Option:
    return Option(value=str(months), text=f"{months} months")


def extend_modal(*, cycle: Span) -> View:
    return View(
        type="modal",
        callback_id=ids.CYCLE_EXTEND_VIEW,
        private_metadata=json.dumps({"cycle": cycle.id}),
        title="Extend the cycle",
        submit="Extend",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{cycle.name}* ends on {day(cycle.ends_on)}. Close-out surveys not sent yet move with "
                    "the new end."
                )
            ),
            InputBlock(
                block_id=ids.B_CYCLE_END,
                label="New last day",
                element=DatePickerElement(
                    action_id=ids.A_VALUE, initial_date=(cycle.ends_on + timedelta(days=28)).isoformat()
                ),
            ),
        ],
    )


def _line(line: CycleLine) -> str:
    c = line.span
    pairs = f"{line.pairs} {'pair' if line.pairs == 1 else 'pairs'}"
    if not line.running:
        return (
            f":spiral_calendar_pad: *{c.name}* (planned): {day(c.starts_on)} to {day(c.ends_on)} · {pairs} rolling in"
        )
    if line.ending:
        return (
            f":checkered_flag: *{c.name}* ended on {day(c.ends_on)} · {pairs}. Close-out surveys are out; pairs "
            "roll over or close once people have had a few days to answer."
        )
    left = f"{line.days_left} {'day' if line.days_left == 1 else 'days'} left"
    return (
        f":seedling: *{c.name}*: {day(c.starts_on)} to {day(c.ends_on)} · {pairs} · {left}\n"
        f"Midpoint check-in {day(midpoint(c))} · close-out survey {day(closeout_day(c))}"
    )


def overview_message(view: Overview) -> Rendered:
    """What `/mentoring cycle` shows a lead when a cycle is running or planned."""
    blocks: list[Block] = []
    for line in [*view.settling, *([view.current] if view.current else [])]:
        blocks += _running_blocks(line)
    for line in view.planned:
        c = line.span
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_line(line))))
        blocks.append(
            ActionsBlock(
                block_id=f"cycle:{c.id}",
                elements=[
                    ButtonElement(text="Extend", action_id=ids.A_CYCLE_EXTEND, value=str(c.id)),
                    ButtonElement(
                        text="Call it off",
                        action_id=ids.A_CYCLE_CALL_OFF,
                        value=str(c.id),
                        style="danger",
                        confirm=ConfirmObject(
                            title=f"Call off {c.name}?"[:100],
                            text="It won't start. Pairs waiting for it carry on as they are.",
                            confirm="Call it off",
                            deny="Keep it",
                        ),
                    ),
                ],
            )
        )
    if not view.planned:
        blocks.append(
            ActionsBlock(
                block_id="cycle_plan",
                elements=[ButtonElement(text="Plan the next cycle", action_id=ids.A_CYCLE_PLAN, value="plan")],
            )
        )
    blocks.append(
        ContextBlock(
            elements=[MarkdownTextObject(text="Rounds you run with `/mentoring match` belong to the current cycle.")]
        )
    )
    name = view.current.span.name if view.current else view.lines[0].span.name
    return f"Program cycle: {name}", [b.to_dict() for b in blocks]


def _running_blocks(line: CycleLine) -> list[Block]:
    """A started cycle with its buttons: Extend, End early (unless it is ending already), End now."""
    c = line.span
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=_line(line)))]
    buttons = [ButtonElement(text="Extend", action_id=ids.A_CYCLE_EXTEND, value=str(c.id))]
    if not line.ending:
        buttons.append(
            ButtonElement(
                text="End early",
                action_id=ids.A_CYCLE_END_EARLY,
                value=str(c.id),
                confirm=ConfirmObject(
                    title="End this cycle today?",
                    text=f"Close-out surveys go out now. In {ANSWER_DAYS.days} days, pairs who both chose to "
                    "continue carry on and the others close with a thank-you.",
                    confirm="End it today",
                    deny="Keep it running",
                ),
            )
        )
    buttons.append(
        ButtonElement(
            text="End now, skip the survey",
            action_id=ids.A_CYCLE_END_NOW,
            value=str(c.id),
            style="danger",
            confirm=ConfirmObject(
                title="End it now, without a survey?",
                text="Pairs close today with a thank-you, except those where both already chose to continue.",
                confirm="End it now",
                deny="Cancel",
            ),
        )
    )
    blocks.append(ActionsBlock(block_id=f"cycle:{c.id}", elements=buttons))
    return blocks


def started_text(cycle: Span, *, today: date) -> str:
    if cycle.starts_on > today:
        return (
            f":spiral_calendar_pad: *{cycle.name}* is planned: {day(cycle.starts_on)} to {day(cycle.ends_on)}. "
            "Active pairs join it on its first day."
        )
    return (
        f":seedling: *{cycle.name}* has started: {day(cycle.starts_on)} to {day(cycle.ends_on)}. Active pairs are in "
        f"it, and so are the rounds you run from now. Midpoint check-in on {day(midpoint(cycle))}, close-out "
        f"survey on {day(closeout_day(cycle))}."
    )


def extended_text(cycle: Span) -> str:
    return f":spiral_calendar_pad: *{cycle.name}* now ends on {day(cycle.ends_on)}."


def ended_early_text(ended: EndedEarly) -> str:
    name = ended.cycle.name
    if ended.called_off:
        return f"*{name}* is called off. Pairs waiting for it carry on as they are."
    if ended.settled:
        return (
            f":checkered_flag: *{name}* has ended. Pairs who both chose to continue carry on; the others are "
            "thanked and free for the next cycle."
        )
    return (
        f":checkered_flag: *{name}* ends today. Close-out surveys are going out; in {ANSWER_DAYS.days} days pairs "
        "roll over or close."
    )


def pair_closed_text(*, other_name: str, cycle_name: str) -> str:
    return (
        f":tada: *{cycle_name}* has come to an end, and with it your reverse mentoring pairing with {other_name}. "
        "Thank you for the time, the questions and the honesty you brought to it: that is what makes this "
        "program work. You stay in the program and are free to be matched in the next cycle."
    )


def pair_continues_text(*, other_name: str, cycle_name: str, next_name: str | None) -> str:
    onward = f"into *{next_name}*" if next_name else "until the next cycle starts"
    return (
        f":arrows_counterclockwise: *{cycle_name}* has ended, and you and {other_name} both chose to keep going: "
        f"your pairing carries on {onward}. Nothing to do but book your next session."
    )


def lead_cycle_line(view: Overview) -> str | None:
    """The current (or next) cycle in one line, for the head of the leads' Home tab."""
    if view.current is not None:
        line = view.current
        if line.ending:
            return f":checkered_flag: *{line.span.name}* ended on {day(line.span.ends_on)}: close-out under way"
        left = f"{line.days_left} {'day' if line.days_left == 1 else 'days'} left"
        return f":seedling: *{line.span.name}* · until {day(line.span.ends_on)} · {left} · {line.pairs} pairs"
    if view.settling:
        ended = view.settling[-1].span
        return f":checkered_flag: *{ended.name}* ended on {day(ended.ends_on)}: close-out under way"
    if view.planned:
        nxt = view.planned[0].span
        return f":spiral_calendar_pad: No cycle running; *{nxt.name}* starts {day(nxt.starts_on)}"
    return None


def pair_cycle_phrase(*, name: str, days_left: int) -> str:
    """A pair's cycle on their Home tab."""
    if days_left <= 0:
        return f"{name}: ended, close-out under way"
    return f"{name}: {days_left} {'day' if days_left == 1 else 'days'} left"


@dataclass(frozen=True)
class CycleAnswers:
    name: str
    starts_on: date | None
    months: int  # 0 when missing or not a number we offered


def _entry(values: dict[str, Any], block: str) -> dict[str, Any]:
    found = (values.get(block) or {}).get(ids.A_VALUE)
    return found if isinstance(found, dict) else {}


def _date(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        return None


def read_cycle(values: dict[str, Any]) -> CycleAnswers:
    """Read the new-cycle modal; the use case checks the rules (a forged value is refused there)."""
    name = str(_entry(values, ids.B_CYCLE_NAME).get("value") or "")
    starts_on = _date(_entry(values, ids.B_CYCLE_START).get("selected_date"))
    option = _entry(values, ids.B_CYCLE_LENGTH).get("selected_option") or {}
    months = whole_number(str(option.get("value") if isinstance(option, dict) else ""), low=0, high=1000)
    return CycleAnswers(name=name, starts_on=starts_on, months=months or 0)


def read_new_end(values: dict[str, Any]) -> date | None:
    return _date(_entry(values, ids.B_CYCLE_END).get("selected_date"))


def done_modal(title: str, text: str) -> View:
    """What a cycle modal turns into once it has done its work."""
    return View(
        type="modal", title=title, close="Done", blocks=[SectionBlock(text=MarkdownTextObject(text=text[:3000]))]
    )


NO_START = "Pick the cycle's first day."
NO_END = "Pick the new last day."
CYCLE_GONE = "That cycle has already closed, so nothing changed."
