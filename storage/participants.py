"""Queries on participants. Keyword-only arguments, one session per call site."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Engine, bindparam
from sqlalchemy import select as core_select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlmodel import Session, col, select

from bot.domain.people import Cadence, Role, Seniority, SignupForm, Status
from storage.db import READ_ONLY, StoreUnavailable, insert_once
from storage.models import Participant, PauseInterval

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlackIdentity:
    """What `users.info` tells us about a person."""

    user_id: str
    team_id: str
    name: str
    title: str
    tz: str


# Built once: composing the expression and its cache key on every call cost more than running it, and this is
# the query behind nearly every click and command.
_BY_USER_ID = select(Participant).where(col(Participant.slack_user_id) == bindparam("user_id"))


def get_participant(*, session: Session, user_id: str) -> Participant | None:
    return session.exec(_BY_USER_ID, params={"user_id": user_id}).first()


@dataclass(slots=True)
class StoredProfile:
    """A person's answers and standing as stored, detached from any session: what `/mentoring join` pre-fills and
    `status` shows. (Not frozen: the builders' `ProfileLike` protocol, which ORM rows fit, declares plain
    attributes.)"""

    slack_user_id: str
    name: str
    tz: str
    is_mentor: bool
    is_mentee: bool
    teach_topics: list[str]
    learn_topics: list[str]
    seniority: Seniority
    department: str
    cadence: Cadence
    capacity: int
    goals: str
    manager_id: str | None
    sponsor_id: str | None
    do_not_match: list[str]
    status: Status
    paused_until: datetime | None


_PROFILE = core_select(*(getattr(Participant, f.name) for f in fields(StoredProfile))).where(
    col(Participant.slack_user_id) == bindparam("user_id")
)


def read_profile(*, engine: Engine, user_id: str) -> StoredProfile | None:
    """One person's profile by Slack id, or None: one lookup on the unique index, for the answers Slack waits on.

    A plain connection and a Core select, not an ORM session: nothing is written, and the session's unit of
    work and identity map cost four times the query itself, on every `/mentoring join` and `status`. Connection
    failures become `StoreUnavailable`, as `storage.db.session_scope` makes them.
    """
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                # One SELECT needs no transaction, and psycopg's BEGIN and the pool's ROLLBACK are two more round
                # trips. (On SQLite, switching the driver's mode costs more than that: it reads without the write
                # lock instead.)
                connection.execution_options(isolation_level="AUTOCOMMIT")
            else:
                connection.execution_options(**{READ_ONLY: True})
            row = connection.execute(_PROFILE, {"user_id": user_id}).first()
    except (OperationalError, InterfaceError) as error:
        log.warning("database unavailable: %s", str(error.orig or error).strip().splitlines()[0][:200])
        raise StoreUnavailable from error
    return None if row is None else StoredProfile(**row._mapping)


def upsert_participant(
    *, session: Session, form: SignupForm, identity: SlackIdentity, now: datetime
) -> tuple[Participant, bool]:
    """Store a validated sign-up as the person's one profile; returns (participant, created).

    Re-joining after leaving reactivates the same row. Two concurrent submissions for one person (a double
    click, a retry) race on the unique user id; the loser updates the winner's row instead of failing.
    """
    if form.seniority is None or form.cadence is None:
        raise ValueError("validate the sign-up first: seniority and cadence are required")
    participant = get_participant(session=session, user_id=identity.user_id)
    created = participant is None
    if participant is None:
        participant = Participant(
            slack_user_id=identity.user_id,
            seniority=form.seniority,
            department="",
            cadence=form.cadence,
            consented_at=now,
            joined_at=now,
            updated_at=now,
        )
    elif participant.status == Status.LEFT:
        participant.joined_at = now
        participant.status = Status.ACTIVE
        participant.left_at = None
    _apply(participant, form=form, identity=identity, now=now)
    if not created or insert_once(session, participant):
        session.add(participant)
        session.flush()
        return participant, created
    # Someone else's submission for the same person got in first: update theirs instead.
    existing = get_participant(session=session, user_id=identity.user_id)
    if existing is None:
        raise RuntimeError(f"participant {identity.user_id} vanished during sign-up")
    _apply(existing, form=form, identity=identity, now=now)
    session.add(existing)
    session.flush()
    return existing, False


def _apply(participant: Participant, *, form: SignupForm, identity: SlackIdentity, now: datetime) -> None:
    assert form.role is not None and form.seniority and form.department and form.cadence
    participant.team_id = identity.team_id
    participant.name = identity.name
    participant.title = identity.title
    participant.tz = identity.tz
    participant.is_mentor = form.role in (Role.MENTOR, Role.BOTH)
    participant.is_mentee = form.role in (Role.MENTEE, Role.BOTH)
    # Kept as given: what a pure mentor wants to learn back, or a pure mentee can share back, is perspective
    # (`bot.domain.people.kept_topics` filtered it); matching reads each list only for the side it serves.
    participant.teach_topics = list(form.teach)
    participant.learn_topics = list(form.learn)
    participant.seniority = form.seniority
    participant.department = form.department
    participant.cadence = form.cadence
    participant.capacity = (form.capacity or 1) if participant.is_mentor else 0
    participant.goals = form.goals.strip()
    participant.manager_id = form.manager_id
    participant.sponsor_id = form.sponsor_id
    participant.do_not_match = sorted(set(form.do_not_match))
    participant.consented_at = now
    participant.updated_at = now


def refresh_identity(*, session: Session, participant: Participant, identity: SlackIdentity, now: datetime) -> bool:
    """Take on a new name, title or time zone from Slack; False when nothing changed."""
    fresh = {"name": identity.name, "title": identity.title, "tz": identity.tz}
    if all(getattr(participant, field) == value for field, value in fresh.items()):
        return False
    for field, value in fresh.items():
        setattr(participant, field, value)
    participant.updated_at = now
    session.add(participant)
    return True


def pause_participant(*, session: Session, participant: Participant, until: datetime | None, now: datetime) -> None:
    """Pause someone until `until` (None: until they come back themselves)."""
    if participant.status != Status.PAUSED:
        session.add(PauseInterval(user_id=participant.slack_user_id, started_at=now))
    participant.status = Status.PAUSED
    participant.paused_until = until
    participant.updated_at = now
    session.add(participant)


def resume_participant(*, session: Session, participant: Participant, now: datetime) -> None:
    # A timed pause that ran out ended when it was due, not when the sweep noticed.
    ended = min(now, participant.paused_until) if participant.paused_until else now
    open_intervals = select(PauseInterval).where(
        PauseInterval.user_id == participant.slack_user_id, col(PauseInterval.ended_at).is_(None)
    )
    for interval in session.exec(open_intervals):
        interval.ended_at = max(ended, interval.started_at)
        session.add(interval)
    participant.status = Status.ACTIVE
    participant.paused_until = None
    participant.updated_at = now
    session.add(participant)


def leave_program(*, session: Session, participant: Participant, now: datetime) -> None:
    """Mark someone as having left, keeping their history so they can rejoin quickly, until the retention
    purge deletes it.

    Deleting someone entirely is `storage.privacy.forget_person`.
    """
    participant.status = Status.LEFT
    participant.paused_until = None
    participant.left_at = now
    participant.updated_at = now
    session.add(participant)


def expired_pauses(*, session: Session, now: datetime, limit: int = 500) -> list[Participant]:
    """Paused participants whose pause has ended, oldest first."""
    query = (
        select(Participant)
        .where(Participant.status == Status.PAUSED)
        .where(col(Participant.paused_until) <= now)
        .order_by(col(Participant.paused_until))
        .limit(limit)
    )
    return list(session.exec(query))


def participants_by_id(*, session: Session, user_ids: Iterable[str]) -> dict[str, Participant]:
    """The participants with these Slack ids, by id; the one loader, in chunks so a round of thousands stays
    under every database's limit on bound parameters."""
    ids = sorted(set(user_ids))
    found: dict[str, Participant] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        for person in session.exec(select(Participant).where(col(Participant.slack_user_id).in_(chunk))):
            found[person.slack_user_id] = person
    return found


_CHUNK = 500
