"""The App Home tab: where a participant sees their status and acts on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.common import ProfileLike, profile_lines, role_phrase, slack_date
from bot.blocks.goals import PairGoals, confidence_blocks, pair_goal_lines
from bot.blocks.recognition import record_text
from bot.blocks.scheduling import booked_line, schedule_button
from bot.domain.catalogue import Catalogue
from bot.domain.people import Status
from bot.domain.recognition import MentorRecord

INTRO = (
    "Turnabout runs the company's *reverse mentoring* program: early-career colleagues teach senior ones "
    "the tools and perspectives they know best, and learn perspective back. We pair people thoughtfully, "
    "then keep the sessions happening."
)


def button(text: str, action_id: str, *, style: str | None = None, value: str | None = None) -> ButtonElement:
    return ButtonElement(text=text, action_id=action_id, style=style, value=value or action_id)


@dataclass(frozen=True)
class PairLine:
    """One of the person's current pairs, as their Home tab shows it."""

    other_name: str
    other_role: str  # "your mentee" / "your mentor"
    momentum: str
    sessions: int
    last_session: date | None
    next_session: datetime | None  # the start of a booked session still to come
    anchor: int = 0  # the pairing its buttons act on
    tz: str = "UTC"  # the reader's time zone
    goals: PairGoals | None = None  # the pair's goals, progress and agreement (seen by the pair only)
    cycle: str | None = None  # the program cycle the pair is in, and how long it has left


@dataclass(frozen=True)
class ConfidenceLine:
    """How confident the reader felt in one topic they want to learn: at sign-up, and at their latest cycle's
    midpoint and close-out (None where not asked or not answered)."""

    topic: str  # its label
    signup: int | None
    midpoint: int | None
    closeout: int | None


def confidence_lines(lines: Sequence[ConfidenceLine]) -> str:
    rows = []
    for line in lines:
        steps = [
            f"{value} at {stage}"
            for value, stage in ((line.signup, "sign-up"), (line.midpoint, "midpoint"), (line.closeout, "close-out"))
            if value is not None
        ]
        rows.append(f"{line.topic}: " + " → ".join(steps))
    return "\n".join(rows)


MOMENTUM_LABELS = {
    "not_started": ":white_circle: not started yet: book your first session",
    "paused": ":double_vertical_bar: paused",
    "on_track": ":large_green_circle: on track",
    "cooling": ":large_yellow_circle: cooling: time for a session",
    "lapsed": ":red_circle: lapsed: it's been a while",
}


def pair_lines(pairs: Sequence[PairLine]) -> str:
    return "\n".join(_pair_text(pair) for pair in pairs)


def _pair_text(pair: PairLine) -> str:
    """One pair's part of the Home tab: its standing, then its goals and agreement (a section of its own, so
    six goals of 200 characters never push a section past Slack's 3,000)."""
    sessions = f"{pair.sessions} {'session' if pair.sessions == 1 else 'sessions'}"
    parts = [MOMENTUM_LABELS.get(pair.momentum, pair.momentum), sessions]
    if pair.last_session:
        parts.append(f"last {pair.last_session:%-d %b}")
    if pair.next_session:
        parts.append(booked_line(pair.next_session, pair.tz))
    if pair.cycle:
        parts.append(f":calendar: {pair.cycle}")
    lines = [f"*{pair.other_name}* ({pair.other_role}) · " + " · ".join(parts)]
    if pair.goals is not None:
        lines += pair_goal_lines(pair.goals)
    return "\n".join(lines)


