"""The short private replies to a command or a click: what happened, or why nothing did.

Every `UseCaseError` has its words here (`error_text`); the handlers map errors to replies in one place
(`handlers.common`), so a stale button says the same thing wherever it is clicked.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.blocks.messages import paused_text, resumed_text
from bot.usecases.errors import (
    AlreadyAnswered,
    BadDate,
    BookingRefused,
    BookingSettled,
    CycleClosed,
    CycleEnding,
    CycleStarted,
    NoActiveMatch,
    NobodyAttended,
    NotInPair,
    NotJoined,
    NotYours,
    NotYourSurvey,
    PairEnded,
    RoundDecided,
    SeveralPairs,
    UseCaseError,
)

NOT_A_LEAD = "Only program leads can do that. If you think you should be one, ask whoever runs the program."
STALE_BUTTON = "That button is out of date. Try again from the latest message, or type `/mentoring help`."
TRY_AGAIN = "Sorry, Slack took too long to open the form. Please try again."
NOT_JOINED = "You haven't joined yet."
NOT_SAVED = "We couldn't save this just now. Please try again in a minute: your answers are still here."
STORE_DOWN = "We can't reach our records just now, so nothing has changed. Please try again in a minute."
SLACK_SLOW = "Slack didn't answer us in time, so nothing has been saved yet. Please submit again."
OUR_FAULT = (
    "Sorry, something went wrong on our side. Please try again in a minute; "
    "if it keeps happening, tell the program lead."
)
SOMETHING_WENT_WRONG = "Sorry, something went wrong on our side and nothing was changed. Please try again in a minute."

_BAD_DATE = {
    "unreadable": "That isn't a date I understand.",
    "past": "That date is in the past; pick the day you'll meet next.",
    "future": "That date is in the future: log a session once it has happened.",
    "too_old": "That's more than 90 days ago; log recent sessions so your pair's rhythm is right.",
}

_ERRORS: dict[type[UseCaseError], str] = {
    NotJoined: NOT_JOINED,
    PairEnded: "That match has already ended, so there's nothing to do.",
    RoundDecided: "That proposal has already been decided; run `/mentoring match` for a new one.",
    NotYours: "That check-in isn't yours to answer.",
    NotYourSurvey: "That survey is about someone else's pair, so it isn't yours to answer.",
    CycleClosed: (
        "That cycle has closed, so its survey can't be answered or changed any more. Thank you all the same: "
        "your program lead is always happy to hear from you."
    ),
    NotInPair: "Only the people this agreement introduces can agree to it.",
    AlreadyAnswered: "You've already answered this check-in. Thank you!",
    NoActiveMatch: "You don't have an active match yet, so there's nothing to log.",
    BookingSettled: "That session was already cancelled or answered, so nothing changed.",
    NobodyAttended: "Tick at least one person who was there.",
    CycleStarted: "That cycle has started since, so it can't be called off. To finish it, use End early.",
    CycleEnding: (
        "That cycle is already ending: close-out surveys are out, and pairs roll over or close once people have "
        "had a few days to answer."
    ),
    SeveralPairs: (
        "You have more than one match: use the “We met — log a session” button in that pair's conversation."
    ),
}


def error_text(error: UseCaseError) -> str:
    if isinstance(error, BookingRefused):
        return " ".join(error.errors.values())
    if isinstance(error, BadDate):
        return _BAD_DATE.get(error.reason, _BAD_DATE["unreadable"])
    for kind in type(error).__mro__:
        if kind in _ERRORS:
            return _ERRORS[kind]
    return SOMETHING_WENT_WRONG


def session_logged(*, count: int, first_time: bool, held_on: date, today: date) -> str:
    if not first_time:
        return "That session is already logged. Thank you!"
    day = "today's session" if held_on == today else f"your session on {held_on:%A %-d %B}"
    return f":white_check_mark: Logged {day}, number {count} for your pair. Thank you for keeping it going!"


def paused(until: datetime, tz: str) -> str:
    return paused_text(until, tz)


def resumed() -> str:
    return resumed_text(automatically=False)


def resumed_already() -> str:
    return "You're not paused: you're active in the program already."


def snoozed(until: datetime) -> str:
    return (
        f"Snoozed until {until:%-d %B}: no more nudges, sponsor notes or alerts about this pair until then. "
        "Their own reminders and check-ins carry on."
    )


def nudged() -> str:
    return "Nudged them again."


def rematch_offered() -> str:
    return "Both have been offered a new match, privately."


def rematch_done() -> str:
    return "Done: your pairing has ended kindly and you'll be in the next matching round."


def pair_ended(names: Sequence[str]) -> str:
    return f"Ended the pair of {' and '.join(names)}. Both have been told kindly."


def pair_ended_by_mention(a: str, b: str) -> str:
    return f"Ended the pair of <@{a}> and <@{b}>. Both have been told kindly."


def not_a_pair(a: str, b: str) -> str:
    return f"<@{a}> and <@{b}> aren't an active pair, so nothing changed."


def unpair_usage() -> str:
    return "Name the two people of the pair: `/mentoring unpair @someone @someone-else`."


def not_working_reported() -> str:
    return (
        "Thank you for saying so. Only the program leads have been told; one of them will reach out to "
        "you privately. Nobody else knows."
    )


def matching_pool(*, mentors: int, mentees: int, limit: float) -> str:
    return (
        f":hourglass_flowing_sand: Working out the best pairs for {mentors + mentees:,} people waiting "
        f"({mentors:,} can mentor, {mentees:,} want a mentor; some may be both). This takes at most {limit:.0f} s."
    )


def matching_still(*, seconds: float, limit: float) -> str:
    return (
        f":hourglass_flowing_sand: Still working: {seconds:.0f} s so far, at most {limit:.0f} s. A large pool with "
        "many people who chose both roles takes longer to prove."
    )


def matching_done(*, seconds: float, pairs: int, waiting: int, below_best: float) -> str:
    """`below_best`: how far below the best possible total the proposal can be at most (0: proven best)."""
    how = (
        "the proven best for everyone"
        if below_best <= 0
        else f"proven within {max(below_best, 0.0001):.2%} of the best possible"
    )
    return (
        f":white_check_mark: Done in {seconds:.1f} s: {pairs:,} pairs proposed ({how}), {waiting:,} left waiting. "
        "The proposal is in your DM; nothing goes out until you approve."
    )


def round_gone() -> str:
    return "That proposal was discarded or replaced; run `/mentoring match` for a new one."


def withdrawn(reasons: Sequence[str]) -> str:
    return (
        "Not introduced, because things changed since the proposal: "
        + "; ".join(reasons)
        + ". Whoever that leaves without a match is told and waits for the next round."
    )


def not_sent_yet(failed: int, errors: Sequence[str]) -> str:
    reasons = ", ".join(sorted(set(errors)))
    return f"{failed} messages could not be sent yet ({reasons}). Turnabout keeps them and retries automatically."


def nothing_to_leave() -> str:
    return "You're not in the program, so there's nothing to leave."


def left_already() -> str:
    return "You're not in the program any more, so there was nothing to do."


def staying() -> str:
    return "Glad you're staying! Nothing has changed."


def booked(*, phrase: str, zone: str, moved: bool, changed: bool) -> str:
    if not changed:
        return f"That session is already booked for {phrase} ({zone}). Nothing changed."
    verb = "Moved" if moved else "Booked"
    return (
        f":spiral_calendar_pad: {verb}: {phrase} ({zone}). It's posted in your pair's conversation with a "
        "calendar invite, and you'll both get a reminder the working day before."
    )


def booking_cancelled(*, in_a_row: int) -> str:
    extra = (
        " That's two in a row: a shorter or differently timed session might be easier to keep." if in_a_row >= 2 else ""
    )
    return (
        "Cancelled. Your partner can see it in your conversation, with a calendar file that takes it out of "
        f"calendars the invite was added to (remove it by hand if you used the Google or Outlook button).{extra}"
    )


def happened(*, held: bool) -> str:
    if held:
        return ":white_check_mark: Logged. Thank you! You'll each get a short private check-in."
    return "Thanks for saying. Pick a new time with the button in your conversation whenever you're ready."
