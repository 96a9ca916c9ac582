"""Queries for the momentum sweep: only pairs with something due, loaded in batches, never per row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import String, Table, any_, bindparam, func, or_, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import QueryableAttribute, aliased, load_only
from sqlmodel import Session, col, select

from bot.domain.momentum import MomentumState
from bot.domain.people import Status
from storage.db import insert_once
from storage.models import (
    CheckIn,
    MentoringSession,
    Pairing,
    PairingStatus,
    Participant,
    PauseInterval,
    Prompt,
)
from storage.outbox import upsert_ignore


class SweepPerson(NamedTuple):
    """What the sweep reads of someone: plain values, not an ORM object it would never change."""

    slack_user_id: str
    name: str
    tz: str
    sponsor_id: str | None
    paused_until: datetime | None


class DuePair(NamedTuple):
    """A pair the sweep must look at, with both people (None when their data is gone)."""

    pairing: Pairing
    mentor: SweepPerson | None
    mentee: SweepPerson | None


class PairState(NamedTuple):
    """Where the sweep leaves a pair: written back for the whole batch in one statement."""

    pairing_id: int
    momentum: MomentumState | None  # None: leave it as it is
    next_check_at: datetime | None
    episode_key: datetime | None
    episode_steps: dict[str, str]


class NewPrompt(NamedTuple):
    """A prompt the sweep records (for ghost detection), written for the whole batch in one statement."""

    user_id: str
    pairing_id: int | None
    kind: str
    outbox_key: str
    sent_at: datetime | None


# The only columns the sweep reads of a due pair. Anything else raises instead of quietly costing a query per
# pair (an unloaded attribute would otherwise be lazy-loaded one row at a time).
_SWEEP_COLUMNS: tuple[QueryableAttribute[Any], ...] = tuple(
    getattr(Pairing, name)
    for name in (
        "id",
        "round_id",
        "mentor_id",
        "mentee_id",
        "cadence",
        "created_at",
        "approved_at",
        "intro_channel",
        "last_session_at",
        "episode_key",
        "episode_steps",
        "snoozed_until",
    )
)


def due_pairings(*, session: Session, now: datetime, limit: int) -> list[DuePair]:
    """Active pairs whose next check time has come, oldest first, with both people, in one query.

    An index range scan on (status, next_check_at, id) that stops after `limit` rows however long the history.
    The pairs are locked (skipping those another sweep holds) so two processes never decide for the same pair.
    """
    mentor, mentee = aliased(Participant), aliased(Participant)

    def person(who: Any) -> tuple[Any, ...]:
        return (who.slack_user_id, who.name, who.tz, who.sponsor_id, who.paused_until)

    query = (
        select(Pairing, *person(mentor), *person(mentee))
        .outerjoin(mentor, col(mentor.slack_user_id) == col(Pairing.mentor_id))
        .outerjoin(mentee, col(mentee.slack_user_id) == col(Pairing.mentee_id))
        .where(col(Pairing.status) == PairingStatus.ACTIVE, col(Pairing.next_check_at) <= now)
        .order_by(col(Pairing.next_check_at), col(Pairing.id))
        .limit(limit)
        .options(load_only(*_SWEEP_COLUMNS, raiseload=True))
        .with_for_update(of=Pairing, skip_locked=True)
    )
    return [
        DuePair(
            pairing=row[0],
            mentor=SweepPerson(*row[1:6]) if row[1] is not None else None,
            mentee=SweepPerson(*row[6:11]) if row[6] is not None else None,
        )
        for row in session.exec(query)
    ]


def save_pair_states(*, session: Session, states: Sequence[PairState]) -> None:
    """Write back what the sweep decided for a batch of pairs in one statement, with no ORM unit of work."""
    if not states:
        return
    if _is_postgres(session):
        # One UPDATE joined to the batch as arrays: psycopg would otherwise pipeline one UPDATE per pair.
        session.execute(
            text(
                "UPDATE pairing SET next_check_at = v.next_check_at, episode_key = v.episode_key,"
                " episode_steps = CAST(v.episode_steps AS JSON), momentum = COALESCE(v.momentum, pairing.momentum)"
                " FROM unnest(CAST(:ids AS INTEGER[]), CAST(:next AS TIMESTAMPTZ[]), CAST(:keys AS TIMESTAMPTZ[]),"
                " CAST(:steps AS TEXT[]), CAST(:momentum AS TEXT[]))"
                " AS v(id, next_check_at, episode_key, episode_steps, momentum) WHERE pairing.id = v.id"
            ),
            {
                "ids": [s.pairing_id for s in states],
                "next": [s.next_check_at for s in states],
                "keys": [s.episode_key for s in states],
                "steps": [json.dumps(s.episode_steps) for s in states],
                "momentum": [None if s.momentum is None else s.momentum.value for s in states],
            },
        )
        return
    # SQLite runs an executemany in C.
    table: Table = Pairing.__table__  # type: ignore[attr-defined]
    c = table.c
    statement = (
        update(table)
        .where(c.id == bindparam("b_id"))
        .values(
            next_check_at=bindparam("b_next_check_at", type_=c.next_check_at.type),
            episode_key=bindparam("b_episode_key", type_=c.episode_key.type),
            episode_steps=bindparam("b_episode_steps", type_=c.episode_steps.type),
            momentum=func.coalesce(bindparam("b_momentum", type_=c.momentum.type), c.momentum),
        )
    )
    session.execute(
        statement,
        [
            {
                "b_id": s.pairing_id,
                "b_next_check_at": s.next_check_at,
                "b_episode_key": s.episode_key,
                "b_episode_steps": s.episode_steps,
                "b_momentum": s.momentum,
            }
            for s in states
        ],
    )


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def check_soon(*, session: Session, pairing_ids: Sequence[int], now: datetime) -> None:
    """Ask the next sweep to look at these pairs (a session was logged, someone paused or resumed...)."""
    if pairing_ids:
        session.exec(update(Pairing).where(col(Pairing.id).in_(list(pairing_ids))).values(next_check_at=now))


def add_prompt(
    *,
    session: Session,
    user_id: str,
    pairing_id: int | None,
    kind: str,
    key: str,
    at: datetime,
    session_number: int | None = None,
) -> Prompt | None:
    """Record that `user_id` is being asked something (for ghost detection); None if already recorded."""
    prompt = Prompt(
        user_id=user_id, pairing_id=pairing_id, kind=kind, outbox_key=key, sent_at=at, session_number=session_number
    )
    return prompt if insert_once(session, prompt) else None


def answer_prompts(*, session: Session, user_id: str, now: datetime) -> None:
    """Any sign of life (a log, a date, a check-in, a pause) answers everything this person was asked."""
    session.exec(
        update(Prompt)
        .where(col(Prompt.user_id) == user_id, col(Prompt.answered_at).is_(None), col(Prompt.sent_at) <= now)
        .values(answered_at=now)
    )


def ghost_candidates(*, session: Session, now: datetime, grace: timedelta, at_least: int) -> list[str]:
    """Active people with at least `at_least` prompts unanswered past their grace period: nobody with fewer can
    have left that many in a row unanswered. Reads only unanswered prompts (a partial index), never history."""
    # Prompts first, people after: joined the other way round, SQLite (which keeps no statistics) would walk
    # every active participant to look up their prompts.
    ignored = (
        select(Prompt.user_id)
        .where(col(Prompt.answered_at).is_(None), col(Prompt.sent_at) <= now - grace)
        .group_by(col(Prompt.user_id))
        .having(func.count() >= at_least)
        .subquery()
    )
    query = (
        select(ignored.c.user_id)
        .join(Participant, col(Participant.slack_user_id) == ignored.c.user_id)
        .where(col(Participant.status) == Status.ACTIVE)
    )
    return list(session.exec(query))


def recent_prompts(*, session: Session, user_id: str, limit: int = 10) -> list[Prompt]:
    query = select(Prompt).where(col(Prompt.user_id) == user_id).order_by(col(Prompt.sent_at).desc()).limit(limit)
    return list(session.exec(query))


def save_checkin(*, session: Session, checkin: CheckIn) -> bool:
    """Store a check-in once per prompt; False when that prompt was already answered (a double submit)."""
    return insert_once(session, checkin)


def checkin_totals(*, session: Session) -> dict[str, float | int]:
    """Program-wide check-in totals; callers show them only over enough answers to stay anonymous."""
    answers = session.exec(select(func.count()).select_from(CheckIn)).one()
    met = session.exec(select(func.count()).select_from(CheckIn).where(col(CheckIn.met).in_(["all", "some"]))).one()
    value = session.exec(select(func.avg(CheckIn.value)).where(col(CheckIn.value).is_not(None))).one()
    bad_fit = session.exec(select(func.count()).select_from(CheckIn).where(col(CheckIn.fit) == "bad")).one()
    return {"answers": answers, "met": met, "avg_value": float(value or 0), "bad_fit": bad_fit}


def sessions_since(*, session: Session, since: datetime) -> int:
    query = select(func.count()).select_from(MentoringSession).where(col(MentoringSession.logged_at) >= since)
    return session.exec(query).one()


def pauses_of(
    *, session: Session, user_ids: Sequence[str], since: datetime
) -> dict[str, list[tuple[datetime, datetime | None]]]:
    """Everyone's pause intervals that overlap the time since `since`: one query (per 500 people on SQLite, whose
    bound parameters are limited; PostgreSQL takes them all as one array)."""
    found: dict[str, list[tuple[datetime, datetime | None]]] = {}
    ids = sorted(set(user_ids))
    chunks = [ids] if _is_postgres(session) else [ids[start : start + 500] for start in range(0, len(ids), 500)]
    for chunk in chunks:
        among = (
            col(PauseInterval.user_id) == any_(bindparam("ids", chunk, type_=ARRAY(String)))
            if _is_postgres(session)
            else col(PauseInterval.user_id).in_(chunk)
        )
        query = select(PauseInterval.user_id, PauseInterval.started_at, PauseInterval.ended_at).where(
            among, or_(col(PauseInterval.ended_at).is_(None), col(PauseInterval.ended_at) > since)
        )
        for user_id, started_at, ended_at in session.exec(query):
            found.setdefault(user_id, []).append((started_at, ended_at))
    return found


def add_prompts(*, session: Session, prompts: Sequence[NewPrompt]) -> None:
    """Record many prompts in one statement (the sweep's batches); existing keys are left as they are."""
    if not prompts:
        return
    if _is_postgres(session):
        # One INSERT from arrays: psycopg would otherwise pipeline one INSERT per prompt.
        session.execute(
            text(
                "INSERT INTO prompt (user_id, pairing_id, kind, outbox_key, sent_at)"
                " SELECT * FROM unnest(CAST(:users AS TEXT[]), CAST(:pairings AS INTEGER[]), CAST(:kinds AS TEXT[]),"
                " CAST(:keys AS TEXT[]), CAST(:sent AS TIMESTAMPTZ[]))"
                " ON CONFLICT (outbox_key) DO NOTHING"
            ),
            {
                "users": [p.user_id for p in prompts],
                "pairings": [p.pairing_id for p in prompts],
                "kinds": [str(p.kind) for p in prompts],  # psycopg would send an enum's name, not its value
                "keys": [p.outbox_key for p in prompts],
                "sent": [p.sent_at for p in prompts],
            },
        )
        return
    table = Prompt.__table__  # type: ignore[attr-defined]
    session.execute(upsert_ignore(session, table, "outbox_key"), [p._asdict() for p in prompts])