def home_view(
    *,
    status: Status,
    profile: ProfileLike | None,
    catalogue: Catalogue,
    paused_until: datetime | None = None,
    pairs: Sequence[PairLine] = (),
    lead_summary: Sequence[dict[str, Any]] = (),
    confidence: Sequence[ConfidenceLine] = (),
    signup_confidence: Sequence[str] = (),
    rate_confidence: bool = False,
    record: MentorRecord | None = None,
) -> View:
    """The Home tab for one person, given their status as of now; `record`: what they have done as a mentor,
    shown once they have mentored anyone."""
    blocks: list[Block | dict[str, Any]] = [HeaderBlock(text="Reverse mentoring")]
    if lead_summary:
        blocks += [*lead_summary, DividerBlock()]
    if status is Status.NOT_JOINED or profile is None:
        blocks += [
            SectionBlock(text=MarkdownTextObject(text=INTRO)),
            SectionBlock(text=MarkdownTextObject(text="*You haven't joined yet.* It takes two minutes.")),
            ActionsBlock(elements=[button("Join the program", ids.A_JOIN, style="primary")]),
        ]
        return View(type="home", blocks=blocks)
    if status is Status.LEFT:
        blocks += [
            SectionBlock(text=MarkdownTextObject(text="*You have left the program.* You're welcome back any time.")),
            ActionsBlock(elements=[button("Join again", ids.A_JOIN, style="primary")]),
        ]
        return View(type="home", blocks=blocks)
    if status is Status.PAUSED:
        until = f" until {slack_date(paused_until, profile.tz)}" if paused_until else ""
        headline = f":double_vertical_bar: *Paused{until}.* We won't match you or send reminders meanwhile."
        actions = [
            button("Resume now", ids.A_RESUME, style="primary"),
            button("Edit my answers", ids.A_EDIT),
            _leave_button(),
        ]
    else:
        matched = (
            f"{len(pairs)} {'match' if len(pairs) == 1 else 'matches'} below"
            if pairs
            else "We'll let you know when you're matched"
        )
        headline = f":large_green_circle: *Active* as {role_phrase(profile)}. {matched}."
        actions = [button("Edit my answers", ids.A_EDIT), button("Pause", ids.A_PAUSE), _leave_button()]
    blocks += [SectionBlock(text=MarkdownTextObject(text=headline)), ActionsBlock(elements=actions)]
    if pairs:
        blocks += [DividerBlock(), SectionBlock(text=MarkdownTextObject(text="*Your pairs*"))]
        blocks += [SectionBlock(text=MarkdownTextObject(text=_pair_text(p)[:3000])) for p in pairs[:20]]
        unbooked = [p for p in pairs if p.next_session is None and p.anchor]
        if unbooked and status is Status.ACTIVE:
            # One actions block per button: Slack refuses two elements with the same action_id in one block.
            blocks += [
                ActionsBlock(
                    block_id=f"schedule:{p.anchor}",
                    elements=[
                        schedule_button(
                            p.anchor,
                            text="Schedule our next session"
                            if len(unbooked) == 1
                            else f"Schedule with {p.other_name}"[:75],
                        )
                    ],
                )
                for p in unbooked[:10]
            ]
    if confidence:
        text = "*Your confidence, before and after* (1-5, just for you)\n" + confidence_lines(confidence)
        blocks += [DividerBlock(), SectionBlock(text=MarkdownTextObject(text=text[:3000]))]
    elif signup_confidence or rate_confidence:
        # Until a cycle asks again: their sign-up ratings, and a way to give them. Once it has, the before and
        # after above hold them, and a starting point can no longer be given after the fact.
        blocks += [DividerBlock(), *confidence_blocks(signup_confidence, rate=rate_confidence)]
    if record is not None and not record.empty:
        blocks += [DividerBlock(), SectionBlock(text=MarkdownTextObject(text=record_text(record)))]
    blocks += [
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text="\n".join(profile_lines(profile, catalogue)))),
        ContextBlock(
            elements=[MarkdownTextObject(text="Type `/mentoring help` in any channel to see everything you can do.")]
        ),
    ]
    return View(type="home", blocks=blocks)


def _leave_button() -> ButtonElement:
    # Leaving is rare and consequential; the modal that opens asks about deleting data, so no confirm here.
    return button("Leave", ids.A_LEAVE, style="danger")


def confirm(title: str, text: str, yes: str) -> ConfirmObject:
    return ConfirmObject(title=title, text=text, confirm=yes, deny="Cancel")
