"""Privacy copy: someone's own copy of what Turnabout stores (`/mentoring mydata`), and the leads' notice of a
retention purge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from slack_sdk.models.blocks import Block, ContextBlock, HeaderBlock, MarkdownTextObject

from bot.blocks.common import ProfileLike, profile_lines, slack_date
from bot.blocks.messages import section
from bot.blocks.momentum import FIT_OPTIONS, MET_OPTIONS
from bot.domain.catalogue import Catalogue
from bot.domain.people import Status
from bot.domain.timezones import to_local

# Slack's limits: 50 blocks in a message, 3,000 characters in a section's text. A copy of someone's data is
# split into sections under the one and messages under the other (a header and a footer take two blocks).
MESSAGE_BLOCKS_MAX = 50
SECTION_TEXT_MAX = 3000
_BODY_BLOCKS_MAX = MESSAGE_BLOCKS_MAX - 2

FORMER_PARTNER = "someone who has since left the program"

Rendered = tuple[str, list[dict[str, Any]]]


class StoredProfile(ProfileLike, Protocol):
    """What a stored participant adds to their answers (storage.models.Participant fits)."""

    title: str
    joined_at: datetime
    consented_at: datetime


@dataclass(frozen=True)
class SessionRecord:
    held_on: date
    by_you: bool
    note: str  # only the person's own notes: a partner's words are the partner's


@dataclass(frozen=True)
class BookingRecord:
    starts_at: datetime
    minutes: int
    place: str
    status: str  # booked, held, cancelled, missed


@dataclass(frozen=True)
class PairRecord:
    partner: str  # their name, or FORMER_PARTNER
    you_mentor: bool
    status: str  # "active", "ended", "proposed" (waiting for a lead's review) or "dropped"
    since: datetime
    ended: datetime | None
    topics: list[str]  # labels
    reasons: list[str]
    next_session: date | None
    sessions: list[SessionRecord] = field(default_factory=list)
    bookings: list[BookingRecord] = field(default_factory=list)
    you_agreed: datetime | None = None  # your "We agree" on the pair's agreement
    goals: list[str] = field(default_factory=list)  # your own goals for this pair (your partner's are theirs)
    cycles: list[tuple[str, str | None]] = field(default_factory=list)  # (cycle, "continued"/"closed"/None)


@dataclass(frozen=True)
class CheckInRecord:
    answered_at: datetime
    partner: str
    met: str
    value: int | None
    learned: str
    blockers: str
    fit: str | None
    told_lead: bool
    goal_progress: int | None = None


@dataclass(frozen=True)
class SurveyRecord:
    """One of the person's own answers to a cycle's survey."""

    answered_at: datetime
    cycle: str
    partner: str
    kind: str  # "pulse" or "closeout"
    value: int | None
    recommend: int | None = None
    need_help: bool = False
    changed: str = ""
    continue_pair: bool | None = None
    thanks: str = ""
    may_quote: bool = False
    shout_out: bool = False
    manager_note: bool = False


@dataclass(frozen=True)
class ConfidenceRecord:
    answered_at: datetime
    topic: str  # its label
    stage: str  # "signup", "midpoint" or "closeout"
    cycle: str  # "" for the sign-up baseline
    value: int


@dataclass(frozen=True)
class PendingRecord:
    kind: str
    due: datetime
    text: str


@dataclass(frozen=True)
class MyData:
    """Everything stored about one person, ready to read."""

    profile: StoredProfile | None
    status: Status
    paused_until: datetime | None
    left_at: datetime | None
    deleted_on: datetime | None  # when the retention purge deletes it, for someone who left
    pairs: list[PairRecord]
    checkins: list[CheckInRecord]
    pauses: list[tuple[datetime, datetime | None]]
    waitlisted: list[str]  # why a round couldn't match them
    pending: list[PendingRecord]
    sent: dict[str, int]  # messages sent to them, by kind (only when and where is kept, not what they said)
    prompts: tuple[int, int]  # (check-ins and nudges sent, answered)
    tz: str = "UTC"
    surveys: list[SurveyRecord] = field(default_factory=list)
    confidence: list[ConfidenceRecord] = field(default_factory=list)


_KIND_WORDS = {
    "welcome": ("sign-up confirmation", "sign-up confirmations"),
    "confirmation": ("confirmation", "confirmations"),
    "resumed": ("welcome back after a pause", "welcome backs after a pause"),
    "intro": ("introduction", "introductions"),
    "guide": ("mentor guide", "mentor guides"),
    "waitlist": ("waitlist note", "waitlist notes"),
    "ended": ("pair-ended note", "pair-ended notes"),
    "partner_left": ("partner-left note", "partner-left notes"),
    "next_session": ("next-session note", "next-session notes"),
    "reminder": ("session reminder", "session reminders"),
    "checkin": ("check-in", "check-ins"),
    "nudge": ("nudge", "nudges"),
    "thanks": ("thank-you", "thank-yous"),
    "sponsor": ("note as a sponsor", "notes as a sponsor"),
    "lead_alert": ("note for program leads", "notes for program leads"),
    "ghost": ("we-paused-you note", "we-paused-you notes"),
    "rematch": ("rematch offer", "rematch offers"),
    "preview": ("match preview", "match previews"),
    "my_data": ("copy of your data", "copies of your data"),
    "pulse": ("halfway check-in", "halfway check-ins"),
    "closeout": ("close-out survey", "close-out surveys"),
    "cycle_thanks": ("thank-you for a cycle", "thank-yous for a cycle"),
    "manager_note": ("note of appreciation as a manager", "notes of appreciation as a manager"),
    "mentee_guide": ("mentee guide", "mentee guides"),
    "milestone": ("milestone thank-you", "milestone thank-yous"),
    "agreement": ("agreement reminder", "agreement reminders"),
    "cycle_end": ("end-of-cycle note", "end-of-cycle notes"),
}
_OUTCOME_WORDS = {"continued": "you both carried on", "closed": "closed with a thank-you"}
_STATUS_WORDS = {
    "active": "active",
    "ended": "ended",
    "proposed": "suggested, waiting for a lead's review",
    "dropped": "suggested, not introduced",
}


def my_data_messages(data: MyData, catalogue: Catalogue) -> list[Rendered]:
    """The person's copy, as one or more DMs: readable lines grouped by topic, split to Slack's limits."""
    tz = data.tz
    parts: list[str] = []
    parts += _chunks(_profile_lines(data, catalogue))
    if data.pairs:
        parts += _chunks(["*Your pairs*", *(line for pair in data.pairs for line in _pair_lines(pair, tz))])
    if data.checkins:
        parts += _chunks(
            [
                "*Your check-in answers* (leads only see totals, unless you told them)",
                *_checkin_lines(data.checkins, tz),
            ]
        )
    if data.surveys:
        parts += _chunks(["*Your survey answers* (leads only see totals)", *_survey_lines(data.surveys, tz)])
    if data.confidence:
        parts += _chunks(["*How confident you said you feel*", *_confidence_lines(data.confidence, tz)])
    other = _other_lines(data, tz)
    if other:
        parts += _chunks(["*Everything else*", *other])
    if data.pending:
        lines = ["*Messages waiting to be sent to you*"]
        lines += [f"• {_day(p.due, tz)}, {_kind(p.kind, singular=True)}: {_quote(p.text)}" for p in data.pending]
        parts += _chunks(lines)
    batches = [parts[i : i + _BODY_BLOCKS_MAX] for i in range(0, len(parts), _BODY_BLOCKS_MAX)] or [[]]
    title = "Everything Turnabout stores about you"
    messages: list[Rendered] = []
    for number, batch in enumerate(batches, start=1):
        of = f" (part {number} of {len(batches)})" if len(batches) > 1 else ""
        blocks: list[Block] = [HeaderBlock(text=title + of)] if number == 1 else []
        blocks += [section(text) for text in batch]
        if number == len(batches):
            blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_FOOTER)]))
        elif number > 1:
            blocks.insert(0, ContextBlock(elements=[MarkdownTextObject(text=f"Part {number} of {len(batches)}")]))
        messages.append((title + of, [b.to_dict() for b in blocks]))
    return messages


_FOOTER = (
    "This is everything Turnabout stores about you; other people's answers that mention you stay private to them. "
    "Questions? Ask your program lead. `/mentoring leave` deletes it all."
)


def _profile_lines(data: MyData, catalogue: Catalogue) -> list[str]:
    profile, tz = data.profile, data.tz
    if profile is None:
        return ["*Your profile*", "You're not in the program, so there's no profile."]
    lines = [
        "*Your profile*",
        f"*Name:* {profile.name or '-'} · *Title:* {profile.title or '-'} · *Time zone:* {profile.tz}",
        f"*Status:* {_status(data)}",
        f"*Joined:* {_day(profile.joined_at, tz)} · *Agreed to how we use your data:* {_day(profile.consented_at, tz)}",
        *profile_lines(profile, catalogue),
    ]
    if profile.manager_id:
        lines.append(f"*Manager:* <@{profile.manager_id}>")
    if profile.do_not_match:
        lines.append("*Not to be matched with:* " + ", ".join(f"<@{u}>" for u in profile.do_not_match))
    return lines


def _status(data: MyData) -> str:
    tz = data.tz
    if data.status is Status.LEFT:
        left = f"left on {_day(data.left_at, tz)}" if data.left_at else "left"
        due = f"; we delete all of this on {_day(data.deleted_on, tz)}" if data.deleted_on else ""
        return left + due
    if data.status is Status.PAUSED:
        return f"paused until {slack_date(data.paused_until, tz)}" if data.paused_until else "paused"
    return data.status.value


_BOOKING_WORDS = {
    "booked": "still to come",
    "held": "it happened",
    "cancelled": "cancelled",
    "missed": "didn't happen",
}


def _pair_lines(pair: PairRecord, tz: str) -> list[str]:
    who = (
        f"You mentor {pair.partner}" if pair.you_mentor else f"{pair.partner[:1].upper()}{pair.partner[1:]} mentors you"
    )
    when = f"since {_day(pair.since, tz)}"
    if pair.ended:
        when = f"{_day(pair.since, tz)} to {_day(pair.ended, tz)}"
    lines = [f"• *{who}* ({_STATUS_WORDS.get(pair.status, pair.status)}, {when})"]
    if pair.topics:
        lines.append(f"   Topics: {', '.join(pair.topics)}")
    if pair.reasons:
        lines.append(f"   Why you were matched: {'; '.join(pair.reasons)}")
    if pair.you_agreed:
        lines.append(f"   You agreed to your mentoring agreement on {_day(pair.you_agreed, tz)}")
    if pair.goals:
        lines.append("   Your goals: " + "; ".join(_quote(g) for g in pair.goals))
    if pair.next_session:
        lines.append(f"   Next session: {pair.next_session:%-d %b %Y}")
    for name, outcome in pair.cycles:
        lines.append(f"   Cycle: {name}" + (f" ({_OUTCOME_WORDS[outcome]})" if outcome in _OUTCOME_WORDS else ""))
    for booked in pair.bookings:
        where = f", {booked.place}" if booked.place else ""
        state = _BOOKING_WORDS.get(booked.status, booked.status)
        lines.append(f"   Session booked for {_day(booked.starts_at, tz)} ({booked.minutes} min{where}): {state}")
    for held in pair.sessions:
        by = "you" if held.by_you else pair.partner
        note = f": {_quote(held.note)}" if held.note else ""
        lines.append(f"   Session on {held.held_on:%-d %b %Y}, logged by {by}{note}")
    return lines


def _checkin_lines(checkins: Sequence[CheckInRecord], tz: str) -> list[str]:
    lines = []
    for answer in checkins:
        parts = [f"met: {MET_OPTIONS.get(answer.met, answer.met).lower()}"]
        if answer.value is not None:
            parts.append(f"value {answer.value}/5")
        if answer.fit:
            fit = FIT_OPTIONS.get(answer.fit, answer.fit).lower()
            parts.append(fit + (" (you told the program lead)" if answer.told_lead else ""))
        if answer.goal_progress is not None:
            parts.append(f"progress toward goals {answer.goal_progress}/5")
        if answer.learned:
            parts.append(f"learned or taught: {_quote(answer.learned)}")
        if answer.blockers:
            parts.append(f"in the way: {_quote(answer.blockers)}")
        lines.append(f"• {_day(answer.answered_at, tz)}, with {answer.partner}: " + "; ".join(parts))
    return lines


def _survey_lines(answers: Sequence[SurveyRecord], tz: str) -> list[str]:
    lines = []
    for answer in answers:
        if answer.kind == "pulse":
            parts = [
                f"how it's going {answer.value}/5" if answer.value else "",
                "need help" if answer.need_help else "keep going",
            ]
            what = "halfway check-in"
        else:
            parts = [
                f"value {answer.value}/5" if answer.value else "",
                f"would recommend {answer.recommend}/10" if answer.recommend is not None else "",
                {True: "continue together", False: "close", None: ""}[answer.continue_pair],
                f"what changed: {_quote(answer.changed)}" if answer.changed else "",
                f"thanks: {_quote(answer.thanks)}" + (" (may be quoted)" if answer.may_quote else "")
                if answer.thanks
                else "",
                "shout-out: yes" if answer.shout_out else "",
                "note to your manager: yes" if answer.manager_note else "",
            ]
            what = "close-out"
        body = "; ".join(p for p in parts if p)
        lines.append(f"• {_day(answer.answered_at, tz)}, {answer.cycle} {what}, with {answer.partner}: {body}")
    return lines


_STAGE_WORDS = {"signup": "at sign-up", "midpoint": "halfway", "closeout": "at the close-out"}


def _confidence_lines(ratings: Sequence[ConfidenceRecord], tz: str) -> list[str]:
    return [
        f"• {r.topic}: {r.value}/5 {_STAGE_WORDS.get(r.stage, r.stage)}"
        + (f" of {r.cycle}" if r.cycle else "")
        + f" ({_day(r.answered_at, tz)})"
        for r in ratings
    ]


def _other_lines(data: MyData, tz: str) -> list[str]:
    lines = []
    for start, end in data.pauses:
        lines.append(f"• Paused from {_day(start, tz)}" + (f" to {_day(end, tz)}" if end else ", still paused"))
    for reason in data.waitlisted:
        lines.append(f"• Not matched in a round: {reason}")
    asked, answered = data.prompts
    if asked:
        lines.append(f"• Check-ins and nudges sent to you: {asked}, of which you answered {answered}")
    if data.sent:
        sent = ", ".join(f"{count} {_kind(kind, singular=count == 1)}" for kind, count in sorted(data.sent.items()))
        lines.append(f"• Messages we've sent you: {sent}. We keep only when and where, not what they said.")
    return lines


def _kind(kind: str, *, singular: bool) -> str:
    one, many = _KIND_WORDS.get(kind, (kind.replace("_", " "), kind.replace("_", " ")))
    return one if singular else many


def _day(when: datetime | None, tz: str) -> str:
    return f"{to_local(when, tz):%-d %b %Y}" if when else "-"


def _quote(text: str) -> str:
    # Someone's own words, on one line, as they wrote them.
    return "“" + " ".join(text.split()) + "”"


def _chunks(lines: Sequence[str]) -> list[str]:
    """Lines joined into section texts of at most SECTION_TEXT_MAX characters, never splitting a line unless
    it alone is too long."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        for piece in _pieces(line):
            if current and len(current) + 1 + len(piece) > SECTION_TEXT_MAX:
                chunks.append(current)
                current = ""
            current = f"{current}\n{piece}" if current else piece
    if current:
        chunks.append(current)
    return chunks


def _pieces(line: str) -> list[str]:
    return [line[i : i + SECTION_TEXT_MAX] for i in range(0, len(line), SECTION_TEXT_MAX)] or [""]


def my_data_sent() -> str:
    return "I've sent you a direct message with everything Turnabout stores about you."


def no_data() -> str:
    return (
        "Turnabout stores nothing about you: you haven't joined the reverse mentoring program, "
        "and we keep no messages to you."
    )


def purge_notice(*, count: int, days: int) -> str:
    """For the leads: how many people's data the retention purge deleted. No names: the point is that it's gone."""
    people = "1 person" if count == 1 else f"{count} people"
    return (
        f":wastebasket: *Data retention:* Turnabout has deleted everything it stored about {people} who left the "
        f"program (or whose Slack account was deactivated) more than {days} days ago: profiles, pairs, check-in "
        "answers and messages. Their former partners keep their own history, without their names. "
        "This can't be undone, and there's nothing you need to do."
    )
