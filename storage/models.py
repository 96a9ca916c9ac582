"""SQLModel tables. Every change here needs an Alembic migration in `storage/migrations/versions/`."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from bot.domain.cycles import ConfidenceStage, CycleStatus, PairOutcome, SurveyKind
from bot.domain.momentum import MomentumState
from bot.domain.outbox import MessageKind
from bot.domain.people import Cadence, Seniority, Status
from bot.domain.rounds import PairingStatus, RoundStatus
from bot.domain.scheduling import BookingStatus
from storage.types import StrEnumType, UTCDateTime

__all__ = [
    "ChartFile",
    "CheckIn",
    "Confidence",
    "Cycle",
    "Goal",
    "MatchRound",
    "MentoringSession",
    "OutboxMessage",
    "OutboxRecipient",
    "OutboxStatus",
    "OutboxSubject",
    "Pairing",
    "PairingCycle",
    "PairingStatus",
    "Participant",
    "PauseInterval",
    "Prompt",
    "RoundStatus",
    "RoundUnmatched",
    "SendRate",
    "SendSlot",
    "SurveyAnswer",
]


class ProfileBase(SQLModel):
    """What a person tells us in the sign-up modal."""

    is_mentor: bool = False
    is_mentee: bool = False
    teach_topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    learn_topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    seniority: Seniority = Field(sa_type=StrEnumType(Seniority, 32))
    department: str = Field(max_length=64)
    cadence: Cadence = Field(sa_type=StrEnumType(Cadence, 16))
    capacity: int = 1
    goals: str = Field(default="", max_length=500)
    manager_id: str | None = Field(default=None, max_length=32)
    sponsor_id: str | None = Field(default=None, max_length=32)
    do_not_match: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Participant(ProfileBase, table=True):
    """One person in the program, keyed by their Slack user id (one row per person, ever)."""

    id: int | None = Field(default=None, primary_key=True)
    slack_user_id: str = Field(sa_column=Column(String(32), unique=True, nullable=False, index=True))
    team_id: str = Field(default="", max_length=32)
    name: str = Field(default="", max_length=255)
    title: str = Field(default="", max_length=255)
    tz: str = Field(default="UTC", max_length=64)
    # Stored: active, paused or left (NOT_JOINED is having no row).
    status: Status = Field(default=Status.ACTIVE, sa_type=StrEnumType(Status, 16), index=True)
    paused_until: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    # When they left (or their Slack account was deactivated): what they left behind is deleted
    # TURNABOUT_RETENTION_DAYS later. Not `updated_at`, which Slack profile changes keep moving.
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    consented_at: datetime = Field(sa_type=UTCDateTime)
    joined_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class MatchRound(SQLModel, table=True):
    """One run of `/mentoring match`: a draft a lead reviews, then approves or discards."""

    __tablename__ = "match_round"

    id: int | None = Field(default=None, primary_key=True)
    lead_id: str = Field(max_length=32)
    status: RoundStatus = Field(default=RoundStatus.DRAFT, sa_type=StrEnumType(RoundStatus, 16), index=True)
    total_score: float = 0.0
    # None: the proposal is the proven optimum. Otherwise matching ran out of time, and a better assignment
    # could add at most this much to the total score.
    score_gap: float | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, max_length=32)
    # The cycle that was current when the round was proposed; None in an evergreen program.
    cycle_id: int | None = Field(default=None, index=True)


class Pairing(SQLModel, table=True):
    """A mentor and a mentee. A mentor's pairings from one round form their group (one group DM)."""

    # The sweep's query: active pairs whose check time has come, in (next_check_at, id) order. The index serves
    # the filter and the order, so a sweep reads only the rows it takes, however many pairs have ended.
    __table_args__ = (Index("ix_pairing_due", "status", "next_check_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="match_round.id", index=True)
    mentor_id: str = Field(max_length=32, index=True)
    mentee_id: str = Field(max_length=32, index=True)
    status: PairingStatus = Field(default=PairingStatus.PROPOSED, sa_type=StrEnumType(PairingStatus, 16), index=True)
    score: float = 0.0
    shared_topics: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_by: str | None = Field(default=None, max_length=32)
    intro_channel: str | None = Field(default=None, max_length=32)
    next_session_on: date | None = None
    # How often this pair means to meet: the slower of the two wishes at matching, changeable by either.
    cadence: Cadence = Field(default=Cadence.BIWEEKLY, sa_type=StrEnumType(Cadence, 16))
    # Momentum, kept current by the sweep; `next_check_at` is when the sweep must look at this pair again,
    # so a sweep reads only the pairs that have something due (an index, not a scan of history).
    momentum: MomentumState = Field(default=MomentumState.ON_TRACK, sa_type=StrEnumType(MomentumState, 16))
    last_session_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_check_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    episode_key: datetime | None = Field(default=None, sa_type=UTCDateTime)
    episode_steps: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    snoozed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The cycle the pair is in now (its round's, or the next one's after a roll-over); None when evergreen.
    cycle_id: int | None = Field(default=None, index=True)
    # Each partner's "We agree" on the introduction's agreement.
    mentor_agreed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    mentee_agreed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RoundUnmatched(SQLModel, table=True):
    """Someone a round left out, and why (shown to the lead, told to the person once approved)."""

    __tablename__ = "round_unmatched"

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="match_round.id", index=True)
    user_id: str = Field(max_length=32)
    role: str = Field(max_length=16)
    reason: str = Field(max_length=500)


class MentoringSession(SQLModel, table=True):
    """A session a pair held, logged by either partner; both logging the same day counts once."""

    __tablename__ = "mentoring_session"
    __table_args__ = (
        UniqueConstraint("pairing_id", "held_on", name="uq_session_pairing_day"),
        Index("ix_session_held_on", "held_on"),  # the leads' sessions per week and month
    )

    id: int | None = Field(default=None, primary_key=True)
    pairing_id: int = Field(foreign_key="pairing.id", index=True)
    held_on: date
    logged_by: str = Field(max_length=32)
    note: str = Field(default="", max_length=500)
    logged_at: datetime = Field(sa_type=UTCDateTime)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"  # Slack refused it for good (the person left, the channel is gone): never retried


class OutboxMessage(SQLModel, table=True):
    """A message Turnabout has decided to send, written before it is sent and marked with Slack's ts after.

    The unique key (who, what, which occasion) makes deciding twice harmless; the status lets a run that
    stopped half-way (Slack errors, rate limits, a crash) resume without sending anything twice.
    """

    __tablename__ = "outbox"
    # The sender's only query: what is due, oldest first.
    # `ix_outbox_conversation`: the claim's test that no other message of the same conversation is in flight.
    __table_args__ = (
        Index("ix_outbox_due", "status", "not_before"),
        Index("ix_outbox_conversation", "conversation", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(255), unique=True, nullable=False))
    kind: MessageKind = Field(sa_type=StrEnumType(MessageKind, 32))
    # Where it goes: a channel (the leads' channel, a pair's conversation), or, when None, the (group) DM of
    # the people in `outbox_recipient`.
    target_channel: str | None = Field(default=None, max_length=32)
    text: str = Field(sa_column=Column(Text, nullable=False))
    blocks: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=StrEnumType(OutboxStatus, 16))
    # 1: an answer to something someone just did, sent ahead of any backlog.
    priority: int = 0
    # Bumped when the message's content is replaced (a lead's preview as the round moves on): a send that
    # started with an older revision leaves the row pending, and the next send updates Slack's copy.
    revision: int = 0
    attempts: int = 0
    not_before: datetime = Field(sa_type=UTCDateTime)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Who holds the lease: a sender may only send, or settle, a row whose token is still its own.
    claim_token: str | None = Field(default=None, max_length=32)
    last_error: str | None = Field(default=None, max_length=500)
    channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    pairing_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A file to upload instead of posting (a calendar invite), with `text` as its comment; see
    # `storage.outbox.Attachment`. Dropped with the text once Slack has it.
    attachment: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    # Which Slack conversation it goes to, as an opaque digest (`storage.outbox.conversation_of`), while it waits:
    # one message per conversation is in flight at a time, in order. Cleared once the message is settled.
    conversation: str | None = Field(default=None, max_length=32)


