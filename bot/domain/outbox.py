"""The outbox protocol: what kinds of message Turnabout sends, the rules each kind follows, and their keys.

Every message the bot sends outside an immediate reply to a click or a command is written to the outbox
first and sent from there (`bot.usecases.delivery`), so each gets the same retries, working-hours rule and
dedupe. A message's key names who, what and which occasion: deciding the same message twice (a double click,
a Slack retry, a sweep rerun) finds the key taken and adds nothing. Keys are built here and only here, and
nothing parses them back: whatever a later step needs (the pair, the session number, the recipients) is
stored in its own column.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime

__all__ = ["RATE_WINDOW", "SEND_RATES", "MessageKind", "keys"]

# Slack's budget per Web API method the sender calls: calls in any `RATE_WINDOW` seconds, per workspace and app
# (docs.slack.dev/apis/web-api/rate-limits: Tier 2 20+, Tier 3 50+, Tier 4 100+ a minute; chat.postMessage is
# special: about one a second per conversation and "several hundred a minute" per workspace, for which 300 is
# our figure, as the fake Slack's). A test checks these against the fake's contract, derived from the oracles.
SEND_RATES: dict[str, int] = {
    "conversations.open": 50,
    "chat.postMessage": 300,
    "chat.update": 50,
    "users.info": 100,
    "files.getUploadURLExternal": 100,
    "files.completeUploadExternal": 100,
}
RATE_WINDOW = 60.0


class MessageKind(enum.StrEnum):
    """What a message is for; each kind carries the rules delivery applies to it."""

    WELCOME = "welcome"  # the sign-up confirmation DM
    CONFIRMATION = "confirmation"  # "you're paused", "welcome back", "you've left"
    RESUMED = "resumed"  # a timed pause ended by itself
    PREVIEW = "preview"  # a round's proposal for its lead, updated in place as the round moves on
    INTRO = "intro"  # a mentor and their mentees, introduced
    GUIDE = "guide"  # a first-time mentor's guide
    WAITLIST = "waitlist"  # someone a round could not match, and why
    ENDED = "ended"  # a pair ended by a lead or by a rematch request
    PARTNER_LEFT = "partner_left"
    NEXT_SESSION = "next_session"  # the date a pair set, posted in their conversation
    REMINDER = "reminder"  # the workday before a session
    CHECKIN = "checkin"  # the private questions after a session
    NUDGE = "nudge"  # a pair (or each person) gone quiet
    THANKS = "thanks"  # a pair that met again after a lapse
    SPONSOR = "sponsor"  # a note to the mentee's sponsor
    LEAD_ALERT = "lead_alert"  # to the leads' channel, or each lead
    GHOST = "ghost"  # someone paused after ignoring three prompts
    REMATCH = "rematch"  # a private offer of a new match
    MY_DATA = "my_data"  # a copy of everything stored about someone, at their request
    BOOKING = "booking"  # a booked session, posted in the pair's conversation (edited when moved or cancelled)
    INVITE = "invite"  # the calendar file attached under a booking
    HAPPENED = "happened"  # "did it happen?" once a booked session's time has passed
    PARTNER_NOTE = "partner_note"  # your partner paused, or is back (never why)
    CADENCE = "cadence"  # a partner changed how often the pair means to meet
    PULSE = "pulse"  # a cycle's midpoint: how is it going, keep going or need help
    CLOSEOUT = "closeout"  # near a cycle's end: the close-out survey
    CYCLE_THANKS = "cycle_thanks"  # a mentor thanked for a completed cycle
    SHOUT_OUT = "shout_out"  # a mentor celebrated in the program channel, with their consent
    MANAGER_NOTE = "manager_note"  # a note of appreciation to a mentor's manager, with their consent
    MENTEE_GUIDE = "mentee_guide"  # a first-time mentee's guide, sent with their first introduction
    MILESTONE = "milestone"  # a mentor's thank-you at a pair's 1st, 5th and 10th session
    AGREEMENT = "agreement"  # one gentle reminder to a pair who met but have not both agreed to their agreement
    CYCLE_END = "cycle_end"  # a cycle settled: the pair carries on into the next, or closes with a thank-you

    @property
    def quiet_when_away(self) -> bool:
        """Dropped, not sent, when any recipient is paused or has left: momentum messages only make sense to
        people taking part."""
        return self in _QUIET_WHEN_AWAY

    @property
    def working_hours_only(self) -> bool:
        """Held until every recipient's working day: nobody is nudged at 3 a.m. (Answers to what someone just
        did are not: they are waiting for them.)"""
        return self in _WORKING_HOURS_ONLY

    @property
    def about_the_mentor(self) -> bool:
        """A post about a pair's mentor (their public thank-you): timed for the mentor's working day, and
        dropped if they have left by the time it would go out."""
        return self is MessageKind.SHOUT_OUT

    @property
    def send_now(self) -> bool:
        """An answer to something a person just did: delivered straight away, ahead of any backlog."""
        return self in _SEND_NOW

    @property
    def forget_recipients_when_sent(self) -> bool:
        """Keep no trace of who received it once Slack has it, or once Slack refused it for good (a goodbye to
        someone who asked to be deleted; a copy of someone's data)."""
        return self in _FORGET_RECIPIENTS


_FORGET_RECIPIENTS = frozenset({MessageKind.CONFIRMATION, MessageKind.MY_DATA})


_QUIET_WHEN_AWAY = frozenset(
    {
        MessageKind.NUDGE,
        MessageKind.REMINDER,
        MessageKind.CHECKIN,
        MessageKind.THANKS,
        MessageKind.PARTNER_NOTE,
        MessageKind.PULSE,
        MessageKind.MILESTONE,
        MessageKind.AGREEMENT,
    }
)
# The close-out is not quiet when away: someone paused still decides whether their pair goes on (the use case
# leaves out those who left). A manager is often not in the program: their working day is asked of Slack. A
# shout-out goes to a channel, in the working day of the mentor it celebrates (`about_the_mentor`).
_WORKING_HOURS_ONLY = _QUIET_WHEN_AWAY | {
    MessageKind.SHOUT_OUT,
    MessageKind.SPONSOR,
    MessageKind.GHOST,
    MessageKind.HAPPENED,
    MessageKind.CLOSEOUT,
    MessageKind.CYCLE_THANKS,
    MessageKind.MANAGER_NOTE,
    MessageKind.CYCLE_END,
}
_SEND_NOW = frozenset(
    {
        MessageKind.WELCOME,
        MessageKind.CONFIRMATION,
        MessageKind.PREVIEW,
        MessageKind.NEXT_SESSION,
        MessageKind.ENDED,
        MessageKind.MY_DATA,
        MessageKind.BOOKING,
        MessageKind.INVITE,
        MessageKind.CADENCE,
    }
)


def _stamp(when: datetime) -> str:
    return f"{when:%Y%m%dT%H%M%S}"


class keys:
    """The one place outbox keys are made. Each says which occasion makes a message unique."""

    @staticmethod
    def welcome(submission_id: str) -> str:
        # Slack's view id: one sign-up submission, however often Slack delivers it.
        return f"welcome:{submission_id}"

    @staticmethod
    def confirmation(occasion: str) -> str:
        # `occasion` is the submitted view's id, or the clicked action's `action_ts`; never a user id, so the
        # key keeps nothing personal once a "leave and delete" goodbye is sent.
        return f"confirm:{occasion}"

    @staticmethod
    def resumed(user_id: str, paused_until: datetime) -> str:
        return f"resumed:{user_id}:{paused_until.isoformat()}"

    @staticmethod
    def preview(round_id: int) -> str:
        return f"preview:{round_id}"

    @staticmethod
    def intro(round_id: int, mentor_id: str) -> str:
        return f"intro:{round_id}:{mentor_id}"

    @staticmethod
    def guide(mentor_id: str) -> str:
        return f"mentor-guide:{mentor_id}"

    @staticmethod
    def mentee_guide(mentee_id: str) -> str:
        return f"mentee-guide:{mentee_id}"

    @staticmethod
    def milestone(pairing_id: int, sessions: int) -> str:
        # Once per pair and milestone, however the session that reached it was logged (and however often).
        return f"milestone:{pairing_id}:{sessions}"

    @staticmethod
    def waitlist(round_id: int, user_id: str) -> str:
        return f"waitlist:{round_id}:{user_id}"

    @staticmethod
    def ended(pairing_id: int, user_id: str) -> str:
        return f"ended:{pairing_id}:{user_id}"

    @staticmethod
    def cycle_end(cycle_id: int, pairing_id: int, user_id: str) -> str:
        # One note per person and pair when a cycle settles, whether the pair carries on or closes.
        return f"cycle-end:{cycle_id}:{pairing_id}:{user_id}"

    @staticmethod
    def partner_left(pairing_id: int, partner_id: str) -> str:
        return f"partner-left:{pairing_id}:{partner_id}"

    @staticmethod
    def reminder(pairing_id: int, when: date, user_id: str) -> str:
        return f"reminder:{pairing_id}:{when.isoformat()}:{user_id}"

    # A booking's messages name its version (the calendar invite's SEQUENCE): a move is a new version, with
    # its own post, invite and reminders, while the same click twice is one.
    @staticmethod
    def booking(booking_id: int, version: int) -> str:
        return f"booking:{booking_id}:{version}"

    @staticmethod
    def invite(booking_id: int, version: int) -> str:
        return f"invite:{booking_id}:{version}"

    @staticmethod
    def invites_of(booking_id: int) -> str:
        """What every version of a booking's invite key starts with (to withdraw the unsent ones)."""
        return f"invite:{booking_id}:"

    @staticmethod
    def invite_withdrawn(booking_id: int, user_id: str) -> str:
        # The pair ended: each person still in the program gets the calendar cancellation privately.
        return f"invite-withdrawn:{booking_id}:{user_id}"

    @staticmethod
    def booking_reminder(booking_id: int, version: int, which: str) -> str:
        return f"booking-reminder:{booking_id}:{version}:{which}"

    @staticmethod
    def happened(booking_id: int, version: int) -> str:
        return f"happened:{booking_id}:{version}"

    @staticmethod
    def partner_note(pairing_id: int, partner_id: str, event: str, at: datetime) -> str:
        return f"partner-note:{pairing_id}:{partner_id}:{event}:{_stamp(at)}"

    @staticmethod
    def cadence_changed(pairing_id: int, cadence: str, at: datetime) -> str:
        return f"cadence:{pairing_id}:{cadence}:{_stamp(at)}"

    @staticmethod
    def cancelled_twice(pairing_id: int, booking_id: int) -> str:
        return f"cancelled-twice:{pairing_id}:{booking_id}"

    @staticmethod
    def checkin(pairing_id: int, session_number: int, user_id: str) -> str:
        return f"checkin:{pairing_id}:{session_number}:{user_id}"

    @staticmethod
    def agreement_reminder(pairing_id: int) -> str:
        # Once per pair, ever: the reminder is gentle because there is only one.
        return f"agreement:{pairing_id}"

    @staticmethod
    def step(step: str, pairing_id: int, episode: datetime, user_id: str | None = None) -> str:
        # One escalation step of one lapse episode (and, for "each", one person).
        key = f"{step}:{pairing_id}:{_stamp(episode)}"
        return f"{key}:{user_id}" if user_id else key

    @staticmethod
    def ghost(user_id: str, now: datetime) -> str:
        return f"ghost:{user_id}:{now:%Y%m%d}"

    @staticmethod
    def not_working(pairing_id: int, reporter_id: str) -> str:
        return f"not-working:{pairing_id}:{reporter_id}"

    @staticmethod
    def left_lead(pairing_id: int) -> str:
        return f"left-lead:{pairing_id}"

    @staticmethod
    def bad_fit(prompt_id: int) -> str:
        return f"bad-fit:{prompt_id}"

    @staticmethod
    def rematch_offer(prompt_id: int) -> str:
        return f"rematch-offer:{prompt_id}"

    @staticmethod
    def lead_nudge(pairing_id: int, alert_ts: str) -> str:
        return f"lead-nudge:{pairing_id}:{alert_ts}"

    @staticmethod
    def lead_rematch(pairing_id: int, alert_ts: str, user_id: str) -> str:
        return f"lead-rematch:{pairing_id}:{alert_ts}:{user_id}"

    @staticmethod
    def unreachable(user_ids: Sequence[str]) -> str:
        # Once per person (or group DM), whatever message first found them unreachable.
        return f"unreachable:{'+'.join(sorted(user_ids))}"

    @staticmethod
    def my_data(occasion: str, part: int) -> str:
        # `occasion` is the slash command's trigger id: never a user id, so nothing personal outlives the send.
        return f"mydata:{occasion}:{part}"

    @staticmethod
    def retention(day: date, first_purged: int) -> str:
        # One notice per purge: `first_purged` is an internal row number of someone purged in it (gone with them,
        # so it identifies no one), which no other purge can share.
        return f"retention:{day.isoformat()}:{first_purged}"

    @staticmethod
    def pulse(cycle_id: int, pairing_id: int, user_id: str) -> str:
        return f"pulse:{cycle_id}:{pairing_id}:{user_id}"

    @staticmethod
    def pulse_help(cycle_id: int, pairing_id: int, user_id: str) -> str:
        # Once per person and cycle, however often they answer "need help" again.
        return f"pulse-help:{cycle_id}:{pairing_id}:{user_id}"

    @staticmethod
    def closeout(cycle_id: int, pairing_id: int, user_id: str) -> str:
        return f"closeout:{cycle_id}:{pairing_id}:{user_id}"

    @staticmethod
    def cycle_thanks(cycle_id: int, pairing_id: int) -> str:
        return f"cycle-thanks:{cycle_id}:{pairing_id}"

    @staticmethod
    def shout_out(cycle_id: int, pairing_id: int) -> str:
        return f"shout-out:{cycle_id}:{pairing_id}"

    @staticmethod
    def manager_note(cycle_id: int, pairing_id: int) -> str:
        return f"manager-note:{cycle_id}:{pairing_id}"

    @staticmethod
    def to_lead(key: str, destination: str) -> str:
        # A leads' notice goes to their channel, or to each lead: one message per destination.
        return f"{key}:{destination}"

    @staticmethod
    def prompted(key: str, user_id: str) -> str:
        # The prompt row for one person prompted by a (possibly shared) message.
        return f"{key}#{user_id}"
