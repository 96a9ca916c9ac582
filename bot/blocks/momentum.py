"""Messages that keep pairs moving: nudges, the sponsor's note, the leads' alert, thanks, reminders, check-ins."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.common import slack_date
from bot.blocks.messages import section
from bot.domain.people import Cadence

MIN_ANSWERS_FOR_TOTALS = 3

MET_OPTIONS = {
    "all": "Yes, we met",
    "some": "Partly (short, or not everyone)",
    "not_yet": "Not yet, it's planned",
    "couldnt": "We couldn't meet",
}
FIT_OPTIONS = {"good": "A good fit", "unsure": "Not sure yet", "bad": "Not a good fit"}
TELL_LEAD = "tell_lead"


def _dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def keep_going_actions(anchor: int) -> ActionsBlock:
    """One-click ways back: log a session, set a date, or take a break."""
    return ActionsBlock(
        block_id=f"pair:{anchor}",
        elements=[
            ButtonElement(
                text="We met — log a session", action_id=ids.A_LOG_SESSION, value=str(anchor), style="primary"
            ),
            ButtonElement(text="Schedule our next session", action_id=ids.A_SCHEDULE, value=str(anchor)),
            ButtonElement(text="Pause for now", action_id=ids.A_PAUSE, value=str(anchor)),
        ],
    )


@functools.cache
def _keep_going_template() -> str:
    return json.dumps(keep_going_actions(0).to_dict())


def _keep_going(anchor: int) -> dict[str, Any]:
    # The sweep queues thousands of nudges at once, and slack_sdk validates every object it serialises;
    # the block is the same for every pair but its anchor, so it is validated once and then filled in.
    block: dict[str, Any] = json.loads(_keep_going_template())
    block["block_id"] = f"pair:{anchor}"
    for element in block["elements"]:
        if "value" in element:
            element["value"] = str(anchor)
    return block


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


Rendered = tuple[str, list[dict[str, Any]]]


def _when(moment: datetime, tz: str) -> str:
    # A date, not a count of days: a message held for a weekend or a retry still says something true.
    return slack_date(moment, tz)


def _quiet_since(last_session: datetime | None, started: datetime, tz: str) -> str:
    if last_session is None:
        return f"haven't had a first session since they were matched on {_when(started, tz)}"
    return f"haven't met since {_when(last_session, tz)}"


def nudge_pair(
    *,
    mentor_id: str,
    mentee_id: str,
    last_session: datetime | None,
    started: datetime,
    cadence: Cadence | str,
    anchor: int,
    tz: str = "UTC",
    agenda: Sequence[str] = (),
) -> Rendered:
    phrase = Cadence.parse(cadence).phrase
    if last_session is None:
        text = f"<@{mentor_id}> and <@{mentee_id}>, you haven't had your first reverse mentoring session yet."
        body = (
            f":seedling: {text} You were matched on {_when(started, tz)}. 45 minutes is plenty; book a time with "
            "the button below."
        )
        if agenda:
            body += "\n*A first session*\n" + "\n".join(f"• {step}" for step in agenda)
    else:
        text = (
            f"<@{mentor_id}> and <@{mentee_id}>, your last reverse mentoring session was on {_when(last_session, tz)}."
        )
        body = (
            f":seedling: {text} You agreed to meet {phrase}. "
            "Even 20 minutes this week keeps it going. Met already? Log it. Need a break? That's fine too."
        )
    return text, [_section(body), _keep_going(anchor)]


def nudge_each(
    *, other_name: str, last_session: datetime | None, started: datetime, anchor: int, tz: str = "UTC"
) -> Rendered:
    if last_session is None:
        text = f"You and {other_name} haven't had your first reverse mentoring session yet."
    else:
        text = f"Your reverse mentoring with {other_name} has gone quiet since {_when(last_session, tz)}."
    body = (
        f"{text} Could you suggest a time to {other_name}? If now isn't a good moment, pausing is one click, "
        "and nobody minds."
    )
    return text, [_section(body), _keep_going(anchor)]


def sponsor_note(
    *,
    mentee_name: str,
    mentor_name: str,
    last_session: datetime | None,
    started: datetime,
    cadence: Cadence | str,
    tz: str = "UTC",
) -> str:
    # Status only: never what anyone said in a check-in.
    return (
        f"A note as {mentee_name}'s sponsor: their reverse mentoring with {mentor_name} has stalled: they "
        f"{_quiet_since(last_session, started, tz)} (they agreed to meet {Cadence.parse(cadence).phrase}). "
        "A word of encouragement from you often gets a pair going again."
    )


def leads_alert(
    *,
    pairing_id: int,
    mentor_name: str,
    mentee_name: str,
    last_session: datetime | None,
    cadence: Cadence | str,
    sessions: int,
    started: datetime,
    steps_taken: list[str],
    cancelled_in_a_row: int = 0,
    tz: str = "UTC",
) -> Rendered:
    quiet = _quiet_since(last_session, started, tz)
    text = f"{mentor_name} and {mentee_name} have stalled: they {quiet}."
    facts = [
        f"Matched {_when(started, tz)}, agreed to meet {Cadence.parse(cadence).phrase}, {sessions} "
        f"{'session' if sessions == 1 else 'sessions'} logged."
    ]
    if cancelled_in_a_row >= 2:
        facts.append(f"{cancelled_in_a_row} sessions cancelled in a row.")
    facts.append(f"Already tried: {', '.join(steps_taken) or 'nothing yet'}.")
    blocks: list[Block] = [
        HeaderBlock(text="A pair has stalled"),
        section(f":warning: *{mentor_name}* (mentor) and *{mentee_name}* (mentee) {quiet}."),
        section(" ".join(facts)),
        ActionsBlock(
            elements=[
                ButtonElement(text="Nudge again", action_id=ids.A_LEAD_NUDGE, value=str(pairing_id)),
                ButtonElement(text="Offer a rematch", action_id=ids.A_LEAD_REMATCH, value=str(pairing_id)),
                ButtonElement(text="Close the pair", action_id=ids.A_PAIR_END, value=str(pairing_id), style="danger"),
                ButtonElement(text="Snooze 2 weeks", action_id=ids.A_LEAD_SNOOZE, value=str(pairing_id)),
            ]
        ),
    ]
    return text, _dicts(blocks)


def thanks(*, mentor_id: str, mentee_id: str, first_session: bool = False) -> str:
    if first_session:
        return (
            f":tada: <@{mentor_id}> and <@{mentee_id}>, lovely to see you've had your first session. "
            "Thank you, and here's to the next one!"
        )
    return f":tada: <@{mentor_id}> and <@{mentee_id}>, lovely to see you met again. Thank you for keeping it going!"


def checkin_prompt(*, other_name: str, prompt_id: int) -> Rendered:
    text = f"How did your session with {other_name} go? A few quick questions, just for you."
    blocks: list[Block] = [
        section(f":speech_balloon: {text}"),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Answer (30 seconds)", action_id=ids.A_CHECKIN_OPEN, value=str(prompt_id), style="primary"
                )
            ]
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Your answers are private. Program leads only see totals over three or more answers."
                )
            ]
        ),
    ]
    return text, _dicts(blocks)


def checkin_modal(*, prompt_id: int, other_name: str, ask_fit: bool, goal_blocks: Sequence[Block] = ()) -> View:
    """The private check-in; `goal_blocks`: the goal questions (`bot.blocks.goals.checkin_goal_blocks`)."""

    def radios(options: dict[str, str]) -> RadioButtonsElement:
        return RadioButtonsElement(
            action_id=ids.A_VALUE, options=[Option(value=v, label=label) for v, label in options.items()]
        )

    blocks: list[Block] = [
        InputBlock(block_id=ids.B_CHECKIN_MET, label=f"Did you and {other_name} meet?", element=radios(MET_OPTIONS)),
        InputBlock(
            block_id=ids.B_CHECKIN_VALUE,
            label="How valuable was it? (1 = not at all, 5 = very)",
            optional=True,
            element=radios({str(n): str(n) for n in range(1, 6)}),
        ),
        InputBlock(
            block_id=ids.B_CHECKIN_LEARNED,
            label="What did you learn or teach?",
            optional=True,
            element=PlainTextInputElement(action_id=ids.A_VALUE, multiline=True, max_length=500),
        ),
        InputBlock(
            block_id=ids.B_CHECKIN_BLOCKERS,
            label="Anything in the way?",
            optional=True,
            element=PlainTextInputElement(action_id=ids.A_VALUE, multiline=True, max_length=500),
        ),
        *goal_blocks,
    ]
    if ask_fit:
        blocks += [
            InputBlock(
                block_id=ids.B_CHECKIN_FIT,
                label="After this first session, is it a good fit?",
                element=radios(FIT_OPTIONS),
            ),
            InputBlock(
                block_id=ids.B_CHECKIN_TELL_LEAD,
                label="If it isn't a good fit",
                optional=True,
                element=CheckboxesElement(
                    action_id=ids.A_VALUE,
                    options=[
                        Option(
                            value=TELL_LEAD,
                            label="Tell the program lead",
                            description="They'll see your name and your match's, so they can help.",
                        )
                    ],
                ),
            ),
        ]
    private = "Only you see your answers. Leads only see totals"
    private += ", unless you choose to tell them it isn't a good fit." if ask_fit else "."
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=private)]))
    return View(
        type="modal",
        callback_id=ids.CHECKIN_VIEW,
        private_metadata=str(prompt_id),
        title="Session check-in",
        submit="Send",
        close="Later",
        blocks=blocks,
    )


def rematch_offer(*, pairing_id: int, other_name: str, leads_know: bool = True) -> Rendered:
    """A private offer of a new match; `leads_know`: the person told the leads it isn't a good fit (or a lead
    made the offer), otherwise it stays between them and Turnabout."""
    text = f"Thanks for being honest. Would you like a new match instead of {other_name}?"
    who_knows = "The program leads know it isn't a good fit" if leads_know else "Nobody else knows what you answered"
    blocks: list[Block] = [
        section(f"{text} {who_knows}; {other_name} is only told the pair has ended."),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Yes, find me a new match", action_id=ids.A_REMATCH_ME, value=str(pairing_id), style="primary"
                )
            ]
        ),
    ]
    return text, _dicts(blocks)


def ghost_paused() -> Rendered:
    text = "We haven't heard from you in a while, so we've paused your reverse mentoring: no more nudges."
    blocks: list[Block] = [
        section(f"{text} Whenever you're ready, one click brings you back."),
        ActionsBlock(
            elements=[ButtonElement(text="I'm back", action_id=ids.A_RESUME, value="resume", style="primary")]
        ),
    ]
    return text, _dicts(blocks)


def report(
    *, counts: dict[str, int], totals: dict[str, float | int], sessions_30d: int, cancelled_twice: int = 0
) -> Rendered:
    """The leads' view of the program; check-in figures only over enough answers to stay anonymous."""
    active = sum(counts.values())
    lines = [
        f"*Active pairs:* {active}",
        f":white_circle: not started {counts.get('not_started', 0)}"
        f" · :large_green_circle: on track {counts.get('on_track', 0)}"
        f" · :large_yellow_circle: cooling {counts.get('cooling', 0)}"
        f" · :red_circle: lapsed {counts.get('lapsed', 0)}"
        f" · :double_vertical_bar: paused {counts.get('paused', 0)}",
        f"*Sessions logged in the last 30 days:* {sessions_30d}",
    ]
    if cancelled_twice:
        pairs = "pair has" if cancelled_twice == 1 else "pairs have"
        lines.append(f"*Cancellations:* {cancelled_twice} {pairs} had 2 or more sessions cancelled in a row")
    answers = int(totals.get("answers", 0))
    if answers >= MIN_ANSWERS_FOR_TOTALS:
        met = int(totals["met"]) * 100 // answers
        lines.append(
            f"*Check-ins:* {answers} answers · {met}% met · average value {float(totals['avg_value']):.1f}/5 · "
            f"{int(totals['bad_fit'])} said not a good fit"
        )
    else:
        lines.append(
            f"*Check-ins:* shown once there are at least {MIN_ANSWERS_FOR_TOTALS} answers, to keep them anonymous."
        )
    blocks: list[Block] = [HeaderBlock(text="How the program is doing"), section("\n".join(lines))]
    return "Reverse mentoring: how the program is doing", _dicts(blocks)