class SendRate(SQLModel, table=True):
    """One Slack Web API method's budget, shared by every process that sends: the row a sender locks to take a
    slot, and until when Slack asked everyone to wait (a 429's Retry-After), in epoch seconds."""

    __tablename__ = "send_rate"

    method: str = Field(primary_key=True, max_length=64)
    paused_until: float = 0.0


class SendSlot(SQLModel, table=True):
    """One call to a method that a sender was allowed to make, at epoch seconds `at`: the sliding minute window
    Slack counts in. Rows older than the window are deleted as slots are taken."""

    __tablename__ = "send_slot"
    __table_args__ = (Index("ix_send_slot_method_at", "method", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    method: str = Field(max_length=64)
    at: float


class OutboxRecipient(SQLModel, table=True):
    """One person a message is for; a group DM has several. Deleting someone's data finds their messages here."""

    __tablename__ = "outbox_recipient"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(
        sa_column=Column(Integer, ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: str = Field(max_length=32, index=True)
    position: int = 0  # the order the people were named in (the mentor first)


class OutboxSubject(SQLModel, table=True):
    """Someone a message to others names by their id in its key (a leads' notice that a person can't be
    reached), so deleting that person's data finds the message by their exact id."""

    __tablename__ = "outbox_subject"

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(
        sa_column=Column(Integer, ForeignKey("outbox.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: str = Field(max_length=32, index=True)


class Prompt(SQLModel, table=True):
    """Something a person was asked to act on (a check-in, a nudge); three ignored in a row pauses them."""

    __table_args__ = (
        Index("ix_prompt_user_sent", "user_id", "sent_at"),
        # Ghost detection reads only prompts nobody answered: a small index next to years of answered ones.
        Index(
            "ix_prompt_unanswered",
            "user_id",
            "sent_at",
            sqlite_where=text("answered_at IS NULL"),
            postgresql_where=text("answered_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32)
    pairing_id: int | None = Field(default=None, index=True)
    kind: str = Field(max_length=16)
    outbox_key: str = Field(sa_column=Column(String(255), unique=True, nullable=False))
    # For a check-in, which session of the pair it follows (the first one also asks about the fit).
    session_number: int | None = None
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CheckIn(SQLModel, table=True):
    """One person's private answers after a session. Leads only ever see totals over three or more."""

    __tablename__ = "checkin"

    id: int | None = Field(default=None, primary_key=True)
    prompt_id: int = Field(sa_column=Column(Integer, unique=True, nullable=False))
    pairing_id: int = Field(index=True)
    user_id: str = Field(max_length=32)
    met: str = Field(max_length=16)
    value: int | None = None
    learned: str = Field(default="", max_length=500)
    blockers: str = Field(default="", max_length=500)
    fit: str | None = Field(default=None, max_length=16)
    # They chose to tell the program lead that it isn't a good fit (the only answer leads ever see by name).
    told_lead: bool = False
    # "Progress toward your goals", 1-5, asked once the pair has goals (not at the first check-in, which sets them).
    goal_progress: int | None = None
    answered_at: datetime = Field(sa_type=UTCDateTime, index=True)


class PauseInterval(SQLModel, table=True):
    """When someone was paused: a pair's clock stops while either person is, including after they return."""

    __tablename__ = "pause_interval"

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32, index=True)
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Booking(SQLModel, table=True):
    """A session a pair booked: one row for its whole life, however often it moves (`sequence` counts the moves,
    as the calendar invite's SEQUENCE does)."""

    id: int | None = Field(default=None, primary_key=True)
    # The pairing it was booked from; in a mentor's group, `mentee_ids` says whom it is for.
    pairing_id: int = Field(foreign_key="pairing.id", index=True)
    mentee_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    starts_at: datetime = Field(sa_type=UTCDateTime)
    minutes: int
    place: str = Field(default="", max_length=200)
    # The time zone of whoever booked or last moved it: the one the time was typed in.
    tz: str = Field(default="UTC", max_length=64)
    booked_by: str = Field(max_length=32)
    status: BookingStatus = Field(default=BookingStatus.BOOKED, sa_type=StrEnumType(BookingStatus, 16), index=True)
    sequence: int = 0
    settled_by: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ChartFile(SQLModel, table=True):
    """A chart uploaded to Slack, by name, with a digest of the numbers it was drawn from: the same numbers reuse
    the file instead of drawing and uploading it again."""

    __tablename__ = "chart_file"

    name: str = Field(primary_key=True, max_length=64)
    digest: str = Field(max_length=64)
    file_id: str = Field(max_length=32)
    title: str = Field(default="", max_length=200)
    alt_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    # What the numbers were computed from (`storage.leads.chart_sources` and the day): unchanged, nothing is
    # recomputed at all.
    sources: str = Field(default="", max_length=500)
    uploaded_at: datetime = Field(sa_type=UTCDateTime)


class Cycle(SQLModel, table=True):
    """A program cycle (cohort): a name, a first and a last day (inclusive, in the program's time zone). Cycles
    never overlap; rounds proposed while one is current belong to it."""

    __tablename__ = "program_cycle"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    starts_on: date
    ends_on: date
    status: CycleStatus = Field(default=CycleStatus.OPEN, sa_type=StrEnumType(CycleStatus, 16), index=True)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PairingCycle(SQLModel, table=True):
    """A pair's part in one cycle, and how it came out of it: the history behind "cycles completed"."""

    __tablename__ = "pairing_cycle"
    __table_args__ = (UniqueConstraint("pairing_id", "cycle_id", name="uq_pairing_cycle"),)

    id: int | None = Field(default=None, primary_key=True)
    pairing_id: int = Field(foreign_key="pairing.id", index=True)
    cycle_id: int = Field(foreign_key="program_cycle.id", index=True)
    outcome: PairOutcome | None = Field(default=None, sa_type=StrEnumType(PairOutcome, 16))
    settled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SurveyAnswer(SQLModel, table=True):
    """One person's answers to a cycle's pulse or close-out survey about one pair. Answering again replaces the
    answers (one row). Private: leads and sponsors only ever see numbers over three or more answers."""

    __tablename__ = "survey_answer"
    __table_args__ = (UniqueConstraint("cycle_id", "pairing_id", "user_id", "kind", name="uq_survey_answer"),)

    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="program_cycle.id", index=True)
    pairing_id: int = Field(foreign_key="pairing.id", index=True)
    user_id: str = Field(max_length=32, index=True)
    kind: SurveyKind = Field(sa_type=StrEnumType(SurveyKind, 16))
    value: int | None = None  # pulse: how is it going; close-out: overall value (1-5)
    recommend: int | None = None  # close-out: would you recommend the program (0-10)
    need_help: bool = False  # pulse: "need help" rather than "keep going"
    changed: str = Field(default="", max_length=500)  # close-out: what changed for you (private)
    continue_pair: bool | None = None  # close-out: continue with this partner into the next cycle
    # A mentee's words of thanks for their mentor, and whether the program may quote them (to the mentor's
    # manager, in a shout-out): never shown to anyone else without `may_quote`.
    thanks: str = Field(default="", max_length=500)
    may_quote: bool = False
    # A mentor's opt-ins at the close-out: a shout-out in the program channel, a note to their manager.
    shout_out: bool = False
    manager_note: bool = False
    answered_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Confidence(SQLModel, table=True):
    """How confident someone feels (1-5) in a topic they want to learn, at sign-up, midpoint or close-out.
    `cycle_id` is 0 for the sign-up baseline (which the person can change by editing their answers)."""

    __table_args__ = (UniqueConstraint("user_id", "topic", "stage", "cycle_id", name="uq_confidence"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=32, index=True)
    topic: str = Field(max_length=64)
    stage: ConfidenceStage = Field(sa_type=StrEnumType(ConfidenceStage, 16))
    cycle_id: int = 0
    value: int
    answered_at: datetime = Field(sa_type=UTCDateTime)


class Goal(SQLModel, table=True):
    """One of a pair's goals (one to three per person): the mentee's, confirmed or edited at the first check-in,
    or what a mentor wants to learn back. Seen only by the pair."""

    __table_args__ = (UniqueConstraint("pairing_id", "owner_id", "position", name="uq_goal_position"),)

    id: int | None = Field(default=None, primary_key=True)
    pairing_id: int = Field(foreign_key="pairing.id", index=True)
    owner_id: str = Field(max_length=32, index=True)
    position: int  # 1 to 3
    text: str = Field(max_length=200)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
