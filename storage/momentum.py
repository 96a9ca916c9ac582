"""Queries for the momentum sweep: only pairs with something due, loaded in batches, never per row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

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


def due_pairings(*, session: Session, now: datetime, limit: int) -> list[Pairing]:
    """Active pairs whose next check time has come (an index range scan on next_check_at)."""
    query = (
        select(Pairing)
        .where(col(Pairing.next_check_at) <= now, col(Pairing.status) == PairingStatus.ACTIVE)
        .order_by(col(Pairing.next_check_at), col(Pairing.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.exec(query))


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


def ghost_candidates(*, session: Session, now: datetime, grace: timedelta) -> list[str]:
    """Active people with at least one prompt unanswered past its grace period."""
    query = (
        select(Prompt.user_id)
        .join(Participant, col(Participant.slack_user_id) == col(Prompt.user_id))
        .where(
            col(Prompt.answered_at).is_(None),
            col(Prompt.sent_at) <= now - grace,
            col(Participant.status) == Status.ACTIVE,
        )
        .distinct()
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
    """Everyone's pause intervals that overlap the time since `since`, in one query per 500 people."""
    found: dict[str, list[tuple[datetime, datetime | None]]] = {}
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), 500):
        query = select(PauseInterval).where(
            col(PauseInterval.user_id).in_(ids[start : start + 500]),
            or_(col(PauseInterval.ended_at).is_(None), col(PauseInterval.ended_at) > since),
        )
        for interval in session.exec(query):
            found.setdefault(interval.user_id, []).append((interval.started_at, interval.ended_at))
    return found


def add_prompts(*, session: Session, prompts: Sequence[Prompt]) -> None:
    """Record many prompts in one statement (the sweep's batches); existing keys are left as they are."""
    rows = [
        {
            "user_id": p.user_id,
            "pairing_id": p.pairing_id,
            "kind": p.kind,
            "outbox_key": p.outbox_key,
            "sent_at": p.sent_at,
        }
        for p in prompts
    ]
    if rows:
        session.execute(upsert_ignore(session, Prompt, "outbox_key"), rows)
