"""Queries on a pair's goals, the agreement's "We agree", and confidence per topic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain.cycles import ConfidenceStage
from storage.models import CheckIn, Confidence, Goal, Pairing

SIGNUP_CYCLE = 0  # the sign-up baseline belongs to no cycle


def goals_of(*, session: Session, pairing_ids: Sequence[int]) -> dict[int, dict[str, list[str]]]:
    """Per pairing, each owner's goals in order."""
    if not pairing_ids:
        return {}
    rows = session.exec(
        select(Goal)
        .where(col(Goal.pairing_id).in_(list(pairing_ids)))
        .order_by(col(Goal.pairing_id), col(Goal.owner_id), col(Goal.position))
    )
    found: dict[int, dict[str, list[str]]] = {}
    for goal in rows:
        found.setdefault(goal.pairing_id, {}).setdefault(goal.owner_id, []).append(goal.text)
    return found


def replace_goals(*, session: Session, pairing_id: int, owner_id: str, texts: Sequence[str], now: datetime) -> None:
    """Someone's goals for a pair become `texts` (editing replaces; an empty list removes them)."""
    kept = {
        g.position: g
        for g in session.exec(select(Goal).where(col(Goal.pairing_id) == pairing_id, col(Goal.owner_id) == owner_id))
    }
    for position, text in enumerate(texts, 1):
        goal = kept.pop(position, None)
        if goal is None:
            goal = Goal(
                pairing_id=pairing_id, owner_id=owner_id, position=position, text=text, created_at=now, updated_at=now
            )
        elif goal.text == text:
            continue
        goal.text, goal.updated_at = text, now
        session.add(goal)
    for goal in kept.values():
        session.delete(goal)
    session.flush()


def latest_progress(*, session: Session, pairing_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """Per (pairing, person), the "progress toward your goals" they gave in their latest check-in that asked it."""
    if not pairing_ids:
        return {}
    latest = (
        select(CheckIn.pairing_id, CheckIn.user_id, func.max(CheckIn.id).label("last"))
        .where(col(CheckIn.pairing_id).in_(list(pairing_ids)), col(CheckIn.goal_progress).is_not(None))
        .group_by(col(CheckIn.pairing_id), col(CheckIn.user_id))
        .subquery()
    )
    rows = session.exec(
        select(CheckIn.pairing_id, CheckIn.user_id, CheckIn.goal_progress).join(
            latest, col(CheckIn.id) == latest.c.last
        )
    )
    return {(pid, uid): int(value) for pid, uid, value in rows if value is not None}


def agree(*, session: Session, pairings: Sequence[Pairing], user_id: str, now: datetime) -> bool:
    """Record `user_id`'s "We agree" on these pairings: as the mentor of each, or the mentee of their own. False
    when they had agreed already (a double click), so nothing changed."""
    changed = False
    for stored in pairings:
        pairing = session.get_one(Pairing, stored.id)
        if pairing.mentor_id == user_id and pairing.mentor_agreed_at is None:
            pairing.mentor_agreed_at, changed = now, True
        elif pairing.mentee_id == user_id and pairing.mentee_agreed_at is None:
            pairing.mentee_agreed_at, changed = now, True
        session.add(pairing)
    return changed


def signup_confidence(*, session: Session, user_id: str) -> dict[str, int]:
    """Someone's sign-up confidence per topic."""
    rows = session.exec(
        select(Confidence.topic, Confidence.value).where(
            col(Confidence.user_id) == user_id,
            col(Confidence.stage) == ConfidenceStage.SIGNUP,
            col(Confidence.cycle_id) == SIGNUP_CYCLE,
        )
    )
    return {topic: value for topic, value in rows}


def save_signup_confidence(*, session: Session, user_id: str, ratings: Mapping[str, int], now: datetime) -> None:
    """Someone's sign-up baseline becomes `ratings` (answering again replaces; topics no longer rated go)."""
    kept = {
        c.topic: c
        for c in session.exec(
            select(Confidence).where(
                col(Confidence.user_id) == user_id,
                col(Confidence.stage) == ConfidenceStage.SIGNUP,
                col(Confidence.cycle_id) == SIGNUP_CYCLE,
            )
        )
    }
    for topic, value in ratings.items():
        row = kept.pop(topic, None) or Confidence(
            user_id=user_id,
            topic=topic,
            stage=ConfidenceStage.SIGNUP,
            cycle_id=SIGNUP_CYCLE,
            value=value,
            answered_at=now,
        )
        row.value, row.answered_at = value, now
        session.add(row)
    for row in kept.values():
        session.delete(row)
    session.flush()


def goals_owned(*, session: Session, user_id: str) -> list[Goal]:
    return list(
        session.exec(
            select(Goal).where(col(Goal.owner_id) == user_id).order_by(col(Goal.pairing_id), col(Goal.position))
        )
    )
